"""A browser refresh is a new Streamlit session: with the token from the URL it stays logged in,
after logging out or once the token expired it asks the password again (and says why)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo.access import hash_password
from geo.config import Settings
from geo.project import demo_project

pytestmark = pytest.mark.slow
APP = str(Path(__file__).parents[2] / "app.py")
TIMEOUT = 180
EXPIRED = "Uw sessie is verlopen; log opnieuw in."


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("session-data")
    demo_project(folder / "demo.sqlite", settings=Settings(cache_dir=folder / "cache")).close()
    (folder / "project.sqlite").write_bytes((folder / "demo.sqlite").read_bytes())
    return folder


@pytest.fixture
def passwords(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("GEO_DATA_DIR", str(data_dir))
    monkeypatch.setenv("GEO_CACHE_DIR", str(data_dir / "cache"))
    monkeypatch.setenv("GEO_PLANNER_PASSWORD_HASH", hash_password("planner-geheim"))
    monkeypatch.setenv("GEO_MUNICIPALITY_PASSWORD_HASH", hash_password("gemeente-geheim"))
    monkeypatch.delenv("GEO_SESSION_HOURS", raising=False)
    yield
    from views.common import _session_table

    _session_table.clear()  # no token outlives its test


def logged_in(password: str) -> tuple[AppTest, str]:
    """A session logged in with ``password``, and the token it put in the URL."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.text_input(key="wachtwoord").input(password)
    at.button[0].click().run()
    assert not at.exception
    token = at.query_params.get("sessie")
    assert isinstance(token, str) and len(token) >= 43
    return at, token


def refreshed(token: str, **query: Any) -> AppTest:
    """What a refresh of the page with ``token`` in its URL shows: a new session."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["sessie"] = token
    at.query_params.update(query)
    return at.run()


def on_login_page(at: AppTest) -> bool:
    return not at.exception and at.title[0].value == "BuurtWhatsApp-planner"


def test_a_refresh_keeps_the_login_until_logging_out(passwords: None) -> None:
    at, token = logged_in("gemeente-geheim")
    assert at.title[0].value == "Borden"
    again = refreshed(token)
    assert not again.exception
    assert again.title[0].value == "Borden", "logged in without the password"
    assert "Ingelogd als gemeente" in again.sidebar.caption[0].value
    assert again.query_params.get("sessie") == token, "the token stays in the URL"
    again.switch_page("views/export.py").run()
    assert not again.exception and again.title[0].value == "Export"
    assert again.query_params.get("sessie") == token, "and survives a page switch"

    again.sidebar.button(key="uitloggen").click().run()
    assert on_login_page(again)
    assert "sessie" not in again.query_params, "logging out takes the token out of the URL"
    assert EXPIRED not in [info.value for info in again.info], "a logout is no expiry"
    after = refreshed(token)
    assert on_login_page(after), "a logged-out token no longer works"
    assert not after.sidebar.button
    # the first session was logged out too: its next run finds the token revoked
    at.run()
    assert on_login_page(at)


def test_the_planner_comes_back_as_planner(passwords: None) -> None:
    _, token = logged_in("planner-geheim")
    again = refreshed(token)
    assert not again.exception and again.title[0].value == "Aanmeldingen"
    assert "Ingelogd als planner" in again.sidebar.caption[0].value


def test_an_unknown_token_asks_the_password(passwords: None) -> None:
    at = refreshed("verzonnen-token", pagina="x")
    assert on_login_page(at)
    assert at.info[0].value == EXPIRED
    assert at.query_params == {"pagina": "x"}, "only the token is taken out of the URL"
    assert on_login_page(refreshed(""))


def test_an_expired_token_says_so_and_leaves_the_url(passwords: None) -> None:
    from views.common import session_table

    at, token = logged_in("planner-geheim")
    table = session_table()
    start = table.clock()
    table.clock = lambda: start + 8.1 * 3600  # a working day without using the app
    again = refreshed(token)
    assert on_login_page(again)
    assert again.info[0].value == EXPIRED
    assert "sessie" not in again.query_params, "the expired token is removed from the URL"
    at.run()
    assert on_login_page(at), "the open session ends with it"
    assert at.info[0].value == EXPIRED
    at.text_input(key="wachtwoord").input("planner-geheim")
    at.button[0].click().run()
    assert not at.exception and at.title[0].value == "Aanmeldingen"
    assert not at.info, "the note goes with a new login"
    assert at.query_params.get("sessie") not in (None, token), "a new token"


def test_a_changed_password_ends_the_refresh(
    passwords: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, token = logged_in("planner-geheim")
    monkeypatch.setenv("GEO_PLANNER_PASSWORD_HASH", hash_password("nieuw-geheim"))
    again = refreshed(token)
    assert on_login_page(again)
    assert again.info[0].value == EXPIRED


def test_without_session_hours_a_refresh_asks_the_password(
    passwords: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEO_SESSION_HOURS", "0")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.text_input(key="wachtwoord").input("gemeente-geheim")
    at.button[0].click().run()
    assert not at.exception and at.title[0].value == "Borden"
    assert "sessie" not in at.query_params, "no token at all"
    at.run()
    assert at.title[0].value == "Borden", "the open session stays logged in"


def test_a_bad_session_hours_value_is_shown_in_dutch(
    passwords: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEO_SESSION_HOURS", "acht")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "GEO_SESSION_HOURS heeft een ongeldige waarde" in at.error[0].value


def test_the_demo_ignores_tokens(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEO_DATA_DIR", str(data_dir))
    monkeypatch.setenv("GEO_CACHE_DIR", str(data_dir / "cache"))
    monkeypatch.delenv("GEO_PLANNER_PASSWORD_HASH", raising=False)
    monkeypatch.delenv("GEO_MUNICIPALITY_PASSWORD_HASH", raising=False)
    at = refreshed("verzonnen-token")
    assert not at.exception and at.title[0].value == "Aanmeldingen"
    assert EXPIRED not in [info.value for info in at.info]
