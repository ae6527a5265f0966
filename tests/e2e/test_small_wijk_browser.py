"""A small wijk in a real browser: after an action, a dropdown's label shows the new state.

Streamlit's browser keeps the label text of a chosen option it was given; a label with counts
("2 leden") would stay stale after a split until the page is opened again. Two fictitious
members on two streets in one area; the planner splits the area (demo mode, offline).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.small_wijk import small_project
from tests.e2e.test_browser import (
    ARTIFACTS,
    CHROMIUM,
    LEAFLET,
    choose,
    click,
    open_app,
    running_app,
    settled,
    shoot,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.enable_socket,  # the browser and the health check talk to the local server
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(not LEAFLET.exists(), reason="no local Leaflet (see .ci/run)"),
]


@pytest.fixture
def two_members(tmp_path: Path) -> Iterator[str]:
    """The app in demo mode on a project with two members in one area."""
    small_project(tmp_path, 2)
    env = {**os.environ, "GEO_DATA_DIR": str(tmp_path), "GEO_CACHE_DIR": str(tmp_path / "cache")}
    for key in ("GEO_PLANNER_PASSWORD_HASH", "GEO_MUNICIPALITY_PASSWORD_HASH"):
        env.pop(key, None)
    yield from running_app(env, ARTIFACTS / "streamlit-small-wijk.log")


def test_after_a_split_the_from_area_label_shows_the_new_count(two_members: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser, page = open_app(playwright, two_members)
        try:
            page.get_by_role("link", name="Gebieden", exact=True).click()
            settled(page)
            chosen = page.locator(".st-key-verplaats_van input")
            expect(chosen).to_have_value(re.compile(r"^1 – .*\(2 leden, 253 plaatsen over\)$"))
            click(page, page.get_by_role("button", name="Splitsen"))
            expect(page.get_by_text("is gesplitst in")).to_be_visible()
            settled(page)
            expect(chosen).to_have_value(re.compile(r"^1 – .*\(1 lid, 254 plaatsen over\)$"))
            shoot(page, "small-wijk-split-label.png", at=chosen)
        finally:
            browser.close()


def test_a_web_address_in_a_name_is_no_link(tmp_path: Path) -> None:
    """Escaped markdown still links a bare ``https://`` or ``www.`` (review 54): a sign-up's
    name must not put a phishing link on the planner's screen."""
    from playwright.sync_api import expect, sync_playwright

    name = "Piet zie https://x.example/gratis www.x.example _https://x.example/b piet@x.example"
    project = small_project(tmp_path, 2)
    with sqlite3.connect(project) as db:
        db.execute("UPDATE applicants SET naam = ? WHERE naam = 'Lid 2'", (name,))
    env = {**os.environ, "GEO_DATA_DIR": str(tmp_path), "GEO_CACHE_DIR": str(tmp_path / "cache")}
    for key in ("GEO_PLANNER_PASSWORD_HASH", "GEO_MUNICIPALITY_PASSWORD_HASH"):
        env.pop(key, None)
    app = running_app(env, ARTIFACTS / "streamlit-small-wijk-link.log")
    with sync_playwright() as playwright:
        browser, page = open_app(playwright, next(app))
        try:
            choose(page, "verwijder_keuze", re.compile("^Piet zie"))
            click(page, page.get_by_role("button", name="Verwijderen…"))
            question = page.get_by_test_id("stAlert").filter(has_text="definitief").first
            expect(question).to_contain_text("x.example/gratis")
            shoot(page, "small-wijk-name-with-link.png", at=question)
            expect(page.locator("a[href*='x.example']")).to_have_count(0)
            expect(page.locator("a[href^='mailto:']")).to_have_count(0)
        finally:
            browser.close()
            app.close()
