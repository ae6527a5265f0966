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
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import GeoError
from geo.units import NOT_WALKABLE, Units, build_units, dissolve

_EPSILON_WEIGHT = 1e-3  # keeps weighted means defined for empty selections
_MAX_SWEEPS = 60
_RETRIES = 3  # times a block that would cut the rest is tried again while a region grows
_RETRY_PENALTY_M = 100.0
# Peels tried per plan: farthest block from the centre, then the four compass points.
_STARTS: tuple[float | None, ...] = (None, 0.0, math.pi / 2, math.pi, 3 * math.pi / 2)
# Above this many blocks (about 50,000 members) only the first starts are tried: each peel is
# O(areas × blocks), and the best of three is as balanced there as the best of five.
_MANY_BLOCKS = 5000
_STARTS_WHEN_MANY = 3
_DUST_M2 = 1e-6  # polygon pieces smaller than this are rounding dust, not land
_TOUCH_M = 0.05  # borders closer than this count as shared (cells do not always line up)
_MIN_STREET_IN_AREA_M = 10.0  # a street named in an area's list runs at least this far inside it


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
    areas, placed = _refresh(areas, placed, max_members=max_members)
    areas = label_areas(areas, streets, addresses)
    plan = Plan(areas=areas, members=placed, outside=outside)
    plan.metrics = measure(plan, boundary=boundary, max_members=max_members, fill=fill)
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
    if split:
        areas = edge_match(areas)
    areas, members = _refresh(areas, members, max_members=max_members)
    areas = label_areas(areas, streets, homes, keep_names=names_by_id(plan.areas))
    existing = np.arange(len(plan.members))
    moved = int((members["area_id"].to_numpy()[existing] != before.to_numpy()[existing]).sum())
    updated = Plan(
        areas=areas,
        members=gpd.GeoDataFrame(members, geometry="geometry", crs=plan.members.crs),
        outside=pd.concat([plan.outside, outside], ignore_index=True),
    )
    updated.metrics = measure(updated, boundary=boundary, max_members=max_members, fill=fill)
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
    tree = shapely.STRtree(areas.geometry.to_numpy())
    point_index, area_index = tree.query(points.geometry.to_numpy(), predicate="intersects")
    result = np.full(len(points), -1)
    result[point_index[::-1]] = area_index[::-1]
    missing = np.flatnonzero(result < 0)
    if len(missing):  # on the wijk edge, between rounding errors: nearest area
        result[missing] = tree.query_nearest(
            points.geometry.to_numpy()[missing], all_matches=False
        )[1]
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
    for position, area_id in enumerate(areas["area_id"]):
        in_area = members["area_id"] == area_id
        if members.loc[in_area, "is_beheerder"].any():
            continue
        chosen = choose_beheerder(gpd.GeoDataFrame(members.loc[in_area], geometry="geometry"))
        if chosen is not None:
            members.loc[chosen, "is_beheerder"] = True
        areas.loc[areas.index[position], "beheerder_needed"] = chosen is None
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
    located = members.geometry.notna() & ~members.geometry.is_empty
    within = located & members.within(boundary)
    return members.loc[within].reset_index(drop=True), members.loc[~within].reset_index(drop=True)


def _inside_only(
    addresses: gpd.GeoDataFrame | None, boundary: BaseGeometry
) -> gpd.GeoDataFrame | None:
    if addresses is None or addresses.empty:
        return None
    return addresses.loc[addresses.within(boundary)].reset_index(drop=True)


# --- the partition -------------------------------------------------------------------------


