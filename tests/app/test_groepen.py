"""The page Groepen starten with AppTest: status per area and member, ticking members added,
starting a group, previews and drafts to download (on a small grid project in demo mode)."""

from __future__ import annotations

import ssl
from pathlib import Path

import geopandas as gpd
import pytest
from aiosmtpd.controller import Controller
from streamlit.testing.v1 import AppTest

from geo.config import Settings
from geo.project import import_applicants, place_members
from geo.sources import Wijk
from geo.store import Store
from tests.app.projects import open_copy
from tests.app.test_app import button, metric
from tests.conftest import write_text
from tests.grids import RD, grid_boundary, grid_streets, members_along
from tests.io.test_notify import (  # noqa: F401  (certificate: a fixture)
    PASSWORD,
    USER,
    Mailbox,
    authenticate,
    certificate,
    free_port,
)

APP = str(Path(__file__).parents[2] / "app.py")
PAGE = "views/groepen.py"
TIMEOUT = 120
LINK = "https://chat.whatsapp.com/GroepLink42"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A placed project: 30 fictitious people on a grid, cap 20 (two areas); most with
    e-mail, every 5th with a mobile number only."""
    folder = tmp_path_factory.mktemp("groepen")
    people = members_along(grid_streets(3, 3), 30, seed=11).to_crs(4326)
    lines = ["Naam;Straat;Huisnummer;Woonplaats;Leeftijd;Telefoon;Email;Beheerder;lat;lon"]
    for n, row in enumerate(people.itertuples()):
        mail = "" if n % 5 == 4 else f"buur{n}@buurt.test"
        lines.append(
            f"Buur Nummer{n};{row.straat};{row.huisnummer};Geleen;40;06{40_000_000 + n:08d};"
            f"{mail};{'ja' if n % 10 == 0 else ''};{row.geometry.y:.7f};{row.geometry.x:.7f}"
        )
    sheet = write_text(folder / "a.csv", "\n".join(lines) + "\n")
    boundary = gpd.GeoDataFrame({"name": ["Oud-Geleen"]}, geometry=[grid_boundary(3, 3)], crs=RD)
    addresses = gpd.GeoDataFrame({"straat": [], "huisnummer": []}, geometry=[], crs=RD)
    wijk = Wijk(boundary.to_crs(4326), grid_streets(3, 3).to_crs(4326), addresses.to_crs(4326))
    settings = Settings(cache_dir=folder / "cache", max_members=20)
    store = Store.create(folder / "demo.sqlite", wijk, max_members=20, fill=0.8)
    import_applicants(store, sheet, settings=settings)
    place_members(store, settings=settings)
    store.close()
    return folder / "demo.sqlite"


@pytest.fixture
def project(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy, opened by the app in demo mode (no password: the planner's role)."""
    return open_copy(template, tmp_path, monkeypatch, unset=["GEO_SMTP_HOST"])


