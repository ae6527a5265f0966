"""With passwords configured, in headless Chromium: no menu before login or after logout, a
refresh keeps the login and the page (until logging out; not in another browser), and
the maps drawn for real (Leaflet served from the local copy ``.ci/run`` fetches; other CDN
scripts are replaced by small stand-ins or nothing, tiles refused: nothing leaves the machine).

Screenshots of the login page, the sign map, the planner map, the page after logging out, after
a refresh and with an expired session go to ``E2E_ARTIFACTS`` (default ``e2e-artifacts/``) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from geo.access import hash_password
from geo.config import Settings
from geo.project import demo_project
from tests.e2e.test_browser import ARTIFACTS, CHROMIUM, FLAGS, LEAFLET, offline

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.enable_socket,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(not LEAFLET.exists(), reason="no local Leaflet (see .ci/run)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``streamlit run app.py`` with a planner password, on a copy of the demo project."""
    from tests.e2e.test_browser import running_app

    data = tmp_path_factory.mktemp("e2e-login")
    demo_project(data / "demo.sqlite", settings=Settings(cache_dir=data / "cache")).close()
    shutil.copy(data / "demo.sqlite", data / "project.sqlite")
    env = {
        **os.environ,
        "GEO_DATA_DIR": str(data),
        "GEO_CACHE_DIR": str(data / "cache"),
        "GEO_PLANNER_PASSWORD_HASH": hash_password("planner-geheim"),
        "GEO_MUNICIPALITY_PASSWORD_HASH": hash_password("gemeente-geheim"),
    }
    yield from running_app(env, ARTIFACTS / "streamlit-login.log")


def _the_sign_map_fills_the_page_and_picks_a_sign(page: Any) -> None:
    """On Borden: 45 badges from one layer, roads, full width; a click preselects the sign."""
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Borden", exact=True)).to_be_visible()
    signs_map = page.frame_locator("iframe[title*='streamlit_folium']").first
    badges = signs_map.locator(".leaflet-marker-icon")
    expect(badges).to_have_count(45)  # the signs, drawn from one layer
    expect(signs_map.locator("path.leaflet-interactive").first).to_be_attached()  # roads
    box = page.locator("iframe[title*='streamlit_folium']").first.bounding_box()
    main = page.get_by_test_id("stMainBlockContainer").bounding_box()
    assert box is not None and main is not None
    assert box["width"] > 0.9 * (main["width"] - 2 * 48), "the map fills the page's width"
    assert 500 <= box["height"] <= 600
    signs_map.locator(".leaflet-marker-icon", has_text="3").first.click()
    expect(page.get_by_role("combobox", name="Bord").first).to_have_value("3")  # preselected
    page.screenshot(path=str(ARTIFACTS / "6-borden.png"), full_page=True)


def test_the_menu_comes_with_login_and_goes_with_logout_and_maps_draw(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=60_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.route("**/*", offline(server))
        page = context.new_page()
        page.set_default_timeout(90_000)
        page.goto(server)
        expect(page.get_by_role("heading", name="BuurtWhatsApp-planner")).to_be_visible()
        page.wait_for_timeout(1_000)  # a menu would be drawn by now
        assert page.get_by_test_id("stSidebarNav").count() == 0, "no page list before login"
        assert page.get_by_text("common", exact=True).count() == 0
        page.screenshot(path=str(ARTIFACTS / "5-inloggen.png"), full_page=True)

        page.get_by_label("Wachtwoord").fill("planner-geheim")
        page.get_by_role("button", name="Inloggen").click()
        expect(page.get_by_role("heading", name="Aanmeldingen", exact=True)).to_be_visible()
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav).to_be_visible()
        shown = (
            page.get_by_test_id("stFileUploaderDropzoneInstructions")
            .first.locator("span")
            .first.evaluate("span => getComputedStyle(span, '::after').content")
        )
        assert "Sleep een bestand hierheen" in shown, "the uploader speaks Dutch"
        expect(nav.get_by_role("link", name="Borden")).to_be_visible()
        assert nav.get_by_text("common").count() == 0

        nav.get_by_role("link", name="Borden").click()
        _the_sign_map_fills_the_page_and_picks_a_sign(page)
        nav.get_by_role("link", name="Gebieden").click()
        expect(page.get_by_role("heading", name="Gebieden", exact=True)).to_be_visible()
        planner = page.frame_locator("iframe[title*='streamlit_folium']").first
        expect(planner.get_by_text("Legenda")).to_be_visible()
        expect(planner.locator(".leaflet-control-scale")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "7-gebieden-kaart.png"), full_page=True)
        kept = _a_refresh_keeps_the_login_and_the_page(page)

        page.get_by_role("button", name="Uitloggen").click()
        expect(page.get_by_role("heading", name="BuurtWhatsApp-planner")).to_be_visible()
        page.wait_for_timeout(1_000)
        assert page.get_by_test_id("stSidebarNav").count() == 0, "the menu goes with logout"
        assert page.get_by_role("button", name="Uitloggen").count() == 0
        assert "sessie=" not in page.url, "logging out takes the token out of the URL"
        page.screenshot(path=str(ARTIFACTS / "8-uitgelogd.png"), full_page=True)

        _after_logging_out_the_token_opens_nothing(page, kept)
        _another_browser_with_the_url_is_not_logged_in(browser, server, page)
        browser.close()


