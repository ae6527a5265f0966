"""Partition invariants on synthetic wijken, hand-made hard cases and incremental assignment."""

from __future__ import annotations

import math
import re

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, box

from geo.partition import (
    Plan,
    PlanError,
    _peel,
    _score,
    area_count,
    assign,
    make_plan,
    measure,
    split_area,
    tidy_areas,
)
from tests.grids import (
    RD,
    crooked_wijk,
    grid_boundary,
    grid_streets,
    members_along,
    round_trip,
)


def _in_split_building(members: pd.DataFrame) -> np.ndarray:
    """Per member: whether others at the same address point (to 10 cm) are in another area."""
    spots = pd.DataFrame(
        {
            "area_id": members["area_id"].to_numpy(),
            "x": np.round(members.geometry.x.to_numpy(), 1),
            "y": np.round(members.geometry.y.to_numpy(), 1),
        }
    )
    areas = spots.groupby(["x", "y"])["area_id"].transform("nunique")
    return np.asarray(areas.to_numpy() > 1)


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
    # The flats of a building cut by flat number are in several groups; the map shows the
    # building in one (plan.json names it under building_notes).
    in_one_area = ~_in_split_building(members)
    inside = [
        holder[a].buffer(0.01).contains(p)
        for a, p, one in zip(members["area_id"], members.geometry, in_one_area, strict=True)
        if a in holder.index and one
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
# Found by this test: a tiny region reseeded onto a one-block region's own seed; buildings
# of 33 and 34 (more than an area's share of 32) whose flats are in two groups; and pieces of
# one street taken for neighbours while their land did not touch (an area in two parts); and a
# peel that ran out of blocks early ranked first (4 fuller areas where 5 were planned).
@example(columns=3, rows=6, per_segment=19.0, cap=40, seed=1263, skew=True)
@example(columns=2, rows=6, per_segment=19.6875, cap=40, seed=1263, skew=True)
@example(columns=3, rows=6, per_segment=19.6875, cap=40, seed=1263, skew=True)
@example(columns=4, rows=3, per_segment=10.625, cap=100, seed=0, skew=True)
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


FLAT_SPOT = Point(186_112, 331_150)


def flat_building(count: int) -> gpd.GeoDataFrame:
    """``count`` fictitious residents of one flat building (Laan 2, flats 1..count), one point."""
    return gpd.GeoDataFrame(
        {
            "naam": [f"Flatbewoner {i}" for i in range(count)],
            "telefoon": [f"+3162{i:07d}" for i in range(count)],
            "straat": "Laan 2",
            "huisnummer": 1,
            "huisletter": "",
            "toevoeging": [str(i + 1) for i in range(count)],
            "beheerder": False,
        },
        geometry=[FLAT_SPOT] * count,
        crs=RD,
    )


def test_dense_apartment_block_over_the_cap_is_split_by_house_number() -> None:
    streets = grid_streets(3, 3)
    boundary = grid_boundary(3, 3)
    block = flat_building(300)
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


def test_a_building_over_a_group_is_split_by_flat_and_named_in_the_plan() -> None:
    streets = grid_streets(3, 3)
    boundary = grid_boundary(3, 3)
    block = flat_building(45)
    members = pd.concat([block, members_along(streets, 120, seed=2)], ignore_index=True)

    # 45 flats: more than one group holds (40)
    plan = make_plan(boundary, streets, gpd.GeoDataFrame(members, crs=RD), max_members=40)

    assert_good_plan(plan, boundary, max_members=40)
    flats = plan.members.loc[plan.members["straat"].eq("Laan 2") & plan.members["huisnummer"].eq(1)]
    assert flats["area_id"].nunique() == 2
    assert flats["area_id"].value_counts().max() <= 32, "each group keeps room to grow"
    (note,) = plan.metrics["building_notes"]
    assert note["street"] == "Laan 2"
    assert note["areas"] == flats["area_id"].value_counts().to_dict()
    assert "45 aanmeldingen" in note["reason"]


def register_along(streets: gpd.GeoDataFrame, every: float = 10.0) -> gpd.GeoDataFrame:
    """A fictitious address register: a house about every ``every`` metres, numbered 1, 2, …"""
    rng = np.random.default_rng(0)
    rows = []
    for name, line in zip(streets["name"], streets.geometry, strict=True):
        for number, along in enumerate(np.arange(every / 2, line.length, every), start=1):
            spot = line.interpolate(along + rng.uniform(-2, 2))
            house = Point(spot.x + rng.uniform(-1, 1), spot.y + rng.uniform(6, 10))
            rows.append({"straat": name, "huisnummer": number, "geometry": house})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=streets.crs)


