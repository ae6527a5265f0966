"""A wijk that starts small: a street grid with zero, one or a few fictitious members.

Every page must work on it (one area, one member, no members, an area emptied by removals).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point

from geo.config import Settings
from geo.project import import_applicants, place_members
from geo.sources import Wijk
from geo.store import Store
from tests.conftest import write_text
from tests.grids import RD, grid_boundary, grid_streets

HEADER = "Naam;Straat;Huisnummer;Woonplaats;Leeftijd;Telefoon;Beheerder;lat;lon"


def small_wijk() -> Wijk:
    """A 2x2 street grid near Geleen, without an address register."""
    streets = grid_streets(2, 2)
    boundary = gpd.GeoDataFrame({"name": ["Klein-Geleen"]}, geometry=[grid_boundary(2, 2)], crs=RD)
    addresses = gpd.GeoDataFrame({"straat": [], "huisnummer": []}, geometry=[], crs=RD)
    return Wijk(boundary.to_crs(4326), streets.to_crs(4326), addresses.to_crs(4326))


def sign_ups(path: Path, count: int) -> Path:
    """``count`` fictitious sign-ups, each on another street of the grid (coordinates given)."""
    streets = grid_streets(2, 2)
    lines = [HEADER]
    for n in range(count):
        line = streets.geometry.iloc[n]
        at = line.interpolate(30.0)
        home = gpd.GeoSeries([Point(at.x + 8, at.y + 8)], crs=RD).to_crs(4326).iloc[0]
        lines.append(
            f"Lid {n + 1};{streets['name'].iloc[n]};{2 * n + 1};Geleen;40;06{30_000_000 + n:08d};"
            f"{'ja' if n == 0 else ''};{home.y:.7f};{home.x:.7f}"
        )
    return write_text(path, "\n".join(lines) + "\n")


def small_project(folder: Path, count: int) -> Path:
    """A project on :func:`small_wijk` with ``count`` members placed (none: no plan yet)."""
    settings = Settings(cache_dir=folder / "cache")
    store = Store.create(folder / "demo.sqlite", small_wijk(), max_members=255, fill=0.8)
    if count:
        import_applicants(store, sign_ups(folder / "aanmeldingen.csv", count), settings=settings)
        place_members(store, settings=settings)
    store.close()
    return folder / "demo.sqlite"
