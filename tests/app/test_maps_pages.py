"""Maps people can read, a fast sign review and a Dutch app (issue 13 §4, §5, §7), with AppTest.

Every test runs the real app on the demo project (real Helsinki streets) and looks at what the
page sends to the browser after the action: the map's script, its size, texts and help.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo.access import hash_password
from geo.config import Settings
from geo.project import demo_project
from views.common import MAP_HEIGHT

pytestmark = pytest.mark.slow
APP = str(Path(__file__).parents[2] / "app.py")
TIMEOUT = 180
# What folium and Leaflet would show in English: the fullscreen button, the tile layer's name
# in the layer control, the attribution, a scale in feet.
ENGLISH = ("Full Screen", '"openstreetmap"', "contributors", "ft<")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("maps-data")
    demo_project(folder / "demo.sqlite", settings=Settings(cache_dir=folder / "cache")).close()
    return folder / "demo.sqlite"


@pytest.fixture
def demo(demo_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AppTest:
    """The app in demo mode on a private copy of the demo project."""
    (tmp_path / "demo.sqlite").write_bytes(demo_file.read_bytes())
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GEO_PLANNER_PASSWORD_HASH", raising=False)
    monkeypatch.delenv("GEO_MUNICIPALITY_PASSWORD_HASH", raising=False)
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def maps(at: AppTest) -> list[dict[str, Any]]:
    """The arguments of every map the page sends to the browser (script, size, legend)."""
    return [json.loads(c.proto.json_args) for c in at.get("component_instance")]


def counting(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, calls: Counter[str]
) -> None:
    real: Callable[..., Any] = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[name] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)


def test_every_map_fills_the_width_is_dutch_and_fits_the_wijk(demo: AppTest) -> None:
    for page in ("views/wijk.py", "views/gebieden.py", "views/borden.py"):
        demo.switch_page(page).run()
        assert not demo.exception, page
        [shown] = maps(demo)
        assert shown["width"] is None and shown["height"] == MAP_HEIGHT, page  # full width
        script = shown["script"]
        assert "fitBounds" in script, f"{page}: the wijk fills the map on open"
        assert "Volledig scherm" in script and "imperial: false" in script
        assert not [word for word in ENGLISH if word in script], page
        assert '<details id="legenda" style' in shown["html"], f"{page}: the legend is folded"


def test_borden_computes_signs_and_roads_once_and_shows_a_decision_on_the_map(
    demo: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geo.workflow
    import views.common

    calls: Counter[str] = Counter()
    counting(monkeypatch, geo.workflow, "make_signs", calls)
    counting(monkeypatch, views.common, "road_layers", calls)
    demo.switch_page("views/borden.py").run()
    demo.run()
    [before] = maps(demo)
    assert before["script"].count("L.geoJson(") >= 3, "roads and signs are a few layers"
    assert before["script"].count('"tip":"Bord ') == 45, "the signs are one layer of 45"
    demo.selectbox(key="bord_keuze").set_value(2)
    demo.radio(key="bord_besluit").set_value("rejected")
    demo.button(key="besluit_opslaan").click().run()
    assert not demo.exception
    assert "Bord 2: niet plaatsen" in demo.success[0].value
    [after] = maps(demo)
    assert '"tip":"Bord 2: ' in after["script"]
    tip = after["script"].split('"tip":"Bord 2: ', 1)[1].split('"', 1)[0]
    assert tip.endswith("(niet plaatsen)"), "the map shows the decision at once"
    assert calls == {"make_signs": 1, "road_layers": 1}, "computed once for the wijk"
    table = demo.dataframe[0].value
    assert table.loc[table["rang"] == 2, "besluit"].item() == "niet plaatsen"
    [download] = demo.get("download_button")  # the file is written when asked for
    assert download.proto.label == "Goedgekeurde borden (GeoJSON)"
    assert download.proto.deferred_file_id


def test_borden_explains_direction_and_rank_and_shows_no_empty_english_table(
    demo: AppTest,
) -> None:
    demo.switch_page("views/borden.py").run()
    columns = json.loads(demo.dataframe[0].proto.columns)
    assert "Richting in graden" in columns["bearing_deg"]["help"]
    assert columns["bearing_deg"]["label"] == "richting (°)"
    total = len(demo.dataframe[0].value)
    demo.number_input(key="top_n_aantal").set_value(total)
    demo.button(key="top_n_plaatsen").click().run()
    demo.checkbox(key="alleen_open").check().run()
    assert not demo.exception
    assert not demo.dataframe, "no empty table (Streamlit would say 'empty')"
    assert "Over alle borden is besloten." in [i.value for i in demo.info]


def test_the_vulgraad_and_maximum_are_explained(demo: AppTest) -> None:
    demo.switch_page("views/gebieden.py").run()
    assert "80% van het maximum" in demo.slider(key="vulgraad").help
    assert demo.slider(key="vulgraad").value == 80, "in per cents, as the help says"
    assert "256" in demo.slider(key="max_leden").help


def test_a_new_project_shows_its_wijk_on_a_map_at_once(
    demo_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """First step obvious, an example for the online option, the wijk on a map when made."""
    from geo.sources import save_wijk
    from geo.store import Store

    wijk_file = tmp_path / "wijk.gpkg"
    store = Store.open(demo_file)
    save_wijk(store.wijk(), wijk_file)  # the demo's real streets, as `python -m geo fetch` does
    store.close()
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEO_PLANNER_PASSWORD_HASH", hash_password("planner-geheim"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.text_input(key="wachtwoord").input("planner-geheim")
    at.button[0].click().run()
    assert "Er is nog geen project" in at.warning[0].value
    [link] = at.get("page_link")
    assert link.proto.page == "wijk" and "kies de wijk" in link.proto.label
    at.switch_page("views/wijk.py").run()
    assert "Begin hier" in at.info[0].value and "BU18830105" in at.info[0].value
    assert "Oud-Geleen" in at.text_input(key="buurten").placeholder
    assert not maps(at)
    at.file_uploader(key="wijk_bestand").upload(
        "wijk.gpkg", wijk_file.read_bytes(), "application/geopackage+sqlite3"
    )
    at.button(key="project_maken").click().run()
    assert not at.exception
    assert "Het project is gemaakt" in at.success[0].value
    [shown] = maps(at)  # right after making it, without another click
    assert "Wijkgrens" in shown["script"] and "Wijkwegen en woonstraten" in shown["script"]
    assert "Mannerheimintie" in shown["script"], "the roads carry their names"
    assert "wijkgrens" in shown["html"] and "gebieden" not in shown["html"], "no areas yet"
    assert "Volgende stap: voeg aanmeldingen toe." in [i.value for i in at.info]


def test_no_page_list_before_login(
    demo_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The menu comes only after logging in (logging out again: tests/e2e/test_login_menu.py,
    as AppTest runs a multipage app's later runs without its main script's sidebar)."""
    (tmp_path / "project.sqlite").write_bytes(demo_file.read_bytes())
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GEO_PLANNER_PASSWORD_HASH", hash_password("planner-geheim"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert [t.value for t in at.title] == ["BuurtWhatsApp-planner"]
    assert not at.sidebar.children, "nothing in the sidebar before logging in"
    assert not at.dataframe and not at.metric
    [style] = at.get("html")  # the uploader's own English texts replaced, on every page
    assert "Sleep een bestand hierheen" in style.proto.body and "Bestand kiezen" in style.proto.body
    at.text_input(key="wachtwoord").input("planner-geheim")
    at.button[0].click().run()
    assert "Ingelogd als planner" in at.sidebar.caption[0].value
    assert [b.key for b in at.sidebar.button] == ["uitloggen"]


def test_every_dropdown_has_a_dutch_placeholder(demo: AppTest) -> None:
    """Streamlit's own ("Choose an option", "No options to select.") never shows."""
    for page in ("views/borden.py", "views/gebieden.py", "views/export.py"):
        demo.switch_page(page).run()
        assert demo.selectbox, page
        assert {box.proto.placeholder for box in demo.selectbox} == {"Kies…"}, page
