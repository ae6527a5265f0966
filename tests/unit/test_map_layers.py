"""Prepared map layers (roads, signs), the wijk map, labels and Dutch map controls (issue 13)."""

from __future__ import annotations

import geopandas as gpd
from shapely import LineString, Point, box

from geo.maps import (
    DECISION_COLOURS,
    RoadLayers,
    municipality_map,
    planner_map,
    road_layers,
    signs_map,
    wijk_map,
)
from tests.grids import RD

AREAS = gpd.GeoDataFrame(
    {"area_id": [1, 2], "name": ["Kerkstraat e.o.", "Molenweg e.o."], "members": [180, 40]},
    geometry=[box(186_000, 331_000, 186_500, 331_500), box(186_500, 331_000, 187_000, 331_500)],
    crs=RD,
)
BOUNDARY = gpd.GeoDataFrame(
    {"name": ["Oud-Geleen"]}, geometry=[box(186_000, 331_000, 187_000, 331_500)], crs=RD
)
STREETS = gpd.GeoDataFrame(
    {
        "name": ["Rijksweg", "Kerkstraat", "Schoolpad", None],
        "highway": ["primary", "residential", "footway", "service"],
    },
    geometry=[
        LineString([(186_000, 331_250), (186_400, 331_250)]),
        LineString([(186_100, 331_100), (186_100, 331_400)]),
        LineString([(186_700, 331_100), (186_700, 331_400)]),
        LineString([(186_800, 331_100), (186_800, 331_400)]),
    ],
    crs=RD,
)


def _signs(count: int, **columns: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "rank": list(range(1, count + 1)),
            "street": ["Rijksweg"] * count,
            "kind": ["main"] * count,
            "reason": ["hoofdingang via Rijksweg"] * count,
            "bearing_deg": [90.0] * count,
            **columns,
        },
        geometry=[Point(186_010 + i, 331_250) for i in range(count)],
        crs=RD,
    )


def test_roads_are_prepared_once_and_drawn_as_one_layer_per_class() -> None:
    roads = road_layers(STREETS)
    assert [label for label, *_ in roads.layers] == [
        "Hoofd- en doorgaande wegen",
        "Wijkwegen en woonstraten",
        "Fiets- en voetpaden",
    ]
    page = signs_map(_signs(1), BOUNDARY, roads).get_root().render()
    assert page.count("var prepared_geo_json_") == 4, "three road classes and the signs"
    assert "<b>Rijksweg<\\/b>" in page and "Schoolpad" in page  # "</" is written "<\\/"
    fresh = signs_map(_signs(1), BOUNDARY, STREETS).get_root().render()
    assert fresh.count("var prepared_geo_json_") == 4, "streets or prepared roads: the same map"


def test_signs_are_one_layer_coloured_by_decision_with_the_rank_in_the_tooltip() -> None:
    signs = _signs(45, besluit=["plaatsen"] + ["open"] * 44)
    page = signs_map(signs, BOUNDARY, RoadLayers(())).get_root().render()
    assert page.count("var prepared_geo_json_") == 1 and page.count("L.marker(") == 1
    assert page.count('"tip":"Bord ') == 45
    assert '"tip":"Bord 1: Rijksweg (plaatsen)"' in page
    assert DECISION_COLOURS["plaatsen"] in page and "besluit: <b>open<\\/b>" in page
    assert "richting 90° (0° = noord)" in page


def test_typed_text_never_runs_as_a_template_or_script() -> None:
    """folium reads drawn scripts as Jinja templates: '{{ 6*7777 }}' in a name must stay text."""
    hostile = "{{ 6*7777 }}</script><script>alert(1)</script>"
    streets = STREETS.assign(name=[hostile, "Kerkstraat", "Schoolpad", None])
    areas = AREAS.assign(name=[hostile, "Molenweg"])
    signs = _signs(1, street=[hostile], reason=[hostile], opmerking=[hostile])
    pages = [
        signs_map(signs, BOUNDARY, streets),
        wijk_map(BOUNDARY, streets, areas=areas),
        planner_map(areas, BOUNDARY, signs=signs),
        municipality_map(areas, BOUNDARY, signs),
    ]
    for fmap in pages:
        page = fmap.get_root().render()
        assert "46662" not in page, "no template ran"
        assert "</script><script>alert" not in page and "<script>alert" not in page
        assert "&#123;&#123; 6*7777 &#125;&#125;" in page.replace("\\u0026", "&")


def test_the_wijk_map_shows_boundary_and_roads_and_areas_when_there_are_any() -> None:
    bare = wijk_map(BOUNDARY, STREETS).get_root().render()
    assert "Wijkgrens" in bare and "Wijkwegen en woonstraten" in bare
    legend = bare[bare.index('id="legenda"') :]
    assert "Fiets- en voetpaden" in legend and "gebieden" not in legend
    planned = wijk_map(BOUNDARY, road_layers(STREETS), areas=AREAS).get_root().render()
    assert "Kerkstraat e.o." in planned and "gebieden: elk gebied" in planned
    assert "fitBounds" in planned, "the wijk fills the map on open"


def test_area_labels_are_small_numbers_with_the_name_in_their_tooltip() -> None:
    page = planner_map(AREAS, BOUNDARY).get_root().render()
    assert "Gebied 1: Kerkstraat e.o." in page and "Gebied 2: Molenweg e.o." in page
    assert "font-size:11px" in page
    assert "1 Kerkstraat e.o.</div>" not in page, "the badge shows only the number"


def test_map_controls_and_legend_are_dutch_and_folded() -> None:
    page = planner_map(AREAS, BOUNDARY, signs=_signs(1)).get_root().render()
    assert "Volledig scherm" in page and "Full Screen" not in page
    assert "-bijdragers" in page and "contributors" not in page
    assert '"openstreetmap"' not in page, "the background is not a layer to choose"
    assert '<details id="legenda" style' in page, "folded: it covers nothing until opened"


def test_area_tooltips_fit_the_map() -> None:
    streets = "; ".join(f"Straat {n}" for n in range(1, 21))
    page = planner_map(AREAS.assign(streets=[streets, "Molenweg"]), BOUNDARY).get_root().render()
    assert "Straat 6 en nog 14 andere" in page and "Straat 7;" not in page
    assert "max-width:320px;white-space:normal;" in page
