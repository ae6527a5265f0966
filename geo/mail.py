"""Sign-ups from e-mail: an mbox, one ``.eml`` or a folder of ``.eml`` files -> candidate rows.

The rows have the column names the intake recognises (``Naam``, ``Adres``, ``Telefoon``, …)
and go through the same rules as a spreadsheet (:func:`geo.intake.validate_rows`). Every row
says where it came from (``Bericht-ID``, ``Datum bericht``, ``Afzender``, ``Onderwerp``); every
message read gives at least one row: a message that is no sign-up gives a row without person
fields, which the intake refuses with "geen aanmelding herkend" (a sign-off, "ik wil me
afmelden", with :data:`SIGN_OFF_REMARK`); a message with two people gives two rows. A later
message from the same sender that corrects a field ("mijn juiste nummer is …") replaces the
earlier value, unless it names someone else (then it is a new sign-up); the earlier one is
kept in ``Historie``. "Zelfde adres" gives a person without one the sender's earlier address.

MIME is read by the standard :mod:`email` package (parsed with ``policy.compat32`` for speed,
only the headers needed decoded, the body chosen as ``EmailMessage.get_body`` does):
multipart/alternative, HTML-only mail (converted to text by :class:`html.parser.HTMLParser`),
quoted-printable and base64, legacy charsets (a declared ISO-8859-1 is read as its superset Windows-1252, an unknown
or wrong charset as UTF-8 or else Windows-1252) and encoded headers. Formats are recognised by
content, not by extension. The message body is only kept in the ``Bericht`` column (so that a
refused sign-up can be checked against it); nothing of it is logged.
"""

from __future__ import annotations

import base64
import binascii
import email.quoprimime
import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

from geo.errors import InputFileError
from geo.mail_extract import (
    QUESTION_REMARK,
    Person,
    Segment,
    extract_people,
    is_correction,
    is_question,
    is_sign_off,
    is_signup,
    split_text,
)
from geo.tables import decode_text, strip_format_chars
from geo.wording import counted, noun

HEADER = (
    "Naam", "Adres", "Postcode", "Woonplaats", "Leeftijd", "Geboortedatum", "Telefoon", "E-mail",
    "Beheerder", "Controleren", "Historie", "Bericht-ID", "Datum bericht", "Afzender",
    "Onderwerp", "Bericht",
)  # fmt: skip
_FIELDS = ("naam", "adres", "postcode", "woonplaats", "leeftijd", "geboortedatum", "telefoon",
           "email", "beheerder")  # fmt: skip
_FIELD_LABELS = {"naam": "naam", "adres": "adres", "postcode": "postcode",
                 "woonplaats": "woonplaats", "leeftijd": "leeftijd",
                 "geboortedatum": "geboortedatum", "telefoon": "telefoonnummer",
                 "email": "e-mailadres", "beheerder": "beheerder"}  # fmt: skip
SIGN_OFF_REMARK = "afmelding, geen aanmelding: haal deze persoon uit de groep als die er al in zit"
_SAME_ADDRESS = re.compile(r"\b(?:(?:het\s*)?zelfde|hetzelfde)\s+adres\b|\bsame\s+address\b", re.I)
_NEGATION_BEFORE = re.compile(r"\b(?:niet|geen|not|nicht)\b(?:\s+(?:op|aan|in|at|on))?\s*$", re.I)
BODY_LIMIT = 2000  # characters of the sender's own text kept beside a row
_HEADER_NAME = re.compile(rb"^([!-9;-~]+):", re.MULTILINE)
_MESSAGE_HEADERS = frozenset(
    {b"date", b"subject", b"message-id", b"mime-version", b"received", b"to", b"return-path",
     b"delivered-to", b"x-gmail-labels", b"content-type"}
)  # fmt: skip
_MBOX_FROM = re.compile(rb"^From \S*.*$", re.MULTILINE)
_MBOX_SPLIT = re.compile(rb"(?:\A|\r?\n\r?\n|\r?\n(?=From ))From [^\r\n]*\r?\n")
_MBOXRD = re.compile(rb"^>(>*From )", re.MULTILINE)
_FOLDER_LIMIT = 100_000


