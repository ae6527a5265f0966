"""The Streamlit app driven with AppTest: every view, both roles, no personal data for the gemeente."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from geo.access import hash_password
from geo.config import Settings
from geo.project import demo_project

if TYPE_CHECKING:
    from geo.store import Store

T = TypeVar("T")

pytestmark = pytest.mark.slow
APP = str(Path(__file__).parents[2] / "app.py")
TIMEOUT = 180
BAD_ROWS = (
    "Naam;Adres;Woonplaats;Leeftijd;Telefoon\n"
    "Kees Kind;Vuorikatu 17;Helsinki;15;0612121212\n"
    "Piet Foutnummer;Vuorikatu 17;Helsinki;40;0612\n"
    "Anne Aangenomen;Vuorikatu 17;Helsinki;40;0613131313\n"
)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo project for the whole module (building it takes a few seconds)."""
    folder = tmp_path_factory.mktemp("app-data")
    demo_project(folder / "demo.sqlite", settings=Settings(cache_dir=folder / "cache")).close()
    return folder


@pytest.fixture
def own_demo(data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A private copy of the demo project for a test that changes it (demo mode)."""
    copy = tmp_path / "demo.sqlite"
    copy.write_bytes((data_dir / "demo.sqlite").read_bytes())
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GEO_PLANNER_PASSWORD_HASH", raising=False)
    return copy


@pytest.fixture
def demo_app(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("GEO_DATA_DIR", str(data_dir))
    monkeypatch.setenv("GEO_CACHE_DIR", str(data_dir / "cache"))
    monkeypatch.delenv("GEO_PLANNER_PASSWORD_HASH", raising=False)
    monkeypatch.delenv("GEO_MUNICIPALITY_PASSWORD_HASH", raising=False)
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def texts(at: AppTest) -> str:
    """Everything the page shows as text, tables included."""
    parts = [e.value for e in [*at.markdown, *at.title, *at.subheader, *at.info, *at.success,
                                *at.warning, *at.error, *at.caption]]  # fmt: skip
    parts += [frame.value.to_string() for frame in at.dataframe]
    return "\n".join(str(p) for p in parts)


def button(at: AppTest, name: str) -> Button:
    """The action button ``name``: its key gets a new number after every change."""
    found = [b for b in at.button if re.fullmatch(rf"{re.escape(name)}(_\d+)?", str(b.key))]
    assert len(found) == 1, f"one button {name}, found {[b.key for b in at.button]}"
    return found[0]


def click_and_keep(at: AppTest, widget: Button) -> WidgetStates:
    """Click ``widget`` and run; returns the click as the browser sent it, to send it again.

    A double click (or a form sent twice) reaches the app as a second run with the same
    widget states as the first, before the page drawn after the first was seen.
    """
    widget.click()
    sent = at._tree.get_widget_states()
    at.run()
    return sent


def send_again(at: AppTest, sent: WidgetStates) -> None:
    at._run(sent)  # AppTest has no public way to replay a browser's stale message
    assert not at.exception


def metric(at: AppTest, label: str) -> int:
    return int(next(m for m in at.metric if m.label == label).value)


def history_count(project: Path, action: str) -> int:
    from geo.store import Store

    store = Store.open(project)
    try:
        return int((store.history()["action"] == action).sum())
    finally:
        store.close()


def test_without_a_password_the_app_opens_on_the_demo(demo_app: AppTest) -> None:
    demo_app.run()
    assert not demo_app.exception
    assert "Demomodus" in demo_app.sidebar.info[0].value
    assert demo_app.title[0].value == "Aanmeldingen"
    assert int(demo_app.metric[0].value) > 1000  # the demo's accepted sign-ups


def test_upload_with_bad_rows_shows_the_reasons(demo_app: AppTest) -> None:
    demo_app.run()
    demo_app.file_uploader(key="aanmeldingen_bestand").upload(
        "nieuw.csv", BAD_ROWS.encode(), "text/csv"
    )
    demo_app.run()
    demo_app.button(key="inlezen").click().run()
    assert not demo_app.exception
    assert "3 regels gelezen: 1 aangenomen, 2 afgewezen" in demo_app.success[0].value
    bar = demo_app.get("progress")[0]
    assert bar.value == 100 and re.fullmatch(
        r"(\d+) van \1 adres(sen)? opgezocht", bar.proto.text
    ), "geocoding progress shown"
    shown = texts(demo_app)
    assert "minimaal 18 jaar" in shown and "geen geldig nummer" in shown
    rejects = next(d.value for d in demo_app.dataframe if "reden" in d.value.columns)
    assert list(rejects.columns) == ["ingelezen", "regel", "naam", "reden"]
    assert rejects["ingelezen"].str.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d").all(), (
        "when each upload was read tells rows of different files apart"
    )


def test_every_planner_view_runs(demo_app: AppTest) -> None:
    demo_app.run()
    for page in (
        "views/wijk.py",
        "views/gebieden.py",
        "views/beheerders.py",
        "views/borden.py",
        "views/export.py",
    ):
        demo_app.switch_page(page).run()
        assert not demo_app.exception, page
        # Streamlit's own "Press Enter to submit form" is English: no form shows it.
        assert not [
            f.proto.form.form_id for f in demo_app.get("form") if f.proto.form.enter_to_submit
        ]
    demo_app.switch_page("views/export.py").run()
    assert not demo_app.get("download_button"), "nothing is built until asked"
    private = next(h.value for h in demo_app.subheader if h.value.startswith("Privé"))
    assert private.endswith("(alleen voor de planner)"), "review 61: it holds every area's list"
    assert any("deel dit bestand niet" in c.value for c in demo_app.caption)
    for key in ("maak_download_openbaar", "maak_download_kaart", "maak_download_prive"):
        demo_app.button(key=key).click().run()
    keys = [b.key for b in demo_app.get("download_button")]
    assert keys == ["download_openbaar", "download_kaart", "download_prive"]
    demo_app.selectbox(key="export_formaat").set_value("gpkg").run()
    assert not demo_app.exception
    assert [b.key for b in demo_app.get("download_button")] == ["download_kaart"], (
        "another format is built when asked; the print map is kept"
    )


def test_replan_with_a_lower_cap_makes_more_areas(demo_app: AppTest) -> None:
    demo_app.run()
    demo_app.switch_page("views/gebieden.py").run()
    before = len(demo_app.dataframe[0].value)
    demo_app.slider(key="max_leden").set_value(150).run()
    button(demo_app, "voorstel_maken").click().run()
    button(demo_app, "bevestigen").click().run()
    assert not demo_app.exception
    after = demo_app.dataframe[0].value
    assert len(after) > before
    assert (after["leden"] <= 150).all()


def test_the_municipality_sees_signs_but_nobody(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "project.sqlite").write_bytes((data_dir / "demo.sqlite").read_bytes())
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GEO_PLANNER_PASSWORD_HASH", hash_password("planner-geheim"))
    monkeypatch.setenv("GEO_MUNICIPALITY_PASSWORD_HASH", hash_password("gemeente-geheim"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception and at.title[0].value == "BuurtWhatsApp-planner"
    at.text_input(key="wachtwoord").input("fout")
    at.button[0].click().run()
    assert "klopt niet" in at.error[0].value
    at.text_input(key="wachtwoord").input("gemeente-geheim")
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Borden", "the municipality starts on the signs"
    at.form_submit_button[0].click().run()
    assert "plaatsen" in at.success[0].value
    with sqlite3.connect(tmp_path / "project.sqlite") as db:
        people = db.execute("SELECT naam, telefoon FROM applicants").fetchall()
    shown = texts(at)
    assert not [name for name, phone in people if name in shown or (phone and phone in shown)]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/aanmeldingen.py")  # not in her navigation: no route to it at all
    at.switch_page("views/export.py").run()
    assert not at.exception
    assert [b.key for b in at.button if b.key != "uitloggen"] == [
        "maak_download_openbaar",
        "maak_download_kaart",
    ]
    at.button(key="maak_download_openbaar").click().run()
    assert [b.key for b in at.get("download_button")] == ["download_openbaar"]


def find_moves(
    project: Path,
) -> tuple[tuple[str, tuple[int, int], int], tuple[str, tuple[int, int], int]]:
    """From the demo project: a move the rules allow and one they refuse."""
    from geo.edit import move_street
    from geo.partition import Plan, PlanError
    from geo.store import Store

    store = Store.open(project)
    plan, wijk = store.plan(), store.wijk()
    store.close()
    assert plan is not None
    crs = wijk.crs
    metric = Plan(plan.areas.to_crs(crs), plan.members.to_crs(crs), plan.outside)
    streets = wijk.streets.to_crs(crs)
    allowed = refused = None
    for (area, street), group in metric.members.groupby(["area_id", "straat"]):
        numbers = (int(group["huisnummer"].min()), int(group["huisnummer"].max()))
        for target in str(metric.areas.set_index("area_id").loc[area, "neighbours"]).split(","):
            try:
                move_street(
                    metric, street=street, to_area=int(target), streets=streets, numbers=numbers
                )
            except PlanError:
                refused = refused or (street, numbers, int(target))
            else:
                allowed = allowed or (street, numbers, int(target))
            if allowed and refused:
                return allowed, refused
    pytest.fail("the demo has no allowed and refused move")


def choose(at: AppTest, project: Path, street: str, numbers: tuple[int, int], target: int) -> None:
    """Fill in the street-move form: the area the street lies in first, then street and target."""
    from geo.store import Store

    store = Store.open(project)
    people = store.applicants("accepted")
    store.close()
    on = people.loc[(people["straat"] == street) & people["huisnummer"].between(*numbers)]
    at.selectbox(key="verplaats_van").set_value(int(on["area_id"].iloc[0])).run()
    box = at.selectbox(key="verplaats_straat")  # one spelling per street ("Katu" = "katu")
    box.set_value(
        next(s for s in box.options if s.casefold().startswith(street.casefold() + " (")).rsplit(
            " (", 1
        )[0]
    )
    at.number_input(key="verplaats_vanaf").set_value(numbers[0])
    at.number_input(key="verplaats_tot").set_value(numbers[1])
    at.selectbox(key="verplaats_naar").set_value(target).run()
    button(at, "verplaats_voorbeeld").click().run()


def test_moving_a_street_is_checked_live(own_demo: Path) -> None:
    allowed, refused = find_moves(own_demo)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/gebieden.py").run()
    choose(at, own_demo, refused[0], refused[1], refused[2])
    assert not at.exception
    assert at.error[0].value.startswith("Niet mogelijk:")
    choose(at, own_demo, allowed[0], allowed[1], allowed[2])
    assert at.warning[-1].value.startswith("**Voorbeeld**"), "a preview first"
    assert history_count(own_demo, "straat verplaatst") == 0, "nothing saved yet"
    before = at.dataframe[0].value.set_index("gebied")["leden"]
    sent = click_and_keep(at, button(at, "verplaats_bevestigen"))
    assert not at.exception
    assert f"nu in gebied {allowed[2]}" in at.success[0].value
    moved = int(at.success[0].value.split()[0])
    after = at.dataframe[0].value.set_index("gebied")["leden"]
    assert after[allowed[2]] == before[allowed[2]] + moved, "the table shows the new counts"
    assert after.sum() == before.sum()
    send_again(at, sent)
    assert history_count(own_demo, "straat verplaatst") == 1, "a double click moves once"


def test_one_person_by_form_is_checked_like_a_file(demo_app: AppTest) -> None:
    demo_app.run()
    fields = {"f_naam": "Mila Minderjarig", "f_adres": "Vuorikatu 17", "f_woonplaats": "Helsinki",
              "f_telefoon": "0614141414"}  # fmt: skip
    for key, value in fields.items():
        demo_app.text_input(key=key).input(value)
    demo_app.number_input(key="f_leeftijd").set_value(16)
    demo_app.form_submit_button[0].click().run()
    assert not demo_app.exception
    assert "minimaal 18 jaar" in demo_app.error[0].value
    for key, value in {**fields, "f_naam": "Mees Meerderjarig", "f_telefoon": "0615151515"}.items():
        demo_app.text_input(key=key).input(value)
    demo_app.number_input(key="f_leeftijd").set_value(44)
    demo_app.form_submit_button[0].click().run()
    assert "Mees Meerderjarig is aangemeld" in demo_app.success[0].value


def test_the_planner_splits_an_area_and_nothing_else_moves(own_demo: Path) -> None:
    from geo.store import Store

    copy = own_demo
    store = Store.open(copy)
    before = store.applicants("accepted").set_index("id")["area_id"]
    store.close()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/gebieden.py").run()
    at.selectbox(key="te_splitsen").set_value(3)
    button(at, "splitsen_knop").click().run()
    assert not at.exception
    assert "Gebied 3 is gesplitst in" in at.success[0].value
    store = Store.open(copy)
    after = store.applicants("accepted").set_index("id")["area_id"]
    moved = before.index[after.loc[before.index] != before]
    assert len(moved) > 0 and set(before.loc[moved]) == {3}, "only members of area 3 changed group"
    status = store.status()
    assert (
        status.areas == before.nunique() + len(set(after.loc[moved]) - {3})
        and max(status.members_per_area.values()) <= 255
    )
    assert store.history()["action"].iloc[-1] == "gebied gesplitst"


def test_a_planner_starts_a_project_from_uploaded_wijk_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import geopandas as gpd

    from geo.sources import Wijk, save_wijk
    from tests.grids import RD, grid_boundary, grid_streets

    boundary = gpd.GeoDataFrame({"name": ["Oud-Geleen"]}, geometry=[grid_boundary(4, 4)], crs=RD)
    no_register = gpd.GeoDataFrame({"straat": []}, geometry=[], crs=RD)
    wijk_file = tmp_path / "wijk.gpkg"
    save_wijk(Wijk(boundary, grid_streets(4, 4), no_register), wijk_file)
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEO_PLANNER_PASSWORD_HASH", hash_password("planner-geheim"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.text_input(key="wachtwoord").input("planner-geheim")
    at.button[0].click().run()
    assert "Kies eerst de wijk" in at.warning[0].value, "no project yet: pointed to the Wijk page"
    at.switch_page("views/wijk.py").run()
    at.button(key="project_maken").click().run()
    assert "Kies een WIJK.gpkg" in at.error[0].value
    bad = gpd.GeoDataFrame(
        geometry=[grid_streets(1, 1).geometry.iloc[0]], crs=RD
    )  # a line, no area
    bad_path = tmp_path / "grens.geojson"
    bad.to_file(bad_path)
    at.file_uploader(key="grens_bestand").upload(
        "grens.geojson", bad_path.read_bytes(), "application/geo+json"
    )
    at.file_uploader(key="straten_bestand").upload(
        "straten.gpkg", wijk_file.read_bytes(), "application/geopackage+sqlite3"
    )
    at.button(key="project_maken").click().run()
    assert "Geen project gemaakt" in at.error[0].value and "geen vlakken" in at.error[0].value
    good_path = tmp_path / "wijkgrens.geojson"
    boundary.to_file(good_path)
    at.file_uploader(key="grens_bestand").upload(
        "wijkgrens.geojson", good_path.read_bytes(), "application/geo+json"
    )
    at.button(key="project_maken").click().run()
    assert not at.exception
    assert "Het project is gemaakt" in at.success[0].value
    assert (tmp_path / "data" / "project.sqlite").exists()
    at.run()
    assert "**Oud\\-Geleen**" in at.markdown[0].value, "the name from the file, escaped"


def test_a_reject_is_corrected_in_place_and_checked_again(own_demo: Path) -> None:
    from geo.store import Store

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    sheet = BAD_ROWS.replace("Kees Kind", "Karel Kort").replace("0612121212", "0616161616")
    at.file_uploader(key="aanmeldingen_bestand").upload("nieuw.csv", sheet.encode(), "text/csv")
    at.run()
    at.button(key="inlezen").click().run()
    choice = next(
        o for o in at.selectbox(key="verbeter_keuze").options if o.startswith("Karel Kort")
    )
    at.selectbox(key="verbeter_keuze").set_value(choice).run()
    age = next(t for t in at.text_input if t.label == "Leeftijd")
    assert age.value == "15"
    age.input("15 jaar")
    button(at, "opnieuw_controleren").click().run()
    assert "Nog steeds niet aangenomen" in at.error[0].value, "a wrong correction is refused again"
    choice = next(
        o for o in at.selectbox(key="verbeter_keuze").options if o.startswith("Karel Kort")
    )
    at.selectbox(key="verbeter_keuze").set_value(choice).run()
    fields = [t.label for t in at.text_input if str(t.key).startswith("cel_")]
    assert fields.count("Naam") == 1 and "naam" not in fields, "the sheet's own name column only"
    next(t for t in at.text_input if t.label == "Leeftijd").input("18+")
    button(at, "opnieuw_controleren").click().run()
    assert not at.exception
    assert "Verbeterd en aangenomen" in at.success[0].value
    store = Store.open(own_demo)
    kees = store.applicants().query("naam == 'Karel Kort'")
    assert list(kees["status"]) == ["accepted"], "the corrected row replaced the reject"
    assert kees["area_id"].notna().all()


# State after an action (issue 13, part 2): the very next page shows the new state, and a
# double click (the same click sent twice) changes the project once.


def test_a_split_shows_the_new_areas_at_once_and_happens_once(own_demo: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/gebieden.py").run()
    before = metric(at, "Gebieden")
    assert len(at.dataframe[0].value) == before
    at.selectbox(key="te_splitsen").set_value(3)
    sent = click_and_keep(at, button(at, "splitsen_knop"))
    assert not at.exception
    parts = re.search(r"gesplitst in ([\d, ]+);", at.success[0].value).group(1).split(", ")
    after = before + len(parts) - 1
    assert metric(at, "Gebieden") == after, "the heading counts the new areas"
    table = at.dataframe[0].value
    assert len(table) == after and {int(p) for p in parts} <= set(table["gebied"])
    send_again(at, sent)
    assert history_count(own_demo, "gebied gesplitst") == 1, "a double click splits once"
    assert metric(at, "Gebieden") == after and not at.success


def test_a_replan_clicked_twice_plans_once(own_demo: Path) -> None:
    done = history_count(own_demo, "opnieuw ingedeeld")  # earlier tests may have re-planned
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/gebieden.py").run()
    at.slider(key="max_leden").set_value(150).run()
    button(at, "voorstel_maken").click().run()
    sent = click_and_keep(at, button(at, "bevestigen"))
    assert not at.exception
    shown = int(re.search(r"(\d+) gebieden", at.success[0].value).group(1))
    assert metric(at, "Gebieden") == shown == len(at.dataframe[0].value)
    send_again(at, sent)
    assert history_count(own_demo, "opnieuw ingedeeld") == done + 1, "a double click plans once"


def test_a_new_beheerder_shows_at_once_and_is_saved_once(own_demo: Path) -> None:
    from geo.store import Store

    store = Store.open(own_demo)
    people = store.applicants("accepted")
    store.close()
    area, other = next(
        (int(a), group.loc[group["is_beheerder"] == 0].iloc[0])
        for a, group in people.loc[people["beheerder"] == 1].groupby("area_id")
        if len(group) >= 2 and (group["is_beheerder"] == 0).any()
    )
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/beheerders.py").run()
    at.selectbox(key="beheer_gebied").set_value(area).run()
    choice = next(s for s in at.selectbox if re.fullmatch(rf"keuze_{area}_\d+", str(s.key)))
    choice.set_value(int(other["id"]))
    sent = click_and_keep(at, button(at, f"opslaan_{area}"))
    assert not at.exception
    assert f"nu hoofdbeheerder van gebied {area}" in at.success[0].value
    line = next(m.value for m in at.markdown if m.value.startswith("- Hoofdbeheerder:"))
    assert line.startswith(f"- Hoofdbeheerder: {other['naam']}, "), "the new beheerder shows"
    send_again(at, sent)
    assert history_count(own_demo, "beheerder gekozen") == 1, "a double click saves once"
    store = Store.open(own_demo)
    now = store.applicants("accepted").query("area_id == @area and is_beheerder == 1")
    assert list(now["id"]) == [int(other["id"])], "exactly one beheerder: the chosen one"


def test_a_sign_decision_shows_at_once_and_is_saved_once(own_demo: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/borden.py").run()
    first = at.dataframe[0].value.iloc[0]
    assert first["besluit"] == "open"
    at.selectbox(key="bord_keuze").set_value(first["rang"])
    at.radio(key="bord_besluit").set_value("rejected")
    at.text_input(key="bord_opmerking").input("te dicht bij de school")
    sent = click_and_keep(at, at.button(key="besluit_opslaan"))
    assert not at.exception
    assert at.success[0].value == f"Bord {first['rang']}: niet plaatsen."
    table = at.dataframe[0].value.set_index("rang")
    assert table.loc[first["rang"], "besluit"] == "niet plaatsen", "the table shows the decision"
    send_again(at, sent)
    assert history_count(own_demo, "bord beoordeeld") == 1, "a double click saves once"
    assert "al opgeslagen" in at.info[0].value


def test_an_upload_read_twice_by_a_double_click_is_read_once(own_demo: Path) -> None:
    from geo.store import Store

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    before = metric(at, "Aangenomen")
    sheet = (
        BAD_ROWS.replace("Kees Kind", "Dora Dubbel").replace("0612121212", "0618181818")
        .replace("Anne Aangenomen", "Dolf Dubbel").replace("0613131313", "0619191919")
    )  # fmt: skip
    at.file_uploader(key="aanmeldingen_bestand").upload("nieuw.csv", sheet.encode(), "text/csv")
    at.run()
    sent = click_and_keep(at, at.button(key="inlezen"))
    assert not at.exception
    assert metric(at, "Aangenomen") == before + 1
    send_again(at, sent)
    store = Store.open(own_demo)
    names = store.applicants()["naam"]
    store.close()
    assert {n: int((names == n).sum()) for n in ("Dora Dubbel", "Dolf Dubbel")} == {
        "Dora Dubbel": 1,
        "Dolf Dubbel": 1,
    }, "a double click reads the file once"
    assert at.button(key="inlezen").disabled and "is ingelezen" in at.caption[0].value


def test_one_person_sent_twice_is_added_once(own_demo: Path) -> None:
    from geo.store import Store

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    before = metric(at, "Aangenomen")
    fields = {"f_naam": "Dirk Dubbelklik", "f_adres": "Vuorikatu 17", "f_woonplaats": "Helsinki",
              "f_telefoon": "0617171717"}  # fmt: skip
    for key, value in fields.items():
        at.text_input(key=key).input(value)
    at.number_input(key="f_leeftijd").set_value(50)
    sent = click_and_keep(at, button(at, "toevoegen"))
    assert not at.exception
    assert "Dirk Dubbelklik is aangemeld" in at.success[0].value
    assert metric(at, "Aangenomen") == before + 1
    send_again(at, sent)
    store = Store.open(own_demo)
    assert (store.applicants()["naam"] == "Dirk Dubbelklik").sum() == 1, "added once"
    store.close()


def test_a_corrected_reject_shows_in_the_counters_at_once(own_demo: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    sheet = BAD_ROWS.replace("Kees Kind", "Kobus Kort").replace("0612121212", "0610101010")
    at.file_uploader(key="aanmeldingen_bestand").upload("nieuw.csv", sheet.encode(), "text/csv")
    at.run()
    at.button(key="inlezen").click().run()
    accepted, rejected = metric(at, "Aangenomen"), metric(at, "Afgewezen")
    choice = next(o for o in at.selectbox(key="verbeter_keuze").options if o.startswith("Kobus"))
    at.selectbox(key="verbeter_keuze").set_value(choice).run()
    next(t for t in at.text_input if t.label == "Leeftijd").input("40")
    sent = click_and_keep(at, button(at, "opnieuw_controleren"))
    assert not at.exception
    assert "Verbeterd en aangenomen" in at.success[0].value
    assert (metric(at, "Aangenomen"), metric(at, "Afgewezen")) == (accepted + 1, rejected - 1)
    assert not any(o.startswith("Kobus") for o in at.selectbox(key="verbeter_keuze").options)
    send_again(at, sent)
    assert (metric(at, "Aangenomen"), metric(at, "Afgewezen")) == (accepted + 1, rejected - 1)


def test_signs_in_dutch_with_a_tally_top_n_and_an_open_filter(own_demo: Path) -> None:
    """The gemeente decides the most important signs in one go (issue 13.5)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/borden.py").run()
    table = at.dataframe[0].value
    assert set(table["soort"]) <= {"hoofdingang", "fiets- of voetpad"}, "Dutch values"
    assert metric(at, "Open") == len(table) and metric(at, "Besloten") == 0
    at.number_input(key="top_n_aantal").set_value(3)
    at.button(key="top_n_plaatsen").click().run()
    assert not at.exception
    assert "3 borden op 'plaatsen' gezet" in at.success[0].value
    assert metric(at, "Besloten") == 3 and metric(at, "Te plaatsen") == 3
    at.checkbox(key="alleen_open").check().run()
    assert len(at.dataframe[0].value) == len(table) - 3
    assert (at.dataframe[0].value["besluit"] == "open").all()
    at.number_input(key="top_n_aantal").set_value(5)
    at.button(key="top_n_plaatsen").click().run()
    assert "2 borden" in at.success[0].value, "earlier decisions are kept, not redone"


# Never destroy what exists (issue 13, part 1): a re-plan is a proposal, locked areas stay,
# every change to the indeling can be undone.

LOWER_CAP = 130  # below the demo's cap, also after an earlier test re-planned it at 150


def plan_state(project: Path) -> tuple[list[tuple[int, str]], dict[int, tuple[int, bool]]]:
    """Areas (id, name) and each member's area and role, as stored."""
    from geo.store import Store

    store = Store.open(project)
    try:
        people = store.applicants("accepted")
        areas = store._db.execute("SELECT area_id, name FROM areas ORDER BY area_id").fetchall()
    finally:
        store.close()
    return [(int(a), str(n)) for a, n in areas], {
        int(i): (int(a), bool(b))
        for i, a, b in zip(people["id"], people["area_id"], people["is_beheerder"], strict=True)
    }


def in_store(project: Path, read: Callable[[Store], T]) -> T:
    """What ``read`` finds in the stored project."""
    from geo.store import Store

    store = Store.open(project)
    try:
        return read(store)
    finally:
        store.close()


def first_undo_target(project: Path) -> int:
    """The change the newest undo in the history went back before."""
    details = in_store(project, lambda store: store.history()).query("action == 'teruggezet'")
    return int(json.loads(details["details"].iloc[-1])["before"])


def table_with(at: AppTest, column: str) -> object:
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def test_a_replan_without_new_sign_ups_changes_nothing(own_demo: Path) -> None:
    """Re-planning twice with the same settings and no new sign-ups: the second time nothing
    changes (earlier tests add people to the shared demo, so the first re-plan may)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/gebieden.py").run()
    button(at, "voorstel_maken").click().run()
    button(at, "bevestigen").click().run()
    assert not at.exception
    before = plan_state(own_demo)
    button(at, "voorstel_maken").click().run()
    assert not at.exception
    assert at.info and "verandert niets aan de groepen" in at.info[0].value, texts(at)[:2000]
    button(at, "bevestigen").click().run()
    assert not at.exception and "0 leden van groep gewisseld" in at.success[0].value
    assert plan_state(own_demo) == before, "same numbers, names, members and beheerders"


def test_the_replan_preview_shows_before_anything_is_saved(own_demo: Path) -> None:
    before, done = plan_state(own_demo), history_count(own_demo, "opnieuw ingedeeld")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/gebieden.py").run()
    at.slider(key="max_leden").set_value(LOWER_CAP).run()
    button(at, "voorstel_maken").click().run()
    assert not at.exception
    assert any("Er is nog niets opgeslagen" in w.value for w in at.warning)
    moves = table_with(at, "naar gebied")
    assert len(moves) > 0 and {"naam", "van gebied"} <= set(moves.columns)  # type: ignore[attr-defined]
    assert len(table_with(at, "leden")) > 0  # the new areas
    assert plan_state(own_demo) == before and history_count(own_demo, "opnieuw ingedeeld") == done
    button(at, "annuleren").click().run()
    assert not at.exception and "niets veranderd" in at.warning[0].value
    assert not [b for b in at.button if str(b.key).startswith("bevestigen")]
    assert plan_state(own_demo) == before and history_count(own_demo, "opnieuw ingedeeld") == done


def test_a_locked_area_survives_a_replan(own_demo: Path) -> None:
    areas, members = plan_state(own_demo)
    locked = areas[1][0]
    kept = {m for m, (a, _) in members.items() if a == locked}
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/gebieden.py").run()
    (choice,) = [w for w in at.multiselect if str(w.key).startswith("vastgezet_")]
    choice.set_value([locked])
    button(at, "vastzetten_opslaan").click().run()
    assert not at.exception and f"Vastgezet: {locked};" in at.success[0].value
    table = at.dataframe[0].value.set_index("gebied")
    assert table.loc[locked, "vast"] == "ja" and (table["vast"] == "ja").sum() == 1
    at.slider(key="max_leden").set_value(LOWER_CAP).run()
    button(at, "voorstel_maken").click().run()
    assert "van gebied" in table_with(at, "naar gebied").columns  # type: ignore[attr-defined]
    button(at, "bevestigen").click().run()
    assert not at.exception
    after_areas, after_members = plan_state(own_demo)
    assert {m for m, (a, _) in after_members.items() if a == locked} == kept
    assert dict(after_areas)[locked] == dict(areas)[locked]
    assert len(after_areas) > len(areas), "the rest was re-planned with the lower cap"


def test_undo_restores_the_previous_state(own_demo: Path) -> None:
    before = plan_state(own_demo)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/gebieden.py").run()
    at.slider(key="max_leden").set_value(LOWER_CAP).run()
    button(at, "voorstel_maken").click().run()
    button(at, "bevestigen").click().run()
    replanned = plan_state(own_demo)
    assert replanned != before
    at.switch_page("views/geschiedenis.py").run()
    assert not at.exception
    assert "opnieuw ingedeeld" in next(m.value for m in at.markdown if "Laatste" in m.value)
    history = at.dataframe[0].value
    assert {"wanneer", "wie", "wat", "bijzonderheden"} <= set(history.columns)
    assert history.iloc[0]["wat"] == "opnieuw ingedeeld" and history.iloc[0]["wie"] == "planner"
    assert "vulgraad: 0,8" in history.iloc[0]["bijzonderheden"], "a Dutch decimal comma"
    sent = click_and_keep(at, button(at, "ongedaan_maken"))
    assert not at.exception and "ongedaan gemaakt" in at.success[0].value
    assert plan_state(own_demo) == before, "the plan before the re-plan is back"
    assert at.dataframe[0].value.iloc[0]["wat"] == "teruggezet"
    send_again(at, sent)
    assert history_count(own_demo, "teruggezet") == 1, "a double click undoes once"
    last = next(m.value for m in at.markdown if "Laatste" in m.value)
    earlier = in_store(own_demo, lambda store: store.step_back())
    assert earlier is not None and earlier < int(first_undo_target(own_demo))
    assert f"(nr. {earlier}," in last, "a second undo would go one step further back, not redo"
    button(at, "herstellen").click().run()
    assert not at.exception and "Hersteld" in at.success[0].value
    assert plan_state(own_demo) == replanned
    assert not [b for b in at.button if b.key and "herstellen" in b.key], "a redo is not redone"
    first = next(k for k in at.selectbox(key="terug_naar").options if "opnieuw ingedeeld" in k)
    at.selectbox(key="terug_naar").set_value(int(first.split(":")[0].removeprefix("nr. ")))
    button(at, "terugzetten").click().run()
    assert not at.exception and "Teruggezet" in at.success[0].value
    assert plan_state(own_demo) == before
    at.switch_page("views/gebieden.py").run()
    assert metric(at, "Gebieden") == len(before[0]), "the page shows the state brought back"


def test_undoing_every_change_leaves_everyone_waiting_until_placed(own_demo: Path) -> None:
    """An undo places nobody; placing is the planner's choice, after a preview."""
    before = plan_state(own_demo)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/geschiedenis.py").run()
    while in_store(own_demo, lambda store: store.step_back()) is not None:
        button(at, "ongedaan_maken").click().run()
        assert not at.exception and "ongedaan gemaakt" in at.success[0].value
    waiting = len(before[1])
    assert f"{waiting} aanmeldingen hebben nu geen gebied" in at.info[0].value
    assert in_store(own_demo, lambda store: store.status().unplaced) == waiting
    at.switch_page("views/gebieden.py").run()
    assert f"Een eerste plan met {waiting} leden" in at.info[0].value
    assert any("wachten op indeling" in i.value for i in at.info), "not 'add sign-ups first'"
    assert in_store(own_demo, lambda store: store.status().unplaced) == waiting, "a preview"
    button(at, "nu_indelen").click().run()
    assert not at.exception and "Ingedeeld" in at.success[0].value
    assert in_store(own_demo, lambda store: store.status().unplaced) == 0
    assert metric(at, "Gebieden") == len(plan_state(own_demo)[0]) > 0, "shown at once"


# E-mail intake (issue 15): an mbox uploaded on the Aanmeldingen page.


def sign_up_mbox() -> bytes:
    """Three fictitious e-mails: a form, a couple in prose, a question (no sign-up)."""
    from email.message import EmailMessage

    bodies = [
        ("Mira Mailtest <mira@example.org>", "Aanmelding",
         "Beste wijkplatform,\n\nNaam: Mira Mailtest\nAdres: Vuorikatu 17\nWoonplaats: Helsinki\n"
         "Leeftijd: 45\nTelefoon: 06 2345 6750\n\nMet vriendelijke groet,\nMira"),
        ("Bas Brieven <bas@example.org>", "Wij doen mee",
         "Mijn vrouw en ik willen ons aanmelden. Wij wonen op de Vuorikatu 17 in Helsinki.\n"
         "Ik ben Bas Brieven, 61 jaar, 06-2345 6751.\n"
         "Mijn vrouw Britt Brieven is 58 jaar, haar nummer is 06 2345 6752.\n"),
        ("Vera Vraag <vera@example.org>", "Vraag", "Wanneer is de volgende bijeenkomst?"),
    ]  # fmt: skip
    box = b""
    for index, (sender, subject, body) in enumerate(bodies):
        message = EmailMessage()
        message["From"] = sender
        message["To"] = "wijkplatform@example.org"
        message["Subject"] = subject
        message["Date"] = f"Fri, 03 May 2024 1{index}:00:00 +0200"
        message["Message-ID"] = f"<app-mbox-{index}@example.org>"
        message.set_content(body)
        box += b"From MAILER-DAEMON Fri May  3 10:00:00 2024\n" + bytes(message) + b"\n"
    return box


def test_an_mbox_upload_reads_each_person_and_shows_the_counts(own_demo: Path) -> None:
    from geo.store import Store

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    before = metric(at, "Aangenomen")
    at.file_uploader(key="aanmeldingen_bestand").upload(
        "postvak.mbox", sign_up_mbox(), "application/mbox"
    )
    at.run()
    at.button(key="inlezen").click().run()
    assert not at.exception
    assert "4 regels gelezen: 3 aangenomen, 1 afgewezen" in at.success[0].value
    assert metric(at, "Aangenomen") == before + 3
    assert "geen aanmelding herkend" in texts(at), "the question is shown, not lost"
    store = Store.open(own_demo)
    try:
        people = store.applicants().set_index("naam")
    finally:
        store.close()
    added = people.loc[["Mira Mailtest", "Bas Brieven", "Britt Brieven"]]
    assert list(added["status"]) == ["accepted"] * 3
    assert list(added["telefoon"]) == ["+31623456750", "+31623456751", "+31623456752"]
    assert set(added["straat"]) == {"Vuorikatu"} and added["area_id"].notna().all()


def test_participation_counts_households_not_register_points(demo_app: AppTest) -> None:
    """The demo's register counts buildings, not homes; its sign-ups live in the flats: the
    households are the addresses, and no area shows more than 100% (issue 13.4)."""
    demo_app.run()
    demo_app.switch_page("views/gebieden.py").run()
    table = demo_app.dataframe[0].value
    shown = table["deelname"]
    assert shown.str.fullmatch(r"\d{1,3}(,\d)?%").all(), shown
    assert (shown.str.rstrip("%").str.replace(",", ".").astype(float) <= 100).all()
    households = table["huishoudens"].astype(int)  # the demo has a register: all known
    assert (table["aangemelde huishoudens"] <= households).all()
    share = 100 * table["aangemelde huishoudens"] / households
    assert list(shown) == [f"{v:.1f}".removesuffix(".0").replace(".", ",") + "%" for v in share]
    assert (table["aangemelde huishoudens"] <= table["leden"]).all()


# Issue 13, part 3: sign-ups that wait, removal, the Deelnemers table, the planner's file name.

WAITING_ROWS = (
    "Naam;Adres;Woonplaats;Leeftijd;Telefoon\n"
    "Wim Wachter;Onvindbarelaan 5;Helsinki;40;0614725836\n"
    "Wanda Wachter;Zoekweg 8;Helsinki;40;0614725837\n"
)


class FoundOnline:
    """An online service that finds one address, at a point inside the demo wijk."""

    name = "testdienst"

    def __init__(self, street: str, lat: float, lon: float) -> None:
        self.street, self.lat, self.lon = street, lat, lon

    def lookup(self, address: object) -> object:
        from geo.register import Location

        if getattr(address, "street", "") != self.street:
            return None
        return Location(self.lat, self.lon, self.name, "exact")


def test_who_waits_for_an_address_is_listed_looked_up_again_and_corrected(
    own_demo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from geo.store import Store

    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    store = Store.open(own_demo)
    inside = store.applicants("accepted").iloc[0]
    store.close()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    accepted, waiting = metric(at, "Aangenomen"), metric(at, "Wachten op een adres")
    at.file_uploader(key="aanmeldingen_bestand").upload(
        "wachten.csv", WAITING_ROWS.encode(), "text/csv"
    )
    at.run()
    at.button(key="inlezen").click().run()
    assert metric(at, "Wachten op een adres") == waiting + 2
    table = next(
        d.value for d in at.dataframe if list(d.value.columns) == ["naam", "adres", "reden"]
    )
    wim = table.loc[table["naam"] == "Wim Wachter"].iloc[0]
    assert wim["adres"].startswith("Onvindbarelaan 5") and "Helsinki" in wim["adres"]
    assert "online zoeken staat uit" in wim["reden"], "why it waits"

    button(at, "opnieuw_opzoeken").click().run()  # online off: register and cache only
    assert not at.exception
    assert "0 gevonden" in at.warning[0].value
    assert metric(at, "Wachten op een adres") == waiting + 2

    choice = next(o for o in at.selectbox(key="adres_keuze").options if o.startswith("Wanda"))
    at.selectbox(key="adres_keuze").set_value(choice).run()
    next(t for t in at.text_input if t.label == "Straat").input(str(inside["straat"]))
    next(t for t in at.text_input if t.label == "Huisnummer").input(str(inside["huisnummer"]))
    next(t for t in at.text_input if t.label == "Postcode").input(str(inside["postcode"] or ""))
    button(at, "adres_controleren").click().run()
    assert not at.exception
    assert "Verbeterd en aangenomen" in at.success[0].value
    assert metric(at, "Wachten op een adres") == waiting + 1
    service = FoundOnline("Onvindbarelaan", float(inside["lat"]), float(inside["lon"]))
    monkeypatch.setattr("geo.workflow.online_services", lambda settings: [service])
    at.checkbox(key="online").check().run()
    sent = click_and_keep(at, button(at, "opnieuw_opzoeken"))
    assert not at.exception
    assert "1 gevonden en geplaatst" in at.success[0].value
    assert metric(at, "Wachten op een adres") == waiting
    assert metric(at, "Aangenomen") == accepted + 2
    send_again(at, sent)
    assert metric(at, "Aangenomen") == accepted + 2, "a double click looks up once"

    store = Store.open(own_demo)
    people = store.applicants().query("naam.str.endswith('Wachter')")
    store.close()
    assert sorted(people["status"]) == ["accepted", "accepted"], "each person once, placed"
    assert people["area_id"].notna().all()


def test_errors_and_history_name_the_planners_own_file(own_demo: Path) -> None:
    import json

    from geo.store import Store

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.file_uploader(key="aanmeldingen_bestand").upload("lijst mei.csv", b"  \n", "text/csv")
    at.run()
    at.button(key="inlezen").click().run()
    shown = at.error[0].value.replace("\\", "")  # markdown-escaped: it reads without them
    assert "lijst mei.csv" in shown and "aanmeldingen.csv" not in shown
    sheet = BAD_ROWS.replace("Anne Aangenomen", "Frits Bestand").replace("0613131313", "0611223344")
    at.file_uploader(key="aanmeldingen_bestand").upload(
        "lijst juni.csv", sheet.encode(), "text/csv"
    )
    at.run()
    at.button(key="inlezen").click().run()
    assert not at.exception
    store = Store.open(own_demo)
    history = store.history()
    store.close()
    read = history.loc[history["action"] == "aanmeldingen ingelezen", "details"].iloc[-1]
    assert json.loads(read)["source"] == "lijst juni.csv"


def test_the_planner_removes_a_person_after_confirming(own_demo: Path) -> None:
    from geo.store import Store

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    sheet = (
        BAD_ROWS.replace("Kees Kind", "Roos Rondweg").replace("0612121212", "0612345670")
        .replace("Anne Aangenomen", "Rik Afmelder").replace("0613131313", "0612345671")
    )  # fmt: skip
    at.file_uploader(key="aanmeldingen_bestand").upload("nieuw.csv", sheet.encode(), "text/csv")
    at.run()
    at.button(key="inlezen").click().run()
    accepted, rejected = metric(at, "Aangenomen"), metric(at, "Afgewezen")
    options = at.selectbox(key="verwijder_keuze").options
    rik = next(o for o in options if o.startswith("Rik Afmelder"))
    roos = next(o for o in options if o.startswith("Roos Rondweg"))  # a reject can go too
    at.selectbox(key="verwijder_keuze").set_value(rik).run()
    at.button(key="verwijder_vragen").click().run()
    assert "definitief verwijderen?" in at.warning[0].value
    at.button(key="verwijder_annuleren").click().run()
    assert metric(at, "Aangenomen") == accepted, "cancelled: nothing removed"
    at.button(key="verwijder_vragen").click().run()
    sent = click_and_keep(at, button(at, "verwijderen"))
    assert not at.exception
    assert "Verwijderd: 1 aanmelding" in at.success[0].value
    assert metric(at, "Aangenomen") == accepted - 1
    assert not any(
        o.startswith("Rik Afmelder") for o in at.selectbox(key="verwijder_keuze").options
    )
    send_again(at, sent)
    assert history_count(own_demo, "persoon verwijderd (AVG)") == 1, "removed once"
    at.selectbox(key="verwijder_keuze").set_value(roos).run()
    at.button(key="verwijder_vragen").click().run()
    button(at, "verwijderen").click().run()
    assert metric(at, "Afgewezen") == rejected - 1
    store = Store.open(own_demo)
    names = set(store.applicants()["naam"])
    store.close()
    assert not {"Rik Afmelder", "Roos Rondweg"} & names


def test_the_planners_proposal_stays_apart_from_the_decision(own_demo: Path) -> None:
    """A proposal is no decision: the sign stays open for the gemeente (issue 13.5)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/borden.py").run()
    first = at.dataframe[0].value.iloc[0]
    at.selectbox(key="voorstel_keuze").set_value(first["rang"])
    at.radio(key="voorstel_soort").set_value("proposed")
    at.text_input(key="voorstel_toelichting").input("zichtbaar vanaf de rotonde")
    at.button(key="voorstel_opslaan").click().run()
    assert not at.exception
    row = at.dataframe[0].value.set_index("rang").loc[first["rang"]]
    assert (row["voorstel"], row["toelichting"]) == ("voorgesteld", "zichtbaar vanaf de rotonde")
    assert row["besluit"] == "open", "the gemeente has not decided yet"
    at.selectbox(key="bord_keuze").set_value(first["rang"])
    at.radio(key="bord_besluit").set_value("accepted")
    at.button(key="besluit_opslaan").click().run()
    row = at.dataframe[0].value.set_index("rang").loc[first["rang"]]
    assert (row["besluit"], row["besloten door"]) == ("plaatsen", "planner namens gemeente")
    assert row["voorstel"] == "voorgesteld"


def test_the_planner_names_an_area_and_sees_it_at_once(own_demo: Path) -> None:
    areas, _ = plan_state(own_demo)
    area = areas[0][0]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/gebieden.py").run()
    at.selectbox(key="te_hernoemen").set_value(area)
    at.text_input(key="nieuwe_naam").input("**Kerkbuurt** [x](https://x.example)")
    button(at, "hernoemen").click().run()
    assert not at.exception
    assert "heet nu" in at.success[0].value and "](https" not in at.success[0].value
    assert dict(plan_state(own_demo)[0])[area] == "**Kerkbuurt** [x](https://x.example)"
    shown = at.selectbox(key="te_hernoemen")
    assert "Kerkbuurt" in shown.format_func(area), "the new name at once"
    at.selectbox(key="te_hernoemen").set_value(areas[1][0])
    at.text_input(key="nieuwe_naam").input("**kerkbuurt** [X](https://x.example)")
    button(at, "hernoemen").click().run()
    assert "heet al" in at.error[0].value, "names stay unique"
