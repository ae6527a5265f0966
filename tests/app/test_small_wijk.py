"""A wijk that starts small, on every page: no members yet, one member, an area emptied by
removing its only member, two members split over two areas; a wrong setting in the
environment; the labels and counts after an action (AppTest, demo mode)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Selectbox

from geo.rosters import NO_BEHEERDER
from geo.store import Store
from tests.app.projects import open_copy
from tests.app.small_wijk import sign_ups, small_project
from tests.app.test_app import button, texts

pytestmark = pytest.mark.slow
APP = str(Path(__file__).parents[2] / "app.py")
TIMEOUT = 120
PAGES = (
    "views/aanmeldingen.py", "views/wijk.py", "views/gebieden.py", "views/geschiedenis.py",
    "views/beheerders.py", "views/borden.py", "views/export.py", "views/groepen.py",
)  # fmt: skip
NO_PLAN = "Nog geen gebieden"


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Projects with 0, 1 and 2 members, made once."""
    return {n: small_project(tmp_path_factory.mktemp(f"klein{n}"), n) for n in (0, 1, 2)}


def app_on(templates: dict[int, Path], count: int, folder: Path, mp: pytest.MonkeyPatch) -> AppTest:
    """The app in demo mode on a private copy of the project with ``count`` members."""
    open_copy(templates[count], folder, mp, unset=["GEO_MAX_MEMBERS", "GEO_FILL", "GEO_IMAP_URL"])
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def remove_everyone(at: AppTest) -> None:
    """Remove every member on the Aanmeldingen page, as the planner does (AVG)."""
    at.switch_page("views/aanmeldingen.py").run()
    while at.selectbox(key="verwijder_keuze").options:
        box = at.selectbox(key="verwijder_keuze")
        box.set_value(box.options[0]).run()
        at.button(key="verwijder_vragen").click().run()
        button(at, "verwijderen").click().run()
        assert not at.exception


def crashed(at: AppTest) -> list[str]:
    """The tracebacks on the page (a numpy RuntimeWarning reaches the log, not the page)."""
    return [e.message for e in at.exception if not e.is_warning]


def shown_label(box: Selectbox[Any], before: str) -> str:
    """The label the browser shows for ``box``: the one the page sends, else the one it had."""
    return box.proto.raw_value if box.proto.set_value else before


def test_an_area_emptied_by_removing_its_only_member_works_on_every_page(
    templates: dict[int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app_on(templates, 1, tmp_path, monkeypatch)
    remove_everyone(at)
    for page in PAGES:
        at.switch_page(page).run()
        assert not crashed(at), page
    at.switch_page("views/beheerders.py").run()
    overview = next(d.value for d in at.dataframe if "vacature" in d.value.columns)
    assert overview[["gebied", "leden", "vacature"]].values.tolist() == [[1, 0, NO_BEHEERDER]]
    assert "0 leden, 255 plaatsen over" in texts(at)
    assert not [d for d in at.dataframe if "rol" in d.value.columns], (
        "no empty roster: Streamlit would say 'empty'"
    )
    assert "Dit gebied heeft nog geen leden." in [c.value for c in at.caption]
    assert not at.get("download_button")[2:], "no empty roster to download"
    at.switch_page("views/groepen.py").run()
    assert not at.multiselect and [s.key for s in at.selectbox] == ["groepen_gebied"], (
        "no empty list to choose from: Streamlit would say 'No options to select'"
    )
    assert "Dit gebied heeft nog geen leden" in texts(at)


def test_export_without_areas_says_so_and_offers_nothing(
    templates: dict[int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app_on(templates, 0, tmp_path, monkeypatch)
    for page in PAGES:
        at.switch_page(page).run()
        assert not crashed(at), page
    at.switch_page("views/export.py").run()
    assert any(NO_PLAN in i.value for i in at.info)
    assert not at.button and not at.get("download_button")


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("GEO_MAX_MEMBERS", "300", "maximum per gebied is 255"),
        ("GEO_FILL", "abc", "ongeldige waarde"),
        ("GEO_MAX_MEMBERS", "0", "leden per groep"),
        ("GEO_FILL", "1,5", "vulgraad"),
    ],
)
def test_a_wrong_setting_is_one_message_and_the_rest_keeps_working(
    templates: dict[int, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
    why: str,
) -> None:
    at = app_on(templates, 1, tmp_path, monkeypatch)
    monkeypatch.setenv(name, value)
    for page in PAGES:
        at.switch_page(page).run()
        assert not crashed(at), page
        assert len(at.error) == 1 and why in at.error[0].value, page
    at.switch_page("views/gebieden.py").run()
    button(at, "voorstel_maken").click().run()
    assert not at.exception and "Geen voorstel gemaakt" in texts(at), "no plan under a bad cap"
    remove_everyone(at)  # an AVG request does not wait for the setting
    store = Store.open(tmp_path / "demo.sqlite")
    assert store.applicants().empty and store.max_members == 255
    store.close()


def test_after_a_split_the_area_labels_show_the_new_counts(
    templates: dict[int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app_on(templates, 2, tmp_path, monkeypatch)
    at.switch_page("views/gebieden.py").run()
    before = at.selectbox(key="verplaats_van")
    label = before.options[0]
    assert label.startswith("1 – ") and "(2 leden, 253 plaatsen over)" in label
    at.selectbox(key="te_splitsen").set_value(1)
    button(at, "splitsen_knop").click().run()
    assert not at.exception and "is gesplitst" in at.success[0].value
    after = at.selectbox(key="verplaats_van")
    assert after.value == 1
    assert "(1 lid, 254 plaatsen over)" in shown_label(after, label)


def test_the_beheerders_area_label_shows_the_vacancy_after_a_change(
    templates: dict[int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app_on(templates, 1, tmp_path, monkeypatch)
    at.switch_page("views/beheerders.py").run()
    label = at.selectbox(key="beheer_gebied").options[0]
    assert NO_BEHEERDER not in label
    button(at, "loslaten_1").click().run()
    assert not at.exception and "geen hoofdbeheerder meer" in at.warning[0].value
    assert shown_label(at.selectbox(key="beheer_gebied"), label).endswith(f"({NO_BEHEERDER})")
    assert "1 lid, 254 plaatsen over" in texts(at), "one member, in the singular"


def test_counts_of_one_read_in_the_singular(
    templates: dict[int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app_on(templates, 0, tmp_path, monkeypatch)
    sheet = sign_ups(tmp_path / "een.csv", 1).read_bytes()
    at.file_uploader(key="aanmeldingen_bestand").upload("een.csv", sheet, "text/csv")
    at.run()
    at.button(key="inlezen").click().run()
    assert at.success[0].value.startswith("1 regel gelezen: 1 aangenomen"), at.success[0].value


def test_without_a_register_the_households_read_unknown_not_none(
    templates: dict[int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app_on(templates, 1, tmp_path, monkeypatch)
    at.switch_page("views/gebieden.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["huishoudens"]) == ["onbekend"]
    assert list(table["deelname"]) == ["onbekend (geen adresregister)"]


def test_a_wijk_without_entrances_shows_no_sign_forms(
    templates: dict[int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app_on(templates, 1, tmp_path, monkeypatch)
    at.switch_page("views/borden.py").run()
    assert not crashed(at)
    assert any("geen borden" in info.value for info in at.info), "no street enters this wijk"
    assert not [box for box in at.selectbox if box.key in {"bord_keuze", "voorstel_keuze"}]
    assert not at.get("download_button"), "nothing to choose, nothing to download"
