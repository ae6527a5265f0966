"""vCards (version 3.0, as phones import them) of a group's members and of the beheerders.

The beheerder imports an area's file on the phone and adds the members to the WhatsApp group
from the phone's contacts. The format is vobject's: :func:`vobject_vcard` builds a card with
vobject (which escapes commas, semicolons and line breaks as RFC 2426 requires and folds long
lines), and :func:`vcard` writes exactly the same text for a fixed shape of card without
building vobject's objects, about forty times faster (vobject costs 0.8 ms a card, a third of a
10,000-member pack). The tests hold the two to the same text for arbitrary contacts (escaping,
folding inside multi-byte letters) and read every written card back with vobject.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import phonenumbers
import vobject

from geo.outputs import replacing

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_UID_SPACE = uuid.UUID("5b0c3e4e-1a51-4f43-9a76-6a6f62776170")  # this tool's vCard UIDs


@dataclass(frozen=True)
class Contact:
    """One person as a vCard shows them."""

    name: str
    phone: str  # E.164
    street: str = ""  # street and house number
    postcode: str = ""
    place: str = ""
    email: str = ""
    note: str = ""
    categories: tuple[str, ...] = ()
    role: str = ""  # e.g. "Beheerder"


_TUSSENVOEGSELS = frozenset(
    {"van", "de", "den", "der", "ter", "ten", "te", "het", "'t", "in", "op", "la", "le", "du",
     "da", "di", "von", "zu", "vd", "v.d."}
)  # fmt: skip


def _particles(words: list[str]) -> bool:
    """Whether every word is a tussenvoegsel ("van den"), in any case."""
    return all(word.casefold() in _TUSSENVOEGSELS for word in words)


def name_parts(full_name: str) -> tuple[str, str]:
    """(given, family) of a Dutch full name: the first word, and the rest with its tussenvoegsel.

    >>> name_parts("Anna van den Berg")
    ('Anna', 'van den Berg')
    >>> name_parts("Kurvers")
    ('', 'Kurvers')
    >>> name_parts("Berg, Anna van den")  # as a register or a form lists it: family first
    ('Anna', 'van den Berg')
    """
    family, comma, given = full_name.partition(",")
    words = given.split()
    if comma and family.strip() and words and "," not in given:
        if _particles(words):  # "Berg, van den": a family name only
            return "", " ".join([*words, *family.split()])
        cut = len(words)
        while cut > 1 and _particles(words[cut - 1 :]):  # "Anna van den": the tussenvoegsel
            cut -= 1
        return " ".join(words[:cut]), " ".join([*words[cut:], *family.split()])
    words = full_name.strip(" ,").split()
    if len(words) < 2:
        return "", " ".join(words)
    return words[0], " ".join(words[1:])


@cache
def phone_kind(phone: str) -> str:
    """The vCard TEL type of an E.164 number: ``CELL`` for mobiles, ``VOICE`` for the rest."""
    number = _e164_number(phone)
    if number is None:
        try:
            number = phonenumbers.parse(phone, None)
        except phonenumbers.NumberParseException:
            return "VOICE"
    kind = phonenumbers.number_type(number)
    mobile = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    return "CELL" if kind in mobile else "VOICE"


def _e164_number(phone: str) -> phonenumbers.PhoneNumber | None:
    """``phone`` (E.164, as intake stores it) split into country code and national number
    without phonenumbers' general parser (which costs twice the type check); ``None`` for
    anything else, and for a national number with a leading zero (Italy), left to the parser.
    """
    if not _E164.fullmatch(phone):
        return None
    for digits in (1, 2, 3):  # country codes are prefix-free: the first match is the one
        code = int(phone[1 : 1 + digits])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            national = phone[1 + digits :]
            if not national or national.startswith("0"):
                return None
            return phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    return None


def vcard(contact: Contact) -> str:
    """One vCard 3.0 (CRLF line ends) for ``contact``: the text vobject writes for it
    (:func:`vobject_vcard`), character for character, about forty times faster.

    Properties in vobject's order (VERSION, UID, then by name), values escaped as RFC 2426
    §4 asks (backslash, comma, semicolon, line breaks) and lines folded where vobject folds
    them: a line of 75 characters or more at 75 octets, never inside a UTF-8 sequence.
    """
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"UID:{_escape(_uid(contact))}"]
    if contact.street or contact.postcode or contact.place:
        # ADR: post office box; extended address; street; locality; region; postal code; country
        fields = ("", "", contact.street, contact.place, "", contact.postcode, "")
        lines.append("ADR;TYPE=HOME:" + ";".join(_escape(f) for f in fields))
    if contact.categories:
        lines.append("CATEGORIES:" + ",".join(_escape(c) for c in contact.categories))
    if contact.email:
        lines.append(f"EMAIL;TYPE=INTERNET:{_escape(contact.email)}")
    lines.append(f"FN:{_escape(_formatted_name(contact))}")
    given, family = name_parts(contact.name)
    lines.append(f"N:{_escape(family)};{_escape(given)};;;")  # family; given; additional; ...
    if contact.note:
        lines.append(f"NOTE:{_escape(contact.note)}")
    lines.append(f"TEL;TYPE={phone_kind(contact.phone)}:{_escape(contact.phone)}")
    if contact.role:
        lines.append(f"TITLE:{_escape(contact.role)}")
    lines.append("END:VCARD")
    return "".join(_fold(line) for line in lines)


def vcards(contacts: Iterable[Contact]) -> str:
    """The vCards of ``contacts`` one after the other, exactly as :func:`vcard` writes each."""
    return "".join(vcard(contact) for contact in contacts)


_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n", "\r": "\\n"})
FOLD_AT = 75  # octets per line (RFC 2426 §2.6 folds at 75)


def _escape(text: str) -> str:
    """RFC 2426 text escaping as vobject does it (a CR LF pair becomes one ``\\n``)."""
    return text.replace("\r\n", "\n").translate(_ESCAPES)


def _fold(line: str) -> str:
    """``line`` with CR LF, folded as vobject folds (``vobject.base.foldOneLine``)."""
    if len(line) < FOLD_AT:
        return line + "\r\n"
    if line.isascii():
        parts = [line[:FOLD_AT]]
        parts.extend(line[n : n + FOLD_AT - 1] for n in range(FOLD_AT, len(line), FOLD_AT - 1))
        return "\r\n ".join(parts) + "\r\n"
    out, used = [], 0
    for char in line:
        size = len(char.encode("utf-8"))
        if used + size > FOLD_AT:
            out.append("\r\n ")
            used = 1  # the space that starts the continuation line
        out.append(char)
        used += size
    return "".join(out) + "\r\n"


def _formatted_name(contact: Contact) -> str:
    return contact.name.strip() or contact.phone


def _uid(contact: Contact) -> str:
    return str(uuid.uuid5(_UID_SPACE, contact.phone or contact.name))


def vobject_vcard(contact: Contact) -> str:
    """The reference: ``contact`` built and serialised by vobject. :func:`vcard` writes the
    same text (the tests hold them to it); this one costs about 0.8 ms a card."""
    return str(_vobject_card(contact).serialize())


def _vobject_card(contact: Contact) -> vobject.base.Component:
    card = vobject.vCard()
    card.add("version").value = "3.0"
    card.add("uid").value = _uid(contact)
    given, family = name_parts(contact.name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    card.add("fn").value = _formatted_name(contact)
    tel = card.add("tel")
    tel.value = contact.phone
    tel.type_param = phone_kind(contact.phone)
    if contact.street or contact.postcode or contact.place:
        adr = card.add("adr")
        adr.value = vobject.vcard.Address(
            street=contact.street, code=contact.postcode, city=contact.place
        )
        adr.type_param = "HOME"
    if contact.email:
        email = card.add("email")
        email.value = contact.email
        email.type_param = "INTERNET"
    if contact.role:
        card.add("title").value = contact.role
    if contact.note:
        card.add("note").value = contact.note
    if contact.categories:
        card.add("categories").value = list(contact.categories)
    return card


def write_vcards(contacts: Iterable[Contact], path: Path) -> Path:
    """All ``contacts`` in one ``.vcf`` file (UTF-8), owner-only: it holds personal data."""
    text = vcards(contacts)
    with replacing(path, private=True) as temporary:
        temporary.write_bytes(text.encode("utf-8"))
    return path
