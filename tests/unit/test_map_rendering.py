"""Map layers drawn the fast way give the very page folium's own ``GeoJson`` gives."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import branca
import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import LineString, Point, box

import geo.maps
from geo.maps import (
    _GeoJsonLayer,
    _GeoJsonTooltip,
    area_map,
    area_maps,
    geo_dict,
    municipality_map,
    planner_map,
    signs_map,
    wijk_map,
)
from tests.grids import RD

ROOT = Path(__file__).resolve().parents[2]
_ID = re.compile(r"[0-9a-f]{32}")

AREAS = gpd.GeoDataFrame(
    {
        "area_id": [1, 2, 3],
        "name": ["Kerkstraat e.o.", "Molenweg {{ e.o. }}", None],
        "members": [180, 4, 0],
        "participation_pct": [45.0, np.nan, 1.25],
        "beheerder_needed": [False, True, False],
        "neighbours": ["2", "1,3", "2"],
        "streets": ["Kerkstraat; Schoolstraat", "Molenweg", ""],
    },
    geometry=[
        box(186_000, 331_000, 186_500, 331_500),
        box(186_500, 331_000, 187_000, 331_500).difference(box(186_600, 331_100, 186_700, 331_200)),
        box(187_000, 331_000, 187_500, 331_500),
    ],
    crs=RD,
)
STREETS = gpd.GeoDataFrame(
    {"name": ["Kerkstraat", "Molenweg", None], "highway": ["residential", "residential", ""]},
    geometry=[
        LineString([(186_100, 331_250), (186_400, 331_250)]),
        LineString([(186_700, 331_050), (186_700, 331_450), (187_200, 331_450)]),
        LineString([(186_400, 331_400), (186_600, 331_400)]),
    ],
    crs=RD,
)


def _numbered(page: str) -> str:
    """``page`` with folium's random element ids numbered in the order they appear."""
    ids: dict[str, str] = {}
    return _ID.sub(lambda m: ids.setdefault(m.group(0), f"id{len(ids)}"), page)


def _page(layer: folium.GeoJson) -> str:
    """The map page of one layer (ids numbered)."""
    fmap = folium.Map(tiles=None)
    layer.add_to(fmap)
    return _numbered(fmap.get_root().render())


def _mixed() -> gpd.GeoDataFrame:
    """Every kind of cell and geometry a layer may get, on an index that is not 0..n."""
    return gpd.GeoDataFrame(
        {
            "number": [1, 2, 3, 4, 5],
            "share": [0.5, np.nan, 1e-7, 2.0, -0.0],
            "flag": [True, False, True, False, True],
            "text": ["a <b>", None, "x\ny", "", "é"],
        },
        geometry=[
            Point(24.9, 60.1),
            None,
            shapely.Polygon(),
            shapely.GeometryCollection([Point(1, 2), LineString([(0, 0), (1, 1)])]),
            shapely.MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]),
        ],
        index=[10, 3, 7, 99, 0],
        crs=4326,
    )


def test_geo_dict_is_what_folium_makes_of_the_frame() -> None:
    for frame in (_mixed(), AREAS.to_crs(4326), _mixed().iloc[0:0], _mixed()[["geometry"]]):
        expected = json.loads(json.dumps(frame.__geo_interface__))
        assert json.dumps(geo_dict(frame)) == json.dumps(expected)  # floats and key order too


def test_a_fast_layer_draws_the_same_page_as_folium() -> None:
    areas = AREAS.to_crs(4326).assign(name=["Kerkstraat e.o.", "Molenweg e.o.", None])
    options = {
        "name": "Gebieden",
        "style_function": lambda f: {"color": "#333", "weight": f["properties"].get("area_id", 1)},
        "highlight_function": lambda _: {"weight": 5},
        "tooltip": None,
    }
    for frame in (areas, areas.iloc[0:0], _mixed().iloc[[0, 3, 4]]):
        slow = folium.GeoJson(frame, **options)
        fast = _GeoJsonLayer(geo_dict(frame), **options)
        assert _page(fast) == _page(slow)
    tooltip = {"fields": ["name", "members"], "aliases": ["Naam", "Leden"]}
    slow = folium.GeoJson(areas, tooltip=folium.GeoJsonTooltip(**tooltip), show=False)
    fast = _GeoJsonLayer(geo_dict(areas), tooltip=folium.GeoJsonTooltip(**tooltip), show=False)
    assert _page(fast) == _page(slow)


