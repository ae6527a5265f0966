"""Shared fixtures: offline settings, file writers, a recording fake HTTP adapter for geopy."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from geopy.adapters import AdapterHTTPError, BaseSyncAdapter
from hypothesis import settings as hypothesis_settings

from geo.config import Settings

FIXTURES = Path(__file__).parent / "fixtures"

# CI replays the same examples every run (a red CI is then reproducible); locally every run
# explores new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a private cache dir and no waiting between requests."""
    return Settings(cache_dir=tmp_path / "cache", nominatim_min_delay=0.0, pdok_min_delay=0.0)


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` with an explicit encoding (CSV files as Excel saves them)."""
    path.write_bytes(text.encode(encoding))
    return path


def recorded(name: str) -> Any:
    """A recorded HTTP response body from ``tests/fixtures/http``."""
    return json.loads((FIXTURES / "http" / name).read_text(encoding="utf-8"))


Responder = Callable[[str, dict[str, list[str]]], Any]


class FakeAdapter(BaseSyncAdapter):
    """geopy adapter that answers from a responder instead of the network, and records calls.

    The responder gets the URL path and query; it returns a JSON body, or an int for an HTTP
    error status.
    """

    def __init__(
        self, responder: Responder, calls: list[tuple[str, dict[str, list[str]], dict[str, str]]]
    ):
        self.responder = responder
        self.calls = calls

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        parsed = urlparse(url)
        query = parse_qs(parsed.query)
        self.calls.append((parsed.path, query, headers))
        answer = self.responder(parsed.path, query)
        if isinstance(answer, int):
            raise AdapterHTTPError("recorded failure", status_code=answer, headers={}, text="")
        return answer

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        return json.dumps(self.get_json(url, timeout=timeout, headers=headers))


def fake_adapter_factory(
    responder: Responder,
) -> tuple[Callable[..., FakeAdapter], list[tuple[str, dict[str, list[str]], dict[str, str]]]]:
    """An ``adapter_factory`` for geopy geocoders and the list its adapters record calls in."""
    calls: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []

    def factory(**_kwargs: Any) -> FakeAdapter:
        return FakeAdapter(responder, calls)

    return factory, calls


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests share one xdist worker: two Chromiums at once on two cores time out."""
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(autouse=True)
def _one_browser_at_a_time(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Browser tests run one at a time across the xdist workers, by a lock in the session's
    temporary folder. The "browser" group alone does not do it: pytest-xdist 3.8 names a
    group by setting ``item._nodeid``, which pytest 9 no longer reads, so ``--dist loadgroup``
    spreads the group over both workers."""
    if request.node.get_closest_marker("e2e") is None:
        yield
        return
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # pytest-N/
    with (shared / "browser.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield
