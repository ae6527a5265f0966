"""Applicant intake: recognise the columns, normalise every field and validate every row.

Each input row ends up either accepted (one row per person, normalised) or rejected with a
reason a planner understands; no row is lost. Rules, from the wijkplatform's letter:
participants are 18 or older, reachable on a valid phone number (NL, BE or DE by default),
with an address; one sign-up per person and one per phone number (a WhatsApp account).

How cells are read:

- every text cell loses its invisible Unicode format characters (zero-width, bidi overrides);
- age: ``44``, ``44 jaar``, ``18+``, ``18,5`` (a decimal is floored); a birth date
  ``dd-mm-jjjj`` (two-digit years are never in the future: ``01-01-60`` is 1960). When both
  are given they must agree within a year, and the birth date decides;
- phone: a number without ``+``/``00`` is read in the *first* region only (NL by default);
  a number valid only in another region needs its country code, and the reason says so.
  Digits only without a leading zero are what Excel leaves of ``0612345678`` or
  ``+31612345678``. Words around the number (``0612345678 (werk)``) become a remark, never
  digits; two numbers in one cell, service numbers (0800, 0900, 088) and numbers Excel turned
  into ``3,16E+10`` are refused;
- e-mail: kept as given (an address that is not usable is no reason to refuse: messages then
  go by WhatsApp), but a cell with two addresses or a line break is refused, as a phone cell
  with two numbers is;
- beheerder: ja/nee, WAAR/ONWAAR, true/false, 1/0, x (see :func:`parse_bool`);
- a workbook is read from its first visible sheet with a header (hidden sheets last).

:func:`parse_bool` and :func:`phone_e164` are the same rules for other readers (a plan
folder's ``members.csv`` after a round trip through Excel).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import phonenumbers

from geo.address import (
    Address,
    HouseNumber,
    addition_reading,
    normalize_postcode,
    parse_address,
    parse_house_number,
    split_house_number,
)
from geo.errors import InputFileError
from geo.mail import SIGN_OFF_REMARK, is_mail_source, read_mail_rows
from geo.mail_extract import QUESTION_REMARK
from geo.tables import Sheet, read_sheets, strip_format_chars

MINIMUM_AGE = 18
MAXIMUM_AGE = 120
_HEADER_SEARCH_ROWS = 10

# Canonical field -> header aliases (compared after folding: lower case, letters and digits only).
ALIASES: Mapping[str, tuple[str, ...]] = {
    "naam": ("naam", "name", "volledigenaam", "fullname", "naamdeelnemer", "deelnemer"),
    "voornaam": ("voornaam", "firstname", "givenname"),
    "tussenvoegsel": ("tussenvoegsel", "tussenvoegsels", "infix"),
    "achternaam": ("achternaam", "lastname", "surname", "familienaam"),
    "adres": ("adres", "address", "straatenhuisnummer", "woonadres", "streetaddress"),
    "straat": ("straat", "straatnaam", "street", "streetname"),
    "huisnummer": ("huisnummer", "huisnr", "nr", "nummer", "housenumber", "number"),
    "huisletter": ("huisletter", "letter"),
    "toevoeging": ("toevoeging", "huisnummertoevoeging", "addition", "suffix"),
    "postcode": ("postcode", "zip", "zipcode", "postalcode", "postcod"),
    "woonplaats": ("woonplaats", "plaats", "city", "town", "place", "plaatsnaam"),
    "leeftijd": ("leeftijd", "age", "leeftijdjaren"),
    "geboortedatum": ("geboortedatum", "birthdate", "dateofbirth", "geboren", "dob"),
    "telefoon": (
        "telefoon",
        "telefoonnummer",
        "mobiel",
        "mobielnummer",
        "mobielenummer",
        "phone",
        "phonenumber",
        "mobile",
        "gsm",
        "tel",
        "telnr",
        "telnummer",
        "telefoonnr",
        "06nummer",
        "gsmnummer",
        "whatsapp",
        "whatsappnummer",
    ),
    "email": ("email", "emailadres", "mail", "emailaddress"),
    "beheerder": (
        "beheerder",
        "groepsbeheerder",
        "admin",
        "beheerderwhatsapp",
        "wilbeheerderworden",
        "wiljebeheerderworden",
        "wiltubeheerderworden",
        "beheerderworden",
        "groepsbeheerderworden",
    ),
    "lat": ("lat", "latitude", "breedtegraad", "y"),
    "lon": ("lon", "lng", "long", "longitude", "lengtegraad", "x"),
    # Rows read from e-mail (geo.mail): where they came from, and what to check.
    "bericht_id": ("berichtid", "messageid"),
    "bericht_datum": ("datumbericht", "berichtdatum"),
    "afzender": ("afzender", "sender"),
    "onderwerp": ("onderwerp", "subject"),
    "controleren": ("controleren",),
    "historie": ("historie",),
    "bericht": ("bericht",),  # the sender's own text (geo.mail's "Bericht" column)
}
# Kept on accepted rows when present: the message a row was read from.
SOURCE_FIELDS = ("bericht_id", "bericht_datum", "afzender", "onderwerp")
# The message text itself, kept on an accepted row only while it has a remark to check: the
# planner reads it beside the fields ("controleren"); it never goes into rosters or exports.
MESSAGE_FIELD = "bericht"
_PERSON_FIELDS = ("naam", "voornaam", "achternaam", "adres", "straat", "postcode", "telefoon",
                  "leeftijd", "geboortedatum")  # fmt: skip
_NAME_FIELDS = ("naam", "voornaam", "achternaam")
_YES = frozenset({"ja", "j", "yes", "y", "x", "1", "true", "waar", "wel"})
_NO = frozenset({"nee", "n", "no", "0", "false", "onwaar", "niet", "geen", "-"})
_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S")
_SHORT_DATE_FORMATS = ("%d-%m-%y", "%d/%m/%y", "%d.%m.%y")  # two-digit years
_AGE = re.compile(r"^(\d{1,3})(?:[.,]\d+)?(?:\s*jaar|\s*\+)?$", re.IGNORECASE)  # "18+", "18,5"
DEFAULT_REGIONS = ("NL", "BE", "DE")
# Country adjectives for the hint on a national number that is valid in another region only.
_COUNTRY_ADJECTIVES = {
    "NL": "Nederlands", "BE": "Belgisch", "DE": "Duits", "FR": "Frans", "LU": "Luxemburgs",
    "GB": "Brits", "PL": "Pools", "TR": "Turks", "MA": "Marokkaans", "ES": "Spaans",
}  # fmt: skip
_NOT_A_PERSON = {
    phonenumbers.PhoneNumberType.TOLL_FREE: "een gratis servicenummer (zoals 0800)",
    phonenumbers.PhoneNumberType.PREMIUM_RATE: "een betaald informatienummer (zoals 0900)",
    phonenumbers.PhoneNumberType.SHARED_COST: "een servicenummer met gedeelde kosten",
    phonenumbers.PhoneNumberType.UAN: "een bedrijfsnummer (zoals 088)",
    phonenumbers.PhoneNumberType.PAGER: "een semafoonnummer",
    phonenumbers.PhoneNumberType.VOICEMAIL: "een voicemailnummer",
}
# phonenumbers compiles its metadata's patterns on every use, through ``re``'s cache of 512:
# checking one number takes some twenty, so a file of numbers keeps compiling them again.
# Its own cache keeps each compiled once (a few hundred for the regions read here).
if hasattr(phonenumbers, "enable_pattern_cache"):  # phonenumbers 9.0.43 and later
    phonenumbers.enable_pattern_cache()
_EXCEL_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?\s*[eE]\s*\+?\s*\d+$")
# The number: starts at the first digit, "+" or "(", ends at the last digit before any word.
_PHONE_IN_TEXT = re.compile(
    r"^(?P<before>[^\d+(]*)(?P<number>[+(]?[\d\s()\-./]*\d\)?)(?P<after>.*)$"
)
_LETTER = re.compile(r"[^\W\d_]")
_NUMBER_CELL = re.compile(r"\d+\.0")  # a phone number Excel stored as a number: 612345678.0
_NUMBER_SEPARATORS = re.compile(r"[/,;&|]|\s+of\s+|\s+en\s+")  # between two numbers in a cell
# Between a number's digits; the hyphens and dashes Word and Outlook type too.
_PHONE_PUNCTUATION = re.compile(r"[\s()\-./\u2010-\u2015\u2212]")
_PHONE_DIGITS = re.compile(r"\+?\d+")
_NOT_FOLDED = re.compile(r"[^0-9a-z]")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^]]*\]")  # "Beheerder (ja/nee)": the words outside
# A bracket that only says how to fill the column in, not whose value it is ("(partner)").
_FORMAT_HINT = re.compile(
    r"(?i)(?:ja|j|yes|y)\s*/\s*(?:nee|n|no)|optioneel|verplicht|facultatief|"
    r"(?:dd|jjjj|yyyy)[-/.](?:mm)[-/.](?:jjjj|yyyy|dd)"
)
_ALIAS_RANK = {
    alias: (name, place) for name, aliases in ALIASES.items() for place, alias in enumerate(aliases)
}
# "Huisnummer + toevoeging", "huisnr. en toev.": one column with the number and its addition
# (folded, it would read as BAG's "huisnummertoevoeging", the addition alone).
_NUMBER_WITH_ADDITION = re.compile(r"huis\s*n(?:umme)?r\.?\s*(?:\+|&|/|en)\s*toev", re.IGNORECASE)

ACCEPTED_COLUMNS = (
    "row", "naam", "straat", "huisnummer", "huisletter", "toevoeging", "postcode", "woonplaats",
    "telefoon", "email", "beheerder", "lat", "lon", "opmerking",
)  # fmt: skip


@dataclass
class IntakeResult:
    """Outcome of reading an applicants file.

    ``accepted`` has :data:`ACCEPTED_COLUMNS`; ``rejects`` has ``row``, ``naam``, ``reason``
    and the original cells. ``rows_in`` counts non-empty data rows:
    ``len(accepted) + len(rejects) == rows_in`` always holds. ``notes`` are remarks about the
    file as a whole for the planner (which sheet was read, mixed encodings).
    """

    accepted: pd.DataFrame
    rejects: pd.DataFrame
    rows_in: int
    empty_rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def fold_name(text: str) -> str:
    """A person's name as names are compared (the same person): case and spacing do not count."""
    return " ".join(text.casefold().split())


