"""Jobs that chain the modules and write their files; the CLI and the app call these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

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
