"""Re-plans on a project: a proposal saved only when confirmed, locked areas, undo."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from geo.config import Settings
from geo.project import (
    confirm_replan,
    import_applicants,
    place_members,
    propose_replan,
    split_area_in_project,
)
from geo.sources import Wijk
from geo.store import MIGRATIONS, Store, StoreError
from tests.io.test_store import sign_up_sheet, wijk  # noqa: F401 - the fixture

CAP = 100


def project(tmp_path: Path, grid: Wijk) -> tuple[Store, Settings]:
    settings = Settings(cache_dir=tmp_path / "cache", max_members=CAP)
    store = Store.create(tmp_path / "p.sqlite", grid, max_members=CAP, fill=0.8)
    import_applicants(store, sign_up_sheet(tmp_path / "a.csv", 180, seed=1), settings=settings)
    place_members(store, settings=settings)
    return store, settings


def state(store: Store) -> tuple[list[tuple[int, str]], dict[int, tuple[int, bool]], int]:
    """Areas (id, name), each member's area and role, and the cap."""
    plan = store.plan()
    assert plan is not None
    areas = list(zip(plan.areas["area_id"], plan.areas["name"], strict=True))
    members = {
        int(m): (int(a), bool(b))
        for m, a, b in zip(
            plan.members["member_id"], plan.members["area_id"], plan.members["is_beheerder"],
            strict=True,
        )
    }  # fmt: skip
    return areas, members, store.max_members


def test_a_proposal_saves_nothing_and_the_same_settings_change_nothing(
    tmp_path: Path,
    wijk: Wijk,  # noqa: F811
) -> None:
    store, settings = project(tmp_path, wijk)
    before, entries = state(store), store.last_change()
    proposal = propose_replan(store, settings=settings)
    assert proposal.changes.empty
    assert store.last_change() == entries, "a proposal writes nothing"
    lower = propose_replan(store, settings=Settings(cache_dir=settings.cache_dir, max_members=60))
    assert len(lower.changes.moves) and len(lower.changes.new)
    assert state(store) == before and store.last_change() == entries
    confirm_replan(store, proposal)
    assert state(store) == before, "confirming an empty proposal keeps every group"
    with pytest.raises(StoreError, match="gewijzigd sinds dit voorstel"):
        confirm_replan(store, lower)  # made before the last change
    assert state(store) == before


def test_undo_steps_back_one_change_at_a_time_and_a_redo_is_the_undo_of_an_undo(
    tmp_path: Path,
    wijk: Wijk,  # noqa: F811
) -> None:
    store, settings = project(tmp_path, wijk)
    before = state(store)
    lower = Settings(cache_dir=settings.cache_dir, max_members=60)
    confirm_replan(store, propose_replan(store, settings=lower))
    after = state(store)
    assert after != before and after[2] == 60
    history = store.history()
    replanned = int(history["id"].iloc[-1])
    assert history["undoable"].iloc[-1] and history["action"].iloc[-1] == "opnieuw ingedeeld"
    assert store.undo() == replanned
    assert state(store) == before, "areas, names, members, beheerders and cap are back"
    last = store.history().iloc[-1]
    assert last["action"] == "teruggezet"
    assert json.loads(last["details"]) == {"before": replanned, "undone": "opnieuw ingedeeld"}
    first_plan = store.step_back()
    assert store.history().set_index("id").at[first_plan, "action"] == "eerste plan"
    store.undo(int(last["id"]))  # the redo
    assert state(store) == after
    assert store.step_back() == replanned, "after a redo, undo takes the change back again"
    store.undo()
    assert state(store) == before

    store.undo()  # one step further back: before the first plan, everyone waits
    assert store.plan() is None and store.status().unplaced == len(before[1])
    with pytest.raises(StoreError, match="geen wijziging"):
        store.undo()  # nothing further back
    preview = place_members(store, settings=settings, save=False)
    assert preview.placed == len(before[1]) and store.plan() is None, "a preview saves nothing"
    assert place_members(store, settings=settings) == preview
    assert state(store) == before, "placed again, the same first plan"
    with pytest.raises(StoreError, match="kan niet ongedaan"):
        store.undo(int(store.history()["id"].iloc[0]))  # "aangemaakt" changed no plan


