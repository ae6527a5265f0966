"""A private copy of a built project, opened by the app in demo mode (the planner's role)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest

PASSWORD_HASHES = ("GEO_PLANNER_PASSWORD_HASH", "GEO_MUNICIPALITY_PASSWORD_HASH")


def open_copy(
    template: Path, folder: Path, monkeypatch: pytest.MonkeyPatch, *, unset: Iterable[str] = ()
) -> Path:
    """``template`` copied to ``folder/demo.sqlite`` (owner only), with the app's data and
    cache there and no password set (demo mode); ``unset`` names more settings to clear."""
    copy = folder / "demo.sqlite"
    shutil.copyfile(template, copy)
    copy.chmod(0o600)
    monkeypatch.setenv("GEO_DATA_DIR", str(folder))
    monkeypatch.setenv("GEO_CACHE_DIR", str(folder / "cache"))
    for name in (*PASSWORD_HASHES, *unset):
        monkeypatch.delenv(name, raising=False)
    return copy
