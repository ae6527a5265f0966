"""The HTTP helper: user agent, sorted params, disk cache, retries with backoff, clear errors."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from geo._http import HttpClient
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
