"""Map benchmark: the planner map's build time and HTML size for 1,000 and 10,000 members.

Ours draws members as one FastMarkerCluster (bare coordinates, clustered in the browser); the
peer, measured in the same run on the same plan, is the common folium approach of one Marker
per member. Both draw the same areas and boundary. Run:

    python bench/bench_maps.py [--members 1000,10000]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import folium
import geopandas as gpd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.grids

from geo.maps import planner_map
from geo.partition import make_plan
from geo.sources import WGS84
from tests.grids import grid_boundary, grid_streets, members_along


def naive_map(areas, boundary, members) -> folium.Map:  # type: ignore[no-untyped-def]
    """One folium Marker per member over the same areas (the peer)."""
    fmap = folium.Map(tiles="OpenStreetMap")
    folium.GeoJson(areas.to_crs(WGS84)[["area_id", "geometry"]]).add_to(fmap)
    folium.GeoJson(boundary.to_crs(WGS84)).add_to(fmap)
    for point in members.to_crs(WGS84).geometry:
        folium.Marker([point.y, point.x]).add_to(fmap)
    return fmap


def measure(build) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    page = build().get_root().render()
    return time.perf_counter() - start, len(page.encode("utf-8")) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", default="1000,10000")
    args = parser.parse_args()
    print(f"{'members':>8} {'map':<28} {'seconds':>8} {'HTML MB':>8} {'vs peer':>8}")
    for count in (int(n) for n in args.members.split(",")):
        side = max(2, round(math.sqrt(count / 20)))
        streets = grid_streets(side, side)
        boundary = grid_boundary(side, side)
        plan = make_plan(boundary, streets, members_along(streets, count, seed=3))
        outline = gpd.GeoDataFrame({"name": ["grid"]}, geometry=[boundary], crs=streets.crs)
        ours = measure(
            lambda plan=plan, outline=outline: planner_map(
                plan.areas, outline, members=plan.members[["geometry"]]
            )
        )
        peer = measure(
            lambda plan=plan, outline=outline: naive_map(plan.areas, outline, plan.members)
        )
        for name, (seconds, size) in (
            ("ours (FastMarkerCluster)", ours),
            ("peer (Marker per member)", peer),
        ):
            ratio = f"{seconds / peer[0]:.2f}x"
            print(f"{count:>8} {name:<28} {seconds:>8.3f} {size:>8.2f} {ratio:>8}")


if __name__ == "__main__":
    main()
