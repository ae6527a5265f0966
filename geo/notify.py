"""Member messages once a group is operational: compose them, then send, draft or link them.

A member of an area whose group the planner marked operational (:meth:`Store.launch`) gets one
message in Dutch: the group's name and streets, the beheerder (and co-beheerders) with their
phone, the rules of the wijkplatform's letter, and the group's invite link when there is one.

Channels, chosen per member:

- ``e-mail`` — through the planner's own SMTP server (:class:`SmtpConfig`, SSL on 465 or
  STARTTLS on 587). The transport is injectable (:class:`Transport`), so tests and the app can
  pass their own.
- ``eml`` — a draft file per member (``X-Unsent: 1``) for whoever sends by hand.
- ``whatsapp`` — for members without an e-mail address: a ``https://wa.me/<E.164 digits>?text=…``
  link the beheerder taps to send the same text from their own phone.

Composition is pure and lives in :mod:`geo.messages` (:func:`~geo.messages.compose`,
:func:`~geo.messages.email_message`, :func:`~geo.messages.wa_link`); this module reads the
store, writes files or talks to a server, and records each member in the store.

Sending once. Every member is recorded with :meth:`Store.record_sent` right *after* the server
accepted the message (its reply to DATA), in its own transaction, and the batch stops at the
first failure that is not one refused address. A resume therefore sends only the members not
recorded. The one window left is between the server's acceptance and that SQLite commit (a kill,
a power cut, a full disk in those milliseconds): then a resume sends that one member again.
Recording *before* sending would instead lose that member's message without trace, which is
worse for a message the letter promises ("U krijgt bericht wanneer deze operationeel is").
To make such a rare second copy harmless the Message-ID is derived from the project, the area
and the member, so both copies carry the same Message-ID and mail programs show one.

Nothing personal is logged: log lines hold counts, area numbers and member ids only.
"""

from __future__ import annotations

import io
import json
import logging
import os
import smtplib
import socket
import ssl
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import pandas as pd

from geo.errors import ConfigError, GeoError
from geo.messages import (
    EMAIL,
    EML,
    NO_CHANNEL,
    WHATSAPP,
    Group,
    Member,
    Message,
    NotifyError,
    Person,
    channel_for,
    compose,
    draft_bytes,
    email_message,
    group_name,
    links_csv,
    links_html,
    stable_message_id,
    valid_email,
)
from geo.outputs import OutputError, ensure_dir, owner_only, replacing
from geo.store import STAGES, Store

log = logging.getLogger(__name__)

PASSWORD_VARIABLE = "GEO_SMTP_PASSWORD"
SMTP_VARIABLES = {
    "host": "GEO_SMTP_HOST",
    "port": "GEO_SMTP_PORT",
    "user": "GEO_SMTP_USER",
    "sender": "GEO_SMTP_FROM",
    "security": "GEO_SMTP_SECURITY",
}
SECURITIES = ("ssl", "starttls")
DEFAULT_RATE = 20  # messages per minute: well below what mail providers accept from one user
SMTP_TIMEOUT_S = 30.0
_DRAFT_NAME = "gebied-{area}-lid-{member}.eml"


# --- what an area still has to send --------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """The messages an area still has to send, and the members already done."""

    group: Group
    messages: tuple[Message, ...]
    already_sent: int

    def on(self, channel: str) -> list[Message]:
        """The messages for one channel."""
        return [m for m in self.messages if m.member.channel == channel]

    def counts(self) -> dict[str, int]:
        """Messages per channel (every channel, zero included)."""
        found = dict.fromkeys((EMAIL, WHATSAPP, NO_CHANNEL), 0)
        for message in self.messages:
            found[message.member.channel] += 1
        return found


# --- from the project ----------------------------------------------------------------------


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def wijk_name(store: Store) -> str:
    """The wijk's name, as recorded when the project was made."""
    history = store.history()
    made = history.loc[history["action"] == "aangemaakt", "details"]
    if not made.empty:
        found = json.loads(str(made.iloc[0]) or "{}").get("wijk", "")
        if found:
            return str(found)
    boundary = store.wijk().boundary
    if "name" in boundary and len(boundary):
        return str(boundary["name"].iloc[0]).strip() or "de wijk"
    return "de wijk"


def project_key(store: Store) -> str:
    """What makes this project's Message-IDs its own (its creation time and file name)."""
    try:
        created = store.setting("created")
    except GeoError:
        created = ""
    return f"{created}|{store.path.name}"


def operational(store: Store) -> dict[int, str]:
    """Operational areas and their invite link ('' for none)."""
    launches = store.launches()
    return {int(r["area_id"]): _text(r["invite_link"]) for _, r in launches.iterrows()}


