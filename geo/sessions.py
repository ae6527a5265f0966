"""Logins that survive a browser refresh: random tokens kept in this server's memory.

The app puts the token in the page's URL; a new browser session (a refresh) with a token that
is known, not expired, from the same browser (User-Agent) and made under the role's current
password hash gets the role back without the password. Only a digest of each token is kept.
A token expires after ``idle_seconds`` without use (every check renews it) and in any case
``absolute_seconds`` after the login; logging out revokes it. Nothing here is shared between
server processes or kept over a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from geo.errors import ConfigError

IDLE_HOURS = 8.0
ABSOLUTE_HOURS = 24.0
MAX_SESSIONS = 1000  # the oldest go first: memory stays bounded whatever a client does
TOKEN_BYTES = 32
ENV_KEY = "GEO_SESSION_HOURS"


@dataclass(frozen=True)
class SessionPolicy:
    """How long a token lasts: ``idle_seconds`` without use, ``absolute_seconds`` in all."""

    idle_seconds: float = IDLE_HOURS * 3600
    absolute_seconds: float = ABSOLUTE_HOURS * 3600

    @property
    def enabled(self) -> bool:
        """Whether a refresh may keep the login at all (``GEO_SESSION_HOURS=0``: never)."""
        return self.idle_seconds > 0 and self.absolute_seconds > 0


def policy_from_env(environ: Mapping[str, str]) -> SessionPolicy:
    """The policy from ``GEO_SESSION_HOURS`` (idle hours; default 8, 0 turns it off).

    The absolute cap is 24 hours after the login, or the idle time when that is longer.
    """
    raw = environ.get(ENV_KEY, "").strip()
    if not raw:
        return SessionPolicy()
    try:
        hours = float(raw)
    except ValueError:
        hours = -1.0
    if not 0 <= hours < float("inf"):  # also refuses NaN
        msg = f"{ENV_KEY} heeft een ongeldige waarde: {raw!r} (een aantal uren, 0 = uit)"
        raise ConfigError(msg)
    return SessionPolicy(
        idle_seconds=hours * 3600, absolute_seconds=max(ABSOLUTE_HOURS, hours) * 3600
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class _Entry:
    role: str
    hash_fingerprint: str  # digest of the role's configured password hash at login
    agent_fingerprint: str  # digest of the browser's User-Agent at login
    created: float
    last_seen: float


class SessionTable:
    """Token digest → role, password-hash fingerprint, User-Agent fingerprint and times.

    Thread-safe: one table serves every browser session of the server. ``clock`` returns
    seconds (monotonic by default; tests pass their own).
    """

    def __init__(
        self,
        policy: SessionPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_sessions: int = MAX_SESSIONS,
    ) -> None:
        self.policy = policy or SessionPolicy()
        self.clock = clock
        self._max = max_sessions
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def create(self, role: str, password_hash: str, user_agent: str) -> str:
        """A new random token for ``role``, logged in with ``password_hash`` from ``user_agent``."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self.clock()
        with self._lock:
            self._purge(now)
            while len(self._entries) >= self._max:
                oldest = min(self._entries, key=lambda key: self._entries[key].last_seen)
                del self._entries[oldest]
            self._entries[_digest(token)] = _Entry(
                role=role,
                hash_fingerprint=_digest(password_hash),
                agent_fingerprint=_digest(user_agent),
                created=now,
                last_seen=now,
            )
        return token

    def check(self, token: str, hashes: Mapping[str, str], user_agent: str) -> str | None:
        """The role of a valid ``token``, its idle time renewed; else ``None`` (and it is gone).

        Valid: known, not idle too long, within the absolute cap, the role's configured hash
        (``hashes``: role → hash) unchanged since the login, and the same User-Agent.
        """
        if not token:
            return None
        key = _digest(token)
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            configured = hashes.get(entry.role)
            valid = (
                self.policy.enabled
                and now - entry.last_seen <= self.policy.idle_seconds
                and now - entry.created <= self.policy.absolute_seconds
                and configured is not None
                and hmac.compare_digest(entry.hash_fingerprint, _digest(configured))
                and hmac.compare_digest(entry.agent_fingerprint, _digest(user_agent))
            )
            if not valid:
                del self._entries[key]
                return None
            entry.last_seen = now
            return entry.role

    def revoke(self, token: str) -> None:
        """Forget ``token`` (logging out); an unknown token is ignored."""
        with self._lock:
            self._entries.pop(_digest(token), None)

    def _purge(self, now: float) -> None:
        """Drop expired entries (called with the lock held)."""
        expired = [
            key
            for key, entry in self._entries.items()
            if now - entry.last_seen > self.policy.idle_seconds
            or now - entry.created > self.policy.absolute_seconds
        ]
        for key in expired:
            del self._entries[key]
