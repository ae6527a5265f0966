"""Read and write the spreadsheets planners really have: CSV in any Excel dialect, and XLSX.

Reading returns every cell as text, so nothing (leading zeros of phone numbers, postcodes)
is lost to type guessing. Writing escapes cells that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from geo.errors import InputFileError

_DELIMITERS = ",;\t"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d[\d.,]*$")


def read_rows(path: Path) -> list[list[str]]:
    """Read a CSV or XLSX file into rows of text cells (first sheet of a workbook)."""
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
    if suffix in {".xlsx", ".xlsm"} or data[:2] == b"PK":
        return _read_xlsx(data, name=path.name)
    return _read_csv(data, name=path.name)


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), falling back to Windows-1252 as Dutch Excel writes."""
    if b"\x00" in data[:4096]:
        msg = "dit is geen tekstbestand (binaire inhoud)"
        raise InputFileError(msg)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _read_csv(data: bytes, *, name: str) -> list[list[str]]:
    try:
        text = decode_text(data)
    except InputFileError as error:
        msg = f"{name}: {error}"
        raise InputFileError(msg) from None
    sample = "\n".join(text.splitlines()[:20])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        delimiter = max(_DELIMITERS, key=first.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        msg = f"{name} is geen leesbaar CSV-bestand: {error}"
        raise InputFileError(msg) from None
    return [[cell.strip() for cell in row] for row in rows]


def _read_xlsx(data: bytes, *, name: str) -> list[list[str]]:
    from openpyxl import load_workbook  # noqa: PLC0415 - only needed for workbooks

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        msg = f"{name} is geen leesbaar Excel-bestand (.xlsx): {error}"
        raise InputFileError(msg) from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


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
    return str(value).strip()


def escape_formula(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with ``'`` (plain numbers pass)."""
    if (
        isinstance(value, str)
        and value.startswith(_FORMULA_START)
        and not _PLAIN_NUMBER.match(value)
    ):
        return "'" + value
    return value


def write_csv(frame: pd.DataFrame, path: Path, *, private: bool) -> None:
    """Write ``frame`` as UTF-8 CSV (with BOM, so Excel shows accents) with formulas escaped.

    ``private`` files hold personal data and are created readable by their owner only.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(escape_formula)
    if private:
        _create_owner_only(path)
    safe.to_csv(path, index=False, encoding="utf-8-sig")
    if private:
        path.chmod(0o600)


def _create_owner_only(path: Path) -> None:
    """Create (or truncate) ``path`` with mode 0600 before any data is written to it."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(descriptor)
    path.chmod(0o600)
