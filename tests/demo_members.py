"""Fictitious sign-ups of the embedded demo, placed at their register address (no geocoding)."""

from __future__ import annotations

import geopandas as gpd

from geo.demo import demo_applicants
from geo.sources import Wijk
from geo.workflow import register_from_points


def located_demo_members(wijk: Wijk, *, count: int, seed: int) -> gpd.GeoDataFrame:
    """``count`` demo sign-ups (seed ``seed``) with an address, as points in the wijk's metric
    CRS with ``straat``, ``huisnummer``, ``telefoon`` and ``beheerder``."""
    register = register_from_points(wijk.addresses)
    table = demo_applicants(register, count=count, seed=seed)
    table = table.loc[table["Adres"] != ""]
    homes = register.set_index(
        register["straat"] + " " + register["huisnummer"].astype(str) + register["huisletter"]
    )
    located = homes.reindex(table["Adres"].str.replace(r"-\d+$", "", regex=True).to_numpy())
    return gpd.GeoDataFrame(
        {
            "straat": located["straat"].to_numpy(),
            "huisnummer": located["huisnummer"].to_numpy(),
            "telefoon": table["Telefoon"].to_numpy(),
            "beheerder": table["Beheerder"].eq("ja").to_numpy(),
        },
        geometry=gpd.points_from_xy(located["lon"], located["lat"]),
        crs=4326,
    ).to_crs(wijk.crs)
