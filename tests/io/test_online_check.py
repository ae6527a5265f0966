"""``controleer-online``: one probe per service, a report per service, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from geo.cli import main
from geo.config import Settings
from geo.online_check import check_online, format_checks
from tests.conftest import recorded

SERVICES = [
    "PDOK Locatieserver",
    "CBS wijken en buurten",
    "BAG verblijfsobjecten",
    "Nominatim",
    "Overpass",
]
OVERPASS = {
    "version": 0.6,
    "elements": [{"type": "way", "id": 1, "tags": {"highway": "residential"}}],
}


class Reply:
    def __init__(self, body: Any, status: int = 200) -> None:
        self.status_code = status
        self.body = body
        self.headers: dict[str, str] = {}

    def json(self) -> Any:
        return self.body


class RoutedSession:
    """Answers each service from a recorded body, chosen by a marker in the URL."""

    def __init__(self, routes: dict[str, Any]) -> None:
        self.routes = routes
        self.urls: list[str] = []

    def get(self, url: str, *, params: Any = None, headers: Any = None, timeout: Any = None) -> Any:
        full = url + "?" + "&".join(f"{k}={v}" for k, v in (params or {}).items())
        self.urls.append(full)
        body = next(b for marker, b in self.routes.items() if marker in full)
        if isinstance(body, Exception):
            raise body
        return Reply(body)


def real_shapes() -> dict[str, Any]:
    return {
        "type:adres": recorded("pdok_free_adres.json"),
        "wijken-en-buurten": recorded("cbs_buurten_page1.json"),
        "verblijfsobject": recorded("bag_verblijfsobject.json"),
        "/search": recorded("nominatim_search_house.json"),
        "/interpreter": OVERPASS,
    }


def test_every_service_answers_as_expected_and_is_recorded(
    settings: Settings, tmp_path: Path
) -> None:
    session = RoutedSession(real_shapes())
    results = check_online(settings, record_dir=tmp_path / "opname", session=session)
    assert [r.service for r in results] == SERVICES
    assert all(r.ok for r in results), format_checks(results)
    assert len(session.urls) == 5  # one harmless query each
    saved = sorted(p.name for p in (tmp_path / "opname").iterdir())
    assert len(saved) == 5
    cbs = json.loads((tmp_path / "opname" / "cbs_wijken_en_buurten.json").read_text())
    assert cbs["features"][0]["properties"]["gemeentecode"] == "GM1883"


def test_offline_every_service_says_so_without_a_traceback(settings: Settings) -> None:
    session = RoutedSession({"": requests.ConnectionError("no route to host")})
    results = check_online(settings, session=session)
    assert [r.reachable for r in results] == [False] * 5
    assert all("niet bereikbaar" in r.message for r in results)
    assert "niet bereikbaar" in format_checks(results)


def test_an_unexpected_shape_is_reported_per_service(settings: Settings) -> None:
    routes = real_shapes()
    routes["verblijfsobject"] = {"type": "FeatureCollection", "features": [{"properties": {}}]}
    results = {r.service: r for r in check_online(settings, session=RoutedSession(routes))}
    bag = results["BAG verblijfsobjecten"]
    assert bag.reachable and not bag.shape_ok
    assert "status" in bag.message and "gebruiksdoel" in bag.message
    assert results["Nominatim"].ok


def test_the_command_prints_one_line_per_service_and_fails_offline(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GEO_CACHE_DIR", str(settings.cache_dir))

    def offline(*args: Any, **kwargs: Any) -> Any:
        raise requests.ConnectionError("Failed to resolve 'api.pdok.nl'")

    monkeypatch.setattr(requests.Session, "get", offline)  # as on a machine without internet
    assert main(["controleer-online"]) == 1
    out = capsys.readouterr().out
    assert [line.split("  ")[0].strip() for line in out.splitlines()] == SERVICES
    assert "Traceback" not in out