def partition_units(units: Units, k: int, *, max_members: int, fill: float) -> np.ndarray:
    """Area label (0..) per unit: ``k`` connected, balanced areas, none over ``max_members``.

    The work happens on blocks: every unit with members plus the member-less units (paths,
    empty streets) nearest to it along the street graph. Blocks are connected, so areas made
    of neighbouring blocks are too, and every move between areas moves real members.
    """
    block_of, blocks, weights, xy = block_graph(units)
    best: tuple[float, float] | None = None
    starts = _STARTS if len(weights) <= _MANY_BLOCKS else _STARTS[:_STARTS_WHEN_MANY]
    for start in starts:
        labels = _peel(blocks, weights, xy, k, nodes=set(blocks.nodes), start=start)
        labels = _balance(blocks, labels, weights, xy, max_members=max_members)
        labels = _enforce_cap(blocks, labels, weights, xy, max_members=max_members, fill=fill)
        score = _score(labels, weights, xy)
        if best is None or score < best:
            best, chosen = score, labels
    per_unit: np.ndarray = chosen[block_of]
    return per_unit


def _score(labels: np.ndarray, weights: np.ndarray, xy: np.ndarray) -> tuple[float, float]:
    """Largest distance from the mean size first, then spread around the area centres."""
    totals = np.bincount(labels, weights=weights)
    centres = _centres(labels, weights, xy)
    inertia = float((weights * ((xy - centres[labels]) ** 2).sum(axis=1)).sum())
    return float(np.abs(totals - totals.mean()).max()), inertia


def block_graph(units: Units) -> tuple[np.ndarray, nx.Graph[int], np.ndarray, np.ndarray]:
    """Blocks: every unit with members plus the empty units nearest to it along the streets.

    Returns the block of each unit, the block graph, and per block its members and a point.
    """
    frame, graph = units.frame, units.graph
    weight = frame["weight"].to_numpy(dtype=float)
    xy = frame[["x", "y"]].to_numpy()
    heads = [int(n) for n in np.flatnonzero(weight > 0)]
    if not heads:
        msg = "er zijn geen leden om gebieden voor te maken"
        raise PlanError(msg)
    for a, b in graph.edges:
        graph.edges[a, b]["length"] = float(np.hypot(*(xy[a] - xy[b])))
    paths = nx.multi_source_dijkstra_path(graph, set(heads), weight="length")
    index_of = {head: i for i, head in enumerate(heads)}
    block_of = np.array([index_of[paths[n][0]] for n in range(len(frame))])
    blocks: nx.Graph[int] = nx.Graph()
    blocks.add_nodes_from(range(len(heads)))
    blocks.add_edges_from(
        (int(block_of[a]), int(block_of[b])) for a, b in graph.edges if block_of[a] != block_of[b]
    )
    return block_of, blocks, weight[heads], xy[heads]


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
    for area in range(k - 1):
        if not remaining:
            break
        share = weights[list(remaining)].sum() / (k - area)
        region = _grow(graph, remaining, weights, xy, share, angle=start if area == 0 else None)
        labels[list(region)] = area
        remaining -= region
    labels[list(remaining)] = k - 1
    return labels


