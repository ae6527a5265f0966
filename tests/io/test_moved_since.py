"""Members that changed group since a chosen change: who the planner has to tell."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from geo.config import Settings
from geo.project import (
    MOVED_COLUMNS,
    confirm_replan,
    moved_since,
    propose_replan,
)
from geo.rosters import roster_csv
from geo.sources import Wijk
from geo.store import StoreError
from tests.io.test_replan_store import project
from tests.io.test_store import wijk  # noqa: F401 - the fixture


def test_after_a_replan_the_moved_members_are_listed_with_old_and_new_area(
    tmp_path: Path,
    wijk: Wijk,  # noqa: F811
) -> None:
    store, settings = project(tmp_path, wijk)
    placed = int(store.history()["id"].iloc[-1])  # the first plan: everyone was new then
    before = store.applicants("accepted").set_index("id")["area_id"].astype(int)
    lower = Settings(cache_dir=settings.cache_dir, max_members=60)
    confirm_replan(store, propose_replan(store, settings=lower))
    replanned = int(store.history()["id"].iloc[-1])
    after = store.applicants("accepted").set_index("id")["area_id"].astype(int)

    moved = moved_since(store, replanned)
    assert list(moved.columns) == list(MOVED_COLUMNS)
    expected = after.index[after != before]
    assert len(moved) == len(expected) > 0
    people = store.applicants("accepted").set_index("id")
    for row in moved.itertuples():
        member = people.loc[people["telefoon"] == row.telefoon]
        assert member["naam"].iloc[0] == row.naam
        (member_id,) = member.index
        assert (row.van_gebied, row.naar_gebied) == (before[member_id], after[member_id])
        assert row.naar_gebied != row.van_gebied
    plan = store.plan()
    assert plan is not None
    names = dict(zip(plan.areas["area_id"], plan.areas["name"], strict=True))
    assert all(names[a] == n for a, n in zip(moved["naar_gebied"], moved["naar_naam"], strict=True))
    assert moved["van_naam"].str.len().gt(0).all(), "the old group's name, as it was"

    assert moved_since(store, placed).empty, "placed for the first time: nobody changed group"
    not_plan = int(store.history().query("not undoable")["id"].iloc[0])
    with pytest.raises(StoreError, match="veranderde de indeling niet"):
        moved_since(store, not_plan)

    store.close()


def test_the_download_is_dutch_excel() -> None:
    frame = pd.DataFrame(
        {"naam": ["Émile =Test", "Ans"], "telefoon": ["+31612345678", "+31612345679"],
         "beheerder": [True, False], "van_gebied": [1, 2]}
    )  # fmt: skip
    data = roster_csv(frame)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["naam", "telefoon", "beheerder", "van_gebied"]
    assert rows[1] == ["Émile =Test", "+31612345678", "ja", "1"]
    assert rows[2][2] == "nee"
    assert roster_csv(frame.assign(naam=["=1+1", "Ans"])).decode("utf-8-sig").count("'=1+1")