def _after_logging_out_the_token_opens_nothing(page: Any, kept: str) -> None:
    """A refresh after logging out shows the login; so does the old URL (from the history),
    saying the session has expired. Logging in again there opens the page of that URL."""
    from playwright.sync_api import expect

    page.reload()
    expect(page.get_by_role("heading", name="BuurtWhatsApp-planner")).to_be_visible()
    expect(page.get_by_label("Wachtwoord")).to_be_visible()
    page.wait_for_timeout(1_000)
    assert page.get_by_test_id("stSidebarNav").count() == 0, "still logged out after a refresh"
    assert page.get_by_text("Page not found").count() == 0, "Gebieden's address shows the login"
    page.goto(kept)
    expect(page.get_by_text("Uw sessie is verlopen; log opnieuw in.")).to_be_visible()
    expect(page.get_by_label("Wachtwoord")).to_be_visible()
    assert page.get_by_test_id("stSidebarNav").count() == 0, "a revoked token opens nothing"
    page.wait_for_function("() => !location.search.includes('sessie=')")
    assert page.get_by_text("Page not found").count() == 0
    page.screenshot(path=str(ARTIFACTS / "10-sessie-verlopen.png"), full_page=True)

    page.get_by_label("Wachtwoord").fill("planner-geheim")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Gebieden", exact=True)).to_be_visible()
    page.wait_for_function("() => location.search.includes('sessie=')")
    assert page.url != kept, "a new login, a new token"


def _a_refresh_keeps_the_login_and_the_page(page: Any) -> str:
    """F5 on Gebieden: a new Streamlit session, still logged in, still on Gebieden; the token
    stayed in the URL through the page switches. Returns that URL."""
    from playwright.sync_api import expect

    assert "sessie=" in page.url, "the token survives switching pages"
    kept = str(page.url)
    page.reload()
    expect(page.get_by_role("heading", name="Gebieden", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    expect(page.get_by_text("Ingelogd als planner")).to_be_visible()
    assert page.get_by_label("Wachtwoord").count() == 0
    assert page.url == kept, "same page, same token"
    planner = page.frame_locator("iframe[title*='streamlit_folium']").first
    expect(planner.get_by_text("Legenda")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "9-na-verversen.png"), full_page=True)
    return kept


def _another_browser_with_the_url_is_not_logged_in(browser: Any, server: str, page: Any) -> None:
    """The same URL in a browser with another User-Agent asks the password: the token is bound
    to the browser it was made in (and, misused, revoked: the next refresh asks too)."""
    from playwright.sync_api import expect

    other = browser.new_context(
        viewport={"width": 1400, "height": 1000}, user_agent="Mozilla/5.0 (Macintosh) Safari/17"
    )
    other.route("**/*", offline(server))
    stranger = other.new_page()
    stranger.set_default_timeout(90_000)
    stranger.goto(page.url)
    expect(stranger.get_by_text("Uw sessie is verlopen; log opnieuw in.")).to_be_visible()
    expect(stranger.get_by_label("Wachtwoord")).to_be_visible()
    assert stranger.get_by_test_id("stSidebarNav").count() == 0
    other.close()
    page.reload()
    expect(page.get_by_text("Uw sessie is verlopen; log opnieuw in.")).to_be_visible()
