"""Soak: 20,000 sign-ups arriving in 200 batches through the project store and ``assign``.

After every batch: no area over the cap, nobody moved unless their area was split, nobody lost
(placed + rejected outside the wijk = everyone accepted so far), the file consistent. Prints the
total time and the slowest batch. Run:

    python bench/soak_assign.py [--total 20000] [--batches 200]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.grids

from geo.config import Settings
from geo.project import place_members
from geo.sources import Wijk
from geo.store import Store
from tests.grids import RD, grid_boundary, grid_streets, members_along


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=20_000)
    parser.add_argument("--batches", type=int, default=200)
    args = parser.parse_args()
    side = 32  # about 2,100 street segments: ~10 members per 100 m of street at the end
    streets = grid_streets(side, side)
    boundary = gpd.GeoDataFrame({"name": ["soak"]}, geometry=[grid_boundary(side, side)], crs=RD)
    empty = gpd.GeoDataFrame({"straat": []}, geometry=[], crs=RD)
    wijk = Wijk(boundary.to_crs(4326), streets.to_crs(4326), empty.to_crs(4326))
    people = members_along(streets, args.total, seed=2026).to_crs(4326)
    people = pd.DataFrame(
        {
            "naam": [f"Deelnemer {n}" for n in range(args.total)],
            "telefoon": [f"+316{n:08d}" for n in range(args.total)],
            "straat": people["straat"],
            "huisnummer": people["huisnummer"],
            "beheerder": people["beheerder"],
            "lat": people.geometry.y,
            "lon": people.geometry.x,
        }
    )
    settings = Settings(cache_dir=Path(tempfile.mkdtemp()))
    store = Store.create(Path(tempfile.mkdtemp()) / "soak.sqlite", wijk, max_members=255, fill=0.8)
    size = args.total // args.batches
    start, slowest, splits, moved_total = time.perf_counter(), 0.0, 0, 0
    for number in range(args.batches):
        batch = people.iloc[number * size : (number + 1) * size]
        before = store.applicants("accepted").set_index("id")["area_id"].dropna()
        tick = time.perf_counter()
        store.add_applicants(batch, batch.iloc[0:0], batch.iloc[0:0], source=f"batch {number}")
        placement = place_members(store, settings=settings)
        slowest = max(slowest, time.perf_counter() - tick)
        status = store.status()
        assert max(status.members_per_area.values()) <= 255, f"batch {number}: over the cap"
        after = store.applicants("accepted").set_index("id")["area_id"]
        changed = before.index[after.loc[before.index].to_numpy() != before.to_numpy()]
        assert set(before.loc[changed].astype(int)) <= set(placement.split), (
            f"batch {number}: moved"
        )
        placed = sum(status.members_per_area.values())
        assert placed + status.applicants["rejected"] == (number + 1) * size, (
            f"batch {number}: lost"
        )
        splits += len(placement.split)
        moved_total += len(changed)
    assert store.integrity() == "ok"
    seconds = time.perf_counter() - start
    print(
        f"{args.total:,} sign-ups in {args.batches} batches: {seconds:.1f} s in all, slowest batch "
        f"{slowest:.2f} s; {store.status().areas} areas, {splits} splits, {moved_total} members "
        f"moved (all in split areas), every check held after every batch"
    )


if __name__ == "__main__":
    main()
