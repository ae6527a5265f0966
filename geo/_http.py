"""The one place where the wijk-data downloads talk HTTP.

Sets the user agent and timeout, sorts query parameters (stable cache keys), keeps every
successful JSON response on disk, and retries connection errors, 429 and 5xx with backoff
(honouring ``Retry-After``). Public functions elsewhere only parse what this returns.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlencode, urlparse

import requests

from geo.config import Settings
from geo.errors import ServiceUnavailableError

log = logging.getLogger(__name__)
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class Session(Protocol):
    """What we use of :class:`requests.Session` (tests pass a recorded stand-in)."""

    def get(
        self, url: str, *, params: Any = ..., headers: Any = ..., timeout: Any = ...
    ) -> Any: ...


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
    """

    def __init__(
        self,
        settings: Settings,
        *,
        session: Session | None = None,
        retries: int = 3,
        backoff: float = 2.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.settings = settings
        self.session: Session = session if session is not None else requests.Session()
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep or time.sleep
        self.cache_dir = settings.cache_dir / "http"

    def get_json(
        self, url: str, params: Mapping[str, object] | None = None, *, use_cache: bool = True
    ) -> Any:
        """The JSON body of ``url`` with ``params``, from the disk cache when there."""
        query = sorted((key, str(value)) for key, value in (params or {}).items())
        full_url = f"{url}?{urlencode(query)}" if query else url
        cache_file = self.cache_dir / f"{hashlib.sha256(full_url.encode()).hexdigest()}.json"
        if use_cache and cache_file.exists():
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
            "User-Agent": self.settings.user_agent,
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
            except (requests.ConnectionError, requests.Timeout) as error:
                problem = type(error).__name__
                log.warning("%s: %s (attempt %d)", host, problem, attempt + 1)
                continue
            if response.status_code in _RETRY_STATUS:
                problem = f"HTTP {response.status_code}"
                retry_after = str(response.headers.get("Retry-After", ""))
                wait = float(retry_after) if retry_after.isdigit() else wait
                log.warning("%s: %s (attempt %d)", host, problem, attempt + 1)
                continue
            if response.status_code >= 400:
                msg = f"{host} weigert het verzoek (HTTP {response.status_code}); controleer naam of code"
                raise ServiceUnavailableError(msg)
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
