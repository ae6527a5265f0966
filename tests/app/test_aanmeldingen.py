"""The Aanmeldingen page: e-mail sign-ups checked beside their message, the mailbox read from
the app, what to check, a member corrected in place (a move shown first), clearing rejects, who
changed group (issues 13 §3/§6 and 15).

The tests run the app in demo mode on a small project of their own (a street grid with an
address register, 120 members in a few areas), so that every run takes a moment only.
"""

from __future__ import annotations

import csv
import io
import json
from email.message import EmailMessage
from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import TextInput

from geo.config import Settings
from geo.partition import containing_area
from geo.project import import_applicants, place_members, split_area_in_project
from geo.sources import Wijk
from geo.store import Store
from tests.app.projects import open_copy
from tests.app.test_app import (
    APP,
    TIMEOUT,
    button,
    click_and_keep,
    history_count,
    metric,
    send_again,
    texts,
)
from tests.grids import RD, grid_boundary, grid_streets, members_along
from tests.io.test_imap import DOVECOT, PASSWORD, USER, deliver, server, sign_up  # noqa: F401
from tests.io.test_store import sign_up_sheet
from views.common import md

STREETS = grid_streets(4, 4).assign(
    name=["Molenweg", "Kerkstraat", "Beekstraat", "Schoolstraat", "Lindelaan", "Dorpsstraat",
          "Veldweg", "Akkerstraat", "Bergstraat", "Heirweg"]
)  # fmt: skip  # names without digits, as prose in an e-mail reads them
REGISTER = members_along(STREETS, 40, seed=5).drop_duplicates(["straat", "huisnummer"])
HOMES = [f"{row.straat} {row.huisnummer}" for row in REGISTER.itertuples()]


@pytest.fixture(scope="module")
def small_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A grid wijk whose address register knows ``HOMES``, 120 members placed (cap 40)."""
    folder = tmp_path_factory.mktemp("aanmeldingen")
    addresses = gpd.GeoDataFrame(
        {"straat": REGISTER["straat"], "huisnummer": REGISTER["huisnummer"], "huisletter": "",
         "toevoeging": "", "postcode": "6161AA", "woonplaats": "Geleen", "bag_id": ""},
        geometry=REGISTER.geometry.to_numpy(), crs=RD,
    )  # fmt: skip
    boundary = gpd.GeoDataFrame({"name": ["Oud-Geleen"]}, geometry=[grid_boundary(4, 4)], crs=RD)
    wijk = Wijk(boundary.to_crs(4326), STREETS.to_crs(4326), addresses.to_crs(4326))
    settings = Settings(cache_dir=folder / "cache", max_members=40)
    store = Store.create(folder / "demo.sqlite", wijk, max_members=40, fill=0.8)
    import_applicants(store, sign_up_sheet(folder / "a.csv", 120, seed=1), settings=settings)
    place_members(store, settings=settings)
    store.close()
    return folder / "demo.sqlite"


@pytest.fixture
def project(small_project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A private copy of the small project, opened by the app in demo mode."""
    return open_copy(small_project, tmp_path, monkeypatch, unset=["GEO_IMAP_URL"])


