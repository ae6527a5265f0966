"""Folium maps. Pure: GeoDataFrames in, a ``folium.Map`` out; nothing personal is drawn.

Members appear only as counts per area and as bare points in clusters; names, phone numbers and
addresses never reach a map. Maps: the planner's (areas, coverage, members, signs), the
municipality's (areas and signs, no small counts), the sign review map, one area's map.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from typing import Any

import branca
import folium
import geopandas as gpd
import numpy as np
from folium.plugins import FastMarkerCluster, Fullscreen

from geo.signs import MAIN, MAIN_ROADS, MINOR_ROADS, road_label
from geo.sources import WGS84

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


AREA_TOOLTIP = {
    "area_id": "Gebied",
    "name": "Naam",
    "members": "Leden",
    "capacity_left": "Plaatsen over",
    "households": "Huishoudens",
    "participation_pct": "Deelname (%)",
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


def _base_map(boundary: gpd.GeoDataFrame) -> folium.Map:
    west, south, east, north = boundary.to_crs(WGS84).total_bounds
    fmap = folium.Map(tiles="OpenStreetMap", control_scale=True)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def _finish(fmap: folium.Map, boundary: gpd.GeoDataFrame, legend: str) -> folium.Map:
    folium.GeoJson(
        boundary.to_crs(WGS84)[["geometry"]],
        name="Wijkgrens",
        style_function=lambda _: {"fill": False, "color": "#000000", "weight": 3},
    ).add_to(fmap)
    root = fmap.get_root()
    assert isinstance(root, branca.element.Figure)  # a folium map's root is its page
    root.html.add_child(branca.element.Element(_legend_box(legend)))
    Fullscreen().add_to(fmap)
    folium.LayerControl().add_to(fmap)
    return fmap


def _area_table(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Areas in WGS84 with the tooltip fields as text."""
    table = areas.to_crs(WGS84).copy()
    if "beheerder_needed" in table:
        table["beheerder"] = np.where(table["beheerder_needed"].astype(bool), "gezocht", "ja")
    return table


def _labels(areas: gpd.GeoDataFrame, *, with_counts: bool) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="Namen van gebieden")
    for row in areas.itertuples():
        if row.geometry is None or row.geometry.is_empty:
            continue
        point = row.geometry.representative_point()
        count = f" ({row.members})" if with_counts else ""
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=(
                    '<div style="font-weight:bold;font-size:12px;white-space:nowrap">'
                    f"{row.area_id}. {html.escape(str(row.name))}{count}</div>"
                )
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
    fmap = _base_map(boundary)
    fields = [f for f in AREA_TOOLTIP if f in table.columns]
    tooltip = folium.GeoJsonTooltip(
        fields=fields, aliases=[AREA_TOOLTIP[f] for f in fields], sticky=True
    )
    folium.GeoJson(
        table[[*fields, "geometry"]],
        name="Gebieden",
        style_function=_area_style(0.45),
        tooltip=tooltip,
    ).add_to(fmap)
    if "participation_pct" in table:
        folium.GeoJson(
            table[[*fields, "geometry"]],
            name="Deelname per gebied",
            show=False,
            style_function=lambda feature: {
                "fillColor": coverage_colour(feature["properties"]["participation_pct"]),
                "color": "#333333",
                "weight": 1,
                "fillOpacity": 0.75,
            },
            tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[AREA_TOOLTIP[f] for f in fields]),
        ).add_to(fmap)
    _labels(table, with_counts=True).add_to(fmap)
    if members is not None and len(members):
        points = members.to_crs(WGS84).geometry
        FastMarkerCluster(
            np.column_stack([points.y.round(6), points.x.round(6)]).tolist(),
            name="Leden (aantallen)",
        ).add_to(fmap)
    if uncovered is not None and len(uncovered):
        lines = uncovered.to_crs(WGS84)
        lines = lines.loc[lines.geometry.notna() & ~lines.geometry.is_empty]
        folium.GeoJson(
            lines[["area_id", "street", "households", "geometry"]],
            name="Straten zonder aanmelding",
            style_function=lambda _: {"color": "#CC79A7", "weight": 5, "opacity": 0.9},
            tooltip=folium.GeoJsonTooltip(
                fields=["street", "households", "area_id"],
                aliases=["Straat zonder aanmelding", "Huishoudens", "Gebied"],
            ),
        ).add_to(fmap)
    if signs is not None and len(signs):
        _sign_markers(signs).add_to(fmap)
    return _finish(fmap, boundary, _coverage_legend())


def municipality_map(
    areas: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame, signs: gpd.GeoDataFrame
) -> folium.Map:
    """For the municipality: boundary, areas and ranked signs; nothing personal.

    Member counts under :data:`PUBLIC_MIN_MEMBERS` show as "minder dan 10".
    """
    table = areas.to_crs(WGS84)[["area_id", "name", "members", "geometry"]].copy()
    table["leden"] = [
        str(n) if n >= PUBLIC_MIN_MEMBERS else f"minder dan {PUBLIC_MIN_MEMBERS}"
        for n in table["members"]
    ]
    table = table.drop(columns="members")
    fmap = _base_map(boundary)
    folium.GeoJson(
        table,
        name="Gebieden",
        style_function=_area_style(0.35),
        tooltip=folium.GeoJsonTooltip(
            fields=["area_id", "name", "leden"], aliases=["Gebied", "Naam", "Leden"]
        ),
    ).add_to(fmap)
    _sign_markers(signs).add_to(fmap)
    return _finish(fmap, boundary, _sign_legend())


