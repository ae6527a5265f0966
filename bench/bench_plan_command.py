"""End-to-end timing of the ``plan`` command against the interpreter's start-up, one run.

Start-up is ``python -m geo --help`` (interpreter, imports, argument parsing); the plan is
``python -m geo plan`` on the embedded demo (Helsinki, about 1,500 sign-ups, offline, with the
address register), made once beforehand by ``python -m geo demo``. Both are timed ``--repeat``
times in the same run (the best counts); the figure of merit is the plan's work beyond start-up
as a multiple of the start-up (target ≤ 0.7). Run:

    python bench/bench_plan_command.py [--repeat 3] [--count 1500]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def wall(arguments: list[str]) -> float:
    """Seconds of one ``python -m geo ...`` run (its output is discarded; a failure raises)."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "geo", *arguments], check=True, capture_output=True, text=True
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--count", type=int, default=1500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        demo = root / "demo"
        wall(["demo", "--out", str(demo), "--count", str(args.count)])
        wijk = demo / "wijk.gpkg"
        plan = [
            "plan",
            "--boundary",
            str(wijk),
            "--streets",
            str(wijk),
            "--applicants",
            str(demo / "aanmeldingen.csv"),
            "--addresses",
            str(demo / "adressen.csv"),
            "--offline",
        ]
        startup, planning = [], []
        for run in range(args.repeat):
            startup.append(wall(["--help"]))
            planning.append(wall([*plan, "--out", str(root / f"plan-{run}")]))
    first, whole = min(startup), min(planning)
    print(f"start-up (python -m geo --help): {first:.2f} s")
    print(f"plan command ({args.count} sign-ups):  {whole:.2f} s")
    print(f"work beyond start-up: {whole - first:.2f} s = {(whole - first) / first:.2f}x start-up")


if __name__ == "__main__":
    main()