def test_a_tooltip_with_its_style_sheet_compiled_once_draws_folium_s_page() -> None:
    areas = AREAS.to_crs(4326).assign(name=["Kerkstraat e.o.", "Molenweg e.o.", None])
    for style in ("max-width:320px;white-space:normal;", None):
        tooltip = {"fields": ["name", "members"], "aliases": ["Naam", "Leden"], "style": style}
        slow = folium.GeoJson(areas, tooltip=folium.GeoJsonTooltip(**tooltip), show=False)
        fast = _GeoJsonLayer(geo_dict(areas), tooltip=_GeoJsonTooltip(**tooltip), show=False)
        assert _page(fast) == _page(slow)
        assert _page(fast).count("max-width:320px") == (1 if style else 0)


def test_text_that_is_a_template_still_goes_through_the_template() -> None:
    """Shown text is escaped before it gets here; raw braces or a carriage return are not."""
    for text in ("{{ 6 * 7 }}", "{% if true %}x{% endif %}", "a\r\nb"):
        frame = gpd.GeoDataFrame({"name": [text]}, geometry=[Point(5, 52)], crs=4326)
        assert _page(_GeoJsonLayer(geo_dict(frame))) == _page(folium.GeoJson(frame))


def test_all_area_maps_at_once_are_each_area_map() -> None:
    made = dict(area_maps(AREAS, STREETS))
    assert list(made) == [1, 2, 3]
    for area_id, fmap in made.items():
        page = _numbered(fmap.get_root().render())
        assert page == _numbered(area_map(AREAS, area_id, STREETS).get_root().render())
        assert "&#123;&#123; e.o. &#125;&#125;" in page  # the braces reach the page as text


def _all_maps() -> list[folium.Map]:
    """Every kind of map, with every kind of element on it (markers, clusters, tooltips)."""
    boundary = gpd.GeoDataFrame(geometry=[AREAS.union_all().envelope], crs=RD)
    members = gpd.GeoDataFrame(
        geometry=[Point(186_100 + 10 * i, 331_100) for i in range(9)], crs=RD
    )
    signs = gpd.GeoDataFrame(
        {"rank": [1, 2], "street": ["Kerkstraat", None], "kind": ["main", "minor"]},
        geometry=[Point(186_010, 331_250), Point(187_490, 331_400)],
        crs=RD,
    )
    uncovered = STREETS.assign(street=STREETS["name"], households=[3, 4, 5], area_id=[1, 2, 2])
    return [
        planner_map(AREAS, boundary, members=members, signs=signs, uncovered=uncovered),
        municipality_map(AREAS, boundary, signs),
        signs_map(signs, boundary, STREETS),
        wijk_map(boundary, STREETS, areas=AREAS),
        *(fmap for _, fmap in area_maps(AREAS, STREETS)),
    ]


