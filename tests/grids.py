"""Synthetic wijken for partition tests: street grids in RD New with fictitious members."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely import LineString, Point, Polygon, box

RD = "EPSG:28992"
ORIGIN = (186_000.0, 331_000.0)  # near Geleen


def grid_streets(
    columns: int,
    rows: int,
    spacing: float = 100.0,
    *,
    x0: float = ORIGIN[0],
    y0: float = ORIGIN[1],
    prefix: str = "",
) -> gpd.GeoDataFrame:
    """Straight streets on a grid; every street has a vertex at every crossing (a junction)."""
    lines, names = [], []
    xs = x0 + spacing * np.arange(columns + 1)
    ys = y0 + spacing * np.arange(rows + 1)
    for j, y in enumerate(ys):
        lines.append(LineString([(x, y) for x in xs]))
        names.append(f"{prefix}Dwarsstraat {j + 1}")
    for i, x in enumerate(xs):
        lines.append(LineString([(x, y) for y in ys]))
        names.append(f"{prefix}Laan {i + 1}")
    return gpd.GeoDataFrame({"name": names, "highway": "residential"}, geometry=lines, crs=RD)


def grid_boundary(
    columns: int, rows: int, spacing: float = 100.0, *, x0: float = ORIGIN[0], y0: float = ORIGIN[1]
) -> Polygon:
    """The wijk: the grid's extent with half a block around it."""
    half = spacing / 2
    return box(x0 - half, y0 - half, x0 + spacing * columns + half, y0 + spacing * rows + half)


def members_along(
    streets: gpd.GeoDataFrame,
    count: int,
    *,
    seed: int,
    weights: np.ndarray | None = None,
    offset: float = 12.0,
    spacing: float = 100.0,
) -> gpd.GeoDataFrame:
    """``count`` fictitious members in houses along the streets, both sides, numbered along it.

    ``segment`` names the stretch between two junctions (every ``spacing`` metres) a house is on.
    """
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(streets), size=count, p=weights)
    rows = []
    for n, index in enumerate(chosen):
        line = streets.geometry.iloc[index]
        along = rng.uniform(5, line.length - 5)
        from_junction = along % spacing
        clearance = offset + 5  # houses stand along the street, not in the crossing street
        along += max(0.0, clearance - from_junction) - max(
            0.0, from_junction - (spacing - clearance)
        )
        side = 1 if rng.random() < 0.5 else -1
        point = line.interpolate(along)
        ahead = line.interpolate(min(line.length, along + 1))
        dx, dy = ahead.x - point.x, ahead.y - point.y
        norm = max(1e-9, float(np.hypot(dx, dy)))
        house = Point(point.x - side * dy / norm * offset, point.y + side * dx / norm * offset)
        number = int(along // 10) * 2 + (1 if side > 0 else 2)
        rows.append(
            {
                "naam": f"Deelnemer {n}",
                "telefoon": f"+3161{n:07d}",
                "straat": streets["name"].iloc[index],
                "huisnummer": number,
                "huisletter": "",
                "toevoeging": "",
                "beheerder": bool(rng.random() < 0.05),
                "segment": f"{streets['name'].iloc[index]}:{int(along // spacing)}",
                "geometry": house,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=streets.crs)


def crooked_wijk(
    columns: int, rows: int, *, seed: int, spacing: float = 100.0
) -> tuple[gpd.GeoDataFrame, Polygon]:
    """A wijk as real ones are: crooked streets, diagonals, dead ends and a ragged boundary.

    The grid's crossings are shifted at random (up to a third of a block); some blocks get a
    diagonal street, some crossings a dead end. The boundary follows the outer crossings at a
    random distance. Returns the streets (RD New) and the boundary.
    """
    rng = np.random.default_rng(seed)
    jitter = spacing / 3
    xs = ORIGIN[0] + spacing * np.arange(columns + 1)
    ys = ORIGIN[1] + spacing * np.arange(rows + 1)
    grid = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1)
    grid = grid + rng.uniform(-jitter, jitter, grid.shape)
    lines: list[LineString] = []
    names: list[str] = []
    for j in range(rows + 1):
        lines.append(LineString(grid[:, j]))
        names.append(f"Dwarsstraat {j + 1}")
    for i in range(columns + 1):
        lines.append(LineString(grid[i, :]))
        names.append(f"Laan {i + 1}")
    for i in range(columns):
        for j in range(rows):
            corner = grid[i, j]
            if rng.random() < 0.3:
                lines.append(LineString([corner, grid[i + 1, j + 1]]))
                names.append(f"Schuinstraat {i + 1}-{j + 1}")
            elif rng.random() < 0.4:
                centre = (corner + grid[i + 1, j + 1]) / 2
                lines.append(LineString([corner, corner + (centre - corner) * 0.7]))
                names.append(f"Hofje {i + 1}-{j + 1}")
    ring = np.concatenate([grid[:, 0], grid[-1, 1:], grid[-2::-1, -1], grid[0, -2:0:-1]])
    centre = ring.mean(axis=0)
    outward = ring - centre
    outward /= np.hypot(*outward.T)[:, None]
    margin = rng.uniform(0.3, 0.7, len(ring))[:, None] * spacing
    boundary = Polygon(ring + outward * margin)
    if not boundary.is_valid:  # a fold in the ragged edge
        boundary = boundary.convex_hull
    streets = gpd.GeoDataFrame({"name": names, "highway": "residential"}, geometry=lines, crs=RD)
    return streets, boundary


def round_trip(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` as read back from a GeoJSON file: WGS84 rounded to 7 decimals, then RD again."""
    wgs = frame.to_crs(4326)
    rounded = shapely.transform(wgs.geometry.to_numpy(), lambda xy: np.round(xy, 7))
    return wgs.set_geometry(gpd.GeoSeries(rounded, index=wgs.index, crs=4326)).to_crs(frame.crs)
