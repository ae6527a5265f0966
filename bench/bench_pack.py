"""Pack benchmark: time to build every beheerder pack, vCard file and flyer of a plan.

Two plans: the embedded demo (Helsinki streets, 1,500 fictitious sign-ups, planned as
``python -m geo demo`` does) and a synthetic street grid with 10,000 members and a register of
20,000 households (so there are open streets and flyers). Planning is not timed; timed are
gathering the pack's data (coverage, open streets, signs) and writing the pack, with one
process and with two worker processes. Target: under 10 s for 10,000 members on 2 cores. Run:

    python bench/bench_pack.py [--members 10000] [--skip-demo] [--repeat 3]

Besides wall-clock time it reports the processor time of the pack (this process and its
workers together): on a shared machine the wall clock measures the neighbours as well, the
processor time does not. The load average is printed before and after. A last table compares
the vCard writer with vobject (the reference it is tested against) on the grid's members.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.grids

from geo.config import Settings
from geo.pack import PackData, build_pack, data_from_plan, member_contacts, pack_data
from geo.partition import make_plan
from geo.sources import WGS84, Wijk
from geo.vcards import vcard, vobject_vcard
from tests.grids import grid_boundary, grid_streets, members_along

EMAIL = "aanmelden@wijkplatform.example"


def demo_plan(folder: Path, count: int) -> Path:
    """The demo planned into ``folder`` (as ``python -m geo demo --count COUNT``)."""
    from geo.cli import main  # noqa: PLC0415

    os.environ.setdefault("GEO_CACHE_DIR", str(folder / "cache"))
    with open(os.devnull, "w", encoding="utf-8") as quiet:  # noqa: PTH123
        stdout, sys.stdout = sys.stdout, quiet
        try:
            assert main(["demo", "--out", str(folder / "plan"), "--count", str(count)]) == 0
        finally:
            sys.stdout = stdout
    return folder / "plan"


def grid_plan(count: int) -> tuple[Wijk, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A square street grid with ``count`` members, planned (wijk, areas, members); a register
    with twice as many households as members, on every street (every fifth street has no
    sign-up, so most areas get a flyer)."""
    side = max(2, round(math.sqrt(count / 20)))
    streets = grid_streets(side, side)
    outline = grid_boundary(side, side)
    open_streets = np.arange(len(streets)) % 5 == 0  # households but no sign-ups: flyers
    weights = np.where(open_streets, 0.0, 1.0)
    people = members_along(streets, count, seed=3, weights=weights / weights.sum())
    people["telefoon"] = [f"+316{20000000 + n:08d}" for n in range(count)]
    people["naam"] = [f"Fictief Lid {n}" for n in range(count)]
    people["postcode"], people["woonplaats"] = "6163 AB", "Geleen"
    households = members_along(streets, 2 * count, seed=4)[["straat", "huisnummer", "geometry"]]
    plan = make_plan(
        outline, streets, people, households, max_members=Settings().max_members, fill=0.8
    )
    boundary = gpd.GeoDataFrame({"name": ["Rasterwijk"]}, geometry=[outline], crs=streets.crs)
    wijk = Wijk(boundary.to_crs(WGS84), streets.to_crs(WGS84), households.to_crs(WGS84))
    return wijk, plan.areas, plan.members


def _cpu() -> float:
    """Processor seconds of this process and of its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(label: str, data_seconds: float, data: PackData, folder: Path, repeat: int) -> None:
    """The best of ``repeat`` runs with one and with two workers."""
    for workers in (1, 2):
        best = (math.inf, math.inf)
        for _ in range(repeat):
            start, cpu = time.perf_counter(), _cpu()
            report = build_pack(
                data, folder / f"pack-{workers}", platform_email=EMAIL, workers=workers
            )
            best = min(best, (time.perf_counter() - start, _cpu() - cpu))
        seconds, cpu_seconds = best
        print(
            f"{label:<18} {report.members:>7} {report.areas:>5} {len(report.flyers):>6} "
            f"{workers:>7} {data_seconds:>7.2f} {seconds:>7.2f} {cpu_seconds:>8.2f} "
            f"{data_seconds + seconds:>8.2f}"
        )


def vcard_peer(data: PackData) -> None:
    """The fast vCard writer against vobject on every member of the plan."""
    contacts = [c for a in data.areas["area_id"] for c in member_contacts(data, int(a))]
    rows = []
    for name, write in (("vobject", vobject_vcard), ("geo.vcards", vcard)):
        start = time.perf_counter()
        text = "".join(write(c) for c in contacts)
        rows.append((name, time.perf_counter() - start, text))
    assert rows[0][2] == rows[1][2], "the vCard writer differs from vobject"
    print(f"\nvCards of {len(contacts)} members (identical text)")
    for name, seconds, _ in rows:
        print(
            f"  {name:<12} {seconds:>6.2f} s  {seconds / len(contacts) * 1000:>6.3f} ms a card"
            f"  {rows[0][1] / seconds:>5.1f}× vobject"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--demo-count", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs")
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(
        f"{'plan':<18} {'members':>7} {'areas':>5} {'flyers':>6} {'workers':>7} "
        f"{'data s':>7} {'pack s':>7} {'pack cpu':>8} {'total s':>8}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-pack-") as scratch:
        folder = Path(scratch)
        if not args.skip_demo:
            plan_dir = demo_plan(folder / "demo", args.demo_count)
            start = time.perf_counter()
            data = data_from_plan(plan_dir)
            timed(
                "demo (Helsinki)", time.perf_counter() - start, data, folder / "demo", args.repeat
            )
        wijk, areas, members = grid_plan(args.members)
        start = time.perf_counter()
        data = pack_data(wijk, areas, members, signs=None)
        timed("grid", time.perf_counter() - start, data, folder / "grid", args.repeat)
        vcard_peer(data)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
