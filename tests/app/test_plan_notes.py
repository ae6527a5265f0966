"""The Gebieden page explains a plan: a building split over groups, a thin area; street and
area names from the data are shown as text, never as links or HTML (AppTest, demo mode)."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.config import Settings
from geo.project import import_applicants, place_members
from geo.sources import Wijk
from geo.store import Store
from tests.app.projects import open_copy
from tests.app.test_app import button, data_dir, demo_app, texts  # noqa: F401  (fixtures)
from tests.conftest import write_text
from tests.grids import RD, grid_boundary, grid_streets, members_along
from tests.unit.test_partition import flat_building

pytestmark = pytest.mark.slow
APP = str(Path(__file__).parents[2] / "app.py")
PAGE = "views/gebieden.py"
TIMEOUT = 120
# A street name as a sign-up file or street data could spell it: a link and HTML.
HOSTILE = "[klik](http://x) <b>x</b>"
PLAN_NOTES = "Toelichting bij het plan"


def make_project(
    folder: Path, streets: gpd.GeoDataFrame, boundary: object, people: gpd.GeoDataFrame
) -> Path:
    """A placed project (cap 40, fill 0.8) of ``people`` (RD) in a wijk of ``streets``."""
    wgs = people.to_crs(4326)
    lines = ["Naam;Straat;Huisnummer;Toevoeging;Woonplaats;Leeftijd;Telefoon;lat;lon"]
    for row in wgs.itertuples():
        lines.append(
            f"{row.naam};{row.straat};{row.huisnummer};{row.toevoeging};Geleen;40;"
            f"{row.telefoon};{row.geometry.y:.7f};{row.geometry.x:.7f}"
        )
    sheet = write_text(folder / "aanmeldingen.csv", "\n".join(lines) + "\n")
    outline = gpd.GeoDataFrame({"name": ["Oud-Geleen"]}, geometry=[boundary], crs=RD)
    addresses = gpd.GeoDataFrame({"straat": [], "huisnummer": []}, geometry=[], crs=RD)
    wijk = Wijk(outline.to_crs(4326), streets.to_crs(4326), addresses.to_crs(4326))
    settings = Settings(cache_dir=folder / "cache", max_members=40)
    store = Store.create(folder / "demo.sqlite", wijk, max_members=40, fill=0.8)
    try:
        added = import_applicants(store, sheet, settings=settings)
        assert added["accepted"] == len(people), added
        place_members(store, settings=settings)
    finally:
        store.close()
    return folder / "demo.sqlite"


@pytest.fixture(scope="module")
def flat_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 people on a 3×3 grid and a building of 45 flats (more than a group's share of 32)
    on the street ``HOSTILE``; the areas are named after their streets, one after it."""
    streets = grid_streets(3, 3)
    streets.loc[streets["name"] == "Laan 2", "name"] = HOSTILE
    flats = flat_building(45).assign(straat=HOSTILE)
    people = pd.concat([members_along(streets, 120, seed=2), flats], ignore_index=True)
    people = gpd.GeoDataFrame(people, geometry="geometry", crs=RD)
    return make_project(tmp_path_factory.mktemp("flat"), streets, grid_boundary(3, 3), people)


@pytest.fixture(scope="module")
def strip_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 people in a wijk one block deep and forty long: one area, as thin as the wijk."""
    streets = grid_streets(40, 1, spacing=50.0)
    people = members_along(streets, 20, seed=3, spacing=50.0)
    boundary = grid_boundary(40, 1, spacing=50.0)
    return make_project(tmp_path_factory.mktemp("strip"), streets, boundary, people)


def page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Gebieden"
    return at


def unescaped(text: str) -> str:
    """Markdown source as the reader sees it: backslash escapes undone, and the invisible word
    joiner that keeps a web address from becoming a link (``views.common.md``) left out."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


def in_expander(at: AppTest, label: str) -> list[str]:
    """The markdown in the expander whose label starts with ``label`` ([] without one)."""
    found = [e for e in at.expander if str(e.label).startswith(label)]
    if not found:
        return []
    (box,) = found
    return [str(m.value) for m in box.markdown]


def plan_notes(at: AppTest) -> list[str]:
    """The lines in the expander with the plan's explanations ([] when there is none)."""
    return in_expander(at, PLAN_NOTES)


def building_note(lines: list[str]) -> str:
    """The one note about a building, as the reader sees it."""
    (note,) = [unescaped(line) for line in lines if "aanmeldingen op één adres" in line]
    return note


