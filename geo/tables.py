"""Read and write the spreadsheets planners really have: CSV in any Excel dialect, and XLSX.

Reading returns every cell as text, so nothing (leading zeros of phone numbers, postcodes)
is lost to type guessing. Text is UTF-8 (with or without BOM), Windows-1252, a mix of the two
(decoded line by line, with a note) or UTF-16 with a BOM (Excel's "Unicode-tekst"). Unicode
format characters (zero-width spaces, bidi overrides, category Cf) are removed from every cell.
A CSV in which a stray ``"`` would merge lines into one cell is refused with the line number,
so the rows read always match the file's lines. Workbooks: every sheet can be read
(:func:`read_sheets`); :func:`read_rows` takes the first visible one. OpenDocument (``.ods``)
and the old ``.xls`` are refused with a clear message.

Formula escaping is a property of the CSV file, never of the data: :func:`write_csv` prefixes
``'`` to cells *and headers* that a spreadsheet would run as a formula (and to cells that
already start with ``'`` + a formula character, so they survive the round trip), and reading
a CSV removes exactly one such ``'`` again, so an escaped value is never taken as data.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import math
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Literal
from xml.etree.ElementTree import ParseError

import pandas as pd

from geo.errors import InputFileError
from geo.outputs import replacing

_DELIMITERS = ",;\t"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d[\d.,]*$")
_ESCAPED_FORMULA = re.compile(r"^'+[=+\-@\t\r]")
_RISKY_FIRST = frozenset("=+-@\t\r'")  # the first characters the two tests above look for
# A plain number in ASCII digits, which escape_formula never changes (a vectorised test: no
# Unicode digits, no newline before the end, unlike _PLAIN_NUMBER; those cells take the slow way).
_ASCII_NUMBER = r"[+-]?[0-9][0-9.,]*"
_MANY_RISKY = 100  # above this many risky cells in a column, the vectorised test pays
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the line ends of a CSV file (universal newlines)
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a Compound File (OLE2)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sheet:
    """One table of a file: a CSV file is one sheet, a workbook has one per worksheet.

    ``notes`` are remarks for the planner about how the sheet was read (e.g. mixed encodings).
    """

    name: str
    rows: list[list[str]]
    hidden: bool = False
    notes: tuple[str, ...] = field(default=())


def read_rows(path: Path) -> list[list[str]]:
    """Read a CSV or XLSX file into rows of text cells (first visible sheet of a workbook)."""
    sheets = read_sheets(path)
    visible = [sheet for sheet in sheets if not sheet.hidden]
    return (visible or sheets)[0].rows


def read_sheets(path: Path) -> list[Sheet]:
    """Read a CSV file (one sheet) or every worksheet of an XLSX file, in workbook order."""
    if not path.exists():
        msg = f"bestand niet gevonden: {path}"
        raise InputFileError(msg)
    if path.is_dir():
        msg = f"dit is een map, geen bestand: {path}"
        raise InputFileError(msg)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        msg = (
            f"het oude Excel-formaat (.xls) wordt niet gelezen; sla {path.name} op als .xlsx of CSV"
        )
        raise InputFileError(msg)
    data = path.read_bytes()
    if not data.strip():
        msg = f"bestand is leeg: {path.name}"
        raise InputFileError(msg)
    if suffix in {".ods", ".ots", ".fods"} or _is_ods(data):
        msg = (
            f"{path.name} is een OpenDocument-rekenblad (.ods, LibreOffice/OpenOffice); dat "
            "formaat wordt niet gelezen: sla het op als .xlsx of CSV"
        )
        raise InputFileError(msg)
    if data.startswith(_OLE_SIGNATURE):  # what Excel writes a workbook with a password in
        msg = (
            f"{path.name} is met een wachtwoord beveiligd of in het oude Excel-formaat (.xls) "
            "opgeslagen: sla het op als .xlsx zonder wachtwoord, of als CSV"
        )
        raise InputFileError(msg)
    if suffix in {".xlsx", ".xlsm"} or data[:2] == b"PK":
        return _read_xlsx(data, name=path.name)
    rows, notes = _read_csv(data, name=path.name)
    return [Sheet(path.name, rows, notes=notes)]


def _is_ods(data: bytes) -> bool:
    """An OpenDocument file is a zip whose first member, ``mimetype``, names its type."""
    return data[:2] == b"PK" and data[30:38] == b"mimetype" and _ODS_MIMETYPE in data[38:120]


def strip_format_chars(text: str) -> str:
    """Remove Unicode format characters (category Cf): zero-width spaces and joiners, bidi
    overrides such as U+202E, soft hyphens, a stray BOM. They are invisible, make equal names
    differ and can show a name reversed."""
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def decode_text(data: bytes) -> str:
    """Decode UTF-16 with a BOM, UTF-8 (with or without BOM) or Windows-1252 as Dutch Excel
    writes; a file mixing UTF-8 and Windows-1252 lines is decoded line by line."""
    return _decode(data)[0]


def _decode(data: bytes) -> tuple[str, list[int]]:
    """The text and, for a file that mixes encodings, the lines read as Windows-1252."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec), []
            except UnicodeDecodeError:
                msg = f"dit {codec.upper()}-bestand (Unicode-tekst) is beschadigd"
                raise InputFileError(msg) from None
    if b"\x00" in data[:4096]:
        msg = "dit is geen tekstbestand (binaire inhoud)"
        raise InputFileError(msg)
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    lines = data.removeprefix(codecs.BOM_UTF8).split(b"\n")
    texts: list[str] = []
    single_byte: list[int] = []
    has_utf8 = False
    for number, line in enumerate(lines, start=1):
        try:
            texts.append(line.decode("utf-8"))
            has_utf8 = has_utf8 or not line.isascii()
        except UnicodeDecodeError:
            single_byte.append(number)
            texts.append(_decode_single_byte(line))
    return "\n".join(texts), single_byte if has_utf8 else []