def fold_header(text: str) -> str:
    """Fold a header for alias lookup: ``" E-mail adres "`` -> ``"emailadres"``."""
    return _NOT_FOLDED.sub("", text.casefold())


def map_columns(header: Sequence[str]) -> dict[str, int]:
    """Map canonical field names to column positions.

    A header that is an alias matches, the earlier in :data:`ALIASES` the better (a
    ``Huisnummer`` column wins over a serial ``Nr``; of equal ones the first column). Only for
    a field no header names so, a header whose words outside brackets are an alias
    (``Beheerder (ja/nee)``), when just one does: two such columns (``Telefoon (vast)``,
    ``Telefoon (mobiel)``) are too loose to choose from, and neither is read.
    """
    exact: dict[str, tuple[int, int]] = {}
    loose: dict[str, list[int]] = {}
    for position, cell in enumerate(header):
        if _NUMBER_WITH_ADDITION.search(cell):  # "Huisnummer + toevoeging": number and all
            name, place = "huisnummer", -1
        elif (found := _ALIAS_RANK.get(fold_header(cell))) is not None:
            name, place = found
        else:
            bare = _ALIAS_RANK.get(fold_header(_BRACKETS.sub(" ", cell)))
            if bare is not None:
                loose.setdefault(bare[0], []).append(position)
            continue
        if name not in exact or place < exact[name][0]:
            exact[name] = (place, position)
    found_columns = {name: position for name, (_, position) in exact.items()}
    for name, positions in loose.items():
        if name not in found_columns and len(positions) == 1:
            found_columns[name] = positions[0]
    return found_columns