def test_undoing_a_placement_leaves_its_newcomers_waiting_and_nobody_comes_back(
    tmp_path: Path,
    wijk: Wijk,  # noqa: F811
) -> None:
    store, settings = project(tmp_path, wijk)
    area = int(store.plan().areas["area_id"].iloc[0])  # type: ignore[union-attr]
    split_area_in_project(store, area, settings=settings)
    split = int(store.history()["id"].iloc[-1])
    after_split = state(store)
    sheet = sign_up_sheet(tmp_path / "b.csv", 150, seed=2, first_phone=500)
    import_applicants(store, sheet, settings=settings)
    placed = place_members(store, settings=settings)
    assert placed.split, "the newcomers filled an area: it was split, members moved"
    gone = store.applicants("accepted").iloc[0]
    store.forget(str(gone["telefoon"]))

    store.undo()  # the placement: its newcomers are not placed again
    assert state(store)[0] == after_split[0], "the areas before the placement are back"
    waiting = store.status().unplaced
    assert waiting == placed.placed
    assert store.step_back() == split, "a second undo goes to the change before"
    store.undo()
    accepted = store.applicants("accepted")
    assert int(gone["id"]) not in set(accepted["id"])
    assert store.status().unplaced == waiting, "people who came after the change wait"
    raw = [row[0] for row in store._db.execute("SELECT plan FROM snapshots")]
    assert all(int(gone["id"]) not in {a[0] for a in json.loads(t)["assignments"]} for t in raw)


def test_a_locked_area_survives_a_replan_and_a_split_locks_its_parts(
    tmp_path: Path,
    wijk: Wijk,  # noqa: F811
) -> None:
    store, settings = project(tmp_path, wijk)
    plan = store.plan()
    assert plan is not None
    locked = int(plan.areas["area_id"].iloc[0])
    store.set_locked([locked])
    assert store.locked_areas() == {locked}
    assert store.history()["action"].iloc[-1] == "gebieden vastgezet"
    members = set(plan.members.loc[plan.members["area_id"] == locked, "member_id"])
    lower = Settings(cache_dir=settings.cache_dir, max_members=60)
    proposal = propose_replan(store, settings=lower)
    moves = proposal.changes.moves
    assert not moves.empty and locked not in set(moves["from_area"]) | set(moves["to_area"])
    confirm_replan(store, proposal)
    after = store.plan()
    assert after is not None
    assert set(after.members.loc[after.members["area_id"] == locked, "member_id"]) == members
    assert after.areas.set_index("area_id")["locked"].to_dict()[locked]
    assert store.locked_areas() == {locked}
    assert after.areas["name"].is_unique
    store.set_locked([locked], locked=False)
    assert store.locked_areas() == set()
    other = int(after.areas.loc[after.areas["members"].idxmax(), "area_id"])
    parts, _ = split_area_in_project(store, other, settings=lower)
    assert store.locked_areas() == set(parts), "a split is kept until the planner unlocks it"
    with pytest.raises(StoreError, match="bestaat niet"):
        store.set_locked([999])