def _decode_single_byte(line: bytes) -> str:
    """Windows-1252, or Latin-1 for the five bytes Windows-1252 leaves undefined."""
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def _read_csv(data: bytes, *, name: str) -> tuple[list[list[str]], tuple[str, ...]]:
    try:
        text, single_byte = _decode(data)
    except InputFileError as error:
        msg = f"{name}: {error}"
        raise InputFileError(msg) from None
    notes: tuple[str, ...] = ()
    if single_byte:
        shown = ", ".join(map(str, single_byte[:10])) + (" …" if len(single_byte) > 10 else "")
        notes = (
            f"{name} mengt twee tekencoderingen: regel {shown} is als Windows-1252 gelezen, de "
            "rest als UTF-8; controleer de accenten op die regels",
        )
    text = text.removeprefix("\ufeff")
    delimiter = _guess_delimiter(text)
    records = _csv_records(text, delimiter=delimiter, name=name)
    _refuse_merged_lines(records, text=text, delimiter=delimiter, name=name)
    return [_clean_cells(row) for _, _, row in records], notes


def _clean_cells(row: list[str]) -> list[str]:
    """The cells of a CSV row as read: no format characters or outer spaces, one escaping
    ``'`` dropped (:func:`unescape_formula`, which only acts on a leading ``'``)."""
    cells = [(cell if cell.isascii() else strip_format_chars(cell)).strip() for cell in row]
    return [unescape_formula(cell) if cell[:1] == "'" else cell for cell in cells]


def _guess_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most rows of one width (> 1 cell);
    on a tie, the one that gives the most cells."""
    sample = "\n".join(text.splitlines()[:30])
    scores: dict[str, tuple[int, int]] = {}
    for delimiter in _DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        widths = Counter(len(row) for row in rows if len(row) > 1)
        if widths:
            width, count = widths.most_common(1)[0]
            scores[delimiter] = (count, width)
    if not scores:
        first = sample.split("\n", 1)[0]
        return max(_DELIMITERS, key=first.count)
    return max(scores, key=lambda d: scores[d])


def _csv_records(text: str, *, delimiter: str, name: str) -> list[tuple[int, int, list[str]]]:
    """Parse ``text``; every record with its first and last physical line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            records.append((start, reader.line_num, row))
            start = reader.line_num + 1
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            msg = (
                f"{name}, regel {start}: een cel is te groot om te lezen; waarschijnlijk opent "
                'een los aanhalingsteken (") daar een cel die niet meer sluit'
            )
        else:
            msg = f"{name} is geen leesbaar CSV-bestand (regel {reader.line_num}): {error}"
        raise InputFileError(msg) from None
    return records


