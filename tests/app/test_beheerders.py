"""The Beheerders page and the street-move form, driven with AppTest on a small grid project.

60 fictitious people on a 4x4 street grid, cap 40: two areas that border each other. Every
action shows the new state on the page drawn right after it, and a second click of the same
button (a double click) does nothing.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from geo.config import Settings
from geo.project import import_applicants, place_members
from geo.sources import Wijk
from geo.store import Store
from tests.app.projects import open_copy
from tests.app.test_app import button, click_and_keep, send_again
from tests.grids import RD, grid_boundary, grid_streets
from tests.io.test_store import sign_up_sheet

PAGE = str(Path(__file__).parents[2] / "views" / "beheerders.py")
TIMEOUT = 60
CAP = 40


def street_move_script() -> None:
    """A page with only the street-move form, as the Gebieden page calls it."""
    from views.common import allow, show_notice, store_or_stop
    from views.street_move import street_move_form

    allow("gebieden")
    show_notice()
    store = store_or_stop()
    street_move_form(store)
    store.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project, made once; one member typed the street in lower case."""
    folder = tmp_path_factory.mktemp("beheerders")
    streets = grid_streets(4, 4)
    boundary = gpd.GeoDataFrame({"name": ["Oud-Geleen"]}, geometry=[grid_boundary(4, 4)], crs=RD)
    addresses = gpd.GeoDataFrame({"straat": [], "huisnummer": []}, geometry=[], crs=RD)
    wijk = Wijk(boundary.to_crs(4326), streets.to_crs(4326), addresses.to_crs(4326))
    sheet = sign_up_sheet(folder / "a.csv", 60, seed=3)
    lines = sheet.read_text(encoding="utf-8").splitlines()
    typed = next(i for i, line in enumerate(lines) if ";Laan 3;" in line)
    lines[typed] = lines[typed].replace(";Laan 3;", ";laan 3;")
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = Settings(cache_dir=folder / "cache", max_members=CAP)
    store = Store.create(folder / "demo.sqlite", wijk, max_members=CAP, fill=0.8)
    import_applicants(store, sheet, settings=settings)
    place_members(store, settings=settings)
    store.close()
    return folder / "demo.sqlite"


