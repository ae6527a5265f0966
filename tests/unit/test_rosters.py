"""Rosters for beheerders: roles, ja/nee, Dutch Excel CSV and XLSX, the per-area overview."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from geo.rosters import (
    CO_WANTED,
    NO_BEHEERDER,
    OVERVIEW_COLUMNS,
    ROSTER_COLUMNS,
    area_overview,
    neighbour_ids,
    phone_text,
    roster_csv,
    roster_table,
    roster_xlsx,
    sheet_name,
)
from geo.tables import unescape_formula

NAMES = {1: "Laan e.o.", 2: "Dwarsstraat e.o.", 3: "Hofje e.o."}


def members() -> pd.DataFrame:
    """Five fictitious members in two areas, one not placed; as Store.applicants gives them."""
    return pd.DataFrame(
        {
            "id": [11, 12, 13, 14, 15, 16],
            "naam": ["Bert Bos", "=HYPERLINK(\"x\")", "Anna Akker", "Cor Claes", "Dirk Dam",
                     "Eva Elders"],
            "telefoon": ["+31612345678", "+31464000001", "+32470123456", "+31611111111",
                         "+31622222222", "+31633333333"],
            "email": ["bert@example.org", None, "", "cor@example.org", "", ""],
            "straat": ["Laan 1", "laan 1", "Dwarsstraat 2", "Laan 1", "Dwarsstraat 2", "Laan 1"],
            "huisnummer": [12, 3, 7, None, 1, 5],
            "huisletter": ["", "a", None, "", "", ""],
            "toevoeging": ["", "", "", "", "", ""],
            "postcode": ["6166 AB", "", "", "", "", ""],
            "woonplaats": ["Geleen"] * 6,
            "beheerder": [1, 1, 0, 1, 0, 0],
            "opmerking": ["", "vast nummer: controleer of dit nummer WhatsApp heeft", "", "", "",
                          ""],
            "area_id": [1.0, 1.0, 2.0, 1.0, 2.0, None],
            "is_beheerder": [0.0, 1.0, 0.0, 0.0, 0.0, None],
        }
    )  # fmt: skip


def test_a_roster_has_dutch_columns_roles_and_ja_nee() -> None:
    table = roster_table(members(), area_names=NAMES, co_beheerders={1: [11]})
    assert list(table.columns) == list(ROSTER_COLUMNS)
    assert len(table) == 5, "a member without an area is on no roster"
    assert list(table["naam"]) == [
        '=HYPERLINK("x")', "Bert Bos", "Cor Claes", "Dirk Dam", "Anna Akker",
    ], "by area, hoofdbeheerder first, then co-beheerders, then street and number"  # fmt: skip
    assert list(table["rol"]) == ["hoofdbeheerder", "co-beheerder", "lid", "lid", "lid"]
    assert list(table["wil beheerder worden"]) == ["ja", "ja", "ja", "nee", "nee"]
    assert list(table["gebiedsnaam"][:1]) == ["Laan e.o."]
    assert table.loc[0, "opmerking"].startswith("vast nummer"), "the remark to check is kept"
    assert table.loc[1, "telefoon"] == "06 12345678"
    assert table.loc[4, "telefoon"] == "00 32 470 12 34 56"
    assert table["e-mail"].tolist()[0] == "", "missing is empty, never 'None' or 'nan'"
    assert pd.isna(table.loc[2, "huisnummer"])
    only = roster_table(members(), area_names=NAMES, co_beheerders={}, area_id=2)
    assert set(only["gebied"]) == {2} and list(only["naam"]) == ["Dirk Dam", "Anna Akker"]


def test_an_area_without_members_has_an_empty_roster_and_files() -> None:
    """A wijk starts small: an area emptied by removals, or nobody placed at all."""
    empty = roster_table(members(), area_names=NAMES, co_beheerders={}, area_id=3)
    nobody = roster_table(members().iloc[:0], area_names=NAMES, co_beheerders={})
    for table in (empty, nobody):
        assert list(table.columns) == list(ROSTER_COLUMNS) and table.empty
        header = roster_csv(table).decode("utf-8-sig").splitlines()
        assert header == [";".join(ROSTER_COLUMNS)]
        assert openpyxl.load_workbook(io.BytesIO(roster_xlsx(table))).active.max_row == 1
    areas = pd.DataFrame({"area_id": [1], "name": [NAMES[1]], "neighbours": [""]})
    overview = area_overview(areas, members().iloc[:0], co_beheerders={}, max_members=40)
    assert overview.loc[0, ["leden", "plaatsen over", "vacature"]].tolist() == [0, 40, NO_BEHEERDER]


def test_a_co_beheerder_of_another_area_is_no_co_beheerder_here() -> None:
    # the store only lists co-beheerders still in their area; a stale id changes nothing
    table = roster_table(members(), area_names=NAMES, co_beheerders={2: [99]})
    assert "co-beheerder" not in set(table["rol"])


def test_the_csv_is_dutch_excel_with_formulas_escaped_in_the_file_only() -> None:
    table = roster_table(members(), area_names=NAMES, co_beheerders={1: [11]})
    data = roster_csv(table)
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM: Excel shows the accents"
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(ROSTER_COLUMNS)
    assert rows[1][3] == '\'=HYPERLINK("x")', "a formula is escaped in the file"
    assert unescape_formula(rows[1][3]) == '=HYPERLINK("x")'
    assert table.loc[0, "naam"] == '=HYPERLINK("x")', "the table itself is never escaped"
    flags = {row[12] for row in rows[1:]}
    assert flags == {"ja", "nee"}
    assert "True" not in data.decode("utf-8-sig") and "False" not in data.decode("utf-8-sig")
    assert rows[1][4] == "046 400 0001", "a phone stays text in Excel: no +, no formula"
    assert rows[3][7] == "", "an unknown house number is an empty cell"


def test_the_xlsx_keeps_text_as_text_and_numbers_as_numbers() -> None:
    table = roster_table(members(), area_names=NAMES, co_beheerders={1: [11]})
    data = roster_xlsx(table, sheet="Gebied 1: Laan/e.o.")
    book = openpyxl.load_workbook(io.BytesIO(data))
    page = book.active
    assert page.title == "Gebied 1- Laan-e.o."
    cells = list(page.iter_rows(values_only=True))
    assert list(cells[0]) == list(ROSTER_COLUMNS)
    assert cells[1][3] == '=HYPERLINK("x")', "shown exactly as typed"
    assert all(c.data_type != "f" for row in page.iter_rows() for c in row), "no formulas"
    assert cells[1][7] == 3 and cells[3][7] is None
    assert cells[1][12] == "ja" and cells[4][12] == "nee"
    assert page.freeze_panes == "A2"
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml


def test_an_xlsx_cell_with_a_control_character_is_written_without_it() -> None:
    table = pd.DataFrame({"naam": ["Bel\x07 Bert"], "huisnummer": [pd.NA]})
    page = openpyxl.load_workbook(io.BytesIO(roster_xlsx(table))).active
    assert page["A2"].value == "Bel Bert" and page["B2"].value is None


def test_the_overview_flags_vacancies_and_names_the_neighbours_beheerders() -> None:
    areas = pd.DataFrame(
        {"area_id": [1, 2, 3], "name": [NAMES[1], NAMES[2], NAMES[3]],
         "neighbours": ["2", "1,3", ""]}
    )  # fmt: skip
    overview = area_overview(areas, members(), co_beheerders={1: [11]}, max_members=40)
    assert list(overview.columns) == list(OVERVIEW_COLUMNS)
    first, second, third = overview.to_dict("records")
    assert (first["leden"], first["plaatsen over"]) == (3, 37)
    assert first["hoofdbeheerder"] == '=HYPERLINK("x")' and first["telefoon"] == "046 400 0001"
    assert first["co-beheerders"] == "Bert Bos"
    assert first["vrijwilligers"] == "Cor Claes", "volunteers without a role yet"
    assert first["vacature"] == "", "two admins: enough"
    assert first["buurgebieden"] == "2 Dwarsstraat e.o. (geen beheerder)"
    assert second["vacature"] == NO_BEHEERDER
    assert second["buurgebieden"].startswith('1 Laan e.o. (=HYPERLINK("x"))')
    assert (third["leden"], third["plaatsen over"], third["vacature"]) == (0, 40, NO_BEHEERDER)
    alone = area_overview(areas, members(), co_beheerders={}, max_members=40)
    assert alone.loc[0, "vacature"] == CO_WANTED, "one admin: a co-beheerder is wanted"


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("+31612345678", "06 12345678"),
        ("+4915112345678", "00 49 1511 2345678"),
        ("0612", "0612"),
        ("onbekend", "onbekend"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_phones_as_dialled_from_the_netherlands(phone: object, shown: str) -> None:
    assert phone_text(phone) == shown


def test_neighbours_and_sheet_names() -> None:
    assert neighbour_ids("2,5") == [2, 5]
    assert neighbour_ids("3.0; 4") == [3, 4]
    assert neighbour_ids(None) == [] and neighbour_ids("") == []
    assert sheet_name("x" * 40) == "x" * 31
    assert sheet_name("''") == "Ledenlijst"
