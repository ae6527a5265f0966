"""The project store: schema and migrations, incremental work, privacy, and real failures."""

from __future__ import annotations

import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.cli import EXIT_ERROR, main
from geo.config import Settings
from geo.project import import_applicants, place_members
from geo.sources import Wijk, save_wijk
from geo.store import MIGRATIONS, Store, StoreError
from tests.conftest import write_text
from tests.grids import RD, grid_boundary, grid_streets, members_along

REPO = Path(__file__).parents[2]


@pytest.fixture
def wijk() -> Wijk:
    streets = grid_streets(4, 4)
    boundary = gpd.GeoDataFrame({"name": ["Oud-Geleen"]}, geometry=[grid_boundary(4, 4)], crs=RD)
    addresses = gpd.GeoDataFrame({"straat": [], "huisnummer": []}, geometry=[], crs=RD)
    return Wijk(boundary.to_crs(4326), streets.to_crs(4326), addresses.to_crs(4326))


def sign_up_sheet(path: Path, count: int, *, seed: int, first_phone: int = 0) -> Path:
    """Fictitious sign-ups with coordinates (they skip geocoding) on the grid's streets."""
    people = members_along(grid_streets(4, 4), count, seed=seed).to_crs(4326)
    lines = ["Naam;Straat;Huisnummer;Woonplaats;Leeftijd;Telefoon;Beheerder;lat;lon"]
    for n, row in enumerate(people.itertuples()):
        phone = f"06{20_000_000 + first_phone + n:08d}"
        lines.append(
            f"Deelnemer {first_phone + n};{row.straat};{row.huisnummer};Geleen;40;{phone};"
            f"{'ja' if n % 25 == 0 else ''};{row.geometry.y:.7f};{row.geometry.x:.7f}"
        )
    return write_text(path, "\n".join(lines) + "\n")


def test_a_new_project_has_the_current_schema_and_refuses_newer_files(
    tmp_path: Path, wijk: Wijk
) -> None:
    store = Store.create(tmp_path / "p.sqlite", wijk, max_members=255, fill=0.8)
    assert store.schema_version == len(MIGRATIONS)
    assert store.integrity() == "ok"
    journal = store._db.execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"
    for file in tmp_path.glob("p.sqlite*"):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, f"{file.name} holds personal data"
    store.close()
    with sqlite3.connect(tmp_path / "p.sqlite") as raw:
        raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="nieuwere versie"):
        Store.open(tmp_path / "p.sqlite")
    with pytest.raises(StoreError, match="bestaat niet"):
        Store.open(tmp_path / "nergens.sqlite")
    with pytest.raises(StoreError, match="bestaat al"):
        Store.create(tmp_path / "p.sqlite", wijk, max_members=255, fill=0.8)


def test_an_old_file_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "oud.sqlite"
    sqlite3.connect(path).close()  # an empty file at schema 0
    store = Store.open(path)
    assert store.schema_version == len(MIGRATIONS)
    assert store.status().areas == 0


def test_sign_ups_arrive_in_batches_and_nobody_moves(tmp_path: Path, wijk: Wijk) -> None:
    settings = Settings(cache_dir=tmp_path / "cache", max_members=100)
    store = Store.create(tmp_path / "p.sqlite", wijk, max_members=100, fill=0.8)
    first = import_applicants(
        store, sign_up_sheet(tmp_path / "a.csv", 150, seed=1), settings=settings
    )
    assert first == {"rows": 150, "accepted": 150, "rejected": 0, "pending": 0}
    placement = place_members(store, settings=settings)
    assert placement.placed == 150
    before = store.applicants("accepted").set_index("telefoon")["area_id"]
    sheet = sign_up_sheet(tmp_path / "b.csv", 40, seed=2, first_phone=1000)
    import_applicants(store, sheet, settings=settings)
    placement = place_members(store, settings=settings)
    after = store.applicants("accepted").set_index("telefoon")["area_id"]
    moved = (after.loc[before.index] != before).sum()
    assert moved == placement.moved_existing
    if not placement.split:
        assert moved == 0
    status = store.status()
    assert status.applicants["accepted"] == 190
    assert max(status.members_per_area.values()) <= 100
    again = import_applicants(store, sheet, settings=settings)
    assert again["accepted"] == 0, "the same phone numbers are not taken twice"
    actions = list(store.history()["action"])
    assert actions[:3] == ["aangemaakt", "aanmeldingen ingelezen", "eerste plan"]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store._db.execute("DELETE FROM history")


