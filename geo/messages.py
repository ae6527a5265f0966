"""Member messages, composed: what a member of an operational group is told, and in which form.

Pure: no store, no network, no disk. From a :class:`Member` and their :class:`Group` it makes
the Dutch message (:func:`compose`), its e-mail or ``.eml`` draft (:func:`email_message`,
:func:`draft_bytes`) and the WhatsApp links (:func:`wa_link`, :func:`links_html`,
:func:`links_csv`). Reading the store, sending and writing files is :mod:`geo.notify`.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formataddr, formatdate
from urllib.parse import quote

import phonenumbers

from geo.errors import GeoError
from geo.pack import GROUP_NAME_MAX, RULES
from geo.tables import escape_formula

EMAIL = "e-mail"
EML = "eml"
WHATSAPP = "whatsapp"
NO_CHANNEL = "geen"  # neither an e-mail address nor a mobile number
CHANNEL_LABELS = {
    EMAIL: "e-mail",
    EML: "e-mailconcept",
    WHATSAPP: "WhatsApp-link",
    NO_CHANNEL: "geen (bel of breng een brief)",
}
NO_BEHEERDER = "nog geen beheerder"
_EMAIL = re.compile(r"[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+\.[A-Za-z0-9-]{2,}")


class NotifyError(GeoError):
    """Messages cannot be composed or sent (area not operational, SMTP unreachable, ...)."""


# --- what a message is made of -------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A beheerder or co-beheerder as the members see them."""

    name: str
    phone: str


@dataclass(frozen=True)
class Group:
    """An operational area as its members' message describes it."""

    area_id: int
    name: str  # the WhatsApp group's name
    wijk: str
    streets: tuple[str, ...]
    beheerder: Person | None
    co_beheerders: tuple[Person, ...]
    invite_link: str
    beheerder_id: int | None = None
    co_beheerder_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Member:
    """One member to message; ``channel`` is how (e-mail, whatsapp, or none)."""

    applicant_id: int
    area_id: int
    name: str
    phone: str  # E.164
    email: str
    added: bool
    channel: str


@dataclass(frozen=True)
class Message:
    """A composed message: who, how, subject and body, and its stable Message-ID."""

    member: Member
    subject: str
    body: str
    message_id: str


def valid_email(text: str) -> bool:
    """Whether ``text`` is one plain e-mail address (no name, no list, no header tricks)."""
    return bool(_EMAIL.fullmatch(text.strip()))


def is_mobile(phone: str) -> bool:
    """Whether an E.164 number can have WhatsApp (a mobile or a number that may be one)."""
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return False
    kinds = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
    return phonenumbers.number_type(parsed) in kinds


def channel_for(email: str, phone: str) -> str:
    """E-mail when there is a usable address, else WhatsApp for a mobile, else none."""
    if valid_email(email):
        return EMAIL
    if phone and is_mobile(phone):
        return WHATSAPP
    return NO_CHANNEL


def readable_phone(phone: str) -> str:
    """``+31612345678`` -> ``+31 6 12345678`` (as people read it)."""
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def group_name(wijk: str, area_id: int, name: str) -> str:
    """The group's name as the beheerder pack gives it (``BuurtWhatsApp <wijk> <N> – <name>``)."""
    text = f"BuurtWhatsApp {wijk} {area_id}" + (f" – {name}" if name else "")
    return text if len(text) <= GROUP_NAME_MAX else text[: GROUP_NAME_MAX - 1] + "…"


# --- composing -----------------------------------------------------------------------------


def compose(member: Member, group: Group, *, message_id: str) -> Message:
    """The member's message in Dutch: subject and plain-text body."""
    subject = f"BuurtWhatsApp {group.wijk}: uw groep (gebied {group.area_id}) is gestart"
    lines = [
        f"Beste {member.name},",
        "",
        "U meldde zich aan voor de BuurtWhatsApp. Uw groep is nu operationeel:",
        f"  {group.name}",
        "",
    ]
    own = member.applicant_id == group.beheerder_id
    if own:  # the beheerder made the group: nobody adds them
        lines.append("U bent de beheerder van deze groep. Dank u wel daarvoor!")
    else:
        if member.applicant_id in group.co_beheerder_ids:
            lines.append("U bent co-beheerder van deze groep. Dank u wel daarvoor!")
        lines += _how_to_join(member, group)
    lines.append("")
    if group.streets:
        lines.append(f"De groep is voor de straten: {', '.join(group.streets)}.")
    if group.beheerder is not None:
        lines.append(
            f"Beheerder: {group.beheerder.name}, {readable_phone(group.beheerder.phone)}".rstrip(
                ", "
            )
        )
    else:
        lines.append(f"Beheerder: {NO_BEHEERDER}; het wijkplatform zoekt er een.")
    for person in group.co_beheerders:
        lines.append(f"Co-beheerder: {person.name}, {readable_phone(person.phone)}".rstrip(", "))
    contact = "de beheerder" if group.beheerder is not None else "het wijkplatform"
    if not own:
        lines.append(
            f"Vragen over de groep, of wilt u niet meer meedoen? Neem contact op met {contact}."
        )
    lines += ["", "Spelregels van de BuurtWhatsApp:"]
    lines += [f"- {rule}" for rule in RULES]
    lines += [
        "",
        "Bij spoed of nood: bel altijd eerst 112.",
        "",
        "Met vriendelijke groet,",
        f"Wijkplatform {group.wijk}",
    ]
    return Message(member, subject, "\n".join(lines) + "\n", message_id)


