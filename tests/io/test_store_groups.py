"""The store from plan to working group: remarks kept, co-beheerders, member progress, launches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.config import Settings
from geo.project import import_applicants, place_members
from geo.sources import Wijk
from geo.store import STAGES, Store, StoreError
from tests.conftest import write_text
from tests.io.test_store import sign_up_sheet, wijk  # noqa: F401  (fixture)


@pytest.fixture
def store(tmp_path: Path, wijk: Wijk) -> Store:  # noqa: F811
    """A placed project of 60 fictitious people on a 4x4 grid, cap 40 (two areas or more)."""
    settings = Settings(cache_dir=tmp_path / "cache", max_members=40)
    made = Store.create(tmp_path / "p.sqlite", wijk, max_members=40, fill=0.8)
    import_applicants(made, sign_up_sheet(tmp_path / "a.csv", 60, seed=3), settings=settings)
    place_members(made, settings=settings)
    return made


def placed(store: Store) -> dict[int, list[int]]:
    members = store.applicants("accepted")
    return {
        int(a): sorted(int(i) for i in group["id"])
        for a, group in members.dropna(subset=["area_id"]).groupby("area_id")
    }


def test_a_landline_remark_and_the_mail_source_are_kept(tmp_path: Path, wijk: Wijk) -> None:  # noqa: F811
    settings = Settings(cache_dir=tmp_path / "cache")
    store = Store.create(tmp_path / "p.sqlite", wijk, max_members=255, fill=0.8)
    people = sign_up_sheet(tmp_path / "a.csv", 2, seed=5).read_text().splitlines()
    header = people[0] + ";Bericht-ID;Afzender"
    mobile = people[1] + ";<a1@mail>;Anna <anna@example.org>"
    landline = people[2].replace(";0620000001;", ";0464000001;") + ";<a2@mail>;Bert"
    sheet = write_text(tmp_path / "b.csv", "\n".join([header, mobile, landline]) + "\n")
    import_applicants(store, sheet, settings=settings)
    rows = store.applicants("accepted").set_index("telefoon")
    assert rows.loc["+31464000001", "opmerking"] != ""
    assert "WhatsApp" in rows.loc["+31464000001", "opmerking"]
    assert rows.loc["+31620000000", "opmerking"] == ""
    assert json.loads(rows.loc["+31620000000", "bron"]) == {
        "bericht_id": "<a1@mail>",
        "afzender": "Anna <anna@example.org>",
    }
    checked = int(rows.loc["+31464000001", "id"])
    store.mark_checked([checked])
    after = store.applicants("accepted").set_index("id")
    assert after.loc[checked, "opmerking"] == ""
    assert json.loads(after.loc[checked, "bron"])["bericht_id"] == "<a2@mail>"


def test_co_beheerders_belong_to_their_area_and_travel_with_undo(store: Store) -> None:
    groups = placed(store)
    area, members = next(iter(groups.items()))
    other_area = next(a for a in groups if a != area)
    assert store.set_co_beheerders(area, members[:2])
    assert store.co_beheerders() == {area: members[:2]}
    entries = len(store.history())
    assert not store.set_co_beheerders(area, members[1::-1]), "the same two: nothing to save"
    assert not store.set_co_beheerders(other_area, []), "none before, none now"
    assert len(store.history()) == entries
    with pytest.raises(StoreError, match=f"zit niet in gebied {area}"):
        store.set_co_beheerders(area, [groups[other_area][0]])
    with pytest.raises(StoreError, match="bestaat niet"):
        store.set_co_beheerders(999, [])
    with pytest.raises(StoreError, match="hoogstens 5 co-beheerders"):
        store.set_co_beheerders(area, members[:6])  # review 56: "Select all" made 180
    store.set_beheerder(area, members[0])  # a co-beheerder promoted is no co-beheerder any more
    assert store.co_beheerders() == {area: members[1:2]}
    store.unset_beheerder(area)
    assert area in store.status().areas_without_beheerder
    store.undo()  # back to hoofdbeheerder members[0]
    assert area not in store.status().areas_without_beheerder
    store.set_co_beheerders(area, [])
    assert store.co_beheerders() == {}
    store.undo()
    assert store.co_beheerders() == {area: members[1:2]}


def test_forgetting_a_co_beheerder_leaves_no_trace_of_the_role(store: Store) -> None:
    area, members = next(iter(placed(store).items()))
    store.set_co_beheerders(area, members[:1])
    phone = store.applicants("accepted").set_index("id").loc[members[0], "telefoon"]
    assert store.forget(str(phone)) == 1
    assert store.co_beheerders() == {}
    logged = [json.loads(d) for d in store.history()["details"]]
    assert all(members[0] not in d.get("applicant_ids", []) for d in logged)


def test_member_progress_runs_through_the_stages_and_follows_the_area(store: Store) -> None:
    groups = placed(store)
    area, members = next(iter(groups.items()))
    progress = store.progress().set_index("id")
    assert set(progress["stage"]) == {STAGES[1]}  # everyone placed, nobody added yet
    assert store.mark_added(members[:3], actor="beheerder") == 3
    store.record_sent(members[0], channel="e-mail", message_id="<m1@test>")
    progress = store.progress().set_index("id")
    assert progress.loc[members[0], "stage"] == "bericht verstuurd"
    assert progress.loc[members[1], "stage"] == "toegevoegd"
    assert progress.loc[members[1], "added_by"] == "beheerder"
    assert progress.loc[members[5], "stage"] == "ingedeeld"
    store.mark_added(members[1:2], added=False)
    assert store.progress().set_index("id").loc[members[1], "stage"] == "ingedeeld"
    with pytest.raises(StoreError, match="onbekend kanaal"):
        store.record_sent(members[2], channel="duif", message_id="x")

    # a member moved to another area by the planner must be added to the new group again
    other = next(a for a in groups if a != area)
    plan = store.plan()
    assert plan is not None
    moved = plan.members["member_id"] == members[2]
    plan.members.loc[moved, "area_id"] = other
    plan.members.loc[moved, "is_beheerder"] = False
    store.save_plan(plan, action="straat verplaatst")
    assert store.progress().set_index("id").loc[members[2], "stage"] == "ingedeeld"


def test_a_group_goes_live_with_a_real_invite_link_only(store: Store) -> None:
    area = next(iter(placed(store)))
    with pytest.raises(StoreError, match="geen WhatsApp-uitnodigingslink"):
        store.launch(area, invite_link="https://example.org/phish")
    store.launch(area, invite_link="https://chat.whatsapp.com/AbC123xyz")
    launched = store.launches()
    assert launched["area_id"].tolist() == [area]
    assert launched["invite_link"].tolist() == ["https://chat.whatsapp.com/AbC123xyz"]
    assert store.history()["action"].iloc[-1] == "groep gestart"


def test_clearing_rejects_removes_only_rejects(tmp_path: Path, store: Store) -> None:
    settings = Settings(cache_dir=tmp_path / "cache", max_members=40)
    bad = write_text(
        tmp_path / "bad.csv",
        "Naam;Straat;Huisnummer;Woonplaats;Leeftijd;Telefoon\nKind Jansen;A;1;Geleen;12;0611111111\n",
    )
    import_applicants(store, bad, settings=settings)
    accepted = len(store.applicants("accepted"))
    assert len(store.applicants("rejected")) == 1
    assert store.clear_rejects() == 1
    assert store.applicants("rejected").empty
    assert len(store.applicants("accepted")) == accepted
    raw = store.path.read_bytes()
    assert b"Kind Jansen" not in raw
