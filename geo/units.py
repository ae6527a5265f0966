"""Planning units: street segments with the homes along them, and the land nearest to them.

Pure: GeoDataFrames in (metric CRS), GeoDataFrames and a graph out.

* The street network is split at junctions (vertices shared by two ways, as in OSM; a bridge
  over a street shares no vertex and is not a junction) and clipped to the area.
* Every address joins the nearest segment that carries its own street name (both sides of a
  street stay together); without a name match, the nearest street for cars, else any street.
* A unit's polygon is the land nearer to its street and its addresses than to any other unit's
  (a Voronoi tiling of street sample points and address points, clipped to the area), so unit
  borders run midway between streets, behind the houses, and the units tile the area exactly.
* Two units are neighbours when their streets meet at a junction *and* their polygons share a
  border: areas grown along this graph are connected by street and are one polygon.
* A unit with more members than allowed is cut by house-number ranges (across the street).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TypeVar

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry.base import BaseGeometry

from geo.address import normalize_name

T = TypeVar("T")

NOT_WALKABLE = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "construction",
        "proposed",
        "raceway",
        "bus_guideway",
        "elevator",
        "corridor",
        "platform",
    }
)
NOT_FOR_ADDRESSES = frozenset(
    {"footway", "cycleway", "path", "steps", "track", "bridleway", "pedestrian_area"}
)
# Main roads: a unit along one of these is a barrier strip (both sides of the road stay together,
# so an area border "along" it runs at the back of the road's own houses).
BARRIER_HIGHWAYS = frozenset(
    {
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
    }
)
# Lines that are barriers without being units: motorways and trunk roads (not walkable), and,
# when the street data has such columns, railways and waterways. A unit border within this
# distance of one runs along it.
LINE_BARRIER_REACH_M = 25.0
SAMPLE_SPACING_M = 15.0
NAME_MATCH_DISTANCE_M = 300.0
NEAR_STREET_M = 20.0  # most homes lie this near their street (a first, cheap nearest search)
MIN_SHARED_BORDER_M = 1.0
_KEY_DECIMALS = 2  # centimetres: vertices closer than this are one junction
_AREA_TOLERANCE_M2 = 0.01  # cut Voronoi cells may differ this much from the area they tile
_EDGE_TOLERANCE_M = 0.01  # unmatched border segments may differ this much from the area's edge
_OVERLAY_GRID_M = 1e-3  # the grid of the careful cut, when the plain one loses land
_BATCH_CELLS = 64  # groups of up to this many cells are dissolved in one vectorised call


@dataclass
class Units:
    """Units of an area: a frame (one row per unit) and the neighbour graph over its index.

    ``frame`` columns: ``street`` (name), ``highway``, ``weight`` (members), ``households``
    (register addresses), ``parent`` (unit it was cut from, or itself), ``geometry`` (polygon;
    empty only for extra groups of one over-full building), ``segment`` (street line), ``x``,
    ``y`` (a point on the street). ``edges`` (``m × 2``, smaller index first) are the
    neighbour pairs, ``graph`` the same as a networkx graph. ``member_unit`` maps each member
    (by position) to its unit; ``address_unit`` does the same for register addresses.
    """

    frame: gpd.GeoDataFrame
    edges: np.ndarray
    member_unit: np.ndarray
    address_unit: np.ndarray
    borders: Borders | None = None

    @cached_property
    def graph(self) -> nx.Graph[int]:
        """The neighbour graph as networkx builds it (every unit a node, ``edges`` in order)."""
        graph: nx.Graph[int] = nx.Graph()
        graph.add_nodes_from(range(len(self.frame)))
        graph.add_edges_from(map(tuple, self.edges.tolist()))
        return graph


@dataclass
class Borders:
    """Shared borders of unit polygons: the measurements behind compactness and barriers.

    ``pairs`` (``m × 2``, smaller index first) touch along ``metres`` of border, of which
    ``barrier_metres`` run along a barrier (between a main-road strip and another unit, or
    within :data:`LINE_BARRIER_REACH_M` of a railway, waterway or motorway). ``outer`` is each
    unit's perimeter shared with no other unit (the edge of the area it tiles). ``complete``:
    every border was matched vertex for vertex (the unmatched segments add up to the area's
    edge), so a pair found short or missing really is.
    """

    pairs: np.ndarray
    metres: np.ndarray
    barrier_metres: np.ndarray
    outer: np.ndarray
    complete: bool = False


def split_at_junctions(streets: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Split street lines at vertices they share with other lines (junctions)."""
    walkable = np.flatnonzero(~streets["highway"].isin(NOT_WALKABLE).to_numpy())
    parts, line_of_part = _parts(streets.geometry.to_numpy()[walkable])
    coords, owner = shapely.get_coordinates(parts, return_index=True)
    keys = coordinate_keys(coords)
    _, inverse = np.unique(keys, return_inverse=True)
    vertex_of_line = np.unique(inverse * len(parts) + owner) // max(1, len(parts))
    lines_per_vertex = np.bincount(
        vertex_of_line, minlength=inverse.max() + 1 if len(inverse) else 0
    )
    is_junction = lines_per_vertex[inverse] >= 2
    first = np.r_[True, owner[1:] != owner[:-1]]
    last = np.r_[owner[1:] != owner[:-1], True]
    cut = np.flatnonzero(first | last | is_junction)  # every line's ends, and its junctions
    begin, end = cut[:-1], cut[1:]
    keep = (owner[begin] == owner[end]) & (end > begin)
    begin, end = begin[keep], end[keep]
    rows = walkable[line_of_part[owner[begin]]]  # one selection of the street rows, not two
    segments = streets.iloc[rows].drop(columns=streets.geometry.name).reset_index(drop=True)
    if len(begin) == 0:
        return gpd.GeoDataFrame(segments, geometry=[], crs=streets.crs)
    sizes = end - begin + 1
    which = np.repeat(np.arange(len(begin)), sizes)
    vertex = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes) + begin[which]
    return gpd.GeoDataFrame(
        segments, geometry=shapely.linestrings(coords[vertex], indices=which), crs=streets.crs
    )


