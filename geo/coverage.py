"""Coverage: how much of each area has signed up, and where nobody has yet.

Pure: GeoDataFrames in a metric CRS in, tables and lines out. Households are the addresses
of the register (residential BAG objects); without a register only members are known.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.address import normalize_name
from geo.partition import containing_area
from geo.units import fold_each

NEAR_CAP_SHARE = 0.9  # an area this full (of the cap) is reported as nearly full


def area_coverage(
    areas: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame | None,
    *,
    max_members: int,
) -> gpd.GeoDataFrame:
    """Per area: members, households, participation (% of households) and whether nearly full.

    ``households`` and ``participation_pct`` are missing (NaN) without a register.
    """
    ids = areas["area_id"].to_numpy()
    counts = members["area_id"].value_counts()
    result = areas[["area_id", "name", "geometry"]].copy()
    result["members"] = [int(counts.get(a, 0)) for a in ids]
    if addresses is None or addresses.empty:
        result["households"] = np.nan
    else:
        holder = containing_area(addresses, areas)
        per_area = pd.Series(ids[holder[holder >= 0]]).value_counts()
        result["households"] = [int(per_area.get(a, 0)) for a in ids]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = result["members"] / result["households"].where(result["households"] > 0)
    result["participation_pct"] = (100 * share).round(1)
    result["near_cap"] = result["members"] >= NEAR_CAP_SHARE * max_members
    return result


def uncovered_streets(
    streets: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame | None,
    areas: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Streets with households but nobody signed up yet, per area (where to go door to door).

    Returns one row per (area, street): ``area_id``, ``street``, ``households`` and the street's
    lines inside that area. Empty without a register.
    """
    columns: dict[str, list[object]] = {"area_id": [], "street": [], "households": []}
    if addresses is None or addresses.empty:
        return gpd.GeoDataFrame(columns, geometry=[], crs=areas.crs)
    holder = containing_area(addresses, areas)
    streets_of_homes = addresses["straat"].fillna("").astype(str)
    homes = pd.DataFrame(
        {
            "area_id": areas["area_id"].to_numpy()[np.maximum(holder, 0)],
            "key": fold_each(addresses["straat"], normalize_name),
            "street": streets_of_homes.to_numpy(),
        }
    ).loc[(holder >= 0) & (streets_of_homes != "").to_numpy()]
    signed = set(
        zip(
            members["area_id"].to_numpy(), fold_each(members["straat"], normalize_name), strict=True
        )
    )
    groups = homes.groupby(["area_id", "key"])["street"]
    per_street = pd.DataFrame({"street": groups.first(), "households": groups.size()})
    empty = per_street.loc[[pair not in signed for pair in per_street.index]].reset_index()
    lines = _street_lines(streets, empty, areas)
    result = gpd.GeoDataFrame(
        empty[["area_id", "street", "households"]], geometry=lines, crs=areas.crs
    )
    return result.sort_values(["area_id", "households"], ascending=[True, False], ignore_index=True)


def _street_lines(
    streets: gpd.GeoDataFrame, wanted: pd.DataFrame, areas: gpd.GeoDataFrame
) -> np.ndarray:
    """Per row of ``wanted`` (``area_id``, ``key``): the lines of the streets named ``key``
    (folded) inside that area, merged; ``None`` where there are none."""
    keys = fold_each(streets["name"], normalize_name)
    shapes = streets.geometry.to_numpy()
    rows: dict[str, list[int]] = {}
    for index, key in enumerate(keys.tolist()):
        rows.setdefault(key, []).append(index)
    merged = {
        key: shapely.union_all(shapes[rows[key]])
        for key in dict.fromkeys(wanted["key"].tolist())
        if key in rows
    }
    polygons = areas.set_index("area_id").geometry
    lines = np.asarray(
        shapely.intersection(
            np.array([merged.get(key) for key in wanted["key"].tolist()], dtype=object),
            np.array([polygons[a] for a in wanted["area_id"].tolist()], dtype=object),
        ),
        dtype=object,
    )
    lines[shapely.is_empty(lines)] = None
    return lines
