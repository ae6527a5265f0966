"""Folium maps. Pure: GeoDataFrames in, a ``folium.Map`` out; nothing personal is drawn.

Members appear only as counts per area and as bare points in clusters; names, phone numbers and
addresses never reach a map. Maps: the planner's (areas, coverage, members, signs), the
municipality's (areas and signs, no small counts), the sign review map, one area's map.
"""

from __future__ import annotations

import functools
import html
import itertools
import json
import math
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import branca
import folium
import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd
import pyproj
import shapely
import xyzservices  # type: ignore[import-untyped]
from folium.elements import ElementAddToElement
from folium.features import GeoJsonStyleMapper
from folium.plugins import FastMarkerCluster, Fullscreen
from folium.utilities import get_obj_in_upper_tree

from geo.signs import MAIN, MAIN_ROADS, MINOR_ROADS, clip_lines, road_label
from geo.sources import WGS84
from geo.wording import decimal

Frame = TypeVar("Frame", gpd.GeoDataFrame, gpd.GeoSeries)

# Okabe–Ito palette (colour-blind safe), extended with muted tones for many areas.
PALETTE = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999",
    "#8C6D31", "#6B6ECF", "#B5CF6B", "#E7969C", "#7B4173", "#3182BD", "#31A354", "#756BB1",
)  # fmt: skip
# Road groups on the sign map: (label, colour, line width), from the most important down.
ROAD_STYLES = (
    ("Hoofd- en doorgaande wegen", "#D55E00", 4.0),
    ("Wijkwegen en woonstraten", "#0072B2", 2.5),
    ("Fiets- en voetpaden", "#009E73", 1.5),
)
SIGN_COLOURS = {MAIN: "darkred", "minor": "green"}
SIGN_KINDS = {MAIN: "hoofdingang", "minor": "fiets- of voetpad"}
# A sign under review is coloured by the municipality's decision ("besluit").
DECISION_COLOURS = {"open": "#0072B2", "plaatsen": "#009E73", "niet plaatsen": "#D55E00"}


AREA_TOOLTIP = {
    "area_id": "Gebied",
    "name": "Naam",
    "members": "Leden",
    "capacity_left": "Plaatsen over",
    "households": "Huishoudens",
    "deelname": "Deelname",
    "beheerder": "Beheerder",
    "streets": "Straten",
}
# Participation classes (% of households) and a colour-blind-safe sequential palette
# (ColorBrewer YlGnBu); the last colour is for areas without register data.
COVERAGE_CLASSES = (0.0, 5.0, 10.0, 20.0, 40.0)
COVERAGE_COLOURS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_DATA_COLOUR = "#bdbdbd"
PUBLIC_MIN_MEMBERS = 10  # the municipality sees no member count below this


def area_colour(area_id: int) -> str:
    """A stable colour per area id."""
    return PALETTE[(int(area_id) - 1) % len(PALETTE)]


def coverage_colour(participation_pct: float | None) -> str:
    """Fill colour of a participation percentage (grey when unknown)."""
    if participation_pct is None or math.isnan(participation_pct):
        return NO_DATA_COLOUR
    rank = sum(participation_pct >= bound for bound in COVERAGE_CLASSES) - 1
    return COVERAGE_COLOURS[max(0, rank)]


