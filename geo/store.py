"""The project store: one SQLite file per wijk with everything a planner decided.

Applicants (accepted, rejected, pending geocode, removed), the wijk layers, areas (with a
version that grows when an area is split), assignments and beheerders, sign decisions, and an
append-only history of plan changes, so "why is my neighbour in another group?" has an answer.

SQLite because it is one file a planner can copy, it is in the standard library, and WAL mode
lets the app read while a command writes. Every multi-row change runs in one ``BEGIN
IMMEDIATE`` transaction: a crash, a kill or a full disk leaves the previous state. The schema
version is SQLite's ``user_version``; :data:`MIGRATIONS` brings an older file up to date.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import GeoError
from geo.export import owner_only
from geo.partition import Plan
from geo.sources import WGS84, Wijk

STATUSES = ("accepted", "rejected", "pending", "removed")
APPLICANT_FIELDS = (
    "row", "naam", "telefoon", "email", "straat", "huisnummer", "huisletter", "toevoeging",
    "postcode", "woonplaats", "lat", "lon", "beheerder",
)  # fmt: skip
AREA_FIELDS = ("area_id", "name", "households", "beheerder_needed", "neighbours", "streets")
BUSY_TIMEOUT_S = 30.0

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE layers (name TEXT PRIMARY KEY, geojson TEXT NOT NULL);
    CREATE TABLE applicants (
        id INTEGER PRIMARY KEY,
        row INTEGER, naam TEXT NOT NULL, telefoon TEXT, email TEXT,
        straat TEXT, huisnummer INTEGER, huisletter TEXT, toevoeging TEXT,
        postcode TEXT, woonplaats TEXT, lat REAL, lon REAL,
        beheerder INTEGER NOT NULL DEFAULT 0,
        adult INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'pending', 'removed')),
        reason TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL
    );
    CREATE UNIQUE INDEX one_phone ON applicants (telefoon) WHERE status IN ('accepted', 'pending');
    CREATE TABLE areas (
        area_id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1,
        households INTEGER, beheerder_needed INTEGER NOT NULL DEFAULT 1,
        neighbours TEXT NOT NULL DEFAULT '', streets TEXT NOT NULL DEFAULT '',
        geometry BLOB NOT NULL
    );
    CREATE TABLE assignments (
        applicant_id INTEGER PRIMARY KEY REFERENCES applicants (id) ON DELETE CASCADE,
        area_id INTEGER NOT NULL REFERENCES areas (area_id),
        is_beheerder INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX one_beheerder ON assignments (area_id) WHERE is_beheerder = 1;
    CREATE TABLE sign_decisions (
        sign_key TEXT PRIMARY KEY,
        decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
        note TEXT NOT NULL DEFAULT '', decided TEXT NOT NULL
    );
    CREATE TABLE history (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,
        action TEXT NOT NULL, details TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    CREATE TRIGGER history_is_append_only_delete BEFORE DELETE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    """,
    # 2: the cells of a rejected sign-up as the planner typed them, to correct and check again
    """
    ALTER TABLE applicants ADD COLUMN original TEXT NOT NULL DEFAULT '{}';
    """,
)
NOT_ORIGINAL = frozenset({"row", "reason"})


class StoreError(GeoError):
    """The project file is missing, damaged, from a newer version, or cannot be written."""