def _spare_columns(header: Sequence[str], columns: Mapping[str, int]) -> dict[str, list[int]]:
    """Per field of ``columns`` the other columns with the same header (but for case and
    spacing), then the one other column that names the field outside brackets that only hint
    at the form (``(ja/nee)``; never ``Telefoon (noodgeval)``, ``Naam (partner)``), in order:
    read where the chosen column's cell is empty. A table sent back has both the cleaned
    ``naam`` and the typed ``Naam``, and rejects of two batches may bring ``Beheerder`` and
    ``Beheerder (ja/nee)``; a value filled in either counts."""
    folded = [fold_header(cell) for cell in header]
    loose: dict[str, list[int]] = {}
    for position, cell in enumerate(header):
        hints = _BRACKETS.findall(cell)  # only a hint of the form: "(ja/nee)", not "(partner)"
        if not hints or not all(_FORMAT_HINT.fullmatch(h.strip("()[] ")) for h in hints):
            continue
        bare = _ALIAS_RANK.get(fold_header(_BRACKETS.sub(" ", cell)))
        if bare is not None:
            loose.setdefault(bare[0], []).append(position)
    spares = {}
    for name, chosen in columns.items():
        same = [p for p, f in enumerate(folded) if f == folded[chosen] and p != chosen]
        other = [p for p in loose.get(name, []) if p != chosen]
        spare = same + (other if len(other) == 1 else [])
        if spare:
            spares[name] = spare
    return spares


def read_applicants(
    path: Path,
    *,
    regions: Sequence[str] = DEFAULT_REGIONS,
    default_place: str = "",
    today: date | None = None,
) -> IntakeResult:
    """Read, normalise and validate an applicants file (CSV or XLSX), or e-mail: an mbox, an
    ``.eml`` or a folder of them (recognised by content, read by :mod:`geo.mail`).

    Of a workbook, the first visible sheet with a header (and data) is read; the notes say
    which one when there are several.
    """
    if is_mail_source(path):
        rows, mail_notes = read_mail_rows(path, today=today)
        result = validate_rows(
            rows, regions=regions, default_place=default_place, today=today, name=path.name
        )
        result.notes = [*mail_notes, *result.notes]
        return result
    sheets = read_sheets(path)
    sheet, notes = _choose_sheet(sheets, name=path.name)
    label = path.name if len(sheets) == 1 else f"{path.name}, tabblad {sheet.name!r}"
    result = validate_rows(
        sheet.rows, regions=regions, default_place=default_place, today=today, name=label
    )
    result.notes = [*sheet.notes, *notes, *result.notes]
    return result


def applicant_sheet(path: Path) -> Sheet:
    """The sheet of a CSV or workbook that :func:`read_applicants` reads the sign-ups from."""
    return _choose_sheet(read_sheets(path), name=path.name)[0]


def _choose_sheet(sheets: Sequence[Sheet], *, name: str) -> tuple[Sheet, list[str]]:
    """The sheet with the applicants: the first with a header and data, visible sheets first."""
    if len(sheets) == 1:
        return sheets[0], []
    ordered = [s for s in sheets if not s.hidden] + [s for s in sheets if s.hidden]
    listing = ", ".join(f"{s.name!r}" + (" (verborgen)" if s.hidden else "") for s in sheets)
    header_only: list[Sheet] = []
    for sheet in ordered:
        try:
            index, _ = _find_header(sheet.rows, name=name)
        except InputFileError:
            continue
        if any(any(cell.strip() for cell in row) for row in sheet.rows[index + 1 :]):
            chosen = sheet
            break
        header_only.append(sheet)
    else:
        if not header_only:
            try:
                _find_header(ordered[0].rows, name=f"{name}, tabblad {ordered[0].name!r}")
            except InputFileError as error:
                msg = (
                    f"{error}; ook geen ander tabblad heeft een kopregel met naam, adres en "
                    f"telefoon (tabbladen: {listing})"
                )
                raise InputFileError(msg) from None
        chosen = header_only[0]
    hidden = " (verborgen)" if chosen.hidden else ""
    return chosen, [f"tabblad {chosen.name!r}{hidden} gelezen (tabbladen: {listing})"]


