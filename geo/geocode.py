"""Geocoding chain: local address register → cached answers → PDOK Locatieserver → Nominatim.

The first hit wins and every online answer (found or not found) is cached in SQLite, so no
address is ever sent to a service twice. Register hits are not cached: the register is local and
fast, and a replaced register must win over old answers. A service that fails mid-batch is skipped for the rest
of the batch; rows that needed it are reported as pending and a re-run continues from the cache.
Nothing personal is logged: only counts and service names.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from geopy.exc import GeocoderQueryError, GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from geo.address import Address, HouseNumber, normalize_name
from geo.config import Settings
from geo.errors import ServiceUnavailableError
from geo.pdok import PdokLocatieserver
from geo.register import AddressRegister, Location

log = logging.getLogger(__name__)

LOCATION_COLUMNS = (
    "lat",
    "lon",
    "geocode_source",
    "geocode_match",
    "buurtcode",
    "wijkcode",
    "bag_id",
)
Progress = Callable[[int, int], None]


class OnlineService(Protocol):
    """An online geocoder: returns a location, ``None`` when not found, or raises
    :class:`ServiceUnavailableError` when the service cannot answer."""

    name: str

    def lookup(self, address: Address) -> Location | None: ...


def address_key(address: Address) -> str:
    """Stable cache key of an address (no names, only the address itself)."""
    number = address.house_number
    return "|".join(
        (
            address.postcode.replace(" ", ""),
            str(number.number),
            number.letter,
            number.addition,
            normalize_name(address.street),
            normalize_name(address.place),
        )
    )


def address_label(address: Address) -> str:
    """Human-readable address, e.g. ``"Kerkstraat 12A, 6166 AB Geleen"``."""
    tail = " ".join(part for part in (address.postcode, address.place) if part)
    return f"{address.street} {address.house_number}" + (f", {tail}" if tail else "")


class GeocodeCache:
    """Persistent answers of the geocoding chain, one row per (address key, source)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS geocode ("
            " key TEXT NOT NULL, source TEXT NOT NULL, found INTEGER NOT NULL,"
            " location TEXT, created TEXT NOT NULL, PRIMARY KEY (key, source))"
        )
        self._db.commit()

    def __enter__(self) -> GeocodeCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def get(self, keys: Iterable[str]) -> dict[str, dict[str, Location | None]]:
        """Answers per key and source; ``None`` records a 'not found' from that source."""
        wanted = list(dict.fromkeys(keys))
        answers: dict[str, dict[str, Location | None]] = {}
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, source, found, location FROM geocode WHERE key IN ({marks})"
            for key, source, found, location in self._db.execute(query, chunk):
                answers.setdefault(key, {})[source] = (
                    Location(**json.loads(location)) if found else None
                )
        return answers

    def put(self, items: Iterable[tuple[str, str, Location | None]]) -> None:
        """Store answers in one transaction: (key, source, location or ``None`` for not found)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [
            (
                key,
                source,
                location is not None,
                json.dumps(asdict(location)) if location else None,
                now,
            )
            for key, source, location in items
        ]
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO geocode (key, source, found, location, created)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM geocode").fetchone()[0])


class _GeopyService:
    """Shared plumbing: rate limit, retries, and turning geopy errors into our own."""

    name = "online"

    def __init__(self, geocode: Callable[..., Any], *, min_delay: float, error_wait: float) -> None:
        self._geocode = RateLimiter(
            geocode,
            min_delay_seconds=min_delay,
            max_retries=2,
            error_wait_seconds=error_wait,
            swallow_exceptions=False,
        )

    def _call(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._geocode(*args, **kwargs)
        except GeocoderQueryError:
            return None  # the service rejected this one query: not found, not down
        except GeopyError as error:
            msg = f"{self.name} niet bereikbaar ({type(error).__name__})"
            raise ServiceUnavailableError(msg) from None


class PdokService(_GeopyService):
    """PDOK Locatieserver; accepts a hit only if postcode (or street and place) and number agree."""

    name = "pdok"

    def __init__(self, settings: Settings, *, adapter_factory: Any = None, error_wait: float = 5.0):
        geocoder = PdokLocatieserver(
            user_agent=settings.user_agent,
            timeout=settings.http_timeout,
            adapter_factory=adapter_factory,
        )
        super().__init__(geocoder.geocode, min_delay=settings.pdok_min_delay, error_wait=error_wait)

    def lookup(self, address: Address) -> Location | None:
        """Look ``address`` up; the best document must be the same address."""
        query = " ".join(
            part
            for part in (
                address.street,
                str(address.house_number),
                address.postcode.replace(" ", ""),
                address.place,
            )
            if part
        )
        found = self._call(query, exactly_one=True)
        if found is None:
            return None
        doc: dict[str, Any] = found.raw
        if not _same_address(address, doc):
            return None
        score = doc.get("score")
        return Location(
            lat=found.latitude,
            lon=found.longitude,
            source=self.name,
            match="adres",
            buurtcode=str(doc.get("buurtcode", "")),
            wijkcode=str(doc.get("wijkcode", "")),
            bag_id=str(doc.get("adresseerbaarobject_id", "")),
            score=float(score) if score is not None else None,
        )


def _same_address(address: Address, doc: dict[str, Any]) -> bool:
    number = address.house_number
    if int(doc.get("huisnummer", -1)) != number.number:
        return False
    if str(doc.get("huisletter", "")).upper() not in {number.letter, ""}:
        return False
    if address.postcode:
        return str(doc.get("postcode", "")).replace(" ", "").upper() == address.postcode.replace(
            " ", ""
        )
    same_street = normalize_name(str(doc.get("straatnaam", ""))) == normalize_name(address.street)
    same_place = normalize_name(str(doc.get("woonplaatsnaam", ""))) == normalize_name(address.place)
    return same_street and same_place


class NominatimService(_GeopyService):
    """OpenStreetMap Nominatim via geopy, at most one request per second, house numbers only."""

    name = "nominatim"

    def __init__(
        self,
        settings: Settings,
        *,
        adapter_factory: Any = None,
        error_wait: float = 5.0,
        country_codes: Sequence[str] = ("nl", "be", "de"),
    ):
        geocoder = Nominatim(
            user_agent=settings.user_agent,
            timeout=settings.http_timeout,
            adapter_factory=adapter_factory,
        )
        super().__init__(
            geocoder.geocode, min_delay=settings.nominatim_min_delay, error_wait=error_wait
        )
        self._country_codes = list(country_codes)

    def lookup(self, address: Address) -> Location | None:
        """Structured query; a result without the house number (a street, a town) is no hit."""
        query = {"street": f"{address.house_number} {address.street}"}
        if address.postcode:
            query["postalcode"] = address.postcode
        if address.place:
            query["city"] = address.place
        found = self._call(
            query, exactly_one=True, addressdetails=True, country_codes=self._country_codes
        )
        if found is None:
            return None
        details = found.raw.get("address", {})
        if not str(details.get("house_number", "")).startswith(str(address.house_number.number)):
            return None
        return Location(
            lat=found.latitude,
            lon=found.longitude,
            source=self.name,
            match=str(found.raw.get("addresstype", "adres")),
        )


@dataclass
class GeocodeOutcome:
    """Applicants split by geocoding result; each frame keeps the intake columns.

    ``located`` gains :data:`LOCATION_COLUMNS`; ``not_found`` and ``pending`` gain ``reason``.
    """

    located: pd.DataFrame
    not_found: pd.DataFrame
    pending: pd.DataFrame


def geocode_applicants(
    applicants: pd.DataFrame,
    *,
    register: AddressRegister | None = None,
    cache: GeocodeCache | None = None,
    services: Sequence[OnlineService] = (),
    progress: Progress | None = None,
) -> GeocodeOutcome:
    """Locate every applicant; rows that already have ``lat``/``lon`` keep them."""
    frame = applicants.reset_index(drop=True)
    records: list[dict[str, Any]] = [
        {str(k): v for k, v in record.items()} for record in frame.to_dict("records")
    ]
    has_point = (frame["lat"].notna() & frame["lon"].notna()).to_list()
    keys: dict[int, str] = {}
    unique: dict[str, Address] = {}
    for i, record in enumerate(records):
        if not has_point[i]:
            address = _address_of(record)
            keys[i] = address_key(address)
            unique.setdefault(keys[i], address)
    results = _resolve(unique, register=register, cache=cache, services=services, progress=progress)

    located_rows: list[dict[str, Any]] = []
    missing_rows: list[dict[str, Any]] = []
    pending_rows: list[dict[str, Any]] = []
    for i, record in enumerate(records):
        outcome = None if has_point[i] else results[keys[i]]
        if outcome is None or isinstance(outcome, Location):
            located_rows.append({**record, **_location_columns(outcome, record)})
        elif outcome.pending:
            pending_rows.append({**record, "reason": outcome.reason})
        else:
            missing_rows.append({**record, "reason": outcome.reason})
    base = list(frame.columns)
    located = pd.DataFrame(located_rows, columns=list(dict.fromkeys([*base, *LOCATION_COLUMNS])))
    log.info(
        "geocoded %d applicants: %d located, %d not found, %d pending",
        len(frame),
        len(located_rows),
        len(missing_rows),
        len(pending_rows),
    )
    return GeocodeOutcome(
        located=located,
        not_found=pd.DataFrame(missing_rows, columns=[*base, "reason"]),
        pending=pd.DataFrame(pending_rows, columns=[*base, "reason"]),
    )


@dataclass(frozen=True)
class _Miss:
    reason: str
    pending: bool


def _resolve(
    unique: dict[str, Address],
    *,
    register: AddressRegister | None,
    cache: GeocodeCache | None,
    services: Sequence[OnlineService],
    progress: Progress | None,
) -> dict[str, Location | _Miss]:
    """Resolve each distinct address: register first, then cached online answers, then services."""
    results: dict[str, Location | _Miss] = {}
    remaining = dict(unique)
    if register is not None:
        for key, address in unique.items():
            hit = register.lookup(address)
            if hit is not None:
                results[key] = hit
                del remaining[key]
    cached = cache.get(remaining) if cache else {}
    searched = ["adresregister"] if register is not None else []
    down: dict[str, str] = {}
    total, done = len(unique), len(results)
    if progress is not None and done:
        progress(done, total)
    for key, address in remaining.items():
        answers = cached.get(key, {})
        hit = next((loc for loc in answers.values() if loc is not None), None)
        if hit is None:
            results[key] = _ask_services(
                key,
                address,
                answers=answers,
                services=services,
                cache=cache,
                down=down,
                searched=searched,
            )
        else:
            results[key] = hit
        done += 1
        if progress is not None:
            progress(done, total)
    return results


def _ask_services(
    key: str,
    address: Address,
    *,
    answers: dict[str, Location | None],
    services: Sequence[OnlineService],
    cache: GeocodeCache | None,
    down: dict[str, str],
    searched: list[str],
) -> Location | _Miss:
    """Ask the online services in turn; ``down`` collects services that failed this batch."""
    asked = [*searched, *(s.name for s in services if s.name in answers)]
    unavailable = []
    for service in services:
        if service.name in answers:
            continue
        if service.name in down:
            unavailable.append(down[service.name])
            continue
        try:
            location = service.lookup(address)
        except ServiceUnavailableError as error:
            log.warning("%s; skipping it for the rest of this batch", error)
            down[service.name] = str(error)
            unavailable.append(str(error))
            continue
        if cache is not None:
            cache.put([(key, service.name, location)])
        if location is not None:
            return location
        asked.append(service.name)
    label = address_label(address)
    if unavailable:
        return _Miss(
            f"nog niet gevonden: {'; '.join(unavailable)}; draai opnieuw om verder te gaan", True
        )
    if not services:
        where = "staat niet in het adresregister" if searched else "er is geen adresregister"
        return _Miss(f"{label}: {where} en online zoeken staat uit", True)
    return _Miss(f"adres niet gevonden: {label} (gezocht in: {', '.join(asked)})", False)


def _address_of(row: dict[str, Any]) -> Address:
    number = HouseNumber(int(row["huisnummer"]), str(row["huisletter"]), str(row["toevoeging"]))
    return Address(str(row["straat"]), number, str(row["postcode"]), str(row["woonplaats"]))


def _location_columns(location: Location | None, row: dict[str, Any]) -> dict[str, object]:
    if location is None:
        return {
            "lat": row["lat"],
            "lon": row["lon"],
            "geocode_source": "invoer",
            "geocode_match": "coördinaten",
        }
    return {
        "lat": location.lat,
        "lon": location.lon,
        "geocode_source": location.source,
        "geocode_match": location.match,
        "buurtcode": location.buurtcode,
        "wijkcode": location.wijkcode,
        "bag_id": location.bag_id,
    }
