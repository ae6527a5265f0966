"""A4 documents in Dutch (fpdf2): headings, paragraphs, bullet lists, tables, images.

Text is set in the PDF's built-in Helvetica with the Windows-1252 encoding: every Dutch,
German, French and Nordic letter, the euro sign and typographic dashes print, nothing is
embedded or subset (a pack of 10,000 members is written in seconds), and the text can be
searched and extracted. Letters outside that set (``ł``, ``ş``) print without their accent
(``l``, ``s``); the vCards keep names exactly. Tables are laid out here, row by row, rather
than with fpdf2's general table engine, which is two orders of magnitude slower for rosters.
Documents are written whole or not at all (:func:`geo.outputs.replacing`).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from fpdf import FPDF, image_parsing
from fpdf.enums import Align, XPos, YPos
from PIL import Image

from geo.outputs import replacing

FONT = "helvetica"
ENCODING = "windows-1252"
TEXT_SIZE = 9.5
GREY = (90, 90, 90)
HEAD_FILL = (225, 232, 240)
PT_MM = 0.3528  # one typographic point in millimetres
# Letters with a stroke have no decomposition into a plain letter and an accent.
_STROKED = str.maketrans("ŁłĐđıĦħŦŧ", "LlDdiHhTt")


def printable(text: str) -> str:
    """``text`` with every character the built-in fonts lack replaced by its plain letter."""
    try:
        text.encode(ENCODING)
    except UnicodeEncodeError:
        pass
    else:
        return text
    out = []
    for char in text:
        try:
            char.encode(ENCODING)
            out.append(char)
        except UnicodeEncodeError:
            plain = "".join(
                c
                for c in unicodedata.normalize("NFKD", char.translate(_STROKED))
                if not unicodedata.combining(c)
            )
            try:
                out.append(plain.encode(ENCODING).decode(ENCODING) if plain else "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


class Document(FPDF):
    """An A4 portrait document with a running footer and page numbers."""

    def __init__(self, title: str, *, footer: str = "") -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.core_fonts_encoding = ENCODING
        self.set_font(FONT, size=TEXT_SIZE)
        self.set_margins(15, 14, 15)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_title(printable(title))
        self.set_creator("buurtpreventie-planner")
        self.set_lang("nl")
        self.footer_text = footer
        self.alias_nb_pages()

    def normalize_text(self, text: str) -> str:
        return str(super().normalize_text(printable(text)))

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, size=7)
        self.set_text_color(*GREY)
        self.cell(0, 4, self.footer_text, align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 4, f"pagina {self.page_no()} van {{nb}}", align=Align.R)
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=TEXT_SIZE)

    def title_block(self, title: str, subtitle: str = "") -> None:
        """The document's title (large, bold) and an optional grey subtitle."""
        self.set_font(FONT, "B", 16)
        self.multi_cell(0, 7.5, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.set_font(FONT, size=9)
            self.set_text_color(*GREY)
            self.multi_cell(0, 4.5, subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=TEXT_SIZE)
        self.ln(2)

    def heading(self, text: str, *, room: float = 25) -> None:
        """A section heading; a new page first when less than ``room`` mm is left."""
        if self.get_y() + room > self.h - self.b_margin:
            self.add_page()
        self.ln(2)
        self.set_x(self.l_margin)
        self.set_font(FONT, "B", 12)
        self.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=TEXT_SIZE)

    def lines(
        self, text: str, *, size: float = TEXT_SIZE, bold: bool = False, indent: float = 0.0
    ) -> None:
        """``text`` wrapped to the page width (from ``indent`` mm), a new page when full."""
        leading = size * PT_MM * 1.3
        self.set_font(FONT, "B" if bold else "", size)
        x = self.l_margin + indent
        for line in self._wrap(text, self.epw - indent, size, bold=bold):
            if self.get_y() + leading > self.h - self.b_margin:
                self.add_page()
                self.set_font(FONT, "B" if bold else "", size)
            if line:
                self.text(x, self.get_y() + 0.8 * leading, line)
            self.set_y(self.get_y() + leading)
        self.set_font(FONT, size=TEXT_SIZE)

    def paragraph(self, text: str, *, size: float = TEXT_SIZE, bold: bool = False) -> None:
        self.lines(text, size=size, bold=bold)
        self.ln(1)

    def facts(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Label–value lines (the label bold, in a fixed column)."""
        for label, value in pairs:
            top = self.get_y()
            self.set_font(FONT, "B", TEXT_SIZE)
            self.text(self.l_margin, top + 0.8 * TEXT_SIZE * PT_MM * 1.3, label)
            self.lines(value, indent=38)

    def bullets(self, items: Sequence[str]) -> None:
        for item in items:
            top = self.get_y()
            if top + 5 > self.h - self.b_margin:
                self.add_page()
                top = self.get_y()
            self.text(self.l_margin + 1, top + 0.8 * TEXT_SIZE * PT_MM * 1.3, "•")
            self.lines(item, indent=5)
            self.ln(0.8)
        self.ln(1)

    def _wrap(self, text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
        """``text`` broken into lines of at most ``width`` mm (long words are cut)."""
        widths = cast("dict[str, float]", self.fonts[f"{FONT}{'B' if bold else ''}"].cw)
        scale = size * PT_MM / 1000
        lines: list[str] = []
        for paragraph in printable(text).split("\n") or [""]:
            line, used = "", 0.0
            for word in paragraph.split(" "):
                encoded = word.encode(ENCODING).decode("latin-1")
                size_word = sum(widths.get(c, 600) for c in encoded) * scale
                space = widths[" "] * scale if line else 0.0
                if line and used + space + size_word > width:
                    lines.append(line)
                    line, used, space = "", 0.0, 0.0
                rest = word
                while size_word > width and len(rest) > 1:  # a word longer than the column
                    cut = max(1, int(len(rest) * width / size_word))
                    lines.append(rest[:cut])
                    rest = rest[cut:]
                    size_word = sum(widths.get(c, 600) for c in rest) * scale
                line += (" " if line else "") + rest
                used += space + size_word
            lines.append(line)
        return lines

    def rows(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        weights: Sequence[float],
        *,
        size: float = 8,
    ) -> None:
        """A table over the full width (columns in proportion to ``weights``), its heading row
        shaded and repeated on every page it runs over; cells wrap."""
        total = sum(weights)
        widths = [self.epw * w / total for w in weights]
        pad, leading = 0.8, size * PT_MM * 1.25

        def draw(cells: Sequence[str], *, head: bool) -> None:
            wrapped = [
                self._wrap(str(c), w - 2 * pad, size, bold=head)
                for c, w in zip(cells, widths, strict=True)
            ]
            height = max(len(lines) for lines in wrapped) * leading + 2 * pad
            if self.get_y() + height > self.h - self.b_margin:
                self.add_page()
                if not head:
                    draw(headers, head=True)
            top, x = self.get_y(), self.l_margin
            if head:
                self.set_fill_color(*HEAD_FILL)
                self.rect(x, top, self.epw, height, style="F")
            self.set_font(FONT, "B" if head else "", size)
            for lines, width in zip(wrapped, widths, strict=True):
                for n, line in enumerate(lines):
                    if line:
                        self.text(x + pad, top + pad + (n + 0.8) * leading, line)
                x += width
            self.set_draw_color(190, 190, 190)
            self.line(self.l_margin, top + height, self.l_margin + self.epw, top + height)
            self.set_y(top + height)

        draw(headers, head=True)
        for values in rows:
            draw([str(v) for v in values], head=False)
        self.set_font(FONT, size=TEXT_SIZE)
        self.set_draw_color(0, 0, 0)
        self.ln(2)

    def picture(self, image: bytes | Image.Image, *, width: float, height: float) -> None:
        """An image (PNG bytes or a PIL image) at the current position, ``width`` × ``height`` mm."""
        source = io.BytesIO(image) if isinstance(image, bytes) else image
        if self.get_y() + height > self.h - self.b_margin:
            self.add_page()
        level = image_parsing.SETTINGS.compression_level
        image_parsing.SETTINGS.compression_level = 1  # a map: 4× faster, 20% larger
        try:
            self.image(source, x=self.l_margin, y=self.get_y(), w=width, h=height)
        finally:
            image_parsing.SETTINGS.compression_level = level
        self.set_y(self.get_y() + height + 1)

    def save(self, path: Path, *, private: bool) -> Path:
        """Write the document to ``path`` as a whole (owner-only when ``private``)."""
        data = bytes(self.output())
        with replacing(path, private=private) as temporary:
            temporary.write_bytes(data)
        return path