def test_a_schema_2_project_gains_locks_and_undo(tmp_path: Path, wijk: Wijk) -> None:  # noqa: F811
    store, _ = project(tmp_path, wijk)
    store._db.executescript(
        "DROP TABLE snapshots; ALTER TABLE areas DROP COLUMN locked; DROP TABLE sign_proposals;"
        "ALTER TABLE sign_decisions DROP COLUMN actor; DROP TABLE co_beheerders;"
        "DROP TABLE progress; DROP TABLE launches; ALTER TABLE applicants DROP COLUMN opmerking;"
        "ALTER TABLE applicants DROP COLUMN bron; PRAGMA user_version = 2;"
    )
    store.close()
    store = Store.open(tmp_path / "p.sqlite")
    assert store.schema_version == len(MIGRATIONS) and store.locked_areas() == set()
    assert not store.history()["undoable"].any(), "changes from before have no kept plan"
    with pytest.raises(StoreError, match="geen wijziging"):
        store.undo()
    assert isinstance(store.history(), pd.DataFrame)


def test_the_planners_proposal_is_kept_apart_from_the_municipalitys_decision(
    tmp_path: Path,
    wijk: Wijk,  # noqa: F811
) -> None:
    """Each sign has the planner's proposal and the gemeente's decision, each with who/when."""
    store, _ = project(tmp_path, wijk)
    store.propose_sign("5.1,52.0", "proposed", "zichtbaar vanaf de rotonde")
    store.decide_sign("5.1,52.0", "rejected", "te dicht bij de school")
    proposal = store.sign_proposals().set_index("sign_key").loc["5.1,52.0"]
    decision = store.sign_decisions().set_index("sign_key").loc["5.1,52.0"]
    assert (proposal["proposal"], proposal["actor"]) == ("proposed", "planner")
    assert (decision["decision"], decision["actor"]) == ("rejected", "gemeente")
    assert proposal["note"] != decision["note"] and proposal["proposed"] and decision["decided"]
    store.propose_sign("5.1,52.0", "withdrawn")
    assert store.sign_decisions().set_index("sign_key").loc["5.1,52.0", "decision"] == "rejected"
    actions = list(store.history()["action"])
    assert actions.count("bord voorgesteld") == 2 and actions.count("bord beoordeeld") == 1


def test_co_beheerders_a_split_moves_keep_their_role_in_their_new_area(
    tmp_path: Path,
    wijk: Wijk,  # noqa: F811
) -> None:
    store, settings = project(tmp_path, wijk)
    plan = store.plan()
    assert plan is not None
    area = int(plan.areas.loc[plan.areas["members"].idxmax(), "area_id"])
    mine = plan.members.loc[(plan.members["area_id"] == area) & ~plan.members["is_beheerder"]]
    across = mine.iloc[mine.geometry.x.argsort()]["member_id"].astype(int).tolist()
    helpers = sorted(across[round(k * (len(across) - 1) / 4)] for k in range(5))  # west to east
    store.set_co_beheerders(area, helpers)
    _, went = split_area_in_project(store, area, settings=settings)
    after = store.plan()
    assert after is not None
    where = after.members.set_index("member_id")
    moved = [
        i for i in helpers if where.at[i, "area_id"] != area and not where.at[i, "is_beheerder"]
    ]
    assert moved, "the split took some of them to the new area"
    roles = {i: a for a, ids in store.co_beheerders().items() for i in ids}
    for helper in helpers:
        if where.at[helper, "is_beheerder"]:
            assert helper not in roles, "a new area's hoofdbeheerder has that role instead"
        else:
            assert roles[helper] == where.at[helper, "area_id"], "the role went along"
    details = json.loads(store.history()["details"].iloc[-1])
    assert details["co_beheerders_verhuisd"] == moved
    assert went == len(moved), "the planner is told as many as went along"
    phone = store.applicants("accepted").set_index("id").at[moved[0], "telefoon"]
    store.forget(str(phone))
    # A role an older version ended (its row left, hidden) does not come back at a later save.
    ended = int(after.members.loc[after.members["area_id"] != area, "member_id"].iloc[-1])
    store._db.execute("INSERT OR REPLACE INTO co_beheerders VALUES (?, ?)", (ended, 999))
    sheet = sign_up_sheet(tmp_path / "b.csv", 2, seed=4, first_phone=700)
    import_applicants(store, sheet, settings=settings)
    assert place_members(store, settings=settings).co_beheerders_moved == 0
    assert ended not in {i for ids in store.co_beheerders().values() for i in ids}
    assert (
        store._db.execute("SELECT 1 FROM co_beheerders WHERE applicant_id = ?", (ended,)).fetchone()
        is None
    )
    logged = [json.loads(d) for d in store.history()["details"]]
    assert all(moved[0] not in d.get("co_beheerders_verhuisd", []) for d in logged)


