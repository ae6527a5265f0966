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
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest

from geo.cli import EXIT_ERROR, main
from geo.config import Settings
from geo.project import import_applicants, people_to_forget, place_members
from geo.sources import Wijk, save_wijk
from geo.store import APPLICATION_ID, MIGRATIONS, SHARED_PHONE, Store, StoreError
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


def test_an_import_brings_the_notes_about_the_file(tmp_path: Path, wijk: Wijk) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")
    store = Store.create(tmp_path / "p.sqlite", wijk, max_members=100, fill=0.8)
    rows = sign_up_sheet(tmp_path / "a.csv", 3, seed=5).read_text().splitlines()
    extra = [f"{row};x" for row in rows]  # a column the intake does not know
    extra[0] = extra[0].removesuffix(";x") + ";Lievelingskleur"
    counts = import_applicants(
        store, write_text(tmp_path / "b.csv", "\n".join(extra) + "\n"), settings=settings
    )
    assert counts["accepted"] == 3
    assert counts.notes == ("kolommen niet gelezen: 'Lievelingskleur'",)


def test_a_later_sign_up_with_a_members_name_and_address_is_marked_for_checking(
    tmp_path: Path, wijk: Wijk
) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")
    store = Store.create(tmp_path / "p.sqlite", wijk, max_members=100, fill=0.8)
    first = sign_up_sheet(tmp_path / "a.csv", 3, seed=5).read_text().splitlines()
    import_applicants(
        store, write_text(tmp_path / "a.csv", "\n".join(first) + "\n"), settings=settings
    )
    cells = first[1].split(";")
    cells[5] = "0629999999"  # the same person, a new phone (review 53: silently a second member)
    later = [first[0], ";".join(cells), first[2].replace(";0620000001;", ";0629999998;")]
    counts = import_applicants(
        store, write_text(tmp_path / "b.csv", "\n".join(later) + "\n"), settings=settings
    )
    assert counts["accepted"] == 2
    people = store.applicants("accepted").set_index("telefoon")["opmerking"]
    assert people["+31629999999"].startswith("controleren: zelfde naam en adres")
    assert people["+31629999998"].startswith("controleren: zelfde naam en adres")
    assert people["+31620000000"] == "", "the first sign-up is not the one to check"


def test_sign_ups_arrive_in_batches_and_nobody_moves(tmp_path: Path, wijk: Wijk) -> None:
    settings = Settings(cache_dir=tmp_path / "cache", max_members=100)
    store = Store.create(tmp_path / "p.sqlite", wijk, max_members=100, fill=0.8)
    first = import_applicants(
        store, sign_up_sheet(tmp_path / "a.csv", 150, seed=1), settings=settings
    )
    assert first == {
        "rows": 150, "accepted": 150, "rejected": 0, "pending": 0, "already": 0, "replaced": 0,
        "waited": 0,
    }  # fmt: skip
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
    assert again["already"] == 40 and store.status().applicants["rejected"] == 0
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


def test_placing_works_after_everyone_left_and_when_only_outsiders_arrive(
    tmp_path: Path, wijk: Wijk
) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")
    store = Store.create(tmp_path / "p.sqlite", wijk, max_members=255, fill=0.8)
    import_applicants(store, sign_up_sheet(tmp_path / "a.csv", 1, seed=3), settings=settings)
    place_members(store, settings=settings)
    (only,) = store.applicants("accepted")["telefoon"]
    assert store.forget(str(only)) == 1
    sheet = sign_up_sheet(tmp_path / "b.csv", 2, seed=4, first_phone=100)
    import_applicants(store, sheet, settings=settings)
    assert place_members(store, settings=settings).placed == 2
    placed = store.applicants("accepted")
    assert placed["area_id"].notna().all() and len(placed) == 2
    assert sorted(store.plan().members["member_id"]) == sorted(placed["id"])
    far = sheet.read_text().splitlines()[:2]
    far[1] = ";".join(
        [*far[1].split(";")[:2], "1", "Geleen", "40", "0620009999", "", "51.5", "5.0"]
    )
    import_applicants(
        store, write_text(tmp_path / "c.csv", "\n".join(far) + "\n"), settings=settings
    )
    placement = place_members(store, settings=settings)
    assert (placement.placed, placement.outside) == (0, 1)
    assert store.status().applicants["rejected"] == 1
    assert store.applicants("accepted")["area_id"].notna().all()