def test_forget_removes_every_byte_of_a_person(tmp_path: Path, wijk: Wijk) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")
    path = tmp_path / "p.sqlite"
    store = Store.create(path, wijk, max_members=255, fill=0.8)
    import_applicants(store, sign_up_sheet(tmp_path / "a.csv", 60, seed=3), settings=settings)
    place_members(store, settings=settings)
    beheerder = store.applicants("accepted").query("is_beheerder == 1").iloc[0]
    assert store.forget(str(beheerder["telefoon"])) == 1
    assert store.forget("+31600000000") == 0
    store.close()
    for file in [path, *path.parent.glob("p.sqlite-*")]:
        data = file.read_bytes()
        assert str(beheerder["naam"]).encode() not in data
        assert str(beheerder["telefoon"]).encode() not in data
    store = Store.open(path)
    assert int(beheerder["area_id"]) in store.status().areas_without_beheerder
    assert store.history()["action"].iloc[-1] == "persoon verwijderd (AVG)"
    assert str(beheerder["telefoon"]) not in store.history().to_string()


def test_backup_while_in_use_and_restore(tmp_path: Path, wijk: Wijk) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")
    store = Store.create(tmp_path / "p.sqlite", wijk, max_members=255, fill=0.8)
    import_applicants(store, sign_up_sheet(tmp_path / "a.csv", 30, seed=4), settings=settings)
    copy = store.backup(tmp_path / "kopie.sqlite")
    with pytest.raises(StoreError, match="bestaat al"):
        store.backup(copy)
    restored = Store.restore(copy, tmp_path / "terug.sqlite")
    pd.testing.assert_frame_equal(
        restored.applicants().drop(columns="created"), store.applicants().drop(columns="created")
    )
    assert restored.history()["action"].iloc[-1] == "reservekopie teruggezet"


WRITER = textwrap.dedent(
    """
    import sys, pandas as pd
    from pathlib import Path
    from geo.store import Store
    store = Store.open(Path(sys.argv[1]))
    start, count, batch = (int(a) for a in sys.argv[2:5])
    for first in range(start, start + count, batch):
        rows = pd.DataFrame({"naam": [f"Schrijver {n}" for n in range(first, first + batch)],
                             "telefoon": [f"+316{n:08d}" for n in range(first, first + batch)]})
        store.add_applicants(rows, rows.iloc[0:0], rows.iloc[0:0], source="test")
    """
)


def writer(path: Path, start: int, count: int, batch: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(start), str(count), str(batch)], cwd=REPO
    )


def test_two_writers_at_once_lose_nothing(tmp_path: Path, wijk: Wijk) -> None:
    path = tmp_path / "p.sqlite"
    Store.create(path, wijk, max_members=255, fill=0.8).close()
    processes = [writer(path, 0, 200, 10), writer(path, 10_000, 200, 10)]
    assert [p.wait(timeout=120) for p in processes] == [0, 0]
    store = Store.open(path)
    assert store.status().applicants["accepted"] == 400
    assert store.integrity() == "ok"
    assert (store.history()["action"] == "aanmeldingen ingelezen").sum() == 40