def _how_to_join(member: Member, group: Group) -> list[str]:
    """How a member who did not make the group gets in: added already, by the invite link, or
    by the beheerder (once there is one)."""
    if member.added:
        found = "U bent al aan de groep toegevoegd; u vindt hem in WhatsApp."
        link = f"Ziet u de groep niet? Doe dan mee via deze link: {group.invite_link}"
        return [found, link] if group.invite_link else [found]
    if group.invite_link:
        return [f"Doe mee via deze uitnodigingslink: {group.invite_link}"]
    if group.beheerder is not None:
        return ["De beheerder voegt u binnenkort toe aan de groep."]
    return ["Zodra de groep een beheerder heeft, voegt die u toe aan de groep."]


def stable_message_id(project_key: str, area_id: int, applicant_id: int, domain: str) -> str:
    """A Message-ID that is the same every time this member of this area is messaged.

    A second copy after a crash (see :mod:`geo.notify`) then carries the same Message-ID,
    which mail programs recognise as the same message. No personal data: a hash of ids.
    """
    digest = hashlib.sha256(f"{project_key}|{area_id}|{applicant_id}".encode()).hexdigest()
    return f"<bwa.{digest[:24]}@{domain or 'buurtwhatsapp.invalid'}>"


def email_message(message: Message, *, sender: str, sender_name: str = "") -> EmailMessage:
    """The message as an RFC 5322 e-mail (UTF-8, ``policy.default``)."""
    member = message.member
    mail = EmailMessage(policy=default_policy)
    mail["From"] = formataddr((sender_name, sender)) if sender_name else sender
    mail["To"] = formataddr((member.name, member.email.strip()))
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = message.message_id
    mail.set_content(message.body)
    return mail


def draft_bytes(message: Message, *, sender: str = "", sender_name: str = "") -> bytes:
    """An ``.eml`` draft: opened in a mail program it is ready to send (``X-Unsent: 1``)."""
    mail = email_message(message, sender=sender or "", sender_name=sender_name)
    if not sender:
        del mail["From"]
    mail["X-Unsent"] = "1"
    return mail.as_bytes(policy=default_policy)


def wa_link(phone: str, text: str) -> str:
    """``https://wa.me/<E.164 digits>?text=<text>``: opens a chat with the text ready to send."""
    digits = re.sub(r"\D", "", phone)
    if not phone.startswith("+") or not 8 <= len(digits) <= 15:
        msg = "geen internationaal telefoonnummer (E.164) voor een WhatsApp-link"
        raise NotifyError(msg)
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


def whatsapp_text(message: Message) -> str:
    """The text a beheerder sends by WhatsApp: the subject as its first line, then the body."""
    return f"*{message.subject}*\n\n{message.body}"


def links_html(messages: Sequence[Message], *, title: str) -> str:
    """A page with one tap-to-send WhatsApp link per member (for the beheerder's phone)."""
    rows = "\n".join(
        f'<li><a href="{html.escape(wa_link(m.member.phone, whatsapp_text(m)))}">'
        f"{html.escape(m.member.name)}</a> ({html.escape(readable_phone(m.member.phone))})</li>"
        for m in messages
    )
    return (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)}</title></head><body>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        "<p>Tik op een naam: WhatsApp opent met het bericht klaar; tik dan op versturen. "
        "Deze lijst bevat persoonsgegevens: alleen voor de beheerder, verwijder hem daarna.</p>\n"
        f"<ol>\n{rows}\n</ol>\n</body></html>\n"
    )


def links_csv(messages: Sequence[Message]) -> str:
    """The same links as CSV (``lid;naam;telefoon;link``), spreadsheet formulas escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["lid", "naam", "telefoon", "link"])
    for m in messages:
        cells = [m.member.applicant_id, m.member.name, m.member.phone,
                 wa_link(m.member.phone, whatsapp_text(m))]  # fmt: skip
        writer.writerow([escape_formula(c) for c in cells])
    return buffer.getvalue()