@dataclass(frozen=True)
class MailMessage:
    """One e-mail as the sign-up reader needs it; ``text`` is the body as plain text."""

    message_id: str
    date: datetime | None
    sender_name: str
    sender_address: str
    subject: str
    text: str

    @property
    def sender(self) -> str:
        """``"Name <address>"`` or whichever of the two is known."""
        if self.sender_name and self.sender_address:
            return f"{self.sender_name} <{self.sender_address}>"
        return self.sender_name or self.sender_address

    @property
    def date_text(self) -> str:
        """The date as ``2024-05-03 10:15`` (the sender's local time), or empty."""
        return self.date.strftime("%Y-%m-%d %H:%M") if self.date else ""


# --- recognising and reading files ---------------------------------------------------------------


def looks_like_message(data: bytes) -> bool:
    """Whether ``data`` starts with an RFC 5322 header block with ``From`` and another header."""
    head = data[:8192].lstrip()
    if head.startswith(b"From ") and not head.startswith(b"From:"):
        head = head.split(b"\n", 1)[1] if b"\n" in head else b""
    block = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    first = block.split(b"\n", 1)[0]
    if not _HEADER_NAME.match(first):
        return False
    names = {m.group(1).lower() for m in _HEADER_NAME.finditer(block)}
    return b"from" in names and bool(names & _MESSAGE_HEADERS)


def is_mbox(data: bytes) -> bool:
    """An mbox starts with a ``From `` separator line followed by a message."""
    return data.lstrip()[:5] == b"From " and looks_like_message(data)


def is_mail_source(path: Path) -> bool:
    """Whether ``path`` is an mbox, a single e-mail or a folder holding e-mails (by content)."""
    if path.is_dir():
        return any(_is_mail_file(p) for p in _folder_files(path))
    return path.is_file() and _is_mail_file(path)