@dataclass(frozen=True)
class Status:
    """Counts a planner checks: applicants per status, areas, members per area, vacancies."""

    applicants: dict[str, int]
    areas: int
    members_per_area: dict[int, int]
    areas_without_beheerder: list[int]
    history_entries: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """A project file. Use :meth:`create` for a new project, :meth:`open` for an existing one."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, wijk: Wijk, *, max_members: int, fill: float) -> Store:
        """A new project for ``wijk``; refuses to overwrite an existing file."""
        if path.exists():
            msg = f"{path} bestaat al; kies een andere naam of open het bestaande project"
            raise StoreError(msg)
        store = cls._connect(path)
        with store.transaction("aangemaakt", wijk=str(wijk.boundary["name"].iloc[0])) as db:
            db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("max_members", str(max_members)), ("fill", str(fill)), ("created", _now())],
            )
            for name in ("boundary", "streets", "addresses"):
                layer = getattr(wijk, name).to_crs(WGS84)
                db.execute("INSERT INTO layers VALUES (?, ?)", (name, layer.to_json(drop_id=True)))
        return store

    @classmethod
    def open(cls, path: Path) -> Store:
        """An existing project, migrated to the current schema if it is older."""
        if not path.is_file():
            msg = f"projectbestand {path} bestaat niet; maak het met 'python -m geo project init'"
            raise StoreError(msg)
        return cls._connect(path)

    @classmethod
    def _connect(cls, path: Path) -> Store:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with owner_only():  # the file, its WAL and shared-memory files hold personal data
                connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA secure_delete = ON")  # forgotten people leave no bytes
            store = cls(path, connection)
            store._migrate()
        except sqlite3.DatabaseError as error:
            msg = f"kan projectbestand {path} niet openen of schrijven: {error}"
            raise StoreError(msg) from None
        except OSError as error:
            msg = f"kan projectbestand {path} niet maken: {error.strerror}"
            raise StoreError(msg) from None
        return store

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            msg = (
                f"{self.path.name} komt uit een nieuwere versie van de planner "
                f"(schema {version}, deze versie kent {len(MIGRATIONS)})"
            )
            raise StoreError(msg)
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(script):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed into the file)."""
        self._db.close()

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(
        self, action: str, *, actor: str = "planner", **details: Any
    ) -> Iterator[sqlite3.Connection]:
        """One atomic change, recorded in the history (``details`` must hold nothing personal)."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            msg = f"kan niet schrijven in {self.path.name}: {error}"
            raise StoreError(msg) from None
        try:
            yield self._db
            self._db.execute(
                "INSERT INTO history (at, actor, action, details) VALUES (?, ?, ?, ?)",
                (_now(), actor, action, json.dumps(details, ensure_ascii=False, default=str)),
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    # --- reading --------------------------------------------------------------------------------

    def setting(self, key: str) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            msg = f"instelling {key!r} ontbreekt in {self.path.name}"
            raise StoreError(msg)
        return str(row[0])

    def wijk(self) -> Wijk:
        """The wijk layers stored with the project (WGS84)."""
        layers = {}
        for name, text in self._db.execute("SELECT name, geojson FROM layers"):
            features = json.loads(text)["features"]
            layers[name] = (
                gpd.GeoDataFrame.from_features(features, crs=WGS84)
                if features
                else gpd.GeoDataFrame(geometry=[], crs=WGS84)
            )
        return Wijk(layers["boundary"], layers["streets"], layers["addresses"])

    def applicants(self, status: str | None = None) -> pd.DataFrame:
        """Applicants (all, or with one status), with their area and role when placed."""
        query = (
            "SELECT a.*, s.area_id, s.is_beheerder FROM applicants a "
            "LEFT JOIN assignments s ON s.applicant_id = a.id"
        )
        if status is not None:
            return pd.read_sql_query(
                query + " WHERE a.status = ? ORDER BY a.id", self._db, params=(status,)
            )
        return pd.read_sql_query(query + " ORDER BY a.id", self._db)

    def plan(self) -> Plan | None:
        """The current plan (WGS84), or ``None`` before the first one."""
        areas = pd.read_sql_query("SELECT * FROM areas ORDER BY area_id", self._db)
        if areas.empty:
            return None
        geometry = shapely.from_wkb(areas.pop("geometry").to_numpy())
        areas_frame = gpd.GeoDataFrame(areas, geometry=geometry, crs=WGS84)
        areas_frame["beheerder_needed"] = areas_frame["beheerder_needed"].astype(bool)
        placed = self.applicants("accepted").dropna(subset=["area_id"])
        placed = placed.rename(columns={"id": "member_id"}).astype(
            {"area_id": int, "member_id": int}
        )
        placed["is_beheerder"] = placed["is_beheerder"].astype(bool)
        placed["beheerder"] = placed["beheerder"].astype(bool)
        members = gpd.GeoDataFrame(
            placed, geometry=gpd.points_from_xy(placed["lon"], placed["lat"]), crs=WGS84
        )
        counts = members["area_id"].value_counts()
        max_members = int(self.setting("max_members"))
        areas_frame["members"] = [int(counts.get(a, 0)) for a in areas_frame["area_id"]]
        areas_frame["capacity_left"] = max_members - areas_frame["members"]
        return Plan(areas=areas_frame, members=members, outside=members.iloc[0:0])

    def history(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM history ORDER BY id", self._db)

    def status(self) -> Status:
        counts = dict.fromkeys(STATUSES, 0)
        counts.update(
            dict(self._db.execute("SELECT status, COUNT(*) FROM applicants GROUP BY status"))
        )
        per_area = dict(
            self._db.execute(
                "SELECT r.area_id, COUNT(s.applicant_id) FROM areas r "
                "LEFT JOIN assignments s ON s.area_id = r.area_id GROUP BY r.area_id"
            )
        )
        vacant = [
            int(a)
            for (a,) in self._db.execute(
                "SELECT area_id FROM areas WHERE area_id NOT IN "
                "(SELECT area_id FROM assignments WHERE is_beheerder = 1) ORDER BY area_id"
            )
        ]
        entries = int(self._db.execute("SELECT COUNT(*) FROM history").fetchone()[0])
        return Status(counts, len(per_area), per_area, vacant, entries)

    # --- writing --------------------------------------------------------------------------------

    def add_applicants(
        self, accepted: pd.DataFrame, rejected: pd.DataFrame, pending: pd.DataFrame, *, source: str
    ) -> list[int]:
        """Record an intake (three tables as :func:`geo.workflow.run_intake` writes them).

        Accepted and pending rows are adults by the intake rule; their age is not stored.
        Returns the ids of the accepted rows. A phone number already accepted is rejected here.
        """
        known = {
            p
            for (p,) in self._db.execute(
                "SELECT telefoon FROM applicants WHERE status IN ('accepted', 'pending')"
            )
        }
        added: list[int] = []
        with self.transaction(
            "aanmeldingen ingelezen",
            source=source,
            accepted=len(accepted),
            rejected=len(rejected),
            pending=len(pending),
        ) as db:
            for status, frame in (
                ("accepted", accepted),
                ("pending", pending),
                ("rejected", rejected),
            ):
                for record in frame.to_dict("records"):
                    values = {f: _cell(record.get(f)) for f in APPLICANT_FIELDS}
                    values["naam"] = str(values["naam"] or "")
                    values["beheerder"] = int(
                        values["beheerder"] in {True, "True", "true"}
                    )  # True == 1
                    if not isinstance(values["huisnummer"], int):  # a reject's cell as typed
                        values["huisnummer"] = None
                    reason = str(record.get("reason") or "")
                    state = status
                    if status != "rejected" and values["telefoon"] in known:
                        state, reason = "rejected", "telefoonnummer staat al in het project"
                    original = _original_cells(record) if state == "rejected" else {}
                    cursor = db.execute(
                        f"INSERT INTO applicants ({', '.join(APPLICANT_FIELDS)}, adult, status, "
                        f"reason, created, original) VALUES "
                        f"({', '.join('?' * len(APPLICANT_FIELDS))}, ?, ?, ?, ?, ?)",
                        (*values.values(), int(state != "rejected"), state, reason, _now(),
                         json.dumps(original, ensure_ascii=False)),
                    )  # fmt: skip
                    if state == "accepted":
                        known.add(values["telefoon"])
                        added.append(int(cursor.lastrowid or 0))
        return added

    def save_plan(self, plan: Plan, *, action: str, **details: Any) -> None:
        """Replace areas and assignments by ``plan`` (members keyed by ``member_id``)."""
        areas = plan.areas.to_crs(WGS84)
        old_versions = dict(self._db.execute("SELECT area_id, version FROM areas"))
        split = {int(a) for a in details.get("split", ())}
        with self.transaction(action, areas=len(areas), **details) as db:
            db.execute("DELETE FROM assignments")
            db.execute("DELETE FROM areas")
            for record, geometry in zip(
                areas[list(AREA_FIELDS)].to_dict("records"), areas.geometry, strict=True
            ):
                area_id = int(record["area_id"])
                redrawn = area_id in split or area_id not in old_versions
                version = old_versions.get(area_id, 0) + int(redrawn)
                db.execute(
                    "INSERT INTO areas VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        area_id, str(record["name"]), version, _cell(record["households"]),
                        int(bool(record["beheerder_needed"])), str(record["neighbours"]),
                        str(record["streets"]), shapely.to_wkb(geometry),
                    ),
                )  # fmt: skip
            db.executemany(
                "INSERT INTO assignments VALUES (?, ?, ?)",
                [
                    (int(m), int(a), int(bool(b)))
                    for m, a, b in zip(
                        plan.members["member_id"],
                        plan.members["area_id"],
                        plan.members["is_beheerder"],
                        strict=True,
                    )
                ],
            )

    def rejected_with_cells(self) -> list[tuple[int, str, str, dict[str, str]]]:
        """Rejected sign-ups: (id, name, reason, the cells to correct)."""
        rows = self._db.execute(
            "SELECT id, naam, reason, original FROM applicants WHERE status = 'rejected' ORDER BY id"
        )
        return [(int(i), str(n), str(r), json.loads(o)) for i, n, r, o in rows]

    def drop(self, ids: list[int], *, why: str) -> None:
        """Delete sign-ups that were replaced (e.g. corrected and checked again)."""
        with self.transaction("aanmeldingen vervangen", count=len(ids), why=why) as db:
            db.executemany("DELETE FROM applicants WHERE id = ?", [(int(i),) for i in ids])

    def reject(self, ids: list[int], reason: str) -> None:
        """Mark accepted applicants as rejected after all (e.g. their address is outside)."""
        with self.transaction("aanmeldingen afgewezen", count=len(ids), reason=reason) as db:
            db.executemany(
                "UPDATE applicants SET status = 'rejected', reason = ? WHERE id = ?",
                [(reason, int(i)) for i in ids],
            )

    def set_beheerder(self, area_id: int, applicant_id: int) -> None:
        """A planner's choice of beheerder for an area (an override)."""
        row = self._db.execute(
            "SELECT area_id FROM assignments WHERE applicant_id = ?", (applicant_id,)
        ).fetchone()
        if row is None or int(row[0]) != area_id:
            msg = f"deelnemer {applicant_id} zit niet in gebied {area_id}"
            raise StoreError(msg)
        with self.transaction(
            "beheerder gekozen", area_id=area_id, applicant_id=applicant_id
        ) as db:
            db.execute("UPDATE assignments SET is_beheerder = 0 WHERE area_id = ?", (area_id,))
            db.execute(
                "UPDATE assignments SET is_beheerder = 1 WHERE applicant_id = ?", (applicant_id,)
            )
            db.execute("UPDATE areas SET beheerder_needed = 0 WHERE area_id = ?", (area_id,))

    def decide_sign(self, sign_key: str, decision: str, note: str = "") -> None:
        """The municipality's decision on a proposed sign."""
        with self.transaction(
            "bord beoordeeld", actor="gemeente", sign=sign_key, decision=decision
        ) as db:
            db.execute(
                "INSERT INTO sign_decisions VALUES (?, ?, ?, ?) ON CONFLICT (sign_key) DO UPDATE "
                "SET decision = excluded.decision, note = excluded.note, decided = excluded.decided",
                (sign_key, decision, note, _now()),
            )

    def sign_decisions(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM sign_decisions ORDER BY sign_key", self._db)

    def forget(self, telefoon: str) -> int:
        """Remove a person everywhere in the store; the history records only that it happened.

        Returns how many sign-ups were removed (a person may have signed up more than once).
        An area that loses its beheerder is marked as needing one.
        """
        ids = [
            i
            for (i,) in self._db.execute(
                "SELECT id FROM applicants WHERE telefoon = ?", (telefoon,)
            )
        ]
        if not ids:
            return 0
        marks = ",".join("?" * len(ids))
        with self.transaction("persoon verwijderd (AVG)", removed=len(ids)) as db:
            db.execute(
                f"UPDATE areas SET beheerder_needed = 1 WHERE area_id IN (SELECT area_id FROM "
                f"assignments WHERE is_beheerder = 1 AND applicant_id IN ({marks}))",
                ids,
            )
            db.execute(f"DELETE FROM applicants WHERE id IN ({marks})", ids)
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no copy left in the WAL file
        return len(ids)

    def backup(self, target: Path) -> Path:
        """A consistent copy of the project while it is in use (SQLite's online backup)."""
        if target.exists():
            msg = f"{target} bestaat al; kies een nieuwe naam voor de reservekopie"
            raise StoreError(msg)
        try:
            with owner_only():
                copy = sqlite3.connect(target)
                with copy:
                    self._db.backup(copy)
                copy.close()
        except sqlite3.DatabaseError as error:
            msg = f"reservekopie naar {target} mislukt: {error}"
            raise StoreError(msg) from None
        target.chmod(0o600)
        return target

    @staticmethod
    def restore(backup: Path, target: Path) -> Store:
        """Bring back a backup as the project file ``target`` (which must not exist yet)."""
        source = Store.open(backup)
        if target.exists():
            msg = f"{target} bestaat al; zet het eerst opzij voordat u een reservekopie terugzet"
            raise StoreError(msg)
        source.backup(target)
        source.close()
        restored = Store.open(target)
        with restored.transaction("reservekopie teruggezet", source=backup.name):
            pass
        return restored

    def integrity(self) -> str:
        """SQLite's own consistency check (``ok`` when the file is sound)."""
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])


def _original_cells(record: Mapping[Hashable, Any]) -> dict[str, str]:
    """The cells of a rejected row as typed (or as the geocoder had them), without our extras.

    Our own ``naam`` column is left out where the sheet has its own name column.
    """
    cells = {
        str(key): str(value)
        for key, value in record.items()
        if key not in NOT_ORIGINAL and _cell(value) is not None and str(value) != ""
    }
    if any(key != "naam" and key.casefold() == "naam" for key in cells):
        cells.pop("naam", None)
    return cells


def _statements(script: str) -> list[str]:
    """SQL statements of a migration script (triggers keep their inner semicolons)."""
    statements, current = [], ""
    for line in script.splitlines():
        current += line + "\n"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


def _cell(value: object) -> object:
    """A table cell as SQLite stores it (missing → NULL, numpy scalars → Python)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, bool):
        return int(value)
    return value
