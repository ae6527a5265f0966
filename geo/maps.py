"""Folium maps. Pure: GeoDataFrames in, a ``folium.Map`` out; nothing personal is drawn.

Members appear only as counts per area; names, phone numbers and addresses never reach a map.
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
from folium.plugins import Fullscreen

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
