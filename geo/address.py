"""Dutch address parsing: postcodes, house numbers with letter and addition, one-cell addresses.

Pure functions. Parsers raise :class:`ValueError` with a Dutch message that quotes the bad
value; intake turns that message into a reject reason.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_POSTCODE = re.compile(r"^([1-9]\d{3})\s*([A-Za-z]{2})$")
_POSTCODE_IN_TEXT = re.compile(r"(?<!\d)([1-9]\d{3})\s?([A-Za-z]{2})(?![A-Za-z])")
# Letter combinations PostNL never issues.
_FORBIDDEN_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})
_NUMBER_PART = re.compile(r"^(\d{1,5})(.*)$")
# A huisletter is one letter; an addition after it needs a separator ("12a-1", "12 A 2"), so a
# word such as "boven" is never read as letter B + addition OVEN.
_LETTER_AND_ADDITION = re.compile(r"^([A-Za-z])(?:[\s\-/]+([A-Za-z0-9]{1,4}))?$")
_ADDITION = re.compile(r"^[A-Za-z0-9]{1,4}$")
_GLUED_NUMBER = re.compile(r"^(.*?[^\d\s])(\d{1,5}\S*)$")
_FLOOR_WORD = re.compile(r"(?:([A-Za-z])[\s\-/]+)?([A-Za-z]+)\.?")  # "boven", "a boven."
# A floor after the house number: "2hg", "2 hoog", "3e etage", "1ste verd."; its number is the
# toevoeging ("12 2hg" -> 12-2), after a letter too ("12a 2hg").
_FLOOR = r"(\d{1,2})\s*(?:e|ste|de)?\s*(?:hg|hoog|etage|verd|verdieping)\.?"
_FLOOR_NUMBER = re.compile(r"(?:([A-Za-z])[\s\-/]+)?" + _FLOOR, re.IGNORECASE)
_FLOOR_ONLY = re.compile(_FLOOR, re.IGNORECASE)
_NUMBER_WITH_LETTER = re.compile(r"\d{1,5}[A-Za-z]?")
_PLACE_AFTER_NUMBER = re.compile(r"\d\S*\s+([^\W\d][^\d,]*)$")  # "Kaivokatu 9 Helsinki"
_NOT_FOLDED = re.compile(r"[^0-9a-z]")
_WHOLE_WITH_DECIMALS = re.compile(r"(\d+)\.0+")  # "12.0", "1.00": a whole number as a float
_NUMBER_WORDS = frozenset({"nr", "nr.", "nummer"})
# Floor words written after a house number, as the short toevoeging they stand for.
_ADDITION_WORDS = {
    "boven": "BOV",
    "bov": "BOV",
    "bovenhuis": "BOV",
    "bovenwoning": "BOV",
    "beneden": "BEN",
    "ben": "BEN",
    "benedenhuis": "BEN",
    "benedenwoning": "BEN",
}


@dataclass(frozen=True)
class HouseNumber:
    """A BAG house number: number, optional single letter, optional addition (≤ 4 characters)."""

    number: int
    letter: str = ""
    addition: str = ""

    def __str__(self) -> str:
        text = f"{self.number}{self.letter}"
        return f"{text}-{self.addition}" if self.addition else text


@dataclass(frozen=True)
class Address:
    """A parsed address. ``postcode`` is ``"1234 AB"`` or empty; ``place`` may be empty."""

    street: str
    house_number: HouseNumber
    postcode: str = ""
    place: str = ""


def normalize_postcode(text: str) -> str:
    """Return a Dutch postcode as ``"1234 AB"``; empty input gives ``""``.

    >>> normalize_postcode(" 6166ab ")
    '6166 AB'
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        return ""
    match = _POSTCODE.match(cleaned)
    if match is None or match.group(2).upper() in _FORBIDDEN_POSTCODE_LETTERS:
        msg = f"postcode {text.strip()!r} is geen geldige Nederlandse postcode (zoals 6166 AB)"
        raise ValueError(msg)
    return f"{match.group(1)} {match.group(2).upper()}"