def build_units(
    area: BaseGeometry,
    streets: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame | None = None,
    *,
    max_weight: int,
) -> Units:
    """Units covering ``area`` (a polygon in a metric CRS) from streets, members and addresses.

    ``members`` and ``addresses`` are points with a ``straat`` column (``huisnummer``,
    ``huisletter`` and ``toevoeging`` are used to cut over-full units). Units heavier than
    ``max_weight`` are cut by house-number ranges (a building, one spot, with more members
    than that by flat number: only one of its runs has the building's land).
    """
    segments = split_at_junctions(streets)
    segments = _clip(segments, area)
    if segments.empty:
        msg = "geen straten binnen het gebied"
        raise ValueError(msg)
    addresses = addresses if addresses is not None else members.iloc[0:0]
    home_unit = _assign_to_segments(  # members and addresses in one search
        np.concatenate([members.geometry.to_numpy(), addresses.geometry.to_numpy()]),
        pd.Series(np.concatenate([members["straat"].to_numpy(), addresses["straat"].to_numpy()])),
        segments,
    )
    member_unit, address_unit = home_unit[: len(members)], home_unit[len(members) :]
    units, member_unit, address_unit = _cut_heavy_units(
        segments.assign(parent=np.arange(len(segments))),
        members=members,
        member_unit=member_unit,
        addresses=addresses,
        address_unit=address_unit,
        max_weight=max_weight,
    )
    polygons = _unit_polygons(
        area,
        units,
        members=members,
        member_unit=member_unit,
        addresses=addresses,
        address_unit=address_unit,
    )
    polygons, moves = _single_parts(
        polygons,
        units.geometry.to_numpy(),
        members.geometry.to_numpy(),
        member_unit,
        max_weight=max_weight,
    )
    # A part no neighbour could take is a piece of its street of its own (after the others).
    new = sorted((target, source) for _, source, target in moves if target >= len(units))
    if new:
        units = pd.concat([units, units.iloc[[source for _, source in new]]], ignore_index=True)
    member_unit = _follow_moves(members, member_unit, moves)
    address_unit = _follow_moves(addresses, address_unit, moves)
    segment = units.geometry.to_numpy()
    anchor = shapely.line_interpolate_point(segment, 0.5, normalized=True)
    highway = units["highway"]
    frame = gpd.GeoDataFrame(  # all columns at once: adding them one by one copies the frame
        {
            "street": units["name"].to_numpy(),
            "highway": highway.to_numpy(),
            "weight": np.bincount(member_unit, minlength=len(units)),
            "households": np.bincount(address_unit, minlength=len(units)),
            "parent": units["parent"].to_numpy(),
            "segment": segment,
            "geometry": polygons,
            "x": shapely.get_x(anchor),
            "y": shapely.get_y(anchor),
            "barrier": highway.isin(BARRIER_HIGHWAYS).to_numpy(),
        },
        geometry="geometry",
        crs=streets.crs,
    )
    borders = unit_borders(frame.geometry.to_numpy(), frame["barrier"].to_numpy(dtype=bool))
    borders.complete = abs(float(borders.outer.sum()) - area.length) <= _EDGE_TOLERANCE_M
    borders = _mark_line_barriers(borders, frame.geometry.to_numpy(), line_barriers(streets))
    return Units(frame, _neighbour_edges(frame, borders), member_unit, address_unit, borders)


def line_barriers(streets: gpd.GeoDataFrame) -> np.ndarray:
    """Barrier lines that are no units: motorways and trunk roads, railways, waterways."""
    chosen = np.zeros(len(streets), dtype=bool)
    if "highway" in streets:
        chosen |= streets["highway"].isin(NOT_WALKABLE & {"motorway", "trunk"}).to_numpy()
    for column in ("railway", "waterway"):
        if column in streets:
            values = streets[column].fillna("").astype(str).str.strip()
            chosen |= ~values.isin({"", "no", "abandoned", "razed", "disused"}).to_numpy()
    return np.asarray(streets.geometry.to_numpy()[chosen])


