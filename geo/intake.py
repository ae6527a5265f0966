"""Applicant intake: recognise the columns, normalise every field and validate every row.

Each input row ends up either accepted (one row per person, normalised) or rejected with a
reason a planner understands; no row is lost. Rules, from the wijkplatform's letter:
participants are 18 or older, reachable on a valid phone number (NL, BE or DE by default),
with an address; one sign-up per person and one per phone number (a WhatsApp account).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import phonenumbers

from geo.address import (
    Address,
    HouseNumber,
    normalize_postcode,
    parse_address,
    parse_house_number,
    split_house_number,
)
from geo.errors import InputFileError
from geo.tables import read_rows

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
    ),
    "lat": ("lat", "latitude", "breedtegraad", "y"),
    "lon": ("lon", "lng", "long", "longitude", "lengtegraad", "x"),
}
_NAME_FIELDS = ("naam", "voornaam", "achternaam")
_YES = frozenset({"ja", "j", "yes", "y", "x", "1", "true", "waar", "wel"})
_NO = frozenset({"nee", "n", "no", "0", "false", "onwaar", "niet", "geen", "-"})
_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d-%m-%y")
_AGE = re.compile(r"^(\d{1,3})(?:[.,]0+)?(?:\s*jaar|\s*\+)?$", re.IGNORECASE)  # "18+" too

ACCEPTED_COLUMNS = (
    "row", "naam", "straat", "huisnummer", "huisletter", "toevoeging", "postcode", "woonplaats",
    "telefoon", "email", "beheerder", "lat", "lon", "opmerking",
)  # fmt: skip


@dataclass
class IntakeResult:
    """Outcome of reading an applicants file.

    ``accepted`` has :data:`ACCEPTED_COLUMNS`; ``rejects`` has ``row``, ``naam``, ``reason``
    and the original cells. ``rows_in`` counts non-empty data rows:
    ``len(accepted) + len(rejects) == rows_in`` always holds.
    """

    accepted: pd.DataFrame
    rejects: pd.DataFrame
    rows_in: int
    empty_rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)


def fold_header(text: str) -> str:
    """Fold a header for alias lookup: ``" E-mail adres "`` -> ``"emailadres"``."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def map_columns(header: Sequence[str]) -> dict[str, int]:
    """Map canonical field names to column positions; the first matching column wins."""
    lookup = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
    found: dict[str, int] = {}
    for position, cell in enumerate(header):
        name = lookup.get(fold_header(cell))
        if name is not None and name not in found:
            found[name] = position
    return found


def read_applicants(
    path: Path,
    *,
    regions: Sequence[str] = ("NL", "BE", "DE"),
    default_place: str = "",
    today: date | None = None,
) -> IntakeResult:
    """Read, normalise and validate an applicants file (CSV or XLSX)."""
    rows = read_rows(path)
    return validate_rows(
        rows, regions=regions, default_place=default_place, today=today, name=path.name
    )


def validate_rows(
    rows: Sequence[Sequence[str]],
    *,
    regions: Sequence[str] = ("NL", "BE", "DE"),
    default_place: str = "",
    today: date | None = None,
    name: str = "invoer",
) -> IntakeResult:
    """Validate rows of text cells whose header row is among the first ten rows."""
    header_index, columns = _find_header(rows, name=name)
    header = [cell or f"kolom {i + 1}" for i, cell in enumerate(rows[header_index])]
    reference = today or date.today()
    accepted: list[dict[str, object]] = []
    rejects: list[dict[str, object]] = []
    seen_person: dict[tuple[str, str], int] = {}
    seen_phone: dict[str, int] = {}
    empty_rows = 0
    for offset, raw in enumerate(rows[header_index + 1 :]):
        cells = [*raw, *[""] * (len(header) - len(raw))]
        if not any(cells):
            empty_rows += 1
            continue
        row_number = header_index + offset + 2  # spreadsheet row: header is row header_index + 1
        values = {field_name: cells[pos] for field_name, pos in columns.items()}
        person_name = _full_name(values)
        try:
            record = _validate(
                values, regions=regions, default_place=default_place, today=reference
            )
            record["row"] = row_number
            record["naam"] = person_name
            _check_duplicate(record, seen_person, seen_phone)
        except ValueError as error:
            original = dict(zip(_unique_headers(header), cells, strict=False))
            rejects.append(
                {"row": row_number, "naam": person_name, "reason": str(error), **original}
            )
            continue
        accepted.append(record)
    rows_in = len(accepted) + len(rejects)
    if rows_in == 0:
        msg = f"{name} bevat geen aanmeldingen (alleen een kopregel)"
        raise InputFileError(msg)
    accepted_frame = pd.DataFrame(accepted, columns=list(ACCEPTED_COLUMNS))
    accepted_frame["huisnummer"] = accepted_frame["huisnummer"].astype("Int64")
    accepted_frame["beheerder"] = accepted_frame["beheerder"].astype(bool)
    accepted_frame["lat"] = accepted_frame["lat"].astype(float)
    accepted_frame["lon"] = accepted_frame["lon"].astype(float)
    reject_columns = ["row", "naam", "reason", *_unique_headers(header)]
    return IntakeResult(
        accepted=accepted_frame,
        rejects=pd.DataFrame(rejects, columns=reject_columns),
        rows_in=rows_in,
        empty_rows=empty_rows,
        columns={field_name: header[pos] for field_name, pos in columns.items()},
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
    values: Mapping[str, str], *, regions: Sequence[str], default_place: str, today: date
) -> dict[str, object]:
    if not _full_name(values):
        msg = "naam ontbreekt"
        raise ValueError(msg)
    age = parse_age(values.get("leeftijd", ""), values.get("geboortedatum", ""), today=today)
    if age < MINIMUM_AGE:
        msg = f"deelnemers moeten minimaal {MINIMUM_AGE} jaar zijn (leeftijd {age})"
        raise ValueError(msg)
    phone, phone_remark = normalize_phone(values.get("telefoon", ""), regions=regions)
    lat, lon = _parse_coordinates(values.get("lat", ""), values.get("lon", ""))
    address = _parse_address_fields(
        values, default_place=default_place, has_point=not math.isnan(lat)
    )
    admin, admin_remark = parse_yes_no(values.get("beheerder", ""))
    remarks = [r for r in (phone_remark, admin_remark) if r]
    number = address.house_number if address else None
    return {
        "straat": address.street if address else "",
        "huisnummer": number.number if number else None,
        "huisletter": number.letter if number else "",
        "toevoeging": number.addition if number else "",
        "postcode": address.postcode if address else normalize_postcode(values.get("postcode", "")),
        "woonplaats": address.place if address else values.get("woonplaats", "").strip(),
        "telefoon": phone,
        "email": values.get("email", "").strip(),
        "beheerder": admin,
        "lat": lat,
        "lon": lon,
        "opmerking": "; ".join(remarks),
    }


