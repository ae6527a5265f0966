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
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode, urlparse

import numpy as np
import pandas as pd
from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderInsufficientPrivileges,
    GeocoderQueryError,
    GeopyError,
)
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from geo._http import user_agent
from geo.address import Address, HouseNumber, normalize_name
from geo.config import Settings
from geo.errors import GeoError, ServiceUnavailableError
from geo.intake import two_numbers_remark
from geo.outputs import ensure_dir
from geo.pdok import PDOK_FREE_PATH, PdokLocatieserver, solr_escape
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
# Extension dtypes whose ``tolist`` holds the values ``to_dict`` gives, but pd.NA for None.
_LISTED_DTYPES = (pd.StringDtype, pd.Int64Dtype, pd.Float64Dtype, pd.BooleanDtype)


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


class CacheError(GeoError):
    """The geocoding cache cannot be opened (corrupt, not a database, read-only)."""


class GeocodeCache:
    """Persistent answers of the geocoding chain, one row per (address key, source)."""

    def __init__(self, path: Path) -> None:
        ensure_dir(path.parent)
        self.path = path
        try:
            self._db = sqlite3.connect(path, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS geocode ("
                " key TEXT NOT NULL, source TEXT NOT NULL, found INTEGER NOT NULL,"
                " location TEXT, created TEXT NOT NULL, PRIMARY KEY (key, source))"
            )
            self._db.commit()
            if self._db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check")
        except sqlite3.DatabaseError as error:
            msg = (
                f"geocodeercache {path} is beschadigd of onleesbaar ({error}); verwijder het "
                "bestand en draai opnieuw (de adressen worden dan opnieuw opgezocht)"
            )
            raise CacheError(msg) from None

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


class QueryRejectedError(ServiceUnavailableError):
    """The service refused this one query (HTTP 4xx): no answer, and nothing to cache."""


class _Throttle:
    """At most one request per ``min_delay`` seconds, shared by every caller in the process."""

    def __init__(self, min_delay: float) -> None:
        self.min_delay = min_delay
        self._lock = threading.Lock()
        self._last = -float("inf")

    def wait(self) -> None:
        with self._lock:
            delay = self._last + self.min_delay - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._last = time.monotonic()


_THROTTLES: dict[str, _Throttle] = {}
_THROTTLES_LOCK = threading.Lock()


def shared_throttle(key: str, min_delay: float) -> _Throttle:
    """The one throttle for ``key`` (a service URL) in this process; the longest delay wins.

    Every app session and every service object asks the same server through it, so two
    Streamlit sessions together still send Nominatim at most one request per second.
    """
    with _THROTTLES_LOCK:
        throttle = _THROTTLES.setdefault(key, _Throttle(min_delay))
        throttle.min_delay = max(throttle.min_delay, min_delay)
        return throttle


@dataclass(frozen=True)
class _Rejected:
    error: GeopyError


_REJECTED_ERRORS = (
    GeocoderQueryError,  # HTTP 400
    GeocoderAuthenticationFailure,  # 401
    GeocoderInsufficientPrivileges,  # 403
)


class _GeopyService:
    """Shared plumbing: shared rate limit, retries, and turning geopy errors into our own.

    A 4xx answer is not retried and not a 'not found': it raises :class:`QueryRejectedError`,
    which the chain does not cache.
    """

    name = "online"

    def __init__(
        self, geocode: Callable[..., Any], *, throttle: _Throttle, error_wait: float
    ) -> None:
        def throttled(*args: Any, **kwargs: Any) -> Any:
            throttle.wait()
            try:
                return geocode(*args, **kwargs)
            except _REJECTED_ERRORS as error:  # not retried by the RateLimiter
                return _Rejected(error)

        self._geocode = RateLimiter(
            throttled,
            min_delay_seconds=0,
            max_retries=2,
            error_wait_seconds=error_wait,
            swallow_exceptions=False,
        )

    def _call(self, *args: Any, **kwargs: Any) -> Any:
        try:
            found = self._geocode(*args, **kwargs)
        except GeopyError as error:
            msg = f"{self.name} niet bereikbaar ({type(error).__name__})"
            raise ServiceUnavailableError(msg) from None
        if isinstance(found, _Rejected):
            msg = f"{self.name} weigerde de zoekvraag ({type(found.error).__name__}: {found.error})"
            raise QueryRejectedError(msg)
        return found


class PdokService(_GeopyService):
    """PDOK Locatieserver; accepts only a document that is the same address.

    With a postcode the search is filtered exactly (``fq=postcode:…``, ``fq=huisnummer:…``,
    ``fq=huisletter:…``); without one several rows are asked and the exact match is picked, so
    "12A" is found even when "12" ranks first.
    """

    name = "pdok"

    def __init__(self, settings: Settings, *, adapter_factory: Any = None, error_wait: float = 5.0):
        url = settings.pdok_url.rstrip("/") + PDOK_FREE_PATH
        geocoder = PdokLocatieserver(
            user_agent=user_agent(settings),
            timeout=settings.http_timeout,
            adapter_factory=adapter_factory,
            url=url,
        )
        super().__init__(
            geocoder.geocode,
            throttle=shared_throttle(url, settings.pdok_min_delay),
            error_wait=error_wait,
        )

    def lookup(self, address: Address) -> Location | None:
        """Look ``address`` up; a document must be the same address to count."""
        postcode = address.postcode.replace(" ", "").upper()
        number = address.house_number
        query = " ".join(
            part for part in (address.street, str(number), postcode, address.place) if part
        )
        filters: list[str] = []
        if postcode:
            filters = [f"postcode:{postcode}", f"huisnummer:{number.number}"]
            if number.letter:
                filters.append(f"huisletter:{solr_escape(number.letter)}")
        found = self._call(solr_escape(query), exactly_one=False, rows=10, filters=filters)
        match = next((f for f in found or [] if _same_address(address, f.raw)), None)
        if match is None:
            return None
        doc: dict[str, Any] = match.raw
        score = doc.get("score")
        return Location(
            lat=match.latitude,
            lon=match.longitude,
            source=self.name,
            match="adres",
            buurtcode=str(doc.get("buurtcode", "")),
            wijkcode=str(doc.get("wijkcode", "")),
            bag_id=str(doc.get("adresseerbaarobject_id", "")),
            score=float(score) if score is not None else None,
        )


def _addition_key(text: object) -> str:
    return "".join(c for c in str(text or "").casefold() if c.isalnum())


def _same_address(address: Address, doc: dict[str, Any]) -> bool:
    """Number, letter and addition equal (a missing letter is not a match for "12A")."""
    number = address.house_number
    try:
        if int(doc.get("huisnummer", -1)) != number.number:
            return False
    except (TypeError, ValueError):
        return False
    if str(doc.get("huisletter") or "").upper() != number.letter.upper():
        return False
    if _addition_key(doc.get("huisnummertoevoeging")) != _addition_key(number.addition):
        return False
    if address.postcode:
        return (
            str(doc.get("postcode", "")).replace(" ", "").upper()
            == address.postcode.replace(" ", "").upper()
        )
    same_street = normalize_name(str(doc.get("straatnaam", ""))) == normalize_name(address.street)
    same_place = normalize_name(str(doc.get("woonplaatsnaam", ""))) == normalize_name(address.place)
    return same_street and same_place


class _ContactNominatim(Nominatim):  # type: ignore[misc]
    """geopy's Nominatim that also sends the ``email`` parameter its usage policy asks for."""

    def __init__(self, *, email: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.email = email

    def _call_geocoder(self, url: str, callback: Any, **kwargs: Any) -> Any:
        if self.email:
            url = f"{url}&{urlencode({'email': self.email})}"
        return super()._call_geocoder(url, callback, **kwargs)


_HOUSE_NUMBER = re.compile(r"^\s*(\d+)\s*([A-Za-z]?)\b")


class NominatimService(_GeopyService):
    """OpenStreetMap Nominatim via geopy: one request per second per server for the whole
    application, a contact address, and only hits on the exact house number (and postcode)."""

    name = "nominatim"

    def __init__(
        self,
        settings: Settings,
        *,
        adapter_factory: Any = None,
        error_wait: float = 5.0,
        country_codes: Sequence[str] = ("nl", "be", "de"),
    ):
        server = urlparse(settings.nominatim_url)
        geocoder = _ContactNominatim(
            email=settings.contact_email,
            user_agent=user_agent(settings),
            timeout=settings.http_timeout,
            adapter_factory=adapter_factory,
            domain=(server.netloc + server.path).rstrip("/"),
            scheme=server.scheme or "https",
        )
        super().__init__(
            geocoder.geocode,
            throttle=shared_throttle(settings.nominatim_url, settings.nominatim_min_delay),
            error_wait=error_wait,
        )
        self._country_codes = list(country_codes)

    def lookup(self, address: Address) -> Location | None:
        """Structured query; a result without this house number (a street, a town, 70 for 7) or
        with another postcode is no hit."""
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
        if not _same_house_number(address.house_number, str(details.get("house_number", ""))):
            return None
        postcode = str(details.get("postcode", "")).replace(" ", "").upper()
        if address.postcode and postcode and postcode != address.postcode.replace(" ", "").upper():
            return None
        return Location(
            lat=found.latitude,
            lon=found.longitude,
            source=self.name,
            match=str(found.raw.get("addresstype", "adres")),
        )


def _same_house_number(number: HouseNumber, text: str) -> bool:
    """``"7"``, ``"7A"`` or ``"7;9"`` hold number 7; ``"70"`` and ``"71"`` do not."""
    for part in re.split(r"[;,]", text):
        match = _HOUSE_NUMBER.match(part)
        if match is None or int(match.group(1)) != number.number:
            continue
        letter = match.group(2).upper()
        if not (letter and number.letter) or letter == number.letter.upper():
            return True
    return False


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
    records = _records(frame)
    has_point = (frame["lat"].notna() & frame["lon"].notna()).to_list()
    keys: dict[int, str] = {}
    unique: dict[str, Address] = {}
    for i, record in enumerate(records):
        if not has_point[i]:
            typed = _address_of(record)
            address = register.reading(typed) if register is not None else typed
            if address != typed:  # "Kerkstraat 12 2" is Kerkstraat 12-2 by the register
                _reread(record, typed, address)
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
        except QueryRejectedError as error:  # this address only: not cached, not 'down'
            log.warning("%s", error)
            unavailable.append(str(error))
            continue
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


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")`` with ``str`` keys, built a column at a time.

    Numpy number and bool columns and text or nullable columns give the same Python values
    by ``tolist`` (missing ``pd.NA`` becomes ``None``, as pandas boxes it); any other column
    goes through pandas' own boxing.
    """
    names = [str(name) for name in frame.columns]
    columns = [_column_values(column) for _, column in frame.items()]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _column_values(column: pd.Series) -> list[Any]:
    """The values of ``column`` as ``to_dict("records")`` gives them."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        return column.tolist()
    if isinstance(dtype, _LISTED_DTYPES):
        return [None if value is pd.NA else value for value in column.tolist()]
    return [record[0] for record in column.to_frame(name=0).to_dict("records")]


def _reread(record: dict[str, Any], typed: Address, address: Address) -> None:
    """Put the register's reading of an address in ``record``, and say so in its remark
    instead of the intake's question about the two numbers."""
    number = address.house_number
    record.update(
        straat=address.street, huisnummer=number.number, huisletter=number.letter,
        toevoeging=number.addition,
    )  # fmt: skip
    question = two_numbers_remark(typed)  # itself holds "; ": taken out whole
    before = str(record.get("opmerking") or "").replace(question, "").strip("; ")
    answer = (
        f"adres gelezen als {address.street} {number}: het adresregister kent geen straat "
        f"{typed.street!r}"
    )
    record["opmerking"] = "; ".join(r for r in (before.replace("; ; ", "; "), answer) if r)


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