def _is_mail_file(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return looks_like_message(handle.read(8192))
    except OSError:
        return False


def _folder_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    return files[:_FOLDER_LIMIT]


def read_messages(path: Path) -> tuple[list[MailMessage], list[str]]:
    """Every message of an mbox, an ``.eml`` or a folder of them, and notes for the planner."""
    notes: list[str] = []
    if path.is_dir():
        messages: list[MailMessage] = []
        skipped = []
        for file in _folder_files(path):
            data = file.read_bytes()
            if not looks_like_message(data):
                skipped.append(file.name)
                continue
            messages.extend(parse_mail_bytes(data))
        if skipped:
            shown = ", ".join(skipped[:5]) + (" …" if len(skipped) > 5 else "")
            notes.append(
                f"{counted(len(skipped), 'bestand', 'bestanden')} in de map "
                f"{noun(len(skipped), 'is', 'zijn')} geen e-mail: {shown}"
            )
        return messages, notes
    if not path.exists():
        msg = f"bestand niet gevonden: {path}"
        raise InputFileError(msg)
    return parse_mail_bytes(path.read_bytes()), notes


def parse_mail_bytes(data: bytes) -> list[MailMessage]:
    """The messages in ``data``: an mbox (several) or one message."""
    if is_mbox(data):
        return [parse_message(part) for part in split_mbox(data) if part.strip()]
    return [parse_message(data)]


def split_mbox(data: bytes) -> list[bytes]:
    """The raw messages of an mbox (mboxrd ``>From`` escapes undone)."""
    parts = _MBOX_SPLIT.split(data.lstrip())
    return [_MBOXRD.sub(rb"\1", part) for part in parts if part.strip()]


def write_mbox(messages: Iterable[bytes], path: Path) -> None:
    """Write raw messages as an mboxrd file (used to hand IMAP mail to the intake)."""
    with path.open("wb") as handle:
        for raw in messages:
            body = re.sub(rb"^(>*From )", rb">\1", raw.replace(b"\r\n", b"\n"), flags=re.M)
            handle.write(b"From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n")
            handle.write(body.rstrip(b"\n") + b"\n\n")


# --- one message ----------------------------------------------------------------------------------


def parse_message(data: bytes) -> MailMessage:
    """Headers and plain text of one raw message; never raises for a malformed message.

    The message is parsed with ``policy.compat32`` (headers stay raw strings); only the five
    headers needed are decoded (RFC 2047 words, raw 8-bit as UTF-8 or Windows-1252). This reads
    a message about ten times faster than ``policy.default``, which builds a structured header
    object at every access (also behind each ``get_content_type``).
    """
    message = _PARSER.parsebytes(data)
    headers = _raw_headers(message)
    name, address = _sender_of(headers.get("from", ""))
    message_id = _decode_header(headers.get("message-id", "")).strip()
    if not message_id:
        message_id = f"<zonder-id-{hashlib.sha1(data).hexdigest()[:16]}@mail>"
    return MailMessage(
        message_id=message_id,
        date=_date(_decode_header(headers.get("date", ""))),
        sender_name=name,
        sender_address=address,
        subject=" ".join(_decode_header(headers.get("subject", "")).split()),
        text=message_text(message),
    )


_PARSER = BytesParser(policy=compat32)
_WANTED = frozenset({"from", "subject", "date", "message-id"})
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([qQbB])\?([^?]*)\?=")
_BETWEEN_WORDS = re.compile(r"(?<=\?=)\s+(?==\?)")


def _raw_headers(message: Message) -> dict[str, str]:
    """The first value of each wanted header, unfolded, 8-bit bytes decoded (not RFC 2047)."""
    found: dict[str, str] = {}
    for name, value in message.raw_items():
        key = name.lower()
        if key in _WANTED and key not in found and isinstance(value, str):
            found[key] = _FOLD.sub("", value).strip()
    return found


def _decode_header(value: str) -> str:
    """A raw header value as text: RFC 2047 encoded words decoded, raw 8-bit bytes (which the
    parser keeps as surrogates) read as UTF-8 or else Windows-1252, format characters removed."""
    if not value.isascii():
        try:
            raw = value.encode("ascii", "surrogateescape")
        except UnicodeEncodeError:
            raw = b""  # already text
        if raw:
            try:
                value = raw.decode("utf-8")
            except UnicodeDecodeError:
                value = raw.decode("cp1252", "replace")
    if "=?" in value:
        try:
            value = str(make_header(decode_header(value)))
        except (HeaderParseError, LookupError, UnicodeError, ValueError):
            value = _decode_words(value)
    return strip_format_chars(value)


def _decode_words(value: str) -> str:
    """Encoded words one by one, for a header the stdlib refuses (an unknown charset, bad
    base64): each word that can be read is, the rest stays as it was."""

    def word(match: re.Match[str]) -> str:
        charset, encoding, text = match.groups()
        try:
            if encoding in "qQ":
                data = email.quoprimime.header_decode(text).encode("latin-1")
            else:
                data = base64.b64decode(text + "=" * (-len(text) % 4))
        except (ValueError, binascii.Error):
            return match.group(0)
        try:
            return data.decode(charset.split("*")[0], "replace")
        except LookupError:
            return decode_text(data) if b"\x00" not in data else match.group(0)

    return _ENCODED_WORD.sub(word, _BETWEEN_WORDS.sub("", value))


def _sender_of(raw: str) -> tuple[str, str]:
    """Display name and address of a raw ``From`` value: the address list is split before the
    name is decoded (a decoded name may hold a comma)."""
    if not raw:
        return "", ""
    if "@" not in raw and "<" not in raw:
        decoded = _decode_header(raw)
        if "@" not in decoded:  # "From: Piet Jansen": a name without an address
            return " ".join(decoded.strip(" \"'").split()), ""
        raw = decoded  # the whole address inside an encoded word (not as RFC 2047 allows)
    pairs = getaddresses([raw])
    name, address = pairs[0] if pairs else parseaddr(raw)
    name = _decode_header(name)
    return " ".join(name.strip(" \"'").split()), _decode_header(address).strip()


def _date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None


def message_text(message: Message) -> str:
    """The body as plain text: text/plain, else HTML converted; attached messages appended as
    forwarded content."""
    body = _body(message, ("plain", "html"))
    text = ""
    if body is not None:
        text = _part_text(body)
        if body.get_content_type() == "text/html":
            text = html_to_text(text)
        elif not text.strip():
            html = _body(message, ("html",))
            text = html_to_text(_part_text(html)) if html is not None else ""
    for part in message.walk():
        if part.get_content_type() == "message/rfc822":
            attachments = part.get_payload() if part.is_multipart() else []
            for attached in attachments if isinstance(attachments, list) else []:
                if isinstance(attached, Message):
                    headers = _raw_headers(attached)
                    name, address = _sender_of(headers.get("from", ""))
                    text += (
                        "\n\n---------- Doorgestuurd bericht ---------\n"
                        f"Van: {name} <{address}>\n\n{message_text(attached)}"
                    )
    return strip_format_chars(text)


def _body(message: Message, preferences: tuple[str, ...]) -> Message | None:
    """The part to read as the body, as :meth:`email.message.EmailMessage.get_body` chooses it:
    depth first, the first part of the most preferred text subtype, attachments skipped, the
    root (``start``) of a multipart/related."""
    best_rank, best = len(preferences), None
    for rank, part in _body_candidates(message, preferences):
        if rank < best_rank:
            best_rank, best = rank, part
            if rank == 0:
                break
    return best


def _body_candidates(part: Message, preferences: tuple[str, ...]) -> Iterator[tuple[int, Message]]:
    if part.get_content_disposition() == "attachment":
        return
    maintype, subtype = part.get_content_type().split("/", 1)
    if maintype == "text":
        if subtype in preferences:
            yield preferences.index(subtype), part
        return
    if maintype != "multipart" or not part.is_multipart():
        return
    subparts = [p for p in part.get_payload() if isinstance(p, Message)]
    if subtype != "related":
        for subpart in subparts:
            yield from _body_candidates(subpart, preferences)
        return
    start = part.get_param("start")
    candidate = next((p for p in subparts if start and p.get("content-id") == start), None)
    if candidate is None and subparts:
        candidate = subparts[0]
    if candidate is not None:
        yield from _body_candidates(candidate, preferences)


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload() or "")
    charset = (part.get_content_charset() or "").lower()
    if charset in {"", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "iso8859-1"}:
        return decode_text(payload) if payload else ""  # UTF-8, else Windows-1252
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return decode_text(payload) if payload else ""


