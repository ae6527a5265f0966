"""Shortcuts of the partition give what the plain way gives: block graph, borders, sweeps.

The refinement's sweeps pass over blocks whose surroundings did not change since they had no
move, and a move tried and taken back restores the state exactly; both must leave the plan as
looking at every block would.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.partition import (
    _BARRIER_DISCOUNT,
    _COMPACT_SWEEPS,
    _TIGHTENING,
    _enforce_cap,
    _peel,
    _Refiner,
    area_count,
    block_graph,
    block_shapes,
    make_plan,
    tidy_areas,
)
from geo.units import Units, build_units, points_in
from tests.grids import crooked_wijk, grid_boundary, grid_streets, members_along


@pytest.fixture(scope="module")
def crooked() -> tuple[Units, int]:
    streets, boundary = crooked_wijk(12, 12, seed=7)  # one where a shortcut too many shows
    members = members_along(streets, 2500, seed=7)
    units = build_units(boundary, streets, members, max_weight=204)
    return units, area_count(len(members), max_members=255, fill=0.8)


class _LookingEverywhere(_Refiner):
    """The refinement without its shortcut: every sweep looks at every block."""

    looked = 0

    def move(self, block: int, own: int, targets: set[int]) -> list[int]:
        self.looked += 1
        return super().move(block, own, targets)

    def sweep(self, blocks: list[int]) -> list[int]:
        self.quiet.clear()
        return super().sweep(blocks)


class _Counting(_Refiner):
    looked = 0

    def move(self, block: int, own: int, targets: set[int]) -> list[int]:
        self.looked += 1
        return super().move(block, own, targets)


def test_block_graph_joins_the_blocks_whose_units_touch_in_the_order_they_first_do(
    crooked: tuple[Units, int],
) -> None:
    units, _ = crooked
    block_of, blocks, _, _ = block_graph(units)
    plain: nx.Graph[int] = nx.Graph()
    plain.add_nodes_from(range(blocks.number_of_nodes()))
    between = units.edges[block_of[units.edges[:, 0]] != block_of[units.edges[:, 1]]]
    plain.add_edges_from(map(tuple, block_of[between].tolist()))  # repeats and all
    assert [list(blocks.neighbors(n)) for n in blocks] == [list(plain.neighbors(n)) for n in plain]


def test_block_borders_sum_as_a_loop_over_the_unit_borders_would(
    crooked: tuple[Units, int],
) -> None:
    units, _ = crooked
    block_of, blocks, _, _ = block_graph(units)
    shape = block_shapes(units, block_of, blocks.number_of_nodes())
    borders = units.borders
    assert shape is not None and borders is not None
    plain: list[dict[int, float]] = [{} for _ in range(blocks.number_of_nodes())]
    cost = borders.metres - _BARRIER_DISCOUNT * borders.barrier_metres
    for (a, b), metres in zip(block_of[borders.pairs].tolist(), cost.tolist(), strict=True):
        if a != b:
            plain[a][b] = plain[a].get(b, 0.0) + metres
            plain[b][a] = plain[b].get(a, 0.0) + metres
    assert [list(d.items()) for d in shape.border] == [list(d.items()) for d in plain]


def test_sweeps_that_pass_over_quiet_blocks_move_what_looking_at_every_block_moves(
    crooked: tuple[Units, int],
) -> None:
    units, k = crooked
    block_of, blocks, weights, xy = block_graph(units)
    shape = block_shapes(units, block_of, len(weights))
    assert shape is not None
    peeled = _peel(blocks, weights, xy, k, nodes=set(blocks.nodes))
    start = _enforce_cap(blocks, peeled, weights, xy, max_members=255, fill=0.8)
    quick = _Counting(blocks, start.copy(), weights, shape, max_members=255)
    plain = _LookingEverywhere(blocks, start.copy(), weights, shape, max_members=255)
    for tolerance in (*_TIGHTENING, 0.2):  # narrowing, then wider again
        for refiner in (quick, plain):
            refiner.limit(tolerance)
            refiner.repair()
            for _ in range(_COMPACT_SWEEPS):
                if not refiner.sweep(refiner.boundary()):
                    break
        assert quick.label == plain.label
        assert quick.edge == plain.edge and quick.totals == plain.totals
    assert (quick.labels != start).any()  # the refinement did move blocks
    assert quick.looked < plain.looked  # and the shortcut passed over some


def test_a_move_tried_and_taken_back_leaves_no_trace(crooked: tuple[Units, int]) -> None:
    units, k = crooked
    block_of, blocks, weights, xy = block_graph(units)
    shape = block_shapes(units, block_of, len(weights))
    assert shape is not None
    labels = _peel(blocks, weights, xy, k, nodes=set(blocks.nodes))
    refiner = _Refiner(blocks, labels, weights, shape, max_members=255)
    before = (
        list(refiner.label), list(refiner.edge), list(refiner.land), list(refiner.totals),
        [set(g) for g in refiner.groups], list(refiner.stamp), refiner.clock,
    )  # fmt: skip
    tried = 0
    for block in refiner.boundary():
        own = refiner.label[block]
        target = next(refiner.label[n] for n in refiner.adjacency[block] if refiner.label[n] != own)
        saved = refiner.state(own, target)
        refiner.apply(block, target)
        refiner.undo(block, own, target, saved)
        tried += 1
    after = (
        refiner.label, refiner.edge, refiner.land, refiner.totals,
        refiner.groups, refiner.stamp, refiner.clock,
    )  # fmt: skip
    assert tried > 20
    assert after == before
    assert np.array_equal(refiner.labels, labels)


def test_points_in_finds_what_testing_each_point_against_the_polygons_finds(
    crooked: tuple[Units, int],
) -> None:
    units, _ = crooked
    polygons = units.frame.geometry.to_numpy()[:400]
    # Unit anchors (on the streets, so many on unit borders) and random points in the wijk.
    rng = np.random.default_rng(3)
    west, south, east, north = shapely.total_bounds(polygons)
    scattered = shapely.points(rng.uniform(west, east, 500), rng.uniform(south, north, 500))
    points = np.concatenate([shapely.points(units.frame[["x", "y"]].to_numpy()), scattered])
    point, polygon = points_in(points, polygons)
    plain_point, plain_polygon = shapely.STRtree(polygons).query(points, predicate="intersects")
    order = np.lexsort((plain_polygon, plain_point))
    assert len(point) > 500
    assert point.tolist() == plain_point[order].tolist()
    assert polygon.tolist() == plain_polygon[order].tolist()


@pytest.mark.parametrize("unknown", [None, float("nan")])
def test_a_piece_handed_over_where_households_are_unknown_keeps_them_unknown(
    unknown: float | None,
) -> None:
    # A plan without a register shows its households as unknown (stored NULL, NaN in a file):
    # sorting out a loose piece must not turn that into a number, nor fail on it.
    streets = grid_streets(4, 4)
    plan = make_plan(grid_boundary(4, 4), streets, members_along(streets, 300, seed=1), None,
                     max_members=120)  # fmt: skip
    areas = plan.areas.assign(households=pd.Series([unknown] * len(plan.areas), dtype=object))
    shapes = areas.geometry.to_numpy().copy()
    corner = shapes[1].representative_point()
    sliver = shapely.box(corner.x, corner.y, corner.x + 2, corner.y + 2)  # of area 2, to area 1
    shapes[1], shapes[0] = shapes[1].difference(sliver), shapes[0].union(sliver)
    tidy, _ = tidy_areas(areas.set_geometry(shapes, crs=areas.crs), plan.members, None,
                         max_members=120)  # fmt: skip
    assert tidy["households"].isna().all()
    assert shapely.area(tidy.geometry.to_numpy()).sum() == pytest.approx(
        shapely.area(areas.geometry.to_numpy()).sum()
    )
