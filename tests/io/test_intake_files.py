"""Reading applicants files as planners have them: CSV dialects, encodings, XLSX, bad files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from geo.errors import InputFileError
from geo.intake import read_applicants
from tests.conftest import write_text

TODAY = date(2026, 11, 24)
ROWS = [
    ["Naam", "Adres", "Postcode", "Woonplaats", "Leeftijd", "Telefoon", "Beheerder"],
    ["Jürgen Müller", "Kerkstraat 12a", "6166AB", "Geleen", "52", "0612345678", "ja"],
    ["Élise Dupré", "Kerkstraat 12-2", "6166 AB", "Geleen", "17", "0687654321", ""],
]


def as_csv(rows: list[list[str]], delimiter: str) -> str:
    return "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [
        (",", "utf-8"),
        (";", "utf-8"),
        (";", "utf-8-sig"),
        (";", "cp1252"),
        ("\t", "utf-8"),
        (",", "cp1252"),
    ],
)
def test_csv_dialects_and_encodings(tmp_path: Path, delimiter: str, encoding: str) -> None:
    path = write_text(tmp_path / "aanmeldingen.csv", as_csv(ROWS, delimiter), encoding)
    result = read_applicants(path, today=TODAY)
    assert result.accepted["naam"].to_list() == ["Jürgen Müller"]
    assert result.rejects["naam"].to_list() == ["Élise Dupré"]
    assert result.accepted.loc[0, "postcode"] == "6166 AB"


def test_quoted_cells_with_delimiters_and_newlines(tmp_path: Path) -> None:
    text = 'Naam;Adres;Woonplaats;Leeftijd;Telefoon\n"Fictief; Fenna";"Kerkstraat 1";Geleen;30;0612345678\n'
    result = read_applicants(write_text(tmp_path / "a.csv", text), today=TODAY)
    assert result.accepted.loc[0, "naam"] == "Fictief; Fenna"


def test_xlsx_with_numbers_and_dates_as_excel_stores_them(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "Naam",
            "Straat",
            "Huisnummer",
            "Huisletter",
            "Postcode",
            "Plaats",
            "Geboortedatum",
            "Mobiel",
            "Beheerder",
        ]
    )
    sheet.append(
        [
            "Fenna Fictief",
            "Kerkstraat",
            12,
            "a",
            "6166AB",
            "Geleen",
            datetime(1980, 3, 12),
            612345678,
            True,
        ]
    )
    sheet.append(
        [
            "Gijs Gefingeerd",
            "Markt",
            3.0,
            None,
            "6161 GE",
            "Geleen",
            datetime(2015, 1, 1),
            687654321,
            None,
        ]
    )
    path = tmp_path / "aanmeldingen.xlsx"
    workbook.save(path)
    result = read_applicants(path, today=TODAY)
    row = result.accepted.iloc[0]
    assert (row["huisnummer"], row["huisletter"], row["telefoon"], bool(row["beheerder"])) == (
        12,
        "A",
        "+31612345678",
        True,
    )
    assert "minimaal 18" in result.rejects.loc[0, "reason"]
    assert result.rows_in == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leeg.csv", b"", "leeg"),
        ("spaties.csv", b"  \n \n", "leeg"),
        ("kop.csv", b"Naam;Adres;Telefoon\n", "geen aanmeldingen"),
        ("geennaam.csv", b"Adres;Telefoon\nKerkstraat 1;0612345678\n", "naam"),
        ("oud.xls", b"\xd0\xcf\x11\xe0 old excel", ".xls"),
        ("kapot.xlsx", b"PK\x03\x04 not really a zip", "Excel"),
        ("binair.csv", b"\x00\x01\x02\x03" * 50, "binaire inhoud"),
    ],
)
def test_bad_files_give_one_clear_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message) as error:
        read_applicants(path, today=TODAY)
    assert "\n" not in str(error.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="niet gevonden"):
        read_applicants(tmp_path / "bestaat-niet.csv")
    with pytest.raises(InputFileError, match="map"):
        read_applicants(tmp_path)
