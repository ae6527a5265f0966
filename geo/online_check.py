"""``python -m geo controleer-online``: probe every online service once, as a first real run.

Each service gets one harmless query for the configured gemeente (Locatieserver: one Geleen
address; CBS: the gemeente's buurten, first page; BAG: a small bbox; Nominatim: one address;
Overpass: a tiny bbox). Per service the report says whether it was reachable, whether the
answer has the fields the planner reads, and how long it took. Offline every service says so;
nothing raises. With ``record_dir`` the answers are saved, so maintainers can refresh the test
fixtures from a real run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo._http import HttpClient, Session
from geo.config import Settings
from geo.errors import GeoError
from geo.pdok import PDOK_FREE_PATH, RESULT_FIELDS
from geo.sources import BAG_PATH, CBS_PATH, CRS84, pdok_url, resolve_gemeente

PROBE_ADDRESS = "Markt 1 Geleen"
"""A public address in Geleen (the town hall square)."""
PROBE_BBOX = (5.8260, 50.9720, 5.8280, 50.9730)  # about 140 m x 110 m in Oud-Geleen


@dataclass(frozen=True)
class ServiceCheck:
    """The outcome of probing one service."""

    service: str
    reachable: bool
    shape_ok: bool
    seconds: float
    message: str

    @property
    def ok(self) -> bool:
        """Reachable and answered with the fields the planner reads."""
        return self.reachable and self.shape_ok


Probe = Callable[[HttpClient, Settings, str], Any]


def _locatieserver(client: HttpClient, settings: Settings, _gemeente: str) -> Any:
    params = {"q": PROBE_ADDRESS, "fq": "type:adres", "fl": " ".join(RESULT_FIELDS), "rows": 1}
    return client.get_json(pdok_url(settings, PDOK_FREE_PATH), params, use_cache=False)


def _cbs(client: HttpClient, settings: Settings, gemeente: str) -> Any:
    code = resolve_gemeente(client, gemeente)
    url = pdok_url(settings, CBS_PATH.format(year=settings.cbs_year, level="buurten"))
    params = {"f": "json", "limit": 10, "crs": CRS84, "gemeentecode": code}
    return client.get_json(url, params, use_cache=False)


def _bag(client: HttpClient, settings: Settings, _gemeente: str) -> Any:
    bbox = ",".join(f"{v:.6f}" for v in PROBE_BBOX)
    params = {"f": "json", "limit": 10, "crs": CRS84, "bbox": bbox}
    return client.get_json(pdok_url(settings, BAG_PATH), params, use_cache=False)


def _nominatim(client: HttpClient, settings: Settings, _gemeente: str) -> Any:
    params: dict[str, object] = {
        "q": PROBE_ADDRESS,
        "format": "jsonv2",
        "addressdetails": 1,
        "limit": 1,
        "countrycodes": "nl",
    }
    if settings.contact_email:
        params["email"] = settings.contact_email
    url = settings.nominatim_url.rstrip("/") + "/search"
    return client.get_json(url, params, use_cache=False)


def _overpass(client: HttpClient, settings: Settings, _gemeente: str) -> Any:
    west, south, east, north = PROBE_BBOX
    query = f'[out:json][timeout:25];way["highway"]({south},{west},{north},{east});out tags 5;'
    url = settings.overpass_url.rstrip("/") + "/interpreter"
    return client.get_json(url, {"data": query}, use_cache=False)


def _missing(body: Any, service: str) -> list[str]:
    """The fields the planner reads that ``body`` lacks (empty when the shape is right)."""
    if service == "PDOK Locatieserver":
        docs = body.get("response", {}).get("docs") if isinstance(body, dict) else None
        if not isinstance(docs, list) or not docs:
            return ["response.docs"]
        fields = ("centroide_ll", "huisnummer", "postcode", "buurtcode", "adresseerbaarobject_id")
        return [f for f in fields if f not in docs[0]]
    if service in {"CBS wijken en buurten", "BAG verblijfsobjecten"}:
        features = body.get("features") if isinstance(body, dict) else None
        if not isinstance(features, list) or not features:
            return ["features"]
        wanted = (
            ("buurtcode", "buurtnaam", "gemeentecode", "aantal_huishoudens")
            if service.startswith("CBS")
            else ("status", "gebruiksdoel", "huisnummer", "openbare_ruimte_naam", "postcode")
        )
        properties = features[0].get("properties", {})
        missing = [f for f in wanted if f not in properties]
        return missing + ([] if isinstance(body.get("links"), list) else ["links"])
    if service == "Nominatim":
        if not isinstance(body, list) or not body:
            return ["resultaat"]
        return [f for f in ("lat", "lon", "address") if f not in body[0]]
    elements = body.get("elements") if isinstance(body, dict) else None
    return [] if isinstance(elements, list) and elements else ["elements"]


PROBES: dict[str, Probe] = {
    "PDOK Locatieserver": _locatieserver,
    "CBS wijken en buurten": _cbs,
    "BAG verblijfsobjecten": _bag,
    "Nominatim": _nominatim,
    "Overpass": _overpass,
}


def check_online(
    settings: Settings,
    *,
    gemeente: str = "GM1883",
    record_dir: Path | None = None,
    session: Session | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> list[ServiceCheck]:
    """Probe each online service once; never raises for a service that is down or odd."""
    client = HttpClient(settings, session=session, retries=0)
    if record_dir is not None:
        record_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for service, probe in PROBES.items():
        start = clock()
        try:
            body = probe(client, settings, gemeente)
        except GeoError as error:
            seconds = clock() - start
            results.append(ServiceCheck(service, False, False, seconds, str(error)))
            continue
        seconds = clock() - start
        if record_dir is not None:
            name = service.lower().replace(" ", "_") + ".json"
            text = json.dumps(body, indent=1, ensure_ascii=False)
            (record_dir / name).write_text(text + "\n", encoding="utf-8")
        missing = _missing(body, service)
        message = f"antwoord mist: {', '.join(missing)}" if missing else "antwoord zoals verwacht"
        results.append(ServiceCheck(service, True, not missing, seconds, message))
    return results


def format_checks(results: list[ServiceCheck]) -> str:
    """A plain-text report, one line per service."""
    width = max(len(r.service) for r in results)
    lines = []
    for r in results:
        status = "in orde" if r.ok else ("afwijkend" if r.reachable else "niet bereikbaar")
        lines.append(f"{r.service:<{width}}  {status:<15}  {r.seconds:5.1f} s  {r.message}")
    return "\n".join(lines)
