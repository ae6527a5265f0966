"""App benchmark: how long a planner waits for each page and action, on the embedded demo.

Drives the real app with Streamlit's AppTest (no browser: the server-side time a page takes to
compute and send) on a copy of the demo project (8 areas, ~1,500 members). The peer, measured in
the same run, is a Streamlit script that only shows a title: what any page costs at least.
Each step is repeated and the median reported, with its ratio to the peer. Targets (issue 13):
every page < 1.5 s, a sign decision or beheerder change < 1 s, Export < 1 s to open. Run:

    python bench/bench_app.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo.config import Settings
from geo.project import demo_project

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 300
EMPTY_PAGE = 'import streamlit as st\nst.title("Leeg")\n'


def timed(step: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``step`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def on_page(page: str) -> AppTest:
    """The app opened on ``page`` (first run included, as a planner clicking the page link)."""
    app = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    return app.switch_page(page).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-app-"))
    demo = folder / "demo.sqlite"
    demo_project(demo, settings=Settings(cache_dir=folder / "cache")).close()
    pristine = folder / "pristine.sqlite"
    shutil.copy(demo, pristine)
    os.environ.update(GEO_DATA_DIR=str(folder), GEO_CACHE_DIR=str(folder / "cache"))
    for key in ("GEO_PLANNER_PASSWORD_HASH", "GEO_MUNICIPALITY_PASSWORD_HASH"):
        os.environ.pop(key, None)

    def fresh() -> None:
        shutil.copy(pristine, demo)

    empty = AppTest.from_string(EMPTY_PAGE, default_timeout=TIMEOUT)
    peer = timed(empty.run, args.repeat)
    steps: dict[str, Callable[[], object]] = {}
    for page in ("aanmeldingen", "gebieden", "borden", "beheerders", "export", "geschiedenis"):
        app = on_page(f"views/{page}.py")  # warm: caches of this process are filled once
        steps[f"open {page.capitalize()}"] = app.run

    borden = on_page("views/borden.py")

    def decide() -> None:
        borden.radio(key="bord_besluit").set_value("rejected")
        borden.button(key="besluit_opslaan").click().run()

    steps["one sign decision"] = decide
    export = on_page("views/export.py")
    formats = iter(["gpkg", "geojson"] * args.repeat)
    steps["switch export format"] = lambda: (
        export.selectbox(key="export_formaat").set_value(next(formats)).run()
    )
    gebieden = on_page("views/gebieden.py")

    def preview() -> None:
        [button] = [b for b in gebieden.button if str(b.key).startswith("voorstel_maken")]
        button.click().run()

    steps["re-plan preview"] = preview

    print(f"app benchmark: demo project, median of {args.repeat} runs (AppTest, no browser)")
    print(f"{'step':<26}{'s':>8}{'× empty page':>14}")
    print(f"{'peer: an empty page':<26}{peer:>8.3f}{1.0:>14.1f}")
    for name, step in steps.items():
        fresh()
        seconds = timed(step, args.repeat)
        print(f"{name:<26}{seconds:>8.3f}{seconds / peer:>14.1f}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