def group_of(store: Store, area_id: int, *, wijk: str | None = None) -> Group:
    """The area as its members' message describes it (also before it is operational)."""
    plan = store.plan()
    if plan is None or area_id not in set(plan.areas["area_id"].astype(int)):
        msg = f"gebied {area_id} bestaat niet"
        raise NotifyError(msg)
    area = plan.areas.loc[plan.areas["area_id"].astype(int) == area_id].iloc[0]
    members = store.applicants("accepted").set_index("id")
    mine = members.loc[members["area_id"] == area_id]
    chosen = mine.loc[mine["is_beheerder"].fillna(0).astype(int) == 1]
    beheerder = (
        Person(_text(chosen.iloc[0]["naam"]), _text(chosen.iloc[0]["telefoon"]))
        if len(chosen)
        else None
    )
    co_ids = tuple(i for i in store.co_beheerders().get(area_id, []) if i in mine.index)
    co = tuple(
        Person(_text(members.loc[i, "naam"]), _text(members.loc[i, "telefoon"])) for i in co_ids
    )
    streets = tuple(s.strip() for s in _text(area["streets"]).split(";") if s.strip())
    wijk = wijk if wijk is not None else wijk_name(store)
    return Group(
        area_id=area_id,
        name=group_name(wijk, area_id, _text(area["name"]).strip()),
        wijk=wijk,
        streets=streets,
        beheerder=beheerder,
        co_beheerders=co,
        invite_link=operational(store).get(area_id, ""),
        beheerder_id=int(chosen.index[0]) if len(chosen) else None,
        co_beheerder_ids=co_ids,
    )


def members_of(store: Store, area_id: int) -> list[tuple[Member, str]]:
    """Every member of an area with their stage (:data:`geo.store.STAGES`), by id."""
    members = store.applicants("accepted")
    steps = {int(r["id"]): r for r in store.progress().to_dict("records")}
    found = []
    for row in members.loc[members["area_id"] == area_id].to_dict("records"):
        email, phone = _text(row["email"]).strip(), _text(row["telefoon"]).strip()
        step = steps[int(row["id"])]
        member = Member(
            applicant_id=int(row["id"]),
            area_id=area_id,
            name=_text(row["naam"]).strip(),
            phone=phone,
            email=email,
            added=_text(step["added"]) != "",
            channel=channel_for(email, phone),
        )
        found.append((member, str(step["stage"])))
    return found


def batch(store: Store, area_id: int, *, domain: str = "") -> Batch:
    """The messages of an operational area for the members not sent one yet.

    Raises :class:`NotifyError` when the area's group is not operational, or lost its
    beheerder and has no invite link: members get their message only when the group they
    are told about exists and they can get in.
    """
    if area_id not in operational(store):
        msg = (
            f"gebied {area_id} is nog niet gestart; markeer het eerst als operationeel "
            "(python -m geo notify --operationeel, of in de app: Groepen starten)"
        )
        raise NotifyError(msg)
    group = group_of(store, area_id)
    if group.beheerder is None and not group.invite_link:
        msg = (
            f"gebied {area_id} heeft geen beheerder meer en de groep geen uitnodigingslink: "
            "kies eerst een nieuwe beheerder (in de app: pagina Beheerders) of geef de link, "
            "zodat de leden erin kunnen"
        )
        raise NotifyError(msg)
    key = project_key(store)
    messages, done = [], 0
    for member, stage in members_of(store, area_id):
        if stage == STAGES[3]:
            done += 1
            continue
        message_id = stable_message_id(key, area_id, member.applicant_id, domain)
        messages.append(compose(member, group, message_id=message_id))
    return Batch(group, tuple(messages), done)


def preview(store: Store, area_id: int, applicant_id: int) -> Message:
    """One member's message as it would be sent (also before the area is operational)."""
    group = group_of(store, area_id)
    for member, _stage in members_of(store, area_id):
        if member.applicant_id == applicant_id:
            return compose(member, group, message_id="<voorbeeld@buurtwhatsapp.invalid>")
    msg = f"deelnemer {applicant_id} zit niet in gebied {area_id}"
    raise NotifyError(msg)


