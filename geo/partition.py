"""Balanced, contiguous areas under the WhatsApp cap, and incremental assignment.

Pure: GeoDataFrames in a metric CRS in, a :class:`Plan` out; no I/O.

Algorithm (on the unit graph of :mod:`geo.units`):

1. ``k`` = the fewest areas with at most ``fill × max_members`` members each.
2. Peel: ``k - 1`` times, start at the unit farthest from the remaining members' centre and
   grow a region outward (nearest unit first, along the graph) until it holds its share; pockets
   the region cuts off from the rest join it. Every region is connected by construction.
3. Balance: move a unit from an area to a neighbouring lighter area whenever that strictly
   narrows their difference, never past the cap and never disconnecting the giver; units without
   members move to the area whose centre is nearest (compactness).
4. Any area still over the cap is split the same way (never happens unless pockets piled up).

Incremental: :func:`assign` puts new members in the area whose polygon holds them; nobody
already placed moves, except in an area that passes the cap, which alone is split.

After every plan, split and assignment the output geometry is checked, not assumed from the
graph: :func:`tidy_areas` repairs areas, drops lines and dust, and joins loose pieces to the
neighbour with the longest shared border (pieces with members only within the cap and only
where members may move); :func:`measure` counts one-piece areas on the polygons themselves and
lists every area that is not one piece with the reason (a wijk in parts, a full neighbour).
Public names and street lists (:func:`label_areas`) come from the address register or the
street network, never from members' addresses.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import deque
from collections.abc import Collection, Container, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix, diags
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.sparse.linalg import cg
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from geo.errors import GeoError
from geo.units import NOT_WALKABLE, Units, build_units, dissolve, points_in, unit_borders
from geo.wording import decimal

_EPSILON_WEIGHT = 1e-3  # keeps weighted means defined for empty selections
_MAX_SWEEPS = 60
_RETRIES = 3  # times a block that would cut the rest is tried again while a region grows
_RETRY_PENALTY_M = 100.0
# Peels tried per plan: farthest block from the centre, then the four compass points.
_STARTS: tuple[float | None, ...] = (None, 0.0, math.pi / 2, math.pi, 3 * math.pi / 2)
# Above this many blocks (about 50,000 members) only the first starts are tried: each peel is
# O(areas × blocks), and the best of three is as balanced there as the best of five.
# When the refinement runs, two peels (farthest block, then from the west) and the seeded growth
# give the same plans as all five peels (bench: Helsinki demo and grids) at a third of the time.
_COMPACT_STARTS: tuple[float | None, ...] = (None, math.pi)
_MANY_BLOCKS = 5000
_STARTS_WHEN_MANY = 3
_DUST_M2 = 1e-6  # polygon pieces smaller than this are rounding dust, not land
_TOUCH_M = 0.05  # borders closer than this count as shared (cells do not always line up)
_NECK_M = 0.05  # a polygon narrower than this somewhere may fall apart when rounded to 1 cm
_CORE_M2 = 1e-4  # what is left of a polygon beyond a neck counts if it is larger than this
_MIN_STREET_IN_AREA_M = 10.0  # a street named in an area's list runs at least this far inside it
# Compactness refinement: sizes may drift this far from the mean (the rule is 3 %) ...
_BALANCE_TOLERANCE = 0.025
_MAX_DEVIATION = 0.03  # the balance rule of a fresh plan
_COMPACT_SWEEPS = 12
_REFINE_ALL_BLOCKS = 2500  # above this many blocks only the best start is refined, plainly
_TIGHTENING = (0.15, 0.10, 0.06, 0.04, _MAX_DEVIATION)
_MIN_GAIN = 1e-6
# ... and a border along a barrier (main road, railway, water) costs this much less per metre.
_BARRIER_DISCOUNT = 0.5
_LLOYD_ROUNDS = 8
_RESEEDS = 3
_DIFFUSION_ROUNDS = 10
_NUMBERED = re.compile(r" \(\d+\)$")  # the number unique_names gives a name
_FINE_BLOCK_SHARE = 0.12  # a typical member's block at most this share of an area: sizes tunable
_SEEDED = math.inf  # the start that grows all areas at once from k-means seeds


MIN_POLSBY_POPPER = 0.20  # below this an area is a snake: plan.json says why


class PlanError(GeoError, ValueError):
    """Input that no plan can be made from, or an edit that would break a rule (Dutch reason)."""


@dataclass
class Plan:
    """A plan: areas (polygons with figures), members with their area, and the measurements.

    ``areas`` and ``members`` are in the metric CRS of the input. ``outside`` holds members
    whose location is not inside the wijk.
    """

    areas: gpd.GeoDataFrame
    members: gpd.GeoDataFrame
    outside: gpd.GeoDataFrame
    metrics: dict[str, Any] = field(default_factory=dict)


def area_count(members: int, *, max_members: int, fill: float) -> int:
    """The fewest areas that keep every area at or under ``fill × max_members``."""
    return max(1, math.ceil(members / max(1, math.floor(fill * max_members))))


def make_plan(
    boundary: BaseGeometry,
    streets: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame | None = None,
    *,
    max_members: int = 255,
    fill: float = 0.8,
) -> Plan:
    """Split the wijk ``boundary`` into balanced, contiguous areas for ``members``.

    ``members`` are points with at least ``straat`` (and ``huisnummer``, ``beheerder`` when
    known); ``addresses`` are the register's households (used for polygons and coverage).
    """
    _check_inputs(boundary, max_members, fill)
    inside, outside = _split_inside(members, boundary)
    if inside.empty:
        msg = "geen enkele aanmelding ligt binnen de wijkgrens; klopt de grens, of de coördinaten?"
        raise PlanError(msg)
    addresses = _inside_only(addresses, boundary)
    per_area = max(1, math.floor(fill * max_members))
    units = build_units(boundary, streets, inside, addresses, max_weight=per_area)
    k = area_count(len(inside), max_members=max_members, fill=fill)
    labels = partition_units(units, k, max_members=max_members, fill=fill)
    areas, placed = _assemble(units, labels, inside, addresses, max_members=max_members)
    placed.insert(0, "member_id", np.arange(1, len(placed) + 1))
    areas, placed = tidy_areas(areas, placed, addresses, max_members=max_members)
    # A piece joined to another area can leave a border whose corners only one side has: match
    # them, so the borders round alike when written to a file (no slivers read back).
    areas = edge_match(areas)
    areas, placed = _refresh(areas, placed, max_members=max_members)
    areas = label_areas(areas, streets, addresses)
    plan = Plan(areas=areas, members=placed, outside=outside)
    plan.metrics = measure(
        plan,
        boundary=boundary,
        max_members=max_members,
        fill=fill,
        barriers=barrier_share(units, labels),
    )
    return plan


@dataclass
class AssignReport:
    """What an incremental assignment did."""

    added: int
    outside: int
    already_member: gpd.GeoDataFrame
    split: dict[int, list[int]]
    moved_existing: int


def assign(
    plan: Plan,
    new_members: gpd.GeoDataFrame,
    *,
    boundary: BaseGeometry,
    streets: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame | None = None,
    max_members: int = 255,
    fill: float = 0.8,
) -> tuple[Plan, AssignReport]:
    """Add ``new_members`` to the areas that hold them, without moving anyone already placed.

    An area that would pass ``max_members`` is split on its own (the part with most existing
    members keeps the area id and, if it is still there, the beheerder). Someone whose phone
    number is already in the plan is not added again.
    """
    _check_inputs(boundary, max_members, fill)
    known = set(plan.members["telefoon"].astype(str)) if "telefoon" in plan.members else set()
    repeat = (
        new_members["telefoon"].astype(str).isin(known)
        if "telefoon" in new_members
        else pd.Series(False, index=new_members.index)
    )
    fresh, outside = _split_inside(new_members.loc[~repeat.to_numpy()], boundary)
    homes = _inside_only(addresses, boundary)
    # Areas read back from a file can carry rounding dust: clean it without moving anyone.
    areas, known_members = tidy_areas(
        plan.areas, plan.members, homes, max_members=max_members, movable=()
    )
    area_index = containing_area(fresh, areas)
    fresh = fresh.assign(area_id=areas["area_id"].to_numpy()[area_index], is_beheerder=False)
    start = int(plan.members["member_id"].max()) + 1 if len(plan.members) else 1
    fresh.insert(0, "member_id", np.arange(start, start + len(fresh)))
    members = pd.concat([known_members, fresh], ignore_index=True)
    before = members["area_id"].copy()
    split: dict[int, list[int]] = {}
    counts = members["area_id"].value_counts()
    for area_id in sorted(int(a) for a in counts.index[counts.to_numpy() > max_members]):
        areas, members, new_ids = _split_area(
            areas,
            members,
            area_id,
            first_new_id=start,
            streets=streets,
            addresses=homes,
            max_members=max_members,
            fill=fill,
        )
        split[area_id] = new_ids
    changed = {a for ids in split.values() for a in ids}
    areas, members = tidy_areas(areas, members, homes, max_members=max_members, movable=changed)
    areas = edge_match(areas)  # new corners of splits, and borders read back from a file
    areas, members = _refresh(areas, members, max_members=max_members)
    areas = label_areas(areas, streets, homes, keep_names=names_by_id(plan.areas))
    existing = np.arange(len(plan.members))
    moved = int((members["area_id"].to_numpy()[existing] != before.to_numpy()[existing]).sum())
    updated = Plan(
        areas=areas,
        members=gpd.GeoDataFrame(members, geometry="geometry", crs=plan.members.crs),
        outside=pd.concat([plan.outside, outside], ignore_index=True),
    )
    kept = plan.metrics.get("barrier_border_m"), plan.metrics.get("barrier_share_pct")
    updated.metrics = measure(
        updated,
        boundary=boundary,
        max_members=max_members,
        fill=fill,
        barriers=(
            (float(kept[0]), float(kept[1]) / 100)
            if not split and kept[0] is not None and kept[1] is not None
            else None
        ),
    )
    report = AssignReport(
        added=len(fresh),
        outside=len(outside),
        already_member=new_members.loc[repeat.to_numpy()],
        split=split,
        moved_existing=moved,
    )
    return updated, report


def split_area(
    plan: Plan,
    area_id: int,
    *,
    streets: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame | None = None,
    max_members: int = 255,
    fill: float = 0.8,
) -> tuple[Plan, list[int]]:
    """Split one area into balanced, contiguous parts on a planner's request; nothing else moves.

    Returns the new plan and the ids of the parts (the part that keeps the beheerder keeps
    ``area_id``).
    """
    if area_id not in set(plan.areas["area_id"].astype(int)):
        msg = f"gebied {area_id} bestaat niet"
        raise PlanError(msg)
    if int((plan.members["area_id"] == area_id).sum()) < 2:
        msg = f"gebied {area_id} heeft te weinig leden om te splitsen"
        raise PlanError(msg)
    first_new = int(plan.members["member_id"].max()) + 1
    areas, members, parts = _split_area(
        plan.areas,
        pd.DataFrame(plan.members),
        area_id,
        first_new_id=first_new,
        streets=streets,
        addresses=addresses,
        max_members=max_members,
        fill=fill,
    )
    areas, members = tidy_areas(
        areas, members, addresses, max_members=max_members, movable=set(parts)
    )
    areas = edge_match(areas)
    areas, members = _refresh(areas, members, max_members=max_members)
    areas = label_areas(areas, streets, addresses, keep_names=names_by_id(plan.areas))
    members = gpd.GeoDataFrame(members, geometry="geometry", crs=plan.members.crs)
    return Plan(areas=areas, members=members, outside=plan.outside), parts


def containing_area(points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> np.ndarray:
    """Position (in ``areas``) of the area holding each point; on a border the first one.

    Points just outside every area (rounding at the wijk edge) get the nearest area.
    """
    polygons, located = areas.geometry.to_numpy(), points.geometry.to_numpy()
    point_index, area_index = points_in(located, polygons)
    result = np.full(len(points), -1)
    result[point_index[::-1]] = area_index[::-1]
    missing = np.flatnonzero(result < 0)
    if len(missing):  # on the wijk edge, between rounding errors: nearest area
        tree = shapely.STRtree(polygons)
        result[missing] = tree.query_nearest(located[missing], all_matches=False)[1]
    return result


def _split_area(
    areas: gpd.GeoDataFrame,
    members: pd.DataFrame,
    area_id: int,
    *,
    first_new_id: int,
    streets: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame | None,
    max_members: int,
    fill: float,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, list[int]]:
    """Split one area into balanced parts; nothing outside it changes.

    The part with the old beheerder (else the one with most members placed before this round,
    ``member_id < first_new_id``) keeps ``area_id``.
    """
    row = areas.index[areas["area_id"] == area_id][0]
    polygon = areas.geometry.loc[row]
    in_area = np.flatnonzero(members["area_id"].to_numpy() == area_id)
    people = gpd.GeoDataFrame(
        members.iloc[in_area].reset_index(drop=True), geometry="geometry", crs=areas.crs
    )
    homes = (
        addresses.loc[addresses.within(polygon)].reset_index(drop=True)
        if addresses is not None
        else None
    )
    per_area = max(1, math.floor(fill * max_members))
    units = build_units(polygon, streets, people, homes, max_weight=per_area)
    parts = max(2, area_count(len(people), max_members=max_members, fill=fill))
    labels = partition_units(units, parts, max_members=max_members, fill=fill)
    next_id = int(areas["area_id"].max()) + 1
    pieces, placed = _assemble(
        units,
        labels,
        people.drop(columns=["area_id", "is_beheerder"]),
        homes,
        max_members=max_members,
        first_id=next_id,
    )
    # Loose pieces of a part join a sibling part first: nothing outside the area changes.
    pieces, placed = tidy_areas(pieces, placed, homes, max_members=max_members)
    was_beheerder = people["is_beheerder"].to_numpy(dtype=bool)
    keeper = int(
        pd.Series(placed["area_id"].to_numpy()[people["member_id"].notna().to_numpy()])
        .value_counts()
        .index[0]
    )
    if (
        was_beheerder.any()
    ):  # the old beheerder keeps the role if still in the part that keeps the id
        keeper = int(placed["area_id"].to_numpy()[was_beheerder][0])
        placed.loc[placed["area_id"].to_numpy() == keeper, "is_beheerder"] = was_beheerder[
            placed["area_id"].to_numpy() == keeper
        ]
    renumber = {keeper: area_id}
    renumber.update(
        {old: next_id + i for i, old in enumerate(sorted(set(pieces["area_id"]) - {keeper}))}
    )
    pieces["area_id"] = pieces["area_id"].map(renumber)
    members = members.copy()
    members.loc[members.index[in_area], "area_id"] = placed["area_id"].map(renumber).to_numpy()
    members.loc[members.index[in_area], "is_beheerder"] = placed["is_beheerder"].to_numpy()
    areas = pd.concat([areas.drop(index=row), pieces], ignore_index=True).sort_values(
        "area_id", ignore_index=True
    )
    return (
        gpd.GeoDataFrame(areas, geometry="geometry", crs=pieces.crs),
        members,
        sorted(renumber.values()),
    )


def _refresh(
    areas: gpd.GeoDataFrame, members: pd.DataFrame, *, max_members: int
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Recount members, name new beheerders where an area had none, and recompute neighbours."""
    areas = areas.copy()
    counts = members["area_id"].value_counts()
    areas["members"] = [int(counts.get(a, 0)) for a in areas["area_id"]]
    areas["capacity_left"] = max_members - areas["members"]
    led = set(members.loc[members["is_beheerder"].fillna(False).astype(bool), "area_id"])
    leaderless = members.loc[~members["area_id"].isin(led)]
    chosen = choose_beheerders(gpd.GeoDataFrame(leaderless, geometry="geometry"))
    members.loc[list(chosen.values()), "is_beheerder"] = True
    without = ~areas["area_id"].isin(led)
    areas.loc[without, "beheerder_needed"] = ~areas.loc[without, "area_id"].isin(list(chosen))
    areas["neighbours"] = area_neighbours(areas)
    return areas, members