def unit_borders(polygons: np.ndarray, barrier: np.ndarray) -> Borders:
    """Shared border lengths of all touching polygons, by matching their boundary segments.

    Unit polygons are unions of Voronoi cells, so neighbours share their border vertex for
    vertex (to the centimetre); a segment found once lies on the edge of the tiled area.
    """
    count = len(polygons)
    coords, ring, owner = _ring_coordinates(polygons)
    follows = ring[1:] == ring[:-1]
    start, end = coords[:-1][follows], coords[1:][follows]
    segment_owner = owner[ring[:-1][follows]]
    length = np.hypot(*(end - start).T)
    keys_a, keys_b = coordinate_keys(start), coordinate_keys(end)
    low, high = np.minimum(keys_a, keys_b), np.maximum(keys_a, keys_b)
    order = np.lexsort((high, low))
    low, high = low[order], high[order]
    same_as_next = np.r_[(low[1:] == low[:-1]) & (high[1:] == high[:-1]), False]
    first = order[np.flatnonzero(same_as_next)]
    second = order[np.flatnonzero(same_as_next) + 1]
    a, b = segment_owner[first], segment_owner[second]
    other = a != b
    a, b, metres = a[other], b[other], length[first][other]
    matched = np.zeros(len(length), dtype=bool)
    matched[first] = matched[second] = True
    outer = np.bincount(segment_owner[~matched], weights=length[~matched], minlength=count)
    pairs = np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1)
    if len(pairs) == 0:
        empty = np.zeros(0)
        return Borders(np.zeros((0, 2), dtype=int), empty, empty, outer)
    along = barrier[pairs[:, 0]] != barrier[pairs[:, 1]]
    unique, which = np.unique(pairs[:, 0] * count + pairs[:, 1], return_inverse=True)
    total = np.bincount(which, weights=metres, minlength=len(unique))
    barrier_total = np.bincount(which, weights=metres * along, minlength=len(unique))
    pairs = np.stack([unique // count, unique % count], axis=1).astype(int)
    return Borders(pairs, total, barrier_total, outer)


def _ring_coordinates(polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The coordinates of every ring of ``polygons`` (exterior, then holes, part by part), the
    ring of each coordinate and the polygon (position) of each ring.

    Read as arrays: only polygons with holes or several parts are taken apart into rings (a
    geometry object per part and ring is most of the work for thousands of units, the garbage
    collector's included).
    """
    kinds = shapely.get_type_id(polygons)
    if not np.isin(kinds, (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)).all():
        parts, owner = shapely.get_parts(polygons, return_index=True)  # a line among them
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        coords, ring = shapely.get_coordinates(rings, return_index=True)
        return coords, ring, owner[ring_part]
    plain = (kinds == shapely.GeometryType.POLYGON) & (
        shapely.get_num_interior_rings(polygons) == 0
    )
    parts, part_owner = shapely.get_parts(polygons[~plain], return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    sizes = np.concatenate(
        [shapely.get_num_coordinates(polygons[plain]), shapely.get_num_coordinates(rings)]
    )
    owners = np.concatenate([np.flatnonzero(plain), np.flatnonzero(~plain)[part_owner[ring_part]]])
    order = np.argsort(owners, kind="stable")  # rings in the order of their polygons
    sizes, owners = sizes[order], owners[order]
    real = sizes > 0  # an empty polygon has no ring
    sizes, owners = sizes[real], owners[real]
    coords = shapely.get_coordinates(polygons)
    return coords, np.repeat(np.arange(len(sizes)), sizes), owners


def _mark_line_barriers(borders: Borders, polygons: np.ndarray, lines: np.ndarray) -> Borders:
    """Count borders near barrier lines (railways, waterways, motorways) as barrier borders."""
    if len(lines) == 0 or len(borders.pairs) == 0:
        return borders
    near = shapely.STRtree(lines).query(
        polygons, predicate="dwithin", distance=LINE_BARRIER_REACH_M
    )
    close = np.zeros(len(polygons), dtype=bool)
    close[near[0]] = True
    candidates = np.flatnonzero(close[borders.pairs[:, 0]] & close[borders.pairs[:, 1]])
    if len(candidates) == 0:
        return borders
    zone = shapely.buffer(shapely.union_all(lines), LINE_BARRIER_REACH_M, quad_segs=4)
    a = polygons[borders.pairs[candidates, 0]]
    b = polygons[borders.pairs[candidates, 1]]
    shared = shapely.intersection(shapely.boundary(a), shapely.boundary(b))
    inside = shapely.length(shapely.intersection(shared, zone))
    barrier_metres = borders.barrier_metres.copy()
    barrier_metres[candidates] = np.maximum(barrier_metres[candidates], inside)
    return replace(borders, barrier_metres=barrier_metres)


def coordinate_keys(coords: np.ndarray) -> np.ndarray:
    """One key per coordinate pair, to the centimetre: equal keys are one junction.

    The key is an integer made of the rounded pair: hashable, sorted by ``x`` then ``y``, and
    many times faster to sort than the pair itself. The pairs must be finite metric
    coordinates under 21,000 km from the origin (every caller's are: points without a
    location never reach a wijk's geometry).
    """
    rounded = np.rint(coords.reshape(-1, 2) * 10**_KEY_DECIMALS).astype(np.int64)
    keys: np.ndarray = rounded[:, 0] * (1 << 32) + (rounded[:, 1] + (1 << 31))
    return keys


def points_in(points: np.ndarray, polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (point, polygon) position pair where the point lies in or on the polygon, sorted
    by point, then polygon.

    The polygons are the query side, so GEOS prepares them: on a wijk's few large areas that
    is many times faster than testing each point against unprepared polygons.
    """
    polygon, point = shapely.STRtree(points).query(polygons, predicate="intersects")
    order = np.lexsort((polygon, point))
    return point[order], polygon[order]


def _clip(segments: gpd.GeoDataFrame, area: BaseGeometry) -> gpd.GeoDataFrame:
    """Segments cut to ``area`` (only those crossing its edge need the overlay)."""
    shapely.prepare(area)
    lines = segments.geometry.to_numpy()
    meets = np.flatnonzero(shapely.intersects(area, lines))
    cut = lines[meets]
    crossing = ~shapely.covers(area, cut)
    cut[crossing] = shapely.intersection(cut[crossing], area)
    parts, which = _parts(cut)
    keep = (shapely.get_type_id(parts) == shapely.GeometryType.LINESTRING) & (
        shapely.length(parts) > 0.5
    )
    inside = segments.iloc[meets[which[keep]]].reset_index(drop=True)
    inside[inside.geometry.name] = parts[keep]
    return inside


def _parts(shapes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``shapely.get_parts(shapes, return_index=True)`` without copying the single lines
    (most of them: copies of thousands of lines cost the garbage collector's time too)."""
    single = shapely.get_type_id(shapes) == shapely.GeometryType.LINESTRING
    parts, which = shapely.get_parts(shapes[~single], return_index=True)
    owner = np.concatenate([np.flatnonzero(single), np.flatnonzero(~single)[which]])
    order = np.argsort(owner, kind="stable")
    return np.concatenate([shapes[single], parts])[order], owner[order]


def assign_to_segments(points: gpd.GeoDataFrame, segments: gpd.GeoDataFrame) -> np.ndarray:
    """Index of the segment each point belongs to (own street name first, then nearest)."""
    return _assign_to_segments(points.geometry.to_numpy(), points["straat"], segments)


def _assign_to_segments(
    geoms: np.ndarray, streets: pd.Series, segments: gpd.GeoDataFrame
) -> np.ndarray:
    """:func:`assign_to_segments` of points and their street names, without a frame of them."""
    result = np.full(len(geoms), -1, dtype=int)
    if len(geoms) == 0:
        return result
    point_names = fold_each(streets, normalize_name)
    segment_names = fold_each(
        segments["name"], lambda n: frozenset(normalize_name(p) for p in n.split(";"))
    )
    by_name: dict[str, list[int]] = {}
    for index, names in enumerate(segment_names.tolist()):
        for name in names - {""}:
            by_name.setdefault(name, []).append(index)
    # Most homes lie nearest to a segment of their own street: one search over all segments
    # settles them; only the others search their street's segments.
    lines = segments.geometry.to_numpy()
    point, found, distance = _nearest_segments(lines, geoms)
    names_of_segment, name_of_point = segment_names.tolist(), point_names.tolist()
    own = np.array(
        [name_of_point[p] in names_of_segment[s] for p, s in zip(point, found, strict=True)],
        dtype=bool,
    )
    own &= (point_names[point] != "") & (distance <= NAME_MATCH_DISTANCE_M)
    order = np.lexsort((found[own], point[own]))  # among equally near segments the first
    settled, first = np.unique(point[own][order], return_index=True)
    result[settled] = found[own][order][first]
    todo = np.flatnonzero(result < 0)
    names, name_of = np.unique(point_names[todo], return_inverse=True)
    for code, name in enumerate(names):
        candidates = by_name.get(name)
        if name == "" or not candidates:
            continue
        which = todo[name_of == code]
        tree = shapely.STRtree(lines[candidates])
        hit, nearest = tree.query_nearest(
            geoms[which], max_distance=NAME_MATCH_DISTANCE_M, all_matches=False
        )
        result[which[hit]] = np.asarray(candidates)[nearest]
    for allowed in (
        ~segments["highway"].isin(NOT_FOR_ADDRESSES).to_numpy(),
        np.ones(len(segments), bool),
    ):
        todo = np.flatnonzero(result < 0)
        if len(todo) == 0 or not allowed.any():
            continue
        options = np.flatnonzero(allowed)
        tree = shapely.STRtree(segments.geometry.to_numpy()[options])
        found, nearest = tree.query_nearest(geoms[todo], all_matches=False)
        result[todo[found]] = options[nearest]
    return result


def fold_each(texts: pd.Series, fold: Callable[[str], T]) -> np.ndarray:
    """``fold`` of every text (missing as empty), computed once per distinct text (a street's
    name comes with each of its pieces and homes)."""
    codes, distinct = pd.factorize(texts.fillna("").astype(str))
    folded = np.empty(len(distinct), dtype=object)
    folded[:] = [fold(text) for text in distinct]
    return folded[codes]


def _nearest_segments(lines: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, ...]:
    """For every point all its nearest lines (equally near): point, line and distance arrays.

    Most homes lie within :data:`NEAR_STREET_M` of their street: one search within that reach
    (with the distances measured in one call) settles them far faster than a nearest-neighbour
    search per point; only the others search without a limit.
    """
    tree = shapely.STRtree(lines)
    point, line = tree.query(points, predicate="dwithin", distance=NEAR_STREET_M)
    distance = shapely.distance(points[point], lines[line])
    nearest = np.full(len(points), np.inf)
    np.minimum.at(nearest, point, distance)
    keep = distance <= nearest[point]
    point, line, distance = point[keep], line[keep], distance[keep]
    far = np.flatnonzero(np.isinf(nearest))
    if len(far):
        (which, far_line), far_distance = tree.query_nearest(
            points[far], all_matches=True, return_distance=True
        )
        point = np.concatenate([point, far[which]])
        line = np.concatenate([line, far_line])
        distance = np.concatenate([distance, far_distance])
    return point, line, distance


def _cut_heavy_units(
    units: gpd.GeoDataFrame,
    *,
    members: gpd.GeoDataFrame,
    member_unit: np.ndarray,
    addresses: gpd.GeoDataFrame,
    address_unit: np.ndarray,
    max_weight: int,
) -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray]:
    """Cut units with more than ``max_weight`` members into house-number ranges (see
    :func:`_house_ranges`)."""
    weights = np.bincount(member_unit, minlength=len(units))
    heavy = np.flatnonzero(weights > max_weight)
    if len(heavy) == 0:
        return units, member_unit, address_unit
    member_unit, address_unit = member_unit.copy(), address_unit.copy()
    extra_rows = []
    next_index = len(units)
    for unit in heavy:
        order = _house_order(
            members, np.flatnonzero(member_unit == unit), units.geometry.iloc[unit]
        )
        pieces: list[int] = [int(unit)]
        for piece in _house_ranges(members, order, max_weight)[1:]:
            member_unit[piece] = next_index
            extra_rows.append(units.iloc[unit])
            pieces.append(next_index)
            next_index += 1
        homes = np.flatnonzero(np.isin(member_unit, pieces))
        which = np.flatnonzero(address_unit == unit)
        if len(which):  # register addresses join the piece of the nearest member
            tree = shapely.STRtree(members.geometry.to_numpy()[homes])
            nearest = tree.query_nearest(addresses.geometry.to_numpy()[which], all_matches=False)[1]
            address_unit[which] = member_unit[homes[nearest]]
    extra = gpd.GeoDataFrame(extra_rows, crs=units.crs)
    return pd.concat([units, extra], ignore_index=True), member_unit, address_unit


def _house_ranges(
    members: gpd.GeoDataFrame, order: np.ndarray, max_weight: int
) -> list[np.ndarray]:
    """Cut members (in house order) into even runs of at most ``max_weight``.

    Members at one spot (one building) stay together; only a spot with more than
    ``max_weight`` members is itself cut, by flat number.
    """
    spots = coordinate_keys(
        np.round(shapely.get_coordinates(members.geometry.to_numpy()[order]), 1)
    )
    _, first_seen, spot_of = np.unique(spots, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first_seen))[spot_of]  # spots in the order the street is walked
    grouped = order[np.argsort(rank, kind="stable")]
    sizes = np.bincount(rank)
    target = len(order) / math.ceil(len(order) / max_weight)
    runs: list[np.ndarray] = []
    current: list[np.ndarray] = []
    filled = 0
    for spot in np.split(grouped, np.cumsum(sizes)[:-1]):
        if len(spot) > max_weight:  # an over-full building: its own runs, by flat number
            runs.extend(np.array_split(spot, math.ceil(len(spot) / max_weight)))
            continue
        if current and (filled + len(spot) > max_weight or filled >= target):
            runs.append(np.concatenate(current))
            current, filled = [], 0
        current.append(spot)
        filled += len(spot)
    if current:
        runs.append(np.concatenate(current))
    return runs


def _house_order(
    members: gpd.GeoDataFrame, positions: np.ndarray, street: BaseGeometry
) -> np.ndarray:
    """``positions`` sorted by house number, letter, addition, then place along ``street``."""
    chosen = members.iloc[positions]
    blank = pd.Series("", index=chosen.index)
    keys = pd.DataFrame(
        {
            "number": pd.to_numeric(chosen.get("huisnummer", blank), errors="coerce")
            .fillna(0)
            .to_numpy(),
            "letter": chosen.get("huisletter", blank).fillna("").astype(str).to_numpy(),
            "addition": chosen.get("toevoeging", blank)
            .fillna("")
            .astype(str)
            .str.zfill(4)
            .to_numpy(),
            "along": shapely.line_locate_point(street, chosen.geometry.to_numpy()),
            "position": positions,
        }
    )
    columns = ["number", "letter", "addition", "along", "position"]
    return keys.sort_values(columns)["position"].to_numpy()


def _unit_polygons(
    area: BaseGeometry,
    units: gpd.GeoDataFrame,
    *,
    members: gpd.GeoDataFrame,
    member_unit: np.ndarray,
    addresses: gpd.GeoDataFrame,
    address_unit: np.ndarray,
) -> np.ndarray:
    """Voronoi tiling of ``area`` by street samples and address points, dissolved per unit."""
    home_points = np.concatenate([members.geometry.to_numpy(), addresses.geometry.to_numpy()])
    home_labels = np.concatenate([member_unit, address_unit])
    street_points, street_labels = _street_samples(units, home_points, home_labels)
    points = np.concatenate([home_points, street_points])
    labels = np.concatenate([home_labels, street_labels])
    coords = shapely.get_coordinates(points)
    _, first = np.unique(coordinate_keys(coords), return_index=True)
    first = np.sort(first)  # homes come first: a home wins over a street sample on the same spot
    # The sites are the vertices of the geometry given: a line through them is built far
    # faster than a multipoint (one point object per site).
    sites = coords[first]
    cells = shapely.voronoi_polygons(
        shapely.linestrings(sites) if len(sites) > 1 else shapely.multipoints(sites),
        extend_to=area,
        ordered=True,
    )
    clipped = _clip_cells(np.asarray(shapely.get_parts(cells)), area)
    land = ~shapely.is_empty(clipped)
    index, merged = _dissolve_arrays(labels[first][land], clipped[land])
    polygons = np.array([shapely.Polygon()] * len(units), dtype=object)
    polygons[index.astype(int)] = merged  # valid (see dissolve)
    return polygons


def _clip_cells(cells: np.ndarray, area: BaseGeometry) -> np.ndarray:
    """``cells`` cut to ``area``; cells inside it are kept whole (no overlay needed).

    GEOS overlay can drop a cell next to a near-coincident vertex of ``area`` (seen in split
    areas read back from a file); the cut cells must add up to ``area``, or they are cut again
    on a millimetre grid.
    """
    shapely.prepare(area)
    clipped = cells.copy()
    # Only cells that meet the area's edge can stick out; of the others, those outside (none
    # when every generator lies in the area) are dropped.
    near = np.unique(shapely.STRtree(cells).query(_edge_segments(area), predicate="intersects")[1])
    elsewhere = np.ones(len(cells), dtype=bool)
    elsewhere[near] = False
    coords, cell = shapely.get_coordinates(cells[elsewhere], return_index=True)
    corner = coords[np.r_[0, np.flatnonzero(cell[1:] != cell[:-1]) + 1]] if len(cell) else coords
    outside = np.flatnonzero(elsewhere)[~shapely.contains_xy(area, corner[:, 0], corner[:, 1])]
    clipped[outside] = shapely.Polygon()
    edge = near[~shapely.covers(area, cells[near])]  # the prepared area is the first argument
    clipped[edge] = _polygonal(shapely.intersection(cells[edge], area))
    if abs(float(shapely.area(clipped).sum()) - area.area) > _AREA_TOLERANCE_M2:
        cut = shapely.intersection(cells[edge], area, grid_size=_OVERLAY_GRID_M)
        clipped[edge] = _polygonal(cut)
    return clipped


def _polygonal(shapes: np.ndarray) -> np.ndarray:
    """``shapes`` with what has no area dropped: a cell cut along the area's edge can come out
    as polygons with a line, or only a line, where it touches the edge."""
    odd = np.flatnonzero(~np.isin(shapely.get_type_id(shapes), (3, 6)))
    for index in odd.tolist():
        parts = shapely.get_parts(shapely.get_parts(shapes[index]))  # collections, multi-parts
        polygons = parts[shapely.get_type_id(parts) == 3]
        shapes[index] = (
            shapely.multipolygons(polygons) if len(polygons) > 1
            else polygons[0] if len(polygons) else shapely.Polygon()
        )  # fmt: skip
    return shapes


def _edge_segments(area: BaseGeometry) -> np.ndarray:
    """The area's boundary as two-point lines (an index finds the cells along it quickly)."""
    rings = shapely.get_rings(shapely.get_parts(area))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    follows = np.flatnonzero(ring[1:] == ring[:-1])
    return np.asarray(shapely.linestrings(np.stack([coords[follows], coords[follows + 1]], axis=1)))


def _single_parts(
    polygons: np.ndarray,
    segments: np.ndarray,
    homes: np.ndarray,
    home_unit: np.ndarray,
    *,
    max_weight: int,
) -> tuple[np.ndarray, list[tuple[BaseGeometry, int, int]]]:
    """Make every unit one polygon: stray parts join a touching neighbour or stand alone.

    The part a unit keeps is the one nearest the middle of its street (then the largest). A
    stray part goes to the neighbour with the longest shared border among those that can take
    its homes (``homes`` with their unit in ``home_unit``) without passing ``max_weight``. If
    none can, it is a new unit (numbered after the others, in order); a part that touches no
    other unit stays. Returns the polygons (new units last) and the moves made: (part, from
    unit, to unit).
    """
    polygons = polygons.copy()
    weight = np.bincount(home_unit, minlength=len(polygons))
    moves: list[tuple[BaseGeometry, int, int]] = []
    split = np.flatnonzero(shapely.get_num_geometries(polygons) > 1)
    if len(split) == 0:
        return polygons, moves
    parts, whose = shapely.get_parts(polygons[split], return_index=True)
    owner = split[whose]
    middle = shapely.line_interpolate_point(segments[owner], 0.5, normalized=True)
    order = np.lexsort((-shapely.area(parts), shapely.distance(parts, middle), owner))
    kept = np.zeros(len(parts), dtype=bool)
    kept[order[np.r_[True, owner[order][1:] != owner[order][:-1]]]] = True
    polygons[owner[kept]] = parts[kept]
    stray, stray_owner = parts[~kept], owner[~kept]
    # Touching neighbours and shared borders of every stray part at once (against the units as
    # trimmed to their kept part; parts a unit receives below do not count as its border).
    found_part, found_unit = shapely.STRtree(polygons).query(stray, predicate="intersects")
    other = found_unit != stray_owner[found_part]
    found_part, found_unit = found_part[other], found_unit[other]
    shared_all = _part_borders(polygons, stray, found_unit, found_part)
    home_tree = shapely.STRtree(homes) if len(homes) else None
    in_part, at_home = (
        home_tree.query(stray, predicate="intersects")
        if home_tree is not None
        else (np.zeros(0, dtype=int), np.zeros(0, dtype=int))
    )
    own_home = home_unit[at_home] == stray_owner[in_part]
    carried_all = np.bincount(in_part[own_home], minlength=len(stray))
    target = _receivers(
        (found_part, found_unit, shared_all), stray_owner, carried_all, weight, max_weight
    )
    moved = np.flatnonzero(target != stray_owner)  # a part touching no other unit stays
    moves = list(
        zip(stray[moved].tolist(), stray_owner[moved].tolist(), target[moved].tolist(), strict=True)
    )
    joined = np.flatnonzero(target < len(polygons))
    if len(joined):  # each unit with its parts in order, as they were received
        receivers = np.unique(target[joined])
        index, merged = _dissolve_arrays(
            np.concatenate([receivers, target[joined]]),
            np.concatenate([polygons[receivers], stray[joined]]),
        )
        polygons[index] = merged
    return np.concatenate([polygons, stray[target >= len(polygons)]]), moves


def _receivers(
    touching: tuple[np.ndarray, np.ndarray, np.ndarray],
    owner: np.ndarray,
    carried: np.ndarray,
    weight: np.ndarray,
    max_weight: int,
) -> np.ndarray:
    """The unit each stray part joins, part by part as :func:`_receiver` decides: its own
    when it touches no other, and numbers after ``len(weight)`` (in order) for parts no
    neighbour has room for. ``touching`` holds part, unit and shared border of each touching
    pair; ``carried`` counts each part's homes.

    Only parts carrying homes change weights, so while every unit is within ``max_weight`` a
    part without homes fits anywhere: it takes its longest border at once (the first found
    among equal ones) and only the others are decided one by one.
    """
    part, unit, shared = touching
    target = owner.copy()
    by_part = np.argsort(part, kind="stable")  # each part's neighbours, in query order
    bounds = np.searchsorted(part[by_part], np.arange(len(owner) + 1))
    touches = bounds[1:] > bounds[:-1]
    one_by_one = touches & (carried > 0) if weight.max(initial=0) <= max_weight else touches
    longest = by_part[np.lexsort((-shared[by_part], part[by_part]))]
    best = unit[longest[bounds[:-1][touches]]]  # each touching part's longest border first
    quick = touches & ~one_by_one
    target[quick] = best[quick[touches]]
    neighbours, borders = unit[by_part].tolist(), shared[by_part].tolist()
    weights, limits, homes = weight.tolist(), bounds.tolist(), carried.tolist()
    new = len(weight)
    for index in np.flatnonzero(one_by_one).tolist():
        low, high = limits[index], limits[index + 1]
        chosen = _receiver(
            neighbours[low:high], borders[low:high], weights, homes[index], max_weight
        )
        if chosen is None:
            chosen, new = new, new + 1
        else:
            weights[chosen] += homes[index]
        weights[int(owner[index])] -= homes[index]
        target[index] = chosen
    return target


def _receiver(
    touching: list[int],
    shared: list[float],
    weights: list[int],
    carried: int,
    max_weight: int,
) -> int | None:
    """The neighbour a stray part joins: the longest shared border among those with room for
    its ``carried`` homes (none when none has room)."""
    best, best_border = None, -1.0
    for unit, border in zip(touching, shared, strict=True):
        if weights[unit] + carried <= max_weight and border > best_border:
            best, best_border = unit, border
    return best


def _part_borders(
    polygons: np.ndarray, parts: np.ndarray, unit: np.ndarray, part: np.ndarray
) -> np.ndarray:
    """Border length between each ``polygons[unit]`` and ``parts[part]`` (pairs that touch).

    Both come from one Voronoi tiling, so they share border vertices: matched segments answer;
    a pair they find under :data:`MIN_SHARED_BORDER_M` is measured within 5 cm instead.
    """
    involved, position_of = np.unique(unit, return_inverse=True)  # only the touching units
    count, total = len(involved), len(involved) + len(parts)
    matched = unit_borders(np.concatenate([polygons[involved], parts]), np.zeros(total, bool))
    known = matched.pairs[:, 0] * total + matched.pairs[:, 1]
    wanted = position_of * total + count + part
    shared = np.zeros(len(unit))
    if len(known):
        position = np.clip(np.searchsorted(known, wanted), 0, len(known) - 1)
        shared = np.where(known[position] == wanted, matched.metres[position], 0.0)
    loose = np.flatnonzero(shared < MIN_SHARED_BORDER_M)
    grown = shapely.buffer(parts[part[loose]], 0.05, quad_segs=2)
    shared[loose] = shapely.length(
        shapely.intersection(shapely.boundary(polygons[unit[loose]]), grown)
    )
    return shared


def _follow_moves(
    points: gpd.GeoDataFrame, current: np.ndarray, moves: list[tuple[BaseGeometry, int, int]]
) -> np.ndarray:
    """Homes inside a part that changed unit change unit with it."""
    result = current.copy()
    if points.empty or not moves:
        return result
    parts = np.array([part for part, _, _ in moves], dtype=object)
    sources = np.array([source for _, source, _ in moves])
    targets = np.array([target for _, _, target in moves])
    point, move = points_in(points.geometry.to_numpy(), parts)
    for p, m in zip(point.tolist(), move.tolist(), strict=True):  # moves in the order made
        if result[p] == sources[m]:
            result[p] = targets[m]
    return result


def dissolve(frame: gpd.GeoDataFrame, by: str) -> gpd.GeoSeries:
    """Union the polygons per ``by`` value: fast coverage union, exact union if cells mis-align
    (either way each result is a valid geometry).

    Groups of up to :data:`_BATCH_CELLS` cells are unioned in one vectorised call (a table of
    groups × cells, padded with ``None``); larger groups, and any batch GEOS refuses, one by one.
    """
    index, merged = _dissolve_arrays(frame[by].to_numpy(), frame.geometry.to_numpy())
    return gpd.GeoSeries(merged, index=index, crs=frame.crs)


def _dissolve_arrays(labels: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`dissolve` of ``values`` by ``labels``: the distinct labels (sorted) and their
    unions, without a frame in or out (for thousands of cells a frame costs more than a union)."""
    if len(labels) == 0:
        return labels, np.empty(0, dtype=object)
    order = np.argsort(labels, kind="stable")
    ordered, cells = labels[order], values[order]
    first = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[first, len(ordered)])
    group = np.repeat(np.arange(len(first)), sizes)
    merged = np.empty(len(first), dtype=object)
    single = sizes == 1
    merged[single] = cells[first[single]]
    batch = np.flatnonzero((sizes > 1) & (sizes <= _BATCH_CELLS))
    loose = np.flatnonzero(sizes > _BATCH_CELLS)
    if len(batch):
        row = np.full(len(first), -1)
        row[batch] = np.arange(len(batch))
        chosen = row[group] >= 0
        table = np.full((len(batch), int(sizes[batch].max())), None, dtype=object)
        table[row[group[chosen]], (np.arange(len(ordered)) - first[group])[chosen]] = cells[chosen]
        try:
            unions = shapely.coverage_union_all(table, axis=1)
        except shapely.errors.GEOSException:
            loose = np.concatenate([loose, batch])
        else:
            bad = ~shapely.is_valid(unions)
            merged[batch[~bad]] = unions[~bad]
            loose = np.concatenate([loose, batch[bad]])
    for index in loose:
        merged[index] = _union(cells[first[index] : first[index] + sizes[index]])
    return ordered[first], merged


def _union(cells: np.ndarray) -> BaseGeometry:
    """Coverage union (fast); where cells do not line up exactly it can raise or come out
    self-intersecting, and then the exact union is used."""
    if len(cells) == 1:
        return cells[0]
    try:
        merged = shapely.coverage_union_all(cells)
    except shapely.errors.GEOSException:
        return shapely.union_all(cells)
    return merged if shapely.is_valid(merged) else shapely.union_all(cells)


def _street_samples(
    units: gpd.GeoDataFrame, home_points: np.ndarray, home_labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Points every :data:`SAMPLE_SPACING_M` along each street, labelled with their unit.

    Samples on a street cut into house-number ranges take the piece of the nearest home.
    """
    lengths = units.length.to_numpy()
    counts = np.maximum(1, np.ceil(lengths / SAMPLE_SPACING_M).astype(int))
    owner = np.repeat(np.arange(len(units)), counts)
    rank = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    step = (rank + 0.5) / counts[owner]
    samples = shapely.line_interpolate_point(
        units.geometry.to_numpy()[owner], step, normalized=True
    )
    labels = owner.copy()
    parents = units["parent"].to_numpy()
    cut_parents = np.flatnonzero(np.bincount(parents, minlength=len(units)) > 1)
    for parent in cut_parents:
        pieces = np.flatnonzero(parents == parent)
        on_street = np.flatnonzero(np.isin(owner, pieces))
        homes = np.flatnonzero(np.isin(home_labels, pieces))
        if len(homes) == 0:
            continue
        tree = shapely.STRtree(home_points[homes])
        nearest = tree.query_nearest(samples[on_street], all_matches=False)[1]
        labels[on_street] = home_labels[homes[nearest]]
    return samples, labels


def _neighbour_edges(frame: gpd.GeoDataFrame, borders: Borders | None = None) -> np.ndarray:
    """Units meeting at a junction with touching polygons, and touching pieces of one street.

    Returns the edges (``m × 2``, smaller index first) in the order a networkx graph built
    from them lists its edges, so that every later tie breaks as it always has.
    """
    keys = coordinate_keys(_line_ends(frame["segment"].to_numpy()))
    owners = np.concatenate([np.arange(len(frame)), np.arange(len(frame))])
    pairs = _same_key_pairs(keys, owners)
    parents = frame["parent"].to_numpy()
    order = np.argsort(parents, kind="stable")  # pieces of one street, in index order
    same = parents[order][1:] == parents[order][:-1]
    pieces = np.stack([order[:-1][same], order[1:][same]], axis=1)
    polygons = frame.geometry.to_numpy()
    if len(pieces):  # pieces touch when they share a border, or one has no land (extra flats)
        landless = shapely.is_empty(polygons[pieces]).any(axis=1)
        touching = _shared_border(polygons, pieces, borders) >= MIN_SHARED_BORDER_M
        pieces = pieces[landless | touching]
    edges = [pieces]
    if len(pairs):
        shared = _shared_border(polygons, pairs, borders)
        edges.append(pairs[shared >= MIN_SHARED_BORDER_M])
    joined = np.concatenate(edges).astype(int)
    joined = np.concatenate([joined, _component_links(frame, joined, borders)])
    return _graph_order(joined, len(frame))


def _line_ends(lines: np.ndarray) -> np.ndarray:
    """The first points of ``lines`` (none empty), then their last points: read from their
    coordinates, without a point object for each."""
    coords, line = shapely.get_coordinates(lines, return_index=True)
    if len(line) == 0:
        return np.zeros((0, 2))
    last = np.r_[np.flatnonzero(line[1:] != line[:-1]), len(line) - 1]
    first = np.r_[0, last[:-1] + 1]
    return np.concatenate([coords[first], coords[last]])


def _graph_order(edges: np.ndarray, count: int) -> np.ndarray:
    """Distinct edges, smaller index first, ordered by their first node and then by when they
    were added: the order of ``networkx.Graph.edges`` after adding them in this order."""
    if len(edges) == 0:
        return np.zeros((0, 2), dtype=int)
    low, high = edges.min(axis=1), edges.max(axis=1)
    _, first = np.unique(low * count + high, return_index=True)
    first = np.sort(first)
    first = first[np.argsort(low[first], kind="stable")]
    return np.stack([low[first], high[first]], axis=1)


def _same_key_pairs(keys: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """Distinct pairs (smaller first, sorted) of different ``owners`` that share a key."""
    order = np.argsort(keys, kind="stable")
    keys, owners = keys[order], owners[order]
    found = []
    for step in range(1, len(keys)):
        same = np.flatnonzero(keys[step:] == keys[:-step])
        if len(same) == 0:
            break  # groups are runs of equal keys: no run is this long
        found.append(np.stack([owners[same], owners[same + step]], axis=1))
    if not found:
        return np.zeros((0, 2), dtype=int)
    pairs = np.concatenate(found)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    count = int(owners.max()) + 1
    unique = np.unique(pairs.min(axis=1) * count + pairs.max(axis=1))
    return np.stack([unique // count, unique % count], axis=1)


def _shared_border(
    polygons: np.ndarray, pairs: np.ndarray, borders: Borders | None = None
) -> np.ndarray:
    """Length of border two polygons share; within 5 cm where their vertices do not line up.

    With ``borders`` (pairs smaller index first) the matched segments answer first; only pairs
    they find too short are measured on the geometry, unless the matching was complete.
    """
    a, b = polygons[pairs[:, 0]], polygons[pairs[:, 1]]
    if borders is not None:
        shared = np.zeros(len(pairs))
        if len(borders.pairs):
            count = len(polygons)
            known = borders.pairs[:, 0] * count + borders.pairs[:, 1]
            low, high = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
            wanted = low * count + high
            position = np.clip(np.searchsorted(known, wanted), 0, len(known) - 1)
            shared = np.where(known[position] == wanted, borders.metres[position], 0.0)
        short = np.flatnonzero(shared < MIN_SHARED_BORDER_M)
        if len(short) and not borders.complete:
            shared[short] = _shared_border(polygons, pairs[short])
        return shared
    shared = np.asarray(
        shapely.length(shapely.intersection(shapely.boundary(a), shapely.boundary(b)))
    )
    loose = np.flatnonzero(shared < MIN_SHARED_BORDER_M)
    if len(loose):
        grown = shapely.buffer(b[loose], 0.05, quad_segs=2)
        shared[loose] = shapely.length(shapely.intersection(shapely.boundary(a[loose]), grown))
    return shared


def _first_per_component_pair(pairs: np.ndarray, component_of: np.ndarray) -> np.ndarray:
    """The first of ``pairs`` (in order) between each two components: once it has been tried,
    those components are joined, so the later ones would be passed over anyway."""
    a, b = component_of[pairs[:, 0]], component_of[pairs[:, 1]]
    count = int(component_of.max()) + 1 if len(component_of) else 0
    _, first = np.unique(np.minimum(a, b) * count + np.maximum(a, b), return_index=True)
    return pairs[np.sort(first)]


def _component_links(
    frame: gpd.GeoDataFrame, edges: np.ndarray, borders: Borders | None = None
) -> np.ndarray:
    """Edges linking street-disconnected parts through their longest shared polygon border
    (or, without any, between the nearest units); the parts by size, largest first."""
    count = len(frame)
    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(count, count))
    parts, label = connected_components(graph, directed=False)
    if parts <= 1:
        return np.zeros((0, 2), dtype=int)
    rank = np.empty(parts, dtype=int)
    rank[np.argsort(-np.bincount(label), kind="stable")] = np.arange(parts)
    component_of = rank[label]
    polygons = frame.geometry.to_numpy()
    tree = shapely.STRtree(polygons)
    outlying = np.flatnonzero(component_of != 0)  # the largest component needs no query of its own
    found = tree.query(polygons[outlying], predicate="intersects")
    pairs = np.stack([outlying[found[0]], found[1]], axis=1)
    pairs = pairs[component_of[pairs[:, 0]] != component_of[pairs[:, 1]]]
    shared = _shared_border(polygons, pairs, borders) if len(pairs) else np.array([])
    order = np.argsort(-shared)
    order = order[shared[order] >= MIN_SHARED_BORDER_M]
    union = nx.utils.UnionFind(range(parts))
    links: list[tuple[int, int]] = []
    part_of = component_of.tolist()
    for a, b in _first_per_component_pair(pairs[order], component_of).tolist():
        if union[part_of[a]] != union[part_of[b]]:
            union.union(part_of[a], part_of[b])
            links.append((a, b))
    if len(links) == parts - 1:  # every part joined through shared borders: no nearest search
        return np.array(links, dtype=int).reshape(-1, 2)
    anchors = shapely.points(frame["x"].to_numpy(), frame["y"].to_numpy())
    for number in range(parts):  # no shared border at all: nearest unit
        if union[number] == union[0]:
            continue
        inside = np.flatnonzero(component_of == number)
        roots = np.array([union[c] for c in range(parts)])
        outside = np.flatnonzero(roots[component_of] != roots[number])
        far_tree = shapely.STRtree(anchors[outside])
        source, target = far_tree.query_nearest(anchors[inside], all_matches=False)
        best = np.argmin(shapely.distance(anchors[inside[source]], anchors[outside[target]]))
        links.append((int(inside[source[best]]), int(outside[target[best]])))
        union.union(number, component_of[outside[target[best]]])
    return np.array(links, dtype=int).reshape(-1, 2)