def status_per_area(store: Store) -> pd.DataFrame:
    """Per area: members per stage (``aangemeld`` … ``bericht verstuurd``) and whether the
    group is operational. Counts only."""
    progress = store.progress()
    placed = progress.dropna(subset=["area_id"]).astype({"area_id": int})
    counts: dict[tuple[int, str], int] = {}
    for area_id, stage in zip(placed["area_id"].tolist(), placed["stage"].tolist(), strict=True):
        key = (int(area_id), str(stage))
        counts[key] = counts.get(key, 0) + 1
    plan = store.plan()
    areas = [] if plan is None else [int(a) for a in plan.areas["area_id"]]
    table = pd.DataFrame(index=pd.Index(areas, name="gebied"))
    for stage in STAGES[1:]:
        table[stage] = [counts.get((a, stage), 0) for a in areas]
    table.insert(0, "leden", table.sum(axis=1))
    launched = operational(store)
    table["operationeel"] = ["ja" if a in launched else "nee" for a in areas]
    return table.reset_index()


def unplaced_count(store: Store) -> int:
    """Accepted sign-ups without an area yet (stage ``aangemeld``)."""
    progress = store.progress()
    return int((progress["stage"] == STAGES[0]).sum())


def launch(store: Store, area_id: int, *, invite_link: str = "", actor: str = "planner") -> None:
    """Mark an area operational (optionally with its invite link); Dutch errors from the store.

    Every group has one beheerder, who makes it: an area without one cannot be operational.
    """
    if group_of(store, area_id).beheerder is None:
        msg = (
            f"gebied {area_id} heeft nog geen beheerder; elke groep heeft er één, die de "
            "WhatsApp-groep maakt: kies eerst een beheerder (in de app: pagina Beheerders; of "
            "python -m geo project beheerder)"
        )
        raise NotifyError(msg)
    store.launch(area_id, invite_link=invite_link, actor=actor)


def mark_area_added(
    store: Store, area_id: int, ids: Iterable[int] | None = None, *, added: bool = True,
    actor: str = "planner",
) -> int:  # fmt: skip
    """Tick members of one area as added to the group (all of them when ``ids`` is None)."""
    members = {m.applicant_id for m, _stage in members_of(store, area_id)}
    if not members and ids is None:
        group_of(store, area_id)  # an unknown area says so
    chosen = members if ids is None else {int(i) for i in ids}
    outside = sorted(chosen - members)
    if outside:
        msg = f"deelnemer {', '.join(map(str, outside))} zit niet in gebied {area_id}"
        raise NotifyError(msg)
    return store.mark_added(sorted(chosen), added=added, actor=actor)


# --- SMTP ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpConfig:
    """The planner's own SMTP server. The password is never shown (not in ``repr``, logs)."""

    host: str
    port: int = 465
    user: str = ""
    sender: str = ""
    security: str = "ssl"  # "ssl" (implicit TLS, 465) or "starttls" (587)
    password: str = field(default="", repr=False)
    sender_name: str = ""

    @property
    def domain(self) -> str:
        """The sender's domain (for Message-IDs)."""
        return self.sender.rpartition("@")[2]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpConfig | None:
        """From ``GEO_SMTP_HOST``, ``_PORT``, ``_USER``, ``_FROM``, ``_SECURITY`` and
        ``GEO_SMTP_PASSWORD`` (the environment, or environment plus Streamlit secrets);
        ``None`` when no host is set."""
        env = os.environ if environ is None else environ
        host = str(env.get(SMTP_VARIABLES["host"], "")).strip()
        if not host:
            return None
        user = str(env.get(SMTP_VARIABLES["user"], "")).strip()
        sender = str(env.get(SMTP_VARIABLES["sender"], "")).strip() or user
        port_text = str(env.get(SMTP_VARIABLES["port"], "")).strip()
        try:
            port = int(port_text) if port_text else 0
        except ValueError:
            msg = f"{SMTP_VARIABLES['port']} heeft een ongeldige waarde: {port_text!r}"
            raise ConfigError(msg) from None
        security = str(env.get(SMTP_VARIABLES["security"], "")).strip().lower()
        if not security:
            security = "starttls" if port in {25, 587, 2525} else "ssl"
        if security not in SECURITIES:
            msg = f"{SMTP_VARIABLES['security']} moet ssl of starttls zijn, niet {security!r}"
            raise ConfigError(msg)
        if not port:
            port = 465 if security == "ssl" else 587
        if not valid_email(sender):
            msg = (
                f"zet {SMTP_VARIABLES['sender']} op het afzenderadres (of {SMTP_VARIABLES['user']}"
                " op een e-mailadres)"
            )
            raise ConfigError(msg)
        return cls(
            host=host,
            port=port,
            user=user,
            sender=sender,
            security=security,
            password=str(env.get(PASSWORD_VARIABLE, "")),
        )


class Transport(Protocol):
    """Delivers one e-mail; raises :class:`smtplib.SMTPException` or ``OSError`` on failure."""

    def send(self, mail: EmailMessage) -> None: ...


