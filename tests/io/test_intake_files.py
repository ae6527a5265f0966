"""Reading applicants files as planners have them: CSV dialects, encodings, XLSX, bad files."""

from __future__ import annotations

import csv
import re
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from geo.errors import InputFileError
from geo.intake import read_applicants
from geo.tables import read_rows, write_csv
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


def test_a_csv_of_ours_saved_as_a_workbook_loses_its_escaping_quote(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(["Naam", "Adres", "Woonplaats", "Leeftijd", "Telefoon"])
    workbook.active.append(["'+Min Plus", "Kerkstraat 1", "Geleen", "30", "0612345678"])
    workbook.active.append(["'t Hoen Fictief", "Kerkstraat 3", "Geleen", "31", "0612345679"])
    workbook.save(tmp_path / "terug.xlsx")
    result = read_applicants(tmp_path / "terug.xlsx", today=TODAY)
    assert list(result.accepted["naam"]) == ["+Min Plus", "'t Hoen Fictief"]


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
        ("kapot.xlsx", b"PK\x03\x04 not really a zip", "beschadigd"),
        ("leeg-archief.xlsx", b"PK\x05\x06" + bytes(18), "sla het opnieuw op"),
        ("geheim.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "wachtwoord"),
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
    assert "zip" not in str(error.value).lower(), "no reason in English"


def test_a_workbook_saved_only_half_says_so_in_dutch(tmp_path: Path) -> None:
    """Read-only openpyxl opens a workbook whose sheet was cut short and fails on its rows."""
    book = Workbook()
    book.active.append(["Naam", "Adres", "Woonplaats", "Leeftijd", "Telefoon"])
    for n in range(50):
        book.active.append([f"Lid {n}", f"Kerkstraat {n + 1}", "Geleen", 40, f"06{20000000 + n}"])
    whole = tmp_path / "heel.xlsx"
    book.save(whole)
    cut = tmp_path / "half.xlsx"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(cut, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            half = item.filename == "xl/worksheets/sheet1.xml"
            target.writestr(item, data[: len(data) // 2] if half else data)
    with pytest.raises(InputFileError, match="niet helemaal opgeslagen"):
        read_applicants(cut, today=TODAY)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="niet gevonden"):
        read_applicants(tmp_path / "bestaat-niet.csv")
    with pytest.raises(InputFileError, match="map"):
        read_applicants(tmp_path)


# --- issue 12, item 3: a stray quote never swallows rows ---------------------------------------------

PEOPLE_HEADER = "Naam;Adres;Postcode;Woonplaats;Leeftijd;Telefoon"


def people_lines(count: int) -> list[str]:
    """``count`` fictitious people, each on one line, each with a distinct valid mobile."""
    return [
        f"Deelnemer {n} Fictief;Kerkstraat {n};6166AB;Geleen;40;06{10_000_000 + n:08d}"
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize("column", [0, 1, 5])
def test_a_stray_quote_is_refused_with_its_line_number(tmp_path: Path, column: int) -> None:
    lines = people_lines(500)
    cells = lines[99].split(";")
    cells[column] = '"' + cells[column]
    lines[99] = ";".join(cells)  # file line 101
    path = write_text(tmp_path / "a.csv", "\n".join([PEOPLE_HEADER, *lines]) + "\n")
    with pytest.raises(InputFileError, match=r"regel 101\b.*aanhalingsteken") as error:
        read_applicants(path, today=TODAY)
    assert "\n" not in str(error.value)
    assert "zip" not in str(error.value).lower(), "no reason in English"


def test_a_stray_quote_closed_by_another_one_is_refused_too(tmp_path: Path) -> None:
    lines = people_lines(20)
    lines[4] = lines[4].replace("Deelnemer", '"Deelnemer')  # line 6
    lines[9] = lines[9].replace(";Kerkstraat", '";Kerkstraat')  # line 11 closes it
    path = write_text(tmp_path / "a.csv", "\n".join([PEOPLE_HEADER, *lines]) + "\n")
    with pytest.raises(InputFileError, match=r"regel 6\b.*regel 11\b"):
        read_applicants(path, today=TODAY)


def test_a_quoted_cell_on_two_lines_is_still_one_cell(tmp_path: Path) -> None:
    lines = people_lines(3)
    lines[1] = (
        '"Deelnemer 2\nFictief";"Kerkstraat 2\n6166 AB Geleen, NL";6166AB;Geleen;40;0610000002'
    )
    path = write_text(tmp_path / "a.csv", "\n".join([PEOPLE_HEADER, *lines]) + "\n")
    result = read_applicants(path, today=TODAY)
    assert result.rows_in == 3
    assert result.accepted.loc[1, "naam"] == "Deelnemer 2 Fictief"


def test_our_own_csv_with_line_breaks_in_cells_is_read_back(tmp_path: Path) -> None:
    # What write_csv writes (rejects.csv keeps a mail's message and an address as typed): a
    # quoted cell over several lines, whose lines have commas, is one cell, not merged rows.
    message = "Hallo,\nIk doe mee: Kerkstraat 3, 6166 AB, Geleen, 41 jaar.\r\nGroet, Fenna"
    frame = pd.DataFrame(
        {
            "Naam": ["Fenna\nFictief", "Bert Fictief", "Carla Fictief"],
            "Adres": [
                "Kerkstraat 3, bus 2,\n6166 AB",
                "Kerkstraat 4",
                "Kerkstraat 5\r6166 AB Geleen",
            ],
            "Woonplaats": ["Geleen"] * 3,
            "Leeftijd": ["41", "17", "60"],
            "Telefoon": ["0610000001", "0610000002", "0610000003"],
            "Bericht": [message, "", ""],
        }
    )
    path = tmp_path / "aanmeldingen.csv"
    write_csv(frame, path, private=False)
    assert read_rows(path) == [list(frame.columns), *frame.to_numpy().tolist()]
    result = read_applicants(path, today=TODAY)
    assert result.rows_in == 3
    assert result.accepted["naam"].to_list() == ["Fenna Fictief", "Carla Fictief"]
    assert result.accepted["huisnummer"].to_list() == [3, 5]
    assert result.rejects["row"].to_list() == [3]  # 17 years old, not a lost line


def test_a_quoted_cell_whose_lines_are_rows_is_still_refused(tmp_path: Path) -> None:
    # Valid CSV, but the quote merges lines 3 to 5, each a row of the file: a stray quote.
    lines = people_lines(6)
    lines[1] = '"' + lines[1]
    lines[3] = lines[3].replace(";6166AB", '";6166AB')
    path = write_text(tmp_path / "a.csv", "\n".join([PEOPLE_HEADER, *lines]) + "\n")
    with pytest.raises(InputFileError, match=r"regel 3\b.*regel 5\b"):
        read_applicants(path, today=TODAY)


def _one_comma_a_line(text: str) -> bool:
    """At most one comma on each line of ``text``. Left out too: the reader strips a cell
    before it drops the escaping quote, so ``'\r`` would read as ``'`` and `` '=`` as ``=``."""
    lines = re.split(r"\r\n|\r|\n", text)
    quote_after_space = text.lstrip()[:1] == "'" != text[:1]
    return (
        all(line.count(",") <= 1 for line in lines)
        and text.lstrip("'")[:1] != "\r"
        and not quote_after_space
    )


_CELL_TEXT = st.text(alphabet=st.sampled_from(list("ab ,\n\r\"'=+-1@")), max_size=14).filter(
    _one_comma_a_line
)


@settings(max_examples=150, deadline=None)
@given(
    width=st.integers(4, 8),
    cells=st.lists(st.lists(_CELL_TEXT, min_size=8, max_size=8), min_size=1, max_size=6),
)
def test_write_csv_cells_come_back_as_written(width: int, cells: list[list[str]]) -> None:
    # Line breaks, quotes and formula characters in any cell; at most one comma on a line of
    # a cell, so that no cell's lines can be rows of the file (which is read as a stray quote).
    frame = pd.DataFrame(
        [row[:width] for row in cells], columns=[f"kolom {i}" for i in range(width)]
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.csv"
        write_csv(frame, path, private=False)
        rows = read_rows(path)
    assert rows[1:] == [[cell.strip() for cell in row[:width]] for row in cells]


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(2, 40),
    strays=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 5)), min_size=1, max_size=3),
)
def test_rows_in_match_the_lines_or_the_file_is_refused(
    count: int, strays: list[tuple[int, int]]
) -> None:
    lines = people_lines(count)
    for line, column in strays:
        cells = lines[line % count].split(";")
        cells[column] = '"' + cells[column]
        lines[line % count] = ";".join(cells)
    with tempfile.TemporaryDirectory() as folder:
        path = write_text(Path(folder) / "a.csv", "\n".join([PEOPLE_HEADER, *lines]) + "\n")
        try:
            result = read_applicants(path, today=TODAY)
        except InputFileError as error:
            assert re.search(r"regel \d+", str(error))
            return
    assert result.rows_in == count


# --- issue 12, item 13: formula escaping belongs to the CSV file, not to the data ---------------------


def test_write_csv_escapes_headers_and_reading_it_back_gives_the_values(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"=HYPERLINK(\"x\")": ["=Bert", "'=al ontsnapt", "+31612345678", "-5", "@SUM(A1)"],
         "naam": ["Fenna", "'gewoon", "-Gijs", "'", "\tTab"]}
    )  # fmt: skip
    path = tmp_path / "rejects.csv"
    write_csv(frame, path, private=True)
    raw = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert raw[0][0] == '\'=HYPERLINK("x")'
    assert [row[0] for row in raw[1:]] == ["'=Bert", "''=al ontsnapt", "+31612345678", "-5",
                                           "'@SUM(A1)"]  # fmt: skip
    rows = read_rows(path)
    assert rows[0] == list(frame.columns)
    assert [row[0] for row in rows[1:]] == frame.iloc[:, 0].to_list()
    assert [row[1] for row in rows[1:]] == ["Fenna", "'gewoon", "-Gijs", "'", "\tTab"]


# No ";" in the cells: a file whose cells are mostly semicolons is ambiguous about its delimiter
# (this test is about the escape, not about guessing the delimiter).
plain_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cf", "Cc", "Zl", "Zp"), blacklist_characters=";"),
    max_size=15,
)
text_cells = st.one_of(
    plain_text,
    st.tuples(st.sampled_from(["=", "+", "-", "@", "'", "'=", "''+", "-1"]), plain_text).map(
        "".join
    ),
)


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(st.tuples(text_cells, text_cells), min_size=1, max_size=5), head=text_cells)
def test_csv_round_trip_never_stores_an_escape(cells: list[tuple[str, str]], head: str) -> None:
    cells = [(a.strip(), b.strip()) for a, b in cells]
    head = head.strip() or "kop"
    frame = pd.DataFrame(cells, columns=[head, f"{head} 2"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        write_csv(frame, path, private=False)
        rows = read_rows(path)
    assert rows[0] == [head, f"{head} 2"]
    assert [tuple(row) for row in rows[1:]] == cells or all(a == b == "" for a, b in cells)


def test_an_escaped_csv_read_as_applicants_stores_no_apostrophe(tmp_path: Path) -> None:
    text = "Naam;Adres;Woonplaats;Leeftijd;Telefoon\n'=Bert Fictief;Kerkstraat 1;Geleen;30;0612345678\n"
    result = read_applicants(write_text(tmp_path / "a.csv", text), today=TODAY)
    assert result.accepted.loc[0, "naam"] == "=Bert Fictief"


# --- issue 12, item 17: encodings, workbooks --------------------------------------------------------


def test_mixed_utf8_and_cp1252_lines_are_decoded_line_by_line(tmp_path: Path) -> None:
    data = (
        b"Naam;Adres;Woonplaats;Leeftijd;Telefoon\n"
        + "Jürgen Müller;Kerkstraat 1;Geleen;30;0612345678\n".encode()
        + "Élise Dupré;Kerkstraat 2;Geleen;30;0687654321\n".encode("cp1252")
    )
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    result = read_applicants(path, today=TODAY)
    assert result.accepted["naam"].to_list() == ["Jürgen Müller", "Élise Dupré"]
    assert any("regel 3" in note and "Windows-1252" in note for note in result.notes)


def test_excel_unicode_text_utf16_with_tabs_is_read(tmp_path: Path) -> None:
    path = write_text(tmp_path / "aanmeldingen.txt", "\ufeff" + as_csv(ROWS, "\t"), "utf-16-le")
    result = read_applicants(path, today=TODAY)
    assert result.accepted["naam"].to_list() == ["Jürgen Müller"]
    assert result.rejects["naam"].to_list() == ["Élise Dupré"]


def test_ods_gives_a_clear_dutch_error(tmp_path: Path) -> None:
    path = tmp_path / "aanmeldingen.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    renamed = path.rename(tmp_path / "aanmeldingen.xlsx")  # the content decides, not the name
    for candidate in (path.with_suffix(".ods"), renamed):
        if candidate != renamed:
            candidate.write_bytes(renamed.read_bytes())
        with pytest.raises(InputFileError, match=r"OpenDocument.*\.xlsx of CSV"):
            read_applicants(candidate, today=TODAY)


def workbook_with(
    tmp_path: Path, sheets: Sequence[tuple[str, str, Sequence[Sequence[object]]]]
) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, state, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(row)
    if all(state != "visible" for _, state, _ in sheets):
        workbook.create_sheet("leeg")
    path = tmp_path / "aanmeldingen.xlsx"
    workbook.save(path)
    return path


def test_data_on_the_second_sheet_is_found_and_named(tmp_path: Path) -> None:
    path = workbook_with(
        tmp_path,
        [("Uitleg", "visible", [["Vul het tweede tabblad in"]]), ("Aanmeldingen", "visible", ROWS)],
    )
    result = read_applicants(path, today=TODAY)
    assert result.rows_in == 2
    assert any("'Aanmeldingen'" in note and "'Uitleg'" in note for note in result.notes)


def test_data_on_a_hidden_sheet_only_is_read_and_said(tmp_path: Path) -> None:
    path = workbook_with(
        tmp_path,
        [("Blad1", "visible", [["Naam", "Adres", "Telefoon"]]), ("Data", "hidden", ROWS)],
    )
    result = read_applicants(path, today=TODAY)
    assert result.rows_in == 2
    assert any("'Data' (verborgen) gelezen" in note for note in result.notes)


def test_no_sheet_with_a_header_lists_the_sheets(tmp_path: Path) -> None:
    path = workbook_with(
        tmp_path, [("Blad1", "visible", [["a", "b"]]), ("Blad2", "hidden", [["c"]])]
    )
    with pytest.raises(InputFileError, match=r"tabblad 'Blad1'.*'Blad1', 'Blad2' \(verborgen\)"):
        read_applicants(path, today=TODAY)
