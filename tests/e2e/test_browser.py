"""The real app, served by Streamlit and clicked through in headless Chromium.

Upload sign-ups with bad rows → see the reasons → the areas and their map. A screenshot of each
step is kept in ``E2E_ARTIFACTS`` (default ``e2e-artifacts/``) for a person to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.config import Settings
from geo.project import demo_project

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).parents[2]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", REPO / "e2e-artifacts"))
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]  # fmt: skip
BAD_ROWS = (
    "Naam;Adres;Woonplaats;Leeftijd;Telefoon\n"
    "Kees Kind;Vuorikatu 17;Helsinki;15;0612121212\n"
    "Anne Aangenomen;Vuorikatu 17;Helsinki;40;0613131313\n"
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.enable_socket,  # the browser and the health check talk to the local server
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``streamlit run app.py`` on a free local port, on a ready demo project."""
    data = tmp_path_factory.mktemp("e2e-data")
    demo_project(data / "demo.sqlite", settings=Settings(cache_dir=data / "cache")).close()
    env = {**os.environ, "GEO_DATA_DIR": str(data), "GEO_CACHE_DIR": str(data / "cache")}
    for key in ("GEO_PLANNER_PASSWORD_HASH", "GEO_MUNICIPALITY_PASSWORD_HASH"):
        env.pop(key, None)
    yield from running_app(env, ARTIFACTS / "streamlit.log")


def running_app(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """``streamlit run app.py`` with ``env`` on a free local port: yields its URL once healthy,
    stops it afterwards; its output goes to ``log_path``."""
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
         "--server.fileWatcherType=none"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the app did not start within 90 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_upload_then_areas_and_map_in_a_real_browser(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sheet = tmp_path / "aanmeldingen.csv"
    sheet.write_text(BAD_ROWS, encoding="utf-8")
    expect.set_options(timeout=60_000)  # a page that plans on open is slow on a busy machine
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(90_000)
        page.goto(server)
        expect(page.get_by_role("heading", name="Aanmeldingen", exact=True)).to_be_visible()
        expect(page.get_by_text("Demomodus")).to_be_visible()
        page.locator("input[type=file]").set_input_files(str(sheet))
        page.get_by_role("button", name="Inlezen en plaatsen").click()
        expect(page.get_by_text("2 regels gelezen: 1 aangenomen, 1 afgewezen")).to_be_visible()
        expect(page.get_by_text("minimaal 18 jaar").first).to_be_attached()
        page.screenshot(path=str(ARTIFACTS / "1-aanmeldingen.png"), full_page=True)
        page.get_by_role("link", name="Gebieden").click()
        expect(page.get_by_role("heading", name="Gebieden", exact=True)).to_be_visible()
        expect(page.locator("iframe").first).to_be_attached()  # the folium map
        expect(page.get_by_role("heading", name="Een straat verplaatsen")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "2-gebieden.png"), full_page=True)
        areas_before = page.get_by_test_id("stMetricValue").first.inner_text()

        # A re-plan is a proposal: preview → confirm → undo on Geschiedenis (issue 13.1).
        page.get_by_text("Opnieuw indelen: eerst een voorstel").click()
        slider = page.get_by_role("slider").first
        slider.focus()
        page.keyboard.press("Home")  # the smallest groups: the proposal changes a lot
        expect(slider).to_have_value(str(slider.get_attribute("min")))
        page.get_by_role("button", name="Voorstel maken").click()
        expect(page.get_by_text("Leden die van groep wisselen")).to_be_visible()
        assert page.get_by_test_id("stMetricValue").first.inner_text() == areas_before, (
            "a proposal saves nothing"
        )
        page.screenshot(path=str(ARTIFACTS / "3-voorstel.png"), full_page=True)
        page.get_by_role("button", name="Bevestigen").click()
        expect(page.get_by_text("Nieuwe indeling opgeslagen")).to_be_visible()
        expect(page.get_by_test_id("stMetricValue").first).not_to_have_text(areas_before)
        page.get_by_role("link", name="Geschiedenis").click()
        page.get_by_role("button", name="De laatste wijziging ongedaan maken").click()
        expect(page.get_by_text("is ongedaan gemaakt")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "4-ongedaan.png"), full_page=True)
        page.get_by_role("link", name="Gebieden").click()
        expect(page.get_by_role("heading", name="Gebieden", exact=True)).to_be_visible()
        expect(page.get_by_test_id("stMetricValue").first).to_have_text(areas_before)
        browser.close()
    assert (ARTIFACTS / "2-gebieden.png").stat().st_size > 10_000
