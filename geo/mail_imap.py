"""Sign-ups straight from a mailbox over IMAP (stdlib :mod:`imaplib`), read-only.

``imaps://USER@HOST[:PORT]/FOLDER`` (or ``imap://`` for a server on this machine). The folder is
opened with EXAMINE (read-only) and messages are fetched with ``BODY.PEEK[]``, so nothing is
marked as read, moved or deleted. Only messages not seen before are fetched: per mailbox the
UIDVALIDITY and the last UID read are kept in a small JSON file in the cache folder; the caller
saves that state (:func:`save_state`) only after the messages were handled, so an interrupted
run reads them again. The password never comes from the URL: it is given by the caller (from
``GEO_IMAP_PASSWORD``, Streamlit secrets or a prompt, see :func:`password_from_env`) and is
never logged.
"""

from __future__ import annotations

import contextlib
import getpass
import imaplib
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from geo.errors import ConfigError, GeoError
from geo.outputs import replacing

PASSWORD_VARIABLE = "GEO_IMAP_PASSWORD"
STATE_FILE = "imap-state.json"
_BATCH = 200
_UID = re.compile(rb"\bUID (\d+)")
log = logging.getLogger(__name__)


class MailboxError(GeoError):
    """The mailbox could not be reached, logged into or read."""


@dataclass(frozen=True)
class ImapTarget:
    """Where to read: host, port, user, folder, and whether to use TLS from the start."""

    host: str
    port: int
    user: str
    folder: str
    tls: bool

    @property
    def key(self) -> str:
        """The mailbox's name in the state file."""
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"


@dataclass(frozen=True)
class Fetched:
    """New messages (raw bytes, oldest first) and the state to save once they are handled."""

    messages: list[bytes]
    uidvalidity: int
    last_uid: int
    reset: bool  # the server renumbered the mailbox (UIDVALIDITY changed): all read again


def parse_imap_url(url: str) -> ImapTarget:
    """``imaps://user@host/INBOX`` -> :class:`ImapTarget`; a password in the URL is refused."""
    parts = urlsplit(url)
    if parts.scheme not in {"imap", "imaps"}:
        msg = f"{url!r} is geen IMAP-adres (verwacht imaps://GEBRUIKER@SERVER/MAP)"
        raise ConfigError(msg)
    if parts.password is not None:
        msg = (
            "zet het wachtwoord niet in het IMAP-adres; gebruik de omgevingsvariabele "
            f"{PASSWORD_VARIABLE}"
        )
        raise ConfigError(msg)
    if not parts.hostname or not parts.username:
        msg = "het IMAP-adres mist de gebruiker of de server (imaps://GEBRUIKER@SERVER/MAP)"
        raise ConfigError(msg)
    tls = parts.scheme == "imaps"
    try:
        port = parts.port or (993 if tls else 143)
    except ValueError:
        msg = "het poortnummer in het IMAP-adres is ongeldig"
        raise ConfigError(msg) from None
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapTarget(parts.hostname, port, unquote(parts.username), folder, tls)


def password_from_env(
    environ: Mapping[str, str] | None = None,
    *,
    prompt: Callable[[str], str] | None = None,
    interactive: bool | None = None,
) -> str:
    """The password from ``GEO_IMAP_PASSWORD``, else a prompt when a person is at the keyboard."""
    env = os.environ if environ is None else environ
    if env.get(PASSWORD_VARIABLE):
        return env[PASSWORD_VARIABLE]
    if interactive if interactive is not None else sys.stdin.isatty():
        return (prompt or getpass.getpass)("IMAP-wachtwoord (wordt niet getoond): ")
    msg = f"geen IMAP-wachtwoord: zet de omgevingsvariabele {PASSWORD_VARIABLE}"
    raise ConfigError(msg)


def load_state(path: Path) -> dict[str, dict[str, int]]:
    """The saved UIDVALIDITY and last UID per mailbox (empty when there is none)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(path: Path, target: ImapTarget, fetched: Fetched) -> None:
    """Remember that everything up to ``fetched.last_uid`` has been read."""
    state = load_state(path)
    state[target.key] = {"uidvalidity": fetched.uidvalidity, "last_uid": fetched.last_uid}
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path, private=True) as temporary:
        temporary.write_text(json.dumps(state, indent=1), encoding="utf-8")


def fetch_new(
    target: ImapTarget, password: str, *, state_path: Path, timeout: float = 30.0
) -> Fetched:
    """Every message in the folder that was not read before, fetched without changing flags."""
    known = load_state(state_path).get(target.key, {})
    try:
        client: imaplib.IMAP4 = (
            imaplib.IMAP4_SSL(target.host, target.port, timeout=timeout)
            if target.tls
            else imaplib.IMAP4(target.host, target.port, timeout=timeout)
        )
    except OSError as error:
        msg = f"kan de mailserver {target.host}:{target.port} niet bereiken ({error.strerror or error})"
        raise MailboxError(msg) from None
    try:
        try:
            client.login(target.user, password)
        except imaplib.IMAP4.error:
            msg = f"inloggen bij {target.host} als {target.user} is mislukt (wachtwoord?)"
            raise MailboxError(msg) from None
        return _read_folder(client, target, known)
    except (imaplib.IMAP4.error, OSError) as error:
        msg = f"de map {target.folder!r} op {target.host} kon niet gelezen worden: {error}"
        raise MailboxError(msg) from None
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()


def _read_folder(client: imaplib.IMAP4, target: ImapTarget, known: Mapping[str, int]) -> Fetched:
    status, _ = client.select(_quoted(target.folder), readonly=True)  # EXAMINE: read-only
    if status != "OK":
        msg = f"de map {target.folder!r} bestaat niet op {target.host}"
        raise MailboxError(msg)
    _, validity_data = client.response("UIDVALIDITY")
    uidvalidity = int(validity_data[0]) if validity_data and validity_data[0] else 0
    reset = bool(known) and known.get("uidvalidity") != uidvalidity
    last = 0 if reset or not known else int(known.get("last_uid", 0))
    status, data = client.uid("SEARCH", f"UID {last + 1}:*")
    if status != "OK":
        msg = f"zoeken in {target.folder!r} mislukt"
        raise MailboxError(msg)
    uids = sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u > last)
    messages: list[bytes] = []
    for start in range(0, len(uids), _BATCH):
        batch = ",".join(str(u) for u in uids[start : start + _BATCH])
        status, parts = client.uid("FETCH", batch, "(UID BODY.PEEK[])")
        if status != "OK":
            msg = f"berichten ophalen uit {target.folder!r} mislukt"
            raise MailboxError(msg)
        found = {}
        for part in parts:
            if isinstance(part, tuple) and len(part) == 2:
                uid = _UID.search(part[0])
                if uid:
                    found[int(uid.group(1))] = part[1]
        messages.extend(found[u] for u in sorted(found))
    log.info("IMAP: %d nieuwe berichten in %s", len(messages), target.folder)  # counts only
    return Fetched(messages, uidvalidity, max([last, *uids]), reset)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
