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
    homes = pd.DataFrame(
        {
            "area_id": areas["area_id"].to_numpy()[np.maximum(holder, 0)],
            "key": addresses["straat"].fillna("").astype(str).map(normalize_name).to_numpy(),
            "street": addresses["straat"].fillna("").astype(str).to_numpy(),
        }
    ).loc[(holder >= 0) & (addresses["straat"].fillna("").astype(str) != "").to_numpy()]
    signed = set(
        zip(
            members["area_id"].to_numpy(),
            members["straat"].fillna("").astype(str).map(normalize_name),
            strict=True,
        )
    )
    per_street = homes.groupby(["area_id", "key"]).agg(
        street=("street", "first"), households=("street", "size")
    )
    empty = per_street.loc[[pair not in signed for pair in per_street.index]].reset_index()
    street_keys = streets["name"].fillna("").astype(str).map(normalize_name).to_numpy()
    polygons = areas.set_index("area_id").geometry
    lines = []
    for area_id, key in zip(empty["area_id"], empty["key"], strict=True):
        mine = streets.geometry.to_numpy()[street_keys == key]
        clipped = (
            shapely.intersection(shapely.union_all(mine), polygons[area_id]) if len(mine) else None
        )
        lines.append(clipped if clipped is not None and not clipped.is_empty else None)
    result = gpd.GeoDataFrame(
        empty[["area_id", "street", "households"]], geometry=lines, crs=areas.crs
    )
    return result.sort_values(["area_id", "households"], ascending=[True, False], ignore_index=True)
