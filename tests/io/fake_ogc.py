"""A local stand-in for PDOK's OGC API Features server (gokoala), for paging tests.

It behaves as the real server does where the planner depends on it: unknown query parameters
are refused with HTTP 400 and a problem body ("unknown query parameter(s) found: ..."),
``limit`` above the maximum is clamped (not refused), pages are linked with opaque cursors in
absolute ``next``/``prev`` links, and a jaargang that is not served answers 404.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse

KNOWN = {"f", "limit", "cursor", "crs", "datetime", "bbox", "bbox-crs", "filter", "filter-crs",
         "filter-lang", "profile"}  # fmt: skip
PROPERTY_FILTERS = {"gemeentecode", "wijkcode", "buurtcode"}


def buurten(count: int, gemeente: str = "GM1883") -> list[dict[str, Any]]:
    """``count`` adjacent square buurten of ``gemeente`` in the real property shape."""
    features = []
    for i in range(count):
        x = 5.80 + 0.004 * i
        ring = [[x, 50.97], [x + 0.004, 50.97], [x + 0.004, 50.974], [x, 50.974], [x, 50.97]]
        code = f"BU{gemeente[2:]}01{i + 1:02d}"
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "buurtcode": code,
                    "buurtnaam": f"Buurt {i + 1}",
                    "wijkcode": f"WK{gemeente[2:]}01",
                    "gemeentecode": gemeente,
                    "gemeentenaam": "Sittard-Geleen" if gemeente == "GM1883" else "Elders",
                    "aantal_inwoners": 1000 + i,
                    "aantal_huishoudens": 400 + i,
                    "water": "NEE",
                    "jaar": 2025,
                },
                "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
                "id": str(100 + len(features)),
            }
        )
    return features


class FakeOgcServer:
    """Serves ``/cbs/wijken-en-buurten-<year>/ogc/v1/collections/buurten/items``."""

    def __init__(self, features: list[dict[str, Any]], *, years: set[int], max_limit: int) -> None:
        self.features = features
        self.years = years
        self.max_limit = max_limit
        self.requests: list[dict[str, str]] = []
        self.url = ""

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.requests.append({"path": path, **query})
        parts = path.strip("/").split("/")
        year = int(parts[1].rsplit("-", 1)[1]) if len(parts) > 1 and "-" in parts[1] else 0
        if year not in self.years:
            return 404, {"title": "Not Found", "status": 404, "detail": "page not found"}
        unknown = sorted(set(query) - KNOWN - PROPERTY_FILTERS)
        if unknown:
            detail = f"unknown query parameter(s) found: {unknown[0]}"
            return 400, {"title": "Bad Request", "status": 400, "detail": detail}
        limit = min(int(query.get("limit", 10)), self.max_limit)
        chosen = [
            f
            for f in self.features
            if all(f["properties"].get(k) == v for k, v in query.items() if k in PROPERTY_FILTERS)
        ]
        start = int(base64.urlsafe_b64decode(query["cursor"]).decode()) if "cursor" in query else 0
        page = chosen[start : start + limit]
        base = {k: v for k, v in query.items() if k != "cursor"}
        here = f"{self.url}{path}"
        links = [{"rel": "self", "title": "This document as GeoJSON",
                  "type": "application/geo+json", "href": f"{here}?{urlencode(query)}"}]  # fmt: skip
        if start + limit < len(chosen):
            cursor = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
            links.append({"rel": "next", "title": "Next page", "type": "application/geo+json",
                          "href": f"{here}?{urlencode({**base, 'cursor': cursor})}"})  # fmt: skip
        body = {"type": "FeatureCollection", "timeStamp": "2026-11-20T10:00:00Z",
                "links": links, "features": page, "numberReturned": len(page)}  # fmt: skip
        return 200, body


@contextmanager
def serve(server: FakeOgcServer) -> Iterator[FakeOgcServer]:
    """Run ``server`` on 127.0.0.1 in a thread; ``server.url`` is its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parsed = urlparse(self.path)
            status, body = server.answer(parsed.path, dict(parse_qsl(parsed.query)))
            data = json.dumps(body).encode()
            self.send_response(status)
            kind = "application/geo+json" if status == 200 else "application/problem+json"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
