"""PDOK Locatieserver v3.1 as a geopy geocoder, so it composes with geopy's RateLimiter.

The service is documented at https://api.pdok.nl/bzk/locatieserver/search/v3_1/ui/ ; a ``free``
search returns a Solr response whose ``docs`` carry ``centroide_ll`` as ``POINT(lon lat)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from geopy.exc import GeocoderParseError
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location as GeopyLocation

PDOK_FREE_PATH = "/bzk/locatieserver/search/v3_1/free"
PDOK_FREE_URL = "https://api.pdok.nl" + PDOK_FREE_PATH
RESULT_FIELDS = (
    "id", "type", "weergavenaam", "straatnaam", "huisnummer", "huisletter", "huisnummertoevoeging",
    "huis_nlt",
    "postcode", "woonplaatsnaam", "gemeentecode", "buurtcode", "buurtnaam", "wijkcode", "wijknaam",
    "adresseerbaarobject_id", "nummeraanduiding_id", "centroide_ll", "score",
)  # fmt: skip
_SOLR_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')
_POINT = re.compile(r"^POINT\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)$")


class PdokLocatieserver(Geocoder):  # type: ignore[misc]
    """Geocode Dutch addresses with PDOK Locatieserver (``fq=type:adres``).

    ``Location.raw`` is the Solr document, with ``buurtcode``, ``wijkcode``,
    ``adresseerbaarobject_id`` (the BAG id) and ``score``.
    """

    def __init__(
        self,
        *,
        user_agent: str | None = None,
        timeout: Any = DEFAULT_SENTINEL,
        proxies: Any = DEFAULT_SENTINEL,
        adapter_factory: Any = None,
        url: str = PDOK_FREE_URL,
    ) -> None:
        super().__init__(
            scheme="https",
            timeout=timeout,
            proxies=proxies,
            user_agent=user_agent,
            adapter_factory=adapter_factory,
        )
        self.url = url

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        timeout: Any = DEFAULT_SENTINEL,
        result_type: str = "adres",
        rows: int = 10,
        filters: Sequence[str] = (),
    ) -> GeopyLocation | list[GeopyLocation] | None:
        """Search ``query`` (free text such as ``"Kerkstraat 12A 6166AB Geleen"``).

        ``filters`` are extra exact Solr filter queries (``"postcode:6166AB"``), each sent as its
        own ``fq`` next to ``type:<result_type>``. ``query`` is sent as given: escape Solr syntax
        with :func:`geo.sources.solr_escape` first.
        """
        params: list[tuple[str, str | int]] = [
            ("fl", " ".join(RESULT_FIELDS)),
            ("fq", f"type:{result_type}"),
            *(("fq", f) for f in filters),
            ("q", query),
            ("rows", 1 if exactly_one else rows),
        ]
        url = f"{self.url}?{urlencode(params)}"
        return self._call_geocoder(
            url, lambda page: parse_response(page, exactly_one), timeout=timeout
        )


def solr_escape(text: str) -> str:
    """``text`` with Solr query syntax escaped (``(``, ``:``, ``-``, ...), searched for as typed."""
    return _SOLR_SPECIAL.sub(r"\\\1", text)


def parse_response(
    page: dict[str, Any], exactly_one: bool = True
) -> GeopyLocation | list[GeopyLocation] | None:
    """Turn a Locatieserver ``free`` response into geopy locations (pure, tested offline)."""
    try:
        docs = page["response"]["docs"]
    except (KeyError, TypeError):
        msg = "PDOK Locatieserver gaf een antwoord zonder 'response.docs'"
        raise GeocoderParseError(msg) from None
    locations = [_location(doc) for doc in docs if doc.get("centroide_ll")]
    if not locations:
        return None
    return locations[0] if exactly_one else locations


def _location(doc: dict[str, Any]) -> GeopyLocation:
    match = _POINT.match(str(doc["centroide_ll"]).strip())
    if match is None:
        msg = f"PDOK Locatieserver: onleesbaar punt {doc['centroide_ll']!r}"
        raise GeocoderParseError(msg)
    lon, lat = float(match.group(1)), float(match.group(2))
    return GeopyLocation(str(doc.get("weergavenaam", "")), (lat, lon), doc)
