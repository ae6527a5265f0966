"""A4 documents in Dutch (fpdf2): headings, paragraphs, bullet lists, tables, images.

Text is set in the PDF's built-in Helvetica with the Windows-1252 encoding: every Dutch,
German, French and Nordic letter, the euro sign and typographic dashes print, nothing is
embedded or subset (a pack of 10,000 members is written in seconds), and the text can be
searched and extracted. Letters outside that set are transliterated (anyascii: ``ł`` as
``l``, ``Олена`` as ``Olena``), so no name prints as question marks; the vCards keep names
exactly. Tables are laid out here, row by row, rather
than with fpdf2's general table engine, which is two orders of magnitude slower for rosters.
Documents are written whole or not at all (:func:`geo.outputs.replacing`).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import cast

from anyascii import anyascii
from fpdf import FPDF, image_parsing
from fpdf.enums import Align, TextMode, XPos, YPos
from PIL import Image

from geo.map_drawing import MapLabel, MapPicture, nice_length
from geo.outputs import replacing

FONT = "helvetica"
ENCODING = "windows-1252"
TEXT_SIZE = 9.5
GREY = (90, 90, 90)
INK = (26, 26, 26)  # words on a map
HALO_PT = 1.8  # the white outline of words on a map (points, both sides together)
HEAD_FILL = (225, 232, 240)
PT_MM = 0.3528  # one typographic point in millimetres
PAGE_FORMATS = {"A4": (210.0, 297.0), "A5": (148.0, 210.0)}  # mm, portrait (ISO 216)


def printable(text: str) -> str:
    """``text`` with every character the built-in fonts lack transliterated to Latin letters
    (invisible format characters and lone accents dropped, anything else unknown as ``?``)."""
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
            invisible = unicodedata.category(char)[0] in "CM"
            out.append(anyascii(char) or ("" if invisible else "?"))
    return "".join(out)


# The built-in fonts' character widths (in 1/1000 of the font size) by style ("" or "B"),
# taken from the first document; the same in every document.
_CHAR_WIDTHS: dict[str, dict[str, int]] = {}


def _load_widths(style: str) -> dict[str, int]:
    if style not in _CHAR_WIDTHS:
        probe = FPDF()
        probe.set_font(FONT, style)
        _CHAR_WIDTHS[style] = dict(cast("dict[str, int]", probe.fonts[f"{FONT}{style}"].cw))
    return _CHAR_WIDTHS[style]


def text_width(text: str, size: float, style: str = "") -> float:
    """The width in mm of ``text`` in the built-in font at ``size`` points (style "", "B", "I")."""
    return _units(printable(text), style) * size * PT_MM / 1000


@lru_cache(maxsize=1 << 16)
def _units(text: str, style: str) -> int:
    """The width of ``text`` (already :func:`printable`) in the font's units."""
    widths = _load_widths(style)
    encoded = text.encode(ENCODING).decode("latin-1")  # the font's table is by code point
    try:
        return sum(map(widths.__getitem__, encoded))
    except KeyError:  # a code point without a width in the table
        return sum(widths.get(char, 600) for char in encoded)