def page(project: Path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def members_table(at: AppTest) -> dict[int, str]:
    frame = next(f.value for f in at.dataframe if "status" in f.value.columns)
    return dict(zip(frame["lid"].astype(int), frame["status"], strict=True))


def first_area(project: Path) -> tuple[int, list[int]]:
    store = Store.open(project)
    try:
        members = store.applicants("accepted").dropna(subset=["area_id"])
        area = int(members["area_id"].min())
        return area, sorted(int(i) for i in members.loc[members["area_id"] == area, "id"])
    finally:
        store.close()


def test_status_per_area_and_per_member_is_shown(project: Path) -> None:
    at = page(project)
    _area, ids = first_area(project)
    assert at.title[0].value == "Groepen starten"
    stand = at.dataframe[0].value
    assert list(stand.columns) == [
        "gebied", "leden", "ingedeeld", "toegevoegd", "bericht verstuurd", "operationeel"
    ]  # fmt: skip
    assert stand["leden"].sum() == 30 and set(stand["operationeel"]) == {"nee"}
    assert members_table(at) == dict.fromkeys(ids, "ingedeeld")
    assert metric(at, "leden") == len(ids) and metric(at, "toegevoegd") == 0
    shown = "\n".join(str(c.value) for c in at.code)
    assert "Spelregels" in shown and "112" in shown, "a preview of the message"
    assert "Eerst de groep operationeel maken" in "\n".join(i.value for i in at.info)


def test_ticking_members_added_shows_the_new_state_at_once(project: Path) -> None:
    at = page(project)
    area, ids = first_area(project)
    at.multiselect(key=f"toevoegen_{area}").set_value(ids[:2]).run()
    button(at, "leden_toegevoegd").click().run()
    assert not at.exception
    assert "2 leden van gebied" in at.success[0].value
    table = members_table(at)
    assert [table[i] for i in ids[:2]] == ["toegevoegd", "toegevoegd"]
    assert table[ids[2]] == "ingedeeld"
    assert metric(at, "toegevoegd") == 2
    button(at, "gebied_toegevoegd").click().run()
    assert set(members_table(at).values()) == {"toegevoegd"}
    assert metric(at, "toegevoegd") == len(ids)
    stand = at.dataframe[0].value.set_index("gebied")
    assert stand.loc[area, "toegevoegd"] == len(ids)


def test_starting_a_group_then_making_drafts_and_links(project: Path) -> None:
    at = page(project)
    area, ids = first_area(project)
    at.text_input(key=f"uitnodigingslink_{area}").input("https://example.org/nep")
    at.form_submit_button[0].click().run()
    assert "geen WhatsApp-uitnodigingslink" in at.error[0].value.replace("\\", "")
    at.text_input(key=f"uitnodigingslink_{area}").input(LINK)
    at.form_submit_button[0].click().run()
    assert not at.exception
    assert f"Gebied {area} is operationeel" in at.success[0].value
    assert at.dataframe[0].value.set_index("gebied").loc[area, "operationeel"] == "ja"
    infos = "\n".join(i.value for i in at.info)
    assert "GEO_SMTP_HOST" in infos and "GEO_SMTP_PASSWORD" in infos, "how to set up SMTP"
    assert not [b for b in at.button if str(b.key).startswith("versturen")]
    assert LINK in "\n".join(str(c.value) for c in at.code), "the preview has the link"

    assert not at.get("download_button"), "nothing is made until asked"
    button(at, "concepten").click().run()
    assert not at.exception
    assert [str(b.key) for b in at.get("download_button")] == [f"download_concepten_{area}"]
    button(at, "whatsapp_links").click().run()
    keys = [str(b.key) for b in at.get("download_button")]
    assert keys == [f"download_concepten_{area}", f"download_links_{area}"]
    assert set(members_table(at).values()) == {"bericht verstuurd"}
    assert metric(at, "bericht verstuurd") == len(ids)
    store = Store.open(project)
    try:
        channels = set(store.progress().set_index("id").loc[ids, "channel"])
    finally:
        store.close()
    assert channels == {"eml", "whatsapp"}


def test_a_launched_area_stays_chosen_and_one_member_is_one_lid(project: Path) -> None:
    at = page(project)
    areas = at.selectbox(key="groepen_gebied").options
    last = int(areas[-1].removeprefix("Gebied "))
    at.selectbox(key="groepen_gebied").set_value(last).run()
    at.text_input(key=f"uitnodigingslink_{last}").input(LINK)
    at.form_submit_button[0].click().run()
    assert not at.exception
    assert f"Gebied {last} is operationeel" in at.success[0].value
    assert [t.value for t in at.toast] == [at.success[0].value], "seen where the button was too"
    assert at.selectbox(key="groepen_gebied").value == last, (
        "still the chosen area (the browser test guards the jump)"
    )
    assert any("— operationeel" in m.value for m in at.markdown)
    store = Store.open(project)
    try:
        people = store.applicants("accepted")
        one = int(people.loc[people["area_id"] == last, "id"].min())
    finally:
        store.close()
    at.multiselect(key=f"toevoegen_{last}").set_value([one]).run()
    button(at, "leden_toegevoegd").click().run()
    assert at.success[0].value == f"1 lid van gebied {last} staat als toegevoegd."


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_sending_by_e_mail_asks_for_confirmation_first(
    project: Path,
    certificate: tuple[Path, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cert, key = certificate
    mailbox = Mailbox()
    port = free_port()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
        authenticator=authenticate, auth_require_tls=True,
    )  # fmt: skip
    controller.start()
    for name, value in {"GEO_SMTP_HOST": "127.0.0.1", "GEO_SMTP_PORT": str(port),
                        "GEO_SMTP_SECURITY": "starttls", "GEO_SMTP_USER": USER,
                        "GEO_SMTP_PASSWORD": PASSWORD, "SSL_CERT_FILE": str(cert)}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    area, ids = first_area(project)
    store = Store.open(project)
    store.launch(area)
    emails = store.applicants("accepted").set_index("id").loc[ids, "email"]
    store.close()
    try:
        at = page(project)
        send = button(at, "versturen")
        assert send.disabled, "not before the planner confirms"
        at.number_input(key="groepen_snelheid").set_value(600)  # 0.1 s apart: a quick test
        at.checkbox[0].check().run()
        button(at, "versturen").click().run()
        assert not at.exception
    finally:
        controller.stop()
    assert "e-mails verstuurd" in at.success[0].value
    sent = len(mailbox.received)
    assert sorted(mailbox.to()) == sorted(e for e in emails if e), "every e-mail member once"
    assert metric(at, "bericht verstuurd") == sent
    assert PASSWORD not in "\n".join(str(e.value) for e in [*at.markdown, *at.caption, *at.info])


def test_the_municipality_cannot_open_the_page(project: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["rol"] = "gemeente"
    at.run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)  # not in her menu, not even registered for her


def test_an_area_without_members_says_so_in_dutch_not_in_an_empty_table(project: Path) -> None:
    area, _ids = first_area(project)
    store = Store.open(project)
    try:
        members = store.applicants("accepted")
        for phone in members.loc[members["area_id"] == area, "telefoon"]:
            store.forget(str(phone))
    finally:
        store.close()
    at = page(project)
    at.selectbox(key="groepen_gebied").set_value(area).run()
    assert not at.exception
    assert metric(at, "leden") == 0
    assert not [f for f in at.dataframe if "status" in f.value.columns], "no empty table"
    captions = [c.value for c in at.caption]
    assert "Nog geen leden: de ledenlijst van dit gebied is leeg." in captions
