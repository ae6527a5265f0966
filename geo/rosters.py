"""Rosters and the beheerders' overview of the groups, as a planner hands them on.

Pure: frames of members and areas in, Dutch tables and file contents (bytes) out; nothing here
touches the disk or the network.

A roster is one row per member with Dutch column names, the member's role in the group
(hoofdbeheerder, co-beheerder or lid), ``ja``/``nee`` for yes/no and the remarks to check
(``opmerking``, e.g. "vast nummer: controleer of dit nummer WhatsApp heeft"). It is written as a
Dutch Excel CSV (``;``, UTF-8 with BOM, formulas escaped in the file only, never in the table)
or as an XLSX workbook (every text cell stored as text, so nothing is ever run as a formula).

Phone numbers are written the way they are dialled from the Netherlands (``06 12345678``,
``00 32 470 12 34 56``): Excel reads ``+31612345678`` as the number 31612345678 and
``+31 6 …`` as a formula; these forms stay text and WhatsApp understands them.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Collection, Hashable, Iterable, Mapping
from typing import Any

import pandas as pd
import phonenumbers
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from geo.tables import escape_formula

HOOFDBEHEERDER = "hoofdbeheerder"
CO_BEHEERDER = "co-beheerder"
MEMBER = "lid"
ROLES = (HOOFDBEHEERDER, CO_BEHEERDER, MEMBER)
ADMINS_WANTED = 2  # a WhatsApp group usually has 2-3 admins: one hoofdbeheerder and co-beheerders
YES, NO = "ja", "nee"
NO_BEHEERDER = "hoofdbeheerder gezocht"
CO_WANTED = "co-beheerder gewenst"

ROSTER_COLUMNS = (
    "gebied", "gebiedsnaam", "rol", "naam", "telefoon", "e-mail", "straat", "huisnummer",
    "huisletter", "toevoeging", "postcode", "woonplaats", "wil beheerder worden", "opmerking",
)  # fmt: skip
OVERVIEW_COLUMNS = (
    "gebied", "naam", "leden", "plaatsen over", "vacature", "hoofdbeheerder", "telefoon",
    "co-beheerders", "vrijwilligers", "buurgebieden",
)  # fmt: skip
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


def yes_no(value: object) -> str:
    """``ja`` or ``nee`` for a flag (1/0, True/False; missing is ``nee``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO
    return YES if bool(value) else NO


def phone_text(phone: object) -> str:
    """A phone number as dialled from the Netherlands (``06 12345678``); unreadable ones as is."""
    text = _text(phone)
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_possible_number(number):
        return text
    return str(phonenumbers.format_out_of_country_calling_number(number, "NL"))


def roles(members: pd.DataFrame, co_beheerders: Mapping[int, Collection[int]]) -> pd.Series:
    """Each member's role in its group (indexed like ``members``; ``id`` is the applicant id)."""
    co = {int(i) for ids in co_beheerders.values() for i in ids}
    main = members["is_beheerder"].fillna(0).astype(bool).to_numpy()
    ids = members["id"].astype(int).to_numpy()
    return pd.Series(
        [
            HOOFDBEHEERDER if is_main else CO_BEHEERDER if int(i) in co else MEMBER
            for i, is_main in zip(ids, main, strict=True)
        ],
        index=members.index,
        dtype=object,
    )


def roster_table(
    members: pd.DataFrame,
    *,
    area_names: Mapping[int, str],
    co_beheerders: Mapping[int, Collection[int]],
    area_id: int | None = None,
) -> pd.DataFrame:
    """The roster of one area (``area_id``) or of all areas, as the files show it.

    ``members``: accepted applicants as :meth:`geo.store.Store.applicants` gives them (``id``,
    ``area_id``, ``is_beheerder``, ``beheerder``, the contact and address fields, ``opmerking``);
    members without an area are left out. Sorted by area, role (hoofdbeheerder first), street
    and house number.
    """
    placed = members.loc[members["area_id"].notna()].copy()
    placed["area_id"] = placed["area_id"].astype(int)
    if area_id is not None:
        placed = placed.loc[placed["area_id"] == int(area_id)]
    role = roles(placed, co_beheerders)
    numbers = pd.to_numeric(_column(placed, "huisnummer"), errors="coerce").astype("Int64")
    table = pd.DataFrame(
        {
            "gebied": placed["area_id"].astype(int).to_numpy(),
            "gebiedsnaam": _strings(area_names.get(int(a), "") for a in placed["area_id"]),
            "rol": _strings(role),
            "naam": _strings(_texts(placed, "naam")),
            "telefoon": _strings(phone_text(p) for p in _column(placed, "telefoon")),
            "e-mail": _strings(_texts(placed, "email")),
            "straat": _strings(_texts(placed, "straat")),
            "huisnummer": numbers.to_numpy(),
            "huisletter": _strings(_texts(placed, "huisletter")),
            "toevoeging": _strings(_texts(placed, "toevoeging")),
            "postcode": _strings(_texts(placed, "postcode")),
            "woonplaats": _strings(_texts(placed, "woonplaats")),
            "wil beheerder worden": _strings(yes_no(v) for v in _column(placed, "beheerder")),
            "opmerking": _strings(_texts(placed, "opmerking")),
        },
        columns=list(ROSTER_COLUMNS),
    )
    table["huisnummer"] = table["huisnummer"].astype("Int64")
    order = pd.DataFrame(
        {
            "gebied": table["gebied"],
            "rol": table["rol"].map(ROLES.index),
            "straat": table["straat"].str.casefold(),
            "huisnummer": table["huisnummer"].fillna(-1),
            "rest": (table["huisletter"] + table["toevoeging"]).str.casefold(),
            "naam": table["naam"].str.casefold(),
        }
    ).sort_values(["gebied", "rol", "straat", "huisnummer", "rest", "naam"], kind="stable")
    return table.loc[order.index].reset_index(drop=True)


def area_overview(
    areas: pd.DataFrame,
    members: pd.DataFrame,
    *,
    co_beheerders: Mapping[int, Collection[int]],
    max_members: int,
) -> pd.DataFrame:
    """Per area: members and room left under ``max_members``, the hoofdbeheerder with phone,
    co-beheerders, volunteers (people who would be beheerder and have no role yet), the
    vacancy (``hoofdbeheerder gezocht``; ``co-beheerder gewenst`` below two admins) and the
    neighbouring areas with their hoofdbeheerders."""
    placed = members.loc[members["area_id"].notna()].copy()
    placed["area_id"] = placed["area_id"].astype(int)
    placed["rol"] = roles(placed, co_beheerders)
    names = {int(a): _text(n) for a, n in zip(areas["area_id"], areas["name"], strict=True)}
    main: dict[int, Mapping[Hashable, Any]] = {
        int(r["area_id"]): r for r in placed.loc[placed["rol"] == HOOFDBEHEERDER].to_dict("records")
    }
    rows = []
    for area in areas.to_dict("records"):
        area_id = int(area["area_id"])
        mine = placed.loc[placed["area_id"] == area_id]
        co = mine.loc[mine["rol"] == CO_BEHEERDER]
        volunteers = mine.loc[(mine["rol"] == MEMBER) & mine["beheerder"].fillna(0).astype(bool)]
        boss = main.get(area_id)
        admins = (boss is not None) + len(co)
        vacancy = NO_BEHEERDER if boss is None else CO_WANTED if admins < ADMINS_WANTED else ""
        around = [
            f"{n} {names.get(n, '')} ({_text(main[n]['naam']) if n in main else 'geen beheerder'})"
            for n in neighbour_ids(area.get("neighbours"))
        ]
        rows.append(
            {
                "gebied": area_id,
                "naam": names[area_id],
                "leden": len(mine),
                "plaatsen over": max_members - len(mine),
                "hoofdbeheerder": _text(boss["naam"]) if boss is not None else "",
                "telefoon": phone_text(boss["telefoon"]) if boss is not None else "",
                "co-beheerders": ", ".join(_texts(co, "naam")),
                "vrijwilligers": ", ".join(_texts(volunteers, "naam")),
                "vacature": vacancy,
                "buurgebieden": "; ".join(around),
            }
        )
    return pd.DataFrame(rows, columns=list(OVERVIEW_COLUMNS))


def neighbour_ids(cell: object) -> list[int]:
    """The area ids in a ``neighbours`` cell (``"2,5"``); none when empty or missing."""
    text = _text(cell)
    return [int(float(n)) for n in text.replace(";", ",").split(",") if n.strip()]


def roster_csv(table: pd.DataFrame) -> bytes:
    """``table`` as Dutch Excel reads it: ``;``-separated, UTF-8 with BOM, CRLF line ends.

    Cells and headers a spreadsheet would run as a formula get a leading ``'`` in the file
    (:func:`geo.tables.escape_formula`); ``geo.tables`` reads them back as they were.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([escape_formula(str(c)) for c in table.columns])
    for row in table.itertuples(index=False):
        writer.writerow([escape_formula(_cell_text(v)) for v in row])
    return out.getvalue().encode("utf-8-sig")


def roster_xlsx(table: pd.DataFrame, *, sheet: str = "Ledenlijst") -> bytes:
    """``table`` as an XLSX workbook: a bold, frozen header with a filter; text stays text
    (a name starting with ``=`` is shown, never run), numbers stay numbers."""
    book = Workbook()
    page = book.active
    assert page is not None  # a new workbook has one sheet
    page.title = sheet_name(sheet)
    header = [str(c) for c in table.columns]
    for column, title in enumerate(header, start=1):
        _put(page.cell(row=1, column=column), title).font = Font(bold=True)
    for row_number, row in enumerate(table.itertuples(index=False), start=2):
        for column, value in enumerate(row, start=1):
            _put(page.cell(row=row_number, column=column), value)
    page.freeze_panes = "A2"
    if len(table.columns):
        page.auto_filter.ref = page.dimensions
    for column_cells in page.columns:
        width = max((len(str(c.value)) for c in column_cells if c.value is not None), default=8)
        page.column_dimensions[column_cells[0].column_letter].width = min(max(width, 8) + 2, 50)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_name(text: str) -> str:
    """A valid worksheet name: at most 31 characters, none of ``[]:*?/\\``."""
    return (text.translate(_SHEET_NAME_FORBIDDEN).strip("'") or "Ledenlijst")[:31]


def _put(cell: Any, value: object) -> Any:
    """Write ``value`` into an openpyxl cell; text is stored as text, never as a formula."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return cell
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, bool):
        value = yes_no(value)
    elif isinstance(value, int | float):
        cell.value = value
        return cell
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.data_type = "s"  # openpyxl would take "=..." for a formula
    return cell


def _cell_text(value: object) -> str:
    """A table cell as CSV text: empty for missing, ``ja``/``nee`` for flags."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, bool):
        return yes_no(value)
    return str(value)


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """``frame[name]``, or an empty column when a (newer) field is absent."""
    if name in frame:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _texts(frame: pd.DataFrame, name: str) -> list[str]:
    return [_text(v).strip() for v in _column(frame, name)]


def _strings(values: Iterable[str]) -> pd.Series:
    """A text column, text even when empty (an empty list would be a float column, which has
    no ``.str``: a roster of an area without members)."""
    return pd.Series(list(values), dtype=object)