def parse_house_number(text: str) -> HouseNumber:
    """Parse ``12``, ``12a``, ``12 A``, ``12-2``, ``12 bis``, ``12a-1``, ``12 hs``.

    A single letter right after the number is the BAG huisletter; anything else (up to four
    letters or digits) is the toevoeging. A floor word is read as its usual short toevoeging
    (``18 boven`` -> ``18-BOV``, ``3 beneden`` -> ``3-BEN``); other longer words are refused.
    """
    cleaned = " ".join(text.split())
    match = _NUMBER_PART.match(cleaned)
    if match is None:
        msg = f"huisnummer ontbreekt of is geen getal: {text.strip()!r}"
        raise ValueError(msg)
    number = int(match.group(1))
    if number == 0:
        msg = f"huisnummer 0 bestaat niet: {text.strip()!r}"
        raise ValueError(msg)
    rest = match.group(2).strip(" -/")
    if not rest:
        return HouseNumber(number)
    letter, word = _floor_word(rest)
    if word:
        return HouseNumber(number, letter, word)
    floor = _FLOOR_NUMBER.fullmatch(rest)
    if floor is not None:
        return HouseNumber(number, (floor.group(1) or "").upper(), floor.group(2))
    letter_match = _LETTER_AND_ADDITION.match(rest)
    if letter_match is not None and (len(rest) == 1 or not _ADDITION.match(rest)):
        return HouseNumber(
            number, letter_match.group(1).upper(), (letter_match.group(2) or "").upper()
        )
    if _ADDITION.match(rest):
        return HouseNumber(number, "", rest.upper())
    msg = f"toevoeging {rest!r} bij huisnummer {number} is niet te lezen (maximaal 4 tekens)"
    raise ValueError(msg)


def _floor_word(rest: str) -> tuple[str, str]:
    """``("", "BOV")`` for ``"boven"``, ``("A", "BOV")`` for ``"a boven"``; else ``("", "")``."""
    match = _FLOOR_WORD.fullmatch(rest)
    if match is None or match.group(2).casefold() not in _ADDITION_WORDS:
        return "", ""
    return (match.group(1) or "").upper(), _ADDITION_WORDS[match.group(2).casefold()]


def read_house_number(number: object, letter: str = "", addition: str = "") -> HouseNumber | None:
    """The house number of a table row's cells, or ``None`` where the number is missing or
    unreadable.

    ``number`` as a table may hold it: ``12``, ``12.0``, ``"12"``, ``"12a-1"``, NaN or ``None``.
    ``letter`` and ``addition``, the row's own cells, fold as names do and take the place of
    the letter and addition written in ``number``. A whole number that a spreadsheet or a
    number column wrote with decimals (``12.0``, ``"1.00"``) counts without them, in any cell.
    """
    try:
        parsed = parse_house_number(_cell(number))
    except ValueError:
        return None
    letter, addition = (
        normalize_name(_cell(letter)).upper(),
        normalize_name(_cell(addition)).upper(),
    )
    return HouseNumber(parsed.number, letter or parsed.letter, addition or parsed.addition)


def _cell(value: object) -> str:
    """A table cell as text; a whole number written with decimals without them."""
    text = str(value).strip()
    whole = _WHOLE_WITH_DECIMALS.fullmatch(text)
    return whole.group(1) if whole else text


def split_house_number(letter_or_addition: str) -> tuple[str, str]:
    """Split a separate huisletter/toevoeging cell such as ``"a"``, ``"bis"`` or ``"A-2"``."""
    rest = " ".join(letter_or_addition.split()).strip(" -/")
    if not rest:
        return "", ""
    parsed = parse_house_number(f"1 {rest}")
    return parsed.letter, parsed.addition


