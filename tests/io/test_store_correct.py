"""Correcting an accepted member in place (issue 13): same id, area, role and progress; a new
address elsewhere is a move that must be confirmed; the intake's rules still hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from geo.config import Settings
from geo.project import propose_correction
from geo.store import Store, StoreError
from tests.io.test_store import wijk  # noqa: F401  (fixture)
from tests.io.test_store_groups import store  # noqa: F401  (fixture)


def member(store: Store, applicant_id: int) -> dict[str, Any]:  # noqa: F811
    people = store.applicants("accepted").set_index("id")
    return {"id": applicant_id, **{str(k): v for k, v in people.loc[applicant_id].items()}}


def two_areas(store: Store) -> tuple[int, int, int, int]:  # noqa: F811
    """A member of one area and a member of another: (mover, area, neighbour, other area)."""
    placed = store.applicants("accepted").dropna(subset=["area_id"])
    areas = sorted(int(a) for a in placed["area_id"].unique())
    assert len(areas) >= 2, "the fixture has two areas or more"
    first = placed.loc[placed["area_id"] == areas[0]].iloc[0]
    second = placed.loc[placed["area_id"] == areas[1]].iloc[-1]
    return int(first["id"]), areas[0], int(second["id"]), areas[1]


def address_of(store: Store, applicant_id: int) -> tuple[dict[str, str], tuple[float, float]]:  # noqa: F811
    row = member(store, applicant_id)
    cells = {"Straat": str(row["straat"]), "Huisnummer": str(int(float(str(row["huisnummer"])))),
             "Woonplaats": str(row["woonplaats"])}  # fmt: skip
    return cells, (float(str(row["lat"])), float(str(row["lon"])))


def test_a_beheerders_phone_is_corrected_in_place(store: Store) -> None:  # noqa: F811
    mover, area, _, _ = two_areas(store)
    store.set_beheerder(area, mover)
    store.mark_added([mover])
    store.record_sent(mover, channel="whatsapp", message_id="m-1")
    entries = len(store.history())
    done = store.correct_applicant(mover, {"Telefoon": "06 2987 6543"}, by="planner")
    after = member(store, mover)
    assert after["telefoon"] == "+31629876543"
    assert (int(after["area_id"]), int(after["is_beheerder"])) == (area, 1), "role kept"
    progress = store.progress().set_index("id")
    assert progress.loc[mover, "stage"] == "bericht verstuurd", "progress kept"
    assert progress.loc[mover, "added"] is not None
    assert done.changed == ("telefoon",) and not done.moves
    history = store.history()
    assert len(history) == entries + 1
    last = history.iloc[-1]
    assert last["action"] == "deelnemer verbeterd"
    details = json.loads(str(last["details"]))
    assert details == {"applicant_id": mover, "gegevens": ["telefoon"], "gecontroleerd": False}
    assert "29876543" not in str(last["details"]), "no personal data in the history"
    assert not bool(last["undoable"]), "the plan did not change"
    assert store.status().areas_without_beheerder.count(area) == 0


def test_a_co_beheerder_keeps_the_role_when_the_name_is_corrected(store: Store) -> None:  # noqa: F811
    mover, area, _, _ = two_areas(store)
    store.set_co_beheerders(area, [mover])
    done = store.correct_applicant(mover, {"Naam": "Fenna  Verbeterd "}, by="planner")
    assert member(store, mover)["naam"] == "Fenna Verbeterd"
    assert store.co_beheerders()[area] == [mover]
    assert done.role == "co-beheerder" and done.changed == ("naam",)


def test_the_intake_rules_still_hold(store: Store) -> None:  # noqa: F811
    mover, _, other, _ = two_areas(store)
    before = member(store, mover)
    entries = len(store.history())
    with pytest.raises(StoreError, match="minimaal 18 jaar"):
        store.correct_applicant(mover, {"Leeftijd": "16"})
    with pytest.raises(StoreError, match="'0612' is geen geldig nummer"):
        store.correct_applicant(mover, {"Telefoon": "0612"})
    with pytest.raises(StoreError, match="servicenummer"):
        store.correct_applicant(mover, {"Telefoon": "0800 1234"})
    with pytest.raises(StoreError, match="staat al bij een andere aanmelding"):
        store.correct_applicant(mover, {"Telefoon": str(member(store, other)["telefoon"])})
    with pytest.raises(StoreError, match="naam ontbreekt"):
        store.correct_applicant(mover, {"Naam": " "})
    with pytest.raises(StoreError, match="aanmelding 99999 bestaat niet"):
        store.correct_applicant(99999, {"Naam": "Niemand"})
    assert member(store, mover) == before, "refused: nothing changed"
    assert len(store.history()) == entries
    done = store.correct_applicant(mover, {"Telefoon": "046-4000001", "Postcode": "6161aa",
                                           "Straat": str(before["straat"]),
                                           "Huisnummer": "7"}, location=(float(str(before["lat"])),
                                                                         float(str(before["lon"]))))  # fmt: skip
    after = member(store, mover)
    assert (after["postcode"], after["huisnummer"]) == ("6161 AA", 7), "normalised as at intake"
    assert "WhatsApp" in str(after["opmerking"]), "a landline is noted to check"
    assert done.address_changed and not done.moves


def test_a_move_to_another_area_is_confirmed_ends_the_role_and_can_be_undone(
    store: Store,  # noqa: F811
) -> None:
    mover, area, neighbour, other = two_areas(store)
    store.set_beheerder(area, mover)
    store.mark_added([mover])
    cells, location = address_of(store, neighbour)
    preview = store.preview_correction(mover, cells, location=location)
    assert (preview.area_before, preview.area_after, preview.role) == (area, other, "beheerder")
    assert preview.moves
    with pytest.raises(StoreError, match=f"verhuist van gebied {area} naar gebied {other}"):
        store.correct_applicant(mover, cells, location=location)
    with pytest.raises(StoreError, match="zoek eerst het nieuwe adres op"):
        store.correct_applicant(mover, cells)
    assert int(member(store, mover)["area_id"]) == area, "not confirmed: nothing changed"
    store.correct_applicant(mover, cells, location=location, move_to=other)
    after = member(store, mover)
    assert (int(after["id"]), int(after["area_id"]), int(after["is_beheerder"])) == (
        mover, other, 0,
    )  # fmt: skip
    assert area in store.status().areas_without_beheerder, "area A is told it has no beheerder"
    assert store.progress().set_index("id").loc[mover, "stage"] == "ingedeeld", (
        "added to the old group, not yet to the new one"
    )
    last = store.history().iloc[-1]
    assert bool(last["undoable"])
    details = json.loads(str(last["details"]))
    assert (details["area_id"], details["to_area"], details["rol_beeindigd"]) == (
        area, other, "beheerder",
    )  # fmt: skip
    store.undo()
    back = member(store, mover)
    assert (int(back["area_id"]), int(back["is_beheerder"])) == (area, 1), "undo restores"
    assert area not in store.status().areas_without_beheerder
    assert store.progress().set_index("id").loc[mover, "stage"] == "toegevoegd"


def test_a_co_beheerder_who_moves_leaves_one_co_beheerder_fewer(store: Store) -> None:  # noqa: F811
    mover, area, neighbour, other = two_areas(store)
    stays = int(
        store.applicants("accepted").query("area_id == @area and id != @mover").iloc[0]["id"]
    )
    store.set_co_beheerders(area, [mover, stays])
    cells, location = address_of(store, neighbour)
    preview = store.preview_correction(mover, cells, location=location)
    assert (preview.role, preview.co_left) == ("co-beheerder", 1)
    store.correct_applicant(mover, cells, location=location, move_to=other)
    assert store.co_beheerders()[area] == [stays]


def test_a_move_into_a_full_area_is_refused(store: Store) -> None:  # noqa: F811
    mover, area, neighbour, other = two_areas(store)
    full = int((store.applicants("accepted")["area_id"] == other).sum())
    store._db.execute("UPDATE meta SET value = ? WHERE key = 'max_members'", (str(full),))
    cells, location = address_of(store, neighbour)
    with pytest.raises(StoreError, match=f"gebied {other}: daar zijn al {full} leden"):
        store.correct_applicant(mover, cells, location=location, move_to=other)
    assert int(member(store, mover)["area_id"]) == area


def test_a_move_into_an_area_of_one_reads_in_the_singular(store: Store) -> None:  # noqa: F811
    mover, area, neighbour, other = two_areas(store)
    store._db.execute(
        "DELETE FROM assignments WHERE area_id = ? AND applicant_id != ?", (other, neighbour)
    )
    store._db.execute("UPDATE meta SET value = '1' WHERE key = 'max_members'")
    cells, location = address_of(store, neighbour)
    with pytest.raises(StoreError, match=f"gebied {other}: daar is al 1 lid en het maximum is 1"):
        store.correct_applicant(mover, cells, location=location, move_to=other)
    assert int(member(store, mover)["area_id"]) == area


def test_an_address_outside_the_wijk_is_refused(store: Store) -> None:  # noqa: F811
    mover, area, neighbour, _ = two_areas(store)
    cells, _ = address_of(store, neighbour)
    with pytest.raises(StoreError, match="buiten de wijk"):
        store.preview_correction(mover, cells, location=(0.0, 0.0))
    assert int(member(store, mover)["area_id"]) == area


def test_an_address_that_is_not_found_keeps_the_old_data(tmp_path: Path, store: Store) -> None:  # noqa: F811
    mover, _, _, _ = two_areas(store)
    before = member(store, mover)
    settings = Settings(cache_dir=tmp_path / "cache")
    with pytest.raises(
        StoreError, match=r"adres is niet gevonden .*; de gegevens zijn niet gewijzigd"
    ):
        propose_correction(store, mover, {"Straat": "Nergensweg", "Huisnummer": "1",
                                          "Woonplaats": "Geleen"}, settings=settings)  # fmt: skip
    same = propose_correction(store, mover, {"Naam": "Nieuwe Naam"}, settings=settings)
    assert not same.address_changed and same.area_after == same.area_before
    assert member(store, mover) == before, "a proposal saves nothing"


def test_checked_clears_the_remark_and_the_kept_message_only_when_asked(store: Store) -> None:  # noqa: F811
    mover, _, _, _ = two_areas(store)
    source = json.dumps({"afzender": "x@example.org", "bericht": "Ik doe mee."})
    store._db.execute(
        "UPDATE applicants SET opmerking = 'controleren: naam?', bron = ? WHERE id = ?",
        (source, mover),
    )
    store.correct_applicant(mover, {"Naam": "Anna Aangepast"})
    kept = member(store, mover)
    assert kept["opmerking"] == "controleren: naam?"
    assert json.loads(str(kept["bron"]))["bericht"] == "Ik doe mee."
    store.correct_applicant(mover, {"Naam": "Anna Aangepast", "opmerking": "controleren: adres?"})
    assert member(store, mover)["opmerking"] == "controleren: adres?", "the planner's own remark"
    store.correct_applicant(mover, {"E-mail": "anna@example.org"}, checked=True)
    checked = member(store, mover)
    assert checked["opmerking"] == "" and checked["email"] == "anna@example.org"
    assert json.loads(str(checked["bron"])) == {"afzender": "x@example.org"}
    assert json.loads(str(store.history().iloc[-1]["details"]))["gecontroleerd"] is True
