"""The one place where the wijk-data downloads talk HTTP.

Sets the user agent and timeout, sorts query parameters (stable cache keys), keeps every
successful JSON response on disk for a limited time, and retries connection errors, broken
bodies, 429 and 5xx with backoff (honouring a bounded ``Retry-After``, in seconds or as a date).
Public functions elsewhere only parse what this returns.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlencode, urlparse

import requests

from geo.config import Settings
from geo.errors import ServiceUnavailableError

log = logging.getLogger(__name__)
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_RETRYABLE_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,  # a large page cut off halfway
    requests.exceptions.ContentDecodingError,  # a gzip body that does not unpack
)
MAX_RETRY_AFTER = 120.0
"""Longest wait (seconds) a ``Retry-After`` header can ask for; longer ones are cut to this."""


class Session(Protocol):
    """What we use of :class:`requests.Session` (tests pass a recorded stand-in)."""

    def get(
        self, url: str, *, params: Any = ..., headers: Any = ..., timeout: Any = ...
    ) -> Any: ...


class ServiceRejectedError(ServiceUnavailableError):
    """The service answered, but refused the request (HTTP 4xx other than 429)."""

    def __init__(self, message: str, *, status: int, host: str) -> None:
        super().__init__(message)
        self.status = status
        self.host = host


def user_agent(settings: Settings) -> str:
    """The user agent sent to every service, with the contact address when one is set."""
    if settings.contact_email and settings.contact_email not in settings.user_agent:
        return f"{settings.user_agent} {settings.contact_email}"
    return settings.user_agent


def retry_after_seconds(value: str, *, now: datetime | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or HTTP date), bounded.

    ``None`` when the header is absent or unreadable.
    """
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class HttpClient:
    """GET JSON with a user agent, timeout, disk cache and retries.

    Parameters
    ----------
    settings
        User agent, timeout and cache folder.
    session
        A ``requests.Session`` or a stand-in with the same ``get``.
    retries
        Extra attempts after a failed one.
    backoff
        Seconds before the first retry; doubled for each next one.
    sleep
        Waits between attempts (``time.sleep`` unless injected).
    refresh
        Ask the services again even when a cached answer is there (the new one is kept).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        session: Session | None = None,
        retries: int = 3,
        backoff: float = 2.0,
        sleep: Callable[[float], None] | None = None,
        refresh: bool = False,
    ) -> None:
        self.settings = settings
        self.session: Session = session if session is not None else requests.Session()
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep or time.sleep
        self.refresh = refresh
        self.cache_dir = settings.cache_dir / "http"

    def get_json(
        self,
        url: str,
        params: Mapping[str, object] | None = None,
        *,
        use_cache: bool = True,
        max_age: float | None = None,
    ) -> Any:
        """The JSON body of ``url`` with ``params``, from the disk cache when there.

        ``max_age`` (seconds) ignores cached answers older than that; ``None`` keeps them.
        """
        query = sorted((key, str(value)) for key, value in (params or {}).items())
        full_url = f"{url}?{urlencode(query)}" if query else url
        cache_file = self.cache_dir / f"{hashlib.sha256(full_url.encode()).hexdigest()}.json"
        if use_cache and not self.refresh and cache_file.exists():
            age = time.time() - cache_file.stat().st_mtime
            if max_age is None or age <= max_age:
                return json.loads(cache_file.read_text(encoding="utf-8"))
        body = self._fetch(url, dict(query))
        if use_cache:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            temporary = cache_file.with_suffix(".tmp")
            temporary.write_text(json.dumps(body), encoding="utf-8")
            temporary.replace(cache_file)  # atomic: a crash never leaves half a response
        return body

    def _fetch(self, url: str, params: dict[str, str]) -> Any:
        host = urlparse(url).netloc
        headers = {
            "User-Agent": user_agent(self.settings),
            "Accept": "application/json, application/geo+json",
        }
        problem, wait = "", 0.0
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(wait)
            wait = self.backoff * 2**attempt
            try:
                response = self.session.get(
                    url, params=params or None, headers=headers, timeout=self.settings.http_timeout
                )
            except _RETRYABLE_ERRORS as error:
                problem = type(error).__name__
                log.warning("%s: %s (attempt %d)", host, problem, attempt + 1)
                continue
            if response.status_code in _RETRY_STATUS:
                problem = f"HTTP {response.status_code}"
                asked = retry_after_seconds(str(response.headers.get("Retry-After", "")))
                wait = wait if asked is None else asked
                log.warning("%s: %s (attempt %d)", host, problem, attempt + 1)
                continue
            if response.status_code >= 400:
                detail = _problem_detail(response)
                msg = f"{host} weigert het verzoek (HTTP {response.status_code}{detail})"
                raise ServiceRejectedError(msg, status=response.status_code, host=host)
            try:
                return response.json()
            except ValueError:
                msg = f"{host} gaf geen geldige JSON terug"
                raise ServiceUnavailableError(msg) from None
        msg = (
            f"{host} is niet bereikbaar ({problem}, {self.retries + 1} pogingen); "
            "probeer later opnieuw of werk met lokale bestanden"
        )
        raise ServiceUnavailableError(msg)


def _problem_detail(response: Any) -> str:
    """``": <detail>"`` from an RFC 7807 problem body (OGC API servers send one), else ``""``."""
    try:
        body = response.json()
    except (ValueError, TypeError, AttributeError):
        return ""
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return f": {body['detail'][:200]}"
    return ""