class SmtpTransport:
    """One SMTP connection (SSL or STARTTLS, with login when a user is set) for a batch."""

    def __init__(
        self, config: SmtpConfig, *, context: ssl.SSLContext | None = None,
        timeout: float = SMTP_TIMEOUT_S,
    ) -> None:  # fmt: skip
        self.config = config
        self._context = context or ssl.create_default_context()
        self._timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        smtp: smtplib.SMTP
        if config.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                config.host, config.port, timeout=self._timeout, context=self._context
            )
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=self._timeout)
            smtp.ehlo()
            smtp.starttls(context=self._context)
            smtp.ehlo()
        if config.user:
            if not config.password:
                smtp.close()
                msg = f"geen SMTP-wachtwoord: zet {PASSWORD_VARIABLE} (omgeving of secrets)"
                raise ConfigError(msg)
            try:
                smtp.login(config.user, config.password)
            except smtplib.SMTPException as error:  # refused, or hung up after a wrong password
                smtp.close()
                code = getattr(error, "smtp_code", None)
                msg = (
                    "inloggen op de SMTP-server mislukt"
                    + (f" (code {code})" if code else "")
                    + f"; controleer {SMTP_VARIABLES['user']} en {PASSWORD_VARIABLE}"
                )
                raise NotifyError(msg) from None
        return smtp

    def send(self, mail: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        self._smtp.send_message(mail)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


@dataclass
class SendReport:
    """What a batch did: members recorded as sent, refused addresses, and why it stopped."""

    sent: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)  # the server refused the address for good
    left: int = 0  # not tried because the batch stopped
    stopped: str = ""  # the reason the batch stopped early ('' when it finished)


