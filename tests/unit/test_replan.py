"""Re-plans as proposals: new areas matched to the old ones by members, locked areas kept."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geo.partition import Plan, make_plan, split_area, unique_names
from geo.replan import diff, match_areas, reconcile
from tests.grids import grid_boundary, grid_streets, members_along

CAP = 100


@pytest.fixture(scope="module")
def wijk() -> tuple[object, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    streets = grid_streets(6, 4)
    members = members_along(streets, 300, seed=7)
    return grid_boundary(6, 4), streets, members


def planned(boundary: object, streets: gpd.GeoDataFrame, people: gpd.GeoDataFrame,
            cap: int = CAP) -> Plan:  # fmt: skip
    """A plan whose members carry their store id (as the project gives them)."""
    plan = make_plan(boundary, streets, people.drop(columns="id"), max_members=cap, fill=0.8)
    by_phone = dict(zip(people["telefoon"], people["id"], strict=True))
    plan.members["member_id"] = plan.members["telefoon"].map(by_phone).astype(int)
    plan.outside = plan.outside.assign(member_id=plan.outside["telefoon"].map(by_phone))
    return plan


@pytest.fixture(scope="module")
def people(wijk: tuple[object, gpd.GeoDataFrame, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    members = wijk[2]
    return members.assign(id=range(1001, 1001 + len(members)))


@pytest.fixture(scope="module")
def current(wijk: tuple[object, gpd.GeoDataFrame, gpd.GeoDataFrame],
            people: gpd.GeoDataFrame) -> Plan:  # fmt: skip
    """The plan as the project has it: other ids, the planner's names and a hand-picked beheerder."""
    boundary, streets, _ = wijk
    plan = planned(boundary, streets, people)
    renumber = {a: 10 + 3 * n for n, a in enumerate(sorted(plan.areas["area_id"]))}
    areas = plan.areas.assign(area_id=plan.areas["area_id"].map(renumber))
    areas["name"] = [f"Groep {a}" for a in areas["area_id"]]
    members = plan.members.assign(area_id=plan.members["area_id"].map(renumber))
    area = int(areas["area_id"].iloc[0])
    in_area = members["area_id"] == area
    other = members.loc[in_area & ~members["is_beheerder"]].index[0]
    members.loc[in_area, "is_beheerder"] = False
    members.loc[other, "is_beheerder"] = True  # not a volunteer, chosen by hand
    return Plan(areas=areas, members=members, outside=plan.outside)


def test_areas_are_matched_by_the_most_shared_members() -> None:
    old = pd.Series({1: 5, 2: 5, 3: 5, 4: 7, 5: 7, 6: 9})
    new = pd.Series({1: 0, 2: 0, 3: 1, 4: 1, 5: 1, 6: 2, 7: 2})
    assert match_areas(old, new) == {0: 5, 1: 7, 2: 9}
    assert match_areas(old, pd.Series({8: 0})) == {}, "nobody in common: nothing matched"
    # one old area cut in two: only the bigger half keeps it
    assert match_areas(pd.Series({1: 4, 2: 4, 3: 4}), pd.Series({1: 0, 2: 1, 3: 1})) == {1: 4}


def test_a_replan_without_new_sign_ups_changes_nothing(
    wijk: tuple[object, gpd.GeoDataFrame, gpd.GeoDataFrame],
    people: gpd.GeoDataFrame,
    current: Plan,
) -> None:
    boundary, streets, _ = wijk
    fresh = planned(boundary, streets, people)
    proposed = reconcile(current, fresh, max_members=CAP)
    changes = diff(current, proposed)
    assert changes.empty, changes
    assert list(proposed.areas["area_id"]) == list(current.areas["area_id"])
    assert list(proposed.areas["name"]) == list(current.areas["name"]), "names kept"
    keyed = proposed.members.set_index("member_id")
    before = current.members.set_index("member_id")
    assert (keyed.loc[before.index, "area_id"] == before["area_id"]).all()
    assert (keyed.loc[before.index, "is_beheerder"] == before["is_beheerder"]).all(), (
        "the hand-picked beheerder stays"
    )