def validate_rows(
    rows: Sequence[Sequence[str]],
    *,
    regions: Sequence[str] = DEFAULT_REGIONS,
    default_place: str = "",
    today: date | None = None,
    name: str = "invoer",
) -> IntakeResult:
    """Validate rows of text cells whose header row is among the first ten rows."""
    # A NUL is no text (and makes the rejects file read as binary): gone, like format marks.
    rows = [
        [(cell if cell.isascii() else strip_format_chars(cell)).replace("\x00", "") for cell in row]
        for row in rows
    ]
    header_index, columns = _find_header(rows, name=name)
    spare = _spare_columns(rows[header_index], columns)
    read = {*columns.values(), *(p for positions in spare.values() for p in positions)}
    header, original_headers, notes = _table_header(rows, header_index, read)
    reference = today or date.today()
    accepted: list[dict[str, object]] = []
    rejects: list[dict[str, object]] = []
    seen_person: dict[tuple[str, str], int] = {}
    seen_home: dict[tuple[str, ...], int] = {}
    seen_phone: dict[str, int] = {}
    empty_rows = 0
    for offset, raw in enumerate(rows[header_index + 1 :]):
        cells = [*raw, *[""] * (len(header) - len(raw))]
        if not any(cells):
            empty_rows += 1
            continue
        row_number = header_index + offset + 2  # spreadsheet row: header is row header_index + 1
        values = {field_name: cells[pos] for field_name, pos in columns.items()}
        for field_name, positions in spare.items():
            if not values[field_name].strip():
                values[field_name] = next((cells[p] for p in positions if cells[p].strip()), "")
        person_name = _full_name(values)
        try:
            _check_width(_trimmed(raw), len(header))  # wider than most rows: shifted cells
            record = _validate(
                values,
                name=person_name,
                regions=regions,
                default_place=default_place,
                today=reference,
            )
            record["row"] = row_number
            record["naam"] = person_name
            record.update({f: values[f] for f in SOURCE_FIELDS if f in values})
            if record["opmerking"] and values.get(MESSAGE_FIELD, "").strip():
                record[MESSAGE_FIELD] = values[MESSAGE_FIELD]
            _check_duplicate(record, seen_person, seen_home, seen_phone)
        except ValueError as error:
            original = dict(zip(original_headers, cells, strict=False))
            reason = str(error)
            if QUESTION_REMARK in values.get("controleren", ""):  # a question to answer
                reason = f"{reason}; {QUESTION_REMARK}"
            rejects.append({"row": row_number, "naam": person_name, "reason": reason, **original})
            continue
        accepted.append(record)
    rows_in = len(accepted) + len(rejects)
    if rows_in == 0:
        msg = f"{name} bevat geen aanmeldingen (alleen een kopregel)"
        raise InputFileError(msg)
    sources = [f for f in (*SOURCE_FIELDS, MESSAGE_FIELD) if f in columns]
    accepted_frame = pd.DataFrame(accepted, columns=[*ACCEPTED_COLUMNS, *sources])
    accepted_frame["huisnummer"] = accepted_frame["huisnummer"].astype("Int64")
    accepted_frame["beheerder"] = accepted_frame["beheerder"].astype(bool)
    accepted_frame["lat"] = accepted_frame["lat"].astype(float)
    accepted_frame["lon"] = accepted_frame["lon"].astype(float)
    reject_columns = ["row", "naam", "reason", *original_headers]
    return IntakeResult(
        accepted=accepted_frame,
        rejects=pd.DataFrame(rejects, columns=reject_columns),
        rows_in=rows_in,
        empty_rows=empty_rows,
        columns={field_name: header[pos] for field_name, pos in columns.items()},
        notes=notes,
    )


def _find_header(rows: Sequence[Sequence[str]], *, name: str) -> tuple[int, dict[str, int]]:
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        columns = map_columns(row)
        if any(f in columns for f in _NAME_FIELDS) and (
            best is None or len(columns) > len(best[1])
        ):
            best = (index, columns)
    if best is None:
        expected = ", ".join(ALIASES["naam"][:3])
        msg = f"{name}: geen kolom met de naam van de deelnemer gevonden (verwacht bijvoorbeeld: {expected})"
        raise InputFileError(msg)
    has_address = "adres" in best[1] or "straat" in best[1] or {"lat", "lon"} <= best[1].keys()
    if not has_address:
        msg = f"{name}: geen adreskolom gevonden (verwacht 'adres', of 'straat' en 'huisnummer')"
        raise InputFileError(msg)
    if "telefoon" not in best[1]:
        msg = (
            f"{name}: geen kolom met het telefoonnummer gevonden (verwacht 'telefoon' of 'mobiel')"
        )
        raise InputFileError(msg)
    return best


