"""Coverage on hand-made areas: participation, nearly full areas, streets without sign-ups."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely import LineString, Point, box

from geo.coverage import area_coverage, uncovered_streets
from tests.grids import RD

AREAS = gpd.GeoDataFrame(
    {"area_id": [1, 2], "name": ["West", "Oost"]},
    geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)],
    crs=RD,
)
STREETS = gpd.GeoDataFrame(
    {"name": ["Kerkstraat", "Molenweg", "Schoolstraat"]},
    geometry=[
        LineString([(0, 50), (200, 50)]),
        LineString([(150, 0), (150, 100)]),
        LineString([(20, 0), (20, 100)]),
    ],
    crs=RD,
)


def homes(street: str, xs: list[float], y: float) -> list[dict[str, object]]:
    return [{"straat": street, "geometry": Point(x, y)} for x in xs]


ADDRESSES = gpd.GeoDataFrame(
    homes("Kerkstraat", [10, 30, 50, 70, 90], 55)
    + homes("Kerkstraat", [110, 130], 55)
    + homes("Molenweg", [155] * 8, 20)
    + homes("Schoolstraat", [25, 25], 80),
    geometry="geometry",
    crs=RD,
)
MEMBERS = gpd.GeoDataFrame(
    {"straat": ["Kerkstraat", "Kerkstraat", "Kerkstraat"], "area_id": [1, 1, 2]},
    geometry=[Point(10, 55), Point(30, 55), Point(110, 55)],
    crs=RD,
)


def test_participation_is_members_over_households_per_area() -> None:
    table = area_coverage(AREAS, MEMBERS, ADDRESSES, max_members=3)
    assert list(table["households"]) == [7, 10]
    assert list(table["members"]) == [2, 1]
    assert list(table["participation_pct"]) == pytest.approx([28.6, 10.0])
    assert list(table["near_cap"]) == [False, False]
    full = area_coverage(AREAS, MEMBERS, ADDRESSES, max_members=2)
    assert list(full["near_cap"]) == [True, False]


def test_without_a_register_households_are_unknown_not_zero() -> None:
    table = area_coverage(AREAS, MEMBERS, None, max_members=255)
    assert table["households"].isna().all() and table["participation_pct"].isna().all()
    assert list(table["members"]) == [2, 1]
    assert uncovered_streets(STREETS, MEMBERS, None, AREAS).empty


def test_streets_with_households_but_no_members_are_listed_with_their_lines() -> None:
    open_streets = uncovered_streets(STREETS, MEMBERS, ADDRESSES, AREAS)
    assert list(
        zip(
            open_streets["area_id"], open_streets["street"], open_streets["households"], strict=True
        )
    ) == [
        (1, "Schoolstraat", 2),
        (2, "Molenweg", 8),
    ]
    molenweg = open_streets.geometry.iloc[1]
    assert molenweg.length == pytest.approx(100.0)
    assert molenweg.within(AREAS.geometry.iloc[1].buffer(0.01))
    assert not np.isin(["Kerkstraat"], open_streets["street"]).any()


def test_street_names_fold_alike_and_each_area_gets_its_own_piece_of_the_street() -> None:
    streets = gpd.GeoDataFrame(
        {"name": ["Kérkstraat", "kerkstraat", "Veldweg", None]},
        geometry=[
            LineString([(0, 50), (120, 50)]),
            LineString([(120, 50), (200, 50)]),
            LineString([(0, 300), (50, 300)]),  # outside every area
            LineString([(50, 0), (50, 100)]),
        ],
        crs=RD,
    )
    addresses = gpd.GeoDataFrame(
        homes("KERKSTRAAT", [10, 30], 55)
        + homes("Kerk-straat", [150], 55)
        + homes("Veldweg", [60], 10)
        + [{"straat": None, "geometry": Point(70, 70)}],
        geometry="geometry",
        crs=RD,
    )
    members = gpd.GeoDataFrame(
        {"straat": ["veldweg"], "area_id": [2]}, geometry=[Point(0, 0)], crs=RD
    )
    open_streets = uncovered_streets(streets, members, addresses, AREAS)
    rows = list(
        zip(
            open_streets["area_id"], open_streets["street"], open_streets["households"], strict=True
        )
    )
    assert rows == [(1, "KERKSTRAAT", 2), (1, "Veldweg", 1), (2, "Kerk-straat", 1)]
    west, veld, east = open_streets.geometry
    assert west.length == pytest.approx(100.0) and west.within(AREAS.geometry.iloc[0].buffer(0.01))
    assert east.length == pytest.approx(100.0) and east.within(AREAS.geometry.iloc[1].buffer(0.01))
    assert veld is None, "the street's line lies in no area"
