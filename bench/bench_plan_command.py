"""End-to-end timing of the ``plan`` command against the interpreter's start-up, one run.

Start-up is ``python -m geo --help`` (interpreter, imports, argument parsing); the plan is
``python -m geo plan`` on the embedded demo (Helsinki, about 1,500 sign-ups, offline, with the
address register), made once beforehand by ``python -m geo demo``. Both are timed ``--repeat``
times in the same run (the best counts); the figure of merit is the plan's work beyond start-up
as a multiple of the start-up (target ≤ 0.7), on the clock and, steadier on a busy machine, in
CPU seconds. A last run of the plan in one process breaks that work down by step (wall clock
of the step functions, wrapped under the names the ``geo`` modules call them by). Run:

    python bench/bench_plan_command.py [--repeat 3] [--count 1500] [--no-breakdown]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# One plan run in a fresh interpreter with a clock around each step; prints the seconds as JSON.
# ``imports`` is what ``import geo.cli`` costs there (part of the start-up, shown for reference).
_BREAKDOWN = r"""
import contextlib, io, json, sys, time
start = time.perf_counter()
import geo.cli as cli
import geo.workflow as workflow
seconds = {"imports (part of start-up)": time.perf_counter() - start}
STEPS = {
    "read wijk and register": [(cli, "load_wijk_layers"), (cli.AddressRegister, "from_file")],
    "intake (read, check, geocode)": [(workflow, "run_intake")],
    "plan (make_plan)": [(workflow, "make_plan")],
    "coverage": [(workflow, "coverage_layers")],
    "plan folder files": [(workflow, "write_plan_folder"), (workflow, "finish_plan_folder")],
    "signs": [(workflow, "make_signs")],
    "maps (build and write)": [(workflow, "write_maps"), (workflow, "signs_map"),
                               (workflow, "save_map")],
}
depth = [0]
def timed(step, function):
    def run(*args, **kwargs):
        depth[0] += 1
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:  # a step inside another step counts once
                seconds[step] = seconds.get(step, 0.0) + time.perf_counter() - began
    return run
for step, places in STEPS.items():
    for owner, name in places:
        setattr(owner, name, timed(step, getattr(owner, name)))
began = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = cli.main(sys.argv[1:])
whole = time.perf_counter() - began
seconds["other (the rest of the command)"] = whole - sum(
    v for k, v in seconds.items() if not k.startswith("imports")
)
seconds["the command after its imports"] = whole
print(json.dumps({"code": code, "seconds": seconds}))
"""


def wall(arguments: list[str]) -> tuple[float, float]:
    """Seconds of one ``python -m geo ...`` run, on the clock and of CPU (user + system).

    The CPU seconds hardly change when other work shares the machine; the clock does. The
    run's output is discarded; a failure raises.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "geo", *arguments], check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def breakdown(arguments: list[str]) -> dict[str, float]:
    """Seconds per step of one ``plan`` run in a fresh interpreter (see ``_BREAKDOWN``)."""
    done = subprocess.run(
        [sys.executable, "-c", _BREAKDOWN, *arguments], check=True, capture_output=True, text=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        msg = f"the plan ended with exit code {result['code']}"
        raise RuntimeError(msg)
    return dict(result["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--count", type=int, default=1500)
    parser.add_argument("--no-breakdown", action="store_true", help="skip the per-step run")
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
        steps = {} if args.no_breakdown else breakdown([*plan, "--out", str(root / "plan-steps")])
    for clock, index in (("", 0), ("CPU ", 1)):
        first = min(run[index] for run in startup)
        whole = min(run[index] for run in planning)
        print(f"{clock}start-up (python -m geo --help): {first:.2f} s")
        print(f"{clock}plan command ({args.count} sign-ups):  {whole:.2f} s")
        beyond = whole - first
        print(f"{clock}work beyond start-up: {beyond:.2f} s = {beyond / first:.2f}x start-up")
    if steps:
        print("one plan run, by step (in-process wall clock):")
        for step, seconds in steps.items():
            print(f"  {step:34s} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
