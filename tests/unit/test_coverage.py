"""Coverage on hand-made areas: participation, nearly full areas, streets without sign-ups."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import LineString, Point, box

from geo.coverage import area_coverage, uncovered_streets, with_coverage
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


# Households are addresses, not points: a register may give a block of flats one point, and a
# family signs up with several members at one address. Participation never exceeds 100%.


def register(*rows: tuple[str, object, str, str, float, float]) -> gpd.GeoDataFrame:
    """Register rows (street, number, letter, addition, x, y) as the wijk layer has them."""
    return gpd.GeoDataFrame(
        {
            "straat": [r[0] for r in rows],
            "huisnummer": [r[1] for r in rows],
            "huisletter": [r[2] for r in rows],
            "toevoeging": [r[3] for r in rows],
        },
        geometry=[Point(r[4], r[5]) for r in rows],
        crs=RD,
    )


def people(*rows: tuple[str, object, str, str, int, float, float]) -> gpd.GeoDataFrame:
    """Members (street, number, letter, addition, area, x, y) as intake and the plan give them."""
    return gpd.GeoDataFrame(
        {
            "naam": [f"Lid {i}" for i in range(len(rows))],
            "straat": [r[0] for r in rows],
            "huisnummer": pd.array([r[1] for r in rows], dtype=object),
            "huisletter": [r[2] for r in rows],
            "toevoeging": [r[3] for r in rows],
            "area_id": [r[4] for r in rows],
        },
        geometry=[Point(r[5], r[6]) for r in rows],
        crs=RD,
    )


def test_a_block_of_flats_with_one_register_point_is_not_one_household() -> None:
    """150 sign-ups in a block the register gives one point (Flatweg 1): 150 households, not
    one household at 15,000%. A family of three at one address is one household."""
    addresses = register(
        ("Flatweg", 1, "", "", 50, 20),
        ("Kerkstraat", 2, "", "", 10, 55),
        ("Kerkstraat", 4, "", "", 30, 55),
        ("Kerkstraat", 6, "", "", 50, 55),
        ("Molenweg", 1, "", "", 150, 20),
        ("Molenweg", 3, "", "", 150, 40),
    )
    flats = [("Flatweg", 1, "", str(n), 1, 50.0, 20.0) for n in range(1, 151)]
    family = [
        ("Kerkstraat", 2, "", "", 1, 10.0, 55.0),
        ("kerkstraat", "2", "", "", 1, 10.0, 55.0),
        ("KERKSTRAAT", 2.0, None, None, 1, 10.0, 55.0),
    ]
    members = people(*flats, *family, ("Molenweg", 3, "", "", 2, 150.0, 40.0))
    table = area_coverage(AREAS, members, addresses, max_members=255)
    assert list(table["members"]) == [153, 1]
    assert list(table["signed_up_households"]) == [151, 1]
    # the block's 150 flats stand for its one point; Kerkstraat 2, 4 and 6
    assert list(table["households"]) == [153, 2]
    assert list(table["participation_pct"]) == pytest.approx([98.7, 50.0])


def test_members_at_addresses_the_register_lacks_are_households_too() -> None:
    """An incomplete register: the denominator grows with the members it misses."""
    addresses = register(("Molenweg", 1, "", "", 150, 20), ("Molenweg", 3, "", "", 150, 40))
    members = people(
        *[("Molenweg", n, "", "", 2, 150.0, 60.0) for n in (5, 7, 9, 11)],
        ("Molenweg", 1, "", "", 2, 150.0, 20.0),
        ("Molenweg", 1, "b", "", 2, 150.0, 20.0),  # 1 and 1B: two addresses, both known now
    )
    table = area_coverage(AREAS, members, addresses, max_members=255)
    row = table.loc[table["area_id"] == 2].iloc[0]
    assert (row["members"], row["signed_up_households"], row["households"]) == (6, 6, 7)
    assert row["participation_pct"] == pytest.approx(85.7)
    assert (table["participation_pct"].fillna(0) <= 100).all()


def test_an_address_is_the_same_however_it_is_written() -> None:
    """Letter in the number cell or its own, case, accents, a float number, a postcode only."""
    addresses = register(
        ("Kérkstraat", 12, "A", "", 10, 55),
        ("Kerkstraat", 12, "B", "", 12, 55),
        ("Kerkstraat", 14, "", "2", 30, 55),
    ).assign(postcode=["6166 AB", "6166 AB", "6166 AC"])
    members = people(
        ("kerkstraat", "12a", "", "", 1, 10.0, 55.0),
        ("KERK-STRAAT", 12.0, "a", "", 1, 10.0, 55.0),
        ("", 14, "", "2", 1, 30.0, 55.0),  # no street, the postcode below
        ("Kerkstraat", "14-2", "", "", 1, 30.0, 55.0),
    ).assign(postcode=["", "", "6166AC", ""])
    table = area_coverage(AREAS, members, addresses, max_members=255)
    row = table.iloc[0]
    assert (row["members"], row["signed_up_households"], row["households"]) == (4, 2, 3)
    assert row["participation_pct"] == pytest.approx(66.7)


def test_points_without_address_at_one_spot_sign_up_no_more_households_than_points() -> None:
    """A register of bare points: three at one spot (flats), five members living there."""
    addresses = gpd.GeoDataFrame(
        {"straat": ["Molenweg"] * 4},
        geometry=[Point(150, 20)] * 3 + [Point(150, 80)],
        crs=RD,
    )
    members = gpd.GeoDataFrame(
        {"straat": ["Molenweg"] * 5, "area_id": [2] * 5},
        geometry=[Point(150.3, 20)] * 5,  # geocoded a little off the register's point
        crs=RD,
    )
    table = area_coverage(AREAS, members, addresses, max_members=255)
    row = table.loc[table["area_id"] == 2].iloc[0]
    assert (row["members"], row["signed_up_households"], row["households"]) == (5, 3, 4)
    assert row["participation_pct"] == pytest.approx(75.0)


def test_flats_of_one_building_in_two_groups_count_where_their_members_are() -> None:
    """A building's flats split over two groups: the signed-up flats count in their members'
    group (an area without land of its own), the others where the building stands."""
    areas = gpd.GeoDataFrame(
        {"area_id": [1, 2], "name": ["Toren", "Toren 2"]},
        geometry=[box(0, 0, 100, 100), shapely.Polygon()],
        crs=RD,
    )
    addresses = register(*[("Torenlaan", 1, "", str(n), 50, 50) for n in range(1, 5)])
    members = people(
        ("Torenlaan", 1, "", "1", 2, 50.0, 50.0), ("Torenlaan", 1, "", "2", 2, 50.0, 50.0)
    )
    table = area_coverage(areas, members, addresses, max_members=255)
    assert list(table["households"]) == [2, 2]
    assert list(table["signed_up_households"]) == [0, 2]
    assert list(table["participation_pct"]) == pytest.approx([0.0, 100.0])


def test_open_streets_count_addresses_not_register_rows() -> None:
    """A register listing an address twice (and a flat's points) gives one household each."""
    addresses = register(
        ("Schoolstraat", 5, "", "", 20, 80),
        ("Schoolstraat", 5, "", "", 20, 80),
        ("schoolstraat", "5", "", "", 20, 81),
        ("Schoolstraat", 7, "", "", 20, 60),
    )
    open_streets = uncovered_streets(STREETS, MEMBERS, addresses, AREAS)
    assert list(zip(open_streets["street"], open_streets["households"], strict=True)) == [
        ("Schoolstraat", 2)
    ]


def test_without_a_register_signed_up_households_are_still_counted() -> None:
    members = people(
        ("Kerkstraat", 2, "", "", 1, 10.0, 55.0),
        ("Kerkstraat", 2, "", "", 1, 10.0, 55.0),
        ("Kerkstraat", 4, "", "", 1, 30.0, 55.0),
    )
    table = area_coverage(AREAS, members, None, max_members=255)
    assert list(table["signed_up_households"]) == [2, 0]
    assert table["households"].isna().all() and table["participation_pct"].isna().all()


def test_areas_show_the_households_their_participation_is_a_share_of() -> None:
    """What a map or table shows next to the participation is its denominator; without a
    register it is unknown, not the 0 a plan without one counted."""
    areas = AREAS.assign(households=[1, 1])  # points of the register, as the plan counts them
    flats = people(*[("Flatweg", 1, "", str(n), 1, 50.0, 20.0) for n in range(1, 16)])
    addresses = register(("Flatweg", 1, "", "", 50, 20), ("Molenweg", 1, "", "", 150, 20))
    shown = with_coverage(areas, area_coverage(areas, flats, addresses, max_members=255))
    assert list(shown["households"]) == [15, 1]
    assert list(shown["participation_pct"]) == pytest.approx([100.0, 0.0])
    assert isinstance(shown, gpd.GeoDataFrame)
    unknown = with_coverage(areas, area_coverage(areas, flats, None, max_members=255))
    assert unknown["households"].isna().all() and unknown["participation_pct"].isna().all()