class RateLimit:
    """At most ``per_minute`` sends per minute, evenly spaced."""

    def __init__(
        self, per_minute: float, *, clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:  # fmt: skip
        if per_minute <= 0:
            msg = f"de snelheid moet meer dan 0 berichten per minuut zijn, niet {per_minute}"
            raise ConfigError(msg)
        self.interval = 60.0 / per_minute
        self._clock, self._sleep = clock, sleep
        self._next = 0.0

    def wait(self) -> None:
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


def _why(error: BaseException) -> str:
    """A Dutch reason for a send failure, without the server's text (it may echo addresses)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _text in error.recipients.values()})
        return f"de server weigerde het adres tijdelijk (code {', '.join(map(str, codes))})"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return f"de server weigerde de afzender (code {error.smtp_code})"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"de server weigerde het bericht (code {error.smtp_code})"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "de verbinding met de SMTP-server werd verbroken"
    if isinstance(error, ssl.SSLError):
        return "de beveiligde verbinding (TLS) met de SMTP-server mislukte"
    if isinstance(error, socket.timeout | TimeoutError):
        return "de SMTP-server antwoordde niet op tijd"
    if isinstance(error, OSError):
        return "de SMTP-server is niet bereikbaar"
    if isinstance(error, smtplib.SMTPException):
        return "de SMTP-server gaf een fout"
    return type(error).__name__


def _refused_for_good(error: BaseException) -> bool:
    """The server refused this one address permanently (5xx): skip it, go on with the rest."""
    if not isinstance(error, smtplib.SMTPRecipientsRefused):
        return False
    return all(500 <= code < 600 for code, _text in error.recipients.values())


def send_email(
    store: Store,
    messages: Sequence[Message],
    transport: Transport,
    *,
    sender: str,
    sender_name: str = "",
    rate: float = DEFAULT_RATE,
    limiter: RateLimit | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SendReport:
    """Send the e-mail messages one by one and record each right after the server took it.

    Stops at the first failure other than an address the server refuses for good (that member
    is skipped and reported); a later run sends the members not recorded. One history entry
    for the batch (counts only). ``transport`` is closed by the caller.
    """
    todo = [m for m in messages if m.member.channel == EMAIL]
    limiter = limiter or RateLimit(rate)
    report = SendReport()
    area_ids = sorted({m.member.area_id for m in todo})
    try:
        for number, message in enumerate(todo):
            limiter.wait()
            mail = email_message(message, sender=sender, sender_name=sender_name)
            try:
                transport.send(mail)
            except (smtplib.SMTPException, OSError) as error:
                if _refused_for_good(error):
                    report.refused.append(message.member.applicant_id)
                    log.warning("adres geweigerd voor deelnemer %d", message.member.applicant_id)
                    continue
                report.stopped = _why(error)
                report.left = len(todo) - number
                log.warning(
                    "verzenden gestopt na %d berichten: %s", len(report.sent), report.stopped
                )
                break
            store.record_sent(
                message.member.applicant_id, channel=EMAIL, message_id=message.message_id
            )
            report.sent.append(message.member.applicant_id)
            if progress is not None:
                progress(number + 1, len(todo))
    finally:
        _record_batch(store, area_ids, len(report.sent), EMAIL, refused=len(report.refused))
    log.info(
        "e-mail: %d verstuurd, %d geweigerd, %d nog te doen",
        len(report.sent), len(report.refused), report.left,
    )  # fmt: skip
    return report


def _record_batch(
    store: Store, area_ids: Sequence[int], count: int, channel: str, *, refused: int = 0
) -> None:
    """One history entry per batch (counts only, no personal data)."""
    if not count and not refused:
        return
    area = area_ids[0] if len(area_ids) == 1 else list(area_ids)
    with store.transaction(
        "berichten verstuurd", area_id=area, count=count, channel=channel, refused=refused
    ):
        pass


@contextmanager
def smtp_transport(config: SmtpConfig) -> Iterator[SmtpTransport]:
    """An :class:`SmtpTransport` that is closed (QUIT) afterwards."""
    transport = SmtpTransport(config)
    try:
        yield transport
    finally:
        transport.close()


# --- drafts and links ----------------------------------------------------------------------


def private_dir(path: Path) -> Path:
    """An owner-only folder (0700), made if needed; an existing one is tightened."""
    with owner_only():
        ensure_dir(path)
    try:
        path.chmod(0o700)
    except OSError as error:
        msg = f"kan de rechten van {path} niet aanpassen: {error.strerror}"
        raise OutputError(msg) from None
    return path


def draft_name(message: Message) -> str:
    return _DRAFT_NAME.format(area=message.member.area_id, member=message.member.applicant_id)


def write_drafts(
    store: Store, messages: Sequence[Message], folder: Path, *, sender: str = "",
    sender_name: str = "",
) -> list[Path]:  # fmt: skip
    """An ``.eml`` draft per e-mail member in an owner-only folder; each member is recorded
    (channel ``eml``) once their file is complete. A re-run rewrites the same files."""
    todo = [m for m in messages if m.member.channel == EMAIL]
    if not todo:
        return []
    private_dir(folder)
    written = []
    try:
        for message in todo:
            path = folder / draft_name(message)
            with replacing(path, private=True) as temporary:
                temporary.write_bytes(draft_bytes(message, sender=sender, sender_name=sender_name))
            store.record_sent(
                message.member.applicant_id, channel=EML, message_id=message.message_id
            )
            written.append(path)
    finally:
        _record_batch(store, sorted({m.member.area_id for m in todo}), len(written), EML)
    log.info("e-mailconcepten: %d geschreven", len(written))
    return written


def write_links(store: Store, messages: Sequence[Message], path: Path, *, title: str) -> int:
    """Write the WhatsApp links of the members without e-mail to ``path`` (``.csv``: a table,
    else an HTML page), owner-only; then record them (channel ``whatsapp``).

    An existing file is never replaced: it may hold links of members already recorded.
    """
    todo = [m for m in messages if m.member.channel == WHATSAPP]
    if not todo:
        return 0
    if path.exists() or path.is_symlink():
        msg = (
            f"{path} bestaat al en kan links bevatten die nog verstuurd moeten worden; "
            "kies een andere bestandsnaam"
        )
        raise OutputError(msg)
    text = links_csv(todo) if path.suffix.lower() == ".csv" else links_html(todo, title=title)
    if not path.parent.exists():
        private_dir(path.parent)
    with replacing(path, private=True) as temporary:
        temporary.write_text(text, encoding="utf-8")
    recorded = record(store, todo, WHATSAPP)
    log.info("WhatsApp-links: %d geschreven", recorded)
    return recorded


def drafts_zip(messages: Sequence[Message], *, sender: str = "", sender_name: str = "") -> bytes:
    """The ``.eml`` drafts of the e-mail members as one zip (for a download in the app)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for message in messages:
            if message.member.channel == EMAIL:
                archive.writestr(
                    draft_name(message),
                    draft_bytes(message, sender=sender, sender_name=sender_name),
                )
    return buffer.getvalue()


def record(store: Store, messages: Sequence[Message], channel: str) -> int:
    """Record members whose draft or link the planner took (e.g. a download in the app)."""
    done = 0
    try:
        for message in messages:
            store.record_sent(
                message.member.applicant_id, channel=channel, message_id=message.message_id
            )
            done += 1
    finally:
        _record_batch(store, sorted({m.member.area_id for m in messages}), done, channel)
    return done
