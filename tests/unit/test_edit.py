"""Moving a street between areas by hand: every rule is checked before anything changes."""

from __future__ import annotations

import re

import pytest
import shapely

from geo.edit import move_street
from geo.partition import Plan, PlanError, make_plan
from tests.grids import grid_boundary, grid_streets, members_along

STREETS = grid_streets(6, 6)
BOUNDARY = grid_boundary(6, 6)
PLAN = make_plan(BOUNDARY, STREETS, members_along(STREETS, 800, seed=5), max_members=255)


def stretches(plan: Plan) -> list[tuple[int, str, tuple[int, int], int]]:
    """(area, street, house-number range in that area, neighbouring area) for every pair."""
    found = []
    for (area, street), group in plan.members.groupby(["area_id", "straat"]):
        numbers = (int(group["huisnummer"].min()), int(group["huisnummer"].max()))
        neighbours = str(plan.areas.set_index("area_id").loc[area, "neighbours"]).split(",")
        found += [(int(area), str(street), numbers, int(n)) for n in neighbours if n]
    return found


def test_accepted_moves_keep_every_rule_and_refused_ones_say_why() -> None:
    accepted = refused = 0
    for area, street, numbers, target in stretches(PLAN):
        try:
            plan, moved = move_street(
                PLAN, street=street, to_area=target, streets=STREETS, numbers=numbers
            )
        except PlanError as error:
            refused += 1
            assert "gebied" in str(error)
            continue
        accepted += 1
        assert moved >= 1
        assert (plan.areas["members"] <= 255).all()
        assert (plan.areas.geom_type == "Polygon").all(), "both areas stay one piece"
        union = shapely.union_all(plan.areas.geometry.to_numpy())
        assert union.symmetric_difference(BOUNDARY).area < 1.0, "the areas still tile the wijk"
        assert plan.areas.area.sum() == pytest.approx(BOUNDARY.area, abs=1.0), "no overlaps"
        moved_members = plan.members.loc[plan.members["area_id"] != PLAN.members["area_id"]]
        assert set(moved_members["area_id"]) == {target}
        assert (moved_members["straat"] == street).all()
        holder = plan.areas.set_index("area_id").geometry[target].buffer(0.01)
        assert moved_members.within(holder).all(), "their land moved with them"
        assert plan.members.groupby("area_id")["is_beheerder"].sum().max() <= 1
        assert (plan.members["area_id"] == area).any()
    assert accepted > 5 and refused > 5


def test_the_cap_is_checked_before_moving() -> None:
    for _, street, numbers, target in stretches(PLAN):
        try:
            _, moved = move_street(
                PLAN, street=street, to_area=target, streets=STREETS, numbers=numbers
            )
        except PlanError:
            continue
        full = int((PLAN.members["area_id"] == target).sum()) + moved - 1
        with pytest.raises(PlanError, match="meer dan het maximum"):
            move_street(
                PLAN,
                street=street,
                to_area=target,
                streets=STREETS,
                numbers=numbers,
                max_members=full,
            )
        return
    pytest.fail("no acceptable move found")


def test_not_a_neighbour_not_there_and_ambiguous_are_refused() -> None:
    plan = make_plan(BOUNDARY, STREETS, members_along(STREETS, 800, seed=5), max_members=100)
    area, street, numbers, _ = stretches(plan)[0]
    touching = str(plan.areas.set_index("area_id").loc[area, "neighbours"]).split(",")
    far = next(int(a) for a in plan.areas["area_id"] if str(a) not in touching and a != area)
    with pytest.raises(PlanError, match="grenst niet aan gebied"):
        move_street(
            plan, street=street, to_area=far, streets=STREETS, numbers=numbers, max_members=100
        )
    with pytest.raises(PlanError, match="geen leden op"):
        move_street(plan, street="Nergensweg", to_area=far, streets=STREETS)
    with pytest.raises(PlanError, match="kies een huisnummerreeks"):
        move_street(plan, street="Laan 1", to_area=far, streets=STREETS)
    with pytest.raises(PlanError, match="ligt al in gebied"):
        move_street(plan, street=street, to_area=area, streets=STREETS, numbers=numbers)


def test_after_a_move_street_lists_come_from_the_network_not_from_members() -> None:
    """Members live on every street but "Laan 4": the street lists still name it where it
    runs, and never a member's house number."""
    quiet = STREETS["name"] != "Laan 4"
    members = members_along(STREETS.loc[quiet].reset_index(drop=True), 800, seed=6)
    plan = make_plan(BOUNDARY, STREETS, members, max_members=255)
    empty = STREETS.loc[~quiet].geometry.iloc[0]
    for _, street, numbers, target in stretches(plan):
        try:
            moved, _ = move_street(
                plan, street=street, to_area=target, streets=STREETS, numbers=numbers
            )
        except PlanError:
            continue
        for row in moved.areas.itertuples():
            listed = set(str(row.streets).split("; "))
            assert all(re.fullmatch(r"(Laan|Dwarsstraat) \d+", s) for s in listed), row.streets
            if row.geometry.intersection(empty).length >= 10:
                assert "Laan 4" in listed, f"area {row.area_id} lists {row.streets}"
        assert list(moved.areas["name"]) == list(plan.areas["name"]), "names stay with the groups"
        return
    pytest.fail("no acceptable move found")
