"""Where the buurtpreventie signs go: the entrances of the wijk (or of each area).

Pure: a boundary polygon and street lines in a metric CRS in, sign points out; no I/O.

1. A crossing is a point where a street line meets the boundary and passes from outside to
   inside (probed a little before and after it along the line); a street that only touches
   the boundary or runs along it is no entrance.
2. Roads open to traffic are main entrances; cycle and foot paths minor ones. Service roads,
   private ways, motorways, and one-way streets that only lead out are no entrances; a trunk
   road counts only where it has a junction inside the wijk.
3. Crossings within ``merge_m`` of each other (both carriageways of a dual road), and all
   crossings at one roundabout, are one entrance.
4. The sign stands ``inset_m`` inside, on the incoming road; ``bearing_deg`` is the compass
   direction of incoming traffic (the sign's face looks the opposite way, at the drivers).
5. Ranked: main before minor, then road class, then the number of homes the entrance leads to
   (homes nearer to it along the streets than to any other entrance; a home exactly as near
   to several goes to the first of them in entrance order).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra
from shapely.geometry.base import BaseGeometry

from geo.units import coordinate_keys, split_at_junctions
from geo.wording import counted

# OSM highway value → (rank, Dutch label); lower rank = more important road.
MAIN_ROADS: dict[str, tuple[int, str]] = {
    "trunk": (1, "autoweg"),
    "trunk_link": (1, "autoweg"),
    "motorway_link": (1, "afrit"),
    "primary": (1, "hoofdweg"),
    "primary_link": (1, "hoofdweg"),
    "secondary": (2, "doorgaande weg"),
    "secondary_link": (2, "doorgaande weg"),
    "tertiary": (3, "wijkontsluitingsweg"),
    "tertiary_link": (3, "wijkontsluitingsweg"),
    "unclassified": (4, "lokale weg"),
    "residential": (5, "woonstraat"),
    "road": (5, "weg"),
    "": (5, "weg"),  # street data without attributes: every crossing counts
    "living_street": (6, "woonerf"),
}
MINOR_ROADS: dict[str, tuple[int, str]] = {
    "cycleway": (7, "fietspad"),
    "pedestrian": (8, "voetgangersgebied"),
    "footway": (8, "voetpad"),
    "path": (8, "pad"),
    "trail": (8, "pad"),
    "bridleway": (8, "ruiterpad"),
    "track": (8, "veldweg"),
    "steps": (9, "trap"),
}
THROUGH_ROADS = frozenset({"motorway", "trunk", "trunk_link"})
# OSM highway values that are never an entrance: no public road for residents, or no road yet.
NO_ENTRANCE = frozenset(
    {
        "motorway", "service", "services", "rest_area", "construction", "proposed", "planned",
        "abandoned", "disused", "razed", "raceway", "bus_guideway", "busway", "platform",
        "corridor", "elevator", "escape", "emergency_bay", "via_ferrata", "ladder", "no",
    }
)  # fmt: skip
# Dutch road classes (this module's own labels, and the motorway) read as their OSM value.
DUTCH_CLASSES: dict[str, str] = {
    **{label: key for key, (_, label) in (MAIN_ROADS | MINOR_ROADS).items() if key},
    "weg": "road",
    "pad": "path",
    "snelweg": "motorway",
    "autosnelweg": "motorway",
}
CLOSED_ACCESS = frozenset({"private", "no"})
ROUNDABOUTS = frozenset({"roundabout", "circular"})
MAIN = "main"
MINOR = "minor"
_PROBE_M = 1.0


@dataclass(frozen=True)
class _Crossing:
    line: int
    along: float
    inward: int  # +1: traffic enters in the line's direction, -1: against it


@dataclass(frozen=True)
class _Streets:
    """The streets prepared once for any boundary (a wijk or each of its areas)."""

    crs: object
    candidates: gpd.GeoDataFrame  # single lines that may be an entrance (trunk rule pending)
    trunk: np.ndarray  # per candidate: a trunk road (an entrance only with a junction inside)
    shapes: np.ndarray  # the streets' geometries as given, for the catchment
    raw_highway: np.ndarray  # their class (:func:`road_classes`), for the junction split
    main_road: np.ndarray  # per street: a road for traffic (main entrances share homes over it)


def find_signs(
    boundary: BaseGeometry,
    streets: gpd.GeoDataFrame,
    homes: gpd.GeoDataFrame | None = None,
    *,
    inset_m: float = 10.0,
    merge_m: float = 30.0,
    show_counts: bool = True,
) -> gpd.GeoDataFrame:
    """Proposed sign points at the entrances of ``boundary``, ranked (see the module doc).

    ``streets`` has ``highway``, ``name``, ``access``, ``junction`` and ``oneway`` when known
    (missing columns count as empty); ``homes`` are address points for the ranking.
    Returns points in the CRS of ``streets`` with ``sign_id``, ``street``, ``road_class``,
    ``kind``, ``rank``, ``bearing_deg``, ``homes``, ``reason``. Without ``show_counts`` (homes
    that are people, not addresses) they still rank the signs, but ``homes`` is empty and the
    reason does not count them.
    """
    return _find(
        boundary, _prepare(streets), homes, inset_m=inset_m, merge_m=merge_m,
        show_counts=show_counts,
    )  # fmt: skip


def _find(
    boundary: BaseGeometry,
    prepared: _Streets,
    homes: gpd.GeoDataFrame | None,
    *,
    inset_m: float = 10.0,
    merge_m: float = 30.0,
    show_counts: bool = True,
) -> gpd.GeoDataFrame:
    """:func:`find_signs` on streets prepared by :func:`_prepare`."""
    lines = _usable_lines(prepared, boundary)
    crossings = _crossings(lines, boundary)
    if not crossings:
        return _empty(prepared.crs)
    table = _describe(lines, crossings, boundary, inset_m=inset_m)
    table["entrance"] = _merge(table, lines, merge_m=merge_m)
    signs = _pick_per_entrance(table)
    signs["homes"] = _catchment(boundary, prepared, signs, homes)
    ranked = _rank(gpd.GeoDataFrame(signs, geometry="geometry", crs=prepared.crs))
    return ranked if show_counts else without_counts(ranked)


def signs_per_area(
    areas: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame,
    homes: gpd.GeoDataFrame | None = None,
    *,
    show_counts: bool = True,
    **options: float,
) -> gpd.GeoDataFrame:
    """Signs at the entrances of each area (``area_id`` and ``geometry`` in a metric CRS);
    ``homes`` and ``show_counts`` as for :func:`find_signs`."""
    frames = []
    prepared = _prepare(streets)
    for area_id, polygon in zip(areas["area_id"], areas.geometry, strict=True):
        if polygon is None or polygon.is_empty:
            continue
        signs = _find(polygon, prepared, homes, show_counts=show_counts, **options)
        frames.append(signs.assign(area_id=int(area_id)))
    if not frames:
        return _empty(streets.crs).assign(area_id=pd.Series(dtype=int))
    result = pd.concat(frames, ignore_index=True)
    result["sign_id"] = np.arange(1, len(result) + 1)
    return gpd.GeoDataFrame(result, geometry="geometry", crs=streets.crs)


def road_label(highway: str) -> str:
    """Dutch name of an OSM road class (``highway`` value)."""
    known = MAIN_ROADS.get(highway) or MINOR_ROADS.get(highway)
    return known[1] if known else highway


def clip_lines(lines: np.ndarray, polygon: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``lines`` meet ``polygon`` (a mask), and those lines cut to it.

    The cut lines are ``shapely.intersection(lines[meets], polygon)``, geometry for geometry,
    with less overlay work: a line well inside (off the polygon's edge) that is a simple, open
    line string without repeated points comes out of GEOS's overlay as itself, coordinate for
    coordinate, so it is kept as it is; only the other lines are overlaid. Most of a wijk's or
    an area's streets lie inside it.
    """
    shape = shapely.from_wkb(shapely.to_wkb(polygon))  # a copy to prepare, not the caller's
    shapely.prepare(shape)
    meets: np.ndarray = shapely.intersects(shape, lines)
    kept = lines[meets]
    whole = (
        shapely.contains_properly(shape, kept)
        & (shapely.get_type_id(kept) == shapely.GeometryType.LINESTRING)
        & (shapely.get_coordinate_dimension(kept) == 2)
    )
    plain = kept[whole]
    whole[whole] = shapely.is_simple(plain) & ~shapely.is_closed(plain) & ~_repeats(plain)
    cut = kept.copy()
    cut[~whole] = shapely.intersection(kept[~whole], polygon)
    return meets, cut