def test_a_name_numbered_in_another_plan_is_numbered_anew_never_twice() -> None:
    """A re-plan keeps "Kerkstraat e.o. (2)" for a matched group; the fresh plan's own
    "Kerkstraat e.o. (2)" for a new group must not become "Kerkstraat e.o. (2) (2)"."""
    names = unique_names(
        [1, 5, 6, 7],
        ["Kerkstraat e.o.", "Kerkstraat e.o. (2)", "Kerkstraat e.o. (3)", "Markt e.o."],
        keep={1: "Kerkstraat e.o.", 2: "unused", 5: ""},
    )
    assert names == ["Kerkstraat e.o.", "Kerkstraat e.o. (2)", "Kerkstraat e.o. (3)", "Markt e.o."]
    # The matched group keeps its "(2)"; the new one had "(2)" in the fresh plan too.
    again = unique_names(
        [3, 4], ["Kerkstraat e.o. (2)", "Kerkstraat e.o. (2)"], keep={3: "Kerkstraat e.o. (2)"}
    )
    assert again == ["Kerkstraat e.o. (2)", "Kerkstraat e.o."]
    assert not any(") (" in name for name in [*names, *again])


def test_a_lower_cap_lists_the_moves_and_new_areas_get_new_ids_and_names(
    wijk: tuple[object, gpd.GeoDataFrame, gpd.GeoDataFrame],
    people: gpd.GeoDataFrame,
    current: Plan,
) -> None:
    boundary, streets, _ = wijk
    fresh = planned(boundary, streets, people, cap=60)
    proposed = reconcile(current, fresh, max_members=60)
    changes = diff(current, proposed)
    assert len(proposed.areas) > len(current.areas)
    assert (proposed.areas["members"] <= 60).all()
    old_ids = set(current.areas["area_id"])
    assert old_ids <= set(proposed.areas["area_id"]), "every old group lives on in its best match"
    assert set(changes.new["area_id"]) == set(proposed.areas["area_id"]) - old_ids
    assert min(changes.new["area_id"]) > max(old_ids), "new groups never reuse a number"
    assert proposed.areas["name"].is_unique
    assert not proposed.areas["name"].str.contains(r"\) \(").any(), "a name numbered twice"
    kept = proposed.areas.set_index("area_id").loc[sorted(old_ids), "name"]
    assert list(kept) == [f"Groep {a}" for a in sorted(old_ids)]
    old = current.members.set_index("member_id")["area_id"]
    new = proposed.members.set_index("member_id")["area_id"]
    moved = set(old.index[old != new.loc[old.index]])
    assert set(changes.moves["member_id"]) == moved and moved
    row = changes.moves.iloc[0]
    assert row["from_name"] == f"Groep {row['from_area']}"
    assert changes.gone.empty
    with_beheerder = set(proposed.members.loc[proposed.members["is_beheerder"], "area_id"])
    assert proposed.members.groupby("area_id")["is_beheerder"].sum().max() == 1
    assert set(proposed.areas.loc[~proposed.areas["beheerder_needed"], "area_id"]) == (
        with_beheerder
    )


def test_a_locked_area_keeps_its_land_and_members(
    wijk: tuple[object, gpd.GeoDataFrame, gpd.GeoDataFrame],
    people: gpd.GeoDataFrame,
    current: Plan,
) -> None:
    boundary, streets, _ = wijk
    locked = int(current.areas["area_id"].iloc[1])
    polygon = current.areas.set_index("area_id").geometry[locked]
    rest = people.loc[
        ~people["id"].isin(current.members.loc[current.members["area_id"] == locked, "member_id"])
    ]
    fresh = planned(boundary.difference(polygon), streets, rest, cap=60)
    proposed = reconcile(current, fresh, locked={locked}, max_members=60)
    changes = diff(current, proposed)
    areas = proposed.areas.set_index("area_id")
    assert areas.geometry[locked].equals(polygon)
    assert areas.loc[locked, "name"] == f"Groep {locked}"
    before = set(current.members.loc[current.members["area_id"] == locked, "member_id"])
    after = set(proposed.members.loc[proposed.members["area_id"] == locked, "member_id"])
    assert before == after
    assert locked not in set(changes.moves["from_area"]) | set(changes.moves["to_area"])
    assert not changes.empty, "the rest was re-planned with the lower cap"
    assert proposed.areas["name"].is_unique
    # The fresh plan's figures count only the rest, under its own numbers: not the proposal's.
    assert fresh.metrics["areas"] == len(fresh.areas)
    assert proposed.metrics == {}


def test_a_split_gives_every_part_its_own_name(
    wijk: tuple[object, gpd.GeoDataFrame, gpd.GeoDataFrame], current: Plan
) -> None:
    _, streets, _ = wijk
    area = int(current.areas["area_id"].iloc[0])
    updated, parts = split_area(current, area, streets=streets, max_members=CAP, fill=0.5)
    assert len(parts) >= 2
    assert updated.areas["name"].is_unique, list(updated.areas["name"])
    assert updated.areas.set_index("area_id").loc[area, "name"] == f"Groep {area}"