def area_map(areas: gpd.GeoDataFrame, area_id: int, streets: gpd.GeoDataFrame) -> folium.Map:
    """For one area's beheerder: its polygon, its streets and its neighbouring areas."""
    table = _area_table(areas)
    chosen = table.loc[table["area_id"] == area_id]
    if chosen.empty:
        msg = f"gebied {area_id} bestaat niet in dit plan"
        raise KeyError(msg)
    neighbour_ids = [int(n) for n in str(chosen["neighbours"].iloc[0]).split(",") if n]
    fmap = _base_map(chosen)
    folium.GeoJson(
        table.loc[table["area_id"].isin(neighbour_ids), ["area_id", "name", "geometry"]],
        name="Buurgebieden",
        style_function=lambda _: {
            "fillColor": "#999999",
            "color": "#666666",
            "weight": 1,
            "fillOpacity": 0.2,
        },
        tooltip=folium.GeoJsonTooltip(fields=["area_id", "name"], aliases=["Buurgebied", "Naam"]),
    ).add_to(fmap)
    fields = [f for f in AREA_TOOLTIP if f in chosen.columns]
    folium.GeoJson(
        chosen[[*fields, "geometry"]],
        name=f"Gebied {area_id}",
        style_function=lambda _: {
            "fillColor": area_colour(area_id),
            "color": "#000000",
            "weight": 3,
            "fillOpacity": 0.3,
        },
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[AREA_TOOLTIP[f] for f in fields]),
    ).add_to(fmap)
    polygon = chosen.geometry.iloc[0]
    mine = streets.to_crs(WGS84)
    mine = mine.loc[mine.intersects(polygon) & (mine["name"].fillna("") != "")]
    folium.GeoJson(
        mine.assign(geometry=mine.intersection(polygon))[["name", "geometry"]],
        name="Straten",
        style_function=lambda _: {"color": "#0072B2", "weight": 3},
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=["Straat"]),
    ).add_to(fmap)
    _labels(table.loc[table["area_id"].isin([area_id, *neighbour_ids])], with_counts=False).add_to(
        fmap
    )
    return _finish(fmap, chosen, "")


def _sign_markers(signs: gpd.GeoDataFrame) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name="Borden")
    for row in signs.to_crs(WGS84).itertuples():
        street = html.escape(str(row.street) or "naamloze weg")
        text = (
            f"<b>Bord {row.rank}</b><br>{street}<br>{html.escape(str(row.reason))}<br>"
            f"verkeer rijdt in richting {row.bearing_deg:.0f}°"
        )
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            popup=folium.Popup(text, max_width=300),
            tooltip=f"Bord {row.rank}: {street}",
            icon=folium.Icon(color=SIGN_COLOURS.get(str(row.kind), "gray"), icon="eye-open"),
        ).add_to(layer)
    return layer


def _legend_box(rows: str) -> str:
    return (
        '<div id="legenda" style="position:fixed;bottom:24px;left:12px;z-index:9999;'
        'background:white;padding:8px 10px;border:1px solid #999;font-size:12px">'
        f"<b>Legenda</b>{rows}<div>&#9473; wijkgrens</div></div>"
    )


def _swatch(colour: str, label: str, height: float = 12) -> str:
    return (
        f'<div><span style="display:inline-block;width:24px;height:{height:.0f}px;'
        f'background:{colour};margin-right:6px;vertical-align:middle"></span>{label}</div>'
    )


def _coverage_legend() -> str:
    bounds = [*COVERAGE_CLASSES, None]
    rows = "".join(
        _swatch(
            colour, f"deelname {low:.0f}%" + (f"–{high:.0f}%" if high is not None else " en meer")
        )
        for colour, low, high in zip(COVERAGE_COLOURS, bounds[:-1], bounds[1:], strict=True)
    )
    return (
        rows
        + _swatch(NO_DATA_COLOUR, "geen adresregister")
        + _swatch("#CC79A7", "straat zonder aanmelding", 5)
        + _sign_rows()
    )


def _sign_rows() -> str:
    return (
        '<div><span style="color:darkred">&#9679;</span> bord bij een hoofdingang</div>'
        '<div><span style="color:green">&#9679;</span> bord bij een fiets- of voetpad</div>'
    )


def _sign_legend() -> str:
    return (
        "".join(_swatch(colour, label, width) for label, colour, width in ROAD_STYLES)
        + _sign_rows()
    )


def _road_group(highway: str) -> int | None:
    if highway in MAIN_ROADS or highway in {"trunk", "motorway"}:
        return 0 if MAIN_ROADS.get(highway, (1, ""))[0] <= 2 else 1
    return 2 if highway in MINOR_ROADS else None


def signs_map(
    signs: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame, streets: gpd.GeoDataFrame
) -> folium.Map:
    """The municipality's review map: boundary, roads by class, ranked signs and a legend."""
    fmap = _base_map(boundary)
    roads = streets.to_crs(WGS84)
    groups = roads["highway"].fillna("").astype(str).map(_road_group)
    for number, (label, colour, width) in enumerate(ROAD_STYLES):
        chosen = roads.loc[groups == number, ["name", "highway", "geometry"]]
        if chosen.empty:
            continue
        folium.GeoJson(
            chosen.assign(klasse=chosen["highway"].map(road_label)),
            name=label,
            style_function=lambda _, c=colour, w=width: {"color": c, "weight": w, "opacity": 0.8},
            tooltip=folium.GeoJsonTooltip(fields=["name", "klasse"], aliases=["Straat", "Soort"]),
        ).add_to(fmap)
    _sign_markers(signs).add_to(fmap)
    return _finish(fmap, boundary, _sign_legend())