class _TextParser(HTMLParser):
    """HTML to text: block elements become line breaks, scripts and styles are dropped."""

    _BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
         "blockquote", "section", "article", "header", "footer", "hr", "dt", "dd", "pre"}
    )  # fmt: skip
    _SKIP = frozenset({"script", "style", "head", "title", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quote_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")
        if tag == "blockquote":
            self.quote_depth += 1
        elif tag in {"td", "th"}:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCKS and tag != "br":
            self.parts.append("\n")
        if tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        text = " ".join(data.split()) if not data.isspace() else " "
        if self.quote_depth and text.strip():
            text = "> " + text  # a quoted reply in HTML: read like "> " lines
        self.parts.append(text)


def html_to_text(html: str) -> str:
    """Plain text of an HTML body (the stdlib parser; see docs/decisions.md)."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- rows --------------------------------------------------------------------------------------


@dataclass
class _Row:
    person: Person
    message: MailMessage
    own_text: str
    history: list[str] = field(default_factory=list)

    def cells(self) -> list[str]:
        p = self.person
        return [
            p.naam, p.adres, p.postcode, p.woonplaats, p.leeftijd, p.geboortedatum, p.telefoon,
            p.email, p.beheerder, "; ".join(dict.fromkeys(p.checks)), "; ".join(self.history),
            self.message.message_id, self.message.date_text, self.message.sender,
            self.message.subject, self.own_text,
        ]  # fmt: skip


def message_rows(messages: Sequence[MailMessage], *, today: date | None = None) -> list[list[str]]:
    """The header and one row per person (at least one per message), oldest message first."""

    def when(index: int) -> float:
        moment = messages[index].date
        try:
            return moment.timestamp() if moment else 0.0
        except (OverflowError, ValueError, OSError):
            return 0.0

    rows: list[_Row] = []
    by_sender: dict[str, list[_Row]] = {}
    for index in sorted(range(len(messages)), key=lambda i: (when(i), i)):
        message = messages[index]
        segments = split_text(message.text)
        own = _own_text(segments)
        people = extract_people(
            segments,
            sender_name=message.sender_name,
            sender_address=message.sender_address,
            today=today,
        )
        sender_key = message.sender_address.casefold()
        earlier = by_sender.get(sender_key, []) if sender_key else []
        if is_sign_off(segments):  # the intake refuses it with this reason, named
            name = (people[0].naam if people else "") or message.sender_name
            people = [Person(naam=name, checks=[SIGN_OFF_REMARK])]
        elif (
            earlier
            and is_correction(segments)
            and len(people) <= 1
            and _corrects(earlier, people[0] if people else Person(), signup=is_signup(segments))
        ):
            _apply_correction(earlier, people[0] if people else Person(), message)
            continue
        if not people:
            if is_signup(segments):
                people = [
                    Person(
                        naam=message.sender_name,
                        email=message.sender_address,
                        checks=["aanmelding zonder gegevens: vraag naam, adres, leeftijd en "
                                "telefoonnummer na"],
                    )
                ]  # fmt: skip
            else:  # no sign-up: the intake says "geen aanmelding herkend", or that it asks
                people = [Person(checks=[QUESTION_REMARK] if is_question(segments) else [])]
        if people and len(people) > 1:
            for person in people:
                person.checks.append(f"een van {len(people)} personen in één bericht")
        same = _SAME_ADDRESS.search(own)
        if (
            earlier
            and same
            and not _NEGATION_BEFORE.search(own[max(0, same.start() - 25) : same.start()])
        ):
            _same_address_as(earlier[-1].person, people)
        for person in people:
            row = _Row(person, message, own)
            rows.append(row)
            if person.has_fields():
                by_sender.setdefault(sender_key, []).append(row)
    return [list(HEADER), *(row.cells() for row in rows)]


def _own_text(segments: Sequence[Segment]) -> str:
    lines = [line for s in segments for line in (*s.main, *s.signature)]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + " …"


def _same_address_as(earlier: Person, people: Sequence[Person]) -> None:
    """Give "zelfde adres" people without an address the sender's earlier one, marked."""
    for person in people:
        if person.adres or not earlier.adres:
            continue
        person.adres, person.postcode = earlier.adres, person.postcode or earlier.postcode
        person.woonplaats = person.woonplaats or earlier.woonplaats
        person.checks.append(
            f"adres overgenomen van {earlier.naam or 'de afzender'} (zelfde adres)"
        )


def _corrects(earlier: list[_Row], correction: Person, *, signup: bool) -> bool:
    """Whether a correction is about one of the sender's earlier people: it names nobody, or
    one of them (the same first name or its initial), or names someone anew without signing
    anyone up ("ik ben Jan Bakker, mijn juiste nummer is …"). A mail that signs up someone
    with another first name is a new person ("mijn buurvrouw … wil ook graag meedoen, hoop
    dat dit de juiste manier is")."""
    if not correction.name_from_text:
        return True
    first = correction.naam.casefold().split()[:1]
    for row in earlier:
        theirs = row.person.naam.casefold().split()[:1]
        if theirs == first or (first and theirs and _initial_of(theirs[0], first[0])):
            return True
    return not signup


def _initial_of(one: str, other: str) -> bool:
    """Whether one first name is the initial of the other ("j." and "jan")."""
    short, long = sorted((one.rstrip("."), other.rstrip(".")), key=len)
    return len(short) == 1 and long.startswith(short)


def _apply_correction(earlier: list[_Row], correction: Person, message: MailMessage) -> None:
    """Put the corrected fields in the sender's earlier row; the old values go to the history."""
    target = earlier[-1]
    if correction.name_from_text:
        named = [r for r in earlier if r.person.naam.casefold() == correction.naam.casefold()]
        target = named[-1] if named else target
    changed = []
    for name in _FIELDS:
        if name in {"email"} or (name == "naam" and not correction.name_from_text):
            continue
        new = getattr(correction, name)
        old = getattr(target.person, name)
        if new and new != old:
            setattr(target.person, name, new)
            changed.append(f"{_FIELD_LABELS[name]} (was {old or 'leeg'})")
    when = f" van {message.date_text}" if message.date_text else ""
    if changed:
        target.history.append(
            f"verbeterd door bericht {message.message_id}{when}: {', '.join(changed)}"
        )
    else:
        target.history.append(f"bericht {message.message_id}{when} gelezen als verbetering")
        target.person.checks.append(
            "een later bericht van deze afzender lijkt een verbetering; lees het na"
        )


def read_mail_rows(path: Path, *, today: date | None = None) -> tuple[list[list[str]], list[str]]:
    """Candidate rows (header first) of an mbox, ``.eml`` or folder, and notes for the planner."""
    messages, notes = read_messages(path)
    if not messages:
        msg = f"{path.name} bevat geen e-mails"
        raise InputFileError(msg)
    rows = message_rows(messages, today=today)
    notes.append(
        f"{counted(len(messages), 'e-mail', 'e-mails')} gelezen uit {path.name}: "
        f"{counted(len(rows) - 1, 'regel', 'regels')}"
    )
    return rows, notes