def test_maps_drawn_without_templates_are_the_pages_folium_draws(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rendered scripts go into the page as text: the page is the one branca makes."""
    fast = [_numbered(fmap.get_root().render()) for fmap in _all_maps()]

    def branca_render(element: branca.element.MacroElement, kwargs: dict[str, object]) -> None:
        branca.element.MacroElement.render(element, **kwargs)

    monkeypatch.setattr(geo.maps, "_render_plainly", branca_render)
    assert fast == [_numbered(fmap.get_root().render()) for fmap in _all_maps()]
    assert "&#123;&#123; e.o. &#125;&#125;" in fast[0]  # shown text is escaped on every map


def test_the_command_line_starts_without_the_modules_of_other_commands() -> None:
    """matplotlib (printed maps) and the project store load only for the commands using them."""
    probe = (
        "import sys; import geo.cli; print(sorted(m for m in "
        "('matplotlib', 'geo.map_drawing', 'geo.project', 'geo.store') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_element_names_are_branca_s() -> None:
    for kind in ("GeoJson", "Map", "FastMarkerCluster", "Fullscreen", "layer_control", "A"):
        element = geo.maps._PlainMacro()
        element._name = kind
        assert element.get_name() == branca.element.Element.get_name(element)


def test_a_layer_s_prepared_text_is_the_json_folium_writes_for_its_data() -> None:
    """Polygons made once and kept, lines made each time: the text is ``tojson``'s."""
    geo.maps._SHAPES.clear()
    frames = (_mixed(), AREAS.to_crs(4326), STREETS.to_crs(4326), _mixed().iloc[0:0])
    for _ in range(2):  # the second time the polygons come from the kept texts
        for frame in frames:
            cells = {c: geo.maps._cells(frame[c]) for c in frame.columns if c != "geometry"}
            data, text = geo.maps._shared_collection(
                np.asarray(frame.index), frame.geometry.to_numpy(), cells
            )
            assert json.dumps(data) == json.dumps(geo_dict(frame))
            assert text == json.dumps(data, sort_keys=True)
    assert geo.maps._SHAPES  # the areas' polygons are kept


def test_a_property_that_reads_as_the_geometry_mark_is_still_written_as_it_is() -> None:
    frame = AREAS.to_crs(4326).assign(name=geo.maps._SHAPE_MARK)
    data, text = geo.maps._shared_collection(
        np.asarray(frame.index), frame.geometry.to_numpy(), {"name": frame["name"].to_numpy()}
    )
    assert text == json.dumps(data, sort_keys=True)


def test_a_layer_drawn_from_its_prepared_text_is_the_page_of_its_data() -> None:
    areas = AREAS.to_crs(4326)
    for table in (areas, geo.maps._Rows.of(areas, geo.maps.AREA_TOOLTIP)):
        fast, slow = (
            geo.maps._layer(
                table, name="Gebieden", fields=geo.maps.AREA_TOOLTIP, style=lambda _: {"weight": 1}
            )
            for _ in range(2)
        )
        assert fast.data_text is not None
        slow.data_text = None  # folium writes the data itself
        fast_page, slow_page = _page(fast), _page(slow)
        assert fast_page == slow_page
        assert "Molenweg \\u0026#123;\\u0026#123; e.o." in fast_page  # escaped once, as text


def test_maps_drawn_again_with_the_kept_polygons_are_the_same_pages() -> None:
    geo.maps._SHAPES.clear()
    first = [_numbered(fmap.get_root().render()) for fmap in _all_maps()]
    assert geo.maps._SHAPES
    assert first == [_numbered(fmap.get_root().render()) for fmap in _all_maps()]


def test_frames_in_wgs84_are_used_as_they_are() -> None:
    areas = AREAS.to_crs(4326)
    assert geo.maps._in_wgs84(areas) is areas
    moved = geo.maps._in_wgs84(AREAS)
    assert moved.geometry.geom_equals_exact(AREAS.to_crs(4326).geometry, tolerance=0).all()


def test_road_tips_written_once_per_name_are_each_road_s_json() -> None:
    names = np.array(["Kerkstraat", "Kerkstraat", "</script><b>x", None, np.nan, "Één & twee", 1],
                     dtype=object)  # fmt: skip
    kinds = np.array(["residential", "footway", "residential", "", "cycleway", "primary", ""])
    expected = [
        geo.maps._script_json(
            {"tip": f"<b>{geo.maps._html(name) or 'naamloze weg'}</b><br>"
             f"{geo.maps._html(geo.maps.road_label(kind))}"}
        )
        for name, kind in zip(names, kinds, strict=True)
    ]  # fmt: skip
    assert geo.maps._road_tips(names, kinds) == expected
    assert "</" not in "".join(expected)


def test_kept_polygons_are_dropped_past_their_budget() -> None:
    kept = geo.maps._KeptShapes(budget=10)
    kept.keep(b"a", ({}, "123456"))
    kept.keep(b"b", ({}, "123456"))
    assert len(kept) == 1
    assert kept.get(b"a") is None
    assert kept.get(b"b") is not None