def test_a_long_street_over_the_cap_is_cut_into_number_ranges_of_the_register() -> None:
    street = gpd.GeoDataFrame(
        {"name": ["Rijksweg"], "highway": ["residential"]},
        geometry=[LineString([(0, 0), (3000, 0)])],
        crs=RD,
    )
    boundary = box(-50, -100, 3050, 100)
    members = members_along(street, 400, seed=4)
    register = register_along(street)
    plan = make_plan(boundary, street, members, register, max_members=255)
    assert_good_plan(plan, boundary, max_members=255)
    assert len(plan.areas) == 2
    ranges = [text.removeprefix("Rijksweg ") for text in plan.areas["streets"]]
    assert ranges[0].startswith("1–") and ranges[1].endswith("–300"), (
        "each area names its house-number range, from the register"
    )
    assert list(plan.areas["name"]) == ["Rijksweg e.o.", "Rijksweg e.o. (2)"], "names are unique"


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
    # Their borders gain the split's new corners (so both sides match exactly in a file), and
    # stay where they were to well within a micrometre.
    assert all(shapely.hausdorff_distance(now[a], untouched[a]) < 1e-6 for a in untouched.index), (
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
# A cell cut along a split area's edge came out as a line: a unit of no land crashed the split.
@example(start=61, batches=[100, 158, 232, 234], cap=60, seed=8256)
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


# --- every area one valid polygon (issue 12, item 9) ----------------------------------------


def assert_tiles(plan: Plan, boundary: shapely.Geometry, *, max_members: int) -> None:
    """Every area a valid, non-empty polygon; together they cover the wijk without overlap."""
    geometries = plan.areas.geometry.to_numpy()
    assert (shapely.get_type_id(geometries) == 3).all(), plan.areas.geom_type.value_counts()
    assert shapely.is_valid(geometries).all() and not shapely.is_empty(geometries).any()
    union = shapely.union_all(geometries)
    # Areas read back from a file carry its rounding (1 cm) along the wijk's edge.
    assert boundary.symmetric_difference(union).area < 0.01 * boundary.length
    assert shapely.area(geometries).sum() - union.area < 0.01, "areas do not overlap"
    assert (plan.areas["members"] <= max_members).all()
    assert plan.metrics["contiguous_areas"] == len(plan.areas)
    assert plan.metrics["areas_not_one_piece"] == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    columns=st.integers(2, 5),
    rows=st.integers(2, 5),
    start=st.integers(10, 300),
    batches=st.lists(st.integers(1, 250), min_size=1, max_size=3),
    cap=st.sampled_from([30, 60, 100, 255]),
    seed=st.integers(0, 10_000),
)
# A split drew a 66 m² piece with one member hanging on its area by a 1 mm neck; rounded in the
# file the neck closed and the next batch left that area a MultiPolygon.
@example(columns=4, rows=2, start=151, batches=[158, 43], cap=100, seed=2505)
# A piece joined to another area in a fresh plan left corners on one side of a border only: read
# back from the file, the two sides rounded apart into a 0.03 m² overlap.
@example(columns=5, rows=4, start=252, batches=[31, 49, 119], cap=30, seed=4)
# A stray part of a unit that no neighbour had room for stayed with its unit: an area in two.
@example(columns=2, rows=3, start=293, batches=[226, 238], cap=30, seed=1)
# A peel seeded on a block that cut a dead end off the rest: an area in two (see below).
@example(columns=2, rows=3, start=54, batches=[16, 239], cap=30, seed=3232)
def test_random_sign_up_batches_leave_every_area_one_valid_polygon(
    columns: int, rows: int, start: int, batches: list[int], cap: int, seed: int
) -> None:
    """Crooked streets, and the plan read back from its GeoJSON before every batch (as the
    command line does): splits must still leave one valid polygon per area, tiling the wijk."""
    streets, boundary = crooked_wijk(columns, rows, seed=seed)
    everyone = members_along(streets, start + sum(batches), seed=seed)
    everyone = everyone.loc[everyone.within(boundary)].reset_index(drop=True)
    plan = make_plan(
        boundary, streets, everyone.iloc[:start].reset_index(drop=True), max_members=cap
    )
    assert_tiles(plan, boundary, max_members=cap)
    offset = start
    for size in batches:
        batch = everyone.iloc[offset : offset + size].reset_index(drop=True)
        offset += size
        plan = Plan(round_trip(plan.areas), plan.members, plan.outside)
        plan, _ = assign(plan, batch, boundary=boundary, streets=streets, max_members=cap)
        assert_tiles(plan, boundary, max_members=cap)
        assert len(plan.members) == min(offset, len(everyone))