def _repeats(lines: np.ndarray) -> np.ndarray:
    """Per line: whether two consecutive points are equal (what ``remove_repeated_points``
    with tolerance 0 would remove)."""
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    same = (coords[1:] == coords[:-1]).all(axis=1) & (owner[1:] == owner[:-1])
    return np.bincount(owner[1:][same], minlength=len(lines)) > 0


# --- which lines, which crossings -------------------------------------------------------------


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame:
        return pd.Series("", index=frame.index)
    return frame[name].fillna("").astype(str).str.strip().str.casefold()


def road_classes(frame: pd.DataFrame) -> pd.Series:
    """The ``highway`` column as OSM classes: trimmed, lower case, Dutch classes translated
    (``fietspad`` is ``cycleway``); "" where missing. Other values are kept as they are."""
    highway = _column(frame, "highway")
    return highway.map(lambda value: DUTCH_CLASSES.get(value, value))


def is_street(highway: pd.Series) -> pd.Series:
    """Per road class: a road for traffic. A class outside the OSM list (say ``straat``) is an
    ordinary street, like a missing one; paths and the classes in :data:`NO_ENTRANCE` are not."""
    known = MAIN_ROADS.keys() | THROUGH_ROADS
    other = ~highway.isin(MINOR_ROADS.keys() | NO_ENTRANCE)
    return highway.isin(known) | other