def _area_style(opacity: float) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Fill each area with its own colour."""

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        colour = area_colour(feature["properties"]["area_id"])
        return {"fillColor": colour, "color": "#333333", "weight": 1.5, "fillOpacity": opacity}

    return style


class MetricScale(branca.element.MacroElement):
    """A scale bar in metres only (folium's own shows feet and miles too)."""

    _template = jinja2.Template(
        "{% macro script(this, kwargs) %}"
        "L.control.scale({imperial: false, metric: true, position: 'bottomleft'})"
        ".addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )


class DutchZoom(branca.element.MacroElement):
    """Zoom buttons titled in Dutch (Leaflet's own say "Zoom in" and "Zoom out")."""

    _template = jinja2.Template(
        "{% macro script(this, kwargs) %}"
        "L.control.zoom({zoomInTitle: 'Inzoomen', zoomOutTitle: 'Uitzoomen'})"
        ".addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )


class DutchLayerToggle(branca.element.MacroElement):
    """The layer control's toggle titled in Dutch (Leaflet's says "Layers"); added after it."""

    _template = jinja2.Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.getContainer()"
        ".querySelectorAll('.leaflet-control-layers-toggle').forEach(function (toggle) {"
        " toggle.title = 'Kaartlagen'; toggle.setAttribute('aria-label', 'Kaartlagen'); });"
        "{% endmacro %}"
    )


@functools.cache
def _wgs84() -> pyproj.CRS:
    return pyproj.CRS.from_user_input(WGS84)


def _in_wgs84(frame: Frame) -> Frame:
    """``frame.to_crs(WGS84)``, or ``frame`` itself when it is in WGS84 already (``to_crs``
    would copy it: a third of a small map's making). Callers do not change what they get."""
    crs = frame.crs
    if crs is not None and crs.is_exact_same(_wgs84()):
        return frame
    return frame.to_crs(WGS84)


def _drawable(shapes: gpd.GeoSeries) -> np.ndarray:
    """Which geometries can be drawn: neither missing nor empty."""
    return _drawn(shapes.to_numpy())


def _drawn(values: np.ndarray) -> np.ndarray:
    """:func:`_drawable` of an array of shapes."""
    missing: np.ndarray = shapely.is_missing(values) | shapely.is_empty(values)
    return ~missing


@dataclass(frozen=True)
class _Rows:
    """A table's rows as a layer draws them: ids, shapes (WGS84) and escaped cells by column.

    Made once, a table's rows are then taken for many layers without pandas work.
    """

    index: np.ndarray
    shapes: np.ndarray
    cells: dict[str, np.ndarray]

    @classmethod
    def of(cls, table: gpd.GeoDataFrame, columns: Iterable[str]) -> _Rows:
        """Rows of ``table`` with those of ``columns`` it has, every text HTML-escaped."""
        chosen = [c for c in dict.fromkeys(columns) if c in table.columns]
        cells = {c: _escaped(_cells(table[c])) for c in chosen}
        return cls(np.asarray(table.index), table.geometry.to_numpy(), cells)

    def take(self, chosen: np.ndarray) -> _Rows:
        """The rows of a mask or of positions."""
        cells = {c: values[chosen] for c, values in self.cells.items()}
        return _Rows(self.index[chosen], self.shapes[chosen], cells)


@functools.cache
def _osm_tiles() -> xyzservices.TileProvider:
    """OpenStreetMap's tiles as folium looks them up for ``"OpenStreetMap"``, once per run."""
    return xyzservices.providers.query_name("OpenStreetMap Mapnik")


def _base_map(*frames: gpd.GeoDataFrame) -> folium.Map:
    """A map fitted to the first of ``frames`` that has a geometry (an area may have none)."""
    return _fitted_map(*(_in_wgs84(frame).geometry.to_numpy() for frame in frames))


def _fitted_map(*shapes: np.ndarray) -> folium.Map:
    """:func:`_base_map` of arrays of shapes in WGS84."""
    # quarter zoom steps: the wijk fills the map; Dutch zoom buttons instead of Leaflet's
    fmap = _Map(tiles=None, zoom_snap=0.25, zoom_control=False)
    DutchZoom().add_to(fmap)
    _TileLayer(
        _osm_tiles(),
        name="Achtergrondkaart",
        attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-bijdragers',
        control=False,
    ).add_to(fmap)
    for values in shapes:
        drawn = values[_drawn(values)]
        if len(drawn):
            west, south, east, north = shapely.total_bounds(drawn)
            fmap.fit_bounds([[south, west], [north, east]])
            break
    MetricScale().add_to(fmap)
    return fmap


def _finish(fmap: folium.Map, boundary: gpd.GeoDataFrame | _Rows, legend: str) -> folium.Map:
    """The boundary, the legend, the full-screen button and the layer control."""
    if not isinstance(boundary, _Rows):
        shapes = _in_wgs84(boundary).geometry
        boundary = _Rows(np.asarray(shapes.index), shapes.to_numpy(), {})
    data, text = _shared_collection(boundary.index, boundary.shapes, {})
    layer = _GeoJsonLayer(
        data,
        name="Wijkgrens",
        style_function=lambda _: {"fill": False, "color": "#000000", "weight": 3},
    )
    layer.data_text = text
    layer.add_to(fmap)
    root = fmap.get_root()
    assert isinstance(root, branca.element.Figure)  # a folium map's root is its page
    root.html.add_child(_as_rendered(_legend_box(legend)))
    _Fullscreen(title="Volledig scherm", title_cancel="Volledig scherm sluiten").add_to(fmap)
    _LayerControl().add_to(fmap)
    DutchLayerToggle().add_to(fmap)
    return fmap


def _html(value: object) -> str:
    """Text for a map: HTML-escaped and without template syntax.

    folium (branca) reads every drawn script as a Jinja template, so ``{{ ... }}`` in a street
    or area name would be run on the server; braces become HTML entities and read the same.
    """
    return html.escape(_text(value)).replace("{", "&#123;").replace("}", "&#125;")


def _escaped(values: np.ndarray) -> np.ndarray:
    """``values`` with every text HTML-escaped: folium's tooltips insert values as HTML.

    Street and area names come from sign-ups and OpenStreetMap, so any of them may be hostile.
    Numbers stay numbers (the style functions read them). A text is escaped once however
    often it comes (a street's name on each of its pieces).
    """
    texts = {value: "" for value in values if isinstance(value, str)}
    for text in texts:
        texts[text] = _html(text)
    escaped = np.empty(len(values), dtype=object)
    escaped[:] = [texts[value] if isinstance(value, str) else value for value in values]
    return escaped


def _layer(
    table: gpd.GeoDataFrame | _Rows,
    *,
    name: str,
    fields: dict[str, str],
    style: Callable[[dict[str, Any]], dict[str, Any]],
    show: bool = True,
    sticky: bool = True,
    keep: tuple[str, ...] = (),
) -> folium.GeoJson:
    """A GeoJSON layer whose tooltip shows those of ``fields`` (column: label) the table has.

    Works with an empty table and with missing columns (street data without names), drops
    empty geometries and escapes every text shown. ``keep`` columns are kept for the style
    function without being shown.
    """
    if not isinstance(table, _Rows):
        table = _Rows.of(table, [*fields, *keep])
    present = [f for f in fields if f in table.cells]
    kept = [c for c in keep if c in table.cells and c not in present]
    rows = table.take(_drawn(table.shapes))
    tooltip = (
        _GeoJsonTooltip(
            fields=present,
            aliases=[fields[f] for f in present],
            sticky=sticky,
            style="max-width:320px;white-space:normal;",  # wraps inside the map
        )
        if present and len(rows.index)
        else None
    )
    data, text = _shared_collection(
        rows.index, rows.shapes, {c: rows.cells[c] for c in [*present, *kept]}
    )
    layer = _GeoJsonLayer(data, name=name, show=show, style_function=style, tooltip=tooltip)
    layer.data_text = text
    return layer


def geo_dict(table: gpd.GeoDataFrame) -> dict[str, Any]:
    """``table.__geo_interface__`` as folium reads it (after a JSON round trip), made fast.

    The same dict, key for key and float for float; see :func:`_collection`.
    """
    geometry = table.geometry.name
    cells = {c: _cells(table[c]) for c in table.columns if c != geometry}
    return _collection(np.asarray(table.index), table.geometry.to_numpy(), cells)


def _cells(column: pd.Series) -> np.ndarray:
    """A column's values as Python objects, missing ones as ``None`` (as geopandas gives them)."""
    values: np.ndarray = column.astype(object).to_numpy(copy=True)
    values[pd.isna(column).to_numpy()] = None
    return values


def _collection(
    index: np.ndarray,
    shapes: np.ndarray,
    cells: dict[Any, np.ndarray],
    known: dict[int, Any] | None = None,
) -> dict[str, Any]:
    """A FeatureCollection as ``json.loads(json.dumps(frame.__geo_interface__))`` gives it.

    Ids from the index, properties from ``cells``, each feature's and the collection's
    ``bbox``, no geometry for a missing or empty one. The geometries come from GEOS's GeoJSON
    writer in one call and one parse instead of pandas and shapely work per feature; only the
    properties make the JSON round trip (GEOS writes every coordinate exactly). ``known``
    gives the geometry (dict) of some features by position: those are not written and read.
    """
    known = known or {}
    drawn = ~(shapely.is_missing(shapes) | shapely.is_empty(shapes))
    kept = np.array(shapes, dtype=object)
    kept[~drawn] = None
    kept[list(known)] = None
    texts = shapely.to_geojson(kept)
    geometries = json.loads("[" + ",".join(t if t is not None else "null" for t in texts) + "]")
    for position, geometry in known.items():
        geometries[position] = geometry
    bounds = shapely.bounds(shapes)
    names = list(cells)
    rows = zip(*(cells[name] for name in names), strict=True) if names else ()
    properties = json.loads(
        json.dumps([dict(zip(names, row, strict=True)) for row in rows] or [{}] * len(shapes))
    )
    features = [
        {"id": str(key), "type": "Feature", "properties": cells_of, "geometry": shape,
         "bbox": box if shown else None}
        for key, cells_of, shape, shown, box in zip(
            index, properties, geometries, drawn, bounds.tolist(), strict=True
        )
    ]  # fmt: skip
    total = [math.nan] * 4
    if len(shapes):
        with warnings.catch_warnings():  # none drawn: NaN bounds, as geopandas gives them
            warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
            total = [
                float(np.nanmin(bounds[:, 0])), float(np.nanmin(bounds[:, 1])),
                float(np.nanmax(bounds[:, 2])), float(np.nanmax(bounds[:, 3])),
            ]  # fmt: skip
    return {"type": "FeatureCollection", "features": features, "bbox": total}


class _KeptShapes:
    """Polygons' GeoJSON geometries (the dict and its text as folium's template writes it) by
    their exact WKB: a wijk's areas are on the planner's, the municipality's and every area's
    map. Emptied when the texts kept would pass ``budget`` characters (the dicts take about
    three times as much memory), so a long-running app keeps a few wijken at most.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.entries: dict[bytes, tuple[dict[str, Any], str]] = {}
        self.size = 0

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: bytes) -> tuple[dict[str, Any], str] | None:
        return self.entries.get(key)

    def keep(self, key: bytes, entry: tuple[dict[str, Any], str]) -> None:
        if self.size + len(entry[1]) > self.budget:
            self.clear()
        self.entries[key] = entry
        self.size += len(entry[1])

    def clear(self) -> None:
        self.entries = {}
        self.size = 0


_SHAPES = _KeptShapes(budget=4_000_000)
_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


def _shared_collection(
    index: np.ndarray, shapes: np.ndarray, cells: dict[Any, np.ndarray]
) -> tuple[dict[str, Any], str]:
    """:func:`_collection` and its text (:func:`_data_text`), each polygon made only once.

    A polygon's geometry is written, read and written again the first time it is drawn and
    taken from :data:`_SHAPES` after that (its dict is shared by the layers: folium only reads
    it). Lines (clipped per area) are made each time.
    """
    keys = _polygon_keys(shapes)
    entries = [_SHAPES.get(key) if key is not None else None for key in keys]
    known = {i: entry[0] for i, entry in enumerate(entries) if entry is not None}
    data = _collection(index, shapes, cells, known)
    for i, key in enumerate(keys):
        if key is not None and entries[i] is None:
            geometry = data["features"][i]["geometry"]
            entry = (geometry, json.dumps(geometry, sort_keys=True))
            _SHAPES.keep(key, entry)
            entries[i] = entry
    return data, _data_text(data, [entry[1] if entry else None for entry in entries])


def _polygon_keys(shapes: np.ndarray) -> list[bytes | None]:
    """The WKB of every drawn (multi)polygon, ``None`` for other shapes."""
    types = shapely.get_type_id(shapes)
    polygonal = ((types == _POLYGONAL[0]) | (types == _POLYGONAL[1])) & ~shapely.is_empty(shapes)
    chosen = np.array(shapes, dtype=object)
    chosen[~polygonal] = None
    keys: list[bytes | None] = shapely.to_wkb(chosen).tolist()
    return keys


# Stands in for a known geometry in the one ``json.dumps`` of a layer (see _data_text).
_SHAPE_MARK = "\x00geo.maps: geometry\x00"
_SHAPE_MARK_TEXT = json.dumps(_SHAPE_MARK)


def _data_text(data: dict[str, Any], texts: list[str | None]) -> str:
    """``json.dumps(data, sort_keys=True)``, the text folium's template writes for a layer's
    data, with the geometries of ``texts`` (by feature; ``None``: not known) as given.

    One dump of the collection with a mark for each known geometry, then their text put in.
    """
    features = [
        feature if text is None else {**feature, "geometry": _SHAPE_MARK}
        for feature, text in zip(data["features"], texts, strict=True)
    ]
    parts = json.dumps({**data, "features": features}, sort_keys=True).split(_SHAPE_MARK_TEXT)
    known = [text for text in texts if text is not None]
    if len(parts) != len(known) + 1:  # a property holds the mark itself
        return json.dumps(data, sort_keys=True)
    return "".join(itertools.chain.from_iterable(zip(parts, [*known, ""], strict=True)))


def _render_plainly(element: branca.element.MacroElement, kwargs: dict[str, Any]) -> None:
    """branca's ``MacroElement.render``, putting the rendered macros into the page as text.

    branca puts every rendered script into the page as a new Jinja template: compiling it costs
    more than drawing the map, only to get the text back unchanged (shown text holds no template
    syntax, see :func:`_html`); :func:`_as_rendered` keeps the template way for text that does.
    Children that leave their drawing to ``MacroElement`` (the add-to-map and set-icon calls
    folium adds, tooltips, icons) are drawn this way too; others draw themselves.
    """
    figure = element.get_root()
    assert isinstance(figure, branca.element.Figure)  # drawn on a map on a page
    macros = element._template.module.__dict__
    for part in ("header", "html", "script"):
        if macros.get(part) is not None:
            text = _macro_text(element, macros[part], kwargs)
            getattr(figure, part).add_child(_as_rendered(text), name=element.get_name())
    for child in element._children.values():
        plain = type(child).render is branca.element.MacroElement.render
        if plain and isinstance(child, branca.element.MacroElement):
            _render_plainly(child, kwargs)
        else:
            child.render(**kwargs)


# What folium's template writes for a layer's data while the data is this stand-in.
_DATA_STAND_IN = {"geo.maps": "data_text"}
_DATA_STAND_IN_TEXT = str(jinja2.utils.htmlsafe_json_dumps(_DATA_STAND_IN, sort_keys=True))


def _macro_text(element: branca.element.MacroElement, macro: Any, kwargs: dict[str, Any]) -> str:
    """A macro's text; a :class:`_GeoJsonLayer`'s data goes in as its ``data_text``.

    The template then writes a stand-in for the data (not the whole dict once more), and the
    stand-in's text is replaced by the prepared text, made HTML-safe as Jinja's ``tojson`` does.
    """
    if not isinstance(element, _GeoJsonLayer) or element.data_text is None:
        return str(macro(element, kwargs))
    prepared = element.data_text
    data, element.data = element.data, _DATA_STAND_IN
    try:
        text = str(macro(element, kwargs))
    finally:
        element.data = data
    safe = str(jinja2.utils.htmlsafe_json_dumps(data, dumps=lambda _: prepared))
    return text.replace(_DATA_STAND_IN_TEXT, safe, 1)


@functools.cache
def _variable_stem(kind: str) -> str:
    """branca's start of an element's JavaScript name (``GeoJson`` -> ``geo_json``), once a kind."""
    return branca.utilities._camelify(kind)


def _variable(element: branca.element.Element) -> str:
    """``element.get_name()`` as branca makes it, without spelling out the stem every time."""
    return _variable_stem(element._name) + "_" + element._id


class _PlainMacro(branca.element.MacroElement):
    """A macro element drawn by :func:`_render_plainly`: the same page, without the templates.

    Mixed in after a folium class (``class _Marker(folium.Marker, _PlainMacro)``) it comes
    between that class and ``MacroElement``, so the class's own ``render`` still runs first.
    Its name (asked for hundreds of times on a page) is :func:`_variable`.
    """

    def get_name(self) -> str:
        return _variable(self)

    def render(self, **kwargs: Any) -> str:
        _render_plainly(self, kwargs)
        return ""


class _Map(folium.Map, _PlainMacro):
    """folium's ``Map``, drawn by :func:`_render_plainly`."""


class _TileLayer(folium.TileLayer, _PlainMacro):
    """folium's ``TileLayer``, drawn by :func:`_render_plainly`."""


class _FeatureGroup(folium.FeatureGroup, _PlainMacro):
    """folium's ``FeatureGroup``, drawn by :func:`_render_plainly`."""


class _Marker(folium.Marker, _PlainMacro):  # type: ignore[misc]  # Marker.render takes no kwargs
    """folium's ``Marker``, drawn by :func:`_render_plainly`."""


class _LayerControl(folium.LayerControl, _PlainMacro):
    """folium's ``LayerControl``, drawn by :func:`_render_plainly`."""


class _Fullscreen(Fullscreen, _PlainMacro):
    """folium's ``Fullscreen`` button, drawn by :func:`_render_plainly`."""


class _FastMarkerCluster(FastMarkerCluster, _PlainMacro):
    """folium's ``FastMarkerCluster``, drawn by :func:`_render_plainly`."""


# The style sheet folium's ``GeoJsonDetail.render`` compiles as a template for every tooltip.
_TOOLTIP_STYLE = jinja2.Template(
    """
                    <style>
                        .{{ this.class_name }} {
                            {{ this.style }}
                        }
                       .{{ this.class_name }} table{
                            margin: auto;
                        }
                        .{{ this.class_name }} tr{
                            text-align: left;
                        }
                        .{{ this.class_name }} th{
                            padding: 2px; padding-right: 8px;
                        }
                    </style>
            """
)


class _GeoJsonTooltip(folium.GeoJsonTooltip, _PlainMacro):
    """folium's ``GeoJsonTooltip`` on a GeoJSON layer, drawn by :func:`_render_plainly`."""

    def render(self, **kwargs: Any) -> str:
        """folium's ``GeoJsonDetail.render``, with its style sheet's template compiled once."""
        layer = self._parent
        assert isinstance(layer, folium.GeoJson)  # a tooltip of this module's GeoJSON layers
        features = layer.data["features"]
        keys = set(features[0]["properties"]) if features else set()
        missing = [field for field in self.fields if field not in keys]
        assert not missing, f"The fields {missing} are not available in the data."
        self.warn_for_geometry_collections()
        figure = self.get_root()
        assert isinstance(figure, branca.element.Figure)  # drawn on a map on a page
        figure.header.add_child(
            _as_rendered(_TOOLTIP_STYLE.render(this=self)), name=self.get_name() + "tablestyle"
        )
        _render_plainly(self, {})
        return ""


# Value types whose ``repr`` tells their JSON text apart (``0.0`` from ``-0.0``, ``1`` from ``True``).
_PLAIN_STYLE_VALUES = frozenset((str, int, float, bool, type(None)))
_TEXT = frozenset((str,))


class _StyleMapper(GeoJsonStyleMapper):
    """folium's style mapper, each distinct style written as its JSON key once, not per feature.

    A layer's style function gives a new dict for each of its thousands of features, mostly
    the same few styles; folium makes a JSON encoder and a text for every one of them.
    """

    @staticmethod
    def _to_key(d: dict[Any, Any]) -> str:
        if not (
            _TEXT.issuperset(map(type, d)) and _PLAIN_STYLE_VALUES.issuperset(map(type, d.values()))
        ):
            return GeoJsonStyleMapper._to_key(d)  # elements, lists, ...: as folium does
        return _style_key((tuple(d), tuple(map(repr, d.values()))), d)

    def get_feature_id(self, feature: dict[str, Any]) -> str | int:
        """folium's feature id; this module's layers find it under ``id``, looked up directly."""
        if self.feature_identifier != "feature.id":
            return super().get_feature_id(feature)
        value = feature["id"]
        assert isinstance(value, (str, int))  # as folium asserts
        return value


_STYLE_KEYS: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}
_STYLE_KEYS_KEPT = 10_000  # styles differ by colour or weight only: a few dozen in a wijk


def _style_key(memo: tuple[tuple[str, ...], tuple[str, ...]], style: dict[Any, Any]) -> str:
    """folium's key of ``style`` (``memo``: its names and their values' ``repr``), kept."""
    key = _STYLE_KEYS.get(memo)
    if key is None:
        if len(_STYLE_KEYS) >= _STYLE_KEYS_KEPT:
            _STYLE_KEYS.clear()
        key = _STYLE_KEYS[memo] = GeoJsonStyleMapper._to_key(style)
    return key


class _GeoJsonLayer(folium.GeoJson):
    """folium's ``GeoJson``, drawn by :func:`_render_plainly`: its GeoJSON text is not lexed
    as a template once more, and is ``data_text`` when that is set (see :func:`_data_text`).
    """

    data_text: str | None = None

    def get_name(self) -> str:
        return _variable(self)

    def render(self, **kwargs: Any) -> str:
        """folium's ``GeoJson.render`` chain: style maps, add-to-map, the macros, children."""
        if self.includes:  # folium's Class.render would add them: leave it all to folium
            super().render(**kwargs)
            return ""
        self.parent_map = get_obj_in_upper_tree(self, folium.Map)  # type: ignore[assignment]
        if (self.style or self.highlight) and self.data["features"]:
            mapper = _StyleMapper(self.data, self.feature_identifier, self)
            if self.style:
                self.style_map = mapper.get_style_map(self.style_function)
            if self.highlight:
                self.highlight_map = mapper.get_highlight_map(self.highlight_function)
        assert self._parent is not None  # on a map
        if self.show:
            self.add_child(
                ElementAddToElement(
                    element_name=self.get_name(), element_parent_name=self._parent.get_name()
                ),
                name=self.get_name() + "_add",
            )
        _render_plainly(self, kwargs)
        return ""


def _as_rendered(text: str) -> branca.element.Element:
    """An element that renders as branca's ``Element(text)`` does: less one final newline."""
    if "\r" in text or any(mark in text for mark in ("{{", "{%", "{#")):  # Jinja would change
        return branca.element.Element(text)
    return _Raw(text.removesuffix("\n"))


def participation_text(participation_pct: float | None) -> str:
    """Participation as a planner reads it; above 100% the register must be incomplete."""
    if participation_pct is None or math.isnan(participation_pct):
        return "onbekend (geen adresregister)"
    if participation_pct > 100:
        return "meer leden dan huishoudens: adresregister onvolledig?"
    # To the tenth as coverage rounds it: rounding again to a whole per cent would turn 94.5
    # into "94%" (round half to even).
    return f"{decimal(participation_pct, 1)}%"


def _area_table(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Areas in WGS84 with the tooltip fields as text."""
    table = _in_wgs84(areas).copy()
    if "beheerder_needed" in table:
        table["beheerder"] = np.where(table["beheerder_needed"].astype(bool), "gezocht", "ja")
    if "participation_pct" in table:
        table["deelname"] = [participation_text(p) for p in table["participation_pct"]]
    if "streets" in table:
        table["streets"] = [_few_streets(text) for text in table["streets"]]
    return table


def _few_streets(text: object, most: int = 6) -> str:
    """An area's streets for its tooltip: the first few, then how many more."""
    streets = [s.strip() for s in _text(text).split(";") if s.strip()]
    more = len(streets) - most
    return "; ".join(streets[:most]) + (f" en nog {more} andere" if more > 0 else "")


def _labels(areas: gpd.GeoDataFrame, *, with_names: bool) -> folium.FeatureGroup:
    """Area numbers at a point inside each area; names only where few areas are drawn.

    A number in a small badge does not cover its neighbours or the member clusters; the name
    and figures are in the area's tooltip.
    """
    return _label_group(_LabelRows.of(areas), with_names=with_names)


@dataclass(frozen=True)
class _LabelRows:
    """What an area's label shows: its id, its name (as in the table) and its label's place."""

    ids: list[Any]
    names: list[Any]
    places: np.ndarray  # points in WGS84 (``None`` for an area without a geometry)

    @classmethod
    def of(cls, areas: gpd.GeoDataFrame) -> _LabelRows:
        shapes = areas.geometry.to_numpy()
        places = np.full(len(shapes), None, dtype=object)
        drawn = _drawn(shapes)
        places[drawn] = shapely.point_on_surface(shapes[drawn])
        names = list(areas["name"]) if "name" in areas.columns else [None] * len(areas)
        return cls(list(areas["area_id"]), names, places)

    def take(self, chosen: np.ndarray) -> _LabelRows:
        """The rows of a mask."""
        positions = np.flatnonzero(chosen).tolist()
        ids, names = [self.ids[i] for i in positions], [self.names[i] for i in positions]
        return _LabelRows(ids, names, self.places[chosen])


def _label_group(rows: _LabelRows, *, with_names: bool) -> folium.FeatureGroup:
    """:func:`_labels` of the rows of a table."""
    group = _FeatureGroup(name="Nummers van gebieden")
    for area_id, raw_name, point in zip(rows.ids, rows.names, rows.places, strict=True):
        if point is None:
            continue
        full_name = _html(raw_name)
        name = f" {full_name}" if with_names else ""
        _Marker(
            [point.y, point.x],
            tooltip=f"Gebied {area_id}" + (f": {full_name}" if full_name else ""),
            icon=folium.DivIcon(
                icon_size=(0, 0),
                html=(
                    '<div style="transform:translate(-50%,-50%);display:inline-block;'
                    "background:rgba(255,255,255,0.85);border:1px solid #333;border-radius:9px;"
                    'padding:0 5px;font-weight:bold;font-size:11px;white-space:nowrap">'
                    f"{area_id}{name}</div>"
                ),
            ),
        ).add_to(group)
    return group


def planner_map(
    areas: gpd.GeoDataFrame,
    boundary: gpd.GeoDataFrame,
    *,
    members: gpd.GeoDataFrame | None = None,
    signs: gpd.GeoDataFrame | None = None,
    uncovered: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The planner's map: areas with their figures, coverage, members as clusters, signs.

    Members are drawn as bare coordinates in clusters (no popup, no name, no phone); with
    10,000 members the map stays one light layer.
    """
    table = _area_table(areas)
    rows = _Rows.of(table, [*AREA_TOOLTIP, "participation_pct"])  # once for both layers
    fmap = _base_map(boundary)
    _layer(rows, name="Gebieden", fields=AREA_TOOLTIP, style=_area_style(0.45)).add_to(fmap)
    if "participation_pct" in table:
        _layer(
            rows,
            name="Deelname per gebied",
            fields=AREA_TOOLTIP,
            show=False,
            sticky=False,
            keep=("participation_pct",),
            style=lambda feature: {
                "fillColor": coverage_colour(feature["properties"]["participation_pct"]),
                "color": "#333333",
                "weight": 1,
                "fillOpacity": 0.75,
            },
        ).add_to(fmap)
    _labels(table, with_names=False).add_to(fmap)
    if members is not None and len(members):
        points = _in_wgs84(members).geometry
        _FastMarkerCluster(
            np.column_stack([points.y.round(6), points.x.round(6)]).tolist(),
            name="Leden (aantallen)",
        ).add_to(fmap)
    if uncovered is not None and len(uncovered):
        _layer(
            _in_wgs84(uncovered),
            name="Straten zonder aanmelding",
            fields={
                "street": "Straat zonder aanmelding",
                "households": "Huishoudens",
                "area_id": "Gebied",
            },
            style=lambda _: {"color": "#CC79A7", "weight": 5, "opacity": 0.9},
            sticky=False,
        ).add_to(fmap)
    has_signs = signs is not None and len(signs) > 0
    if signs is not None and has_signs:
        _sign_markers(signs).add_to(fmap)
    legend = _coverage_legend(
        participation="participation_pct" in table,
        open_streets=uncovered is not None and len(uncovered) > 0,
        signs=has_signs,
    )
    return _finish(fmap, boundary, legend)


def municipality_map(
    areas: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame, signs: gpd.GeoDataFrame
) -> folium.Map:
    """For the municipality: boundary, areas and ranked signs; nothing personal.

    Member counts under :data:`PUBLIC_MIN_MEMBERS` show as "minder dan 10".
    """
    table = _in_wgs84(areas)[["area_id", "name", "members", "geometry"]].copy()
    table["leden"] = [
        str(n) if n >= PUBLIC_MIN_MEMBERS else f"minder dan {PUBLIC_MIN_MEMBERS}"
        for n in table["members"]
    ]
    table = table.drop(columns="members")
    fmap = _base_map(boundary)
    _layer(
        table,
        name="Gebieden",
        fields={"area_id": "Gebied", "name": "Naam", "leden": "Leden"},
        style=_area_style(0.35),
        sticky=False,
    ).add_to(fmap)
    _sign_markers(signs).add_to(fmap)
    return _finish(fmap, boundary, _sign_legend())


def area_map(areas: gpd.GeoDataFrame, area_id: int, streets: gpd.GeoDataFrame) -> folium.Map:
    """For one area's beheerder: its polygon, its streets and its neighbouring areas."""
    return _area_map(_AreaTables.of(areas, streets), area_id)


def area_maps(
    areas: gpd.GeoDataFrame, streets: gpd.GeoDataFrame
) -> Iterator[tuple[int, folium.Map]]:
    """Every area's :func:`area_map`, one at a time, with the tables made once for all."""
    tables = _AreaTables.of(areas, streets)
    for area_id in areas["area_id"]:
        yield int(area_id), _area_map(tables, int(area_id))


@dataclass(frozen=True)
class _AreaTables:
    """What the area maps draw, made once for all of them: areas and streets in WGS84."""

    table: gpd.GeoDataFrame  # the areas' _area_table
    areas: _Rows  # its rows with the tooltips' cells
    labels: _LabelRows
    streets: _Rows  # with the street names

    @classmethod
    def of(cls, areas: gpd.GeoDataFrame, streets: gpd.GeoDataFrame) -> _AreaTables:
        table = _area_table(areas)
        rows = _Rows.of(table, [*AREA_TOOLTIP, "area_id", "name"])
        return cls(table, rows, _LabelRows.of(table), _Rows.of(_in_wgs84(streets), ["name"]))


def _area_map(tables: _AreaTables, area_id: int) -> folium.Map:
    """:func:`area_map` from the :class:`_AreaTables` of all areas."""
    ids = tables.table["area_id"].to_numpy()
    is_chosen = ids == area_id
    if not is_chosen.any():
        msg = f"gebied {area_id} bestaat niet in dit plan"
        raise KeyError(msg)
    neighbour_ids = _neighbour_ids(tables.table, int(np.argmax(is_chosen)))
    chosen = tables.areas.take(is_chosen)
    fmap = _fitted_map(chosen.shapes, tables.areas.shapes)
    _layer(
        tables.areas.take(np.isin(ids, neighbour_ids)),
        name="Buurgebieden",
        fields={"area_id": "Buurgebied", "name": "Naam"},
        style=lambda _: {
            "fillColor": "#999999",
            "color": "#666666",
            "weight": 1,
            "fillOpacity": 0.2,
        },
        sticky=False,
    ).add_to(fmap)
    _layer(
        chosen,
        name=f"Gebied {area_id}",
        fields=AREA_TOOLTIP,
        style=lambda _: {
            "fillColor": area_colour(area_id),
            "color": "#000000",
            "weight": 3,
            "fillOpacity": 0.3,
        },
        sticky=False,
    ).add_to(fmap)
    meets, cut = clip_lines(tables.streets.shapes, chosen.shapes[0])
    mine = tables.streets.take(meets)
    _layer(
        _Rows(mine.index, cut, mine.cells),
        name="Straten",
        fields={"name": "Straat"},
        style=lambda _: {"color": "#0072B2", "weight": 3},
        sticky=False,
    ).add_to(fmap)
    shown = np.isin(ids, [area_id, *neighbour_ids])
    _label_group(tables.labels.take(shown), with_names=True).add_to(fmap)
    return _finish(fmap, chosen, "")


def _text(value: object) -> str:
    """A cell as text; empty for a missing value (None, NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _neighbour_ids(areas: gpd.GeoDataFrame, position: int) -> list[int]:
    """The ids in an area's ``neighbours`` cell ("2,5"); none when absent or empty."""
    if "neighbours" not in areas:
        return []
    text = _text(areas["neighbours"].iloc[position])
    return [int(float(n)) for n in text.replace(";", ",").split(",") if n.strip()]


# ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))``, its encoder made once.
_SCRIPT_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _script_json(value: object) -> str:
    """``value`` as JSON to place inside a ``<script>``: no ``</`` can close the script early."""
    return _SCRIPT_ENCODER.encode(value).replace("</", "<\\/")


class _Raw(branca.element.Element):
    """Script text put into the page as it is (branca would read it as a Jinja template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class PreparedGeoJson(folium.map.Layer):
    """A GeoJSON layer drawn from prepared text: no per-feature work when the map is rendered.

    ``data`` is GeoJSON text whose shown properties are already HTML-escaped; ``options`` is the
    JavaScript options object for ``L.geoJson`` (style, tooltips, how points are drawn). A wijk's
    2,500 roads or 45 signs then cost a string join instead of folium's per-feature templates,
    and the text is never read as a template.
    """

    _template = jinja2.Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = L.geoJson({{ this.data }}, {{ this.options }});"
        "{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}"
        "{% endmacro %}"
    )

    def __init__(self, data: str, options: str, *, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "PreparedGeoJson"
        self.data = data
        self.options = options

    def render(self, **kwargs: Any) -> str:
        """Put the script into the page as text (streamlit-folium calls the macro itself)."""
        figure = self.get_root()
        assert isinstance(figure, branca.element.Figure)  # drawn on a map on a page
        figure.script.add_child(
            _Raw(str(self._template.module.script(self, kwargs))), name=self.get_name()
        )
        return ""


_BIND_TOOLTIP = (
    "{%s onEachFeature: function (feature, layer) {"
    " if (feature.properties.tip) { layer.bindTooltip(feature.properties.tip, {sticky: true}); }"
    " }}"
)
_SIGN_OPTIONS = (
    "{pointToLayer: function (feature, latlng) {"
    " var p = feature.properties;"
    " return L.marker(latlng, {icon: L.divIcon({className: '', iconSize: [p.size, p.size],"
    " iconAnchor: [p.size / 2, p.size / 2], html: p.badge})})"
    ".bindPopup(p.popup, {maxWidth: 300}).bindTooltip(p.tip);"
    " }}"
)


def _sign_markers(signs: gpd.GeoDataFrame) -> PreparedGeoJson:
    """Signs as badges with their rank, in one layer: a main entrance large, a path small.

    Coloured by kind, or by the municipality's decision when ``signs`` has a ``besluit``
    column (open, plaatsen, niet plaatsen); the popup says why the sign stands there. The
    tooltip reads "Bord 3: Rijksweg": the Borden page picks the sign clicked by it.
    """
    features = []
    table = _in_wgs84(signs)
    table = table.loc[_drawable(table.geometry)]
    for row in table.itertuples():
        street = _html(getattr(row, "street", None)) or "naamloze weg"
        reason = _html(getattr(row, "reason", None))
        kind = str(getattr(row, "kind", ""))
        decision = _text(getattr(row, "besluit", None))
        colour = DECISION_COLOURS.get(decision) or SIGN_COLOURS.get(kind, "gray")
        note = _html(getattr(row, "opmerking", None))
        proposal = _text(getattr(row, "voorstel", None))
        bearing = getattr(row, "bearing_deg", None)
        rank = int(row.rank)
        text = (
            f"<b>Bord {rank}</b> ({SIGN_KINDS.get(kind, 'bord')})<br>{street}<br>{reason}"
            + (
                f"<br>verkeer rijdt de wijk in richting {float(bearing):.0f}° (0° = noord)"
                if bearing is not None and not pd.isna(bearing)
                else ""
            )
            + (f"<br>voorstel: {_html(proposal)}" if proposal else "")
            + (f"<br>besluit: <b>{_html(decision)}</b>" if decision else "")
            + (f"<br>opmerking: {note}" if note else "")
        )
        size = 22 if kind == MAIN else 17
        badge = (
            f'<div style="width:{size}px;height:{size}px;border-radius:50%;'
            f"background:{colour};color:white;border:2px solid white;box-sizing:border-box;"
            "box-shadow:0 0 2px #000;font:bold 11px sans-serif;text-align:center;"
            f'line-height:{size - 4}px">{rank}</div>'
        )
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(row.geometry.x, 7), round(row.geometry.y, 7)],
                },
                "properties": {
                    "tip": f"Bord {rank}: {street}" + (f" ({_html(decision)})" if decision else ""),
                    "popup": text,
                    "badge": badge,
                    "size": size,
                },
            }
        )
    data = _script_json({"type": "FeatureCollection", "features": features})
    return PreparedGeoJson(data, _SIGN_OPTIONS, name="Borden")


def _legend_box(rows: str) -> str:
    """A folded legend, bottom right (the scale bar is bottom left): it covers nothing until
    the reader opens it, and lists only what the map draws."""
    return (
        '<details id="legenda" style="position:fixed;bottom:28px;right:10px;z-index:9999;'
        "background:white;padding:6px 10px;border:1px solid #999;font-size:12px;"
        'max-height:45%;overflow:auto"><summary style="cursor:pointer"><b>Legenda</b></summary>'
        f"{rows}<div>&#9473; wijkgrens</div></details>"
    )


def _swatch(colour: str, label: str, height: float = 12) -> str:
    return (
        f'<div><span style="display:inline-block;width:24px;height:{height:.0f}px;'
        f'background:{colour};margin-right:6px;vertical-align:middle"></span>{label}</div>'
    )


def _coverage_legend(*, participation: bool, open_streets: bool, signs: bool) -> str:
    """Rows for what the planner map draws; the participation colours belong to their layer."""
    rows = "<div>gebieden: elk gebied een eigen kleur, met zijn nummer</div>"
    if participation:
        bounds = [*COVERAGE_CLASSES, None]
        rows += "<div style='margin-top:4px'><i>laag 'Deelname per gebied'</i></div>" + "".join(
            _swatch(
                colour,
                f"deelname {low:.0f}%" + (f"–{high:.0f}%" if high is not None else " en meer"),
            )
            for colour, low, high in zip(COVERAGE_COLOURS, bounds[:-1], bounds[1:], strict=True)
        )
        rows += _swatch(NO_DATA_COLOUR, "geen adresregister")
    if open_streets:
        rows += _swatch("#CC79A7", "straat zonder aanmelding", 5)
    return rows + (_sign_rows() if signs else "")


def _sign_rows(*, decisions: bool = False) -> str:
    if decisions:
        return (
            "".join(
                f'<div><span style="color:{colour}">&#9679;</span> bord: {label}</div>'
                for label, colour in DECISION_COLOURS.items()
            )
            + "<div>groot: hoofdingang, klein: fiets- of voetpad; het getal is de rang</div>"
        )
    return (
        '<div><span style="color:darkred">&#9679;</span> bord bij een hoofdingang</div>'
        '<div><span style="color:green">&#9679;</span> bord bij een fiets- of voetpad</div>'
        "<div>het getal is de rang</div>"
    )


def _sign_legend(*, decisions: bool = False) -> str:
    return "".join(
        _swatch(colour, label, width) for label, colour, width in ROAD_STYLES
    ) + _sign_rows(decisions=decisions)


@dataclass(frozen=True)
class RoadLayers:
    """A wijk's roads by class (:data:`ROAD_STYLES`) as GeoJSON text, made once per wijk.

    Each entry is (label, colour, width, GeoJSON text); drawing them on a map is then string
    work only. The tooltip of a road gives its name and class, HTML-escaped.
    """

    layers: tuple[tuple[str, str, float, str], ...]


def road_layers(streets: gpd.GeoDataFrame) -> RoadLayers:
    """The roads of ``streets`` grouped by class, coordinates at 6 decimals (~0.1 m)."""
    roads = _in_wgs84(streets)
    roads = roads.loc[_drawable(roads.geometry)]
    highway = roads.get("highway", pd.Series("", index=roads.index)).fillna("").astype(str)
    names = roads.get("name", pd.Series("", index=roads.index))
    groups = highway.map(_road_group)
    layers = []
    for number, (label, colour, width) in enumerate(ROAD_STYLES):
        chosen = (groups == number).to_numpy()
        if not chosen.any():
            continue
        shapes = shapely.transform(roads.geometry.to_numpy()[chosen], lambda c: np.round(c, 6))
        tips = _road_tips(names.to_numpy()[chosen], highway.to_numpy()[chosen])
        features = ",".join(
            f'{{"type":"Feature","properties":{tip},"geometry":{shape}}}'
            for tip, shape in zip(tips, shapely.to_geojson(shapes), strict=True)
        )
        data = '{"type":"FeatureCollection","features":[' + features + "]}"
        layers.append((label, colour, width, data))
    return RoadLayers(tuple(layers))


def _road_tips(names: np.ndarray, kinds: np.ndarray) -> list[str]:
    """Each road's properties, ``_script_json({"tip": ...})`` with its name and class: written
    once per name and class (a street has many pieces), not by an encoder run per road."""
    made: dict[tuple[type, Any, Any], str] = {}
    tips = []
    for name, kind in zip(names, kinds, strict=True):
        key = (type(name), name, kind)
        tip = made.get(key)
        if tip is None:
            text = f"<b>{_html(name) or 'naamloze weg'}</b><br>{_html(road_label(kind))}"
            tip = '{"tip":' + json.encoder.encode_basestring(text) + "}"
            tip = made[key] = tip.replace("</", "<\\/")
        tips.append(tip)
    return tips


def _add_roads(fmap: folium.Map, roads: RoadLayers) -> None:
    for label, colour, width, data in roads.layers:
        style = _script_json({"color": colour, "weight": width, "opacity": 0.8})
        PreparedGeoJson(data, _BIND_TOOLTIP % f"style: {style},", name=label).add_to(fmap)


def _road_group(highway: str) -> int | None:
    if highway in MAIN_ROADS or highway in {"trunk", "motorway"}:
        return 0 if MAIN_ROADS.get(highway, (1, ""))[0] <= 2 else 1
    return 2 if highway in MINOR_ROADS else None


def signs_map(
    signs: gpd.GeoDataFrame,
    boundary: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame | RoadLayers,
) -> folium.Map:
    """The municipality's review map: boundary, roads by class, ranked signs and a legend.

    ``streets`` may be the wijk's :class:`RoadLayers` made before (the app keeps them per wijk).
    """
    fmap = _base_map(boundary)
    _add_roads(fmap, streets if isinstance(streets, RoadLayers) else road_layers(streets))
    _sign_markers(signs).add_to(fmap)
    return _finish(fmap, boundary, _sign_legend(decisions="besluit" in signs))


def wijk_map(
    boundary: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame | RoadLayers,
    *,
    areas: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The wijk as the planner checks it: its boundary and roads (and the areas, once planned)."""
    fmap = _base_map(boundary)
    if areas is not None and len(areas):
        table = _area_table(areas)
        _layer(
            table, name="Gebieden", fields=AREA_TOOLTIP, style=_area_style(0.25), sticky=False
        ).add_to(fmap)
        _labels(table, with_names=False).add_to(fmap)
    _add_roads(fmap, streets if isinstance(streets, RoadLayers) else road_layers(streets))
    rows = "".join(_swatch(colour, label, width) for label, colour, width in ROAD_STYLES)
    if areas is not None and len(areas):
        rows = "<div>gebieden: elk gebied een eigen kleur, met zijn nummer</div>" + rows
    return _finish(fmap, boundary, rows)
