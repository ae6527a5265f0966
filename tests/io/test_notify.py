"""Member messages through a real SMTP server (aiosmtpd on 127.0.0.1, started by the test).

Every member of an operational area gets exactly one message; a batch that breaks off is
resumed without sending anyone twice; drafts and WhatsApp links are written owner-only and read
back; nothing personal reaches the logs.
"""

from __future__ import annotations

import csv
import email
import io
import json
import logging
import shutil
import socket
import ssl
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer  # noqa: N811
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from geo import messages, notify
from geo.cli import main
from geo.config import Settings
from geo.errors import ConfigError
from geo.project import import_applicants, place_members
from geo.sources import Wijk
from geo.store import Store
from tests.conftest import write_text
from tests.grids import RD, grid_boundary, grid_streets, members_along

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

USER, PASSWORD = "planner@wijkplatform.test", "geheim-smtp-wachtwoord"
SENDER = "planner@wijkplatform.test"
LINK = "https://chat.whatsapp.com/AbCdEf123"
PEOPLE = 40  # cap 25: two areas


# --- the project ---------------------------------------------------------------------------


def sheet(path: Path) -> Path:
    """Fictitious people on the grid: most with e-mail, every 4th with a mobile only, every
    10th a landline without e-mail; every 13th would like to be beheerder."""
    people = members_along(grid_streets(3, 3), PEOPLE, seed=7).to_crs(4326)
    lines = ["Naam;Straat;Huisnummer;Woonplaats;Leeftijd;Telefoon;Email;Beheerder;lat;lon"]
    for n, row in enumerate(people.itertuples()):
        phone = f"046{4_000_000 + n:07d}" if n % 10 == 9 else f"06{30_000_000 + n:08d}"
        mail = "" if n % 4 == 3 or n % 10 == 9 else f"lid{n}@buurt.test"
        lines.append(
            f"Lid Achternaam{n};{row.straat};{row.huisnummer};Geleen;40;{phone};{mail};"
            f"{'ja' if n % 13 == 0 else ''};{row.geometry.y:.7f};{row.geometry.x:.7f}"
        )
    return write_text(path, "\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("notify")
    boundary = gpd.GeoDataFrame({"name": ["Oud-Geleen"]}, geometry=[grid_boundary(3, 3)], crs=RD)
    addresses = gpd.GeoDataFrame({"straat": [], "huisnummer": []}, geometry=[], crs=RD)
    wijk = Wijk(boundary.to_crs(4326), grid_streets(3, 3).to_crs(4326), addresses.to_crs(4326))
    settings = Settings(cache_dir=folder / "cache", max_members=25)
    store = Store.create(folder / "p.sqlite", wijk, max_members=25, fill=0.8)
    import_applicants(store, sheet(folder / "a.csv"), settings=settings)
    place_members(store, settings=settings)
    store.close()
    return folder / "p.sqlite"


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "p.sqlite"
    shutil.copyfile(template, path)
    path.chmod(0o600)
    opened = Store.open(path)
    yield opened
    opened.close()


def area_members(store: Store) -> dict[int, list[dict[str, Any]]]:
    members = store.applicants("accepted").dropna(subset=["area_id"])
    found: dict[int, list[dict[str, Any]]] = {}
    for row in members.to_dict("records"):
        found.setdefault(int(row["area_id"]), []).append({str(k): v for k, v in row.items()})
    return found


def personal(store: Store) -> list[str]:
    """Every name, phone and e-mail address in the project (to look for in logs)."""
    members = store.applicants("accepted")
    found = []
    for column in ("naam", "telefoon", "email"):
        found += [str(v) for v in members[column] if v]
    found += [str(v)[-8:] for v in members["telefoon"] if v]  # the number without country code
    return found


# --- the SMTP server -----------------------------------------------------------------------


@dataclass
class Mailbox:
    """What the test's SMTP server received, and the failures it was told to give."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    rcpts: int = 0
    refuse_at: int = 0  # refuse the n-th RCPT of the server's life (1-based); 0: none
    refuse_code: str = "451 4.3.0 Probeer later"
    refuse_address: str = ""  # refuse this address always

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str,
        rcpt_options: list[str],
    ) -> str:  # fmt: skip
        self.rcpts += 1
        if self.rcpts == self.refuse_at or address == self.refuse_address:
            return self.refuse_code
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTPServer, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 Bericht aangenomen"

    def to(self) -> list[str]:
        return [rcpt for rcpts, _mail in self.received for rcpt in rcpts]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl), for STARTTLS and SSL."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def authenticate(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class Server:
    mailbox: Mailbox
    config: notify.SmtpConfig
    client_context: ssl.SSLContext


@pytest.fixture
def server(certificate: tuple[Path, Path]) -> Iterator[Server]:
    """A STARTTLS server with login on 127.0.0.1 (as port 587 of a mail provider)."""
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, tls_context=server_context,
        require_starttls=True, authenticator=authenticate, auth_require_tls=True,
    )  # fmt: skip
    controller.start()
    client = ssl.create_default_context(cafile=str(cert))
    config = notify.SmtpConfig(
        host="127.0.0.1", port=port, user=USER, sender=SENDER, security="starttls",
        password=PASSWORD,
    )  # fmt: skip
    try:
        yield Server(mailbox, config, client)
    finally:
        controller.stop()


def no_wait() -> notify.RateLimit:
    return notify.RateLimit(60_000, sleep=lambda _s: None)


def send(store: Store, area: int, server: Server) -> notify.SendReport:
    todo = notify.batch(store, area, domain=server.config.domain)
    transport = notify.SmtpTransport(server.config, context=server.client_context)
    try:
        return notify.send_email(store, todo.messages, transport, sender=SENDER, limiter=no_wait())
    finally:
        transport.close()


# --- tests ---------------------------------------------------------------------------------


def test_every_member_of_a_launched_area_gets_exactly_one_message(
    store: Store, server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="geo")
    groups = area_members(store)
    area, other = sorted(groups)[:2]
    with pytest.raises(messages.NotifyError, match="nog niet gestart"):
        notify.batch(store, area)
    notify.launch(store, area, invite_link=LINK)
    store.set_beheerder(area, int(groups[area][0]["id"]))
    store.set_co_beheerders(area, [int(groups[area][1]["id"])])
    group = notify.group_of(store, area)
    assert group.beheerder is not None and len(group.co_beheerders) == 1
    report = send(store, area, server)

    expected = {m["email"] for m in groups[area] if messages.valid_email(str(m["email"]))}
    assert sorted(server.mailbox.to()) == sorted(expected), "each e-mail member exactly once"
    assert report.sent and not report.stopped and not report.refused
    by_address = {rcpts[0]: mail for rcpts, mail in server.mailbox.received}
    for member in groups[area]:
        if member["email"] not in by_address:
            continue
        mail = by_address[member["email"]]
        body = mail.get_content()
        assert mail["Subject"] == f"BuurtWhatsApp Oud-Geleen: uw groep (gebied {area}) is gestart"
        assert mail["From"].addresses[0].addr_spec == SENDER
        assert member["naam"] in mail["To"] and f"Beste {member['naam']}," in body
        assert group.name in body
        own = member["id"] == group.beheerder_id  # made the group: no link, nobody adds them
        assert (LINK in body) != own
        assert ("Neem contact op met de beheerder" in body) != own
        for street in group.streets:
            assert street in body
        for person in (group.beheerder, *group.co_beheerders):
            assert f"{person.name}, {messages.readable_phone(person.phone)}" in body
        for rule in ("18 jaar", "verdachte situaties", "privéberichten", "112",
                     "voegt leden toe en verwijdert ze"):  # fmt: skip
            assert rule in body
    progress = store.progress().set_index("id")
    for member in groups[area]:
        stage = progress.loc[member["id"], "stage"]
        assert (stage == "bericht verstuurd") == (member["email"] in expected)
    ids = {mail["Message-ID"] for _r, mail in server.mailbox.received}
    assert ids == {progress.loc[i, "message_id"] for i in report.sent}
    assert not any(m["email"] in server.mailbox.to() for m in groups[other]), "not launched"

    again = send(store, area, server)  # everyone done: nobody twice
    assert again.sent == [] and len(server.mailbox.received) == len(expected)

    entries = store.history()
    logged = entries.loc[entries["action"] == "berichten verstuurd", "details"].tolist()
    assert [json.loads(d) for d in logged] == [
        {"area_id": area, "count": len(expected), "channel": "e-mail", "refused": 0}
    ]
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("geo"))
    shown = ours + "\n".join(logged)
    assert "verstuurd" in ours
    assert not [p for p in personal(store) if p in shown]
    assert PASSWORD not in shown and PASSWORD not in repr(server.config)


def test_a_group_without_a_beheerder_cannot_be_operational(store: Store) -> None:
    area = sorted(area_members(store))[0]
    store.unset_beheerder(area)
    with pytest.raises(messages.NotifyError, match="nog geen beheerder"):
        notify.launch(store, area, invite_link=LINK)
    assert store.launches().empty
    beheerder = area_members(store)[area][0]
    store.set_beheerder(area, int(beheerder["id"]))
    notify.launch(store, area)
    assert list(store.launches()["area_id"]) == [area]
    store.unset_beheerder(area)  # left after the start: members ask the platform instead
    member = next(m for m in area_members(store)[area] if m["id"] != beheerder["id"])
    body = notify.preview(store, area, int(member["id"])).body
    assert "nog geen beheerder; het wijkplatform zoekt er een" in body
    assert "Neem contact op met het wijkplatform" in body and "met de beheerder" not in body
    assert "De beheerder voegt u" not in body
    with pytest.raises(messages.NotifyError, match="geen beheerder meer"):
        notify.batch(store, area)
    store.launch(area, invite_link=LINK)  # members join by the link themselves: messages go
    sent = notify.batch(store, area).messages
    assert sent and all(LINK in m.body and "De beheerder voegt u" not in m.body for m in sent)


def test_a_failure_mid_batch_then_a_resume_sends_only_the_rest(
    store: Store, server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="geo")
    area = min(area_members(store))
    notify.launch(store, area)
    total = notify.batch(store, area).counts()[messages.EMAIL]
    server.mailbox.refuse_at = 3  # the third RCPT: "try later"
    first = send(store, area, server)
    assert len(first.sent) == 2 and first.stopped and first.left == total - 2
    assert "code 451" in first.stopped
    assert len(server.mailbox.received) == 2
    assert notify.batch(store, area).counts()[messages.EMAIL] == total - 2

    second = send(store, area, server)  # the server takes mail again
    assert not second.stopped and len(second.sent) == total - 2
    delivered = server.mailbox.to()
    assert len(delivered) == total == len(set(delivered)), "nobody twice, nobody left out"
    assert not set(first.sent) & set(second.sent)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("geo"))
    assert "gestopt" in ours and not [p for p in personal(store) if p in ours]


def test_an_address_refused_for_good_is_skipped_and_reported(store: Store, server: Server) -> None:
    area = min(area_members(store))
    notify.launch(store, area)
    todo = notify.batch(store, area).on(messages.EMAIL)
    server.mailbox.refuse_address = todo[1].member.email
    server.mailbox.refuse_code = "550 5.1.1 Onbekend adres"
    report = send(store, area, server)
    assert report.refused == [todo[1].member.applicant_id] and not report.stopped
    assert len(report.sent) == len(todo) - 1
    left = notify.batch(store, area).on(messages.EMAIL)
    assert [m.member.applicant_id for m in left] == [todo[1].member.applicant_id]


class Breaking:
    """A transport that passes messages to a real one and breaks at message ``at``."""

    def __init__(self, inner: notify.SmtpTransport, at: int) -> None:
        self.inner, self.at, self.calls = inner, at, 0

    def send(self, mail: EmailMessage) -> None:
        self.calls += 1
        if self.calls == self.at:
            raise ConnectionResetError("verbinding weg")
        self.inner.send(mail)


def test_a_transport_that_breaks_then_a_resume_with_the_same_message_ids(
    store: Store, server: Server
) -> None:
    area = min(area_members(store))
    notify.launch(store, area)
    todo = notify.batch(store, area, domain=server.config.domain)
    planned = {m.member.applicant_id: m.message_id for m in todo.messages}
    inner = notify.SmtpTransport(server.config, context=server.client_context)
    try:
        report = notify.send_email(
            store, todo.messages, Breaking(inner, 4), sender=SENDER,
            limiter=no_wait(),
        )  # fmt: skip
    finally:
        inner.close()
    assert len(report.sent) == 3 and report.stopped == "de SMTP-server is niet bereikbaar"
    rest = send(store, area, server)
    assert len(server.mailbox.received) == len(report.sent) + len(rest.sent)
    assert len(set(server.mailbox.to())) == len(server.mailbox.to())
    ids = [mail["Message-ID"] for _r, mail in server.mailbox.received]
    assert sorted(ids) == sorted(planned[i] for i in report.sent + rest.sent), "stable ids"


def test_implicit_tls_as_on_port_465(store: Store, certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, ssl_context=server_context)
    controller.start()
    try:
        area = min(area_members(store))
        notify.launch(store, area)
        config = notify.SmtpConfig(host="127.0.0.1", port=port, sender=SENDER, security="ssl")
        todo = notify.batch(store, area).messages[:1]
        transport = notify.SmtpTransport(config, context=ssl.create_default_context(cafile=cert))
        with pytest.raises(ssl.SSLError):  # a certificate nobody vouches for is refused
            notify.SmtpTransport(config).send(messages.email_message(todo[0], sender=SENDER))
        try:
            report = notify.send_email(store, todo, transport, sender=SENDER, limiter=no_wait())
        finally:
            transport.close()
    finally:
        controller.stop()
    assert len(mailbox.received) == len(report.sent) == 1


def test_the_command_is_a_dry_run_unless_asked(
    store: Store, server: Server, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:  # fmt: skip
    area = min(area_members(store))
    path = str(store.path)
    store.close()
    monkeypatch.setenv("GEO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GEO_SMTP_PORT", str(server.config.port))
    monkeypatch.setenv("GEO_SMTP_SECURITY", "starttls")
    monkeypatch.setenv("GEO_SMTP_USER", USER)
    monkeypatch.setenv("GEO_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: server.client_context)

    assert main(["notify", "--project", path, "--area", str(area)]) == 0
    out = capsys.readouterr().out
    assert "nog niet operationeel" in out
    assert main(["notify", "--project", path, "--area", str(area), "--send"]) == 1
    assert "nog niet gestart" in capsys.readouterr().err

    assert main(["notify", "--project", path, "--area", str(area), "--operationeel"]) == 0
    out = capsys.readouterr().out
    assert "Proefrun" in out and "is operationeel" in out and "Lid Achternaam" in out
    assert server.mailbox.received == []
    assert main(["notify", "--project", path, "--area", str(area), "--send", "--rate", "6000",
                 "--wa-links", str(tmp_path / "links.html")]) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert "e-mails verstuurd" in captured.out and PASSWORD not in captured.out + captured.err
    sent = len(server.mailbox.received)
    assert sent > 0
    assert main(["notify", "--project", path, "--area", str(area), "--send"]) == 0
    assert len(server.mailbox.received) == sent
    out = capsys.readouterr().out
    assert "(0 per e-mail, 0 via WhatsApp-link, " in out, "only members without a channel left"
    assert "0 e-mails verstuurd" in out

    monkeypatch.setenv("GEO_SMTP_PASSWORD", "fout")
    again = Store.open(Path(path))
    other = max(area_members(again))
    again.close()
    main(["notify", "--project", path, "--area", str(other), "--operationeel"])
    assert main(["notify", "--project", path, "--area", str(other), "--send"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fout: inloggen op de SMTP-server mislukt") and len(err.splitlines()) == 1
    assert len(server.mailbox.received) == sent


def test_marking_members_added_from_the_command_line(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    groups = area_members(store)
    area = min(groups)
    ids = [int(m["id"]) for m in groups[area]]
    path = str(store.path)
    store.close()
    assert main(["notify", "--project", path, "--area", str(area), "--toegevoegd",
                 "--leden", f"{ids[0]},{ids[1]}"]) == 0  # fmt: skip
    assert "2 leden" in capsys.readouterr().out
    assert main(["notify", "--project", path, "--area", str(area), "--toegevoegd"]) == 0
    other = max(groups)
    assert main(["notify", "--project", path, "--area", str(area), "--toegevoegd",
                 "--leden", str(groups[other][0]["id"])]) == 1  # fmt: skip
    assert "zit niet in gebied" in capsys.readouterr().err
    assert main(["notify", "--project", path, "--area", "999", "--toegevoegd"]) == 1
    reopened = Store.open(Path(path))
    progress = reopened.progress().set_index("id")
    reopened.close()
    assert set(progress.loc[ids, "stage"]) == {"toegevoegd"}
    assert set(progress.loc[[int(m["id"]) for m in groups[other]], "stage"]) == {"ingedeeld"}


def test_drafts_parse_back_and_are_owner_only(store: Store, tmp_path: Path) -> None:
    area = min(area_members(store))
    notify.launch(store, area)
    todo = notify.batch(store, area)
    folder = tmp_path / "concepten"
    written = notify.write_drafts(store, todo.messages, folder, sender=SENDER)
    assert len(written) == todo.counts()[messages.EMAIL] > 0
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    by_id = {m.member.applicant_id: m for m in todo.messages}
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        parsed = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        member_id = int(path.stem.rsplit("-", 1)[1])
        message = by_id[member_id]
        assert parsed["Subject"] == message.subject and parsed["X-Unsent"] == "1"
        assert parsed["Message-ID"] == message.message_id
        assert parsed["To"].addresses[0].addr_spec == message.member.email
        assert parsed.get_content() == message.body
    progress = store.progress().set_index("id")
    assert set(progress.loc[list(by_id), "channel"].dropna()) == {"eml"}
    assert notify.batch(store, area).counts()[messages.EMAIL] == 0, "drafts count as handed over"


def test_whatsapp_links_have_e164_digits_and_decode_to_the_text(
    store: Store, tmp_path: Path
) -> None:
    area = min(area_members(store))
    notify.launch(store, area, invite_link=LINK)
    todo = notify.batch(store, area)
    phones = todo.on(messages.WHATSAPP)
    assert phones, "some members have a mobile number and no e-mail"
    assert todo.counts()[messages.NO_CHANNEL] >= 0
    path = tmp_path / "uit" / "links.csv"
    assert notify.write_links(store, todo.messages, path, title="x") == len(phones)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";"))
    for row, message in zip(rows, phones, strict=True):
        link = urlsplit(row["link"])
        assert (link.scheme, link.netloc) == ("https", "wa.me")
        assert link.path == "/" + message.member.phone.removeprefix("+")
        assert link.path[1:].isdigit() and message.member.phone.startswith("+31")
        text = parse_qs(link.query)["text"][0]
        assert text == messages.whatsapp_text(message) and LINK in text
    with pytest.raises(OSError, match="bestaat al"):
        notify.write_links(store, phones, path, title="x")
    page = messages.links_html(phones, title="Gebied")
    assert page.count('href="https://wa.me/') == len(phones)


def test_a_landline_without_e_mail_gets_no_link() -> None:
    assert messages.channel_for("", "+31464000009") == messages.NO_CHANNEL
    assert messages.channel_for("", "+31630000001") == messages.WHATSAPP
    assert messages.channel_for("a@b.nl", "+31464000009") == messages.EMAIL
    assert messages.channel_for("a@b.nl\nBcc: x@y.nl", "") == messages.NO_CHANNEL
    with pytest.raises(messages.NotifyError):
        messages.wa_link("0612345678", "hoi")


def test_the_rate_limit_spaces_the_messages() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limit = notify.RateLimit(30, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        limit.wait()
    assert slept == [2.0, 2.0, 2.0]
    with pytest.raises(ConfigError):
        notify.RateLimit(0)


def test_smtp_settings_from_the_environment() -> None:
    assert notify.SmtpConfig.from_env({}) is None
    config = notify.SmtpConfig.from_env(
        {
            "GEO_SMTP_HOST": "smtp.example.org",
            "GEO_SMTP_PORT": "587",
            "GEO_SMTP_USER": USER,
            "GEO_SMTP_PASSWORD": PASSWORD,
        }
    )
    assert config is not None
    assert (config.security, config.sender, config.password) == ("starttls", USER, PASSWORD)
    assert PASSWORD not in repr(config)
    ssl_config = notify.SmtpConfig.from_env(
        {"GEO_SMTP_HOST": "smtp.example.org", "GEO_SMTP_FROM": SENDER}
    )
    assert ssl_config is not None and (ssl_config.port, ssl_config.security) == (465, "ssl")
    with pytest.raises(ConfigError, match="GEO_SMTP_FROM"):
        notify.SmtpConfig.from_env({"GEO_SMTP_HOST": "smtp.example.org"})
    with pytest.raises(ConfigError, match="ssl of starttls"):
        notify.SmtpConfig.from_env(
            {"GEO_SMTP_HOST": "h", "GEO_SMTP_FROM": SENDER, "GEO_SMTP_SECURITY": "geen"}
        )