def test_a_writer_killed_mid_batch_leaves_whole_batches(tmp_path: Path, wijk: Wijk) -> None:
    path = tmp_path / "p.sqlite"
    Store.create(path, wijk, max_members=255, fill=0.8).close()
    process = writer(path, 0, 1_000_000, 500)
    deadline = time.monotonic() + 60
    store = Store.open(path)
    while store.status().applicants["accepted"] < 1500 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    store.close()
    store = Store.open(path)
    assert store.integrity() == "ok"
    count = store.status().applicants["accepted"]
    assert count >= 1500 and count % 500 == 0, "only whole transactions are kept"
    assert (store.history()["action"] == "aanmeldingen ingelezen").sum() == count // 500


def test_an_unwritable_place_is_a_clear_error(tmp_path: Path, wijk: Wijk) -> None:
    blocker = tmp_path / "bestand"
    blocker.write_text("geen map", encoding="utf-8")
    with pytest.raises(StoreError, match="kan projectbestand"):
        Store.create(blocker / "p.sqlite", wijk, max_members=255, fill=0.8)


def test_project_commands(tmp_path: Path, wijk: Wijk, capsys: pytest.CaptureFixture[str]) -> None:
    wijk_file = tmp_path / "wijk.gpkg"
    save_wijk(wijk, wijk_file)  # a wijk without an address register
    project = tmp_path / "oud-geleen.sqlite"
    base = ["project"]
    assert main([*base, "init", "--project", str(project), "--wijk", str(wijk_file)]) == 0
    sheet = sign_up_sheet(tmp_path / "a.csv", 80, seed=5)
    assert (
        main([*base, "import", "--project", str(project), "--applicants", str(sheet), "--offline"])
        == 0
    )
    out = capsys.readouterr().out
    assert "80 aangenomen" in out and "80 leden geplaatst" in out
    assert main([*base, "status", "--project", str(project)]) == 0
    assert "gebied 1:" in capsys.readouterr().out
    assert (
        main([*base, "backup", "--project", str(project), "--to", str(tmp_path / "k.sqlite")]) == 0
    )
    assert main([*base, "forget", "--project", str(project), "--telefoon", "06 2000 0000"]) == 0
    assert "1 aanmelding(en) verwijderd" in capsys.readouterr().out
    assert main([*base, "forget", "--project", str(project), "--telefoon", "12"]) == EXIT_ERROR
    assert capsys.readouterr().err.startswith("fout:")
    assert main([*base, "status", "--project", str(tmp_path / "geen.sqlite")]) == EXIT_ERROR


@pytest.mark.slow
def test_a_project_takes_over_an_existing_plan_folder(tmp_path: Path) -> None:
    plan_dir = tmp_path / "plan"
    assert main(["demo", "--out", str(plan_dir), "--count", "400"]) == 0
    project = tmp_path / "p.sqlite"
    assert main(["project", "init", "--project", str(project), "--plan", str(plan_dir)]) == 0
    store = Store.open(project)
    plan = store.plan()
    assert plan is not None
    roster = pd.read_csv(plan_dir / "members.csv", dtype=str, encoding="utf-8-sig")
    assert len(plan.members) == len(roster)
    assert sorted(plan.members["telefoon"]) == sorted(roster["telefoon"])
    on_disk = gpd.read_file(plan_dir / "areas.geojson").set_index("area_id")
    for area_id, members in store.status().members_per_area.items():
        assert members == on_disk.loc[area_id, "members"]
    assert set(store.plan().areas["version"]) == {1}


def test_a_schema_1_file_gains_the_reject_cells_and_keeps_its_rows(tmp_path: Path) -> None:
    from geo.store import _statements

    path = tmp_path / "v1.sqlite"
    with sqlite3.connect(path) as raw:
        for statement in _statements(MIGRATIONS[0]):
            raw.execute(statement)
        raw.execute("PRAGMA user_version = 1")
        raw.execute(
            "INSERT INTO applicants (naam, telefoon, status, created) "
            "VALUES ('Fenna Fictief', '+31612345678', 'accepted', '2026-01-01')"
        )
    store = Store.open(path)
    assert store.schema_version == len(MIGRATIONS) == 2
    rows = store.applicants()
    assert list(rows["naam"]) == ["Fenna Fictief"] and list(rows["original"]) == ["{}"]
