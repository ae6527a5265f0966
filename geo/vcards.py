"""vCards (version 3.0, as phones import them) of a group's members and of the beheerders.

The beheerder imports an area's file on the phone and adds the members to the WhatsApp group
from the phone's contacts. Built with vobject, which escapes commas, semicolons and line breaks
as RFC 2426 requires and folds long lines, rather than with string templates.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import phonenumbers
import vobject

from geo.outputs import replacing

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


def name_parts(full_name: str) -> tuple[str, str]:
    """(given, family) of a Dutch full name: the first word, and the rest with its tussenvoegsel.

    >>> name_parts("Anna van den Berg")
    ('Anna', 'van den Berg')
    >>> name_parts("Kurvers")
    ('', 'Kurvers')
    """
    words = full_name.split()
    if len(words) < 2:
        return "", full_name.strip()
    return words[0], " ".join(words[1:])


@cache
def phone_kind(phone: str) -> str:
    """The vCard TEL type of an E.164 number: ``CELL`` for mobiles, ``VOICE`` for the rest."""
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


def vcard(contact: Contact) -> str:
    """One vCard 3.0 (CRLF line ends) for ``contact``."""
    return str(_card(contact).serialize())


def vcards(contacts: Iterable[Contact]) -> str:
    """The vCards of ``contacts`` one after the other, exactly as :func:`vcard` writes each.

    Building a vobject card costs as much as serialising it, so a card of the same shape
    (the same optional properties present) is built once and refilled for the next contact.
    """
    shapes: dict[tuple[bool, ...], vobject.base.Component] = {}
    parts = []
    for contact in contacts:
        shape = _shape(contact)
        card = shapes.get(shape)
        if card is None:
            card = shapes[shape] = _card(contact)
        else:
            _fill(card, contact)
        parts.append(str(card.serialize()))
    return "".join(parts)


def _shape(contact: Contact) -> tuple[bool, ...]:
    has_address = bool(contact.street or contact.postcode or contact.place)
    return (has_address, bool(contact.email), bool(contact.role), bool(contact.note),
            bool(contact.categories))  # fmt: skip


def _fill(card: vobject.base.Component, contact: Contact) -> None:
    """Put ``contact`` into a card built by :func:`_card` for a contact of the same shape."""
    has_address, has_email, has_role, has_note, has_categories = _shape(contact)
    card.uid.value = _uid(contact)
    given, family = name_parts(contact.name)
    card.n.value = vobject.vcard.Name(family=family, given=given)
    card.fn.value = contact.name.strip() or contact.phone
    card.tel.value = contact.phone
    card.tel.type_param = phone_kind(contact.phone)
    if has_address:
        card.adr.value = vobject.vcard.Address(
            street=contact.street, code=contact.postcode, city=contact.place
        )
    if has_email:
        card.email.value = contact.email
    if has_role:
        card.title.value = contact.role
    if has_note:
        card.note.value = contact.note
    if has_categories:
        card.categories.value = list(contact.categories)


def _uid(contact: Contact) -> str:
    return str(uuid.uuid5(_UID_SPACE, contact.phone or contact.name))


def _card(contact: Contact) -> vobject.base.Component:
    card = vobject.vCard()
    card.add("version").value = "3.0"
    card.add("uid").value = _uid(contact)
    given, family = name_parts(contact.name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    card.add("fn").value = contact.name.strip() or contact.phone
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
