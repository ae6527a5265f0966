"""``intake --imap`` against a real IMAP server: the test's own Dovecot on 127.0.0.1.

The server gets a generated configuration in ``tmp_path`` (plain login over loopback, a
passwd-file with one user, maildir in ``tmp_path``). Skips when Dovecot is not installed.
"""

from __future__ import annotations

import csv
import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from geo.cli import main
from geo.errors import ConfigError
from geo.mail_extract import QUESTION_REMARK
from geo.mail_imap import (
    STATE_FILE,
    MailboxError,
    fetch_new,
    load_state,
    parse_imap_url,
    password_from_env,
)

DOVECOT = Path("/usr/sbin/dovecot")
USER, PASSWORD = "planner", "geheim-test-wachtwoord"
REGISTER = """straat,huisnummer,huisletter,toevoeging,postcode,woonplaats,lat,lon
Molenweg,3,,,6166BA,Geleen,50.9725,5.8274
Molenweg,5,,,6166BA,Geleen,50.9726,5.8275
"""

pytestmark = [
    pytest.mark.enable_socket,
    pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.skipif(not DOVECOT.exists(), reason="Dovecot (dovecot-imapd) is not installed"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sign_up(number: int, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Bewoner {number} <bewoner{number}@example.org>"
    message["To"] = "wijkplatform@example.org"
    message["Subject"] = f"Aanmelding {number}"
    message["Date"] = f"Fri, 0{number} May 2024 10:00:00 +0200"
    message["Message-ID"] = f"<imap-{number}@example.org>"
    message.set_content(body)
    return bytes(message)


def deliver(maildir: Path, number: int, raw: bytes) -> None:
    (maildir / "tmp" / f"{number}.test").write_bytes(raw)
    (maildir / "tmp" / f"{number}.test").rename(
        maildir / "new" / f"17000000{number:02d}.M{number}P1.test"
    )


def _accounts() -> tuple[str, str]:
    if os.geteuid() == 0:
        return "dovenull", "dovecot"
    me = pwd.getpwuid(os.getuid()).pw_name
    return me, me


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A Dovecot IMAP server on a free loopback port; yields the port and the user's maildir."""
    # As root, Dovecot's own accounts must reach the files: pytest's tmp folders are 0700.
    as_root = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="dovecot-test-")) if as_root else tmp_path / "dovecot"
    home = root / "home" / USER
    maildir = home / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (root / "run").mkdir()
    port = free_port()
    login_user, internal_user = _accounts()
    uid, gid = os.getuid(), os.getgid()
    if as_root:  # mail may not be read as root: the mailbox belongs to the dovecot account
        uid, gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
        for path in (home, maildir, *maildir.iterdir()):
            os.chown(path, uid, gid)
    group = grp.getgrgid(gid).gr_name
    config = root / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {group}
first_valid_uid = 1
passdb {{
  driver = static
  args = user={USER} password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
    )
    (root / "state").mkdir()
    for path in (root, root / "home", home, maildir):
        path.chmod(0o755)
    process = subprocess.Popen(
        [str(DOVECOT), "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                pytest.fail(f"dovecot stopped:\n{log}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("dovecot did not start within 15 s")
        yield port, maildir
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root if as_root else root / "run", ignore_errors=True)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def seen_flags(port: int) -> list[bytes]:
    client = imaplib.IMAP4("127.0.0.1", port)
    try:
        client.login(USER, PASSWORD)
        client.select("INBOX", readonly=True)
        _, data = client.fetch("1:*", "(FLAGS)")
        return [d for d in data if isinstance(d, bytes)]
    finally:
        client.logout()


def test_intake_from_imap_reads_only_new_mail_and_changes_nothing(
    server: tuple[int, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    port, maildir = server
    deliver(
        maildir,
        1,
        sign_up(1, "Ik ben Mia Hendriks, Molenweg 3, 6166 BA Geleen, 38 jaar, 06 2345 6702."),
    )
    deliver(maildir, 2, sign_up(2, "Wanneer is de volgende vergadering?"))
    register = tmp_path / "bag.csv"
    register.write_text(REGISTER, encoding="utf-8")
    monkeypatch.setenv("GEO_IMAP_PASSWORD", PASSWORD)
    url = f"imap://{USER}@127.0.0.1:{port}/INBOX"

    def run(out: Path) -> int:
        return main(["intake", "--imap", url, "--addresses", str(register), "--offline",
                     "--cache-dir", str(tmp_path / "cache"), "--out", str(out)])  # fmt: skip

    assert run(tmp_path / "uit1") == 0
    accepted = read(tmp_path / "uit1" / "applicants.csv")
    rejects = read(tmp_path / "uit1" / "rejects.csv")
    assert [(r["naam"], r["bericht_id"]) for r in accepted] == [
        ("Mia Hendriks", "<imap-1@example.org>")
    ]
    assert [(r["reason"], r["Bericht-ID"]) for r in rejects] == [
        (f"geen aanmelding herkend; {QUESTION_REMARK}", "<imap-2@example.org>")
    ]
    assert all(b"\\Seen" not in line for line in seen_flags(port))  # BODY.PEEK: still unread
    state = load_state(tmp_path / "cache" / STATE_FILE)
    assert next(iter(state.values()))["last_uid"] == 2

    # A second run reads only what arrived since.
    deliver(maildir, 3, sign_up(3, "Naam: Daan Peeters\nAdres: Molenweg 5, 6166 BA Geleen\n"
                                   "Leeftijd: 29\nTelefoon: 06 2345 6790"))  # fmt: skip
    assert run(tmp_path / "uit2") == 0
    accepted = read(tmp_path / "uit2" / "applicants.csv")
    assert [r["naam"] for r in accepted] == ["Daan Peeters"]
    assert read(tmp_path / "uit2" / "rejects.csv") == []
    assert run(tmp_path / "uit3") == 0
    assert "geen nieuwe e-mails" in capsys.readouterr().out
    assert len(list((maildir / "new").iterdir())) + len(list((maildir / "cur").iterdir())) == 3
    assert PASSWORD not in capsys.readouterr().out


def test_wrong_password_is_one_clear_error(server: tuple[int, Path], tmp_path: Path) -> None:
    port, _ = server
    target = parse_imap_url(f"imap://{USER}@127.0.0.1:{port}/INBOX")
    with pytest.raises(MailboxError, match=r"inloggen bij 127\.0\.0\.1 als planner is mislukt"):
        fetch_new(target, "fout", state_path=tmp_path / STATE_FILE)


def test_url_and_password_rules() -> None:
    with pytest.raises(ConfigError, match="wachtwoord niet in het IMAP-adres"):
        parse_imap_url("imaps://user:secret@imap.example.org/INBOX")
    target = parse_imap_url("imaps://wijk%40example.org@imap.example.org/%5BGmail%5D/Alle%20e-mail")
    assert (target.user, target.port, target.folder, target.tls) == (
        "wijk@example.org", 993, "[Gmail]/Alle e-mail", True,
    )  # fmt: skip
    assert password_from_env({"GEO_IMAP_PASSWORD": "x"}) == "x"
    assert password_from_env({}, prompt=lambda _: "y", interactive=True) == "y"
    with pytest.raises(ConfigError, match="GEO_IMAP_PASSWORD"):
        password_from_env({}, interactive=False)