def parse_address(text: str) -> Address:
    """Parse a one-cell address such as ``"Kerkstraat 12a, 6166 AB Geleen"``.

    Street and house number are required; postcode and place are optional. The house number is
    the last word that starts with a digit, so streets with digits ("Plein 1944 12") work.
    """
    cleaned = " ".join(re.sub(r"\s*[\r\n]+\s*", ", ", text.strip()).split())  # a line: a comma
    if not cleaned:
        msg = "adres is leeg"
        raise ValueError(msg)
    postcode, place = "", ""
    match = _POSTCODE_IN_TEXT.search(cleaned)
    if match is not None and match.start() > 0:
        postcode = normalize_postcode(match.group(0))
        place = cleaned[match.end() :].strip(" ,")
        cleaned = cleaned[: match.start()].strip(" ,")
    parts = cleaned.split(",")
    # The house number ends the first comma-separated stretch that has one; the rest is the place.
    for end in range(1, len(parts) + 1):
        try:
            street, number_text = _split_street_and_number(
                ",".join(parts[:end]).strip(), original=text
            )
            house_number = parse_house_number(number_text)
        except ValueError:
            continue
        place = place or ",".join(parts[end:]).strip(" ,")
        return Address(street, house_number, postcode, place)
    after = _PLACE_AFTER_NUMBER.search(cleaned)
    if after is not None:
        msg = (
            f"adres {text.strip()!r} is niet te lezen: na het laatste getal staat "
            f"{after.group(1).strip()!r}, geen toevoeging. Staat daar de woonplaats, zet er dan "
            "een komma voor; ontbreekt het huisnummer, vul het aan"
        )
        raise ValueError(msg)
    msg = f"geen straat met huisnummer te vinden in adres {text.strip()!r}"
    raise ValueError(msg)


def _split_street_and_number(text: str, *, original: str) -> tuple[str, str]:
    words = text.split(" ")
    for last in range(len(words) - 1, 0, -1):
        if words[last][:1].isdigit():
            index = _number_start(words, last)
            street_words = words[:index]
            if len(street_words) > 1 and street_words[-1].casefold() in _NUMBER_WORDS:
                street_words = street_words[:-1]  # "Kerkstraat nr. 12"
            if street_words:
                return " ".join(street_words).strip(" ,"), " ".join(words[index:])
    glued = _GLUED_NUMBER.match(text)
    if glued is not None:
        return glued.group(1).strip(" ,"), glued.group(2)
    msg = f"geen straat met huisnummer te vinden in adres {original.strip()!r}"
    raise ValueError(msg)


def _number_start(words: list[str], last: int) -> int:
    """Where the house number begins, given ``last``, the last word that starts with a digit:
    there, or at the number before it when ``last`` is that number's floor ("Kerkstraat 12
    2hg") or its addition after a letter ("Kerkstraat 12 A 3"). A street may end in a number
    ("Plein 1944 12", "Wijk 2 12" in Urk): two plain numbers are a street's and a house
    number, so "Kerkstraat 12 2" needs its toevoeging written "12-2"."""
    letter_between = last >= 3 and len(words[last - 1]) == 1 and words[last - 1].isalpha()
    if letter_between and _NUMBER_WITH_LETTER.fullmatch(words[last - 2]):
        return last - 2
    if last < 2:
        return last
    floor = _FLOOR_ONLY.fullmatch(" ".join(words[last:]))
    if floor is not None and _NUMBER_WITH_LETTER.fullmatch(words[last - 1]):
        return last - 1
    return last


@lru_cache(maxsize=65_536)  # registers repeat few street and place names many times
def addition_reading(address: Address) -> Address | None:
    """ "Kerkstraat 12 2" read the other way: street Kerkstraat, number 12, addition 2 (the
    floor). ``None`` when the street does not end in a number of at most three digits, or the
    house number has a letter or addition. Which reading is right only the register can tell:
    Urk's "Wijk 2 12" is street "Wijk 2", number 12."""
    number = address.house_number
    *street, last = address.street.split() or [""]
    if number.letter or number.addition or not street or not (last.isdigit() and len(last) <= 3):
        return None
    return Address(
        " ".join(street), HouseNumber(int(last), addition=str(number.number)),
        address.postcode, address.place,
    )  # fmt: skip


def normalize_name(text: str) -> str:
    """Fold a street or place name for matching: no accents, case, punctuation or spacing."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_FOLDED.sub("", ascii_text.casefold())


def postcode_key(postcode: str, house_number: HouseNumber) -> str:
    """Match key on postcode and full house number: ``"6166AB|12|A|"``."""
    return "|".join(
        (
            postcode.replace(" ", ""),
            str(house_number.number),
            house_number.letter,
            house_number.addition,
        )
    )


def street_key(street: str, house_number: HouseNumber, place: str) -> str:
    """Match key on street, full house number and place: ``"kerkstraat|12|A||geleen"``."""
    return "|".join(
        (
            normalize_name(street),
            str(house_number.number),
            house_number.letter,
            house_number.addition,
            normalize_name(place),
        )
    )
