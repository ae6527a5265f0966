"""Synthetic wijken for partition tests: street grids in RD New with fictitious members."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely import LineString, Point, box

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
):  # type: ignore[no-untyped-def]
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