def _prepare(streets: gpd.GeoDataFrame) -> _Streets:
    """What every boundary needs of ``streets``: the entrance candidates and the network."""
    classes = road_classes(streets)
    main_road = is_street(classes).to_numpy()
    raw_highway = classes.to_numpy(dtype=object)
    candidates = _candidate_lines(streets)
    return _Streets(
        crs=streets.crs,
        candidates=candidates,
        trunk=candidates["highway"].isin(THROUGH_ROADS).to_numpy(),
        shapes=streets.geometry.to_numpy(),
        raw_highway=raw_highway,
        main_road=main_road,
    )


def _candidate_lines(streets: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Street lines that can be an entrance anywhere, exploded to single lines."""
    single = shapely.get_type_id(streets.geometry.to_numpy()) == shapely.GeometryType.LINESTRING
    frame = (  # streets as read are single lines already: the same rows without exploding
        streets.reset_index(drop=True)
        if single.all()
        else streets.explode(index_parts=False).reset_index(drop=True)
    )
    rings = frame.geom_type == "LinearRing"  # a closed way (a roundabout) may arrive as a ring
    if rings.any():
        frame.loc[rings, frame.geometry.name] = [
            shapely.LineString(ring.coords) for ring in frame.geometry[rings]
        ]
    frame = frame.loc[frame.geom_type == "LineString"].reset_index(drop=True)
    highway = road_classes(frame)
    open_to_all = ~_column(frame, "access").isin(CLOSED_ACCESS)
    keep = (~highway.isin(NO_ENTRANCE) & open_to_all).to_numpy()
    lines = frame.loc[keep].reset_index(drop=True)
    return lines.assign(
        highway=highway.to_numpy()[keep],
        name=lines["name"].fillna("").astype(str).to_numpy() if "name" in lines else "",
        oneway=_column(lines, "oneway").to_numpy(),
        junction=_column(lines, "junction").to_numpy(),
    )


def _usable_lines(prepared: _Streets, boundary: BaseGeometry) -> gpd.GeoDataFrame:
    """The candidate lines that are an entrance of ``boundary``: a trunk road only where
    another road joins it inside.

    Only lines that meet the boundary's edge can cross it, and only roundabouts count for
    merging: the other lines are left out (their order kept).
    """
    lines, trunk = prepared.candidates, prepared.trunk
    keep = np.ones(len(lines), dtype=bool)
    if trunk.any():
        keep = ~trunk | _has_junction_inside(lines.geometry.to_numpy(), trunk, boundary)
    ring = shapely.boundary(boundary)
    shapely.prepare(ring)
    near = shapely.intersects(ring, lines.geometry.to_numpy())
    near |= lines["junction"].isin(ROUNDABOUTS).to_numpy()
    return lines.loc[keep & near].reset_index(drop=True)


def _has_junction_inside(
    geometries: np.ndarray, trunk: np.ndarray, boundary: BaseGeometry
) -> np.ndarray:
    """Per line: for trunk lines, whether another candidate road joins them inside the wijk."""
    others = np.flatnonzero(~trunk)
    other_keys = set(coordinate_keys(shapely.get_coordinates(geometries[others])))
    result = np.ones(len(geometries), dtype=bool)
    for index in np.flatnonzero(trunk):
        coords = shapely.get_coordinates(geometries[index])
        inside = shapely.contains_xy(boundary, coords[:, 0], coords[:, 1])
        result[index] = bool(set(coordinate_keys(coords[inside])) & other_keys)
    return result


def _crossings(lines: gpd.GeoDataFrame, boundary: BaseGeometry) -> list[_Crossing]:
    """Points where a line passes from outside the boundary to inside."""
    if lines.empty:
        return []
    geometries = lines.geometry.to_numpy()
    ring = shapely.boundary(boundary)
    touched = shapely.intersection(geometries, ring)
    points, owner = shapely.get_parts(touched, return_index=True)
    points, owner = np.asarray(points), np.asarray(owner)
    real = ~shapely.is_empty(points)
    points, owner = points[real], owner[real]
    # Where a line runs along the ring the overlap is a line: its ends are where it leaves it.
    coords, which = shapely.get_coordinates(points, return_index=True)
    is_point = shapely.get_type_id(points) == 0
    vertices = coords[is_point[which]]
    owners = owner[which][is_point[which]]
    ends = ~is_point
    if ends.any():
        stretch = points[ends]
        end_points = np.concatenate([shapely.get_point(stretch, 0), shapely.get_point(stretch, -1)])
        vertices = np.vstack([vertices, shapely.get_coordinates(end_points)])
        owners = np.concatenate([owners, owner[ends], owner[ends]])
    along = shapely.line_locate_point(geometries[owners], shapely.points(vertices))
    rounded = [round(a, 1) for a in along.tolist()]
    first: dict[tuple[int, float], int] = {}
    for number, key in enumerate(zip(owners.tolist(), rounded, strict=True)):
        first.setdefault(key, number)  # a point met twice (to the decimetre) counts once
    unique = np.fromiter(first.values(), dtype=int, count=len(first))
    owners, along = owners[unique], along[unique]
    inward = _inward(geometries[owners], along, boundary)
    return [
        _Crossing(line, at, direction)
        for line, at, direction in zip(
            owners.tolist(), along.tolist(), inward.tolist(), strict=True
        )
        if direction
    ]


def _inward(lines: np.ndarray, along: np.ndarray, boundary: BaseGeometry) -> np.ndarray:
    """Per line and position ``along`` it: +1 if it enters ``boundary`` there going forward,
    -1 going backward, else 0.

    A line that starts (or ends) on the boundary enters if it runs inside from there.
    """
    shape = shapely.from_wkb(shapely.to_wkb(boundary))  # a copy to prepare, not the caller's
    shapely.prepare(shape)
    before, after = along - _PROBE_M, along + _PROBE_M
    inside_before = (before >= 0) & shapely.contains(
        shape, shapely.line_interpolate_point(lines, before)
    )
    inside_after = (after <= shapely.length(lines)) & shapely.contains(
        shape, shapely.line_interpolate_point(lines, after)
    )
    inward: np.ndarray = inside_after.astype(int) - inside_before.astype(int)
    return inward


# --- describing and merging crossings -----------------------------------------------------------


def _describe(
    lines: gpd.GeoDataFrame, crossings: list[_Crossing], boundary: BaseGeometry, *, inset_m: float
) -> pd.DataFrame:
    rows = []
    geometries = lines.geometry.to_numpy()
    highways, oneways, junctions, names = (
        lines[column].to_numpy() for column in ("highway", "oneway", "junction", "name")
    )
    for crossing in crossings:
        line = geometries[crossing.line]
        highway = str(highways[crossing.line])
        oneway = str(oneways[crossing.line])
        roundabout = str(junctions[crossing.line]) in ROUNDABOUTS
        forward_only = oneway in {"yes", "true", "1"} or (roundabout and oneway != "no")
        backward_only = oneway in {"-1", "reverse"}
        if (forward_only and crossing.inward < 0) or (backward_only and crossing.inward > 0):
            continue  # a one-way street that only leads out: nobody enters here
        sign = _sign_point(line, crossing, boundary, inset_m=inset_m)
        if sign is None:
            continue
        main = highway not in MINOR_ROADS  # a class outside the OSM list: a street
        rank, label = (MAIN_ROADS if main else MINOR_ROADS).get(highway, (5, highway))
        rows.append(
            {
                "line": crossing.line,
                "crossing": line.interpolate(crossing.along),
                "geometry": sign,
                "street": str(names[crossing.line]),
                "road_class": highway,
                "label": label,
                "class_rank": rank,
                "kind": MAIN if main else MINOR,
                "roundabout": roundabout,
                "bearing_deg": _bearing(line, crossing, sign),
            }
        )
    return pd.DataFrame(rows)


def _sign_point(
    line: BaseGeometry, crossing: _Crossing, boundary: BaseGeometry, *, inset_m: float
) -> BaseGeometry | None:
    """A point ``inset_m`` inside along the incoming road (closer if the road turns back out)."""
    for step in (inset_m, inset_m / 2, inset_m / 4, _PROBE_M):
        along = crossing.along + crossing.inward * step
        if 0 <= along <= line.length:
            point = line.interpolate(along)
            if boundary.contains(point):
                return point
    return None


def _bearing(line: BaseGeometry, crossing: _Crossing, sign: BaseGeometry) -> float:
    """Compass direction (0 = north, clockwise) in which incoming traffic passes the sign."""
    at = float(shapely.line_locate_point(line, sign))
    ahead = line.interpolate(min(line.length, max(0.0, at + crossing.inward * _PROBE_M)))
    behind = line.interpolate(min(line.length, max(0.0, at - crossing.inward * _PROBE_M)))
    dx, dy = ahead.x - behind.x, ahead.y - behind.y
    return compass(math.degrees(math.atan2(dx, dy)))


def compass(degrees: float) -> float:
    """A direction in degrees as a compass bearing in [0, 360), to a tenth of a degree
    (359.97 is 0.0, never 360.0)."""
    return round(degrees % 360.0, 1) % 360.0


def _merge(table: pd.DataFrame, lines: gpd.GeoDataFrame, *, merge_m: float) -> np.ndarray:
    """Entrance number per crossing: near crossings, and crossings at one roundabout, merge."""
    if table.empty:
        return np.array([], dtype=int)
    points = np.asarray(table["crossing"].to_list(), dtype=object)
    union = nx.utils.UnionFind(range(len(points)))
    tree = shapely.STRtree(points)
    left, right = tree.query(points, predicate="dwithin", distance=merge_m)
    for a, b in zip(left, right, strict=True):
        union.union(int(a), int(b))
    rings = lines.geometry.to_numpy()[lines["junction"].isin(ROUNDABOUTS).to_numpy()]
    if len(rings):
        for roundabout in shapely.get_parts(shapely.line_merge(shapely.union_all(rings))):
            near = np.flatnonzero(shapely.dwithin(points, roundabout, merge_m))
            for a, b in itertools.pairwise(near):
                union.union(int(a), int(b))
    groups = {
        root: number
        for number, root in enumerate(dict.fromkeys(union[i] for i in range(len(points))))
    }
    return np.array([groups[union[i]] for i in range(len(points))], dtype=int)


def _pick_per_entrance(table: pd.DataFrame) -> pd.DataFrame:
    """One sign per entrance: on its most important road, not on the roundabout ring itself."""
    crossings = np.asarray(table["crossing"].to_list(), dtype=object)
    entrance = table["entrance"].to_numpy()
    order = np.argsort(entrance, kind="stable")  # each entrance's crossings in table order
    numbers, group = np.unique(entrance[order], return_inverse=True)
    centres = shapely.centroid(shapely.multipoints(crossings[order], indices=group))
    table = table.assign(
        off_centre=shapely.distance(crossings, centres[np.searchsorted(numbers, entrance)]),
        main_first=(table["kind"] != MAIN).astype(int),
    )
    ordered = table.sort_values(
        ["entrance", "main_first", "class_rank", "roundabout", "off_centre"]
    )
    chosen = ordered.drop_duplicates("entrance").reset_index(drop=True)
    return chosen[
        ["street", "road_class", "label", "class_rank", "kind", "bearing_deg", "geometry"]
    ]


# --- ranking ----------------------------------------------------------------------------------------


def _catchment(
    boundary: BaseGeometry,
    prepared: _Streets,
    signs: pd.DataFrame,
    homes: gpd.GeoDataFrame | None,
) -> np.ndarray:
    """Per sign: homes nearer to it along the streets inside the wijk than to any other sign.

    Main entrances share the homes among themselves over roads for traffic; minor entrances
    among all entrances over every street.
    """
    counts = np.zeros(len(signs), dtype=int)
    if homes is None or homes.empty:
        return counts
    points = homes.geometry.to_numpy()
    inside = points[shapely.within(points, boundary)]
    if len(inside) == 0:
        return counts
    meets, cut = clip_lines(prepared.shapes, boundary)
    parts, street = shapely.get_parts(cut, return_index=True)
    single = shapely.get_type_id(parts) == shapely.GeometryType.LINESTRING
    parts, street = parts[single], np.flatnonzero(meets)[street[single]]
    clipped = gpd.GeoDataFrame(
        {"highway": prepared.raw_highway[street]}, geometry=parts, crs=prepared.crs
    )
    main_road = prepared.main_road[street]
    for kind in (MAIN, MINOR):
        network = clipped.loc[main_road] if kind == MAIN else clipped
        sources = (
            np.flatnonzero(signs["kind"].to_numpy() == MAIN)
            if kind == MAIN
            else np.arange(len(signs))
        )
        if network.empty or len(sources) == 0:
            continue
        nearest = _nearest_along_streets(network, signs.geometry.to_numpy()[sources], inside)
        found = nearest >= 0
        tally = np.bincount(nearest[found], minlength=len(sources))
        mine = signs["kind"].to_numpy()[sources] == kind
        counts[sources[mine]] = tally[mine]
    return counts


def _nearest_along_streets(
    network: gpd.GeoDataFrame, sources: np.ndarray, targets: np.ndarray
) -> np.ndarray:
    """For each target point, the index of the nearest source along the network (-1: none).

    A target at exactly the same distance from several sources goes to the lowest source index.
    """
    result = np.full(len(targets), -1, dtype=int)
    segments = split_at_junctions(network.assign(highway=network["highway"].fillna("")))
    geometries = segments.geometry.to_numpy()
    if len(geometries) == 0 or len(sources) == 0 or len(targets) == 0:
        return result
    graph, junctions = _point_graph(geometries, sources, targets)
    source_nodes = junctions + np.arange(len(sources))
    target_nodes = junctions + len(sources) + np.arange(len(targets))
    distance = dijkstra(graph, directed=False, indices=source_nodes)[:, target_nodes]
    reached = np.isfinite(distance).any(axis=0)
    result[reached] = np.argmin(distance[:, reached], axis=0)  # the first of equals: lowest
    return result


def _point_graph(
    geometries: np.ndarray, sources: np.ndarray, targets: np.ndarray
) -> tuple[csr_array, int]:
    """The street segments as a graph with the points joined to it, and its number of junctions.

    Nodes: the junctions (segment ends, to the centimetre), then the sources, then the targets;
    each point is joined to both ends of its nearest segment.
    """
    coords = shapely.get_coordinates(geometries)
    last_of = np.cumsum(shapely.get_num_coordinates(geometries)) - 1
    starts = coordinate_keys(coords[np.r_[0, last_of[:-1] + 1]])
    ends = coordinate_keys(coords[last_of])
    _, junction = np.unique(np.concatenate([starts, ends]), return_inverse=True)
    first, last = np.split(junction.ravel(), 2)
    junctions = int(junction.max()) + 1
    edges = [(first, last, shapely.length(geometries))]
    tree = shapely.STRtree(geometries)
    count = junctions
    for points in (sources, targets):
        number, nearest, start_m, end_m = _attach(points, tree, geometries)
        # On a loop (both ends one junction) the two edges are parallel: the shorter way counts.
        edges += [(count + number, first[nearest], start_m), (count + number, last[nearest], end_m)]
        count += len(points)
    a, b, length = (np.concatenate(part) for part in zip(*edges, strict=True))
    return _street_matrix(a, b, length, count), junctions


def _attach(
    points: np.ndarray, tree: shapely.STRtree, geometries: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per point: its number, its nearest segment, and its distance to that segment's start and
    end (straight to the segment, then along it); for all points at once."""
    found, nearest = tree.query_nearest(points, all_matches=False)
    segments = geometries[nearest]
    along = shapely.line_locate_point(segments, points[found])
    offset = shapely.distance(segments, points[found])
    return found, nearest, offset + along, offset + shapely.length(segments) - along


def _street_matrix(a: np.ndarray, b: np.ndarray, length: np.ndarray, count: int) -> csr_array:
    """Undirected graph of ``count`` nodes with edges ``a``–``b`` as a sparse matrix.

    Of parallel edges the shortest counts; loops are left out. A zero length becomes the
    smallest normal float, so that it stays an edge: adding it to any distance that is not
    (nearly) zero leaves that distance exactly as it was.
    """
    low, high = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((length, high, low))
    low, high, length = low[order], high[order], length[order]
    first = np.r_[True, (low[1:] != low[:-1]) | (high[1:] != high[:-1])] & (low != high)
    weight = np.where(length[first] > 0, length[first], np.finfo(float).tiny)
    return csr_array((weight, (low[first], high[first])), shape=(count, count))


def _rank(signs: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    signs = signs.assign(main_first=(signs["kind"] != MAIN).astype(int))
    signs = signs.sort_values(["main_first", "class_rank", "homes"], ascending=[True, True, False])
    signs = signs.reset_index(drop=True)
    signs["rank"] = np.arange(1, len(signs) + 1)
    signs["sign_id"] = signs["rank"]
    signs["reason"] = [
        _reason(str(street), str(kind), str(label), int(homes))
        for street, kind, label, homes in zip(
            signs["street"], signs["kind"], signs["label"], signs["homes"], strict=True
        )
    ]
    columns = [
        "sign_id",
        "rank",
        "street",
        "road_class",
        "kind",
        "bearing_deg",
        "homes",
        "reason",
        "geometry",
    ]
    return signs[columns]


_COUNT_IN_REASON = re.compile(r"; leidt naar \d+ adres(sen)?$")


def without_counts(signs: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``signs`` without the number of homes behind each entrance (``homes`` empty, the
    reason without "leidt naar N adressen"): for signs ranked by members, made public."""
    if not len(signs) or "homes" not in signs:
        return signs
    return signs.assign(
        homes=pd.array([pd.NA] * len(signs), dtype="Int64"),
        reason=signs["reason"].astype(str).str.replace(_COUNT_IN_REASON, "", regex=True),
    )


def _reason(street: str, kind: str, label: str, homes: int) -> str:
    entrance = "hoofdingang" if kind == MAIN else "ingang voor fietsers en voetgangers"
    lead = f"; leidt naar {counted(homes, 'adres', 'adressen')}" if homes else ""
    return f"{entrance} via {street or 'naamloze weg'} ({label}){lead}"


def _empty(crs: object) -> gpd.GeoDataFrame:
    columns = {
        "sign_id": pd.Series(dtype=int),
        "rank": pd.Series(dtype=int),
        "street": pd.Series(dtype=str),
        "road_class": pd.Series(dtype=str),
        "kind": pd.Series(dtype=str),
        "bearing_deg": pd.Series(dtype=float),
        "homes": pd.Series(dtype=int),
        "reason": pd.Series(dtype=str),
    }
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