def test_a_peel_seeded_on_a_block_that_cuts_the_rest_takes_the_cut_off_part_along() -> None:
    """Block 5 lies between the dead end 9 and the rest: a region seeded on 5 must take 9 too,
    or the last area is in two pieces (found by the batches test above)."""
    edges = [(0, 3), (0, 7), (1, 3), (1, 4), (1, 6), (2, 4), (4, 5), (4, 6), (4, 8), (5, 9)]
    graph = nx.Graph(edges)
    weights = np.array([20.0, 11.0, 14.0, 10.0, 22.0, 24.0, 2.0, 2.0, 2.0, 8.0])
    xy = np.array(  # as found: the dead end's point lies far from block 5, its only link
        [(52, 0), (22, 120), (116, 128), (0, 44), (83, 79), (125, 34), (59, 147), (52, 0),
         (116, 128), (52, 0)],
        dtype=float,
    )  # fmt: skip
    for start in (None, 0.0, math.pi / 2, math.pi, 3 * math.pi / 2):
        labels = _peel(graph, weights, xy, 5, nodes=set(graph.nodes), start=start)
        for area in np.unique(labels):
            assert nx.is_connected(graph.subgraph(np.flatnonzero(labels == area).tolist()))


def test_a_candidate_missing_an_area_or_with_an_area_in_two_pieces_ranks_last() -> None:
    """Broken rules outrank balance: even sizes in pieces, or fewer areas, never win."""
    edges = np.array([(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)])  # blocks in a row
    weights = np.ones(6)
    xy = np.array([(100.0 * i, 0.0) for i in range(6)])
    whole = _score(np.array([0, 0, 0, 0, 1, 1]), weights, xy, areas=2, edges=edges)
    pieces = _score(np.array([0, 1, 1, 1, 0, 0]), weights, xy, areas=2, edges=edges)
    fewer = _score(np.zeros(6, dtype=int), weights, xy, areas=2, edges=edges)
    assert pieces[1] < whole[1], "the broken candidate is the better balanced one"
    assert whole < pieces
    assert whole < fewer
    assert (whole[0], pieces[0], fewer[0]) == (0, 1, 1)


def test_assign_repairs_broken_areas_read_back_from_a_file() -> None:
    """A GeometryCollection (polygon + line) and a self-intersecting ring become polygons."""
    streets, boundary = grid_streets(4, 4), grid_boundary(4, 4)
    plan = make_plan(boundary, streets, members_along(streets, 400, seed=21), max_members=255)
    broken = plan.areas.copy()
    first = broken.geometry.iloc[0]
    spike = shapely.LineString([first.exterior.coords[0], (0, 0)])
    geometries = broken.geometry.to_numpy().copy()
    geometries[0] = shapely.GeometryCollection([first, spike])
    ring = list(geometries[1].exterior.coords)
    geometries[1] = shapely.Polygon([*ring[:-1], ring[1], ring[0]])  # runs back over itself
    broken = broken.set_geometry(gpd.GeoSeries(geometries, crs=RD))
    updated, _ = assign(
        Plan(broken, plan.members, plan.outside),
        members_along(streets, 5, seed=22).assign(telefoon=[f"+3166{i:07d}" for i in range(5)]),
        boundary=boundary,
        streets=streets,
    )
    assert_tiles(updated, boundary, max_members=255)


def two_part_wijk() -> tuple[gpd.GeoDataFrame, shapely.Geometry]:
    west = grid_streets(3, 3, prefix="West ")
    east = grid_streets(3, 3, x0=186_600, prefix="Oost ")
    streets = gpd.GeoDataFrame(pd.concat([west, east], ignore_index=True), crs=RD)
    return streets, shapely.union(grid_boundary(3, 3), grid_boundary(3, 3, x0=186_600))


def members_in_both(west: int, east: int) -> gpd.GeoDataFrame:
    streets, _ = two_part_wijk()
    on_west = streets["name"].str.startswith("West")
    people = pd.concat(
        [
            members_along(streets.loc[on_west].reset_index(drop=True), west, seed=23),
            members_along(streets.loc[~on_west].reset_index(drop=True), east, seed=24),
        ],
        ignore_index=True,
    )
    people["telefoon"] = [f"+3167{i:07d}" for i in range(len(people))]
    return gpd.GeoDataFrame(people, geometry="geometry", crs=RD)


