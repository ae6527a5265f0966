"""Files for other tools and people: GeoJSON (RFC 7946), GeoPackage, CSV; and the plan folder.

The plan folder (``python -m geo plan --out DIR``) holds public files (``areas.geojson``,
``plan.json``, ``map.html``; nothing personal) and private ones (``members.csv`` and the intake
files, owner-only), plus ``plan.gpkg`` with the wijk layers and areas that ``assign`` continues from.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
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
MUNICIPALITY_MAP_FILE = "gemeente_map.html"
AREA_MAPS_DIR = "gebieden"
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
    "participation_pct",
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


# --- exports for other tools ------------------------------------------------------------------

PROFILES = ("public", "private")
FORMATS = ("geojson", "gpkg", "csv")
ROSTER_COLUMNS = ("naam", "telefoon", "email", "adres", "is_beheerder")


@contextmanager
def owner_only() -> Iterator[None]:
    """Files and folders created inside are readable by their owner only (umask 077)."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def export_layers(
    layers: Mapping[str, gpd.GeoDataFrame], *, fmt: str, out: Path, private: bool
) -> list[Path]:
    """Write ``layers`` as one GeoJSON per layer (``out`` a folder), one GeoPackage (``out``
    a file) or CSV tables (``out`` a folder, with per-area rosters when ``private``).

    Everything is WGS84. Private exports are created owner-only.
    """
    if fmt not in FORMATS:
        msg = f"onbekend formaat {fmt!r}; kies uit {', '.join(FORMATS)}"
        raise InputFileError(msg)
    if fmt != "gpkg" and out.exists() and not out.is_dir():
        msg = f"{out} is een bestand; geef voor {fmt} een map op"
        raise InputFileError(msg)
    with owner_only() if private else nullcontext():
        if fmt == "gpkg":
            out.parent.mkdir(parents=True, exist_ok=True)
            out.unlink(missing_ok=True)
            for name, frame in layers.items():
                frame.to_crs(WGS84).to_file(out, layer=name, driver="GPKG", engine="pyogrio")
            return [out]
        out.mkdir(parents=True, exist_ok=True)
        if fmt == "geojson":
            for name, frame in layers.items():
                write_geojson(frame, out / f"{name}.geojson")
            return [out / f"{name}.geojson" for name in layers]
        return _export_csv(layers, out, private=private)


def _export_csv(layers: Mapping[str, gpd.GeoDataFrame], out: Path, *, private: bool) -> list[Path]:
    written = []
    for name, frame in layers.items():
        if name == "members":
            continue
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        if name == "signs":
            points = frame.to_crs(WGS84).geometry
            table = table.assign(lat=points.y.round(7), lon=points.x.round(7))
        write_csv(table, out / f"{name}.csv", private=private)
        written.append(out / f"{name}.csv")
    if private and "members" in layers:
        members = pd.DataFrame(layers["members"].drop(columns=layers["members"].geometry.name))
        for area_id in sorted(int(a) for a in members["area_id"].unique()):
            path = out / "rosters" / f"gebied-{area_id}.csv"
            group = members.loc[members["area_id"] == area_id, list(ROSTER_COLUMNS)]
            write_csv(group, path, private=True)
            written.append(path)
    return written
