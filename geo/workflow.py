"""Jobs that chain the modules and write their files; the CLI and the app call these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo._http import HttpClient
from geo.address import Address, HouseNumber
from geo.config import Settings
from geo.coverage import area_coverage, uncovered_streets
from geo.errors import ConfigError
from geo.export import (
    AREA_MAPS_DIR,
    MAP_FILE,
    MUNICIPALITY_MAP_FILE,
    PROFILES,
    SIGNS_FILE,
    SIGNS_MAP_FILE,
    export_layers,
    read_plan_folder,
    write_plan_folder,
    write_signs,
)
from geo.geocode import (
    GeocodeCache,
    NominatimService,
    OnlineService,
    PdokService,
    Progress,
    address_label,
    geocode_applicants,
)
from geo.intake import read_applicants
from geo.maps import PUBLIC_MIN_MEMBERS, area_map, municipality_map, planner_map, signs_map
from geo.partition import Plan, assign, make_plan
from geo.print_map import PRINT_FORMATS, print_map
from geo.register import AddressRegister
from geo.signs import find_signs, signs_per_area
from geo.sources import (
    ADDRESS_COLUMNS,
    WGS84,
    Wijk,
    addresses_from_bag,
    boundary_from_cbs,
    read_addresses,
    read_boundary,
    read_streets,
    streets_from_osm,
)
from geo.tables import write_csv

APPLICANTS_FILE = "applicants.csv"
REJECTS_FILE = "rejects.csv"
PENDING_FILE = "pending.csv"


@dataclass(frozen=True)
class IntakeReport:
    """Counts of an intake run; ``accepted + rejected + pending == rows_in``."""

    rows_in: int
    accepted: int
    rejected: int
    pending: int
    empty_rows: int
    files: tuple[Path, ...]


def online_services(settings: Settings) -> list[OnlineService]:
    """The online part of the geocoding chain: PDOK first, then Nominatim."""
    return [PdokService(settings), NominatimService(settings)]


def run_intake(
    applicants_path: Path,
    out_dir: Path,
    *,
    settings: Settings,
    register: AddressRegister | None = None,
    services: Sequence[OnlineService] = (),
    use_cache: bool = True,
    default_place: str = "",
    progress: Progress | None = None,
) -> IntakeReport:
    """Read, validate and geocode applicants; write applicants, rejects and pending CSVs.

    All three files hold personal data and are written readable by their owner only.
    """
    intake = read_applicants(
        applicants_path, regions=settings.phone_regions, default_place=default_place
    )
    cache = GeocodeCache(settings.cache_dir / "geocode.sqlite") if use_cache else None
    try:
        outcome = geocode_applicants(
            intake.accepted, register=register, cache=cache, services=services, progress=progress
        )
    finally:
        if cache is not None:
            cache.close()
    rejects = pd.concat(
        [intake.rejects, _as_rejects(outcome.not_found, intake.rejects.columns)], ignore_index=True
    ).sort_values("row", kind="stable")
    files = (out_dir / APPLICANTS_FILE, out_dir / REJECTS_FILE, out_dir / PENDING_FILE)
    for frame, path in zip((outcome.located, rejects, outcome.pending), files, strict=True):
        write_csv(frame, path, private=True)
    return IntakeReport(
        rows_in=intake.rows_in,
        accepted=len(outcome.located),
        rejected=len(rejects),
        pending=len(outcome.pending),
        empty_rows=intake.empty_rows,
        files=files,
    )


def _as_rejects(not_found: pd.DataFrame, columns: pd.Index) -> pd.DataFrame:
    """Geocoding misses in the rejects layout, with what a corrected re-run needs.

    They passed every rule, so their age shows as ``18+`` (the age itself is not kept).
    """
    keep = [
        "row", "naam", "reason", "straat", "huisnummer", "huisletter", "toevoeging", "postcode",
        "woonplaats", "telefoon", "email", "beheerder",
    ]  # fmt: skip
    frame = not_found.loc[:, [c for c in keep if c in not_found.columns]]
    if len(frame):  # as a planner would type it again
        frame = frame.assign(leeftijd="18+")
        if "beheerder" in frame:
            frame["beheerder"] = np.where(frame["beheerder"].astype(bool), "ja", "")
    return frame.reindex(columns=list(dict.fromkeys([*columns, *frame.columns])))


def fetch_wijk(
    settings: Settings,
    *,
    boundary_file: Path | None = None,
    wijk_name: str = "",
    buurten: Sequence[str] = (),
    gemeente: str = "",
    year: int = 2024,
    streets_file: Path | None = None,
    addresses_file: Path | None = None,
    client: HttpClient | None = None,
) -> Wijk:
    """Gather the three wijk layers: each from its file when given, otherwise online."""
    http = client or HttpClient(settings)
    if boundary_file is not None:
        boundary = read_boundary(boundary_file)
    else:
        boundary = boundary_from_cbs(
            http, year=year, gemeente=gemeente, wijk=wijk_name, buurten=buurten
        )
    streets = read_streets(streets_file, boundary) if streets_file else streets_from_osm(boundary)
    addresses = (
        read_addresses(addresses_file, boundary)
        if addresses_file
        else addresses_from_bag(http, boundary)
    )
    return Wijk(boundary=boundary, streets=streets, addresses=addresses)


def register_from_points(addresses: gpd.GeoDataFrame) -> pd.DataFrame:
    """An address-register table (with ``lat``/``lon``) from address points."""
    table = pd.DataFrame(addresses.drop(columns=addresses.geometry.name))
    points = addresses.geometry.to_crs(4326)
    return table.assign(lat=points.y.round(7).to_numpy(), lon=points.x.round(7).to_numpy())


@dataclass(frozen=True)
class PlanReport:
    """What a plan (or assign) run produced."""

    intake: IntakeReport
    metrics: dict[str, object]
    files: tuple[Path, ...]
    split: dict[int, list[int]]
    moved_existing: int = 0


def load_wijk_layers(
    boundary_path: Path, streets_path: Path, addresses_path: Path | None = None
) -> Wijk:
    """The wijk from files; a wijk GeoPackage may serve as boundary, streets and addresses."""
    boundary = read_boundary(boundary_path)
    streets = read_streets(streets_path, boundary)
    if addresses_path is not None:
        addresses = read_addresses(addresses_path, boundary)
    elif boundary_path.suffix.lower() == ".gpkg" and "addresses" in _layer_names(boundary_path):
        addresses = read_addresses(boundary_path, boundary)
    else:
        addresses = gpd.GeoDataFrame({c: [] for c in ADDRESS_COLUMNS}, geometry=[], crs=WGS84)
    return Wijk(boundary=boundary, streets=streets, addresses=addresses)


def make_signs(
    wijk: Wijk,
    *,
    areas: gpd.GeoDataFrame | None = None,
    homes: gpd.GeoDataFrame | None = None,
    budget: int | None = None,
) -> gpd.GeoDataFrame:
    """Ranked signs (WGS84) at the wijk's entrances, or at each area's when ``areas`` is given.

    Ranked by the register's addresses (else by ``homes``, e.g. the members); ``budget`` keeps
    the best ``budget`` signs (per area when per area).
    """
    if budget is not None and budget < 1:
        msg = f"het aantal borden (--budget) moet minstens 1 zijn, niet {budget}"
        raise ConfigError(msg)
    crs = wijk.crs
    streets = wijk.streets.to_crs(crs)
    points = wijk.addresses if len(wijk.addresses) else homes
    points = points.to_crs(crs) if points is not None and len(points) else None
    if areas is None:
        signs = find_signs(wijk.boundary.to_crs(crs).geometry.iloc[0], streets, points)
    else:
        signs = signs_per_area(areas.to_crs(crs), streets, points)
    if budget is not None:
        signs = signs.loc[signs["rank"] <= budget].reset_index(drop=True)
    return signs.to_crs(WGS84)


def run_signs(
    wijk: Wijk,
    out_dir: Path,
    *,
    areas: gpd.GeoDataFrame | None = None,
    homes: gpd.GeoDataFrame | None = None,
    budget: int | None = None,
) -> tuple[gpd.GeoDataFrame, tuple[Path, ...]]:
    """Compute the signs and write ``signs.geojson`` and the review map ``signs_map.html``."""
    signs = make_signs(wijk, areas=areas, homes=homes, budget=budget)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_signs(signs, out_dir / SIGNS_FILE)
    signs_map(signs, wijk.boundary, wijk.streets).save(out_dir / SIGNS_MAP_FILE)
    return signs, (out_dir / SIGNS_FILE, out_dir / SIGNS_MAP_FILE)


def run_plan(
    applicants_path: Path,
    out_dir: Path,
    *,
    wijk: Wijk,
    settings: Settings,
    register: AddressRegister | None = None,
    services: Sequence[OnlineService] = (),
    use_cache: bool = True,
    progress: Progress | None = None,
    signs_per_area: bool = False,
    budget: int | None = None,
) -> PlanReport:
    """Intake → geocode → partition → signs; write the plan folder (see :mod:`geo.export`)."""
    intake = run_intake(
        applicants_path,
        out_dir,
        settings=settings,
        register=register or _register_of(wijk),
        services=services,
        use_cache=use_cache,
        progress=progress,
    )
    located = _located_members(out_dir / APPLICANTS_FILE)
    crs = wijk.crs
    plan = make_plan(
        wijk.boundary.to_crs(crs).geometry.iloc[0],
        wijk.streets.to_crs(crs),
        located.to_crs(crs),
        wijk.addresses_in(crs),
        max_members=settings.max_members,
        fill=settings.fill,
    )
    _reject_outside(plan.outside, out_dir)
    return _write_outputs(
        out_dir,
        plan.areas,
        plan.members,
        wijk,
        plan.metrics,
        intake=intake,
        split={},
        moved=0,
        signs_per_area=signs_per_area,
        budget=budget,
    )


def run_assign(
    plan_dir: Path,
    applicants_path: Path,
    out_dir: Path,
    *,
    settings: Settings,
    services: Sequence[OnlineService] = (),
    use_cache: bool = True,
    progress: Progress | None = None,
    signs_per_area: bool = False,
    budget: int | None = None,
) -> PlanReport:
    """Add new sign-ups to an existing plan without reshuffling; write a new plan folder."""
    wijk, areas, members, _ = read_plan_folder(plan_dir)
    intake = run_intake(
        applicants_path,
        out_dir,
        settings=settings,
        register=_register_of(wijk),
        services=services,
        use_cache=use_cache,
        progress=progress,
    )
    located = _located_members(out_dir / APPLICANTS_FILE)
    crs = wijk.crs
    plan = Plan(
        areas=areas.to_crs(crs), members=members.to_crs(crs), outside=members.iloc[0:0].to_crs(crs)
    )
    updated, report = assign(
        plan,
        located.to_crs(crs),
        boundary=wijk.boundary.to_crs(crs).geometry.iloc[0],
        streets=wijk.streets.to_crs(crs),
        addresses=wijk.addresses_in(crs),
        max_members=settings.max_members,
        fill=settings.fill,
    )
    _reject_outside(updated.outside, out_dir, already=report.already_member)
    return _write_outputs(
        out_dir,
        updated.areas,
        updated.members,
        wijk,
        updated.metrics,
        intake=intake,
        split=report.split,
        moved=report.moved_existing,
        signs_per_area=signs_per_area,
        budget=budget,
    )


def _register_of(wijk: Wijk) -> AddressRegister | None:
    if wijk.addresses.empty:
        return None
    return AddressRegister(register_from_points(wijk.addresses), name="adressen van de wijk")


def _located_members(path: Path) -> gpd.GeoDataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    table["row"] = pd.to_numeric(table["row"]).astype(int)
    table["lat"] = pd.to_numeric(table["lat"])
    table["lon"] = pd.to_numeric(table["lon"])
    table["beheerder"] = table["beheerder"].astype(str).str.casefold() == "true"
    table["huisnummer"] = pd.to_numeric(table["huisnummer"], errors="coerce").astype("Int64")
    return gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=WGS84
    )


def _reject_outside(
    outside: gpd.GeoDataFrame, out_dir: Path, already: gpd.GeoDataFrame | None = None
) -> None:
    """Add members outside the wijk (and repeated sign-ups) to ``rejects.csv``."""
    extra = [outside.assign(reason="adres ligt buiten de wijkgrens")]
    if already is not None and len(already):
        extra.append(already.assign(reason="telefoonnummer staat al in het plan (al aangemeld)"))
    frames = [pd.DataFrame(f.drop(columns=f.geometry.name)) for f in extra if len(f)]
    if not frames:
        return
    path = out_dir / REJECTS_FILE
    rejects = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    keep = [
        "row",
        "naam",
        "reason",
        "straat",
        "huisnummer",
        "huisletter",
        "toevoeging",
        "postcode",
        "woonplaats",
    ]
    added = pd.concat(frames, ignore_index=True).loc[:, keep].astype(str)
    write_csv(pd.concat([rejects, added], ignore_index=True), path, private=True)


def _write_outputs(
    out_dir: Path,
    areas: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    wijk: Wijk,
    metrics: dict[str, object],
    *,
    intake: IntakeReport,
    split: dict[int, list[int]],
    moved: int,
    signs_per_area: bool,
    budget: int | None,
) -> PlanReport:
    wgs_members = members.to_crs(WGS84)
    wgs_members["lat"], wgs_members["lon"] = (
        wgs_members.geometry.y.round(7),
        wgs_members.geometry.x.round(7),
    )
    coverage, uncovered = coverage_layers(
        wijk, areas, members, max_members=int(str(metrics["max_members"]))
    )
    areas = areas.assign(participation_pct=coverage["participation_pct"].to_numpy())
    files = write_plan_folder(out_dir, areas=areas, members=wgs_members, wijk=wijk, metrics=metrics)
    signs, sign_files = run_signs(
        wijk,
        out_dir,
        areas=areas if signs_per_area else None,
        homes=wgs_members[["geometry"]],
        budget=budget,
    )
    maps = write_maps(
        out_dir, areas, wijk, members=wgs_members[["geometry"]], signs=signs, uncovered=uncovered
    )
    return PlanReport(
        intake=intake,
        metrics=metrics,
        files=(*files, *sign_files, *maps),
        split=split,
        moved_existing=moved,
    )


def coverage_layers(
    wijk: Wijk, areas: gpd.GeoDataFrame, members: gpd.GeoDataFrame, *, max_members: int
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Participation per area and the streets nobody has signed up on, in the metric CRS."""
    crs = wijk.crs
    addresses = wijk.addresses_in(crs)
    metric_areas, metric_members = areas.to_crs(crs), members.to_crs(crs)
    coverage = area_coverage(metric_areas, metric_members, addresses, max_members=max_members)
    uncovered = uncovered_streets(wijk.streets.to_crs(crs), metric_members, addresses, metric_areas)
    return coverage, uncovered