def mail(number: int, sender: str, subject: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "wijkplatform@example.org"
    message["Subject"] = subject
    message["Date"] = f"Fri, 03 May 2024 1{number}:00:00 +0200"
    message["Message-ID"] = f"<aanmeldingen-{number}@example.org>"
    message.set_content(body)
    return b"From MAILER-DAEMON Fri May  3 10:00:00 2024\n" + bytes(message) + b"\n"


def sign_up_mbox() -> bytes:
    """A form, a couple in prose (to check: two people in one e-mail), a question."""
    return (
        mail(0, "Mira Mailtest <mira@example.org>", "Aanmelding",
             f"Beste wijkplatform,\n\nNaam: Mira Mailtest\nAdres: {HOMES[0]}\n"
             "Woonplaats: Geleen\nLeeftijd: 45\nTelefoon: 06 2345 6750\n\n"
             "Met vriendelijke groet,\nMira")
        + mail(1, "Bas Brieven <bas@example.org>", "Wij doen mee",
               f"Mijn vrouw en ik willen ons aanmelden. Wij wonen op de {HOMES[1]} in Geleen.\n"
               "Ik ben Bas Brieven, 61 jaar, 06-2345 6751.\n"
               "Mijn vrouw Britt Brieven is 58 jaar, haar nummer is 06 2345 6752.\n")
        + mail(2, "Vera Vraag <vera@example.org>", "Vraag", "Wanneer is de volgende bijeenkomst?")
    )  # fmt: skip


def stored(project: Path, value: object, *, column: str = "naam") -> dict[str, object]:
    """The stored sign-up whose ``column`` (the name, or ``"id"``) holds ``value``."""
    store = Store.open(project)
    try:
        people = store.applicants()
        return people.loc[people[column] == value].iloc[0].to_dict()
    finally:
        store.close()


def test_an_upload_shows_the_notes_about_the_file(project: Path, tmp_path: Path) -> None:
    lines = sign_up_sheet(tmp_path / "a.csv", 2, seed=9, first_phone=5000).read_text()
    rows = [f"{line};x" for line in lines.splitlines()]
    rows[0] = rows[0].removesuffix(";x") + ";<b>Kleur</b>"  # an unknown column, typed by someone
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.file_uploader(key="aanmeldingen_bestand").upload(
        "nieuw.csv", ("\n".join(rows) + "\n").encode(), "text/csv"
    )
    at.run()
    at.button(key="inlezen").click().run()
    assert not at.exception
    notes = [info.value for info in at.info]
    assert any("kolommen niet gelezen" in note and "\\<b\\>Kleur" in note for note in notes), notes


def test_an_mail_sign_up_to_check_shows_its_message_beside_the_fields(project: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert "GEO_IMAP_URL" in texts(at), "without a mailbox: how to set one up, in Dutch"
    at.file_uploader(key="aanmeldingen_bestand").upload(
        "postvak.mbox", sign_up_mbox(), "application/mbox"
    )
    at.run()
    at.button(key="inlezen").click().run()
    assert not at.exception
    bas = stored(project, "Bas Brieven")  # one of two people in one e-mail: to check
    source = json.loads(str(bas["bron"]))
    assert "een van 2 personen" in str(bas["opmerking"])
    assert source["bericht"].startswith("Mijn vrouw en ik") and source["afzender"]
    assert "bericht" not in json.loads(str(stored(project, "Mira Mailtest")["bron"])), (
        "nothing to check: the message text is not kept"
    )

    at.checkbox(key="alleen_controleren").check().run()
    table = next(d.value for d in at.dataframe if "te controleren" in d.value.columns)
    assert {"huisletter", "toevoeging", "telefoon", "gebied"} <= set(table.columns)
    assert {"Bas Brieven", "Britt Brieven"} <= set(table["naam"])
    assert "Mira Mailtest" not in set(table["naam"]), "the filter shows only rows to check"

    choice = next(o for o in at.selectbox(key="controle_keuze").options if o.startswith("Bas"))
    at.selectbox(key="controle_keuze").set_value(choice).run()
    message = at.text_area(key=f"bron_{bas['id']}").value
    assert "Ik ben Bas Brieven, 61 jaar" in message, "the sender's own text beside the fields"
    assert "**Telefoon:** \\+31623456751" in texts(at), "typed text is escaped"
    sent = click_and_keep(at, button(at, "klopt"))
    assert not at.exception
    assert "Bas Brieven is gecontroleerd" in at.success[0].value
    assert not any(o.startswith("Bas") for o in at.selectbox(key="controle_keuze").options)
    send_again(at, sent)
    assert history_count(project, "aanmeldingen gecontroleerd") == 1, "checked once"
    bas = stored(project, "Bas Brieven")
    assert bas["opmerking"] == "" and "bericht" not in json.loads(str(bas["bron"]))
    correct_a_member(at, project)
    correct_a_reject_and_clear_the_rejects(at, project)


def correct_a_member(at: AppTest, project: Path) -> None:
    """Britt's name was read wrongly: corrected in place (same number), she keeps her area;
    the remark goes because the planner says all is right now."""
    britt = stored(project, "Britt Brieven")
    choice = next(o for o in at.selectbox(key="controle_keuze").options if o.startswith("Britt"))
    at.selectbox(key="controle_keuze").set_value(choice).run()
    at.button(key="lid_verbeteren_vragen").click().run()
    name = next(t for t in at.text_input if str(t.key) == f"lid_{britt['id']}_Naam")
    assert [t.label for t in at.text_input if str(t.key).startswith("lid_")].count("Postcode") == 1
    name.input("Britt Brieven-Bos")
    at.checkbox(key=f"lid_{britt['id']}_klopt").check()
    button(at, "lid_controleren").click().run()
    assert not at.exception
    assert f"in gebied {int(britt['area_id'])} gebleven" in at.success[0].value
    corrected = stored(project, "Britt Brieven-Bos")
    assert corrected["id"] == britt["id"], "corrected in place, not removed and added again"
    assert (corrected["status"], corrected["area_id"]) == ("accepted", britt["area_id"])
    assert corrected["telefoon"] == britt["telefoon"] and corrected["opmerking"] == ""
    source = json.loads(str(corrected["bron"]))
    assert "bericht" not in source and source["afzender"], (
        "checked: the text goes, the source stays"
    )


def correct_a_reject_and_clear_the_rejects(at: AppTest, project: Path) -> None:
    """The question (no sign-up) is rejected: corrected beside its message, every field once;
    then the rejects are cleared: asked first, then once, recorded in the history."""
    choice = next(o for o in at.selectbox(key="verbeter_keuze").options if "geen aanmelding" in o)
    at.selectbox(key="verbeter_keuze").set_value(choice).run()
    assert "Wanneer is de volgende bijeenkomst?" in at.text_area[0].value
    fields = [t.label for t in at.text_input if str(t.key).startswith("cel_")]
    for label in ("Naam", "Adres", "Postcode", "Woonplaats", "Leeftijd", "Telefoon", "E-mail",
                  "Beheerder"):  # fmt: skip
        assert fields.count(label) == 1, f"{label} once, also when empty"
    assert not {"Bericht", "Bericht-ID", "Afzender"} & set(fields), "the source is not edited"
    rejected = metric(at, "Afgewezen")
    assert rejected > 0
    at.button(key="wissen_vragen").click().run()
    assert "definitief wissen" in at.warning[0].value
    at.button(key="wissen_annuleren").click().run()
    assert metric(at, "Afgewezen") == rejected, "cancelled: nothing cleared"
    at.button(key="wissen_vragen").click().run()
    sent = click_and_keep(at, button(at, "wissen"))
    assert not at.exception
    assert f"{rejected} afgewezen aanmelding{'' if rejected == 1 else 'en'} gewist" in (
        at.success[0].value
    )
    assert metric(at, "Afgewezen") == 0
    send_again(at, sent)
    assert history_count(project, "afgewezen aanmeldingen gewist") == 1


def test_one_person_rejected_keeps_the_typed_fields(project: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    fields = {"f_naam": "Jip Jong", "f_adres": HOMES[2], "f_woonplaats": "Geleen",
              "f_telefoon": "0618181818"}  # fmt: skip
    for key, value in fields.items():
        at.text_input(key=key).input(value)
    at.number_input(key="f_leeftijd").set_value(16)
    button(at, "toevoegen").click().run()
    assert "minimaal 18 jaar" in at.error[0].value
    assert {key: at.text_input(key=key).value for key in fields} == fields, "kept to correct"
    at.number_input(key="f_leeftijd").set_value(19)
    button(at, "toevoegen").click().run()
    assert "Jip Jong is aangemeld" in at.success[0].value
    assert at.text_input(key="f_naam").value == "", "accepted: an empty form for the next one"


def test_typed_text_never_formats_the_page(project: Path) -> None:
    hostile = "[klik](https://evil.example) **Vet**"
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    fields = {"f_naam": hostile, "f_adres": HOMES[3], "f_woonplaats": "Geleen",
              "f_telefoon": "0618181819"}  # fmt: skip
    for key, value in fields.items():
        at.text_input(key=key).input(value)
    at.number_input(key="f_leeftijd").set_value(40)
    button(at, "toevoegen").click().run()
    assert at.success[0].value == f"{md(hostile)} is aangemeld en heeft een gebied."
    who = next(o for o in at.selectbox(key="verwijder_keuze").options if "klik" in o)
    at.selectbox(key="verwijder_keuze").set_value(who).run()
    at.button(key="verwijder_vragen").click().run()
    asked = next(w.value for w in at.warning if "definitief verwijderen" in w.value)
    assert asked.startswith(md(who)) and "](https" not in asked


def test_who_changed_group_since_a_change_is_listed_and_downloadable(project: Path) -> None:
    store = Store.open(project)
    try:
        biggest = int(store.applicants("accepted")["area_id"].value_counts().idxmax())
        split_area_in_project(store, biggest, settings=Settings())
        moved = store.applicants("accepted")
        moved = moved.loc[moved["area_id"] != biggest]
    finally:
        store.close()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.selectbox(key="verhuisd_sinds").value.split(" — ")[1].startswith("gebied gesplitst")
    table = next(d.value for d in at.dataframe if "van gebied" in d.value.columns)
    assert len(table) > 0 and set(table["van gebied"]) == {biggest}
    assert set(table["naar gebied"]) - {biggest}, "to the new parts"
    assert set(table["telefoon"]) <= set(moved["telefoon"])
    download = at.get("download_button")[0]
    assert "Excel" in download.proto.label
    rows = list(csv.reader(io.StringIO(table.to_csv(sep=";", index=False)), delimiter=";"))
    assert rows[0][:2] == ["naam", "telefoon"]


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
@pytest.mark.skipif(not DOVECOT.exists(), reason="Dovecot (dovecot-imapd) is not installed")
def test_the_planner_reads_the_mailbox_from_the_app(
    project: Path,
    server: tuple[int, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    port, maildir = server
    deliver(maildir, 1, sign_up(1, f"Naam: Ida Imap\nAdres: {HOMES[3]}\nWoonplaats: Geleen\n"
                                   "Leeftijd: 33\nTelefoon: 06 2345 6790\n"))  # fmt: skip
    monkeypatch.setenv("GEO_IMAP_URL", f"imap://{USER}@127.0.0.1:{port}/INBOX")
    monkeypatch.setenv("GEO_IMAP_PASSWORD", PASSWORD)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    accepted = metric(at, "Aangenomen")
    assert "GEO_IMAP_URL" not in texts(at)
    sent = click_and_keep(at, button(at, "mailbox_lezen"))
    assert not at.exception
    assert "1 nieuwe e-mail gelezen" in at.success[0].value
    notes = [info.value for info in at.info]  # as after an upload (markdown-escaped)
    assert any(r"gelezen uit mailbox INBOX\.mbox" in note for note in notes), notes
    assert metric(at, "Aangenomen") == accepted + 1
    assert PASSWORD not in texts(at)
    send_again(at, sent)
    assert metric(at, "Aangenomen") == accepted + 1, "a double click reads nothing twice"
    button(at, "mailbox_lezen").click().run()
    assert "Geen nieuwe e-mails in INBOX" in at.success[0].value
    deliver(maildir, 2, sign_up(2, f"Naam: Ole Ontvangen\nAdres: {HOMES[4]}\n"
                                   "Woonplaats: Geleen\nLeeftijd: 44\nTelefoon: 06 2345 6791\n"))  # fmt: skip
    button(at, "mailbox_lezen").click().run()
    assert "1 nieuwe e-mail gelezen" in at.success[0].value, "only the new message"
    assert metric(at, "Aangenomen") == accepted + 2


def choose_member(at: AppTest, member_id: int) -> None:
    """Choose a member under Deelnemers to correct."""
    box = at.selectbox(key="deelnemer_keuze")
    box.set_value(next(o for o in box.options if o.endswith(f"nr. {member_id})"))).run()


def field(at: AppTest, member_id: int, label: str) -> TextInput:
    return next(t for t in at.text_input if str(t.key) == f"deelnemer_{member_id}_{label}")


def test_a_beheerders_phone_is_corrected_in_place(project: Path) -> None:
    store = Store.open(project)
    try:
        first = store.applicants("accepted").dropna(subset=["area_id"]).iloc[0]
        member_id, area = int(first["id"]), int(first["area_id"])
        store.set_beheerder(area, member_id)
        store.mark_added([member_id])
    finally:
        store.close()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    choose_member(at, member_id)
    assert f"Nu: beheerder van gebied {area}" in texts(at)
    field(at, member_id, "Telefoon").input("06 2999 0001")
    sent = click_and_keep(at, button(at, "deelnemer_controleren"))
    assert not at.exception
    assert f"in gebied {area} gebleven, als beheerder van gebied {area}" in at.success[0].value
    table = next(d.value for d in at.dataframe if "te controleren" in d.value.columns)
    assert "+31629990001" in set(table["telefoon"]), "the new number shows at once"
    assert str(first["telefoon"]) not in set(table["telefoon"])
    send_again(at, sent)
    assert history_count(project, "deelnemer verbeterd") == 1, "saved once"
    after = stored(project, str(first["naam"]))
    assert (after["id"], after["area_id"], after["is_beheerder"]) == (member_id, area, 1)
    store = Store.open(project)
    try:
        assert store.progress().set_index("id").loc[member_id, "stage"] == "toegevoegd"
    finally:
        store.close()


def home_elsewhere(project: Path) -> tuple[int, int, str, int]:
    """A placed member, their area, and a home of the register in another area (and that
    area)."""
    store = Store.open(project)
    try:
        plan = store.plan()
        assert plan is not None
        homes = gpd.GeoDataFrame(REGISTER[["straat", "huisnummer"]], geometry=REGISTER.geometry,
                                 crs=RD).to_crs(4326)  # fmt: skip
        areas = plan.areas["area_id"].to_numpy()[containing_area(homes, plan.areas)]
        first = store.applicants("accepted").dropna(subset=["area_id"]).iloc[0]
        area = int(first["area_id"])
        other = next(i for i, a in enumerate(areas) if int(a) != area)
        store.set_beheerder(area, int(first["id"]))
    finally:
        store.close()
    return int(first["id"]), area, HOMES[other], int(areas[other])


def propose_move(project: Path) -> tuple[AppTest, int, int, str, int]:
    """The app after asking to correct a beheerder's address to one in another area: the app,
    the member, the area, the new street and the target area."""
    member_id, area, home, target = home_elsewhere(project)
    street, number = home.rsplit(" ", 1)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    choose_member(at, member_id)
    field(at, member_id, "Straat").input(street)
    field(at, member_id, "Huisnummer").input(number)
    button(at, "deelnemer_controleren").click().run()
    return at, member_id, area, street, target


def test_an_address_in_another_area_is_a_move_shown_first(project: Path) -> None:
    at, member_id, area, street, target = propose_move(project)
    assert not at.exception
    shown = texts(at)
    assert f"verhuist van gebied {area} naar gebied {target}" in shown
    assert f"gebied {area} heeft daarna geen beheerder" in shown, "the role that ends is said"
    assert history_count(project, "deelnemer verbeterd") == 0, "a proposal saves nothing"
    sent = click_and_keep(at, button(at, "deelnemer_verhuizing_bevestigen"))
    assert not at.exception
    assert f"verhuisd van gebied {area} naar gebied {target}" in at.success[0].value
    send_again(at, sent)
    assert history_count(project, "deelnemer verbeterd") == 1, "moved once"
    store = Store.open(project)
    try:
        people = store.applicants("accepted").set_index("id")
        assert (int(people.loc[member_id, "area_id"]), people.loc[member_id, "straat"]) == (
            target, street,
        )  # fmt: skip
        assert int(people.loc[member_id, "is_beheerder"]) == 0
        assert area in store.status().areas_without_beheerder
        assert bool(store.history().iloc[-1]["undoable"])
    finally:
        store.close()


def test_a_move_can_be_cancelled(project: Path) -> None:
    at, member_id, area, _street, target = propose_move(project)
    assert f"naar gebied {target}" in texts(at)
    at.button(key="deelnemer_verhuizing_annuleren").click().run()
    assert not at.exception
    assert f"naar gebied {target}" not in texts(at)
    assert history_count(project, "deelnemer verbeterd") == 0
    assert int(stored(project, member_id, column="id")["area_id"]) == area


def test_a_bad_correction_is_refused_in_dutch_and_changes_nothing(project: Path) -> None:
    member_id, _, _, _ = home_elsewhere(project)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    choose_member(at, member_id)
    field(at, member_id, "Leeftijd").input("16")
    button(at, "deelnemer_controleren").click().run()
    assert "Niet verbeterd" in at.error[0].value and "minimaal 18 jaar" in at.error[0].value
    field(at, member_id, "Leeftijd").input("18+")
    field(at, member_id, "Straat").input("Nergensweg")
    button(at, "deelnemer_controleren").click().run()
    assert "niet gevonden" in at.error[0].value and "niet gewijzigd" in at.error[0].value
    assert history_count(project, "deelnemer verbeterd") == 0


def test_empty_lists_say_so_in_dutch_not_in_an_empty_table(project: Path) -> None:
    store = Store.open(project)
    try:
        store.clear_rejects()
        accepted = store.applicants("accepted")
        assert (accepted["opmerking"].fillna("").str.strip() == "").all(), "nothing to check"
    finally:
        store.close()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert "Niemand is afgewezen." in captions
    assert not [d for d in at.dataframe if "reden" in d.value.columns], "no empty rejects table"
    at.checkbox(key="alleen_controleren").check().run()
    assert "Geen aanmeldingen te controleren." in [c.value for c in at.caption]
    assert not [d for d in at.dataframe if "te controleren" in d.value.columns]
