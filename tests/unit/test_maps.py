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
    participation_text,
    planner_map,
    signs_map,
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
    assert "imperial: false" in page and "L.control.scale()" not in page, "metres only"
    assert "<details" in page, "the legend folds away"


def test_municipality_map_hides_small_member_counts() -> None:
    page = municipality_map(AREAS, BOUNDARY, SIGNS).get_root().render()
    assert "minder dan 10" in page and "180" in page
    assert '"members": 4' not in page and "Bord 1" in page


def test_area_map_shows_its_streets_and_neighbours() -> None:
    page = area_map(AREAS, 1, STREETS).get_root().render()
    assert "Buurgebied" in page and "Molenweg e.o." in page and "Kerkstraat" in page
    with pytest.raises(KeyError):
        area_map(AREAS, 9, STREETS)


HOSTILE = '<img src=x onerror="alert(1)">'


def _one_area(**columns: object) -> gpd.GeoDataFrame:
    return AREAS.iloc[[0]].assign(neighbours="", **columns)


def test_every_map_of_a_one_area_plan_renders() -> None:
    """A new wijk has one area: no neighbours, maybe no named streets (issue 12.1)."""
    areas = _one_area()
    nameless = STREETS.drop(columns="name")
    bare = STREETS[["geometry"]]
    empty = STREETS.iloc[0:0]
    for streets in (STREETS, nameless, bare, empty):
        page = area_map(areas, 1, streets).get_root().render()
        assert "Kerkstraat e.o." in page and "Buurgebieden" in page
        assert signs_map(SIGNS, BOUNDARY, streets).get_root().render()
    assert "Kerkstraat e.o." in planner_map(areas, BOUNDARY, signs=SIGNS).get_root().render()
    assert "Kerkstraat e.o." in municipality_map(areas, BOUNDARY, SIGNS).get_root().render()


def test_maps_render_without_neighbour_column_or_signs() -> None:
    areas = AREAS.drop(columns=["neighbours", "streets"])
    assert "Gebied 2" in area_map(areas, 2, STREETS).get_root().render()
    no_signs = SIGNS.iloc[0:0]
    assert "Gebieden" in planner_map(areas, BOUNDARY, signs=no_signs).get_root().render()
    assert "Wijkgrens" in municipality_map(areas, BOUNDARY, no_signs).get_root().render()


def test_typed_text_is_escaped_in_every_map() -> None:
    """Names typed by residents or mapped in OSM never reach a page as HTML (issue 12.12)."""
    areas = AREAS.assign(name=[HOSTILE, "Molenweg"], streets=[HOSTILE, "Molenweg"])
    streets = STREETS.assign(name=[HOSTILE, "Molenweg"])
    signs = SIGNS.assign(street=[HOSTILE], reason=[HOSTILE])
    uncovered = gpd.GeoDataFrame(
        {"area_id": [1], "street": [HOSTILE], "households": [3]},
        geometry=[LineString([(186_100, 331_250), (186_400, 331_250)])],
        crs=RD,
    )
    pages = [
        planner_map(areas, BOUNDARY, signs=signs, uncovered=uncovered),
        municipality_map(areas, BOUNDARY, signs),
        area_map(areas, 1, streets),
        signs_map(signs, BOUNDARY, streets),
    ]
    for fmap in pages:
        page = fmap.get_root().render()
        assert "<img src=x" not in page
        # escaped as HTML (the JSON inside the page writes & as \u0026)
        assert "&lt;img src=x" in page.replace("\\u0026", "&")


def test_participation_above_100_percent_is_flagged_not_shown() -> None:
    """More members than households means the register is incomplete (issue 13.4)."""
    areas = AREAS.assign(participation_pct=[320.0, float("nan")])
    page = planner_map(areas, BOUNDARY).get_root().render()
    assert "adresregister onvolledig?" in page and "320%" not in page
    assert "onbekend (geen adresregister)" in page


def test_the_legend_lists_only_what_is_drawn() -> None:
    bare = planner_map(AREAS.drop(columns="participation_pct"), BOUNDARY).get_root().render()
    legend = bare[bare.index('id="legenda"') :]
    assert "bord bij een hoofdingang" not in legend and "straat zonder aanmelding" not in legend
    assert "laag 'Deelname per gebied'" not in legend
    full = planner_map(AREAS, BOUNDARY, signs=SIGNS).get_root().render()
    legend = full[full.index('id="legenda"') :]
    assert "bord bij een hoofdingang" in legend and "laag 'Deelname per gebied'" in legend


def test_an_area_without_land_of_its_own_still_gets_its_map() -> None:
    """A building with more sign-ups than one group holds gives areas without a polygon."""
    from shapely import Polygon

    areas = AREAS.assign(geometry=[AREAS.geometry.iloc[0], Polygon()])
    assert "Gebied 2" in area_map(areas, 2, STREETS).get_root().render()
    assert "Gebieden" in planner_map(areas, BOUNDARY).get_root().render()


def test_zoom_buttons_and_the_layer_toggle_are_titled_in_dutch() -> None:
    areas = _one_area()
    for fmap in (
        planner_map(areas, BOUNDARY, signs=SIGNS),
        municipality_map(areas, BOUNDARY, SIGNS),
        signs_map(SIGNS, BOUNDARY, STREETS),
        area_map(areas, 1, STREETS),
    ):
        page = fmap.get_root().render()
        assert '"zoomControl": false' in page, "Leaflet's English zoom buttons are off"
        assert "zoomInTitle: 'Inzoomen', zoomOutTitle: 'Uitzoomen'" in page
        assert page.index("L.control.layers") < page.index("toggle.title = 'Kaartlagen'")


@pytest.mark.parametrize(
    ("share", "text"),
    [(94.5, "94,5%"), (45.0, "45%"), (0.0, "0%"), (100.0, "100%"), (12.25, "12,2%")],
)
def test_participation_reads_as_coverage_rounded_it_with_a_decimal_comma(
    share: float, text: str
) -> None:
    # 173 of 183 households is 94.5 % once rounded: not rounded again to "94%" (half to even).
    assert participation_text(share) == text