class Document(FPDF):
    """An A4 portrait document with a running footer and page numbers."""

    def __init__(self, title: str, *, footer: str = "", page_format: str = "A4") -> None:
        if page_format not in PAGE_FORMATS:
            msg = f"paginaformaat {page_format!r}: kies uit {', '.join(PAGE_FORMATS)}"
            raise ValueError(msg)
        super().__init__(orientation="portrait", unit="mm", format=PAGE_FORMATS[page_format])
        self.core_fonts_encoding = ENCODING
        self.set_font(FONT, size=TEXT_SIZE)
        margin = 15 if page_format == "A4" else 11
        self.set_margins(margin, 14 if page_format == "A4" else 11, margin)
        self.set_auto_page_break(auto=True, margin=16 if page_format == "A4" else 14)
        self.set_title(printable(title))
        self.set_creator("buurtpreventie-planner")
        self.set_lang("nl")
        self.footer_text = footer
        self.page_numbers = True  # "pagina N van M" in the footer (from the page this is set on)
        self.alias_nb_pages()

    def normalize_text(self, text: str) -> str:
        return str(super().normalize_text(printable(text)))

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, size=7)
        self.set_text_color(*GREY)
        self.cell(0, 4, self.footer_text, align=Align.L)
        if self.page_numbers:
            self.set_x(self.l_margin)
            self.cell(0, 4, f"pagina {self.page_no()} van {{nb}}", align=Align.R)
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=TEXT_SIZE)

    def title_block(self, title: str, subtitle: str = "") -> None:
        """The document's title (large, bold) and an optional grey subtitle."""
        self.lines(title, size=16, bold=True, leading=7.5)
        if subtitle:
            self.set_text_color(*GREY)
            self.lines(subtitle, size=9, leading=4.5)
            self.set_text_color(0, 0, 0)
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
        self,
        text: str,
        *,
        size: float = TEXT_SIZE,
        bold: bool = False,
        indent: float = 0.0,
        leading: float | None = None,
    ) -> None:
        """``text`` wrapped to the page width (from ``indent`` mm), a new page when full;
        ``leading`` is the line distance in mm (1.3 times the size when not given)."""
        leading = size * PT_MM * 1.3 if leading is None else leading
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
        style = "B" if bold else ""
        limit = width / (size * PT_MM / 1000)  # in the font's units (1/1000 of its size)
        space = _units(" ", style)
        lines: list[str] = []
        for paragraph in printable(text).split("\n") or [""]:
            if not paragraph.startswith(" ") and _units(paragraph, style) <= limit:
                lines.append(paragraph)  # fits: the common case of a table cell
                continue
            line, used = "", 0
            for word in paragraph.split(" "):
                size_word = _units(word, style)
                gap = space if line else 0
                if line and used + gap + size_word > limit:
                    lines.append(line)
                    line, used, gap = "", 0, 0
                rest = word
                while size_word > limit and len(rest) > 1:  # a word longer than the column
                    cut = max(1, int(len(rest) * limit / size_word))
                    lines.append(rest[:cut])
                    rest = rest[cut:]
                    size_word = _units(rest, style)
                line += (" " if line else "") + rest
                used += gap + size_word
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
                self.set_fill_color(0)  # text in the fill colour is written without a colour switch
            self.set_font(FONT, "B" if head else "", size)
            placed: list[tuple[float, float, str]] = []
            for lines, width in zip(wrapped, widths, strict=True):
                placed.extend(
                    (x + pad, top + pad + (n + 0.8) * leading, line)
                    for n, line in enumerate(lines)
                    if line
                )
                x += width
            self.texts(placed)
            self.set_draw_color(190, 190, 190)
            self.line(self.l_margin, top + height, self.l_margin + self.epw, top + height)
            self.set_y(top + height)

        draw(headers, head=True)
        for values in rows:
            draw([str(v) for v in values], head=False)
        self.set_font(FONT, size=TEXT_SIZE)
        self.set_draw_color(0, 0, 0)
        self.ln(2)

    def texts(self, items: Sequence[tuple[float, float, str]]) -> None:
        """Strings at (x, baseline y) in mm, in the current font and colour: what one
        :meth:`text` call per string writes, in one go (a roster has thousands)."""
        if not items:
            return
        self.text(*items[0])  # the first through fpdf2: it puts the font on the page
        plain = (
            self.text_mode == TextMode.FILL
            and not (self.underline or self.strikethrough or self._record_text_quad_points)
            and self.fill_color == self.text_color
        )
        if not plain:
            for item in items[1:]:
                self.text(*item)
            return
        font, k, h = self.current_font, self.k, self.h
        assert font is not None
        self._out(
            "\n".join(
                f"BT {x * k:.2f} {(h - y) * k:.2f} Td "
                f"{font.encode_text(self.normalize_text(text))} ET"
                for x, y, text in items[1:]
            )
        )

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

    def map_picture(self, picture: MapPicture, *, width: float, height: float) -> None:
        """A map at the current position, ``width`` × ``height`` mm (the picture's aspect), with
        its words, a scale bar in metres and a north arrow set on it as PDF text and lines."""
        if self.get_y() + height > self.h - self.b_margin:
            self.add_page()
        left, top = self.l_margin, self.get_y()
        self.picture(picture.image, width=width, height=height)
        after = self.get_y()
        minx, _, maxx, maxy = picture.bounds
        per_mm = (maxx - minx) / width  # metres per mm on the page

        def page(x: float, y: float) -> tuple[float, float]:
            return left + (x - minx) / per_mm, top + (maxy - y) / per_mm

        for halo in (True, False):  # every outline first, so no outline covers a letter
            for label in picture.labels:
                if halo and not label.halo:
                    continue
                x, y = page(label.x, label.y)
                self._map_text(x, y, label, halo=halo)
        self._scale_bar(left + 0.04 * width, top + 0.96 * height, per_mm, width)
        self._north_arrow(left + 0.95 * width, top + 0.03 * height)
        if picture.credit:
            with self.local_context(text_color=GREY):
                self.set_font(FONT, size=6)
                self.text(left + 1.5, top + height - 1.2, picture.credit)
        self.set_font(FONT, size=TEXT_SIZE)
        self.set_y(after)

    def _map_text(self, x: float, y: float, label: MapLabel, *, halo: bool) -> None:
        """``label`` centred on (x, y) mm, turned by its angle; its white outline if ``halo``."""
        self.set_font(FONT, label.style, label.size)  # before any q … Q: it stays on the page
        shift = text_width(label.text, label.size, label.style) / 2
        baseline = 0.35 * label.size * PT_MM  # half the height of a capital
        with self.rotation(label.angle, x=x, y=y):
            if halo:
                # Stroked text in white, round joins; set here rather than through fpdf2's
                # text mode, which writes the line width in mm where PDF reads points.
                self._out(f"q 1 1 1 RG {HALO_PT:.2f} w 1 j 1 Tr")
                self.text(x - shift, y + baseline, label.text)
                self._out("Q")
            else:
                self.set_text_color(*(GREY if label.grey else INK))
                self.text(x - shift, y + baseline, label.text)
                self.set_text_color(0)

    def _scale_bar(self, x: float, bottom: float, per_mm: float, width: float) -> None:
        """A scale bar of a round number of metres (at most a fifth of the map), from (x, bottom)."""
        metres = nice_length(per_mm * width)
        length = metres / per_mm
        height = 1.6
        with self.local_context(line_width=0.25, draw_color=(0, 0, 0)):
            self.set_fill_color(255, 255, 255)
            self.rect(x - 1.5, bottom - height - 5.5, length + 3, height + 7, style="F")
            self.set_fill_color(0, 0, 0)
            self.rect(x, bottom - height, length / 2, height, style="DF")
            self.set_fill_color(255, 255, 255)
            self.rect(x + length / 2, bottom - height, length / 2, height, style="DF")
            self.set_fill_color(0)
            label = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
            self.set_font(FONT, size=7)
            self.text(x - text_width("0", 7) / 2, bottom - height - 1, "0")
            self.text(x + length - text_width(label, 7) / 2, bottom - height - 1, label)

    def _north_arrow(self, x: float, top: float) -> None:
        """An arrow pointing up with an N under it, its tip at (x, top)."""
        with self.local_context(fill_color=(0, 0, 0), draw_color=(255, 255, 255), line_width=0.3):
            self.polygon(
                [(x, top), (x + 2.6, top + 7), (x, top + 5.6), (x - 2.6, top + 7)], style="DF"
            )
            self.set_font(FONT, "B", 11)
            self.text(x - text_width("N", 11, "B") / 2, top + 11.5, "N")
        self.set_fill_color(0)

    def save(self, path: Path, *, private: bool) -> Path:
        """Write the document to ``path`` as a whole (owner-only when ``private``)."""
        data = bytes(self.output())
        with replacing(path, private=private) as temporary:
            temporary.write_bytes(data)
        return path