def test_a_reject_without_a_valid_number_is_forgotten_by_its_number(
    tmp_path: Path, wijk: Wijk, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")
    path = tmp_path / "p.sqlite"
    store = Store.create(path, wijk, max_members=255, fill=0.8)
    rows = sign_up_sheet(tmp_path / "a.csv", 3, seed=3).read_text().splitlines()
    rows[1] = rows[1].replace("Deelnemer 0;", "Fout Fictief;").replace(";0620000000;", ";0612;")
    rows[2] = rows[2].replace("Deelnemer 1;", "Zonder Fictief;").replace(";0620000001;", ";;")
    import_applicants(
        store, write_text(tmp_path / "b.csv", "\n".join(rows) + "\n"), settings=settings
    )
    listed = people_to_forget(store, regions=("NL",))
    assert {label.split(" — ")[0] for label in listed} >= {"Fout Fictief", "Zonder Fictief"}
    ids = store.applicants("rejected").set_index("naam")["id"]
    store.close()
    capsys.readouterr()
    assert main(["project", "forget", "--project", str(path), "--telefoon", "0612"]) == EXIT_ERROR
    assert "--nummer" in capsys.readouterr().err
    for name in ("Fout Fictief", "Zonder Fictief"):
        forget = ["project", "forget", "--project", str(path), "--nummer", str(ids[name])]
        assert main(forget) == 0
        assert "1 aanmelding verwijderd" in capsys.readouterr().out
    for file in [path, *path.parent.glob("p.sqlite-*")]:
        data = file.read_bytes()
        assert b"Fout Fictief" not in data and b"Zonder Fictief" not in data
    store = Store.open(path)
    assert store.status().applicants["rejected"] == 0 and store.status().applicants["accepted"] == 1


def test_forgetting_a_sign_up_leaves_the_household_sharing_its_number(
    tmp_path: Path, wijk: Wijk
) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")
    store = Store.create(tmp_path / "p.sqlite", wijk, max_members=255, fill=0.8)
    rows = sign_up_sheet(tmp_path / "a.csv", 3, seed=3).read_text().splitlines()
    partner = rows[1].replace("Deelnemer 0;", "Partner Fictief;")  # the same phone number
    no_phone = rows[2].replace("Deelnemer 1;", "Zonder Fictief;").replace(";0620000001;", ";;")
    cells = rows[1].split(";")
    again = ";".join(["Deelnemer 0", "", "", "Geleen", "40", "06-2000 0000", "", "", ""])
    neighbour = ";".join(["Karel Buur", *cells[1:4], "15", "0620009998", "", *cells[7:]])
    lines = [rows[0] + ";Opmerking", *(f"{row};" for row in (*rows[1:], partner, no_phone, again)),
             f"{neighbour};buurman van Deelnemer 0"]  # fmt: skip
    import_applicants(
        store, write_text(tmp_path / "b.csv", "\n".join(lines) + "\n"), settings=settings
    )
    assert set(store.applicants("rejected")["naam"]) >= {"Deelnemer 0", "Karel Buur"}
    people = people_to_forget(store, regions=("NL",))
    (zonder,) = [label for label in people if label.startswith("Zonder Fictief")]
    assert "geen geldig telefoonnummer" in zonder, "a latitude cell is no phone number"
    (member,) = [
        label for label in people if label.startswith("Deelnemer 0") and "aangenomen" in label
    ]
    assert store.forget_sign_up(people[member]) == 2, "the member and their own reject"
    names = set(store.applicants()["naam"])
    assert "Deelnemer 0" not in names and "Partner Fictief" in names, "the household stays"
    assert "Karel Buur" in names, "a neighbour whose note names the person stays"


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
    assert "1 aanmelding verwijderd" in capsys.readouterr().out
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
    assert store.schema_version == len(MIGRATIONS) == 5
    rows = store.applicants()
    assert list(rows["naam"]) == ["Fenna Fictief"] and list(rows["original"]) == ["{}"]
    application_id = store._db.execute("PRAGMA application_id").fetchone()[0]
    assert application_id == APPLICATION_ID, "a project of an earlier version is now marked"


# --- issue 12: the project store under a hostile user ------------------------------------------


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` with its bytes (to prove nothing was written)."""
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir()) if f.is_file()}


def corrupt(path: Path, table: str = "applicants") -> None:
    """Overwrite the first page of ``table`` with garbage (a damaged disk sector)."""
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (root,) = raw.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
        (size,) = raw.execute("PRAGMA page_size").fetchone()
    raw.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * size)
        handle.write(b"\xff" * 64)


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("fout: ") and "\n" not in err and "Traceback" not in err, err
    return err


def project_with_people(tmp_path: Path, wijk: Wijk, count: int = 30) -> Path:
    path = tmp_path / "p.sqlite"
    store = Store.create(path, wijk, max_members=255, fill=0.8)
    sheet = sign_up_sheet(tmp_path / "a.csv", count, seed=6)
    import_applicants(store, sheet, settings=Settings(cache_dir=tmp_path / "cache"))
    store.close()
    return path


def test_item2_a_corrupt_page_is_one_clear_error_and_nothing_is_written(
    tmp_path: Path, wijk: Wijk, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project_with_people(tmp_path, wijk)
    corrupt(path)
    before = files_in(tmp_path)
    with pytest.raises(StoreError, match=r"beschadigd.*project restore"):
        Store.open(path)
    for action in ("status", "assign"):
        assert main(["project", action, "--project", str(path)]) == EXIT_ERROR
        assert "beschadigd" in one_error_line(capsys)
    assert files_in(tmp_path) == before


def test_item2_a_read_only_project_file_is_one_clear_error(
    tmp_path: Path, wijk: Wijk, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project_with_people(tmp_path, wijk)
    real_connect = sqlite3.connect

    def read_only(database: str | Path, **kwargs: Any) -> sqlite3.Connection:
        """What SQLite does when it may not write the file (the tests may run as root)."""
        if str(database) == str(path):
            database, kwargs = f"{path.as_uri()}?mode=ro", {**kwargs, "uri": True}
        connection: sqlite3.Connection = real_connect(database, **kwargs)
        return connection

    monkeypatch.setattr(sqlite3, "connect", read_only)
    sheet = sign_up_sheet(tmp_path / "b.csv", 5, seed=7, first_phone=500)
    assert main(["project", "status", "--project", str(path)]) == 0, "reading still works"
    assert "30 aangenomen" in capsys.readouterr().out
    for argv in (
        ["import", "--applicants", str(sheet), "--offline"],
        ["forget", "--telefoon", "06 2000 0000"],
    ):
        assert main(["project", argv[0], "--project", str(path), *argv[1:]]) == EXIT_ERROR
        assert "alleen-lezen" in one_error_line(capsys)
    monkeypatch.undo()
    store = Store.open(path)
    assert store.status().applicants["accepted"] == 30, "nothing half-written"
    assert store.integrity() == "ok"


def test_item2_two_imports_of_the_same_people_at_once(
    tmp_path: Path, wijk: Wijk, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.sqlite"
    Store.create(path, wijk, max_members=255, fill=0.8).close()
    first, second = Store.open(path), Store.open(path)
    rows = pd.DataFrame(
        {
            "naam": [f"Tweeling {n}" for n in range(20)],
            "telefoon": [f"+3162{n:07d}" for n in range(20)],
        }
    )

    class Racing:
        """The connection of the second import; the first one commits just before it writes."""

        def __init__(self, db: sqlite3.Connection) -> None:
            self.db, self.raced = db, False

        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
            if sql == "BEGIN IMMEDIATE" and not self.raced:
                self.raced = True
                first.add_applicants(rows, rows.iloc[0:0], rows.iloc[0:0], source="eerste")
            return self.db.execute(sql, *args)

        def __getattr__(self, name: str) -> object:
            return getattr(self.db, name)

    monkeypatch.setattr(second, "_db", Racing(second._db))
    added = second.add_applicants(rows, rows.iloc[0:0], rows.iloc[0:0], source="tweede")
    assert added.ids == [] and added.already == 20, "conflicts are 'al aangemeld', no traceback"
    assert first.status().applicants == {"accepted": 20, "rejected": 0, "pending": 0, "removed": 0}


def test_item2_two_processes_import_the_same_people(tmp_path: Path, wijk: Wijk) -> None:
    path = tmp_path / "p.sqlite"
    Store.create(path, wijk, max_members=255, fill=0.8).close()
    processes = [writer(path, 0, 200, 20), writer(path, 0, 200, 20)]
    assert [p.wait(timeout=120) for p in processes] == [0, 0], "no UNIQUE constraint traceback"
    store = Store.open(path)
    assert store.status().applicants == {"accepted": 200, "rejected": 0, "pending": 0, "removed": 0}


CRASHING_IMPORT = textwrap.dedent(
    """
    import os, sys, pandas as pd
    from pathlib import Path
    from geo.store import Store
    store = Store.open(Path(sys.argv[1]))
    rows = pd.DataFrame({"naam": [f"Laatkomer {n}" for n in range(25)],
                         "telefoon": [f"+3163{n:07d}" for n in range(25)]})
    store.add_applicants(rows, rows.iloc[0:0], rows.iloc[0:0], source="test")
    os._exit(0)  # a crash: committed, but still only in the WAL file
    """
)


def crashed_import(path: Path) -> None:
    subprocess.run([sys.executable, "-c", CRASHING_IMPORT, str(path)], cwd=REPO, check=True)
    assert path.with_name(path.name + "-wal").stat().st_size > 0, "the import is in the WAL"


def test_item6_restore_is_refused_while_the_project_is_open_or_crashed(
    tmp_path: Path, wijk: Wijk
) -> None:
    path = project_with_people(tmp_path, wijk)
    copy = Store.open(path).backup(tmp_path / "kopie.sqlite")
    in_use = Store.open(path)  # e.g. the app
    path.rename(tmp_path / "opzij.sqlite")  # the planner puts the file aside, not its WAL
    with pytest.raises(StoreError, match=r"p\.sqlite-wal.*nog open.*niet netjes afgesloten"):
        Store.restore(copy, path)
    assert not path.exists()
    in_use.close()
    for stale in tmp_path.glob("p.sqlite-*"):
        stale.unlink()
    path = project_with_people(tmp_path / "tweede", wijk)
    crashed_import(path)
    path.rename(path.with_name("opzij.sqlite"))
    with pytest.raises(StoreError, match="niet netjes afgesloten"):
        Store.restore(copy, path)


def test_item6_open_checkpoints_what_a_crash_left_in_the_wal(tmp_path: Path, wijk: Wijk) -> None:
    path = project_with_people(tmp_path, wijk)
    crashed_import(path)
    store = Store.open(path)
    assert path.with_name("p.sqlite-wal").stat().st_size == 0, "checkpointed on open"
    with sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True) as raw:
        (count,) = raw.execute("SELECT COUNT(*) FROM applicants").fetchone()
    assert count == 55, "a copy of the file alone now holds the crashed import"
    store.close()


def test_item6_a_corrupt_backup_is_refused_not_restored(tmp_path: Path, wijk: Wijk) -> None:
    path = project_with_people(tmp_path, wijk)
    copy = Store.open(path).backup(tmp_path / "kopie.sqlite")
    assert Store.open(copy).integrity() == "ok"  # the copy was checked when it was made
    corrupt(copy)
    target = tmp_path / "terug.sqlite"
    with pytest.raises(StoreError, match=r"reservekopie .*kopie\.sqlite is beschadigd"):
        Store.restore(copy, target)
    assert not list(tmp_path.glob("terug.sqlite*")), "nothing copied"


def test_item6_restore_only_reads_the_backup(tmp_path: Path, wijk: Wijk) -> None:
    path = project_with_people(tmp_path, wijk)
    copy = Store.open(path).backup(tmp_path / "kopie.sqlite")
    before = files_in(tmp_path)
    restored = Store.restore(copy, tmp_path / "terug.sqlite")
    assert restored.status().applicants["accepted"] == 30
    restored.close()
    after = files_in(tmp_path)
    assert {name: after[name] for name in before} == before
    assert set(after) - set(before) == {"terug.sqlite"}


def test_item8_a_project_never_holds_more_than_whatsapp_allows(tmp_path: Path, wijk: Wijk) -> None:
    for cap in (256, 300, 0):
        with pytest.raises(StoreError, match=r"WhatsApp|minstens 1"):
            Store.create(tmp_path / f"p{cap}.sqlite", wijk, max_members=cap, fill=0.8)
        assert not (tmp_path / f"p{cap}.sqlite").exists()
    path = tmp_path / "oud.sqlite"
    Store.create(path, wijk, max_members=255, fill=0.8).close()
    with sqlite3.connect(path) as raw:  # a file from before the cap was checked
        raw.execute("UPDATE meta SET value = '300' WHERE key = 'max_members'")
    raw.close()
    store = Store.open(path)
    assert store.notices and "300" in store.notices[0] and "255" in store.notices[0]
    assert store.max_members == 255 and store.setting("max_members") == "255"
    assert store.history()["action"].iloc[-1] == "maximum per groep begrensd"
    store.close()
    assert Store.open(path).notices == [], "said once, then recorded"


def test_item8_placing_uses_the_cap_recorded_in_the_project(tmp_path: Path, wijk: Wijk) -> None:
    store = Store.create(tmp_path / "p.sqlite", wijk, max_members=40, fill=0.8)
    settings = Settings(cache_dir=tmp_path / "cache")  # the default cap, 255
    import_applicants(store, sign_up_sheet(tmp_path / "a.csv", 100, seed=8), settings=settings)
    place_members(store, settings=settings)
    assert max(store.status().members_per_area.values()) <= 40
    sheet = sign_up_sheet(tmp_path / "b.csv", 60, seed=9, first_phone=1000)
    import_applicants(store, sheet, settings=settings)
    place_members(store, settings=settings)
    assert max(store.status().members_per_area.values()) <= 40, "assign keeps the project's cap"
    plan = store.plan()
    assert plan is not None and set(plan.areas["capacity_left"] + plan.areas["members"]) == {40}


def test_item8_project_assign_uses_the_recorded_cap(
    tmp_path: Path, wijk: Wijk, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.sqlite"
    Store.create(path, wijk, max_members=30, fill=0.8).close()
    sheet = sign_up_sheet(tmp_path / "a.csv", 90, seed=10)
    argv = ["project", "import", "--project", str(path), "--applicants", str(sheet), "--offline"]
    assert main(argv) == 0
    members = [int(line.split(":")[1].split()[0]) for line in capsys.readouterr().out.splitlines()
               if line.strip().startswith("gebied ")]  # fmt: skip
    assert members and max(members) <= 30


def test_item10_forget_finds_a_person_in_every_table(tmp_path: Path, wijk: Wijk) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")
    path = tmp_path / "p.sqlite"
    store = Store.create(path, wijk, max_members=255, fill=0.8)
    home = members_along(grid_streets(4, 4), 1, seed=11).to_crs(4326).iloc[0]
    header = "Naam;Straat;Huisnummer;Woonplaats;Leeftijd;Telefoon;E-mail;Beheerder;lat;lon\n"

    def person(name: str, age: int, phone: str, mail: str = "") -> str:
        where = f"{home.straat};{home.huisnummer};Geleen"
        return (
            f"{name};{where};{age};{phone};{mail};ja;{home.geometry.y:.7f};{home.geometry.x:.7f}\n"
        )

    first = header + person("Fenna Fictief", 44, "06 2999 0001", "fenna@voorbeeld.nl")
    first += person("Bram Buur", 50, "06 2999 0002")
    import_applicants(store, write_text(tmp_path / "a.csv", first), settings=settings)
    place_members(store, settings=settings)
    later = header + person("Fenna Fictief", 17, "06-2999 0001", "fenna@voorbeeld.nl")
    later += person("fenna  fictief", 16, "0629990010")  # a mistyped number: name + address
    later += person("Cas Buur", 15, "0629990003")  # same address, another person: stays
    sheet = write_text(tmp_path / "aanmelding Fenna Fictief.csv", later)  # named in the history
    import_applicants(store, sheet, settings=settings)
    store.decide_sign("5.80000,50.97000", "accepted", note="bord bij het huis van Fenna Fictief")
    assert store.status().applicants["rejected"] == 3

    assert store.forget("+31629990001") == 3
    left = store.applicants()
    assert sorted(left["naam"]) == ["Bram Buur", "Cas Buur"]
    assert "Fenna" not in store.history()["details"].str.cat()
    assert "Fenna" not in store.sign_decisions()["note"].str.cat()
    store.close()
    for file in [path, *tmp_path.glob("p.sqlite-*")]:
        data = file.read_bytes().lower()
        for trace in (b"fenna", b"fictief", b"29990001", b"2999 0001", b"29990010"):
            assert trace not in data, f"{trace!r} left in {file.name}"
    store = Store.open(path)
    assert store.history()["action"].iloc[-1] == "persoon verwijderd (AVG)"
    assert store.integrity() == "ok"


def test_item17_a_file_that_is_no_project_is_refused_and_left_untouched(
    tmp_path: Path, wijk: Wijk, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "bestanden"
    folder.mkdir()
    (folder / "leeg.sqlite").write_bytes(b"")
    with sqlite3.connect(folder / "ander.sqlite") as raw:
        raw.execute("CREATE TABLE notities (tekst TEXT)")
        raw.execute("INSERT INTO notities VALUES ('boodschappen')")
    raw.close()
    save_wijk(wijk, folder / "wijk.gpkg")
    (folder / "tekst.sqlite").write_text("geen database", encoding="utf-8")
    before = files_in(folder)
    for name, why in (
        ("leeg.sqlite", "leeg"),
        ("ander.sqlite", "ander SQLite-bestand"),
        ("wijk.gpkg", "GeoPackage"),
        ("tekst.sqlite", "geen SQLite-bestand"),
    ):
        with pytest.raises(StoreError, match=f"is geen projectbestand.*{why}"):
            Store.open(folder / name)
        assert main(["project", "status", "--project", str(folder / name)]) == EXIT_ERROR
        assert "geen projectbestand" in one_error_line(capsys)
        assert main(["export", "--project", str(folder / name), "--out", str(tmp_path / "x")]) == 1
        capsys.readouterr()
    assert files_in(folder) == before, "not migrated, no journal mode changed, no WAL left"


def test_item17_new_projects_carry_an_application_id(tmp_path: Path, wijk: Wijk) -> None:
    path = tmp_path / "p.sqlite"
    Store.create(path, wijk, max_members=255, fill=0.8).close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    raw.close()
    assert Store.open(path).status().applicants["accepted"] == 0


def test_item18_a_re_import_is_already_signed_up_not_new_rejects(
    tmp_path: Path, wijk: Wijk
) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")
    store = Store.create(tmp_path / "p.sqlite", wijk, max_members=255, fill=0.8)
    sheet = sign_up_sheet(tmp_path / "a.csv", 20, seed=12)
    lines = sheet.read_text(encoding="utf-8").splitlines()
    lines += ["Jonge Jet;Kerkstraat;3;Geleen;15;0629990005;;;", "Oude Otto;;;Geleen;70;12;;;"]
    write_text(sheet, "\n".join(lines) + "\n")
    first = import_applicants(store, sheet, settings=settings)
    assert first == {
        "rows": 22, "accepted": 20, "rejected": 2, "pending": 0, "already": 0, "replaced": 0,
        "waited": 0,
    }  # fmt: skip
    again = import_applicants(store, sheet, settings=settings)
    assert again == {
        "rows": 22, "accepted": 0, "rejected": 0, "pending": 0, "already": 22, "replaced": 0,
        "waited": 0,
    }  # fmt: skip
    assert store.status().applicants == {"accepted": 20, "rejected": 2, "pending": 0, "removed": 0}


HEADER = "Naam;Straat;Huisnummer;Woonplaats;Leeftijd;Telefoon;Beheerder;lat;lon"


def test_people_sent_in_again_replace_their_earlier_reject_and_their_waiting_row(
    tmp_path: Path, wijk: Wijk
) -> None:
    """Review 58: a reject corrected and imported again stayed a reject beside the new
    member, a rejects file sent back was stored a second time, and someone waiting for an
    address who was sent again with a findable one stayed waiting ("al aangemeld"). Members,
    rejects and waiting must add up to the people ever sent, each once."""
    settings = Settings(cache_dir=tmp_path / "cache")
    store = Store.create(tmp_path / "p.sqlite", wijk, max_members=255, fill=0.8)
    base = sign_up_sheet(tmp_path / "a.csv", 10, seed=3).read_text(encoding="utf-8").splitlines()
    point = base[1].split(";")[-2:]  # a findable place on the grid's streets
    first = [
        *base,
        "Jonge Jet;Kerkstraat;3;Geleen;15;0629990005;;;",  # too young
        "Xena Proef;Kerkstraat;5;Geleen;;0629990006;;;",  # no age
        "Wacht Wouter;Nergensstraat;1;Geleen;50;0629990007;;;",  # address not found: waits
        "Kleine Kees;Dorpstraat;2;Geleen;10;0629990008;;;",  # a child on the family phone
        "Naam Genoot;Dorpstraat;4;Geleen;50;;;;",  # no phone
        "Mia Mol;Onbekendestraat;99;Geleen;40;0629990010;;;",  # waits too
    ]
    import_applicants(
        store, write_text(tmp_path / "b.csv", "\n".join(first) + "\n"), settings=settings
    )
    assert store.status().applicants == {"accepted": 10, "rejected": 4, "pending": 2, "removed": 0}
    again = [
        HEADER,
        "Jonge Jet;Kerkstraat;3;Geleen;16;0629990005;;;",  # still too young, other cells
        f"Xena Proef;Kerkstraat;5;Geleen;44;0629990006;;{';'.join(point)}",  # corrected
        f"Wacht Wouter;Kerkstraat;1;Geleen;50;0629990007;;{';'.join(point)}",  # found now
        f"Vader Kees;Dorpstraat;2;Geleen;45;0629990008;;{';'.join(point)}",  # the same phone
        f"Naam Genoot;Molenweg;8;Geleen;50;0629990009;;{';'.join(point)}",  # a namesake elsewhere
        f"Max Mol;Kerkstraat;7;Geleen;45;0629990010;;{';'.join(point)}",  # on Mia's phone
    ]
    counts = import_applicants(
        store, write_text(tmp_path / "c.csv", "\n".join(again) + "\n"), settings=settings
    )
    replaced = (counts["accepted"], counts["rejected"], counts["replaced"], counts["waited"])
    assert replaced == (4, 2, 2, 1)
    assert store.status().applicants == {"accepted": 14, "rejected": 4, "pending": 1, "removed": 0}
    assert store.applicants("pending")["naam"].tolist() == ["Mia Mol"], "review 60: not replaced"
    people = store.applicants()
    rejected = people.loc[people["status"] == "rejected", "naam"]
    assert sorted(rejected) == ["Jonge Jet", "Kleine Kees", "Max Mol", "Naam Genoot"]
    max_mol = people.loc[people["naam"] == "Max Mol", "reason"].item()
    assert max_mol == SHARED_PHONE, "review 61: on a waiting person's phone, not 'al aangemeld'"
    assert counts.replacements()[0] == (
        "2 eerdere afwijzingen vervangen door de nieuwe aanmelding van dezelfde persoon: "
        "Jonge Jet, Xena Proef"
    )
    assert counts.replacements()[1] == (
        "1 aanmelding die op een adres wachtte vervangen door de nieuwe: Wacht Wouter"
    )


def test_a_members_sign_off_mail_says_which_member_and_how_to_remove_them(
    tmp_path: Path, wijk: Wijk
) -> None:
    """Review 61: a member's "ik wil me afmelden" ended as an anonymous reject and the member
    stayed in the group unnoticed."""
    from email.message import EmailMessage

    settings = Settings(cache_dir=tmp_path / "cache")
    store = Store.create(tmp_path / "p.sqlite", wijk, max_members=255, fill=0.8)
    import_applicants(store, sign_up_sheet(tmp_path / "a.csv", 6, seed=4), settings=settings)
    place_members(store, settings=settings)
    message = EmailMessage()
    message["From"], message["To"] = "Deelnemer 3 <d3@example.org>", "wp@example.org"
    message["Subject"], message["Message-ID"] = "Afmelden", "<af@example.org>"
    message["Date"] = "Fri, 03 May 2024 10:15:00 +0200"
    message.set_content(
        "Beste,\n\nIk wil me graag afmelden voor de buurtapp.\n\nGroet,\nDeelnemer 3\n"
    )
    eml = tmp_path / "afmelding.eml"
    eml.write_bytes(bytes(message))
    import_applicants(store, eml, settings=settings)
    member = store.applicants("accepted").set_index("naam").loc["Deelnemer 3"]
    (reason,) = store.applicants("rejected")["reason"]
    area, number = int(member["area_id"]), int(member["id"])
    assert reason.startswith("afmelding, geen aanmelding")
    assert reason.endswith(
        f"(lid van gebied {area}, nr. {number}: verwijderen met 'Iemand verwijderen' of "
        f"'project forget --nummer {number}')"
    )


def test_item18_status_after_an_interrupted_import_says_what_is_left(
    tmp_path: Path, wijk: Wijk, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project_with_people(tmp_path, wijk)  # imported, never placed (as if interrupted)
    assert Store.open(path).status().unplaced == 30
    assert main(["project", "status", "--project", str(path)]) == 0
    assert "30 aanmeldingen nog zonder gebied — draai 'python -m geo project assign'" in (
        capsys.readouterr().out
    )
    assert main(["project", "assign", "--project", str(path)]) == 0
    assert "nog zonder gebied" not in capsys.readouterr().out