def test_an_area_named_by_the_planner_keeps_its_name_through_plan_changes(
    tmp_path: Path,
    wijk: Wijk,  # noqa: F811
) -> None:
    store, settings = project(tmp_path, wijk)
    plan = store.plan()
    assert plan is not None
    first, second = (int(a) for a in plan.areas["area_id"].iloc[:2])
    assert store.rename_area(first, "  Kerk buurt ")
    assert not store.rename_area(first, "Kerk buurt"), "the same name: nothing to save"
    assert store.history()["action"].iloc[-1] == "gebied hernoemd"
    for bad, why in (("", "naam nodig"), ("x" * 61, "hoogstens 60"), ("kerk BUURT", "heet al")):
        with pytest.raises(StoreError, match=why):
            store.rename_area(second, bad)
    with pytest.raises(StoreError, match="bestaat niet"):
        store.rename_area(999, "Elders")
    sheet = sign_up_sheet(tmp_path / "b.csv", 150, seed=2, first_phone=500)
    import_applicants(store, sheet, settings=settings)
    assert place_members(store, settings=settings).placed
    names = dict(state(store)[0])
    assert names[first] == "Kerk buurt", "new sign-ups and splits keep the planner's name"
    store.undo(int(store.history().query("action == 'gebied hernoemd'")["id"].iloc[0]))
    assert dict(state(store)[0])[first] != "Kerk buurt", "undo gives the old name back"


def test_herstellen_redoes_each_undone_change_in_turn(
    tmp_path: Path,
    wijk: Wijk,  # noqa: F811
) -> None:
    store, _ = project(tmp_path, wijk)
    area = int(store.plan().areas["area_id"].iloc[0])  # type: ignore[union-attr]

    def name() -> str:
        return dict(state(store)[0])[area]

    first = name()
    store.rename_area(area, "Een")
    store.rename_area(area, "Twee")
    assert store.step_forward() is None, "nothing undone: nothing to redo"
    store.undo()
    store.undo()
    assert name() == first
    store.undo(store.step_forward())
    assert name() == "Een", "the last undo taken back first"
    store.undo(store.step_forward())
    assert name() == "Twee", "then the one before it (review 55: the button stopped)"
    assert store.step_forward() is None
    store.undo()
    store.rename_area(area, "Drie")
    assert store.step_forward() is None, "a new change after an undo ends the redos"


def test_a_co_beheerder_made_hoofdbeheerder_elsewhere_is_not_counted_as_moved(
    tmp_path: Path,
    wijk: Wijk,  # noqa: F811
) -> None:
    store, _ = project(tmp_path, wijk)
    plan = store.plan()
    assert plan is not None
    members = plan.members
    area, other = (int(a) for a in plan.areas["area_id"].iloc[:2])
    mine = members.loc[(members["area_id"] == area) & ~members["is_beheerder"], "member_id"]
    promoted, moved = (int(i) for i in mine.iloc[:2])
    store.set_co_beheerders(area, [promoted, moved])
    changed = members.copy()
    at = changed.set_index("member_id").index
    changed.loc[at.get_indexer([promoted, moved]), "area_id"] = other
    changed.loc[changed["area_id"] == other, "is_beheerder"] = False
    changed.loc[at.get_indexer([promoted]), "is_beheerder"] = True
    later = type(plan)(plan.areas, changed, plan.outside)
    assert store.co_beheerders_moving(later) == [moved], "review 55: 30 told, 29 stayed"