def _table_header(
    rows: Sequence[Sequence[str]], header_index: int, read: Collection[int]
) -> tuple[list[str], list[str], list[str]]:
    """The header (every column named: ``kolom N`` without a header cell), the names of the
    original cells in ``rejects.csv`` (past the header too) and the notes on unread columns.

    A column without a header that most rows fill is a column (say, a remark), not a shift.
    """
    body = rows[header_index + 1 :]
    widths = sorted(len(_trimmed(row)) for row in body if any(cell.strip() for cell in row))
    usual = max([len(rows[header_index]), *widths[(len(widths) - 1) // 2 :][:1]])
    labels = [*rows[header_index], *[""] * (usual - len(rows[header_index]))]
    header = [cell or f"kolom {i + 1}" for i, cell in enumerate(labels)]
    filled = {i for row in body for i, cell in enumerate(row[:usual]) if cell.strip()}
    unread = [
        header[i]
        for i in range(len(header))
        if i not in read and (labels[i].strip() or i in filled)
    ]
    notes = [f"kolommen niet gelezen: {', '.join(map(repr, unread))}"] if unread else []
    widest = max([len(header), *widths[-1:]])
    beyond = [f"kolom {n + 1}" for n in range(len(header), widest)]  # cells past the header
    return header, _unique_headers([*header, *beyond]), notes


def _trimmed(row: Sequence[str]) -> Sequence[str]:
    """``row`` without its empty cells at the end."""
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return row[:end]


def _check_width(cells: Sequence[str], width: int) -> None:
    """Refuse a row with filled cells past the header: its cells may have shifted (a ``;`` in a
    name without quotes), so none of them can be trusted where they stand."""
    if len(cells) > width:
        msg = (
            f"de regel heeft {len(cells)} cellen en de kopregel {width}: staat er een "
            "scheidingsteken in een naam of adres? Controleer de regel en lever hem opnieuw aan"
        )
        raise ValueError(msg)


def _unique_headers(header: Sequence[str]) -> list[str]:
    taken = {"row", "naam", "reason"}
    result = []
    for cell in header:
        label = cell
        while label in taken:
            label = f"{label} (origineel)"
        taken.add(label)
        result.append(label)
    return result


def _full_name(values: Mapping[str, str]) -> str:
    if values.get("naam", "").strip():
        return " ".join(values["naam"].split())
    parts = (values.get(key, "") for key in ("voornaam", "tussenvoegsel", "achternaam"))
    return " ".join(" ".join(parts).split())


def _validate(
    values: Mapping[str, str],
    *,
    name: str,
    regions: Sequence[str],
    default_place: str,
    today: date,
) -> dict[str, object]:
    """The normalised fields of one row (``name`` is its :func:`_full_name`); raises
    :class:`ValueError` with the reason when the row is refused."""
    if "bericht_id" in values and values.get("controleren", "").startswith(SIGN_OFF_REMARK):
        raise ValueError(SIGN_OFF_REMARK)  # named, but no sign-up
    if "bericht_id" in values and not any(values.get(f, "").strip() for f in _PERSON_FIELDS):
        msg = "geen aanmelding herkend"
        raise ValueError(msg)
    if not name:
        msg = "naam ontbreekt"
        raise ValueError(msg)
    age = parse_age(values.get("leeftijd", ""), values.get("geboortedatum", ""), today=today)
    if age < MINIMUM_AGE:
        msg = f"deelnemers moeten minimaal {MINIMUM_AGE} jaar zijn (leeftijd {age})"
        raise ValueError(msg)
    phone, phone_remark = normalize_phone(values.get("telefoon", ""), regions=regions)
    email = normalize_email(values.get("email", ""))
    lat, lon = _parse_coordinates(values.get("lat", ""), values.get("lon", ""))
    address = _parse_address_fields(
        values, default_place=default_place, has_point=not math.isnan(lat)
    )
    admin, admin_remark = parse_yes_no(values.get("beheerder", ""))
    in_one_cell = not (values.get("straat", "").strip() and values.get("huisnummer", "").strip())
    two_numbers = two_numbers_remark(address) if in_one_cell else ""
    remarks = [r for r in (phone_remark, admin_remark, two_numbers) if r]
    if values.get("controleren", "").strip():
        remarks.append(f"controleren: {values['controleren'].strip()}")
    if values.get("historie", "").strip():
        remarks.append(values["historie"].strip())
    number = address.house_number if address else None
    return {
        "straat": address.street if address else "",
        "huisnummer": number.number if number else None,
        "huisletter": number.letter if number else "",
        "toevoeging": number.addition if number else "",
        "postcode": address.postcode if address else normalize_postcode(values.get("postcode", "")),
        "woonplaats": address.place if address else values.get("woonplaats", "").strip(),
        "telefoon": phone,
        "email": email,
        "beheerder": admin,
        "lat": lat,
        "lon": lon,
        "opmerking": "; ".join(remarks),
    }


def _check_duplicate(
    record: dict[str, object],
    seen_person: dict[tuple[str, str], int],
    seen_home: dict[tuple[str, ...], int],
    seen_phone: dict[str, int],
) -> None:
    """Refuse a row whose person came earlier in the file: the same name with the same phone,
    or another person with that phone (one member per number). The same name at the same
    address with another phone is kept, marked for checking: a new number or a typing error,
    or a father and son of one name (the planner decides)."""
    phone = str(record["telefoon"])
    name = fold_name(str(record["naam"]))
    person = (name, phone)
    if person in seen_person:
        msg = f"dubbele aanmelding: zelfde naam en telefoonnummer als rij {seen_person[person]}"
        raise ValueError(msg)
    if phone in seen_phone:
        msg = (
            f"telefoonnummer {phone} staat al bij rij {seen_phone[phone]}; "
            "een WhatsApp-groep kent één deelnemer per nummer"
        )
        raise ValueError(msg)
    row = int(str(record["row"]))
    home = (name, *_address_key(record))
    if len(home) > 1 and home in seen_home:
        check = (
            f"controleren: zelfde naam en adres als rij {seen_home[home]}, met een ander "
            "telefoonnummer (dubbel aangemeld, of twee mensen met één naam?)"
        )
        record["opmerking"] = "; ".join(filter(None, [str(record["opmerking"]), check]))
    seen_person[person] = row
    if len(home) > 1:
        seen_home.setdefault(home, row)
    seen_phone[phone] = row


def _address_key(record: Mapping[Any, object]) -> tuple[str, ...]:
    """Street, house number, letter and addition of a row, folded (empty without a street
    and number: a row with only coordinates)."""
    street, number = str(record.get("straat") or ""), record.get("huisnummer")
    try:
        whole = int(float(str(number)))
    except (ValueError, OverflowError):  # no number: None, NaN, ""
        return ()
    if not street.strip():
        return ()
    parts = (street, str(whole), str(record.get("huisletter") or ""),
             str(record.get("toevoeging") or ""))  # fmt: skip
    return tuple(fold_name(part) for part in parts)


def namesake_remarks(new: pd.DataFrame, known: pd.DataFrame) -> list[str]:
    """Per sign-up of ``new`` a remark to check it when ``known`` (the sign-ups already there)
    has the same name at the same address with another phone, as within one file
    (:func:`_check_duplicate`); ``""`` for the others."""
    phones: dict[tuple[str, ...], str] = {}
    for record in known.to_dict("records"):
        home = (fold_name(str(record["naam"])), *_address_key(record))
        if len(home) > 1:
            phones.setdefault(home, str(record["telefoon"]))
    remarks = []
    for record in new.to_dict("records"):
        phone = phones.get((fold_name(str(record["naam"])), *_address_key(record)))
        remarks.append(
            "controleren: zelfde naam en adres als een eerdere aanmelding, met een ander "
            "telefoonnummer (dubbel aangemeld, of twee mensen met één naam?)"
            if phone is not None and phone != str(record["telefoon"])
            else ""
        )
    return remarks


def parse_age(age_text: str, birth_text: str = "", *, today: date) -> int:
    """Age in whole years from a ``leeftijd`` cell and/or a ``geboortedatum`` cell.

    ``18,5`` counts as 18. When both cells are filled in they must agree within a year (else
    the row is refused: one of them is wrong; ``18+`` only says "at least 18") and the birth
    date, being exact, decides. An unreadable birth date next to a readable age is ignored.
    """
    age_text, birth_text = age_text.strip(), birth_text.strip()
    stated: int | None = None
    if age_text:
        match = _AGE.match(age_text)
        if match is None:
            msg = f"leeftijd {age_text!r} is geen getal"
            raise ValueError(msg)
        stated = int(match.group(1))
    if birth_text:
        try:
            born = _parse_date(birth_text, today=today)
        except ValueError:
            if stated is None:
                raise
            born = None
        if born is not None:
            if born > today:
                msg = f"geboortedatum {birth_text!r} ligt in de toekomst"
                raise ValueError(msg)
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            at_least = age_text.endswith("+")  # "18+": 18 or older
            if stated is not None and (age < stated - 1 or (age > stated + 1 and not at_least)):
                msg = (
                    f"leeftijd {stated} en geboortedatum {birth_text!r} ({age} jaar) spreken "
                    "elkaar tegen; controleer welke klopt"
                )
                raise ValueError(msg)
            stated = age
    if stated is None:
        msg = f"leeftijd ontbreekt (deelname kan vanaf {MINIMUM_AGE} jaar)"
        raise ValueError(msg)
    if stated > MAXIMUM_AGE:
        msg = f"leeftijd {stated} is niet aannemelijk"
        raise ValueError(msg)
    return stated


def _parse_date(text: str, *, today: date) -> date:
    """A birth date; a two-digit year is the latest year not after ``today`` (``60`` -> 1960)."""
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    for pattern in _SHORT_DATE_FORMATS:
        try:
            born = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        while born > today:
            try:
                born = born.replace(year=born.year - 100)
            except ValueError:  # 29 February in a century year that is no leap year
                born = born.replace(year=born.year - 100, day=28)
        return born
    msg = f"geboortedatum {text!r} is niet te lezen (gebruik dd-mm-jjjj)"
    raise ValueError(msg)


def normalize_phone(text: str, *, regions: Sequence[str] = DEFAULT_REGIONS) -> tuple[str, str]:
    """Return the number in E.164 and a remark (empty, a note found next to the number, or a
    warning about a fixed line).

    A national number (no ``+`` or ``00``) is read in the first of ``regions`` only: a number
    that is valid only in another region is refused with the hint to write its country code,
    so a mistyped Dutch mobile never becomes a German landline. Words next to the number
    (``0612345678 (werk)``) are set apart as the remark, never read as digits. Excel's habit of
    dropping the leading zero (``612345678``) or the ``+`` (``31612345678``) is undone.
    Service numbers (0800, 0900, 088, ...) are refused: they are nobody's WhatsApp.
    """
    raw = " ".join(strip_format_chars(text).split())
    if raw.startswith("'"):
        raw = raw[1:].strip()  # a spreadsheet's "this is text" mark
    if _NUMBER_CELL.fullmatch(raw):
        raw = raw[:-2]
    if not raw:
        msg = "telefoonnummer ontbreekt"
        raise ValueError(msg)
    if _EXCEL_SCIENTIFIC.match(raw):
        msg = (
            f"telefoonnummer {raw!r} is door Excel als getal afgekort en de cijfers zijn verloren; "
            "zet die kolom in Excel op 'Tekst' en vul het nummer opnieuw in"
        )
        raise ValueError(msg)
    number_text, note = _split_phone_note(raw)
    several = [p for p in _NUMBER_SEPARATORS.split(raw) if _digits(p) >= 6]
    if len(several) > 1 or _digits(note) >= 6:
        msg = f"telefoonnummer {raw!r} bevat meer dan één nummer; laat er één staan"
        raise ValueError(msg)
    number, kind = _parse_phone(number_text, raw=raw, regions=regions or DEFAULT_REGIONS)
    if kind in _NOT_A_PERSON:
        msg = f"telefoonnummer {raw!r} is {_NOT_A_PERSON[kind]}, geen nummer van een deelnemer"
        raise ValueError(msg)
    remarks = [f"bij het telefoonnummer stond {note!r}"] if note else []
    if kind == phonenumbers.PhoneNumberType.FIXED_LINE:
        remarks.append("vast nummer: controleer of dit nummer WhatsApp heeft")
    elif kind == phonenumbers.PhoneNumberType.VOIP:
        remarks.append("internetnummer: controleer of dit nummer WhatsApp heeft")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, "; ".join(remarks)


def phone_e164(text: str, *, regions: Sequence[str] = DEFAULT_REGIONS) -> str:
    """The phone number in ``text`` as E.164 (``+31612345678``) by the intake rules.

    For readers of tables that went through Excel: ``31612345678``, ``612345678``,
    ``06-12345678`` and ``+31 6 1234 5678`` all give ``+31612345678``, so duplicates are found.
    Raises :class:`ValueError` with a Dutch message for anything else.
    """
    return normalize_phone(text, regions=regions)[0]


def normalize_email(text: str) -> str:
    """The e-mail address of a cell, without surrounding white space; empty when none is given.

    The address itself is kept as given, but a cell with two addresses (``a@x.nl; b@y.nl``) or
    a line break (``a@x.nl`` and ``b@y.nl`` on two lines of one cell) is refused with a
    :class:`ValueError`, as a phone cell with two numbers is: which one to use is unknown.
    """
    raw = text.strip()
    if raw.count("@") > 1:
        msg = f"e-mailadres {' '.join(raw.split())!r} bevat meer dan één adres; laat er één staan"
        raise ValueError(msg)
    if len(raw.splitlines()) > 1:
        msg = f"e-mailadres {raw!r} loopt over meer dan één regel; laat alleen het adres staan"
        raise ValueError(msg)
    return raw


def _digits(text: str) -> int:
    return sum(map(str.isdigit, text))


def _split_phone_note(raw: str) -> tuple[str, str]:
    """``"0612345678 (werk)"`` -> ``("0612345678", "werk")``: letters are never digits."""
    if not _LETTER.search(raw):
        return raw, ""
    match = _PHONE_IN_TEXT.match(raw)
    if match is None:
        return "", raw
    note = " ".join(f"{match['before']} {match['after']}".split()).strip(" -,.:;/")
    for opening, closing in ("()", "[]"):  # "(werk)" -> "werk"; "[a](b)" stays as typed
        inner = note[1:-1]
        if note[:1] == opening and note[-1:] == closing and not {opening, closing} & set(inner):
            note = inner.strip()
    return match["number"].strip(), note


def _parse_phone(
    number_text: str, *, raw: str, regions: Sequence[str]
) -> tuple[phonenumbers.PhoneNumber, int]:
    """The number and its :class:`phonenumbers.PhoneNumberType`; see :func:`normalize_phone`."""
    home = regions[0]
    compact = _PHONE_PUNCTUATION.sub("", number_text)
    invalid = f"telefoonnummer {raw!r} is geen geldig nummer"
    if not compact or not _PHONE_DIGITS.fullmatch(compact):
        raise ValueError(invalid)
    candidates: list[tuple[str, str | None]]
    if compact.startswith(("+", "0")):  # international, or national in the first region only
        candidates = [(number_text, home)]
    else:  # digits only: Excel dropped the leading 0, or the + of an international number
        candidates = [(compact, home), ("+" + compact, None)]
    for candidate, region in candidates:
        valid = _valid_number(candidate, region)
        if valid is not None:
            found = phonenumbers.region_code_for_number(valid[0])
            if found not in regions:
                allowed = ", ".join(regions)
                msg = f"telefoonnummer {raw!r} is uit {found}; alleen nummers uit {allowed} worden aangenomen"
                raise ValueError(msg)
            return valid
    if compact.startswith("0") and not compact.startswith("00"):
        elsewhere = [r for r in regions[1:] if _valid_number(number_text, r) is not None]
        if elsewhere:
            country = _COUNTRY_ADJECTIVES.get(home, home)
            others = " of ".join(_COUNTRY_ADJECTIVES.get(r, r) for r in elsewhere)
            codes = "/".join(f"+{phonenumbers.country_code_for_region(r)}" for r in elsewhere)
            msg = (
                f"telefoonnummer {raw!r} is geen geldig {country} nummer (een tikfout?); "
                f"is dit een {others} nummer? Schrijf dan {codes} ervoor"
            )
            raise ValueError(msg)
    raise ValueError(invalid)


def _valid_number(text: str, region: str | None) -> tuple[phonenumbers.PhoneNumber, int] | None:
    """The number in ``text`` and its type, when valid.

    A number is valid exactly when its type is known (``is_valid_number`` tests just that),
    so the type is looked up once, not for the test and again for the remark.
    """
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    kind = phonenumbers.number_type(number)
    return None if kind == phonenumbers.PhoneNumberType.UNKNOWN else (number, kind)


def parse_bool(text: str) -> bool:
    """A yes/no cell as Dutch and English Excel write it: ja/nee, WAAR/ONWAAR, true/false,
    yes/no, 1/0, x; empty is ``False``. Raises :class:`ValueError` (Dutch) for other text."""
    folded = strip_format_chars(text).strip().casefold()
    if folded.endswith((".0", ",0")):
        folded = folded[:-2]  # 1.0 / 0.0 from a number cell
    if not folded or folded in _NO:
        return False
    if folded in _YES:
        return True
    msg = f"{text.strip()!r} is geen ja/nee-waarde (verwacht ja/nee, WAAR/ONWAAR, true/false, 1/0 of x)"
    raise ValueError(msg)


def parse_yes_no(text: str) -> tuple[bool, str]:
    """Read a beheerder cell by :func:`parse_bool`; unknown text reads as nee, with a remark."""
    try:
        return parse_bool(text), ""
    except ValueError:
        return False, f"beheerder-waarde {text.strip()!r} niet herkend; gelezen als 'nee'"


def _parse_coordinates(lat_text: str, lon_text: str) -> tuple[float, float]:
    lat_text, lon_text = lat_text.strip(), lon_text.strip()
    if not lat_text and not lon_text:
        return math.nan, math.nan
    if not lat_text or not lon_text:
        msg = "coördinaten onvolledig: lat en lon horen samen"
        raise ValueError(msg)
    try:
        lat, lon = float(lat_text.replace(",", ".")), float(lon_text.replace(",", "."))
    except ValueError:
        msg = f"coördinaten {lat_text!r}, {lon_text!r} zijn geen getallen"
        raise ValueError(msg) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        msg = f"coördinaten {lat_text!r}, {lon_text!r} liggen buiten de wereld (lat -90..90, lon -180..180)"
        raise ValueError(msg)
    return lat, lon


def two_numbers_remark(address: Address | None) -> str:
    """A remark for a one-cell address whose street ends in a small number before the house
    number: "Kerkstraat 12 2" reads as street "Kerkstraat 12", number 2 (as "Wijk 2 12" in
    Urk must), but may be number 12-2 (the register may tell, :meth:`AddressRegister.reading`).
    Street and number in their own cells are clear."""
    other = addition_reading(address) if address is not None else None
    if address is None or other is None:
        return ""
    return (
        f"controleren: gelezen als straat {address.street!r}, nummer {address.house_number}; "
        f"is het {other.street} {other.house_number}, schrijf dan '{other.house_number}'"
    )


def _parse_address_fields(
    values: Mapping[str, str], *, default_place: str, has_point: bool
) -> Address | None:
    """Parse the address cells; ``None`` when the row only has coordinates."""
    street = " ".join(values.get("straat", "").split())
    number_text = values.get("huisnummer", "").strip()
    one_cell = values.get("adres", "").strip()
    postcode = normalize_postcode(values.get("postcode", ""))
    place = " ".join(values.get("woonplaats", "").split())
    if street and number_text:
        parsed = Address(street, parse_house_number(number_text))
    elif one_cell:
        parsed = parse_address(one_cell)
    elif street:
        parsed = parse_address(street)
    elif has_point:
        return None
    else:
        msg = "adres ontbreekt"
        raise ValueError(msg)
    letter, addition = parsed.house_number.letter, parsed.house_number.addition
    extra_letter = values.get("huisletter", "").strip()
    extra_addition = values.get("toevoeging", "").strip()
    if extra_letter or extra_addition:
        split_letter, split_addition = split_house_number(f"{extra_letter} {extra_addition}")
        letter, addition = split_letter or letter, split_addition or addition
    house_number = HouseNumber(parsed.house_number.number, letter, addition)
    place = place or parsed.place or default_place
    postcode = postcode or parsed.postcode
    if not postcode and not place:
        msg = "postcode of woonplaats nodig om het adres te vinden"
        raise ValueError(msg)
    return Address(parsed.street, house_number, postcode, place)
