"""Typed text stays text in a real browser: a hostile name in every map's tooltip (issue 12.12).

The maps are opened from disk in headless Chromium with Leaflet served from a local copy
(``.ci/run`` fetches the npm package into ``.e2e-vendor/``; other CDN files are refused, so
nothing leaves the machine). The test hovers over an area so its tooltip is built, then checks
that no script ran and no element was injected.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import LineString, box

from geo.maps import area_map, municipality_map, planner_map
from tests.grids import RD

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).parents[2]
LEAFLET = Path(
    os.environ.get("LEAFLET_JS", REPO / ".e2e-vendor" / "package" / "dist" / "leaflet.js")
)
HOSTILE = "<img src=x onerror=\"document.title='gehackt'\">"

# Hover every drawn feature the way Leaflet sees a mouse: its tooltips are then built.
OPEN_TOOLTIPS = """() => {
  const shown = [];
  const maps = Object.values(window).filter((v) => v instanceof L.Map);
  for (const map of maps) {
    map.eachLayer((layer) => {
      if (layer.feature && layer.getBounds) {
        layer.fire("mouseover", {latlng: layer.getBounds().getCenter()}, true);
        document.querySelectorAll(".leaflet-tooltip").forEach((t) => shown.push(t.innerText));
      }
    });
  }
  return shown;
}"""

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(not LEAFLET.exists(), reason="no local Leaflet (see .ci/run)"),
]


def _pages(folder: Path) -> list[Path]:
    areas = gpd.GeoDataFrame(
        {
            "area_id": [1, 2],
            "name": [HOSTILE, "Molenweg e.o."],
            "members": [180, 40],
            "streets": [HOSTILE, "Molenweg"],
            "neighbours": ["2", "1"],
        },
        geometry=[
            box(186_000, 331_000, 186_500, 331_500),
            box(186_500, 331_000, 187_000, 331_500),
        ],
        crs=RD,
    )
    boundary = gpd.GeoDataFrame(geometry=[box(186_000, 331_000, 187_000, 331_500)], crs=RD)
    signs = gpd.GeoDataFrame(
        {"rank": [], "street": [], "kind": [], "reason": [], "bearing_deg": []},
        geometry=gpd.GeoSeries([], crs=RD),
    )
    streets = gpd.GeoDataFrame(
        {"name": [HOSTILE]}, geometry=[LineString([(186_100, 331_250), (186_400, 331_250)])], crs=RD
    )
    maps = {
        "planner": planner_map(areas, boundary, signs=signs, members=areas.iloc[0:0][["geometry"]]),
        "gemeente": municipality_map(areas, boundary, signs),
        "gebied": area_map(areas, 1, streets),
    }
    paths = []
    for name, fmap in maps.items():
        path = folder / f"{name}.html"
        fmap.save(path)
        paths.append(path)
    return paths


def test_hostile_names_never_run_in_a_map(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    leaflet = LEAFLET.read_bytes()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            for path in _pages(tmp_path):
                page = browser.new_page(viewport={"width": 1000, "height": 700})
                dialogs: list[str] = []
                page.on("dialog", lambda dialog, seen=dialogs: (seen.append(dialog.message), dialog.dismiss()))  # fmt: skip
                page.route(
                    "**/*",
                    lambda route: (
                        route.fulfill(body=leaflet, content_type="application/javascript")
                        if route.request.url.endswith("/leaflet.js")
                        else route.continue_()
                        if route.request.url.startswith("file:")
                        else route.abort()
                    ),
                )
                page.goto(path.as_uri())
                page.wait_for_function("typeof L !== 'undefined'")
                shapes = page.locator("path.leaflet-interactive")
                assert shapes.count() >= 1, f"{path.name}: Leaflet drew no areas"
                shown = page.evaluate(OPEN_TOOLTIPS)
                assert shown, f"{path.name}: no tooltip was built"
                page.wait_for_timeout(300)  # an injected image would have failed and run by now
                assert "gehackt" not in page.title()
                assert page.locator("img[src='x']").count() == 0
                assert any("<img src=x" in text for text in shown), f"{path.name}: shown as text"
                assert dialogs == []
                page.close()
        finally:
            browser.close()