def test_a_wijk_in_two_parts_gets_one_polygon_per_area_where_it_can() -> None:
    streets, boundary = two_part_wijk()
    plan = make_plan(boundary, streets, members_in_both(150, 150), max_members=255)
    assert_tiles(plan, boundary, max_members=255)


def test_an_area_over_two_parts_of_the_wijk_is_reported_with_the_reason() -> None:
    streets, boundary = two_part_wijk()
    plan = make_plan(boundary, streets, members_in_both(10, 10), max_members=255)
    assert len(plan.areas) == 1
    assert plan.areas.geometry.iloc[0].geom_type == "MultiPolygon"
    assert plan.metrics["contiguous_areas"] == 0, "measured on the geometry, not the graph"
    (report,) = plan.metrics["areas_not_one_piece"]
    assert report["area_id"] == 1 and report["parts"] == 2
    assert "wijkgrens bestaat uit 2 losse delen" in report["reason"]


def loose_pieces() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Three areas in a row; area 1 owns a member-less sliver inside area 2's land, area 3 a
    piece there with two of its five members."""
    sliver, piece = box(150, 70, 160, 80), box(150, 20, 160, 40)
    middle = box(100, 0, 200, 100).difference(sliver).difference(piece)
    areas = gpd.GeoDataFrame(
        {"area_id": [1, 2, 3], "members": [1, 2, 5], "households": [0, 0, 0]},
        geometry=[box(0, 0, 100, 100).union(sliver), middle, box(200, 0, 300, 100).union(piece)],
        crs=RD,
    )
    points = [(50, 50), (120, 50), (130, 50), (250, 50), (260, 50), (270, 50), (155, 25), (155, 35)]
    members = gpd.GeoDataFrame(
        {"area_id": [1, 2, 2, 3, 3, 3, 3, 3], "is_beheerder": [False] * 6 + [True, False]},
        geometry=[Point(p) for p in points],
        crs=RD,
    )
    return areas, members


def test_loose_pieces_join_the_neighbour_with_the_longest_border() -> None:
    areas, members = loose_pieces()
    tidy, placed = tidy_areas(areas, members, max_members=10)
    assert tidy.geom_type.tolist() == ["Polygon"] * 3
    assert tidy.area.tolist() == pytest.approx([100 * 100] * 3)
    assert placed["area_id"].tolist() == [1, 2, 2, 3, 3, 3, 2, 2], "the piece's members go along"
    assert not placed["is_beheerder"].any(), "a beheerder who moves is one no more"


def test_a_loose_piece_with_members_stays_when_the_neighbour_is_full() -> None:
    areas, members = loose_pieces()
    tidy, placed = tidy_areas(areas, members, max_members=3)
    assert tidy.geom_type.tolist() == ["Polygon", "Polygon", "MultiPolygon"]
    assert placed["area_id"].tolist() == members["area_id"].tolist()
    plan = Plan(tidy.assign(beheerder_needed=False), placed, placed.iloc[0:0])
    boundary = box(0, 0, 300, 100)
    metrics = measure(plan, boundary=boundary, max_members=3, fill=0.8)
    assert metrics["contiguous_areas"] == 2
    assert metrics["areas_not_one_piece"] == [
        {
            "area_id": 3,
            "parts": 2,
            "reason": "een los stuk met leden kon niet bij een aangrenzend gebied zonder het "
            "maximum te overschrijden of al ingedeelde leden te verplaatsen",
        }
    ]
    kept, _ = tidy_areas(areas, members, max_members=10, movable=())
    assert kept.geom_type.tolist() == ["Polygon", "Polygon", "MultiPolygon"], (
        "nobody already placed moves unless their area may change"
    )


@pytest.mark.filterwarnings("error")
def test_measure_of_areas_emptied_by_removals() -> None:
    areas = gpd.GeoDataFrame(
        {"area_id": [1, 2], "members": [0, 0], "beheerder_needed": [True, True]},
        geometry=[box(0, 0, 50, 100), box(50, 0, 100, 100)],
        crs=RD,
    )
    members = gpd.GeoDataFrame({"area_id": [], "straat": []}, geometry=[], crs=RD)
    plan = Plan(areas, members, members)
    metrics = measure(plan, boundary=box(0, 0, 100, 100), max_members=3, fill=0.8)
    assert metrics["members"] == 0 and metrics["max_deviation_from_mean_pct"] == 0.0


@pytest.mark.parametrize(
    ("polygons", "gap", "overlap"),
    [
        ([box(0, 0, 50, 100), box(50, 0, 100, 100)], 0.0, 0.0),  # a tiling (a coverage)
        ([box(0, 0, 40, 100), box(50, 0, 100, 100)], 1000.0, 0.0),
        ([box(0, 0, 60, 100), box(50, 0, 100, 100)], 0.0, 1000.0),
        ([box(-10, 0, 40, 100), box(50, 0, 100, 100)], 1000.0, 0.0),  # part outside the wijk
    ],
)
def test_measure_reports_land_in_no_area_and_land_in_two(
    polygons: list[shapely.Polygon], gap: float, overlap: float
) -> None:
    areas = gpd.GeoDataFrame(
        {"area_id": [1, 2], "members": [1, 1], "beheerder_needed": [False, False]},
        geometry=polygons,
        crs=RD,
    )
    members = gpd.GeoDataFrame(
        {"area_id": [1, 2], "straat": ["A", "B"]},
        geometry=[Point(45, 50) if gap else Point(25, 50), Point(75, 50)],
        crs=RD,
    )
    plan = Plan(areas, members, members.iloc[0:0])
    metrics = measure(plan, boundary=box(0, 0, 100, 100), max_members=3, fill=0.8)
    assert metrics["gap_m2"] == pytest.approx(gap)
    assert metrics["overlap_m2"] == pytest.approx(overlap)


# --- public names and street lists (issue 12, item 11) --------------------------------------

DUTCH = [
    "Kerkstraat", "Molenweg", "Schoolstraat", "Dorpsstraat", "Beekstraat", "Lindelaan",
    "Kastanjelaan", "Veldweg", "Bergstraat", "Raadhuisplein", "Heirweg", "Kapelstraat",
]  # fmt: skip


def named_grid(columns: int, rows: int) -> gpd.GeoDataFrame:
    """A street grid whose names hold no digits (so any digit in a public text is a number)."""
    streets = grid_streets(columns, rows)
    return streets.assign(name=DUTCH[: len(streets)])


def assert_no_house_numbers(areas: pd.DataFrame) -> None:
    for text in areas["streets"]:
        assert not re.search(r"\d", text), f"house number in the public street list: {text}"
    for name in areas["name"]:
        assert re.fullmatch(r"\D+ e\.o\.( \(\d+\))?", name), f"not a public name: {name}"


def test_without_a_register_public_texts_hold_no_members_house_numbers() -> None:
    streets, boundary = named_grid(4, 4), grid_boundary(4, 4)
    plan = make_plan(boundary, streets, members_along(streets, 400, seed=31), max_members=100)
    assert len(plan.areas) >= 5
    assert_no_house_numbers(plan.areas)
    assert plan.areas["name"].is_unique
    crowd = members_along(streets, 3000, seed=32)
    crowd = crowd.loc[crowd.within(plan.areas.geometry.iloc[0])].iloc[:60].reset_index(drop=True)
    crowd["telefoon"] = [f"+3168{i:07d}" for i in range(len(crowd))]
    grown, report = assign(plan, crowd, boundary=boundary, streets=streets, max_members=100)
    assert report.split, "an area passed the cap and was split"
    assert_no_house_numbers(grown.areas)
    assert grown.areas["name"].is_unique
    split, _ = split_area(grown, int(grown.areas["area_id"].iloc[-1]), streets=streets)
    assert_no_house_numbers(split.areas)
    assert split.areas["name"].is_unique


def test_a_one_member_area_is_named_after_its_longest_street_not_after_hers() -> None:
    streets = gpd.GeoDataFrame(
        {"name": ["Kerkstraat", "Hofje"], "highway": "residential"},
        geometry=[LineString([(0, 0), (600, 0)]), LineString([(300, 0), (300, 60)])],
        crs=RD,
    )
    boundary = box(-50, -60, 650, 110)
    her = gpd.GeoDataFrame(
        {"naam": ["Anna Fictief"], "telefoon": ["+31612300001"], "straat": ["Hofje"],
         "huisnummer": [3], "beheerder": [True]},
        geometry=[Point(312, 40)],
        crs=RD,
    )  # fmt: skip
    plan = make_plan(boundary, streets, her, max_members=255)
    assert plan.areas["name"].tolist() == ["Kerkstraat e.o."]
    assert plan.areas["streets"].tolist() == ["Hofje; Kerkstraat"]