def _refuse_merged_lines(
    records: list[tuple[int, int, list[str]]], *, text: str, delimiter: str, name: str
) -> None:
    """Refuse a file in which a stray ``"`` made one cell out of several lines of rows.

    A quoted cell may hold line breaks (an address on two lines, a message): a CSV writer, ours
    too, quotes such a cell, and it is read as written. A record over several lines is taken
    for lines merged by a stray quote when it is not valid CSV on its own (the quote is closed
    in the middle of a cell, or never), when it has more cells than the file's rows, or when
    a cell's lines are rows of the file: with the quotes around that cell taken away, every
    (non-blank) line it spans has exactly as many cells as the file's rows.
    """
    widths = Counter(len(row) for first, last, row in records if first == last and len(row) > 1)
    if not widths:
        return
    width = widths.most_common(1)[0][0]
    lines: list[str] = []
    for first, last, row in records:
        if first == last:
            continue
        lines = lines or io.StringIO(text, newline="").readlines()  # as the reader counts them
        column = _merging_cell(
            row, "".join(lines[first - 1 : last]), width=width, delimiter=delimiter
        )
        if column is not None:
            msg = (
                f'{name}, regel {first}: een aanhalingsteken (") aan het begin van cel '
                f"{column} opent een cel die pas op regel {last} eindigt, zodat regels "
                f"{first} t/m {last} één cel zouden worden; haal dat losse aanhalingsteken "
                "weg (of zet de hele cel tussen twee aanhalingstekens) en lees het bestand "
                "opnieuw in"
            )
            raise InputFileError(msg)


def _merging_cell(row: list[str], raw: str, *, width: int, delimiter: str) -> int | None:
    """The cell (counted from 1) of a record over several lines (``raw``, as in the file) that
    looks like rows merged by a stray quote; ``None`` when the record is a row of its own."""
    broken = [i for i, cell in enumerate(row) if _LINE_BREAK.search(cell)]
    if not broken:
        return None
    if len(row) > width or not _is_one_record(raw, delimiter=delimiter):
        return broken[0] + 1
    for i in broken:
        parts = _LINE_BREAK.split(row[i])
        counts = [
            i + parts[0].count(delimiter) + 1,
            *(part.count(delimiter) + 1 for part in parts[1:-1] if part.strip()),
            parts[-1].count(delimiter) + 1 + len(row) - i - 1,
        ]
        if all(count == width for count in counts):
            return i + 1
    return None


def _is_one_record(raw: str, *, delimiter: str) -> bool:
    """Whether ``raw`` is exactly one record of strictly valid CSV: every quoted cell is
    closed, and by a quote that ends the cell."""
    reader = csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter, strict=True)
    try:
        return len(list(reader)) == 1
    except csv.Error:
        return False


def _read_xlsx(data: bytes, *, name: str) -> list[Sheet]:
    from openpyxl import load_workbook  # noqa: PLC0415 - only needed for workbooks

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return [
                Sheet(
                    sheet.title,
                    [
                        [_cell_text(value) for value in row]
                        for row in sheet.iter_rows(values_only=True)
                    ],
                    hidden=sheet.sheet_state != "visible",
                )
                for sheet in workbook.worksheets
            ]
        finally:
            workbook.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, ParseError) as error:
        logger.debug("workbook not readable: %s", error)  # openpyxl's reason, in English
        msg = (
            f"{name} is geen leesbaar Excel-bestand (.xlsx): het is beschadigd of niet helemaal "
            "opgeslagen; open het in Excel en sla het opnieuw op als .xlsx, of als CSV"
        )
        raise InputFileError(msg) from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    text = strip_format_chars(str(value)).strip()
    # A CSV this program wrote, opened in a spreadsheet and saved as a workbook, keeps the
    # escaping ' in the text: dropped as from the CSV, or every round adds one.
    return unescape_formula(text) if text[:1] == "'" else text