def flats_per_area(project: Path) -> tuple[dict[int, int], dict[int, str]]:
    """Per area how many of the building's flats it holds, and the area names, from the store."""
    store = Store.open(project)
    try:
        people = store.applicants("accepted")
        flats = people.loc[people["naam"].str.startswith("Flatbewoner")]
        counts = flats["area_id"].astype(int).value_counts()
        plan = store.plan()
        assert plan is not None
        names = dict(zip(plan.areas["area_id"].astype(int), plan.areas["name"], strict=True))
        return dict(zip(counts.index.astype(int), counts.astype(int), strict=True)), names
    finally:
        store.close()


def test_a_building_split_over_groups_is_explained_with_its_areas(
    flat_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = open_copy(flat_template, tmp_path, monkeypatch)
    counts, names = flats_per_area(project)
    assert len(counts) >= 2, "the building is split (else this test shows nothing)"
    at = page()
    (expander,) = [e for e in at.expander if str(e.label).startswith(PLAN_NOTES)]
    assert expander.label == f"{PLAN_NOTES}: 1 opmerking"
    (note,) = plan_notes(at)
    shown = unescaped(note)
    assert shown.startswith(f"**Gebouw aan de {HOSTILE}**: 45 aanmeldingen op één adres")
    assert f"verdeeld over {len(counts)} groepen" in shown
    spread = "; ".join(f"gebied {a} – {names[a]}: {n}" for a, n in sorted(counts.items()))
    assert shown.endswith(f"Aanmeldingen per gebied: {spread}."), shown


def test_names_from_the_data_are_not_links_or_html(
    flat_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = open_copy(flat_template, tmp_path, monkeypatch)
    counts, names = flats_per_area(project)
    assert any(HOSTILE in names[a] for a in counts), "an area named after the street is named"
    at = page()
    (note,) = plan_notes(at)
    assert HOSTILE in unescaped(note)  # shown as it is spelled
    # Every markdown character of the street is escaped, so no link and no tag is formed.
    assert "\\[klik\\]\\(http\u2060\\:" in note and "\\<b\\>x\\</b\\>" in note
    for element in [*at.markdown, *at.info, *at.warning, *at.caption]:
        source = str(element.value)
        assert "[klik](" not in source and "<b>" not in source, source
        assert not re.search(r"(?<!\\)\]\(|(?<!\\)<b", source), source


def test_a_thin_area_is_explained(
    strip_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_copy(strip_template, tmp_path, monkeypatch)
    at = page()
    (note,) = plan_notes(at)
    shown = unescaped(note)
    name = str(at.dataframe[0].value["naam"].iloc[0])
    assert shown.startswith(f"**Gebied 1 – {name}** is smal of grillig van vorm (Polsby–Popper 0,")
    assert "ondergrens 0,2): de wijk zelf is smal of grillig" in shown, shown
    assert re.search(r"Polsby–Popper van de wijk 0,\d+\)", shown), (
        "decimal commas, also in plan.json"
    )


def test_the_proposal_explains_its_own_areas(
    flat_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-plan with a lower cap renumbers areas: the proposal's note names the areas the
    flats are in once it is confirmed."""
    project = open_copy(flat_template, tmp_path, monkeypatch)
    at = page()
    at.slider(key="max_leden").set_value(30).run()
    button(at, "voorstel_maken").click().run()
    assert not at.exception
    proposal = in_expander(at, "Opnieuw indelen")
    headings = [line for line in proposal if line.startswith("**Toelichting bij het voorstel")]
    assert headings == ["**Toelichting bij het voorstel: 1 opmerking**"]
    note = building_note(proposal)
    assert "streefaantal van 24 per gebied" in note, "the proposal's own cap and fill"
    button(at, "bevestigen").click().run()
    assert not at.exception
    counts, names = flats_per_area(project)
    spread = "; ".join(f"gebied {a} – {names[a]}: {n}" for a, n in sorted(counts.items()))
    assert note.endswith(f"Aanmeldingen per gebied: {spread}."), (note, spread)
    assert building_note(plan_notes(at)) == note, "the saved plan explains the same"


def test_the_demo_plan_has_nothing_to_explain(demo_app: AppTest) -> None:  # noqa: F811
    demo_app.run()
    demo_app.switch_page(PAGE).run()
    assert not demo_app.exception
    assert len(demo_app.dataframe[0].value) > 1, "the demo's areas are shown"
    assert not [e for e in demo_app.expander if str(e.label).startswith("Toelichting")]
    assert "Toelichting" not in texts(demo_app)
