"""The HTTP helper: user agent, sorted params, disk cache, retries with backoff, clear errors."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from geo._http import MAX_RETRY_AFTER, HttpClient, ServiceRejectedError, retry_after_seconds
from geo.config import Settings
from geo.errors import ServiceUnavailableError


class Reply:
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        self.status_code = status
        self.body = body
        self.headers = headers or {}

    def json(self) -> Any:
        if isinstance(self.body, Exception):
            raise self.body
        return self.body


class RecordedSession:
    """Plays back replies (or raises exceptions) in order; records what was asked."""

    def __init__(self, *replies: Reply | Exception):
        self.replies = list(replies)
        self.calls: list[dict[str, Any]] = []

    def get(
        self, url: str, *, params: Any = None, headers: Any = None, timeout: Any = None
    ) -> Reply:
        self.calls.append({"url": url, "params": params, "headers": headers, "timeout": timeout})
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def client(settings: Settings, session: RecordedSession, waits: list[float]) -> HttpClient:
    return HttpClient(settings, session=session, retries=3, backoff=1.0, sleep=waits.append)


def test_user_agent_timeout_and_sorted_params(settings: Settings) -> None:
    session = RecordedSession(Reply(200, {"ok": 1}))
    assert client(settings, session, []).get_json("https://example.test/a", {"z": 1, "a": "b"}) == {
        "ok": 1
    }
    call = session.calls[0]
    assert call["headers"]["User-Agent"] == settings.user_agent
    assert call["timeout"] == settings.http_timeout
    assert list(call["params"]) == ["a", "z"]


def test_second_request_comes_from_the_disk_cache(settings: Settings) -> None:
    session = RecordedSession(Reply(200, {"n": 1}))
    first = client(settings, session, []).get_json("https://example.test/a", {"q": "x"})
    again = client(settings, RecordedSession(), []).get_json(
        "https://example.test/a", {"q": "x"}
    )  # no replies left
    assert first == again == {"n": 1}
    assert len(list((settings.cache_dir / "http").glob("*.json"))) == 1


def test_retries_5xx_and_connection_errors_with_backoff(settings: Settings) -> None:
    session = RecordedSession(
        Reply(503), requests.ConnectionError("reset"), Reply(502), Reply(200, [1])
    )
    waits: list[float] = []
    assert client(settings, session, waits).get_json("https://example.test/a") == [1]
    assert waits == [1.0, 2.0, 4.0]


def test_429_honours_retry_after(settings: Settings) -> None:
    session = RecordedSession(Reply(429, headers={"Retry-After": "7"}), Reply(200, {}))
    waits: list[float] = []
    client(settings, session, waits).get_json("https://example.test/a")
    assert waits == [7.0]


def test_unreachable_after_all_retries_is_a_clear_error(settings: Settings) -> None:
    session = RecordedSession(*[requests.Timeout("slow")] * 4)
    with pytest.raises(
        ServiceUnavailableError, match=r"example.test is niet bereikbaar \(Timeout, 4 pogingen\)"
    ):
        client(settings, session, []).get_json("https://example.test/a")
    assert not (settings.cache_dir / "http").exists()  # failures are never cached


@pytest.mark.parametrize(
    ("reply", "message"),
    [(Reply(404), "HTTP 404"), (Reply(200, ValueError("x")), "geen geldige JSON")],
)
def test_client_errors_and_bad_bodies_are_not_retried(
    settings: Settings, reply: Reply, message: str
) -> None:
    session = RecordedSession(reply)
    with pytest.raises(ServiceUnavailableError, match=message):
        client(settings, session, []).get_json("https://example.test/a")
    assert len(session.calls) == 1


# --- item 9 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "wait"),
    [
        ("3600", MAX_RETRY_AFTER),  # bounded: a planner does not wait an hour
        ("Wed, 20 Nov 2030 10:00:30 GMT", 30.0),  # the HTTP-date form
        ("Wed, 20 Nov 2030 09:00:00 GMT", 0.0),  # a date in the past: no wait
        ("soon", None),  # unreadable: the normal backoff
    ],
)
def test_retry_after_in_seconds_or_as_a_date_is_bounded(header: str, wait: float | None) -> None:
    now = datetime(2030, 11, 20, 10, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(header, now=now) == wait


def test_a_huge_retry_after_does_not_stall_the_run(settings: Settings) -> None:
    session = RecordedSession(Reply(503, headers={"Retry-After": "86400"}), Reply(200, {}))
    waits: list[float] = []
    client(settings, session, waits).get_json("https://example.test/a")
    assert waits == [MAX_RETRY_AFTER]


@pytest.mark.parametrize(
    "error",
    [
        requests.exceptions.ChunkedEncodingError("connection broken mid-page"),
        requests.exceptions.ContentDecodingError("bad gzip"),
    ],
)
def test_a_body_broken_halfway_is_retried(settings: Settings, error: Exception) -> None:
    session = RecordedSession(error, Reply(200, {"ok": 1}))
    assert client(settings, session, []).get_json("https://example.test/a") == {"ok": 1}


def test_cached_answers_expire_after_max_age(settings: Settings) -> None:
    client(settings, RecordedSession(Reply(200, {"n": 1})), []).get_json("https://example.test/a")
    cached = next((settings.cache_dir / "http").glob("*.json"))
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(cached, (two_days_ago, two_days_ago))
    fresh = RecordedSession(Reply(200, {"n": 2}))
    day = 24 * 3600.0
    assert client(settings, fresh, []).get_json("https://example.test/a", max_age=day) == {"n": 2}
    assert len(fresh.calls) == 1
    # and the new answer is the cached one now
    assert client(settings, RecordedSession(), []).get_json(
        "https://example.test/a", max_age=day
    ) == {"n": 2}


def test_refresh_asks_again_and_keeps_the_new_answer(settings: Settings) -> None:
    client(settings, RecordedSession(Reply(200, {"n": 1})), []).get_json("https://example.test/a")
    again = HttpClient(settings, session=RecordedSession(Reply(200, {"n": 2})), refresh=True)
    assert again.get_json("https://example.test/a") == {"n": 2}
    assert client(settings, RecordedSession(), []).get_json("https://example.test/a") == {"n": 2}


def test_4xx_carries_the_servers_reason_and_status(settings: Settings) -> None:
    problem = {
        "title": "Bad Request",
        "status": 400,
        "detail": "unknown query parameter(s) found: x",
    }
    session = RecordedSession(Reply(400, problem))
    with pytest.raises(ServiceRejectedError, match=r"HTTP 400: unknown query parameter") as caught:
        client(settings, session, []).get_json("https://example.test/a", {"x": 1})
    assert caught.value.status == 400


def test_contact_address_goes_into_the_user_agent(settings: Settings) -> None:
    session = RecordedSession(Reply(200, {}))
    with_contact = replace(settings, contact_email="wijk@example.org")
    client(with_contact, session, []).get_json("https://example.test/a")
    assert session.calls[0]["headers"]["User-Agent"].endswith("wijk@example.org")
