"""The walkthrough notebook runs from top to bottom on the embedded demo, offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
# The kernel talks to its client over local TCP, which pytest-socket blocks in this process,
# so the notebook runs in a child process (where it must manage without the network anyway).
RUN = """
import sys, nbclient, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
nbclient.NotebookClient(nb, timeout=600, kernel_name="python3").execute()
"""


@pytest.mark.slow
@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_runs_cleanly(notebook: Path) -> None:
    stored = nbformat.read(notebook, as_version=4)
    assert all(not cell.get("outputs") for cell in stored.cells if cell.cell_type == "code"), (
        "notebooks are kept without outputs (no data in git)"
    )
    result = subprocess.run(
        [sys.executable, "-c", RUN, str(notebook)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_there_is_a_walkthrough() -> None:
    assert (NOTEBOOKS / "walkthrough.ipynb").exists()
