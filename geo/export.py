"""Files for other tools and people: GeoJSON (RFC 7946), GeoPackage, CSV; and the plan folder.

The plan folder (``python -m geo plan --out DIR``) holds public files (``areas.geojson``,
``plan.json``, ``map.html``; nothing personal) and private ones (``members.csv`` and the intake
files, owner-only), plus ``plan.gpkg`` with the wijk layers and areas that ``assign`` continues from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import InputFileError
from geo.sources import WGS84, Wijk, read_addresses, read_boundary, read_streets
from geo.tables import read_rows, write_csv

AREAS_FILE = "areas.geojson"
MEMBERS_FILE = "members.csv"
PLAN_FILE = "plan.json"
PLAN_LAYERS_FILE = "plan.gpkg"
MAP_FILE = "map.html"
SIGNS_FILE = "signs.geojson"
SIGNS_MAP_FILE = "signs_map.html"
SIGN_COLUMNS = (
    "sign_id", "rank", "street", "road_class", "kind", "bearing_deg", "homes", "reason", "area_id",
)  # fmt: skip
AREA_COLUMNS = (
    "area_id",
    "name",
    "members",
    "capacity_left",
    "households",
    "beheerder_needed",
    "neighbours",
    "streets",
)
MEMBER_COLUMNS = (
    "member_id", "row", "naam", "telefoon", "email", "straat", "huisnummer", "huisletter", "toevoeging",
    "postcode", "woonplaats", "lat", "lon", "beheerder", "area_id", "is_beheerder",
)  # fmt: skip


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    """GeoJSON per RFC 7946: WGS84, lon/lat, right-hand rings, 7 decimals (about 1 cm)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    frame.to_crs(WGS84).to_file(
        path, driver="GeoJSON", engine="pyogrio", RFC7946="YES", COORDINATE_PRECISION=7
    )


def write_signs(signs: gpd.GeoDataFrame, path: Path) -> Path:
    """Signs as RFC 7946 GeoJSON points (public: nothing personal)."""
    write_geojson(
        signs.loc[:, [c for c in SIGN_COLUMNS if c in signs.columns] + ["geometry"]], path
    )
    return path


def write_plan_folder(
    out_dir: Path,
    *,
    areas: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    wijk: Wijk,
    metrics: dict[str, Any],
) -> list[Path]:
    """Write areas, the private roster, the metrics and the layers ``assign`` needs."""
    out_dir.mkdir(parents=True, exist_ok=True)
    public = areas.loc[:, [*AREA_COLUMNS, "geometry"]]
    write_geojson(public, out_dir / AREAS_FILE)
    roster = members.drop(columns=members.geometry.name)
    write_csv(
        roster.loc[:, [c for c in MEMBER_COLUMNS if c in roster.columns]],
        out_dir / MEMBERS_FILE,
        private=True,
    )
    (out_dir / PLAN_FILE).write_text(
        json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    layers = out_dir / PLAN_LAYERS_FILE
    layers.unlink(missing_ok=True)
    for name, frame in (
        ("boundary", wijk.boundary),
        ("streets", wijk.streets),
        ("addresses", wijk.addresses),
        ("areas", public),
    ):
        frame.to_crs(WGS84).to_file(layers, layer=name, driver="GPKG", engine="pyogrio")
    return [out_dir / AREAS_FILE, out_dir / MEMBERS_FILE, out_dir / PLAN_FILE, layers]


def read_areas(path: Path) -> gpd.GeoDataFrame:
    """Areas (``area_id`` and polygons) from an ``areas.geojson`` or a plan GeoPackage."""
    try:
        layer = "areas" if path.suffix.lower() == ".gpkg" else None
        areas = gpd.read_file(path, layer=layer, engine="pyogrio")
    except (OSError, ValueError, pyogrio.errors.DataSourceError) as error:
        msg = f"{path.name} is geen leesbaar gebiedenbestand: {error}"
        raise InputFileError(msg) from None
    if (
        "area_id" not in areas
        or areas.crs is None
        or not areas.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    ):
        msg = f"{path.name} bevat geen gebieden (vlakken met een kolom area_id)"
        raise InputFileError(msg)
    return areas


def read_plan_folder(
    plan_dir: Path,
) -> tuple[Wijk, gpd.GeoDataFrame, gpd.GeoDataFrame, dict[str, Any]]:
    """The wijk layers, areas, members (points) and metrics of a plan folder (all WGS84)."""
    layers = plan_dir / PLAN_LAYERS_FILE
    missing = [
        name
        for name in (PLAN_LAYERS_FILE, MEMBERS_FILE, PLAN_FILE)
        if not (plan_dir / name).exists()
    ]
    if missing:
        msg = f"{plan_dir} is geen planmap (ontbreekt: {', '.join(missing)}); maak eerst een plan met 'python -m geo plan'"
        raise InputFileError(msg)
    boundary = read_boundary(layers)
    wijk = Wijk(boundary, read_streets(layers, boundary), read_addresses(layers, boundary))
    areas = gpd.read_file(layers, layer="areas", engine="pyogrio")
    rows = read_rows(plan_dir / MEMBERS_FILE)
    table = pd.DataFrame(rows[1:], columns=rows[0])
    for column in ("member_id", "row", "area_id"):
        table[column] = pd.to_numeric(table[column]).astype(int)
    table["huisnummer"] = pd.to_numeric(table["huisnummer"], errors="coerce").astype("Int64")
    for column in ("lat", "lon"):
        table[column] = pd.to_numeric(table[column])
    for column in ("beheerder", "is_beheerder"):
        table[column] = table[column].str.casefold() == "true"
    members = gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=WGS84
    )
    metrics = json.loads((plan_dir / PLAN_FILE).read_text(encoding="utf-8"))
    return wijk, areas, members, metrics
