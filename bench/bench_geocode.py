"""Geocoding benchmark: 10,000 applicants against a 50,000-address register, offline.

10% of the applicants live at addresses the register lacks; an in-process stand-in for an online
service answers those (no network, no delay), and its answers go to the SQLite cache. Measures
the chain cold (empty cache: register load + match + service calls + cache writes) and warm
(same input again: the stand-in must not be asked), and, as the peer in the same run, a bare
``pandas.merge`` on postcode + house number: the floor of any register match, without
fallbacks, caching or reporting. Run:

    python bench/bench_geocode.py [--applicants 10000] [--register 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from geo.address import Address
from geo.geocode import GeocodeCache, geocode_applicants
from geo.register import AddressRegister, Location
from geo.tables import write_csv

STREETS = [
    f"{name}{kind}"
    for name in (
        "Kerk",
        "Molen",
        "School",
        "Beuk",
        "Eiken",
        "Linden",
        "Kastanje",
        "Dorps",
        "Rijks",
        "Stations",
    )
    for kind in ("straat", "weg", "laan", "plein", "hof")
]


def synthetic_register(size: int, rng: np.random.Generator) -> pd.DataFrame:
    """A BAG-like register: Limburg-style postcodes, streets, numbers, some letters/additions."""
    postcode = rng.integers(6100, 6200, size).astype(str)
    letters = np.array(list("ABCDEFGHJKLMNPRTVWXZ"))
    postcode = np.char.add(
        np.char.add(postcode, letters[rng.integers(0, 20, size)]),
        letters[rng.integers(0, 20, size)],
    )
    frame = pd.DataFrame(
        {
            "straat": np.array(STREETS)[rng.integers(0, len(STREETS), size)],
            "huisnummer": rng.integers(1, 400, size),
            "huisletter": np.where(rng.random(size) < 0.1, letters[rng.integers(0, 4, size)], ""),
            "toevoeging": np.where(
                rng.random(size) < 0.05, rng.integers(1, 5, size).astype(str), ""
            ),
            "postcode": postcode,
            "woonplaats": "Geleen",
            "lat": rng.uniform(50.95, 51.0, size).round(7),
            "lon": rng.uniform(5.78, 5.86, size).round(7),
        }
    )
    return frame.drop_duplicates(
        ["postcode", "huisnummer", "huisletter", "toevoeging"]
    ).reset_index(drop=True)


def synthetic_applicants(
    register: pd.DataFrame, size: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Applicants at register addresses; 10% give no postcode (street match), 5% a wrong letter."""
    picks = register.iloc[rng.integers(0, len(register), size)].reset_index(drop=True)
    no_postcode = rng.random(size) < 0.10
    wrong_letter = rng.random(size) < 0.05
    postcode = picks["postcode"].str[:4] + " " + picks["postcode"].str[4:]
    return pd.DataFrame(
        {
            "row": np.arange(2, size + 2),
            "naam": [f"Deelnemer {i}" for i in range(size)],
            "straat": picks["straat"],
            "huisnummer": picks["huisnummer"],
            "huisletter": np.where(wrong_letter, "Q", picks["huisletter"]),
            "toevoeging": picks["toevoeging"],
            "postcode": np.where(no_postcode, "", postcode),
            "woonplaats": "Geleen",
            "telefoon": [f"+3161{i:07d}" for i in range(size)],
            "beheerder": False,
            "lat": np.nan,
            "lon": np.nan,
        }
    )


class StandInService:
    """Answers every address instantly, like an online geocoder with zero latency; counts calls."""

    name = "stand-in"

    def __init__(self) -> None:
        self.calls = 0

    def lookup(self, address: Address) -> Location | None:
        self.calls += 1
        return Location(lat=50.97, lon=5.82, source=self.name, match="adres")


def timed(function: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall time of ``repeat`` calls and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    """Run the benchmark and print a table of times and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--applicants", type=int, default=10_000)
    parser.add_argument("--register", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    full_register = synthetic_register(args.register, rng)
    people = synthetic_applicants(full_register, args.applicants, rng)
    # Drop the homes of about 10% of the applicants from the register: those need the service.
    missing = people.sample(frac=0.10, random_state=1)
    missing_keys = set(zip(missing["straat"], missing["huisnummer"], strict=True))
    in_register = [
        k not in missing_keys
        for k in zip(full_register["straat"], full_register["huisnummer"], strict=True)
    ]
    register_table = full_register.loc[in_register].reset_index(drop=True)
    service = StandInService()

    with tempfile.TemporaryDirectory() as folder:
        register_path = Path(folder) / "bag.csv"
        write_csv(register_table, register_path, private=False)

        def peer() -> int:
            table = pd.read_csv(
                register_path, dtype=str, keep_default_na=False, encoding="utf-8-sig"
            )
            table["postcode"] = table["postcode"].str[:4] + " " + table["postcode"].str[4:]
            table["huisnummer"] = table["huisnummer"].astype(int)
            keys = ["postcode", "huisnummer", "huisletter", "toevoeging"]
            return int(
                people.merge(table.drop_duplicates(keys), on=keys, how="left")["lat_y"]
                .notna()
                .sum()
            )

        def run_chain(cache_path: Path) -> int:
            with GeocodeCache(cache_path) as cache:
                register = AddressRegister.from_file(register_path)
                outcome = geocode_applicants(
                    people, register=register, cache=cache, services=[service]
                )
                return len(outcome.located)

        def cold() -> int:
            return run_chain(Path(folder) / f"cold-{time.perf_counter_ns()}.sqlite")

        warm_cache = Path(folder) / "warm.sqlite"
        run_chain(warm_cache)

        def warm() -> int:
            return run_chain(warm_cache)

        peer_time, peer_found = timed(peer, args.repeat)
        service.calls = 0
        cold_time, cold_found = timed(cold, args.repeat)
        cold_calls, service.calls = service.calls // args.repeat, 0
        warm_time, warm_found = timed(warm, args.repeat)
        warm_calls = service.calls

    print(
        f"{args.applicants} applicants, register of {len(register_table)} addresses, median of {args.repeat}"
    )
    print(f"{'run':<38}{'seconds':>9}{'located':>9}{'service calls':>15}{'vs peer':>9}")
    for label, seconds, found, calls in (
        ("peer: pandas.merge on postcode+nr", peer_time, peer_found, "-"),
        ("chain, cold cache", cold_time, cold_found, cold_calls),
        ("chain, warm cache", warm_time, warm_found, warm_calls),
    ):
        print(f"{label:<38}{seconds:>9.3f}{found:>9}{calls:>15}{seconds / peer_time:>8.1f}x")


if __name__ == "__main__":
    main()