def _grow(
    graph: nx.Graph[int],
    remaining: set[int],
    weights: np.ndarray,
    xy: np.ndarray,
    share: float,
    *,
    angle: float | None = None,
) -> set[int]:
    """A connected region of about ``share`` members, grown from the rest's far edge.

    The seed is the block farthest from the rest's centre, or farthest towards ``angle``.
    """
    pool = np.array(sorted(remaining))
    centre = np.average(xy[pool], axis=0, weights=weights[pool] + _EPSILON_WEIGHT)
    offset = xy[pool] - centre
    direction = None if angle is None else np.array([math.cos(angle), math.sin(angle)])
    reach = np.hypot(*offset.T) if direction is None else offset @ direction
    seed = int(pool[np.argmax(reach)])
    region, total = {seed}, weights[seed]
    frontier: list[tuple[float, int]] = [(0.0, seed)]
    queued = {seed}
    deferred: dict[int, int] = {}
    while frontier and total < share:
        distance, node = heapq.heappop(frontier)
        if node not in region:
            rest = remaining - region
            # Taking a block that cuts the rest in two means taking the smaller pieces too.
            package = {node} | (
                set() if _still_connected(graph, rest, node) else _pockets(graph, rest, node)
            )
            gain = weights[list(package)].sum()
            if total + gain - share > share - total:
                deferred[node] = deferred.get(node, 0) + 1
                if deferred[node] <= _RETRIES and gain > weights[node]:
                    heapq.heappush(frontier, (distance + _RETRY_PENALTY_M, node))
                    continue
                break  # taking it would overshoot more than stopping short
            region |= package
            total += gain
            for member in package - {node}:
                queued.add(member)
                heapq.heappush(frontier, (distance, member))
        for neighbour in graph.neighbors(node):
            if neighbour in remaining and neighbour not in queued:
                queued.add(neighbour)
                heapq.heappush(frontier, (float(np.hypot(*(xy[neighbour] - xy[seed]))), neighbour))
    rest = remaining - region
    if rest:
        pockets = sorted(
            _components(graph, rest),
            key=lambda c: (weights[list(c)].sum(), len(c)),
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
    totals = np.bincount(labels, weights=weights)
    for _ in range(_MAX_SWEEPS):
        moved = 0
        centres = _centres(labels, weights, xy)
        for node in _boundary_nodes(graph, labels):
            own, weight = labels[node], weights[node]
            choices = [
                other
                for other in {labels[n] for n in graph.neighbors(node)} - {own}
                if weight < totals[own] - totals[other] and totals[other] + weight <= max_members
            ]
            if not choices or not _stays_connected(graph, labels, node):
                continue
            best = min(choices, key=lambda other: float(np.hypot(*(xy[node] - centres[other]))))
            labels[node] = best
            totals[own] -= weight
            totals[best] += weight
            moved += 1
        if moved == 0:
            break
    return labels


def _boundary_nodes(graph: nx.Graph[int], labels: np.ndarray) -> list[int]:
    return [n for n in graph.nodes if any(labels[m] != labels[n] for m in graph.neighbors(n))]


def _centres(labels: np.ndarray, weights: np.ndarray, xy: np.ndarray) -> np.ndarray:
    count = labels.max() + 1
    mass = np.bincount(labels, weights=weights + _EPSILON_WEIGHT, minlength=count)
    x = np.bincount(labels, weights=(weights + _EPSILON_WEIGHT) * xy[:, 0], minlength=count)
    y = np.bincount(labels, weights=(weights + _EPSILON_WEIGHT) * xy[:, 1], minlength=count)
    return np.stack([x / mass, y / mass], axis=1)


def _pockets(graph: nx.Graph[int], group: set[int], node: int) -> set[int]:
    """The parts of ``group`` that removing ``node`` cuts off from its heaviest part."""
    parts = _components(graph, group - {node})
    parts.sort(key=len)
    return set().union(*parts[:-1]) if len(parts) > 1 else set()


def _components(graph: nx.Graph[int], nodes: set[int]) -> list[set[int]]:
    """Connected parts of ``graph`` restricted to ``nodes`` (a plain BFS: no subgraph views)."""
    adjacency = graph.adj
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


def _stays_connected(graph: nx.Graph[int], labels: np.ndarray, node: int) -> bool:
    """Whether the area of ``node`` stays connected (and non-empty) without it."""
    own = labels[node]
    if not any(labels[n] == own for n in graph.neighbors(node)):
        return False  # the unit is the whole area
    return _still_connected(graph, set(np.flatnonzero(labels == own).tolist()), node)


def _still_connected(graph: nx.Graph[int], group: set[int], node: int) -> bool:
    """Whether ``group`` minus ``node`` is still connected (searching only as far as needed)."""
    mates = [n for n in graph.neighbors(node) if n in group]
    if len(mates) <= 1:
        return True
    targets, seen, stack = set(mates[1:]), {node, mates[0]}, [mates[0]]
    while stack and targets:
        current = stack.pop()
        for neighbour in graph.neighbors(current):
            if neighbour not in seen and neighbour in group:
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
    order = _reading_order(polygons)
    ids = {label: first_id + rank for rank, label in enumerate(order)}
    placed = members.copy()
    placed["area_id"] = [ids[labels[u]] for u in units.member_unit]
    placed["is_beheerder"] = False
    records = []
    for label in order:
        area_id = ids[label]
        in_area = placed["area_id"].to_numpy() == area_id
        households = int(frame.loc[frame["label"] == label, "households"].sum())
        beheerder = choose_beheerder(placed.loc[in_area])
        if beheerder is not None:
            placed.loc[beheerder, "is_beheerder"] = True
        records.append(
            {
                "area_id": area_id,
                "members": int(in_area.sum()),
                "capacity_left": max_members - int(in_area.sum()),
                "households": households,
                "beheerder_needed": beheerder is None,
                "geometry": polygons.loc[label],
            }
        )
    areas = gpd.GeoDataFrame(records, geometry="geometry", crs=units.frame.crs)
    areas["neighbours"] = area_neighbours(areas)
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
    shared = shapely.length(
        shapely.intersection(
            shapely.boundary(polygons[left]), shapely.buffer(polygons[right], 0.05)
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
    tree = shapely.STRtree(polygons)
    point, area = tree.query(addresses.geometry.to_numpy(), predicate="intersects")
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
    """Names per area: ``keep`` where given, else the base, numbered ``(2)``, ``(3)`` if taken."""
    kept = {i: str(keep[i]) for i in ids if i in keep and isinstance(keep[i], str) and keep[i]}
    taken = set(kept.values())
    names = []
    for area_id, base in zip(ids, bases, strict=True):
        if area_id in kept:
            names.append(kept[area_id])
            continue
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
    clean = shapely.is_valid(geometries) & (shapely.get_type_id(geometries) == 3)
    if clean.all():
        return areas, members
    ids = areas["area_id"].to_numpy(dtype=int)
    state = _Pieces.of(areas, members, addresses)
    state.changed |= ~clean
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
                may_move=movable is None or int(ids[source]) in movable,
            )
            if target is None:
                left.append(part)
            else:
                state.join(part, *target)
        if len(left) == len(pending):
            break
        pending = left
    for part in pending:  # nowhere to go: the area stays in parts
        owner = state.owner[part]
        state.current[owner] = shapely.union(state.current[owner], state.parts[part])
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
        cls, areas: gpd.GeoDataFrame, members: pd.DataFrame, addresses: gpd.GeoDataFrame | None
    ) -> _Pieces:
        parts, owner = polygon_parts(areas.geometry.to_numpy())
        position_of = {int(a): i for i, a in enumerate(areas["area_id"].astype(int))}
        member_area = np.array([position_of.get(int(a), -1) for a in members["area_id"]])
        points = np.asarray(members.geometry.to_numpy())
        found_member, found_part = shapely.STRtree(parts).query(points, predicate="intersects")
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
        households = (
            areas["households"].to_numpy(dtype=int).copy() if "households" in areas else None
        )
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


def _join(polygon: BaseGeometry, part: BaseGeometry) -> BaseGeometry | None:
    """``polygon`` and ``part`` as one polygon (snapping hairline gaps shut), else ``None``."""
    for piece in (part, shapely.snap(part, polygon, _TOUCH_M)):
        merged, _ = polygon_parts(np.array([shapely.union(polygon, piece)]))
        if len(merged) == 1:
            return merged[0]
    return None


# --- measurements --------------------------------------------------------------------------


def measure(plan: Plan, *, boundary: BaseGeometry, max_members: int, fill: float) -> dict[str, Any]:
    """The quality figures of a plan (all rules of a good plan, measured on the geometry)."""
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
    union = shapely.union_all(geometries)
    overlap = float(polygons.area.sum() - union.area)
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
        "max_deviation_from_mean_pct": round(float(np.abs(sizes - mean).max() / mean * 100), 1),
        "all_under_cap": bool((sizes <= max_members).all()),
        "contiguous_areas": int(one_piece.sum()),
        "areas_not_one_piece": not_one_piece(plan.areas, boundary),
        "polsby_popper": [round(float(c), 3) for c in compactness],
        "polsby_popper_mean": round(float(compactness.mean()), 3),
        "gap_m2": round(float(boundary.difference(union).area), 1),
        "overlap_m2": round(overlap, 1),
        "areas_without_beheerder": int(plan.areas["beheerder_needed"].sum()),
    }


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
