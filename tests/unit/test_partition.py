"""Partition invariants on synthetic wijken, hand-made hard cases and incremental assignment."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, box

from geo.partition import Plan, PlanError, area_count, assign, make_plan
from tests.grids import RD, grid_boundary, grid_streets, members_along


def assert_good_plan(plan: Plan, boundary: shapely.Geometry, *, max_members: int) -> None:
    """The rules every plan must keep, checked on the geometry itself."""
    areas, members = plan.areas, plan.members
    assert (areas["members"] <= max_members).all()
    assert areas["members"].sum() == len(members)
    counts = members["area_id"].value_counts()
    assert all(
        counts.get(a, 0) == n for a, n in zip(areas["area_id"], areas["members"], strict=True)
    )
    drawn = areas.loc[~areas.geometry.is_empty]
    assert (drawn.geom_type == "Polygon").all(), "every area is one polygon"
    union = shapely.union_all(drawn.geometry.to_numpy())
    assert boundary.symmetric_difference(union).area < 1.0, "areas tile the wijk"
    assert drawn.area.sum() == pytest.approx(boundary.area, abs=1.0), "no overlaps"
    holder = drawn.set_index("area_id").geometry
    inside = [
        holder[a].buffer(0.01).contains(p)
        for a, p in zip(members["area_id"], members.geometry, strict=True)
        if a in holder.index
    ]
    assert all(inside), "each member lies in the polygon of their own area"
    if (areas["beheerder_needed"] == False).any():  # noqa: E712
        assert members.groupby("area_id")["is_beheerder"].sum().max() == 1


def test_area_count_is_the_fewest_that_respects_the_fill() -> None:
    assert area_count(204, max_members=255, fill=0.8) == 1
    assert area_count(205, max_members=255, fill=0.8) == 2
    assert area_count(1500, max_members=255, fill=0.8) == 8
    assert area_count(10, max_members=1, fill=1.0) == 10


def test_grid_plan_is_balanced_contiguous_and_tiles() -> None:
    streets = grid_streets(8, 8)
    boundary = grid_boundary(8, 8)
    members = members_along(streets, 1000, seed=1)
    plan = make_plan(boundary, streets, members, max_members=255)
    assert_good_plan(plan, boundary, max_members=255)
    assert len(plan.areas) == 5
    assert plan.metrics["max_deviation_from_mean_pct"] <= 5.0
    assert plan.metrics["polsby_popper_mean"] > 0.3
    assert plan.metrics["gap_m2"] < 1 and abs(plan.metrics["overlap_m2"]) < 1


def test_both_sides_of_a_street_segment_are_in_one_area() -> None:
    streets = grid_streets(6, 6)
    members = members_along(streets, 900, seed=3)
    plan = make_plan(grid_boundary(6, 6), streets, members, max_members=255)
    per_segment = plan.members.groupby("segment")["area_id"].nunique()
    assert (per_segment == 1).all()


def random_wijk(
    columns: int, rows: int, count: int, seed: int, skew: bool
) -> tuple[gpd.GeoDataFrame, shapely.Geometry, gpd.GeoDataFrame]:
    """A street grid, its boundary and members spread evenly or crowded on a few streets."""
    streets = grid_streets(columns, rows)
    weights = None
    if skew:  # a few crowded streets, many quiet ones
        raw = np.random.default_rng(seed).pareto(1.0, len(streets)) + 0.01
        weights = raw / raw.sum()
    return (
        streets,
        grid_boundary(columns, rows),
        members_along(streets, count, seed=seed, weights=weights),
    )


def street_segments(columns: int, rows: int) -> int:
    return columns * (rows + 1) + rows * (columns + 1)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    columns=st.integers(2, 7),
    rows=st.integers(2, 7),
    per_segment=st.floats(0.05, 20.0),
    cap=st.sampled_from([40, 100, 255]),
    seed=st.integers(0, 10_000),
    skew=st.booleans(),
)
def test_random_wijken_keep_every_rule(
    columns: int, rows: int, per_segment: float, cap: int, seed: int, skew: bool
) -> None:
    """Up to 20 members per 100 m of street on average (a dense Dutch street has about 15)."""
    count = max(1, round(per_segment * street_segments(columns, rows)))
    streets, boundary, members = random_wijk(columns, rows, count, seed, skew)
    plan = make_plan(boundary, streets, members, max_members=cap, fill=0.8)
    assert_good_plan(plan, boundary, max_members=cap)
    assert len(plan.areas) >= area_count(count, max_members=cap, fill=0.8)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    columns=st.integers(2, 4),
    rows=st.integers(2, 4),
    count=st.integers(400, 900),
    cap=st.sampled_from([40, 255]),
    seed=st.integers(0, 10_000),
)
def test_the_cap_holds_at_any_density(
    columns: int, rows: int, count: int, cap: int, seed: int
) -> None:
    """Crowded beyond any real street: areas may lose their single shape, never the cap."""
    streets, boundary, members = random_wijk(columns, rows, count, seed, skew=True)
    plan = make_plan(boundary, streets, members, max_members=cap, fill=0.8)
    assert (plan.areas["members"] <= cap).all()
    assert plan.areas["members"].sum() == count == len(plan.members)
    union = shapely.union_all(plan.areas.geometry.to_numpy())
    assert boundary.symmetric_difference(union).area < 1.0, "areas still tile the wijk"


def test_dense_apartment_block_over_the_cap_is_split_by_house_number() -> None:
    streets = grid_streets(3, 3)
    boundary = grid_boundary(3, 3)
    block = gpd.GeoDataFrame(
        {
            "naam": [f"Flatbewoner {i}" for i in range(300)],
            "telefoon": [f"+3162{i:07d}" for i in range(300)],
            "straat": "Laan 2",
            "huisnummer": 1,
            "huisletter": "",
            "toevoeging": [str(i + 1) for i in range(300)],
            "beheerder": False,
        },
        geometry=[Point(186_112, 331_150)] * 300,
        crs=RD,
    )
    members = pd.concat([block, members_along(streets, 40, seed=2)], ignore_index=True)
    plan = make_plan(boundary, streets, gpd.GeoDataFrame(members, crs=RD), max_members=255)
    assert (plan.areas["members"] <= 255).all()
    flats = plan.members.loc[plan.members["straat"].eq("Laan 2") & plan.members["huisnummer"].eq(1)]
    assert flats["area_id"].nunique() >= 2
    ranges = (
        flats.assign(flat=flats["toevoeging"].astype(int))
        .groupby("area_id")["flat"]
        .agg(["min", "max"])
        .sort_values("min")
    )
    assert (ranges["min"].iloc[1:].to_numpy() > ranges["max"].iloc[:-1].to_numpy()).all(), (
        "split by flat-number ranges"
    )


def test_a_long_street_over_the_cap_is_cut_into_number_ranges() -> None:
    street = gpd.GeoDataFrame(
        {"name": ["Rijksweg"], "highway": ["residential"]},
        geometry=[LineString([(0, 0), (3000, 0)])],
        crs=RD,
    )
    boundary = box(-50, -100, 3050, 100)
    members = members_along(street, 400, seed=4)
    plan = make_plan(boundary, street, members, max_members=255)
    assert_good_plan(plan, boundary, max_members=255)
    assert len(plan.areas) == 2
    assert all("Rijksweg " in text for text in plan.areas["streets"]), (
        "each area names its house-number range"
    )


def test_canal_with_one_bridge_areas_connect_only_over_the_bridge() -> None:
    west = grid_streets(3, 4, prefix="West ")
    east = grid_streets(3, 4, x0=186_000 + 360, prefix="Oost ")
    bridge = gpd.GeoDataFrame(
        {"name": ["Brugstraat"], "highway": ["residential"]},
        geometry=[LineString([(186_300, 331_200), (186_360, 331_200)])],
        crs=RD,
    )
    streets = gpd.GeoDataFrame(pd.concat([west, east, bridge], ignore_index=True), crs=RD)
    boundary = box(185_950, 330_950, 186_710, 331_450)
    members = members_along(
        pd.concat([west, east], ignore_index=True).pipe(gpd.GeoDataFrame, crs=RD), 700, seed=5
    )
    plan = make_plan(boundary, streets, members, max_members=255)
    assert_good_plan(plan, boundary, max_members=255)
    members = plan.members.assign(side=np.where(plan.members.geometry.x < 186_330, "west", "oost"))
    both = members.groupby("area_id")["side"].nunique()
    for area_id in both.index[both > 1]:
        polygon = plan.areas.set_index("area_id").geometry[area_id]
        assert polygon.intersects(bridge.geometry.iloc[0].interpolate(0.5, normalized=True)), (
            f"area {area_id} spans the canal without the bridge"
        )


def test_empty_street_still_belongs_to_an_area() -> None:
    streets = grid_streets(4, 2)
    boundary = grid_boundary(4, 2)
    quiet = streets["name"] != "Laan 5"
    members = members_along(streets.loc[quiet].reset_index(drop=True), 300, seed=6)
    plan = make_plan(boundary, streets, members, max_members=255)
    assert_good_plan(plan, boundary, max_members=255)
    empty_street = streets.loc[~quiet].geometry.iloc[0]
    assert plan.areas.intersects(empty_street).any()


def test_single_applicant_gets_the_whole_wijk() -> None:
    streets = grid_streets(2, 2)
    boundary = grid_boundary(2, 2)
    plan = make_plan(boundary, streets, members_along(streets, 1, seed=7), max_members=255)
    assert len(plan.areas) == 1
    assert plan.areas.geometry.iloc[0].symmetric_difference(boundary).area < 1.0
    assert plan.areas.loc[0, "members"] == 1


@pytest.mark.parametrize(
    ("boundary", "cap", "fill", "message"),
    [
        (box(0, 0, 10, 10), 255, 0.8, "geen enkele aanmelding ligt binnen de wijkgrens"),
        (grid_boundary(2, 2), 0, 0.8, "minstens 1"),
        (grid_boundary(2, 2), 255, 1.5, "vulgraad"),
        (LineString([(0, 0), (1, 1)]), 255, 0.8, "vlak"),
    ],
)
def test_invalid_inputs_are_clear_errors(
    boundary: shapely.Geometry, cap: int, fill: float, message: str
) -> None:
    streets = grid_streets(2, 2)
    with pytest.raises(PlanError, match=message):
        make_plan(boundary, streets, members_along(streets, 10, seed=8), max_members=cap, fill=fill)


def test_members_outside_the_wijk_are_reported_not_placed() -> None:
    streets = grid_streets(2, 2)
    members = members_along(streets, 20, seed=9)
    members.loc[0, "geometry"] = Point(0, 0)
    plan = make_plan(grid_boundary(2, 2), streets, members, max_members=255)
    assert len(plan.outside) == 1 and len(plan.members) == 19


# --- incremental ---------------------------------------------------------------------------


def test_assign_moves_nobody_while_areas_have_room() -> None:
    streets, boundary = grid_streets(6, 6), grid_boundary(6, 6)
    everyone = members_along(streets, 900, seed=10)
    plan = make_plan(boundary, streets, everyone.iloc[:800].reset_index(drop=True), max_members=255)
    before = plan.members.set_index("telefoon")["area_id"]
    updated, report = assign(
        plan,
        everyone.iloc[800:850].reset_index(drop=True),
        boundary=boundary,
        streets=streets,
        max_members=255,
    )
    assert report.added == 50 and report.split == {} and report.moved_existing == 0
    after = updated.members.set_index("telefoon")["area_id"]
    assert (after.loc[before.index] == before).all()
    assert_good_plan(updated, boundary, max_members=255)
    assert updated.areas.geometry.geom_equals(plan.areas.geometry).all(), "no border moved"


def test_an_area_that_passes_the_cap_is_split_alone() -> None:
    streets, boundary = grid_streets(6, 6), grid_boundary(6, 6)
    plan = make_plan(boundary, streets, members_along(streets, 700, seed=11), max_members=255)
    target = plan.areas.iloc[0]
    crowd = members_along(streets, 4000, seed=12)
    crowd = (
        crowd.loc[crowd.within(target.geometry)]
        .iloc[: 255 - int(target["members"]) + 30]
        .reset_index(drop=True)
    )
    crowd["telefoon"] = [f"+3165{i:07d}" for i in range(len(crowd))]
    updated, report = assign(plan, crowd, boundary=boundary, streets=streets, max_members=255)
    assert list(report.split) == [int(target["area_id"])]
    assert_good_plan(updated, boundary, max_members=255)
    untouched = (
        plan.areas.loc[plan.areas["area_id"] != target["area_id"]].set_index("area_id").geometry
    )
    now = updated.areas.set_index("area_id").geometry
    assert all(now[a].equals(untouched[a]) for a in untouched.index), (
        "other areas keep their borders"
    )
    others = plan.members.loc[plan.members["area_id"] != target["area_id"], ["telefoon", "area_id"]]
    merged = others.merge(
        updated.members[["telefoon", "area_id"]], on="telefoon", suffixes=("", "_now")
    )
    assert (merged["area_id"] == merged["area_id_now"]).all(), "nobody outside the split area moved"
    sizes = updated.areas.loc[
        updated.areas["area_id"].isin(report.split[int(target["area_id"])]), "members"
    ]
    assert sizes.max() - sizes.min() <= 0.2 * sizes.mean(), "the split is balanced"


def test_assign_refuses_repeated_phone_numbers_and_points_outside() -> None:
    streets, boundary = grid_streets(3, 3), grid_boundary(3, 3)
    members = members_along(streets, 50, seed=13)
    plan = make_plan(boundary, streets, members, max_members=255)
    again = members.iloc[:2].copy()
    far = members.iloc[2:3].assign(telefoon="+31699999999", geometry=[Point(0, 0)])
    updated, report = assign(
        plan,
        pd.concat([again, far], ignore_index=True).pipe(gpd.GeoDataFrame, crs=RD),
        boundary=boundary,
        streets=streets,
    )
    assert len(report.already_member) == 2 and report.outside == 1 and report.added == 0
    assert len(updated.members) == 50


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(50, 500),
    batches=st.lists(st.integers(1, 250), min_size=1, max_size=4),
    cap=st.sampled_from([60, 255]),
    seed=st.integers(0, 10_000),
)
def test_any_sequence_of_sign_ups_keeps_the_cap_and_moves_only_split_areas(
    start: int, batches: list[int], cap: int, seed: int
) -> None:
    streets, boundary = grid_streets(5, 5), grid_boundary(5, 5)
    everyone = members_along(streets, start + sum(batches), seed=seed)
    plan = make_plan(
        boundary, streets, everyone.iloc[:start].reset_index(drop=True), max_members=cap
    )
    offset = start
    for size in batches:
        batch = everyone.iloc[offset : offset + size].reset_index(drop=True)
        offset += size
        before = plan.members.set_index("telefoon")["area_id"]
        plan, report = assign(plan, batch, boundary=boundary, streets=streets, max_members=cap)
        assert (plan.areas["members"] <= cap).all()
        assert len(plan.members) == offset, "nobody lost, nobody twice"
        after = plan.members.set_index("telefoon")["area_id"].loc[before.index]
        moved = before.index[after.to_numpy() != before.to_numpy()]
        assert set(before.loc[moved]) <= set(report.split), "only members of split areas move"
        assert report.moved_existing == len(moved)
    union = shapely.union_all(plan.areas.geometry.to_numpy())
    assert boundary.symmetric_difference(union).area < 1.0, "the areas still tile the wijk"
