"""Planning units: the Voronoi cells cut to the wijk, and borders matched vertex for vertex."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

from geo.units import (
    _clip_cells,
    _graph_order,
    _line_ends,
    _nearest_segments,
    _parts,
    _receiver,
    _receivers,
    _ring_coordinates,
    _shared_border,
    build_units,
    coordinate_keys,
    unit_borders,
)
from tests.grids import crooked_wijk, grid_boundary, grid_streets, members_along


def test_cut_cells_tile_a_wijk_with_a_hole_and_two_parts() -> None:
    wijk = shapely.MultiPolygon(
        [box(0, 0, 100, 100).difference(box(40, 40, 60, 60)), box(200, 0, 300, 100)]
    )
    sites = np.random.default_rng(3).uniform(0, 300, (400, 2))  # also in the gap and the hole
    cells = np.asarray(shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(sites))))

    cut = _clip_cells(cells, wijk)

    assert abs(shapely.area(cut).sum() - wijk.area) < 1e-6
    assert shapely.union_all(cut).symmetric_difference(wijk).area < 1e-6
    kept = cut[~shapely.is_empty(cut)]
    assert shapely.covered_by(kept, wijk.buffer(1e-9)).all()
    in_gap = cells[shapely.within(cells, box(110, 10, 190, 90))]
    assert len(in_gap) and shapely.is_empty(cut[np.isin(cells, in_gap)]).all()


def test_cells_touching_the_edge_leave_no_lines_behind() -> None:
    """A cell that only touches the wijk's edge, or crosses it and touches it again further on,
    is cut to polygons or to nothing: never a line or a collection with a line."""
    wijk = box(0, 0, 100, 100)
    cells = np.array(
        [
            box(100, 20, 150, 60),  # shares the edge x = 100 only: a line if cut plainly
            shapely.Polygon([(90, 0), (120, 0), (120, 50), (100, 40), (100, 30), (90, 30)]),
            box(10, 10, 50, 50),  # inside
        ],
        dtype=object,
    )
    plain = shapely.intersection(cells, wijk)
    assert {shapely.get_type_id(g) for g in plain} - {3, 6}, "the plain cut leaves a line"

    cut = _clip_cells(cells, wijk)

    assert set(shapely.get_type_id(cut).tolist()) <= {3, 6}
    assert shapely.is_empty(cut[0])
    assert abs(shapely.area(cut[1]) - shapely.area(plain[1])) < 1e-9


def test_a_grid_wijk_has_its_borders_matched_completely() -> None:
    streets = grid_streets(4, 3)
    members = members_along(streets, 300, seed=5)

    units = build_units(grid_boundary(4, 3), streets, members, max_weight=40)

    assert units.borders is not None and units.borders.complete
    polygons = units.frame.geometry.to_numpy()
    for a, b in units.graph.edges:
        same_street = units.frame["parent"].iat[a] == units.frame["parent"].iat[b]
        shared = shapely.intersection(polygons[a].boundary, polygons[b].boundary).length
        assert same_street or shared >= 1.0


def test_borders_whose_corners_differ_are_measured_on_the_geometry_unless_complete() -> None:
    left = box(0, 0, 10, 10)
    right = shapely.Polygon([(10, 0), (20, 0), (20, 10), (10, 10), (10, 5)])  # an extra corner
    polygons = np.array([left, right], dtype=object)
    borders = unit_borders(polygons, np.zeros(2, dtype=bool))
    pairs = np.array([[0, 1]])

    assert len(borders.pairs) == 0  # no segment matches: the corners differ
    assert _shared_border(polygons, pairs, borders)[0] >= 10.0
    borders.complete = True
    assert _shared_border(polygons, pairs, borders)[0] == 0.0


def test_nearest_segments_are_those_of_a_nearest_search_near_and_far() -> None:
    streets = grid_streets(3, 3).geometry.to_numpy()  # 100 m blocks: every tie at a crossing
    chance = np.random.default_rng(9)
    corner = np.array(streets[0].coords[0])
    spots = np.concatenate(
        [
            corner + chance.uniform(-20, 320, (300, 2)),
            corner + chance.integers(0, 4, (20, 2)) * 100.0,  # on a crossing: four lines
            corner + np.array([[700.0, 150.0], [-90.0, -90.0]]),  # beyond the first reach
        ]
    )
    points = shapely.points(spots)

    point, line, distance = _nearest_segments(streets, points)

    (want_point, want_line), want_distance = shapely.STRtree(streets).query_nearest(
        points, all_matches=True, return_distance=True
    )
    got = sorted(zip(point.tolist(), line.tolist(), distance.tolist(), strict=True))
    want = sorted(zip(want_point.tolist(), want_line.tolist(), want_distance.tolist(), strict=True))
    assert got == want


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=40))
def test_edges_come_in_the_order_networkx_lists_them(added: list[tuple[int, int]]) -> None:
    edges = [(a, b) for a, b in added if a != b]  # units never neighbour themselves
    graph: nx.Graph[int] = nx.Graph()
    graph.add_nodes_from(range(12))
    graph.add_edges_from(edges)

    ordered = _graph_order(np.array(edges, dtype=int).reshape(-1, 2), 12)

    assert [tuple(edge) for edge in ordered.tolist()] == list(graph.edges)


def test_units_on_unconnected_streets_are_linked_into_one_graph() -> None:
    streets = grid_streets(3, 3)
    lines = streets.geometry.to_numpy()
    streets.loc[0, "geometry"] = shapely.affinity.translate(lines[0], 3.0, 3.0)  # meets no street
    members = members_along(streets, 120, seed=4)

    units = build_units(grid_boundary(3, 3), streets, members, max_weight=40)

    assert nx.is_connected(units.graph)
    assert list(units.graph.edges) == [tuple(edge) for edge in units.edges.tolist()]
    assert units.graph.number_of_nodes() == len(units.frame)


def test_a_stray_part_joins_the_neighbour_with_the_longest_border_and_room() -> None:
    weights = [10, 30, 5]

    assert _receiver([0, 1, 2], [4.0, 9.0, 6.0], weights, 5, 40) == 1
    assert _receiver([0, 1, 2], [4.0, 9.0, 6.0], weights, 12, 40) == 2
    assert _receiver([1], [9.0], weights, 12, 40) is None
    assert _receiver([], [], weights, 1, 40) is None


def test_stray_parts_are_decided_as_one_by_one_in_part_order() -> None:
    """Parts without homes take their longest border at once; the others one by one, with the
    weights the parts before them left."""
    weight = np.array([38, 10, 35, 0])
    owner = np.array([3, 3, 3, 3, 3, 3])
    carried = np.array([0, 5, 0, 0, 5, 2])
    part = np.array([0, 0, 0, 1, 1, 2, 4, 4, 5])  # part 3 touches no other unit
    unit = np.array([0, 1, 2, 0, 2, 1, 2, 1, 2])
    shared = np.array([9.0, 9.0, 4.0, 8.0, 7.0, 3.0, 6.0, 1.0, 5.0])

    target = _receivers((part, unit, shared), owner, carried, weight, 40)

    weights, want = weight.tolist(), []
    for index in range(len(owner)):
        mine = part == index
        if not mine.any():
            want.append(int(owner[index]))
            continue
        homes = int(carried[index])
        chosen = _receiver(unit[mine].tolist(), shared[mine].tolist(), weights, homes, 40)
        if chosen is None:
            chosen = len(weight) + sum(value >= len(weight) for value in want)
        else:
            weights[chosen] += homes
        weights[int(owner[index])] -= homes
        want.append(chosen)
    assert target.tolist() == want
    assert target.tolist() == [0, 2, 1, 3, 1, 4]  # ties: the first found; full: a unit of its own


def test_line_ends_are_the_first_and_last_points_of_each_line() -> None:
    lines = np.array(
        [
            shapely.LineString([(0, 0), (1, 1), (2, 0)]),
            shapely.LineString([(5, 5), (6, 6)]),
            shapely.LineString([(9, 9), (8, 8), (7, 9), (9, 9)]),  # a loop: its ends meet
        ],
        dtype=object,
    )

    ends = _line_ends(lines)

    first = shapely.get_coordinates(shapely.get_point(lines, 0))
    last = shapely.get_coordinates(shapely.get_point(lines, -1))
    assert ends.tolist() == np.concatenate([first, last]).tolist()


def test_a_stray_part_no_neighbour_can_take_is_a_unit_of_its_own() -> None:
    streets, boundary = crooked_wijk(2, 3, seed=1)
    members = members_along(streets, 757, seed=1)
    members = members.loc[members.within(boundary)].iloc[:293].reset_index(drop=True)

    units = build_units(boundary, streets, members, max_weight=24)

    polygons = units.frame.geometry.to_numpy()
    assert (shapely.get_num_geometries(polygons) <= 1).all(), "every unit is one polygon"
    assert units.frame["weight"].max() <= 24
    assert units.frame["weight"].sum() == len(members)
    inside = shapely.covers(polygons[units.member_unit], members.geometry.to_numpy())
    assert inside.all(), "every member lies in the land of their own unit"


def test_parts_are_those_of_get_parts_with_single_lines_kept_as_they_are() -> None:
    chance = np.random.default_rng(8)
    shapes = np.array(
        [
            shapely.LineString(chance.random((3, 2))),
            shapely.MultiLineString([chance.random((2, 2)), chance.random((2, 2))]),
            shapely.LineString(),
            shapely.GeometryCollection([shapely.Point(1, 1), shapely.LineString([(0, 0), (1, 0)])]),
            shapely.LineString(chance.random((2, 2))),
        ]
        * 20,
        dtype=object,
    )

    parts, owner = _parts(shapes)

    want, want_owner = shapely.get_parts(shapes, return_index=True)
    assert owner.tolist() == want_owner.tolist()
    assert shapely.to_wkb(parts).tolist() == shapely.to_wkb(want).tolist()
    single = np.flatnonzero(shapely.get_type_id(shapes) == shapely.GeometryType.LINESTRING)
    assert all(parts[owner == i][0] is shapes[i] for i in single)  # not copied


def test_ring_coordinates_are_those_of_the_rings_taken_apart() -> None:
    holed = box(0, 0, 10, 10).difference(box(4, 4, 5, 5))
    polygon_sets = [
        [box(0, 0, 1, 1), shapely.Polygon(), holed],  # polygons only
        [box(0, 0, 1, 1), shapely.MultiPolygon([box(2, 2, 3, 3), holed]), shapely.Polygon()],
        [box(0, 0, 1, 1), shapely.GeometryCollection([box(2, 2, 3, 3)])],  # the plain way
        [shapely.LineString([(0, 0), (0, 1)])],  # only a line: no rings
    ]
    for shapes in polygon_sets:
        polygons = np.array(shapes, dtype=object)

        coords, ring, owner = _ring_coordinates(polygons)

        parts, part_owner = shapely.get_parts(polygons, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        want, want_ring = shapely.get_coordinates(rings, return_index=True)
        assert coords.tolist() == want.tolist()
        assert ring.tolist() == want_ring.tolist()
        assert owner.tolist() == part_owner[ring_part].tolist()


@pytest.mark.parametrize(
    ("west", "south"), [(180_000.0, 325_000.0), (-2_500.0, -40.0), (385_000.0, 6_672_000.0)]
)
def test_coordinate_keys_are_equal_and_ordered_as_the_pairs_to_the_centimetre(
    west: float, south: float
) -> None:
    # RD New, around the origin, UTM 35N (Helsinki): near-equal pairs and pairs across cm edges.
    rng = np.random.default_rng(5)
    base = np.column_stack([west + rng.uniform(0, 2_000, 400), south + rng.uniform(0, 2_000, 400)])
    near = base[rng.integers(0, 400, 300)] + rng.choice([0.0, 0.003, -0.004, 0.006], (300, 2))
    coords = np.concatenate([base, near, base[:50] * -1.0])
    keys = coordinate_keys(coords)
    rounded = np.round(coords, 2) + 0.0
    pairs = [tuple(p) for p in rounded.tolist()]
    assert (keys[:, None] == keys[None, :]).tolist() == [[p == q for q in pairs] for p in pairs]
    by_pair = np.lexsort((rounded[:, 1], rounded[:, 0]))
    assert np.array_equal(np.argsort(keys, kind="stable"), by_pair)