def write_maps(
    out_dir: Path,
    areas: gpd.GeoDataFrame,
    wijk: Wijk,
    *,
    members: gpd.GeoDataFrame,
    signs: gpd.GeoDataFrame,
    uncovered: gpd.GeoDataFrame,
) -> tuple[Path, ...]:
    """The planner map, the municipality's map and one map per area (no personal data)."""
    planner_map(areas, wijk.boundary, members=members, signs=signs, uncovered=uncovered).save(
        out_dir / MAP_FILE
    )
    municipality_map(areas, wijk.boundary, signs).save(out_dir / MUNICIPALITY_MAP_FILE)
    area_dir = out_dir / AREA_MAPS_DIR
    area_dir.mkdir(exist_ok=True)
    for area_id in areas["area_id"]:
        area_map(areas, int(area_id), wijk.streets).save(area_dir / f"gebied-{int(area_id)}.html")
    return (out_dir / MAP_FILE, out_dir / MUNICIPALITY_MAP_FILE, area_dir)


def plan_layers(
    wijk: Wijk,
    areas: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    *,
    max_members: int,
    private: bool,
    signs: gpd.GeoDataFrame | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """The layers of a plan for export (WGS84).

    Public: ``boundary``, ``areas``, ``signs``, ``coverage`` and ``open_streets`` (streets with
    households but nobody signed up), with member counts under
    :data:`~geo.maps.PUBLIC_MIN_MEMBERS` left out. Private adds ``members`` (name, phone,
    e-mail, address, group, beheerder) and keeps every count.
    """
    coverage, uncovered = coverage_layers(wijk, areas, members, max_members=max_members)
    layers = {
        "boundary": wijk.boundary,
        "areas": areas.to_crs(WGS84),
        "signs": signs if signs is not None else make_signs(wijk),
        "coverage": coverage.to_crs(WGS84),
        "open_streets": uncovered.to_crs(WGS84),
    }
    if not private:
        for name in ("areas", "coverage"):
            small = layers[name]["members"] < PUBLIC_MIN_MEMBERS
            hidden = [
                c for c in ("members", "capacity_left", "participation_pct") if c in layers[name]
            ]
            layers[name] = layers[name].astype(dict.fromkeys(hidden, "float"))
            layers[name].loc[small.to_numpy(), hidden] = np.nan
        return layers
    layers["members"] = members.to_crs(WGS84).assign(
        adres=[_address_of(row) for row in members.itertuples()],
        email=members.get("email", ""),
    )[["naam", "telefoon", "email", "adres", "area_id", "is_beheerder", "geometry"]]
    return layers


def _address_of(row: object) -> str:
    def text(name: str) -> str:
        value = getattr(row, name, "")
        return "" if value is None or pd.isna(value) else str(value)

    number = HouseNumber(
        int(float(text("huisnummer") or 0)), text("huisletter"), text("toevoeging")
    )
    return address_label(Address(text("straat"), number, text("postcode"), text("woonplaats")))


def write_export(
    layers: dict[str, gpd.GeoDataFrame], *, profile: str, fmt: str, out: Path
) -> list[Path]:
    """Write export layers: GeoJSON/GeoPackage/CSV, or a map to print (PNG/PDF)."""
    if profile not in PROFILES:
        msg = f"onbekend profiel {profile!r}; kies uit {', '.join(PROFILES)}"
        raise ConfigError(msg)
    if fmt in PRINT_FORMATS:
        return [print_map(layers["areas"], layers["boundary"], layers["signs"], out)]
    return export_layers(layers, fmt=fmt, out=out, private=profile == "private")


def run_export(plan_dir: Path, *, profile: str, fmt: str, out: Path) -> list[Path]:
    """Export a plan folder; ``profile`` public (nothing personal) or private (owner-only)."""
    wijk, areas, members, metrics = read_plan_folder(plan_dir)
    signs_path = plan_dir / SIGNS_FILE
    layers = plan_layers(
        wijk,
        areas,
        members,
        max_members=int(metrics["max_members"]),
        private=profile == "private",
        signs=gpd.read_file(signs_path) if signs_path.exists() else None,
    )
    return write_export(layers, profile=profile, fmt=fmt, out=out)


def _layer_names(path: Path) -> list[str]:
    return [str(name) for name in pyogrio.list_layers(path)[:, 0]]
