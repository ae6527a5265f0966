"""Maps rendered to HTML: what each audience sees, and that nothing personal is drawn."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import LineString, Point, box

from geo.maps import (
    COVERAGE_COLOURS,
    NO_DATA_COLOUR,
    area_map,
    coverage_colour,
    municipality_map,
    planner_map,
)
from tests.grids import RD

AREAS = gpd.GeoDataFrame(
    {
        "area_id": [1, 2],
        "name": ["Kerkstraat e.o.", "Molenweg e.o."],
        "members": [180, 4],
        "capacity_left": [75, 251],
        "households": [400, 300],
        "participation_pct": [45.0, 1.3],
        "beheerder_needed": [False, True],
        "neighbours": ["2", "1"],
        "streets": ["Kerkstraat; Schoolstraat", "Molenweg"],
    },
    geometry=[box(186_000, 331_000, 186_500, 331_500), box(186_500, 331_000, 187_000, 331_500)],
    crs=RD,
)
BOUNDARY = gpd.GeoDataFrame(
    {"name": ["Oud-Geleen"]}, geometry=[box(186_000, 331_000, 187_000, 331_500)], crs=RD
)
SIGNS = gpd.GeoDataFrame(
    {
        "rank": [1],
        "street": ["Rijksweg"],
        "kind": ["main"],
        "reason": ["hoofdingang via Rijksweg"],
        "bearing_deg": [90.0],
    },
    geometry=[Point(186_010, 331_250)],
    crs=RD,
)
STREETS = gpd.GeoDataFrame(
    {"name": ["Kerkstraat", "Molenweg"], "highway": ["residential", "residential"]},
    geometry=[
        LineString([(186_100, 331_250), (186_400, 331_250)]),
        LineString([(186_700, 331_100), (186_700, 331_400)]),
    ],
    crs=RD,
)


def test_coverage_classes_use_the_palette_and_grey_for_unknown() -> None:
    assert coverage_colour(0.0) == COVERAGE_COLOURS[0]
    assert coverage_colour(12.0) == COVERAGE_COLOURS[2]
    assert coverage_colour(95.0) == COVERAGE_COLOURS[-1]
    assert coverage_colour(float("nan")) == NO_DATA_COLOUR


def test_planner_map_shows_areas_coverage_members_and_signs_but_no_names() -> None:
    members = gpd.GeoDataFrame(
        {"naam": ["Fenna Fictief"], "telefoon": ["+31612345678"]},
        geometry=[Point(186_100, 331_260)],
        crs=RD,
    )
    page = (
        planner_map(AREAS, BOUNDARY, members=members[["geometry"]], signs=SIGNS).get_root().render()
    )
    for text in (
        "Gebieden",
        "Deelname per gebied",
        "Leden (aantallen)",
        "Borden",
        "Legenda",
        "Wijkgrens",
    ):
        assert text in page
    assert "Kerkstraat e.o." in page and "gezocht" in page, "tooltips carry the area figures"
    assert "Fenna" not in page and "+31612345678" not in page
    assert "L.control.scale()" in page, "a scale bar"


def test_municipality_map_hides_small_member_counts() -> None:
    page = municipality_map(AREAS, BOUNDARY, SIGNS).get_root().render()
    assert "minder dan 10" in page and "180" in page
    assert '"members": 4' not in page and "Bord 1" in page


def test_area_map_shows_its_streets_and_neighbours() -> None:
    page = area_map(AREAS, 1, STREETS).get_root().render()
    assert "Buurgebied" in page and "Molenweg e.o." in page and "Kerkstraat" in page
    with pytest.raises(KeyError):
        area_map(AREAS, 9, STREETS)
