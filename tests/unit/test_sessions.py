"""Login tokens that survive a refresh: expiry, revocation, binding to browser and password."""

from __future__ import annotations

import pytest

from geo.errors import ConfigError
from geo.sessions import (
    ABSOLUTE_HOURS,
    IDLE_HOURS,
    SessionPolicy,
    SessionTable,
    policy_from_env,
)

HOUR = 3600.0
HASHES = {"planner": "pbkdf2_sha256$1$c2FsdA==$aGFzaA==", "gemeente": "pbkdf2_sha256$1$eA==$eQ=="}
AGENT = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, hours: float) -> None:
        self.now += hours * HOUR


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def table(clock: Clock) -> SessionTable:
    return SessionTable(SessionPolicy(8 * HOUR, 24 * HOUR), clock=clock)


def test_a_fresh_token_gives_the_role_back(table: SessionTable) -> None:
    token = table.create("gemeente", HASHES["gemeente"], AGENT)
    assert table.check(token, HASHES, AGENT) == "gemeente"
    assert table.check(token, HASHES, AGENT) == "gemeente", "checking does not use it up"


def test_idle_expiry_slides_with_use(table: SessionTable, clock: Clock) -> None:
    token = table.create("planner", HASHES["planner"], AGENT)
    for _ in range(2):  # 7 h after each use: still valid, and the use renews it
        clock.advance(7)
        assert table.check(token, HASHES, AGENT) == "planner"
    clock.advance(8.01)
    assert table.check(token, HASHES, AGENT) is None
    clock.advance(-8.01)  # gone for good: turning back the clock does not revive it
    assert table.check(token, HASHES, AGENT) is None
    assert len(table) == 0


def test_the_absolute_cap_ends_even_a_busy_session(table: SessionTable, clock: Clock) -> None:
    token = table.create("planner", HASHES["planner"], AGENT)
    for _ in range(23):
        clock.advance(1)
        assert table.check(token, HASHES, AGENT) == "planner"
    clock.advance(1.01)  # used an hour ago, but 24 h since the login
    assert table.check(token, HASHES, AGENT) is None


def test_revoke_ends_the_token_and_ignores_unknown_ones(table: SessionTable) -> None:
    token = table.create("planner", HASHES["planner"], AGENT)
    other = table.create("planner", HASHES["planner"], AGENT)
    table.revoke(token)
    table.revoke("onbekend")
    assert table.check(token, HASHES, AGENT) is None
    assert table.check(other, HASHES, AGENT) == "planner", "only the revoked login ends"


def test_another_browser_with_the_same_url_is_refused(table: SessionTable) -> None:
    token = table.create("planner", HASHES["planner"], AGENT)
    assert table.check(token, HASHES, "Mozilla/5.0 (Macintosh) Safari/17") is None
    assert table.check(token, HASHES, AGENT) is None, "a misused token is revoked"


def test_a_changed_password_ends_its_tokens(table: SessionTable) -> None:
    planner = table.create("planner", HASHES["planner"], AGENT)
    gemeente = table.create("gemeente", HASHES["gemeente"], AGENT)
    changed = {**HASHES, "planner": "pbkdf2_sha256$1$bmlldXc=$bmlldXc="}
    assert table.check(planner, changed, AGENT) is None
    assert table.check(gemeente, changed, AGENT) == "gemeente", "the other role's login stays"
    assert table.check(gemeente, {"planner": HASHES["planner"]}, AGENT) is None, (
        "a role whose password is no longer configured"
    )


def test_unknown_and_empty_tokens_give_nothing(table: SessionTable) -> None:
    token = table.create("planner", HASHES["planner"], AGENT)
    assert table.check("", HASHES, AGENT) is None
    assert table.check("x" * 43, HASHES, AGENT) is None
    assert table.check(token[:-1], HASHES, AGENT) is None
    assert table.check(token, HASHES, AGENT) == "planner"


def test_tokens_are_random_long_and_never_kept_in_clear(table: SessionTable) -> None:
    tokens = {table.create("planner", HASHES["planner"], AGENT) for _ in range(200)}
    assert len(tokens) == 200
    assert all(len(token) >= 43 for token in tokens)  # 32 random bytes, URL-safe base64
    assert all(set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
               for token in tokens)  # fmt: skip
    kept = repr(vars(table))
    assert not [token for token in tokens if token in kept], "only digests are stored"


def test_the_table_stays_bounded(clock: Clock) -> None:
    table = SessionTable(clock=clock, max_sessions=3)
    first = table.create("planner", HASHES["planner"], AGENT)
    for _ in range(3):
        clock.advance(0.1)
        last = table.create("planner", HASHES["planner"], AGENT)
    assert len(table) == 3
    assert table.check(first, HASHES, AGENT) is None, "the oldest made room"
    assert table.check(last, HASHES, AGENT) == "planner"


def test_expired_tokens_are_purged_on_the_next_login(table: SessionTable, clock: Clock) -> None:
    table.create("planner", HASHES["planner"], AGENT)
    clock.advance(9)
    table.create("planner", HASHES["planner"], AGENT)
    assert len(table) == 1


def test_the_policy_from_the_environment() -> None:
    default = policy_from_env({})
    assert default == SessionPolicy(IDLE_HOURS * HOUR, ABSOLUTE_HOURS * HOUR)
    assert default.enabled
    assert policy_from_env({"GEO_SESSION_HOURS": "2"}) == SessionPolicy(2 * HOUR, 24 * HOUR)
    assert policy_from_env({"GEO_SESSION_HOURS": "48"}) == SessionPolicy(48 * HOUR, 48 * HOUR)
    assert not policy_from_env({"GEO_SESSION_HOURS": "0"}).enabled
    for bad in ("acht", "-1", "nan", "inf"):
        with pytest.raises(ConfigError, match="GEO_SESSION_HOURS heeft een ongeldige waarde"):
            policy_from_env({"GEO_SESSION_HOURS": bad})


def test_a_disabled_policy_keeps_no_login(clock: Clock) -> None:
    table = SessionTable(SessionPolicy(0, 0), clock=clock)
    token = table.create("planner", HASHES["planner"], AGENT)
    assert table.check(token, HASHES, AGENT) is None
