"""Folium maps. Pure: GeoDataFrames in, a ``folium.Map`` out; nothing personal is drawn.

Members appear only as counts per area; names, phone numbers and addresses never reach a map.
"""

from __future__ import annotations

import html

import branca
import folium
import geopandas as gpd
from folium.plugins import Fullscreen

from geo.signs import MAIN, MAIN_ROADS, MINOR_ROADS, road_label
from geo.sources import WGS84

# Okabe–Ito palette (colour-blind safe), extended with muted tones for many areas.
PALETTE = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999",
    "#8C6D31", "#6B6ECF", "#B5CF6B", "#E7969C", "#7B4173", "#3182BD", "#31A354", "#756BB1",
)  # fmt: skip
AREA_TOOLTIP = {
    "area_id": "Gebied",
    "name": "Naam",
    "members": "Leden",
    "capacity_left": "Plaatsen over",
    "households": "Huishoudens",
    "beheerder_needed": "Beheerder gezocht",
    "streets": "Straten",
}


def area_colour(area_id: int) -> str:
    """A stable colour per area id."""
    return PALETTE[(int(area_id) - 1) % len(PALETTE)]


def planner_map(areas: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame) -> folium.Map:
    """Areas coloured and labelled, with a tooltip of their figures, over the wijk boundary."""
    areas = areas.to_crs(WGS84)
    boundary = boundary.to_crs(WGS84)
    west, south, east, north = boundary.total_bounds
    fmap = folium.Map(tiles="OpenStreetMap", control_scale=True)
    fmap.fit_bounds([[south, west], [north, east]])
    fields = [f for f in AREA_TOOLTIP if f in areas.columns]
    folium.GeoJson(
        areas[[*fields, "geometry"]],
        name="Gebieden",
        style_function=lambda feature: {
            "fillColor": area_colour(feature["properties"]["area_id"]),
            "color": "#333333",
            "weight": 1.5,
            "fillOpacity": 0.45,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=fields, aliases=[AREA_TOOLTIP[f] for f in fields], sticky=True
        ),
    ).add_to(fmap)
    labels = folium.FeatureGroup(name="Namen van gebieden")
    for row in areas.itertuples():
        point = row.geometry.representative_point()
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=(
                    '<div style="font-weight:bold;font-size:12px;white-space:nowrap">'
                    f"{row.area_id}. {html.escape(str(row.name))} ({row.members})</div>"
                )
            ),
        ).add_to(labels)
    labels.add_to(fmap)
    folium.GeoJson(
        boundary[["geometry"]],
        name="Wijkgrens",
        style_function=lambda _: {"fill": False, "color": "#000000", "weight": 3},
    ).add_to(fmap)
    Fullscreen().add_to(fmap)
    folium.LayerControl().add_to(fmap)
    return fmap


# Road groups on the sign map: (label, colour, line width), from the most important down.
ROAD_STYLES = (
    ("Hoofd- en doorgaande wegen", "#D55E00", 4.0),
    ("Wijkwegen en woonstraten", "#0072B2", 2.5),
    ("Fiets- en voetpaden", "#009E73", 1.5),
)
SIGN_COLOURS = {MAIN: "darkred", "minor": "green"}


def _road_group(highway: str) -> int | None:
    if highway in MAIN_ROADS or highway in {"trunk", "motorway"}:
        return 0 if MAIN_ROADS.get(highway, (1, ""))[0] <= 2 else 1
    return 2 if highway in MINOR_ROADS else None


def signs_map(
    signs: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame, streets: gpd.GeoDataFrame
) -> folium.Map:
    """The municipality's review map: boundary, roads by class, ranked signs and a legend."""
    boundary = boundary.to_crs(WGS84)
    west, south, east, north = boundary.total_bounds
    fmap = folium.Map(tiles="OpenStreetMap", control_scale=True)
    fmap.fit_bounds([[south, west], [north, east]])
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
    folium.GeoJson(
        boundary[["geometry"]],
        name="Wijkgrens",
        style_function=lambda _: {"fill": False, "color": "#000000", "weight": 3},
    ).add_to(fmap)
    layer = folium.FeatureGroup(name="Borden")
    for row in signs.to_crs(WGS84).itertuples():
        text = (
            f"<b>Bord {row.rank}</b><br>{html.escape(str(row.street) or 'naamloze weg')}<br>"
            f"{html.escape(str(row.reason))}<br>verkeer rijdt in richting {row.bearing_deg:.0f}°"
        )
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            popup=folium.Popup(text, max_width=300),
            tooltip=f"Bord {row.rank}: {html.escape(str(row.street) or 'naamloze weg')}",
            icon=folium.Icon(color=SIGN_COLOURS.get(str(row.kind), "gray"), icon="eye-open"),
        ).add_to(layer)
    layer.add_to(fmap)
    root = fmap.get_root()
    assert isinstance(root, branca.element.Figure)  # a folium map's root is its page
    root.html.add_child(branca.element.Element(_legend()))
    Fullscreen().add_to(fmap)
    folium.LayerControl().add_to(fmap)
    return fmap


def _legend() -> str:
    rows = "".join(
        f'<div><span style="display:inline-block;width:24px;height:{width:.0f}px;'
        f'background:{colour};margin-right:6px;vertical-align:middle"></span>{label}</div>'
        for label, colour, width in ROAD_STYLES
    )
    return (
        '<div id="legenda" style="position:fixed;bottom:24px;left:12px;z-index:9999;'
        'background:white;padding:8px 10px;border:1px solid #999;font-size:12px">'
        "<b>Legenda</b>"
        f"{rows}"
        '<div><span style="color:darkred">&#9679;</span> bord bij een hoofdingang</div>'
        '<div><span style="color:green">&#9679;</span> bord bij een fiets- of voetpad</div>'
        "<div>&#9473; wijkgrens</div></div>"
    )