def escape_formula(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with ``'`` (plain numbers pass).

    Text that already starts with ``'`` and a formula character gets one more ``'``, so that
    :func:`unescape_formula` gives back exactly the value that was written.
    """
    if not isinstance(value, str) or value[:1] not in _RISKY_FIRST:
        return value  # most cells: no formula character, nor a quote before one
    if (value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value)) or (
        _ESCAPED_FORMULA.match(value)
    ):
        return "'" + value
    return value


def unescape_formula(text: str) -> str:
    """Undo :func:`escape_formula` on a cell read from a CSV file: drop one leading ``'``
    before ``= + - @``, tab or carriage return (``'=Bert`` -> ``=Bert``); other text is kept."""
    if _ESCAPED_FORMULA.match(text):
        return text[1:]
    return text


def escape_column(column: pd.Series) -> pd.Series:
    """``column.map(escape_formula)``; a text column (:class:`pandas.StringDtype`) passes only
    its cells that start with a risky character, and is returned itself when none does."""
    if not isinstance(column.dtype, pd.StringDtype):
        cells = column.to_numpy()
        if column.dtype == object and _plain_text(cells) and not _any_risky(cells):
            return column  # text and gaps only, none risky: map would give the same cells
        return column.map(escape_formula)
    if _RISKY_FIRST.isdisjoint(column.str[:1].unique().tolist()):
        return column  # most columns: no cell starts with a formula character or a quote
    values = column.tolist()
    # what escape_formula tests first, inline
    risky = [i for i, v in enumerate(values) if isinstance(v, str) and v[:1] in _RISKY_FIRST]
    if len(risky) > _MANY_RISKY:  # e.g. a column of +31 numbers: leave out the plain numbers
        plain = column.str.fullmatch(_ASCII_NUMBER).tolist()
        risky = [i for i in risky if plain[i] is not True]
    if not risky:
        return column
    for i in risky:
        values[i] = escape_formula(values[i])
    return pd.Series(
        pd.array(values, dtype=column.dtype), index=column.index, name=column.name, copy=False
    )


def unescape_column(column: pd.Series) -> pd.Series:
    """Undo :func:`escape_column` on a column read from a CSV file: ``unescape_formula`` on
    its text cells. A text column (:class:`pandas.StringDtype`) passes only its cells that
    start with ``'``, and is returned itself when none does."""
    if not isinstance(column.dtype, pd.StringDtype):
        return column.map(
            lambda value: unescape_formula(value) if isinstance(value, str) else value
        )
    quoted = column.str.startswith("'").to_numpy(dtype=bool, na_value=False)
    if not quoted.any():
        return column  # most columns: no cell starts with a quote
    values = column.to_numpy(dtype=object).copy()
    values[quoted] = [unescape_formula(value) for value in values[quoted]]
    return pd.Series(
        pd.array(values, dtype=column.dtype), index=column.index, name=column.name, copy=False
    )


def write_csv(frame: pd.DataFrame, path: Path, *, private: bool) -> None:
    """Write ``frame`` as UTF-8 CSV (with BOM, so Excel shows accents) with formulas escaped,
    in the cells and in the header.

    ``private`` files hold personal data and are created readable by their owner only.
    """
    safe = frame.copy(deep=False)  # copy-on-write: replaced columns never reach ``frame``
    for position, (_, column) in enumerate(frame.items()):
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            escaped = escape_column(column)
            if escaped is not column:
                safe.isetitem(position, escaped.array)
    safe.columns = pd.Index([escape_formula(column) for column in safe.columns])
    # Python's CSV writer quotes a cell with "\n" but not one with a lone "\r" (before 3.13),
    # which every reader takes for a line end: a file with such a cell quotes every cell.
    quoting: Literal[0, 1] = csv.QUOTE_ALL if _has_carriage_return(safe) else csv.QUOTE_MINIMAL
    with replacing(path, private=private) as temporary:  # whole or not at all; links replaced
        safe.to_csv(temporary, index=False, encoding="utf-8-sig", quoting=quoting)


def _has_carriage_return(frame: pd.DataFrame) -> bool:
    """Whether a header or a text cell of ``frame`` holds a ``\r``."""
    if any(isinstance(name, str) and "\r" in name for name in frame.columns):
        return True
    return any(
        _column_has_carriage_return(column)
        for _, column in frame.items()
        if column.dtype == object or pd.api.types.is_string_dtype(column)
    )


def _column_has_carriage_return(column: pd.Series) -> bool:
    """Whether a text cell of ``column`` holds a ``\r``; an object column of text and gaps
    only is searched in plain Python (pandas' string methods cost more on small tables)."""
    if column.dtype == object:
        values = column.to_numpy()
        if _plain_text(values):
            return any("\r" in value for value in values if isinstance(value, str))
    elif isinstance(column.dtype, pd.StringDtype):
        return bool(column.str.contains("\r", regex=False).any())
    return bool(column.astype(str).str.contains("\r", regex=False).any())


def _plain_text(values: Iterable[object]) -> bool:
    """Whether every value is text or missing (``None``, NaN): no numbers, no other objects."""
    return all(
        isinstance(value, str) or value is None or (isinstance(value, float) and math.isnan(value))
        for value in values
    )


def _any_risky(values: Iterable[object]) -> bool:
    """Whether a text value starts with a character :func:`escape_formula` looks at."""
    return any(isinstance(value, str) and value[:1] in _RISKY_FIRST for value in values)