def _check_inputs(boundary: BaseGeometry, max_members: int, fill: float) -> None:
    if max_members < 1:
        msg = f"het maximum aantal leden per groep moet minstens 1 zijn, niet {max_members}"
        raise PlanError(msg)
    if not 0 < fill <= 1:
        msg = f"de vulgraad moet tussen 0 en 1 liggen, niet {fill}"
        raise PlanError(msg)
    if (
        boundary is None
        or boundary.geom_type not in {"Polygon", "MultiPolygon"}
        or boundary.area <= 0
    ):
        kind = "niets" if boundary is None else boundary.geom_type
        msg = f"de wijkgrens moet een vlak (polygoon) zijn, niet {kind}"
        raise PlanError(msg)


def _split_inside(
    members: gpd.GeoDataFrame, boundary: BaseGeometry
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    shapely.prepare(boundary)  # the first argument of the test below: GEOS uses it prepared
    within = shapely.contains(boundary, members.geometry.to_numpy())
    return members.loc[within].reset_index(drop=True), members.loc[~within].reset_index(drop=True)


def _inside_only(
    addresses: gpd.GeoDataFrame | None, boundary: BaseGeometry
) -> gpd.GeoDataFrame | None:
    if addresses is None or addresses.empty:
        return None
    shapely.prepare(boundary)
    inside = shapely.contains(boundary, addresses.geometry.to_numpy())
    return addresses.loc[inside].reset_index(drop=True)


# --- the partition -------------------------------------------------------------------------


def partition_units(
    units: Units, k: int, *, max_members: int, fill: float, compact: bool = True
) -> np.ndarray:
    """Area label (0..) per unit: ``k`` connected, balanced areas, none over ``max_members``.

    The work happens on blocks: every unit with members plus the member-less units (paths,
    empty streets) nearest to it along the street graph. Blocks are connected, so areas made
    of neighbouring blocks are too, and every move between areas moves real members. With
    ``compact`` (and the units' borders measured) the peels are refined, in their rank once
    compacted, for compact areas whose borders follow barriers (:func:`_refine`) until one
    ends neither off balance nor a snake; the other starts only when none does. On many
    blocks there is time for one refinement: of the regions grown together
    (:func:`_even_out`), with a peel to fall back on.
    """
    block_of, blocks, weights, xy = block_graph(units)
    shape = block_shapes(units, block_of, len(weights)) if compact else None

    def begin(start: float | None) -> np.ndarray:
        if start is _SEEDED:
            labels = _grow_together(blocks, weights, xy, k)
            labels = (
                _even_out(blocks, labels, weights, shape, max_members=max_members)
                if shape is not None
                else _balance(blocks, labels, weights, xy, max_members=max_members)
            )
        else:
            labels = _peel(blocks, weights, xy, k, nodes=set(blocks.nodes), start=start)
            labels = _balance(blocks, labels, weights, xy, max_members=max_members)
        return _enforce_cap(blocks, labels, weights, xy, max_members=max_members, fill=fill)

    edges = np.array(blocks.edges, dtype=int).reshape(-1, 2)

    def score(labels: np.ndarray) -> tuple[float, ...]:
        return _score(labels, weights, xy, shape, areas=k, edges=edges)

    if shape is None:
        starts = _STARTS if len(weights) <= _MANY_BLOCKS else _STARTS[:_STARTS_WHEN_MANY]
        unshaped: np.ndarray = min(map(begin, starts), key=score)[block_of]
        return unshaped

    fine = _fine_blocks(weights, k)

    def refine(labels: np.ndarray) -> tuple[tuple[float, ...], np.ndarray]:
        refined = _refine(blocks, labels, weights, shape, max_members=max_members, exchange=fine)
        return score(refined), refined

    def settled() -> bool:  # all areas, neither off balance nor a snake
        return not any(candidates[0][0][:3])

    if len(weights) > _REFINE_ALL_BLOCKS:
        # Many blocks: regions grown together and evened out across the plan are compact at
        # any size, and refining one candidate is all the time there is; a peel, only
        # compacted, when they end off balance or with a snake, or when blocks are too coarse
        # for a refinement to bring the sizes within 3 % (it would spend its time in vain).
        candidates: list[tuple[tuple[float, ...], np.ndarray]] = (
            [refine(begin(_SEEDED))] if fine else []
        )
        if not candidates or not settled():
            peeled = _compact(
                blocks, begin(_COMPACT_STARTS[0]), weights, shape, max_members=max_members
            )
            candidates = sorted([*candidates, (score(peeled), peeled)], key=lambda c: c[0])
        large: np.ndarray = candidates[0][1][block_of]
        return large

    # Refining is the dear part: the peels first, refined until one settles (on real streets
    # and grids one does), in the rank a plain compaction gives them: as peeled, the one that
    # refines best can look the worse (bench: the Helsinki demo); the regions grown together
    # only when neither settles, and then the other starts.
    def compacted(labels: np.ndarray) -> tuple[float, ...]:
        return score(_compact(blocks, labels, weights, shape, max_members=max_members))

    peels = sorted(
        ((compacted(labels), labels) for labels in map(begin, _COMPACT_STARTS)), key=lambda c: c[0]
    )
    candidates = []
    for _, labels in peels:
        candidates = sorted([*candidates, refine(labels)], key=lambda c: c[0])
        if settled():
            break
    if not settled():
        candidates = sorted([*candidates, refine(begin(_SEEDED))], key=lambda c: c[0])
    if not settled():
        others = [start for start in _STARTS if start not in _COMPACT_STARTS]
        fresh = [refine(begin(start)) for start in others]
        candidates = sorted([*candidates, *fresh], key=lambda c: c[0])
    per_unit: np.ndarray = candidates[0][1][block_of]
    return per_unit


def _score(
    labels: np.ndarray,
    weights: np.ndarray,
    xy: np.ndarray,
    shape: BlockShapes | None = None,
    *,
    areas: int,
    edges: np.ndarray,
) -> tuple[float, ...]:
    """Broken rules first: areas missing of ``areas`` (a growth that ran out of blocks early:
    fewer, fuller groups leave less room to grow) and areas in more than one piece along
    ``edges`` (the block graph); then the largest distance from the mean size (when shapes
    are known: only beyond :data:`_MAX_DEVIATION`, then no area under
    :data:`MIN_POLSBY_POPPER`, then the least compactness cost), then spread around the
    centres."""
    count = len(np.unique(labels))
    broken = float(max(0, areas - count) + _pieces(edges, labels) - count)
    totals = np.bincount(labels, weights=weights)
    centres = _centres(labels, weights, xy)
    inertia = float((weights * ((xy - centres[labels]) ** 2).sum(axis=1)).sum())
    deviation = float(np.abs(totals - totals.mean()).max())
    if shape is None:
        return broken, deviation, inertia
    beyond = max(0.0, deviation - _MAX_DEVIATION * float(totals.mean()))
    thinnest = float(shape.polsby_popper(labels).min())
    snake = max(0.0, MIN_POLSBY_POPPER - thinnest)  # how far below the floor
    return broken, beyond, snake, shape.cost(labels), deviation, inertia


def _pieces(edges: np.ndarray, labels: np.ndarray) -> int:
    """Connected pieces of all areas together (one per area when every area is whole)."""
    same = labels[edges[:, 0]] == labels[edges[:, 1]]
    inside = coo_matrix(
        (np.ones(int(same.sum())), (edges[same, 0], edges[same, 1])),
        shape=(len(labels), len(labels)),
    )
    return int(connected_components(inside, directed=False)[0])


@dataclass
class BlockShapes:
    """Per block its land (m²) and edge of the wijk (m); per pair of blocks their border.

    ``border[b]`` maps each touching block to the border's cost in metres: its length, less
    :data:`_BARRIER_DISCOUNT` of the part that runs along a barrier. ``pairs`` (``m × 2``, a
    pair of blocks can repeat) touch along ``metres`` of border, which costs ``costs``.
    """

    area: np.ndarray
    outer: np.ndarray
    border: list[dict[int, float]]
    pairs: np.ndarray
    metres: np.ndarray
    costs: np.ndarray

    def polsby_popper(self, labels: np.ndarray) -> np.ndarray:
        """Polsby–Popper (4π·land / perimeter²) per label, as the areas' polygons will have."""
        land, edge = self.perimeters(labels, full=True)
        present = np.bincount(labels, minlength=len(land)) > 0
        return np.asarray((4 * math.pi * land / np.maximum(edge, 1e-9) ** 2)[present])

    def perimeters(
        self, labels: np.ndarray, *, full: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Land and perimeter per label: borders barrier-discounted, or with ``full`` at their
        full length."""
        count = int(labels.max()) + 1
        land = np.bincount(labels, weights=self.area, minlength=count)
        edge = np.bincount(labels, weights=self.outer, minlength=count)
        a, b = labels[self.pairs[:, 0]], labels[self.pairs[:, 1]]
        cut = a != b
        border = (self.metres if full else self.costs)[cut]
        edge += np.bincount(a[cut], weights=border, minlength=count)
        edge += np.bincount(b[cut], weights=border, minlength=count)
        return land, edge

    def cost(self, labels: np.ndarray) -> float:
        """Sum over areas of perimeter² / land: 4π / Polsby–Popper, so thin areas weigh most."""
        land, edge = self.perimeters(labels)
        return float(_thinness(edge, land).sum())


def _thinness(edge: Any, land: Any) -> Any:
    """(perimeter² / land)²: the square of 4π / Polsby–Popper, so the thinnest area weighs most."""
    return (edge**2 / np.maximum(land, 1.0)) ** 2


def _thin(edge: float, land: float) -> float:
    """:func:`_thinness` of one area, in plain floats (the refinement's inner loop)."""
    ratio = edge * edge / (land if land > 1.0 else 1.0)
    return ratio * ratio


def block_shapes(units: Units, block_of: np.ndarray, count: int) -> BlockShapes | None:
    """The measurements :func:`_compact` works with, from the units' shared borders."""
    borders = units.borders
    if borders is None:
        return None
    land = shapely.area(units.frame.geometry.to_numpy())
    area = np.bincount(block_of, weights=land, minlength=count)
    outer = np.bincount(block_of, weights=borders.outer, minlength=count)
    a, b = block_of[borders.pairs[:, 0]], block_of[borders.pairs[:, 1]]
    cost = borders.metres - _BARRIER_DISCOUNT * borders.barrier_metres
    between = a != b
    pairs = np.stack([a[between], b[between]], axis=1)
    # Border per ordered pair of blocks, both ways; each block's neighbours in the order its
    # borders first appear (sums in that order too, as a loop over the pairs would add them).
    source, target = pairs.ravel(), pairs[:, ::-1].ravel()
    first, which = np.unique(source * count + target, return_index=True, return_inverse=True)[1:]
    metres = np.bincount(which, weights=np.repeat(cost[between], 2))
    order = np.argsort(first, kind="stable")
    border: list[dict[int, float]] = [{} for _ in range(count)]
    for x, y, length in zip(
        source[first[order]].tolist(),
        target[first[order]].tolist(),
        metres[order].tolist(),
        strict=True,
    ):
        border[x][y] = length
    return BlockShapes(area, outer, border, pairs, borders.metres[between], cost[between])


def barrier_share(units: Units, labels: np.ndarray) -> tuple[float, float] | None:
    """Border between areas (m) and the share of it that runs along a barrier (0..1).

    ``None`` when the units' borders are unknown; a share of 0 when there is no border.
    """
    borders = units.borders
    if borders is None:
        return None
    cut = labels[borders.pairs[:, 0]] != labels[borders.pairs[:, 1]]
    total = float(borders.metres[cut].sum())
    along = float(borders.barrier_metres[cut].sum())
    return total, along / total if total > 0 else 0.0


def _deviation(labels: np.ndarray, weights: np.ndarray) -> float:
    """Largest distance of an area's size from the mean, as a share of the mean."""
    totals = np.bincount(labels, weights=weights)
    return float(np.abs(totals - totals.mean()).max() / max(totals.mean(), 1e-9))


def _fine_blocks(weights: np.ndarray, areas: int) -> bool:
    """Whether the blocks are fine enough to tune ``areas`` sizes within 3 %: the block of a
    typical member (the member-weighted median) holds at most :data:`_FINE_BLOCK_SHARE` of an
    area. Coarser blocks (a dense city grid, a street of flats) leave a refinement nothing to
    tune but time to spend."""
    order = np.sort(weights)
    total = np.cumsum(order)
    if len(total) == 0 or total[-1] <= 0:
        return True
    typical = float(order[np.searchsorted(total, total[-1] / 2)])
    return typical <= _FINE_BLOCK_SHARE * float(total[-1]) / max(1, areas)


def _refine(
    graph: nx.Graph[int],
    labels: np.ndarray,
    weights: np.ndarray,
    shape: BlockShapes,
    *,
    max_members: int,
    exchange: bool = True,
) -> np.ndarray:
    """Compact areas, with the sizes first free within the first of :data:`_TIGHTENING` (so a
    snake can straighten) and brought back step by step to :data:`_MAX_DEVIATION` (or the
    deviation the plan already had), with ``exchange`` the last steps also by exchanging
    blocks; if they cannot all be brought back, only compacted within
    :data:`_BALANCE_TOLERANCE`."""
    start = _deviation(labels, weights)
    refiner = _Refiner(graph, labels.copy(), weights, shape, max_members=max_members)
    for tolerance in (*_TIGHTENING, max(start, _MAX_DEVIATION)):
        refiner.limit(tolerance)
        refiner.exchange = exchange and tolerance <= _MAX_DEVIATION  # the fine tuning
        refiner.repair()
        refiner.compact()
        if tolerance <= _MAX_DEVIATION and refiner.in_range():
            return refiner.labels
    if refiner.in_range():
        return refiner.labels
    return _compact(graph, labels, weights, shape, max_members=max_members)


def _even_out(
    graph: nx.Graph[int],
    labels: np.ndarray,
    weights: np.ndarray,
    shape: BlockShapes,
    *,
    max_members: int,
) -> np.ndarray:
    """Sizes of regions grown together brought towards the mean by :meth:`_Refiner.diffuse`:
    unlike :func:`_balance`, which only moves blocks to a lighter neighbour, it passes members
    on through areas of about the right size, and it keeps the regions' compact shapes."""
    refiner = _Refiner(graph, labels.copy(), weights, shape, max_members=max_members)
    refiner.limit(_MAX_DEVIATION)
    refiner.diffuse()
    return refiner.labels


def _compact(
    graph: nx.Graph[int],
    labels: np.ndarray,
    weights: np.ndarray,
    shape: BlockShapes,
    *,
    max_members: int,
    tolerance: float = _BALANCE_TOLERANCE,
) -> np.ndarray:
    """Move boundary blocks (alone, or swapped for a nearby block of the receiver) while that
    lowers the compactness cost (:meth:`BlockShapes.cost`).

    Every move keeps both areas connected, within the cap and each size within
    :data:`_BALANCE_TOLERANCE` of the mean (or no farther from it than the largest deviation
    already was).
    """
    refiner = _Refiner(graph, labels.copy(), weights, shape, max_members=max_members)
    refiner.limit(max(tolerance, _deviation(labels, weights)))
    refiner.compact()
    return refiner.labels


class _Refiner:
    """Working state of :func:`_compact`: labels, sizes, land and perimeter per area.

    The inner loops run millions of times on large wijken: the state is kept in plain Python
    lists (adjacency lists, labels, sizes), which index several times faster than numpy
    arrays or networkx views; :attr:`labels` gives the numpy labels back.
    """

    def __init__(
        self,
        graph: nx.Graph[int],
        labels: np.ndarray,
        weights: np.ndarray,
        shape: BlockShapes,
        *,
        max_members: int,
    ) -> None:
        self.shape, self.max_members = shape, max_members
        self.adjacency = [list(graph.neighbors(n)) for n in range(len(labels))]
        self.edges = _edge_array(self.adjacency)
        self.label: list[int] = labels.tolist()
        self.weights: list[float] = weights.astype(float).tolist()
        self.block_area: list[float] = shape.area.astype(float).tolist()
        self.block_outer: list[float] = shape.outer.astype(float).tolist()
        count = int(labels.max()) + 1
        self.totals = np.bincount(labels, weights=weights, minlength=count).astype(float).tolist()
        self.mean = float(np.mean(self.totals))
        self.low, self.high = 0.0, float(max_members)
        self.exchange = True  # whether a repair may exchange blocks (:meth:`repair_by_swap`)
        land, edge = shape.perimeters(labels)
        self.land: list[float] = land.tolist()
        self.edge: list[float] = edge.tolist()
        self.groups = [set(np.flatnonzero(labels == a).tolist()) for a in range(count)]
        # A sweep passes over a block that had no move when it was last looked at, as long as
        # neither its area nor a touching one changed since (moves counted by ``clock``, each
        # area stamped with the last move in or out) and the size range only narrowed.
        self.clock = 0
        self.stamp = [0] * count
        self.quiet: dict[int, int] = {}

    @property
    def labels(self) -> np.ndarray:
        return np.array(self.label)

    def boundary(self) -> list[int]:
        """Blocks with a neighbour in another area, in index order."""
        return _boundary_nodes(self.edges, self.labels)

    def limit(self, tolerance: float) -> None:
        """Sizes from now on within ``tolerance`` (a share) of the mean, and under the cap."""
        low = self.mean * (1 - tolerance) - 1e-9
        high = min(self.mean * (1 + tolerance) + 1e-9, float(self.max_members))
        if low < self.low or high > self.high:
            self.quiet.clear()  # a wider range can allow moves a sweep found none of
        self.low, self.high = low, high

    def in_range(self) -> bool:
        return all(self.low <= total <= self.high for total in self.totals)

    def compact(self) -> None:
        """Sweeps over the blocks on area borders until no move lowers the cost."""
        for _ in range(_COMPACT_SWEEPS):
            if not self.sweep(self.boundary()):
                break

    def diffuse(self, rounds: int = _DIFFUSION_ROUNDS) -> None:
        """Even out sizes across the whole plan: the least-squares flow of members between
        touching areas that levels every area to the mean (the areas' graph Laplacian solved
        for the excess), then along each flow, largest first, the most compact border blocks
        that carry it. Repeated while sizes are off and the farthest area comes nearer; single
        blocks are coarse, so :meth:`repair` finishes."""
        worst = self.worst()
        for _ in range(rounds):
            if self.in_range():
                return
            givers, takers, amounts = self.flows()
            for giver, taker, amount in zip(givers, takers, amounts, strict=True):
                left = amount
                while left > 0 and (block := self.carrier(giver, taker, left)) is not None:
                    self.apply(block, taker)
                    left -= self.weights[block]
            if self.worst() >= worst - 1e-9:
                return  # the farthest area came no nearer: what is left is for the repair
            worst = self.worst()

    def worst(self) -> float:
        """The largest distance of an area's size from the mean."""
        return float(max(abs(total - self.mean) for total in self.totals))

    def flows(self) -> tuple[list[int], list[int], list[float]]:
        """Giver, taker and members to pass for every pair of touching areas, largest first."""
        count, labels = len(self.totals), self.labels
        a, b = labels[self.edges[:, 0]], labels[self.edges[:, 1]]
        cut = a != b
        pairs = np.unique(np.minimum(a[cut], b[cut]) * count + np.maximum(a[cut], b[cut]))
        first, second = pairs // count, pairs % count
        touching = coo_matrix((np.ones(len(pairs)), (first, second)), shape=(count, count))
        touching = (touching + touching.T).tocsr()
        laplacian = diags(np.asarray(touching.sum(axis=1)).ravel()) - touching
        # Members flow only between areas that touch: each group of touching areas levels
        # to its own mean (for one group, the plan's), so the equations always have a solution.
        _, group = connected_components(touching, directed=False)
        totals = np.array(self.totals)
        level = np.bincount(group, weights=totals) / np.bincount(group)
        potential = cg(laplacian, totals - level[group], maxiter=10 * count)[0]
        if not np.isfinite(potential).all():
            return [], [], []
        flow = potential[first] - potential[second]  # > 0: from first to second
        order = np.argsort(-np.abs(flow), kind="stable")
        order = order[np.abs(flow[order]) >= 0.5]
        givers = np.where(flow > 0, first, second)[order]
        takers = np.where(flow > 0, second, first)[order]
        return givers.tolist(), takers.tolist(), np.abs(flow[order]).tolist()

    def carrier(self, giver: int, taker: int, amount: float) -> int | None:
        """The most compact block of ``giver`` on its border with ``taker`` to pass on: not
        more than twice ``amount`` (it would overshoot more than it helps), within the cap,
        leaving ``giver`` connected (checked last: it is the dear test)."""
        options: list[tuple[float, int]] = []
        for block in sorted(self.groups[giver]):
            weight = self.weights[block]
            if not 0 < weight <= 2 * amount or self.totals[taker] + weight > self.max_members:
                continue
            if any(self.label[n] == taker for n in self.adjacency[block]):
                options.append((-self.gain(block, taker), block))
        options.sort()  # the best first; of equals, the lowest block
        return next((block for _, block in options if self.movable(block)), None)

    def excess(self, total: float) -> float:
        return max(0.0, total - self.high) + max(0.0, self.low - total)

    def repair(self) -> None:
        """Bring areas outside the size range back into it, one block at a time, each time the
        move that costs least compactness among those that narrow the excess; where no single
        block fits the gap, a block exchanged for a lighter one (:meth:`repair_by_swap`)."""
        for _ in range(_COMPACT_SWEEPS):
            order = np.argsort(-np.array(self.totals)).tolist()
            outside = [area for area in order if self.excess(self.totals[area]) > 0]
            progress = False
            for area in outside:
                while self.excess(self.totals[area]) > 0 and (
                    self.repair_area(area) or (self.exchange and self.repair_by_swap(area))
                ):
                    progress = True
            if not progress:
                return

    def repair_by_swap(self, area: int) -> bool:
        """Narrow the excess of ``area`` by passing a block to (or taking one from) a
        neighbouring area and a lighter block back: the exchange moves only their difference,
        finer than any single block. The best such exchange for compactness; whether one was
        made."""
        heavy = self.totals[area] > self.high
        label, totals = self.label, self.totals
        best: tuple[float, int, int, int, int] | None = None
        others = {label[n] for block in self.groups[area] for n in self.adjacency[block]}
        for other in sorted(others - {area}):
            giver, taker = (area, other) if heavy else (other, area)
            before = self.excess(totals[giver]) + self.excess(totals[taker])
            for block in sorted(self.groups[giver]):
                touching = any(label[n] == taker for n in self.adjacency[block])
                if not touching or not self.movable(block):
                    continue
                first = self.gain(block, taker)
                saved = self.state(giver, taker)
                self.apply(block, taker)
                best = self.best_return(best, block, giver, taker, before=before, first=first)
                self.undo(block, giver, taker, saved)
        if best is None:
            return False
        _, block, taker, back, giver = best
        self.apply(block, taker)
        self.apply(back, giver)
        return True

    def best_return(
        self,
        best: tuple[float, int, int, int, int] | None,
        block: int,
        giver: int,
        taker: int,
        *,
        before: float,
        first: float,
    ) -> tuple[float, int, int, int, int] | None:
        """``best`` or, with ``block`` just moved from ``giver`` to ``taker``, the block of
        ``taker`` that going back leaves the two areas' excess narrower than ``before``."""
        totals, weight = self.totals, self.weights[block]
        for back in sorted(self.groups[taker]):
            net = weight - self.weights[back]
            if back == block or net <= 0:
                continue
            given, taken = totals[giver] + self.weights[back], totals[taker] - self.weights[back]
            if taken > self.max_members or given > self.max_members:
                continue
            if self.excess(given) + self.excess(taken) >= before - 1e-9:
                continue
            if not any(self.label[n] == giver for n in self.adjacency[back]):
                continue
            value = first + self.gain(back, giver)
            if (best is None or value > best[0]) and self.movable(back):
                best = (value, block, taker, back, giver)
        return best

    def repair_area(self, area: int) -> bool:
        """Make the best narrowing move into or out of ``area``; whether one was made."""
        best: tuple[float, int, int] | None = None
        label = self.label
        for block in self.groups[area]:
            for other in self.adjacency[block]:
                where = label[other]
                if where != area:
                    best = self.better_move(best, block, area, where)
                    best = self.better_move(best, other, where, area)
        if best is None:
            return False
        self.apply(best[1], best[2])
        return True

    def better_move(
        self, best: tuple[float, int, int] | None, block: int, giver: int, taker: int
    ) -> tuple[float, int, int] | None:
        """``best`` or the move of ``block`` from ``giver`` to ``taker``, whichever is better
        (the move only if it narrows the excess of the two areas and keeps them connected)."""
        weight = self.weights[block]
        totals = self.totals
        if totals[taker] + weight > self.max_members:
            return best
        before = self.excess(totals[giver]) + self.excess(totals[taker])
        after = self.excess(totals[giver] - weight) + self.excess(totals[taker] + weight)
        if after >= before - 1e-9:
            return best
        value = self.gain(block, taker)
        if best is not None and value <= best[0]:
            return best
        return (value, block, taker) if self.movable(block) else best

    def sweep(self, blocks: list[int]) -> list[int]:
        """One pass over ``blocks``; returns the blocks that moved."""
        moves: list[int] = []
        label, stamp, quiet = self.label, self.stamp, self.quiet
        for block in blocks:
            own = label[block]
            targets = {label[n] for n in self.adjacency[block]}
            targets.discard(own)
            if not targets:
                continue
            seen = quiet.get(block, -1)
            if stamp[own] <= seen and all(stamp[t] <= seen for t in targets):
                continue  # nothing it depends on changed since it had no move
            now = self.clock
            moved = self.move(block, own, targets)
            moves += moved
            if not moved:  # (a move tried and taken back left the clock as it was)
                quiet[block] = now
        return moves

    def move(self, block: int, own: int, targets: set[int]) -> list[int]:
        """Move ``block`` to the best of ``targets`` (alone, or swapped for a block there) if
        that lowers the cost; the blocks that moved."""
        options = sorted(((self.gain(block, t), t) for t in targets), reverse=True)
        if options[0][0] <= _MIN_GAIN or not self.movable(block):
            return []
        for value, target in options:
            if value <= _MIN_GAIN:
                break
            if self.fits(own, target, self.weights[block]):
                self.apply(block, target)
                return [block]
            partner = self.swap(block, target, value)
            if partner is not None:
                return [block, partner]
        return []

    def fits(self, giver: int, taker: int, weight: float) -> bool:
        """Whether ``weight`` members can pass from ``giver`` to ``taker`` (sizes in range)."""
        giving, taking = self.totals[giver] - weight, self.totals[taker] + weight
        low, high = self.low, self.high
        return (low <= giving <= high and low <= taking <= high) or weight == 0

    def change(self, block: int, target: int) -> tuple[float, float]:
        """Perimeter change of the block's own area and of ``target`` if it moved there."""
        label = self.label
        own = label[block]
        to_own = to_target = rest = 0.0
        for other, metres in self.shape.border[block].items():
            where = label[other]
            if where == own:
                to_own += metres
            elif where == target:
                to_target += metres
            else:
                rest += metres
        outer = self.block_outer[block]
        return to_own - to_target - rest - outer, rest + to_own + outer - to_target

    def gain(self, block: int, target: int) -> float:
        """How much the cost drops if ``block`` moves to ``target``."""
        own = self.label[block]
        d_own, d_target = self.change(block, target)
        land, edge, area = self.land, self.edge, self.block_area[block]
        e_own, e_target = edge[own], edge[target]
        l_own, l_target = land[own], land[target]
        before = _thin(e_own, l_own) + _thin(e_target, l_target)
        after = _thin(e_own + d_own, l_own - area) + _thin(e_target + d_target, l_target + area)
        return before - after

    def apply(self, block: int, target: int) -> None:
        own = self.label[block]
        d_own, d_target = self.change(block, target)
        self.edge[own] += d_own
        self.edge[target] += d_target
        self.land[own] -= self.block_area[block]
        self.land[target] += self.block_area[block]
        self.totals[own] -= self.weights[block]
        self.totals[target] += self.weights[block]
        self.groups[own].discard(block)
        self.groups[target].add(block)
        self.label[block] = target
        self.clock += 1
        self.stamp[own] = self.stamp[target] = self.clock

    def movable(self, block: int) -> bool:
        group = self.groups[self.label[block]]
        return len(group) > 1 and _still_connected(self.adjacency, group, block)

    def swap(self, block: int, target: int, first_gain: float) -> int | None:
        """Move ``block`` to ``target`` and a nearby block of ``target`` back, if that keeps
        the sizes in range and lowers the cost (returns that block); else change nothing."""
        label, adjacency = self.label, self.adjacency
        own = label[block]
        before = self.state(own, target)
        self.apply(block, target)
        nearby = {m for n in adjacency[block] for m in adjacency[n]}
        best: tuple[float, int] | None = None
        for other in nearby:
            if other == block or label[other] != target:
                continue
            if not any(label[n] == own for n in adjacency[other]):
                continue
            if not self.fits(target, own, self.weights[other]):
                continue
            value = self.gain(other, own)
            better = first_gain + value > _MIN_GAIN and (best is None or value > best[0])
            if better and self.movable(other):
                best = (value, other)
        if best is None:
            self.undo(block, own, target, before)
            return None
        self.apply(best[1], own)
        return best[1]

    def state(self, own: int, target: int) -> tuple[float | int, ...]:
        """What a move between ``own`` and ``target`` changes, for :meth:`undo`."""
        edge, land, totals, stamp = self.edge, self.land, self.totals, self.stamp
        return (
            *(edge[own], edge[target], land[own], land[target], totals[own], totals[target]),
            *(stamp[own], stamp[target], self.clock),
        )  # fmt: skip

    def undo(self, block: int, own: int, target: int, state: tuple[float | int, ...]) -> None:
        """Take back the move of ``block`` from ``own`` to ``target`` exactly (no rounding
        left behind, no area stamped): as if it had not been tried."""
        edge, land, totals, stamp = self.edge, self.land, self.totals, self.stamp
        edge[own], edge[target], land[own], land[target], totals[own], totals[target] = state[:6]
        stamp[own], stamp[target], self.clock = (int(v) for v in state[6:])
        self.groups[target].discard(block)
        self.groups[own].add(block)
        self.label[block] = own


def block_graph(units: Units) -> tuple[np.ndarray, nx.Graph[int], np.ndarray, np.ndarray]:
    """Blocks: every unit with members plus the empty units nearest to it along the streets.

    Returns the block of each unit, the block graph, and per block its members and a point.
    """
    frame = units.frame
    weight = frame["weight"].to_numpy(dtype=float)
    xy = np.column_stack([frame["x"].to_numpy(dtype=float), frame["y"].to_numpy(dtype=float)])
    heads = np.flatnonzero(weight > 0)
    if len(heads) == 0:
        msg = "er zijn geen leden om gebieden voor te maken"
        raise PlanError(msg)
    edges = units.edges
    # Street distance between unit anchors; a hair more so that a zero length stays an edge.
    length = np.hypot(*(xy[edges[:, 0]] - xy[edges[:, 1]]).T) + 1e-9
    count = len(frame)
    streets = coo_matrix((length, (edges[:, 0], edges[:, 1])), shape=(count, count)).tocsr()
    _, _, nearest_head = dijkstra(
        streets, directed=False, indices=heads, min_only=True, return_predecessors=True
    )
    index_of = np.full(count, -1)
    index_of[heads] = np.arange(len(heads))
    block_of = index_of[nearest_head]
    pairs = block_of[edges]
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    # Each pair of blocks once, in the order the unit edges first join them (networkx keeps
    # neighbours in insertion order, and the searches visit them in that order).
    low, high = pairs.min(axis=1), pairs.max(axis=1)
    first = np.sort(np.unique(low * len(heads) + high, return_index=True)[1])
    blocks: nx.Graph[int] = nx.Graph()
    blocks.add_nodes_from(range(len(heads)))
    blocks.add_edges_from(map(tuple, pairs[first].tolist()))
    return block_of, blocks, weight[heads], xy[heads]


def _seeds(weights: np.ndarray, xy: np.ndarray, k: int) -> np.ndarray:
    """``k`` seed blocks: the blocks nearest to the centres of a weighted k-means of the blocks
    (a few Lloyd rounds from a deterministic farthest-point start)."""
    chosen = [int(np.argmax(np.hypot(*(xy - np.average(xy, axis=0, weights=weights)).T)))]
    distance = np.hypot(*(xy - xy[chosen[0]]).T)
    for _ in range(1, k):
        chosen.append(int(np.argmax(distance * np.sqrt(weights))))
        distance = np.minimum(distance, np.hypot(*(xy - xy[chosen[-1]]).T))
    centres = xy[chosen].astype(float)
    for _ in range(_LLOYD_ROUNDS):
        nearest = cKDTree(centres).query(xy)[1]
        mass = np.bincount(nearest, weights=weights, minlength=k)
        for axis in (0, 1):
            total = np.bincount(nearest, weights=weights * xy[:, axis], minlength=k)
            centres[:, axis] = np.where(mass > 0, total / np.maximum(mass, 1e-9), centres[:, axis])
    centre_of, nearest = shapely.STRtree(shapely.points(xy)).query_nearest(
        shapely.points(centres), all_matches=True
    )
    order = np.lexsort((nearest, centre_of))
    nearest_to = np.split(nearest[order], np.flatnonzero(np.diff(centre_of[order])) + 1)
    seeds: list[int] = []
    for centre, options in zip(centres, nearest_to, strict=True):
        free = [int(b) for b in options if b not in seeds]
        if not free:  # the nearest blocks are seeds already: the nearest block that is not
            by_distance = np.argsort(np.hypot(*(xy - centre).T), kind="stable")
            free = [int(next(b for b in by_distance if b not in seeds))]
        seeds.append(free[0])
    return np.array(seeds)


def _grow_together(graph: nx.Graph[int], weights: np.ndarray, xy: np.ndarray, k: int) -> np.ndarray:
    """``k`` regions grown at once from k-means seeds: the lightest region takes the free
    neighbouring block nearest to its seed, until every block is taken (compact, about even).

    A seed that its neighbours shut in early (a dead end) leaves a tiny region: it is moved
    to the far side of the heaviest region and all grow again.
    """
    k = min(k, len(weights))
    seeds = _seeds(weights, xy, k)
    labels, totals = _grow_from(graph, weights, xy, seeds)
    for _ in range(_RESEEDS):
        tiny = np.flatnonzero(totals < 0.5 * totals.mean())
        if len(tiny) == 0:
            break
        for region in tiny:
            far = _far_block(labels, totals, xy, seeds)
            if far is None:
                break
            seeds[region] = far
        labels, totals = _grow_from(graph, weights, xy, seeds)
    if (labels < 0).any():  # parts of the graph no seed reached: one more region each
        for part in _components(_adjacency(graph), set(np.flatnonzero(labels < 0).tolist())):
            labels[list(part)] = labels.max() + 1
    return np.unique(labels, return_inverse=True)[1]


def _far_block(
    labels: np.ndarray, totals: np.ndarray, xy: np.ndarray, seeds: np.ndarray
) -> int | None:
    """A new seed: of the heaviest region, the block farthest from its seed that is no seed
    itself (none when no region has such a block). The regions looked at get total 0: one
    reseed per heavy region per round."""
    while True:
        heaviest = int(np.argmax(totals))
        if totals[heaviest] <= 0:
            return None
        totals[heaviest] = 0.0
        inside = np.flatnonzero(labels == heaviest)
        inside = inside[~np.isin(inside, seeds)]  # a region of one block has none to give
        if len(inside):
            return int(inside[np.argmax(np.hypot(*(xy[inside] - xy[seeds[heaviest]]).T))])


def _grow_from(
    graph: nx.Graph[int], weights: np.ndarray, xy: np.ndarray, seeds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Labels (-1 where no region reached) and region totals of a growth from ``seeds``."""
    k = len(seeds)
    adjacency = _adjacency(graph)
    weight_of, points, seed_list = weights.tolist(), xy.tolist(), seeds.tolist()
    labels = [-1] * len(weight_of)
    totals = [0.0] * k
    frontiers: list[list[tuple[float, int]]] = [[] for _ in range(k)]
    for region, seed in enumerate(seed_list):
        labels[seed] = region
        totals[region] = weight_of[seed]
    turn = [(totals[region], region, seed) for region, seed in enumerate(seed_list)]
    heapq.heapify(turn)
    while turn:
        _, region, node = heapq.heappop(turn)
        frontier = frontiers[region]
        seed_x, seed_y = points[seed_list[region]]
        for n in adjacency[node]:
            if labels[n] < 0:
                x, y = points[n]
                heapq.heappush(frontier, (math.hypot(x - seed_x, y - seed_y), n))
        while frontier and labels[frontier[0][1]] >= 0:
            heapq.heappop(frontier)
        if not frontier:
            continue  # shut in: this region is done
        _, taken = heapq.heappop(frontier)
        labels[taken] = region
        totals[region] += weight_of[taken]
        heapq.heappush(turn, (totals[region], region, taken))
    return np.array(labels), np.array(totals)


def _peel(
    graph: nx.Graph[int],
    weights: np.ndarray,
    xy: np.ndarray,
    k: int,
    *,
    nodes: set[int],
    start: float | None = None,
) -> np.ndarray:
    """Peel ``k - 1`` regions off ``nodes``; the first starts at compass angle ``start``."""
    labels = np.full(len(weights), -1)
    remaining = set(nodes)
    left = np.zeros(len(weights), dtype=bool)  # ``remaining`` as a mask, for the sums
    left[list(nodes)] = True
    members_left = float(weights[left].sum())
    adjacency = _adjacency(graph)
    plain = weights.tolist(), xy.tolist()
    for area in range(k - 1):
        if not remaining:
            break
        share = members_left / (k - area)
        # After the first region the rest is one piece, and every region keeps it so.
        region = _grow(
            adjacency, remaining, weights, xy, share, pool=np.flatnonzero(left), plain=plain,
            angle=start if area == 0 else None, whole=area > 0,
        )  # fmt: skip
        taken = list(region)
        labels[taken] = area
        left[taken] = False
        members_left -= float(weights[taken].sum())
        remaining -= region
    labels[list(remaining)] = k - 1
    return labels


def _grow(
    adjacency: Adjacency,
    remaining: set[int],
    weights: np.ndarray,
    xy: np.ndarray,
    share: float,
    *,
    pool: np.ndarray,
    plain: tuple[list[float], list[list[float]]],
    angle: float | None = None,
    whole: bool = False,
) -> set[int]:
    """A connected region of about ``share`` members, grown from the rest's far edge.

    The seed is the block farthest from the rest's centre, or farthest towards ``angle``
    (``pool``: the ``remaining`` blocks as a sorted array; ``plain``: weights and points as
    lists, for the block-by-block loop). A block whose taking would cut the
    rest takes the cut-off pieces along, so a rest that was one piece (``whole``) stays one;
    otherwise every piece but the heaviest joins.
    """
    centre = np.average(xy[pool], axis=0, weights=weights[pool] + _EPSILON_WEIGHT)
    offset = xy[pool] - centre
    direction = None if angle is None else np.array([math.cos(angle), math.sin(angle)])
    reach = np.hypot(*offset.T) if direction is None else offset @ direction
    seed = int(pool[np.argmax(reach)])
    weight_of, points = plain
    seed_x, seed_y = points[seed]
    # A seed can cut the rest in two as well (a block between a dead end and the rest).
    region = {seed} | (_pockets(adjacency, remaining, seed) if whole else set())
    rest = remaining - region
    total = sum(weight_of[b] for b in region)
    frontier: list[tuple[float, int]] = [(0.0, b) for b in sorted(region)]
    queued = set(region)
    deferred: dict[int, int] = {}
    while frontier and total < share:
        distance, node = heapq.heappop(frontier)
        if node not in region:
            # Taking a block that cuts the rest in two means taking the smaller pieces too.
            package = {node} | _pockets(adjacency, rest, node)
            gain = sum(weight_of[b] for b in package)
            if total + gain - share > share - total:
                deferred[node] = deferred.get(node, 0) + 1
                if deferred[node] <= _RETRIES and gain > weight_of[node]:
                    heapq.heappush(frontier, (distance + _RETRY_PENALTY_M, node))
                    continue
                break  # taking it would overshoot more than stopping short
            region |= package
            rest -= package
            total += gain
            for member in package - {node}:
                queued.add(member)
                heapq.heappush(frontier, (distance, member))
        for neighbour in adjacency[node]:
            if neighbour in remaining and neighbour not in queued:
                queued.add(neighbour)
                x, y = points[neighbour]
                heapq.heappush(frontier, (math.hypot(x - seed_x, y - seed_y), neighbour))
    if rest and not whole:
        pockets = sorted(
            _components(adjacency, rest),
            key=lambda c: (weights[list(c)].sum(), len(c), -min(c)),  # ties: the lowest block stays
        )
        for pocket in pockets[:-1]:
            region |= pocket
    return region


def _balance(
    graph: nx.Graph[int],
    labels: np.ndarray,
    weights: np.ndarray,
    xy: np.ndarray,
    *,
    max_members: int,
) -> np.ndarray:
    """Move blocks to neighbouring lighter areas while that narrows their difference.

    A move of weight ``w`` from ``A`` to ``B`` needs ``w < W(A) - W(B)`` (so the sum of squared
    sizes drops and the loop ends), keeps ``B`` within the cap and ``A`` connected. Among the
    moves of a block, the one towards the nearest area centre wins (compactness).
    """
    labels = labels.copy()
    adjacency = _adjacency(graph)
    edges = _edge_array(adjacency)
    nodes = np.array(sorted(adjacency), dtype=int)  # the graph's nodes: sizes count only these
    count = int(labels.max()) + 1
    totals = np.bincount(labels[nodes], weights=weights[nodes], minlength=count)
    groups: list[set[int]] = [set() for _ in range(count)]
    for node, label in zip(nodes.tolist(), labels[nodes].tolist(), strict=True):
        groups[label].add(node)
    # The loop below runs once per border block and sweep: plain lists index fastest.
    label, weight_of, total = labels.tolist(), weights.tolist(), totals.tolist()
    points = xy.tolist()
    for _ in range(_MAX_SWEEPS):
        moved = 0
        labels = np.array(label)
        centres = _centres(labels[nodes], weights[nodes], xy[nodes], count=count).tolist()
        for node in _boundary_nodes(edges, labels):
            own, weight = label[node], weight_of[node]
            choices = [
                other
                for other in {label[n] for n in adjacency[node]} - {own}
                if weight < total[own] - total[other] and total[other] + weight <= max_members
            ]
            if not choices or not _stays_connected(adjacency, groups[own], node):
                continue
            x, y = points[node]
            best = min(choices, key=lambda o: math.hypot(x - centres[o][0], y - centres[o][1]))
            label[node] = best
            groups[own].discard(node)
            groups[best].add(node)
            total[own] -= weight
            total[best] += weight
            moved += 1
        if moved == 0:
            break
    return np.array(label)


Adjacency = Mapping[int, list[int]] | list[list[int]]  # neighbours per node


def _adjacency(graph: nx.Graph[int]) -> dict[int, list[int]]:
    """Neighbours per node as plain lists: the searches below index them millions of times."""
    return {node: list(near) for node, near in graph.adjacency()}


def _edge_array(adjacency: Adjacency) -> np.ndarray:
    """Every edge once (``m × 2``)."""
    nodes = adjacency.items() if isinstance(adjacency, Mapping) else enumerate(adjacency)
    pairs = [(a, b) for a, near in nodes for b in near if a < b]
    return np.array(pairs, dtype=int).reshape(-1, 2)


def _boundary_nodes(edges: np.ndarray, labels: np.ndarray) -> list[int]:
    """Nodes with a neighbour in another area, in index order."""
    cut = edges[labels[edges[:, 0]] != labels[edges[:, 1]]]
    return np.unique(cut).tolist()  # type: ignore[no-any-return]


def _centres(
    labels: np.ndarray, weights: np.ndarray, xy: np.ndarray, *, count: int | None = None
) -> np.ndarray:
    """Weighted centre per label, for ``count`` labels (one without blocks: the origin)."""
    count = int(labels.max()) + 1 if count is None else count
    mass = np.bincount(labels, weights=weights + _EPSILON_WEIGHT, minlength=count)
    x = np.bincount(labels, weights=(weights + _EPSILON_WEIGHT) * xy[:, 0], minlength=count)
    y = np.bincount(labels, weights=(weights + _EPSILON_WEIGHT) * xy[:, 1], minlength=count)
    mass = np.where(mass > 0, mass, 1.0)
    return np.stack([x / mass, y / mass], axis=1)


def _pockets(adjacency: Adjacency, group: Container[int], node: int) -> set[int]:
    """The parts of ``group`` (connected) that removing ``node`` cuts off from its largest."""
    mates = [n for n in adjacency[node] if n in group and n != node]
    if len(mates) <= 1 or _reaches(adjacency, _ring(adjacency, group, node, mates), node, mates):
        return set()
    return set().union(*_cut_off(adjacency, group, node, mates))


def _components(adjacency: Adjacency, nodes: set[int]) -> list[set[int]]:
    """Connected parts of the graph restricted to ``nodes`` (a plain BFS: no subgraph views)."""
    unseen = set(nodes)
    parts = []
    while unseen:
        start = unseen.pop()
        part, frontier = {start}, [start]
        while frontier:
            for neighbour in adjacency[frontier.pop()]:
                if neighbour in unseen:
                    unseen.discard(neighbour)
                    part.add(neighbour)
                    frontier.append(neighbour)
        parts.append(part)
    return parts


def _stays_connected(adjacency: Adjacency, group: set[int], node: int) -> bool:
    """Whether ``group`` (the area of ``node``) stays connected and non-empty without it."""
    if not any(n in group for n in adjacency[node]):
        return False  # the unit is the whole area
    return _still_connected(adjacency, group, node)


def _still_connected(adjacency: Adjacency, group: Container[int], node: int) -> bool:
    """Whether ``group`` minus ``node`` is still connected.

    Usually the node's neighbours in the group meet around it, through their own neighbours:
    that small search answers first; only when it fails does the search cover the group.
    """
    mates = [n for n in adjacency[node] if n in group and n != node]
    if len(mates) <= 1:
        return True
    if _reaches(adjacency, _ring(adjacency, group, node, mates), node, mates):
        return True
    return not _cut_off(adjacency, group, node, mates, first=True)


def _ring(adjacency: Adjacency, group: Container[int], node: int, mates: list[int]) -> set[int]:
    """The node's neighbours in ``group`` and theirs: where a way around the node usually is."""
    ring = {m for mate in mates for m in adjacency[mate] if m in group}
    ring.update(mates)
    ring.discard(node)
    return ring


def _cut_off(
    adjacency: Adjacency,
    group: Container[int],
    node: int,
    mates: list[int],
    *,
    first: bool = False,
) -> list[set[int]]:
    """The parts of ``group`` without ``node`` that are cut off from the largest one (each
    holds some of ``mates``, the node's neighbours in the group); with ``first``, only the
    first part found.

    Searches from all mates at once, one block each in turn, merging searches that meet: a
    search that runs out of blocks has found a closed part no larger than the one still open,
    so the work is about the size of the small parts, not of the whole group.
    """
    root = list(range(len(mates)))
    owner = {mate: i for i, mate in enumerate(mates)}
    owner[node] = -1
    seen = [{mate} for mate in mates]
    queues = [deque([mate]) for mate in mates]
    active = list(range(len(mates)))
    closed: list[set[int]] = []

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    while len(active) > 1:
        for turn in list(active):
            if root[turn] != turn:
                continue  # merged into another search this round
            search = turn
            queue = queues[search]
            if not queue:
                active.remove(search)
                closed.append(seen[search])
                if first:
                    return closed
                continue
            for neighbour in adjacency[queue.popleft()]:
                other = owner.get(neighbour)
                if other is None:
                    if neighbour in group:
                        owner[neighbour] = search
                        seen[search].add(neighbour)
                        queue.append(neighbour)
                elif other >= 0 and (other := find(other)) != search:
                    big, small = (
                        (search, other)
                        if len(seen[search]) >= len(seen[other])
                        else (other, search)
                    )
                    root[small] = big
                    seen[big] |= seen[small]
                    queues[big].extend(queues[small])
                    active.remove(small)
                    search, queue = big, queues[big]
    if not active:  # every part closed at once: the largest is the one left
        closed.sort(key=len)
        closed.pop()
    return closed


def _reaches(adjacency: Adjacency, allowed: Container[int], node: int, mates: list[int]) -> bool:
    """Whether all ``mates`` are connected within ``allowed`` without passing ``node``."""
    targets, seen, stack = set(mates[1:]), {node, mates[0]}, [mates[0]]
    while stack and targets:
        current = stack.pop()
        for neighbour in adjacency[current]:
            if neighbour not in seen and neighbour in allowed:
                seen.add(neighbour)
                targets.discard(neighbour)
                stack.append(neighbour)
    return not targets


def _enforce_cap(
    graph: nx.Graph[int],
    labels: np.ndarray,
    weights: np.ndarray,
    xy: np.ndarray,
    *,
    max_members: int,
    fill: float,
) -> np.ndarray:
    """Split every area over ``max_members`` into connected parts under it.

    First the usual peel and balance; where that still leaves a part over the cap, packing
    along a spanning tree, which always succeeds because no block is over the cap. Each round
    settles one area for good, so the loop ends.
    """
    if len(weights) and weights.max() > max_members:
        msg = f"een straatdeel heeft {int(weights.max())} aanmeldingen, meer dan het maximum van {max_members} per groep"
        raise PlanError(msg)
    labels = labels.copy()
    per_area = max(1, math.floor(fill * max_members))
    for _ in range(len(weights) + 1):
        totals = np.bincount(labels, weights=weights)
        over = np.flatnonzero(totals > max_members)
        if len(over) == 0:
            return labels
        area = int(over[0])
        nodes = set(np.flatnonzero(labels == area).tolist())
        parts = max(2, area_count(int(totals[area]), max_members=max_members, fill=fill))
        region = graph.subgraph(nodes)
        sub = _peel(region, weights, xy, parts, nodes=nodes)
        sub = _balance(region, np.where(sub < 0, 0, sub), weights, xy, max_members=max_members)
        groups = [set(np.flatnonzero(sub == p).tolist()) & nodes for p in range(parts)]
        if any(weights[list(g)].sum() > max_members for g in groups):
            heaviest = float(weights[list(nodes)].max())
            groups = _pack_tree(region, weights, per_area if heaviest <= per_area else max_members)
        fresh = labels.max() + 1
        for number, group in enumerate(g for g in groups if g):
            labels[list(group)] = area if number == 0 else fresh + number - 1
    msg = "kon de groepen niet onder het maximum brengen"  # unreachable: each round settles an area
    raise PlanError(msg)


def _pack_tree(graph: nx.Graph[int], weights: np.ndarray, limit: float) -> list[set[int]]:
    """Connected parts of ``graph`` of at most ``limit`` (no node may weigh more than ``limit``).

    Walks a spanning tree of each component from the leaves up; a node keeps the lightest child
    branches that fit and leaves the others as parts of their own.
    """
    parts: list[set[int]] = []
    for component in nx.connected_components(graph):
        root = min(component)
        tree = nx.bfs_tree(graph.subgraph(component), root)
        carried: dict[int, tuple[set[int], float]] = {}
        for node in nx.dfs_postorder_nodes(tree, root):
            part, total = {node}, float(weights[node])
            for branch, weight in sorted(
                (carried.pop(c) for c in tree.successors(node)), key=lambda b: b[1]
            ):
                if total + weight <= limit:
                    part |= branch
                    total += weight
                else:
                    parts.append(branch)
            carried[node] = (part, total)
        parts.append(carried[root][0])
    return parts


# --- areas, names, beheerders --------------------------------------------------------------


def _assemble(
    units: Units,
    labels: np.ndarray,
    members: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame | None,
    *,
    max_members: int,
    first_id: int = 1,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Area polygons with figures, and members with ``area_id`` and ``is_beheerder``."""
    frame = units.frame.assign(label=labels)
    drawn = dissolve(frame.loc[~frame.geometry.is_empty], "label")
    # An area of only land-less units (flats of an over-full building) gets an empty polygon.
    polygons = gpd.GeoSeries(
        [drawn.get(label, shapely.Polygon()) for label in np.unique(labels)],
        index=np.unique(labels),
        crs=frame.crs,
    )
    order = np.array(_reading_order(polygons), dtype=int)
    area_of_label = np.zeros(int(labels.max()) + 1, dtype=int)
    area_of_label[order] = first_id + np.arange(len(order))
    placed = members.copy()
    placed["area_id"] = area_of_label[labels[units.member_unit]]
    chosen = choose_beheerders(placed)
    placed["is_beheerder"] = placed.index.isin(list(chosen.values()))
    members_per_label = np.bincount(labels[units.member_unit], minlength=len(area_of_label))
    households = np.bincount(
        labels, weights=frame["households"].to_numpy(dtype=float), minlength=len(area_of_label)
    )
    count = members_per_label[order]
    areas = gpd.GeoDataFrame(
        {
            "area_id": area_of_label[order],
            "members": count,
            "capacity_left": max_members - count,
            "households": households[order].astype(int),
            "beheerder_needed": [int(a) not in chosen for a in area_of_label[order]],
            "neighbours": "",  # set by _refresh, after the areas are tidied
        },
        geometry=polygons.loc[order].to_numpy(),
        crs=units.frame.crs,
    )
    return areas, placed


def _reading_order(polygons: gpd.GeoSeries) -> list[int]:
    """Labels ordered north to south in bands, then west to east (ids read like a map).

    Areas without land of their own come last.
    """
    land = polygons.loc[~polygons.is_empty]
    points = land.representative_point()
    y, x = points.y.to_numpy(), points.x.to_numpy()
    band = max(1.0, (np.ptp(y) if len(y) else 0.0) / max(1, round(math.sqrt(len(points)))))
    keys = sorted(zip(-np.floor((y - y.min(initial=0.0)) / band), x, land.index, strict=True))
    landless = polygons.index[polygons.is_empty]
    return [int(label) for _, _, label in keys] + [int(label) for label in landless]


def choose_beheerders(members: pd.DataFrame) -> dict[int, Any]:
    """Per ``area_id``: the index of :func:`choose_beheerder`'s choice, for all areas at once
    (areas without a volunteer are left out)."""
    if members.empty or "beheerder" not in members:
        return {}
    points = members.geometry.to_numpy()
    x, y = shapely.get_x(points), shapely.get_y(points)
    area = members["area_id"].to_numpy()
    ids, which = np.unique(area, return_inverse=True)
    size = np.bincount(which)
    centre_x = np.bincount(which, weights=x) / size
    centre_y = np.bincount(which, weights=y) / size
    distance = np.hypot(x - centre_x[which], y - centre_y[which])
    volunteer = np.flatnonzero(members["beheerder"].fillna(False).astype(bool).to_numpy())
    order = volunteer[np.lexsort((volunteer, distance[volunteer], which[volunteer]))]
    first = order[np.r_[True, which[order][1:] != which[order][:-1]]] if len(order) else order
    return {int(ids[which[p]]): members.index[p] for p in first}


def choose_beheerder(members: gpd.GeoDataFrame) -> Any | None:
    """The volunteer (``beheerder`` true) nearest to the members' centre; ``None`` if none."""
    if members.empty or "beheerder" not in members:
        return None
    volunteers = members.loc[members["beheerder"].fillna(False).astype(bool)]
    if volunteers.empty:
        return None
    centre = shapely.Point(members.geometry.x.mean(), members.geometry.y.mean())
    return volunteers.geometry.distance(centre).idxmin()


def area_neighbours(areas: gpd.GeoDataFrame) -> list[str]:
    """Per area, the ids of areas it shares a border with (comma-separated)."""
    polygons = areas.geometry.to_numpy()
    ids = areas["area_id"].to_numpy()
    tree = shapely.STRtree(polygons)
    left, right = tree.query(polygons, predicate="intersects")
    keep = left != right
    left, right = left[keep], right[keep]
    # Areas made of unit polygons share their border vertex for vertex: matched segments
    # answer most pairs; the rest are measured against the other area grown by 5 cm.
    matched = unit_borders(polygons, np.zeros(len(polygons), dtype=bool))
    known = matched.pairs[:, 0] * len(polygons) + matched.pairs[:, 1]
    wanted = np.minimum(left, right) * len(polygons) + np.maximum(left, right)
    position = np.clip(np.searchsorted(known, wanted), 0, max(len(known) - 1, 0))
    shared = np.zeros(len(left))
    if len(known):
        shared = np.where(known[position] == wanted, matched.metres[position], 0.0)
    short = np.flatnonzero(shared < 1.0)
    shared[short] = shapely.length(
        shapely.intersection(
            shapely.boundary(polygons[left[short]]), shapely.buffer(polygons[right[short]], 0.05)
        )
    )
    touching: dict[int, set[int]] = {int(i): set() for i in ids}
    for a, b in zip(left[shared >= 1.0], right[shared >= 1.0], strict=True):
        touching[int(ids[a])].add(int(ids[b]))
    return [",".join(str(n) for n in sorted(touching[int(i)])) for i in ids]


AREA_COLUMNS = (
    "area_id",
    "name",
    "members",
    "capacity_left",
    "households",
    "beheerder_needed",
    "neighbours",
    "streets",
    "geometry",
)


def label_areas(
    areas: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame | None,
    *,
    keep_names: Mapping[int, str] | None = None,
) -> gpd.GeoDataFrame:
    """Set ``streets`` and ``name`` of every area from public sources only, columns in order.

    Names and street lists come from the address register, else from the street network inside
    the area: never from members' addresses (those are private). Areas named in ``keep_names``
    (ids that existed before an edit) keep their name; the other names are made unique.
    """
    areas = areas.copy()
    texts, bases = describe_areas(areas, streets, addresses)
    areas["streets"] = texts
    areas["name"] = unique_names(areas["area_id"].astype(int).tolist(), bases, keep_names or {})
    extra = [c for c in areas.columns if c not in AREA_COLUMNS]
    present = [c for c in AREA_COLUMNS if c in areas.columns]
    return gpd.GeoDataFrame(areas[present + extra], geometry="geometry", crs=areas.crs)


def describe_areas(
    areas: gpd.GeoDataFrame, streets: gpd.GeoDataFrame, addresses: gpd.GeoDataFrame | None
) -> tuple[list[str], list[str]]:
    """Per area: its street list and the base of its name (``"<main street> e.o."``).

    With a register: the streets of the households inside the area, with the register's
    house-number range where a street is shared with another area; the main street has the most
    households. Without a register (or for an area without households): the named streets of
    the network inside the area, without numbers; the main street is the longest inside it.
    """
    ids = areas["area_id"].astype(int).tolist()
    polygons = areas.geometry.to_numpy()
    found: dict[int, tuple[list[str], str]] = {}
    register = _register_streets(polygons, addresses)
    if register is not None:
        per_street = register.groupby("street")["area"].nunique()
        shared = set(per_street.index[per_street.to_numpy() > 1])
        ranges = register.groupby(["area", "street"])["number"].agg(["min", "max", "size"])
        ranges = ranges.reset_index()
        listed: dict[int, list[str]] = {}
        households: dict[int, dict[str, int]] = {}
        for position, street, low, high, size in zip(
            ranges["area"].to_numpy(dtype=int),
            ranges["street"].astype(str),
            ranges["min"].to_numpy(dtype=float),
            ranges["max"].to_numpy(dtype=float),
            ranges["size"].to_numpy(dtype=int),
            strict=True,
        ):
            text = street
            if street in shared and not np.isnan(low):
                text += f" {int(low)}" if low == high else f" {int(low)}–{int(high)}"
            listed.setdefault(int(position), []).append(text)
            households.setdefault(int(position), {})[street] = int(size)
        for position, texts in listed.items():
            found[position] = (texts, _main_street(households[position]))
    todo = [p for p in range(len(ids)) if p not in found]
    for position, metres in _network_streets(polygons, todo, streets).items():
        longest = max(metres.values())
        kept = {s: m for s, m in metres.items() if m >= min(_MIN_STREET_IN_AREA_M, longest)}
        found[position] = (sorted(kept), _main_street(kept))
    texts = ["; ".join(found[p][0]) if p in found else "" for p in range(len(ids))]
    bases = [
        f"{found[p][1]} e.o." if p in found else f"Gebied {area_id}"
        for p, area_id in enumerate(ids)
    ]
    return texts, bases


def _main_street(weights: Mapping[str, float]) -> str:
    """The street with the largest weight (households or metres); ties alphabetically."""
    return min(weights, key=lambda street: (-round(weights[street], 1), street))


def _register_streets(
    polygons: np.ndarray, addresses: gpd.GeoDataFrame | None
) -> pd.DataFrame | None:
    """Register households (area position, street, number) inside the areas; None without one."""
    if addresses is None or addresses.empty or "straat" not in addresses:
        return None
    point, area = points_in(addresses.geometry.to_numpy(), polygons)
    first = np.unique(point, return_index=True)[1]  # on a border: the first area
    point, area = point[first], area[first]
    numbers = (
        pd.to_numeric(addresses["huisnummer"], errors="coerce").to_numpy(dtype=float)
        if "huisnummer" in addresses
        else np.full(len(addresses), np.nan)
    )
    table = pd.DataFrame(
        {
            "area": area,
            "street": addresses["straat"].fillna("").astype(str).to_numpy()[point],
            "number": numbers[point],
        }
    )
    table = table.loc[table["street"].str.strip() != ""]
    return table if not table.empty else None


def _network_streets(
    polygons: np.ndarray, positions: list[int], streets: gpd.GeoDataFrame
) -> dict[int, dict[str, float]]:
    """Per area position: metres of each named street of the network inside it."""
    if not positions or streets.empty or "name" not in streets:
        return {}
    lines = streets
    if "highway" in lines:
        lines = lines.loc[~lines["highway"].isin(NOT_WALKABLE)]
    names = lines["name"].fillna("").astype(str).str.strip()
    lines = lines.loc[names.to_numpy() != ""]
    names = names.loc[names != ""]
    if lines.empty:
        return {}
    chosen = np.asarray(positions)
    tree = shapely.STRtree(lines.geometry.to_numpy())
    area, line = tree.query(polygons[chosen], predicate="intersects")
    inside = shapely.length(
        shapely.intersection(lines.geometry.to_numpy()[line], polygons[chosen][area])
    )
    table = pd.DataFrame({"area": chosen[area], "street": names.to_numpy()[line], "metres": inside})
    table = table.loc[table["metres"] > 0]
    totals = table.groupby(["area", "street"])["metres"].sum().reset_index()
    found: dict[int, dict[str, float]] = {}
    for position, street, metres in zip(
        totals["area"].to_numpy(dtype=int),
        totals["street"].astype(str),
        totals["metres"].to_numpy(dtype=float),
        strict=True,
    ):
        found.setdefault(int(position), {})[street] = float(metres)
    return found


def unique_names(ids: list[int], bases: list[str], keep: Mapping[int, str]) -> list[str]:
    """Names per area: ``keep`` where given, else the base, numbered ``(2)``, ``(3)`` if taken.

    A base that is numbered already (a name from another plan) is numbered anew, never twice.
    """
    kept = {i: str(keep[i]) for i in ids if i in keep and isinstance(keep[i], str) and keep[i]}
    taken = set(kept.values())
    names = []
    for area_id, numbered in zip(ids, bases, strict=True):
        if area_id in kept:
            names.append(kept[area_id])
            continue
        base = _NUMBERED.sub("", numbered)
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base} ({number})"
        taken.add(name)
        names.append(name)
    return names


def names_by_id(areas: gpd.GeoDataFrame) -> dict[int, str]:
    if "name" not in areas:
        return {}
    return {
        int(a): n
        for a, n in zip(areas["area_id"], areas["name"], strict=True)
        if isinstance(n, str)
    }


# --- clean geometry ------------------------------------------------------------------------


def polygon_parts(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The valid polygon pieces of each geometry and the position of the geometry they came from.

    Repairs (``make_valid``), flattens multi-parts and collections, and drops what has no area:
    lines and points left at touching corners, and rounding dust.
    """
    valid = shapely.make_valid(np.asarray(geometries))
    parts, owner = shapely.get_parts(valid, return_index=True)
    nested = np.isin(shapely.get_type_id(parts), (4, 5, 6, 7))  # multi-parts, collections
    while nested.any():
        inner, which = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], inner])
        owner = np.concatenate([owner[~nested], owner[nested][which]])
        nested = np.isin(shapely.get_type_id(parts), (4, 5, 6, 7))
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > _DUST_M2)
    return parts[keep], owner[keep]


def tidy_areas(
    areas: gpd.GeoDataFrame,
    members: pd.DataFrame,
    addresses: gpd.GeoDataFrame | None = None,
    *,
    max_members: int,
    movable: Collection[int] | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Make every area one valid polygon where the rules allow it; the areas still tile.

    Each area keeps the piece with most of its members (then the largest). A loose piece joins
    the area it shares the longest border with (its own, when only a hairline gap parts them),
    if the result is one polygon; a piece with members joins another area only if its own area
    is ``movable`` (``None``: all are) and the receiver stays within ``max_members`` (the
    members go along). A piece that can go nowhere stays, and the area stays in parts
    (:func:`measure` reports it). Returns areas and members (``area_id`` and ``is_beheerder``
    of those who moved changed; ``households`` moved with the land).
    """
    geometries = areas.geometry.to_numpy()
    ids = areas["area_id"].to_numpy(dtype=int)
    clean = shapely.is_valid(geometries) & (shapely.get_type_id(geometries) == 3)
    may_move = np.array([movable is None or int(a) in movable for a in ids], dtype=bool)
    # A polygon joined only by a hairline neck falls apart once written to a file with rounded
    # coordinates: where its land may move, treat the far side of the neck as a loose piece.
    pinched = clean & may_move & np.array([_has_neck(g) for g in geometries], dtype=bool)
    if clean.all() and not pinched.any():
        return areas, members
    state = _Pieces.of(areas, members, addresses, cut=pinched)
    state.changed |= ~clean | pinched
    pending = sorted(np.flatnonzero(~state.is_main).tolist(), key=lambda p: state.area[p])
    while pending:
        left = []
        for part in pending:
            source = int(state.owner[part])
            target = _receiver(
                state.parts[part],
                source,
                state.current,
                people=len(state.held[part]),
                counts=state.counts,
                max_members=max_members,
                may_move=bool(may_move[source]),
            )
            if target is None:
                left.append(part)
            else:
                state.join(part, *target)
        if len(left) == len(pending):
            break
        pending = left
    for part in pending:  # nowhere else to go: back over the neck, else the area stays in parts
        owner = state.owner[part]
        joined = _join(state.current[owner], state.parts[part], necks=True)
        state.current[owner] = (
            joined if joined is not None else shapely.union(state.current[owner], state.parts[part])
        )
    areas = areas.copy()
    geometry = areas.geometry.to_numpy().copy()
    geometry[state.changed] = state.current[state.changed]
    areas = areas.set_geometry(gpd.GeoSeries(geometry, index=areas.index, crs=areas.crs))
    if state.households is not None:
        areas["households"] = state.households
    members = members.copy()
    placed = state.member_area >= 0
    members["area_id"] = np.where(
        placed, ids[np.where(placed, state.member_area, 0)], members["area_id"]
    )
    if "is_beheerder" in members:
        members["is_beheerder"] = state.beheerder
    return areas, members


def edge_match(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Areas whose shared borders have exactly the same vertices on both sides.

    A split draws new corners on the old area's edge that its neighbours lack; written to a
    file with rounded coordinates, such borders drift apart into slivers of overlap and gap.
    GEOS's coverage cleaning inserts the missing vertices (snapping by at most a hair).
    """
    geometries = areas.geometry.to_numpy()
    drawn = np.flatnonzero(~shapely.is_empty(geometries))
    try:
        if shapely.coverage_is_valid(geometries[drawn]):
            return areas
        cleaned = np.asarray(shapely.coverage_clean(geometries[drawn]))
    except shapely.errors.GEOSException:
        return areas
    if not (shapely.is_valid(cleaned) & (shapely.get_type_id(cleaned) == 3)).all():
        return areas  # cleaning would cost an area its single shape: keep them as drawn
    geometries = geometries.copy()
    geometries[drawn] = cleaned
    return areas.set_geometry(gpd.GeoSeries(geometries, index=areas.index, crs=areas.crs))


def known_households(areas: pd.DataFrame) -> np.ndarray | None:
    """The areas' household counts as whole numbers to update, or ``None`` where any is
    unknown (a plan without a register) or the column is missing."""
    if "households" not in areas:
        return None
    counts = pd.to_numeric(areas["households"], errors="coerce")
    return None if counts.isna().any() else counts.to_numpy(dtype=int).copy()


@dataclass
class _Pieces:
    """Working state of :func:`tidy_areas`: polygon pieces, who is in them, what has changed."""

    parts: np.ndarray
    owner: np.ndarray  # per piece: position of its area
    area: np.ndarray  # per piece: m²
    is_main: np.ndarray  # per piece: the piece its area keeps
    held: list[np.ndarray]  # per piece: positions of its area's members inside it
    current: np.ndarray  # per area: its polygon so far
    member_area: np.ndarray  # per member: position of their area
    beheerder: np.ndarray
    counts: np.ndarray  # per area: members
    households: np.ndarray | None
    homes: np.ndarray | None
    changed: np.ndarray  # per area: polygon to be replaced

    @classmethod
    def of(
        cls,
        areas: gpd.GeoDataFrame,
        members: pd.DataFrame,
        addresses: gpd.GeoDataFrame | None,
        *,
        cut: np.ndarray | None = None,
    ) -> _Pieces:
        """The pieces of ``areas``; those marked in ``cut`` also cut at their necks."""
        parts, owner = polygon_parts(areas.geometry.to_numpy())
        if cut is not None and cut.any():
            split = cut[owner]
            pieces = [_cut_necks(p) for p in parts[split]]
            parts = np.concatenate([parts[~split], *pieces])
            owner = np.concatenate(
                [
                    owner[~split],
                    *(np.full(len(p), o) for p, o in zip(pieces, owner[split], strict=True)),
                ]
            )
        position_of = {int(a): i for i, a in enumerate(areas["area_id"].astype(int))}
        member_area = np.array([position_of.get(int(a), -1) for a in members["area_id"]])
        points = np.asarray(members.geometry.to_numpy())
        found_member, found_part = points_in(points, parts)
        own = owner[found_part] == member_area[found_member]
        found_member, found_part = found_member[own], found_part[own]
        holding = np.bincount(found_part, minlength=len(parts))
        order = np.lexsort((-shapely.area(parts), -holding, owner))
        is_main = np.zeros(len(parts), dtype=bool)
        is_main[order[np.r_[True, owner[order][1:] != owner[order][:-1]]]] = True
        current = np.array([shapely.Polygon()] * len(areas), dtype=object)
        current[owner[is_main]] = parts[is_main]
        changed = np.zeros(len(areas), dtype=bool)
        changed[np.unique(owner[~is_main])] = True
        households = known_households(areas)
        return cls(
            parts=parts,
            owner=owner,
            area=shapely.area(parts),
            is_main=is_main,
            held=[found_member[found_part == p] for p in range(len(parts))],
            current=current,
            member_area=member_area,
            beheerder=(
                members["is_beheerder"].to_numpy(dtype=bool).copy()
                if "is_beheerder" in members
                else np.zeros(len(members), dtype=bool)
            ),
            counts=np.bincount(member_area[member_area >= 0], minlength=len(areas)),
            households=households,
            homes=(
                addresses.geometry.to_numpy()
                if addresses is not None and not addresses.empty and households is not None
                else None
            ),
            changed=changed,
        )

    def join(self, part: int, target: int, polygon: BaseGeometry) -> None:
        """Piece ``part`` joins area ``target``, whose polygon becomes ``polygon``."""
        source = int(self.owner[part])
        self.current[target] = polygon
        self.changed[target] = True
        if target == source:
            return
        people = self.held[part]
        self.member_area[people] = target
        self.beheerder[people] = False
        self.counts[source] -= len(people)
        self.counts[target] += len(people)
        if self.homes is not None and self.households is not None:
            carried = int(shapely.intersects(self.parts[part], self.homes).sum())
            self.households[source] -= carried
            self.households[target] += carried


def _receiver(
    part: BaseGeometry,
    source: int,
    current: np.ndarray,
    *,
    people: int,
    counts: np.ndarray,
    max_members: int,
    may_move: bool,
) -> tuple[int, BaseGeometry] | None:
    """The area a loose piece joins (longest shared border first) and the joined polygon."""
    near = shapely.STRtree(current).query(shapely.buffer(part, _TOUCH_M, quad_segs=2))
    if len(near) == 0:
        return None
    shared = shapely.length(
        shapely.intersection(
            shapely.boundary(current[near]), shapely.buffer(part, _TOUCH_M, quad_segs=2)
        )
    )
    for index in near[np.argsort(-shared, kind="stable")]:
        if shared[near == index][0] <= 0:
            break
        if index != source and people and (not may_move or counts[index] + people > max_members):
            continue
        joined = _join(current[index], part)
        if joined is not None:
            return int(index), joined
    return None


def _join(polygon: BaseGeometry, part: BaseGeometry, *, necks: bool = False) -> BaseGeometry | None:
    """``polygon`` and ``part`` as one polygon (snapping hairline gaps shut), else ``None``.

    Without ``necks`` a join that adds a hairline neck (see :func:`_has_neck`) does not count:
    it would fall apart again once the coordinates are rounded.
    """
    for piece in (part, shapely.snap(part, polygon, _TOUCH_M)):
        merged, _ = polygon_parts(np.array([shapely.union(polygon, piece)]))
        if len(merged) == 1 and (necks or len(_cores(merged[0])) <= max(1, len(_cores(polygon)))):
            return merged[0]
    return None


def _cores(polygon: BaseGeometry) -> np.ndarray:
    """The pieces of ``polygon`` left when every border moves ``_NECK_M / 2`` inwards."""
    if shapely.is_empty(polygon) or not shapely.is_valid(polygon):
        return np.array([], dtype=object)
    shrunk = shapely.buffer(polygon, -_NECK_M / 2, quad_segs=2, join_style="mitre")
    parts, _ = polygon_parts(np.array([shrunk]))
    cores: np.ndarray = parts[shapely.area(parts) > _CORE_M2]
    return cores


def _has_neck(polygon: BaseGeometry) -> bool:
    """Whether ``polygon`` holds together only through a neck narrower than ``_NECK_M``."""
    return len(_cores(polygon)) > 1


def _cut_necks(polygon: BaseGeometry) -> np.ndarray:
    """``polygon`` cut at its hairline necks: the land around each core, and the thin rest.

    The pieces cover exactly ``polygon``; :func:`tidy_areas` keeps the main one and places
    the others.
    """
    cores = _cores(polygon)
    grown = shapely.buffer(cores, _NECK_M / 2, quad_segs=2, join_style="mitre")
    # Each core's land, in order, without the land an earlier one took: no overlaps.
    pieces = []
    taken = shapely.Polygon()
    for core in grown:
        land = shapely.difference(shapely.intersection(polygon, core), taken)
        pieces.append(land)
        taken = shapely.union(taken, land)
    pieces.append(shapely.difference(polygon, taken))
    parts, _ = polygon_parts(np.array(pieces))
    return parts if len(parts) > 1 else np.array([polygon], dtype=object)


# --- measurements --------------------------------------------------------------------------


def measure(
    plan: Plan,
    *,
    boundary: BaseGeometry,
    max_members: int,
    fill: float,
    barriers: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """The quality figures of a plan (all rules of a good plan, measured on the geometry).

    ``barriers`` (from :func:`barrier_share`): metres of border between areas and the share
    along barriers; without it (a split by ``assign``) those figures are left out.
    """
    sizes = plan.areas["members"].to_numpy()
    polygons = plan.areas.geometry
    geometries = polygons.to_numpy()
    one_piece = (
        shapely.is_valid(geometries)
        & (shapely.get_type_id(geometries) == 3)
        & ~shapely.is_empty(geometries)
    )
    length = polygons.length.to_numpy()
    compactness = np.where(
        length > 0, 4 * math.pi * polygons.area.to_numpy() / np.maximum(length, 1e-9) ** 2, 0.0
    )
    union = _union_of(geometries)
    overlap = max(0.0, float(polygons.area.sum() - union.area))  # not -0.0 from rounding
    mean = float(sizes.mean())
    return {
        "members": int(sizes.sum()),
        "members_outside_wijk": len(plan.outside),
        "areas": len(sizes),
        "max_members": max_members,
        "fill": fill,
        "target_per_area": math.floor(fill * max_members),
        "sizes": [int(s) for s in sizes],
        "min": int(sizes.min()),
        "max": int(sizes.max()),
        "mean": round(mean, 1),
        "spread_max_over_min": round(float(sizes.max() / max(1, sizes.min())), 3),
        "max_deviation_from_mean_pct": (
            round(float(np.abs(sizes - mean).max() / mean * 100), 1) if mean > 0 else 0.0
        ),  # every area emptied by removals: none deviates
        "all_under_cap": bool((sizes <= max_members).all()),
        "contiguous_areas": int(one_piece.sum()),
        "areas_not_one_piece": not_one_piece(plan.areas, boundary),
        "polsby_popper": [round(float(c), 3) for c in compactness],
        "polsby_popper_mean": round(float(compactness.mean()), 3),
        "polsby_popper_min": round(float(compactness.min()), 3),
        "compactness_notes": compactness_notes(plan.areas, compactness, boundary),
        "building_notes": building_notes(plan.members, math.floor(fill * max_members)),
        **(
            {
                "barrier_border_m": round(barriers[0], 1),
                "barrier_share_pct": round(barriers[1] * 100, 1),
            }
            if barriers is not None
            else {}
        ),
        "gap_m2": round(_gap(boundary, union), 1),
        "overlap_m2": round(overlap, 1),
        "areas_without_beheerder": int(plan.areas["beheerder_needed"].sum()),
    }


def _union_of(polygons: np.ndarray) -> BaseGeometry:
    """The union of area polygons: a coverage union (many times faster) when they form a valid
    coverage (no overlaps, shared borders vertex for vertex), else the exact union."""
    drawn = polygons[~shapely.is_empty(polygons)]
    try:
        if len(drawn) and shapely.coverage_is_valid(drawn):
            return shapely.coverage_union_all(drawn)
    except shapely.errors.GEOSException:
        pass
    return shapely.union_all(polygons)


def _gap(boundary: BaseGeometry, union: BaseGeometry) -> float:
    """Land of the wijk in no area (m²): the wijk less what of the union lies inside it.

    Measured as ``|wijk| − |union| + |union outside the wijk|``: the same figure as
    ``|wijk − union|``, but that overlay falls back to its slow robust mode when the two share
    their outer edge vertex for vertex (they do), and this one does not.
    """
    outside = shapely.difference(union, boundary).area if not union.is_empty else 0.0
    return max(0.0, float(boundary.area - union.area + outside))


def compactness_notes(
    areas: gpd.GeoDataFrame, compactness: np.ndarray, boundary: BaseGeometry
) -> list[dict[str, Any]]:
    """Every area under :data:`MIN_POLSBY_POPPER`, with the reason (Dutch)."""
    wijk = 4 * math.pi * boundary.area / max(boundary.length, 1e-9) ** 2
    notes = []
    for area_id, value in zip(areas["area_id"].astype(int), compactness, strict=True):
        if value >= MIN_POLSBY_POPPER:
            continue
        reason = (
            f"de wijk zelf is smal of grillig (Polsby–Popper van de wijk {decimal(wijk)})"
            if wijk < 2 * MIN_POLSBY_POPPER
            else "geen compactere indeling gevonden die de groepen even groot houdt"
        )
        notes.append(
            {"area_id": int(area_id), "polsby_popper": round(float(value), 3), "reason": reason}
        )
    return notes


def building_notes(members: pd.DataFrame, share: int) -> list[dict[str, Any]]:
    """Every building (one address point, to 10 cm) whose sign-ups are in more than one area:
    one with more than an area's ``share`` is cut by flat number, so that every group has room
    to grow. The map shows the building in one area only. Per building its street, the areas
    with how many of its sign-ups each, and the reason (Dutch)."""
    if len(members) == 0 or "area_id" not in members:
        return []
    points = members.geometry.to_numpy()
    spots = pd.DataFrame(
        {
            "area_id": members["area_id"].to_numpy(),
            "x": np.round(shapely.get_x(points), 1),
            "y": np.round(shapely.get_y(points), 1),
        }
    ).dropna(subset=["x", "y"])
    split = spots.groupby(["x", "y"])["area_id"].transform("nunique").to_numpy() > 1
    if not split.any():  # most plans: no building in two groups
        return []
    spots = spots.loc[split]
    streets = members["straat"].astype(str).to_numpy() if "straat" in members else None
    spots["straat"] = streets[spots.index.to_numpy()] if streets is not None else ""
    table = spots.groupby(["x", "y", "area_id"]).size().reset_index(name="count")
    by_spot: dict[tuple[float, float], dict[int, int]] = {}
    for x, y, area_id, count in zip(
        table["x"].tolist(),
        table["y"].tolist(),
        table["area_id"].tolist(),
        table["count"].tolist(),
        strict=True,
    ):
        by_spot.setdefault((x, y), {})[int(area_id)] = int(count)
    first = spots.drop_duplicates(["x", "y"])  # the street of a building's first sign-up
    street_of = dict(
        zip(
            zip(first["x"].tolist(), first["y"].tolist(), strict=True),
            first["straat"].tolist(),
            strict=True,
        )
    )
    return [
        {
            "street": street_of[spot],
            "areas": areas,
            "reason": (
                f"{sum(areas.values())} aanmeldingen op één adres (een flatgebouw) zijn op "
                f"huisnummer verdeeld over {len(areas)} groepen: meer dan het streefaantal "
                f"van {share} per gebied; de kaart toont het gebouw in één gebied"
            ),
        }
        for spot, areas in by_spot.items()
    ]


def not_one_piece(areas: gpd.GeoDataFrame, boundary: BaseGeometry) -> list[dict[str, Any]]:
    """Every area that is not one valid polygon: its id, how many pieces, and why (Dutch)."""
    geometries = areas.geometry.to_numpy()
    one_piece = (
        shapely.is_valid(geometries)
        & (shapely.get_type_id(geometries) == 3)
        & ~shapely.is_empty(geometries)
    )
    if one_piece.all():
        return []
    wijk_parts, _ = polygon_parts(np.array([boundary]))
    parts, owner = polygon_parts(geometries)
    if len(parts) and len(wijk_parts) > 1:
        inside = shapely.STRtree(wijk_parts).query(
            shapely.point_on_surface(parts), predicate="intersects"
        )
        wijk_part = np.full(len(parts), -1)
        wijk_part[inside[0]] = inside[1]
    else:
        wijk_part = np.zeros(len(parts), dtype=int)
    found = []
    for position in np.flatnonzero(~one_piece):
        mine = owner == position
        pieces = int(mine.sum())
        spans = len(set(wijk_part[mine].tolist()))
        if pieces == 0:
            reason = (
                "geen eigen grond: een gebouw met meer aanmeldingen dan in één groep passen "
                "is over meer groepen verdeeld"
            )
        elif pieces == 1:
            reason = "de vorm was ongeldig en is hersteld"
        elif spans > 1:
            reason = (
                f"de wijkgrens bestaat uit {len(wijk_parts)} losse delen en dit gebied ligt in "
                f"{spans} ervan"
            )
        else:
            reason = (
                "een los stuk met leden kon niet bij een aangrenzend gebied zonder het maximum "
                "te overschrijden of al ingedeelde leden te verplaatsen"
            )
        found.append(
            {"area_id": int(areas["area_id"].iloc[position]), "parts": pieces, "reason": reason}
        )
    return found
