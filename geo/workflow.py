"""Jobs that chain the modules and write their files; the CLI and the app call these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo._http import HttpClient
from geo.config import Settings
from geo.geocode import (
    GeocodeCache,
    NominatimService,
    OnlineService,
    PdokService,
    Progress,
    geocode_applicants,
)
from geo.intake import read_applicants
from geo.register import AddressRegister
from geo.sources import (
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
    """Geocoding misses in the rejects layout (row, naam, reason, address fields)."""
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
    frame = not_found.loc[:, [c for c in keep if c in not_found.columns]]
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