@pytest.fixture
def project(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the project, opened by the app in demo mode."""
    return open_copy(built, tmp_path, monkeypatch)


@pytest.fixture
def files(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """The contents of the download buttons drawn, by file name."""
    found: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(
        self: MemoryMediaFileStorage,
        path_or_data: str | bytes,
        mimetype: str,
        kind: object,
        filename: str | None = None,
    ) -> str:
        if filename is not None and isinstance(path_or_data, bytes):
            found[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)  # type: ignore[arg-type]

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    yield found


def page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["rol"] = "planner"
    return at.run()


def people(project: Path) -> tuple[Store, dict[int, list[int]]]:
    store = Store.open(project)
    members = store.applicants("accepted")
    groups = {int(a): sorted(int(i) for i in g["id"]) for a, g in members.groupby("area_id")}
    return store, groups


def widget_key(at: AppTest, name: str) -> str:
    keys = [w.key for w in [*at.selectbox, *at.multiselect] if re.fullmatch(rf"{name}_\d+", w.key)]
    assert len(keys) == 1, keys
    return str(keys[0])


def actions(project: Path, action: str) -> int:
    store = Store.open(project)
    try:
        return int((store.history()["action"] == action).sum())
    finally:
        store.close()


def summary(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("- Hoofdbeheerder:"))


def test_every_area_with_room_beheerders_neighbours_map_and_roster(
    project: Path, files: dict[str, bytes]
) -> None:
    store, groups = people(project)
    store.close()
    at = page()
    assert not at.exception
    overview = at.dataframe[0].value
    assert list(overview["gebied"]) == sorted(groups)
    assert list(overview["leden"]) == [len(groups[a]) for a in sorted(groups)]
    assert list(overview["plaatsen over"]) == [CAP - len(groups[a]) for a in sorted(groups)]
    assert all(overview["hoofdbeheerder"] != ""), "every area starts with a hoofdbeheerder"
    assert set(overview["vacature"]) == {"co-beheerder gewenst"}, "one admin is too few"
    assert "2 " in overview.loc[0, "buurgebieden"], "area 1 borders area 2, with its beheerder"
    around = at.dataframe[1].value  # area 1 is shown: its neighbour 2 with its beheerder
    assert list(around["gebied"]) == [2]
    assert around.loc[around.index[0], "hoofdbeheerder"] == overview.loc[1, "hoofdbeheerder"]
    assert at.get("component_instance"), "the area's own map"
    roster = at.dataframe[-1].value
    assert len(roster) == len(groups[1]) and roster.loc[0, "rol"] == "hoofdbeheerder"
    assert [b.key for b in at.get("download_button")] == [
        "lijst_alle_csv", "lijst_alle_xlsx", "lijst_csv", "lijst_xlsx",
    ]  # fmt: skip
    data = files["ledenlijst-gebied-1.csv"]
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:4] == ["gebied", "gebiedsnaam", "rol", "naam"] and "opmerking" in header
    flags = {row[header.index("wil beheerder worden")] for row in rows[1:]}
    assert flags <= {"ja", "nee"} and "ja" in flags
    assert len(rows) == len(groups[1]) + 1
    everyone = list(csv.reader(io.StringIO(files["ledenlijst-alle-gebieden.csv"].decode(
        "utf-8-sig")), delimiter=";"))  # fmt: skip
    assert len(everyone) == 60 + 1


def test_a_new_hoofdbeheerder_shows_at_once_and_is_saved_once(project: Path) -> None:
    store, groups = people(project)
    members = store.applicants("accepted").set_index("id")
    store.close()
    other = next(i for i in groups[1] if members.loc[i, "is_beheerder"] != 1)
    at = page()
    at.selectbox(key=widget_key(at, "keuze_1")).set_value(other)
    sent = click_and_keep(at, button(at, "opslaan_1"))
    assert not at.exception
    name = members.loc[other, "naam"]
    assert "is nu hoofdbeheerder van gebied 1" in at.success[0].value
    assert summary(at).startswith(f"- Hoofdbeheerder: {name}, 06 "), "the new name, with phone"
    overview = at.dataframe[0].value
    assert overview.loc[0, "hoofdbeheerder"] == name
    assert at.dataframe[-1].value.loc[0, "naam"] == name
    send_again(at, sent)
    assert actions(project, "beheerder gekozen") == 1, "a double click saves once"
    store = Store.open(project)
    now = store.applicants("accepted").query("area_id == 1 and is_beheerder == 1")
    store.close()
    assert list(now["id"]) == [other], "exactly one hoofdbeheerder: the chosen one"


def test_letting_the_hoofdbeheerder_go_shows_the_vacancy(project: Path) -> None:
    at = page()
    sent = click_and_keep(at, button(at, "loslaten_1"))
    assert not at.exception
    assert "geen hoofdbeheerder meer" in at.warning[0].value
    assert "1" in next(w.value for w in at.warning if w.value.startswith("Vacature"))
    assert summary(at).startswith("- Hoofdbeheerder: **gezocht**")
    assert any(e.value.startswith("Vacature") for e in at.error), "flagged at the area itself"
    overview = at.dataframe[0].value
    assert overview.loc[0, "vacature"] == "hoofdbeheerder gezocht"
    assert overview.loc[0, "hoofdbeheerder"] == ""
    assert not [b for b in at.button if str(b.key).startswith("loslaten_1")], "nobody to let go"
    send_again(at, sent)
    assert actions(project, "beheerder losgelaten") == 1
    store = Store.open(project)
    assert 1 in store.status().areas_without_beheerder
    store.close()


def test_co_beheerders_show_at_once_on_the_page_and_the_roster(project: Path) -> None:
    store, groups = people(project)
    members = store.applicants("accepted").set_index("id")
    store.close()
    chosen = [i for i in groups[1] if members.loc[i, "is_beheerder"] != 1][:2]
    at = page()
    at.multiselect(key=widget_key(at, "co_1")).set_value(chosen)
    sent = click_and_keep(at, button(at, "co_opslaan_1"))
    assert not at.exception
    assert at.success[0].value.startswith("Co-beheerders van gebied 1:")
    names = [str(members.loc[i, "naam"]) for i in chosen]
    line = summary(at)
    assert all(name in line for name in names), line
    overview = at.dataframe[0].value
    assert set(overview.loc[0, "co-beheerders"].split(", ")) == set(names)
    assert overview.loc[0, "vacature"] == "", "three admins: no vacancy"
    roster = at.dataframe[-1].value
    assert set(roster.loc[roster["rol"] == "co-beheerder", "naam"]) == set(names)
    assert at.multiselect(key=widget_key(at, "co_1")).value == chosen, "the form shows them"
    send_again(at, sent)
    assert actions(project, "co-beheerders gekozen") == 1
    at.multiselect(key=widget_key(at, "co_1")).set_value([])
    button(at, "co_opslaan_1").click().run()
    assert "Co-beheerders: geen" in summary(at)


def street_form() -> AppTest:
    at = AppTest.from_function(street_move_script, default_timeout=TIMEOUT)
    at.session_state["rol"] = "planner"
    return at.run()


def test_the_street_move_form_offers_the_areas_streets_once_and_only_neighbours(
    project: Path,
) -> None:
    at = street_form()
    assert not at.exception
    at.selectbox(key="verplaats_van").set_value(1).run()
    streets = at.selectbox(key="verplaats_straat").options
    assert sum(s.casefold().startswith("laan 3 ") for s in streets) == 1, (
        "Laan 3 and laan 3 are one street"
    )
    store = Store.open(project)
    plan = store.plan()
    store.close()
    assert plan is not None
    neighbours = plan.areas.set_index("area_id").loc[1, "neighbours"]
    targets = at.selectbox(key="verplaats_naar").options
    assert [int(t.split(" – ")[0]) for t in targets] == [int(n) for n in neighbours.split(",")]


def set_cap(project: Path, cap: int) -> None:
    """The project's cap, changed behind the app's back (the app reads it on every run)."""
    with sqlite3.connect(project) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'max_members'", (str(cap),))
    db.close()


def test_a_street_move_is_previewed_then_saved_once_and_over_the_cap_refused(
    project: Path,
) -> None:
    at = street_form()
    at.selectbox(key="verplaats_van").set_value(1).run()
    street = next(s for s in at.selectbox(key="verplaats_straat").options if s.startswith("Laan 3"))
    street = street.rsplit(" (", 1)[0]
    at.selectbox(key="verplaats_straat").set_value(street).run()
    at.selectbox(key="verplaats_naar").set_value(2)
    button(at, "verplaats_voorbeeld").click().run()
    assert not at.exception
    preview = at.warning[0].value
    moved, target = re.search(r"(\d+) leden van .* gebied 2 krijgt dan (\d+) leden", preview,
                              re.IGNORECASE).groups()  # fmt: skip
    assert int(moved) == len(at.dataframe[0].value)
    assert "plaatsen over" in preview and actions(project, "straat verplaatst") == 0
    at.selectbox(key="verplaats_straat").set_value("Laan 4").run()
    assert not confirm_buttons(at), "a preview is confirmed only for the choice it was made for"
    # one place short in area 2: refused, in Dutch, before anything is saved
    set_cap(project, int(target) - 1)
    at.selectbox(key="verplaats_straat").set_value(street).run()
    button(at, "verplaats_voorbeeld").click().run()
    assert at.error[0].value == (
        f"Niet mogelijk: gebied 2 zou {target} leden krijgen, meer dan het maximum van "
        f"{int(target) - 1}"
    )
    assert not confirm_buttons(at) and actions(project, "straat verplaatst") == 0
    set_cap(project, CAP)
    button(at, "verplaats_voorbeeld").click().run()
    sent = click_and_keep(at, button(at, "verplaats_bevestigen"))
    assert not at.exception
    assert at.success[0].value.startswith(f"{moved} leden van Laan 3")
    assert "nu in gebied 2" in at.success[0].value
    assert f"({target} leden, {CAP - int(target)} plaatsen over)" in " ".join(
        at.selectbox(key="verplaats_van").options
    ), "the form shows the new counts"
    assert not at.get("dataframe"), "the preview is gone after saving"
    send_again(at, sent)
    assert actions(project, "straat verplaatst") == 1, "a double click moves once"
    store = Store.open(project)
    assert store.locked_areas() == {1, 2}, "as every street move: both areas locked"
    moved_now = store.applicants("accepted").query("straat.str.lower() == 'laan 3'")
    assert set(moved_now["area_id"]) == {2}, "Laan 3 and laan 3 moved together"
    store.close()


def confirm_buttons(at: AppTest) -> list[Button]:
    return [b for b in at.button if str(b.key).startswith("verplaats_bevestigen")]


def test_streets_once_per_spelling_and_the_part_of_a_shared_street() -> None:
    import pandas as pd

    from views.street_move import area_streets, house_range, other_areas

    members = pd.DataFrame(
        {
            "straat": ["Laan 1", "laan 1", "LAAN 1", "Hof", "Hof", "Hof", "Hof", None],
            "huisnummer": [1, 3, 5, 2, 4, 20, 22, 9],
            "area_id": [1, 1, 1, 1, 1, 2, 2, 1],
        }
    )
    assert area_streets(members, 1) == {"Hof": 2, "Laan 1": 3}
    assert house_range(members, "Laan 1", 1) is None, "only in this area: the whole street"
    assert house_range(members, "hof", 1) == (2, 4), "the part in this area"
    assert other_areas(members, "Hof", 1) == [2]
    mixed = pd.concat([members, pd.DataFrame({"straat": ["Hof"], "huisnummer": [3],
                                              "area_id": [2]})])  # fmt: skip
    assert house_range(mixed, "Hof", 1) is None, "numbers interleave: the planner chooses"


def test_the_area_map_draws_alike_every_time_it_is_shown(project: Path) -> None:
    # The map is made once per plan and kept; folium adds its scripts again to a map drawn a
    # second time, which then fails in the browser (the map stayed blank for the next visitor).
    def drawn() -> str:
        at = page()
        assert not at.exception
        (component,) = at.get("component_instance")
        return str(component.proto.json_args)

    first = drawn()
    assert "geo_json_" in first
    assert drawn() == first
    assert drawn() == first