def _check_duplicate(
    record: dict[str, object], seen_person: dict[tuple[str, str], int], seen_phone: dict[str, int]
) -> None:
    phone = str(record["telefoon"])
    person = (" ".join(str(record["naam"]).casefold().split()), phone)
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
    seen_person[person] = row
    seen_phone[phone] = row


def parse_age(age_text: str, birth_text: str = "", *, today: date) -> int:
    """Age in whole years from a ``leeftijd`` cell or, failing that, a ``geboortedatum`` cell."""
    age_text = age_text.strip()
    if age_text:
        match = _AGE.match(age_text)
        if match is None:
            msg = f"leeftijd {age_text!r} is geen getal"
            raise ValueError(msg)
        age = int(match.group(1))
    elif birth_text.strip():
        born = _parse_date(birth_text.strip())
        if born > today:
            msg = f"geboortedatum {birth_text.strip()!r} ligt in de toekomst"
            raise ValueError(msg)
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    else:
        msg = f"leeftijd ontbreekt (deelname kan vanaf {MINIMUM_AGE} jaar)"
        raise ValueError(msg)
    if age > MAXIMUM_AGE:
        msg = f"leeftijd {age} is niet aannemelijk"
        raise ValueError(msg)
    return age


def _parse_date(text: str) -> date:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    msg = f"geboortedatum {text!r} is niet te lezen (gebruik dd-mm-jjjj)"
    raise ValueError(msg)


def normalize_phone(text: str, *, regions: Sequence[str] = ("NL", "BE", "DE")) -> tuple[str, str]:
    """Return the number in E.164 and a remark (empty, or a warning about a fixed line).

    National numbers are tried in ``regions`` order (NL first), so ``0470 12 34 56`` is read as
    Belgian when it is no valid Dutch number. Excel's habit of dropping the leading zero
    (``612345678``) or storing ``31612345678`` as a number is undone.
    """
    raw = text.strip()
    if re.fullmatch(r"\d+\.0", raw):
        raw = raw[:-2]
    if not raw:
        msg = "telefoonnummer ontbreekt"
        raise ValueError(msg)
    number = _first_valid_number(raw, regions)
    if number is None:
        msg = f"telefoonnummer {raw!r} is geen geldig nummer"
        raise ValueError(msg)
    region = phonenumbers.region_code_for_number(number)
    if region not in regions:
        allowed = ", ".join(regions)
        msg = f"telefoonnummer {raw!r} is uit {region}; alleen nummers uit {allowed} worden aangenomen"
        raise ValueError(msg)
    remark = ""
    if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE:
        remark = "vast nummer: controleer of dit nummer WhatsApp heeft"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), remark


def _first_valid_number(raw: str, regions: Sequence[str]) -> phonenumbers.PhoneNumber | None:
    digits_only = raw.isdigit()
    attempts: list[tuple[str, str | None]] = [(raw, regions[0] if regions else "NL")]
    if digits_only and not raw.startswith("0"):
        attempts.append(("+" + raw, None))
    if not raw.startswith(("+", "00")):
        attempts.extend((raw, region) for region in regions[1:])
    for candidate, region in attempts:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
    return None


def parse_yes_no(text: str) -> tuple[bool, str]:
    """Read a beheerder cell: ja/nee/yes/no/x/1/0 (empty is nee). Unknown text reads as nee."""
    folded = text.strip().casefold()
    if not folded or folded in _NO:
        return False, ""
    if folded in _YES:
        return True, ""
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
