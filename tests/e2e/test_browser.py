"""The real app, served by Streamlit and clicked through in headless Chromium.

Upload sign-ups with bad rows → see the reasons → the areas and their map; a volunteer's whole
flow: correct a rejected sign-up, then start an area's WhatsApp group (tick who is in it, launch
it with its invite link, preview a member's message). The maps are drawn offline: Leaflet
and its images come from the local copy ``.ci/run`` fetches (``.e2e-vendor/``), other
CDN scripts are small stand-ins or nothing, tiles are refused. A screenshot of each step is kept
in ``E2E_ARTIFACTS`` (default ``e2e-artifacts/``) for a person to look at.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.config import Settings
from geo.project import demo_project

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).parents[2]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", REPO / "e2e-artifacts"))
LEAFLET = Path(
    os.environ.get("LEAFLET_JS", REPO / ".e2e-vendor" / "package" / "dist" / "leaflet.js")
)
# Plugins folium loads from a CDN, replaced by what the maps need of them to run offline.
STAND_INS = {
    "Control.FullScreen": "L.control.fullscreen = function () { return L.control({}); };"
    "L.Control.prototype.onAdd = L.Control.prototype.onAdd || function () {"
    " return L.DomUtil.create('div'); };",
    "markercluster": "L.markerClusterGroup = function () { return L.featureGroup(); };",
    # members as small dots, as the clusters would not be
    "awesome-markers": "L.AwesomeMarkers = {icon: function () { return L.divIcon({className: '',"
    " iconSize: [4, 4], html: '<div style=\"width:4px;height:4px;background:#333\"></div>'}); }};",
}
CONTENT_TYPES = {".js": "application/javascript", ".css": "text/css", ".png": "image/png"}
# The natural width of the element's CSS background image once loaded (0: it did not load).
LOADED_BACKGROUND = """(el) => new Promise((done) => {
  const match = /url\\(["']?([^"')]+)["']?\\)/.exec(getComputedStyle(el).backgroundImage);
  if (!match) { done(0); return; }
  const image = new Image();
  image.onload = () => done(image.naturalWidth);
  image.onerror = () => done(0);
  image.src = match[1];
})"""
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


def offline(server: str) -> Any:
    """A route handler: the app itself; Leaflet's script, style sheet and images (the layer
    control's icon, markers) from the local copy; stand-ins for the other CDN scripts; every
    other request (tiles, fonts) refused, so nothing leaves the machine."""
    dist = LEAFLET.parent

    def handle(route: Any) -> None:
        url = route.request.url
        path = url.split("?")[0].split("#")[0]
        name = path.rsplit("/", 1)[-1]
        local = dist / "images" / name if "/images/" in path else dist / name
        suffix = Path(name).suffix
        if url.startswith(server):
            route.continue_()
        elif "/leaflet" in path and "/dist/" in path and local.is_file():
            # leaflet.css asks for images/layers.png next to itself: served from dist/images
            route.fulfill(body=local.read_bytes(), content_type=CONTENT_TYPES.get(suffix, ""))
        elif suffix == ".js":  # plugins get a stand-in; jQuery, Bootstrap: the maps need none
            stand_in = next((js for key, js in STAND_INS.items() if key in url), "")
            route.fulfill(body=stand_in, content_type=CONTENT_TYPES[".js"])
        elif suffix == ".css":
            route.fulfill(body="", content_type=CONTENT_TYPES[".css"])
        else:
            route.abort()

    return handle


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
        page.route("**/*", offline(server))
        page.set_default_timeout(90_000)
        page.goto(server)
        expect(page.get_by_role("heading", name="Aanmeldingen", exact=True)).to_be_visible()
        expect(page.get_by_text("Demomodus")).to_be_visible()
        page.locator("input[type=file]").set_input_files(str(sheet))
        click(page, page.get_by_role("button", name="Inlezen en plaatsen"))
        expect(
            page.get_by_text("2 regels gelezen: 1 aangenomen, 1 afgewezen").first
        ).to_be_visible()
        expect(page.get_by_text("minimaal 18 jaar").first).to_be_attached()
        page.screenshot(path=str(ARTIFACTS / "1-aanmeldingen.png"), full_page=True)
        page.get_by_role("link", name="Gebieden").click()
        expect(page.get_by_role("heading", name="Gebieden", exact=True)).to_be_visible()
        expect(page.locator("iframe").first).to_be_attached()  # the folium map
        expect(page.get_by_role("heading", name="Een straat verplaatsen")).to_be_visible()
        if LEAFLET.exists():  # the map is drawn offline: its layer control shows its icon
            the_layer_control_shows_its_icon(page)
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
        expect(page.get_by_text("Nieuwe indeling opgeslagen").first).to_be_visible()
        expect(page.get_by_test_id("stMetricValue").first).not_to_have_text(areas_before)
        page.get_by_role("link", name="Geschiedenis").click()
        page.get_by_role("button", name="De laatste wijziging ongedaan maken").click()
        expect(page.get_by_text("is ongedaan gemaakt").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "4-ongedaan.png"), full_page=True)
        page.get_by_role("link", name="Gebieden").click()
        expect(page.get_by_role("heading", name="Gebieden", exact=True)).to_be_visible()
        expect(page.get_by_test_id("stMetricValue").first).to_have_text(areas_before)
        browser.close()
    assert (ARTIFACTS / "2-gebieden.png").stat().st_size > 10_000


# --- the volunteer's whole flow (issue 13) ------------------------------------------------------
# Made-up people: a 16-year-old (rejected, then corrected) and an address nobody knows (waits).
CORRECTION_ROWS = (
    "Naam;Adres;Woonplaats;Leeftijd;Telefoon\n"
    "Rik Jonkman;Vuorikatu 17;Helsinki;16;0612345601\n"
    "Wim Wachter;Verzonnenlaan 999;Helsinki;52;0612345602\n"
)
INVITE = "https://chat.whatsapp.com/AbCdEfGhIjK123"
FLOW_AREA = 3


def open_app(playwright: Any, server: str) -> tuple[Any, Any]:
    """Chromium on the app, offline (see :func:`offline`): the browser and its page."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.route("**/*", offline(server))
    page.set_default_timeout(90_000)
    page.goto(server)
    return browser, page


def settled(page: Any) -> None:
    """Wait until Streamlit has finished drawing the page. Call it after the text an action
    shows: until the run ends, the widgets further down are the previous run's, and a click on
    one of those is lost (a changing button's key is new after every change)."""
    from playwright.sync_api import expect

    expect(page.locator(".stApp[data-test-script-state='notRunning']")).to_be_attached()


def shoot(page: Any, name: str, at: Any = None) -> None:
    """A screenshot of the window (Streamlit scrolls inside it: full_page shows no more), with
    ``at`` scrolled into view first, once the page is drawn."""
    settled(page)
    if at is not None:
        at.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / name))


def metric(page: Any, label: str) -> Any:
    """The value of the metric with this label (exact)."""
    box = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    return box.get_by_test_id("stMetricValue")


def count(page: Any, label: str) -> int:
    from playwright.sync_api import expect

    settled(page)
    value = metric(page, label)
    expect(value).to_have_text(re.compile(r"^\d+$"))
    return int(value.inner_text())


def choose(
    page: Any, key: str, option: str | re.Pattern[str], typed: str = "", nth: int = 0
) -> str:
    """Pick the ``nth`` option named ``option`` in the selectbox or multiselect with widget key
    ``key``, after typing ``typed`` to narrow a long list down; returns its text. A list opened
    while Streamlit was still drawing the page closes when the widget is drawn again: then it
    is opened again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    wanted = page.get_by_role("option", name=option).nth(nth)
    for _attempt in range(4):
        settled(page)
        box.click()
        if typed:
            box.press_sequentially(typed)
        try:
            text = str(wanted.inner_text(timeout=5_000))
            wanted.click(timeout=5_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            if typed:
                box.fill("")
        else:
            return text
    wanted.click()  # fails, with the call log
    return ""


def click(page: Any, button: Any) -> None:
    """Click ``button`` once the page is drawn (see :func:`settled`)."""
    settled(page)
    button.click()


def table(page: Any, heading: str) -> Any:
    """The first dataframe under the heading ``heading``, scrolled to its end: the grid draws
    only the rows in view (into a hidden table, ``tr``/``td``), and the newest rows are last."""
    frame = page.locator(
        "xpath=//*[@data-testid='stElementContainer'][.//*[@data-testid='stHeading']"
        f"[contains(normalize-space(), '{heading}')]]"
        "/following-sibling::*[.//*[@data-testid='stDataFrame']][1]"
    ).get_by_test_id("stDataFrame")
    frame.locator(".dvn-scroller").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    return frame


def table_rows(page: Any, heading: str) -> Any:
    """The drawn rows of :func:`table`."""
    return table(page, heading).locator("tr")


def test_a_rejected_sign_up_is_corrected_and_accepted(server: str, tmp_path: Path) -> None:
    """Upload a rejected row and one waiting for an address → the reasons → correct the
    rejected row → the counters and the Deelnemers table show the person accepted."""
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sheet = tmp_path / "nieuwe-aanmeldingen.csv"
    sheet.write_text(CORRECTION_ROWS, encoding="utf-8")
    expect.set_options(timeout=60_000)
    with sync_playwright() as playwright:
        browser, page = open_app(playwright, server)
        expect(page.get_by_role("heading", name="Aanmeldingen", exact=True)).to_be_visible()
        accepted, rejected, waiting = (
            count(page, label) for label in ("Aangenomen", "Afgewezen", "Wachten op een adres")
        )
        page.locator("input[type=file]").set_input_files(str(sheet))
        click(page, page.get_by_role("button", name="Inlezen en plaatsen"))
        expect(
            page.get_by_text(
                "2 regels gelezen: 0 aangenomen, 1 afgewezen, 1 wacht op een adres"
            ).first
        ).to_be_visible()
        expect(metric(page, "Afgewezen")).to_have_text(str(rejected + 1))
        expect(metric(page, "Wachten op een adres")).to_have_text(str(waiting + 1))
        expect(metric(page, "Aangenomen")).to_have_text(str(accepted))
        expect(
            table_rows(page, "Afgewezen, met de reden").filter(has_text="Rik Jonkman")
        ).to_contain_text("minimaal 18 jaar zijn (leeftijd 16)")
        expect(
            table_rows(page, "Wachten op een adres").filter(has_text="Wim Wachter")
        ).to_contain_text("staat niet in het adresregister")
        shoot(page, "20-aanmeldingen-redenen.png", at=page.get_by_text("Afgewezen, met de reden"))

        expect(page.get_by_text("Een afgewezen aanmelding verbeteren")).to_be_visible()
        choose(page, "verbeter_keuze", re.compile("^Rik Jonkman — .*leeftijd 16"), "Rik Jonk")
        form = page.get_by_test_id("stForm").filter(
            has=page.get_by_role("button", name="Opnieuw controleren")
        )
        expect(form.get_by_label("Naam", exact=True)).to_have_value("Rik Jonkman")
        form.get_by_label("Leeftijd", exact=True).fill("41")
        shoot(page, "21-aanmelding-verbeteren.png", at=form)
        click(page, form.get_by_role("button", name="Opnieuw controleren"))
        expect(
            page.get_by_text("Verbeterd en aangenomen; de deelnemer heeft een gebied.").first
        ).to_be_attached()
        shoot(page, "22-aanmelding-verbeterd.png")  # where the volunteer is after the click
        expect(metric(page, "Aangenomen")).to_have_text(str(accepted + 1))
        expect(metric(page, "Afgewezen")).to_have_text(str(rejected))
        expect(metric(page, "Wachten op een adres")).to_have_text(str(waiting + 1))
        expect(
            table_rows(page, "Afgewezen, met de reden").filter(has_text="Rik Jonkman")
        ).to_have_count(0)
        members = table(page, "Deelnemers")
        member = members.locator("tr").filter(has_text="Rik Jonkman")
        expect(member).to_contain_text("Vuorikatu")
        expect(member).to_contain_text("+31612345601")
        members.scroll_into_view_if_needed()
        members.screenshot(path=str(ARTIFACTS / "23-deelnemers.png"))
        browser.close()


def test_an_area_is_started_and_its_message_previewed(server: str) -> None:
    """Groepen starten: choose an area, tick a member as added (the count follows), launch the
    area with its invite link (the table of areas says so), preview a member's message."""
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=60_000)
    with sync_playwright() as playwright:
        browser, page = open_app(playwright, server)
        page.get_by_role("link", name="Groepen starten").click()
        expect(page.get_by_role("heading", name="Groepen starten", exact=True)).to_be_visible()
        choose(page, "groepen_gebied", f"Gebied {FLOW_AREA}")
        area = page.locator(".st-key-groepen_gebied").get_by_role("combobox")
        expect(area).to_have_value(f"Gebied {FLOW_AREA}")
        # the area's own widgets: the page is drawn for the chosen area
        expect(page.locator(f".st-key-toevoegen_{FLOW_AREA}")).to_be_visible()
        members = count(page, "leden")
        assert members > 1
        expect(metric(page, "toegevoegd")).to_have_text("0")
        expect(metric(page, "bericht verstuurd")).to_have_text("0")
        shoot(page, "24-groepen-gebied.png")

        choose(page, f"toevoegen_{FLOW_AREA}", re.compile(r"\(lid \d+\)"))
        page.keyboard.press("Escape")
        click(page, page.get_by_role("button", name="Gekozen leden toegevoegd"))
        expect(
            page.get_by_text(re.compile(rf"^1 (lid|leden) van gebied {FLOW_AREA} sta")).first
        ).to_be_visible()
        expect(metric(page, "toegevoegd")).to_have_text("1")
        shoot(page, "25-groepen-een-lid-toegevoegd.png")

        page.get_by_role("textbox", name="Uitnodigingslink van de groep (mag leeg)").fill(INVITE)
        click(page, page.get_by_role("button", name="Groep operationeel maken"))
        expect(page.get_by_text(f"Gebied {FLOW_AREA} is operationeel.").first).to_be_visible()
        expect(
            page.get_by_text(f"De groep van gebied {FLOW_AREA} is operationeel (uitnodigingslink")
        ).to_contain_text(INVITE)
        stand = table_rows(page, "Stand per gebied").filter(
            has=page.locator("td[aria-colindex='1']").get_by_text(str(FLOW_AREA), exact=True)
        )
        expect(stand.locator("td").last).to_have_text("ja")  # operationeel
        expect(page.get_by_role("button", name="Link bijwerken")).to_be_visible()
        shoot(
            page,
            "26-groepen-operationeel.png",
            at=page.get_by_role("heading", name="Groep operationeel"),
        )

        # The chosen area stays chosen after the launch (its label in the list does not change;
        # the heading says "operationeel").
        expect(area).to_have_value(f"Gebied {FLOW_AREA}")
        expect(page.get_by_text("— operationeel")).to_be_visible()
        # the preview shows the first member; another one's message is drawn on choosing
        to = choose(page, f"voorbeeld_{FLOW_AREA}", re.compile(r"\(lid \d+\)"), nth=1)
        message = page.get_by_test_id("stCode")
        expect(message).to_contain_text(f"Beste {to.rsplit(' (lid', 1)[0]},")
        expect(message).to_contain_text(INVITE)
        expect(message).to_contain_text("112")
        shoot(page, "27-groepen-bericht.png", at=message)

        browser.close()


def the_layer_control_shows_its_icon(page: Any) -> None:
    """leaflet.css draws the layer control's toggle from images/layers.png: served with Leaflet
    (see :func:`offline`), the icon shows, not an empty square; hovering opens the layers."""
    from playwright.sync_api import expect

    frame = page.frame_locator("iframe[title*='streamlit_folium']").first
    toggle = frame.locator(".leaflet-control-layers-toggle")
    expect(toggle).to_be_visible()
    assert toggle.evaluate(LOADED_BACKGROUND) > 0, "images/layers.png did not load"
    the_map = page.locator("iframe[title*='streamlit_folium']").first
    shoot(page, "28-kaart-lagen.png", at=the_map)
    frame.locator(".leaflet-control-layers").hover()  # the list opens over the toggle
    expect(frame.locator(".leaflet-control-layers-expanded")).to_be_visible()
    the_map.screenshot(path=str(ARTIFACTS / "29-kaart-lagen-open.png"))
    page.mouse.move(0, 0)  # the list closes again
