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
import re
import sqlite3
from collections.abc import Collection, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import phonenumbers
import shapely

from geo.config import MAX_MEMBERS, WHATSAPP_GROUP_SIZE
from geo.errors import GeoError
from geo.intake import (
    DEFAULT_REGIONS,
    SOURCE_FIELDS,
    fold_name,
    map_columns,
    normalize_phone,
    validate_rows,
)
from geo.outputs import owner_only
from geo.partition import Plan, containing_area
from geo.sources import WGS84, Wijk
from geo.wording import counted, noun

STATUSES = ("accepted", "rejected", "pending", "removed")
APPLICANT_FIELDS = (
    "row", "naam", "telefoon", "email", "straat", "huisnummer", "huisletter", "toevoeging",
    "postcode", "woonplaats", "lat", "lon", "beheerder",
)  # fmt: skip
AREA_FIELDS = ("area_id", "name", "households", "beheerder_needed", "neighbours", "streets")
BUSY_TIMEOUT_S = 30.0
APPLICATION_ID = 0x42505254  # "BPRT" in the SQLite header: this file is a project file
GEOPACKAGE_IDS = frozenset({0x47504B47, 0x47503130, 0x47503131})  # "GPKG", "GP10", "GP11"
PROJECT_TABLES = frozenset({"meta", "layers", "applicants", "history"})  # any schema version
SQLITE_HEADER = b"SQLite format 3\x00"
ALREADY = "al aangemeld: telefoonnummer staat al in het project"
UNDO_ACTION = "teruggezet"  # the history entry of an undo
MAX_CO_BEHEERDERS = 5  # besides the hoofdbeheerder: a misclick never makes a whole area admin
MAX_AREA_NAME = 60  # characters: a name fits a map label and a WhatsApp group name (100)

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
    # 3: locked areas (kept as they are by a re-plan), and the plan as it was before each
    # plan-changing history entry, to go back to (undo); ids only, no personal data
    """
    ALTER TABLE areas ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE snapshots (history_id INTEGER PRIMARY KEY, plan TEXT NOT NULL);
    """,
    # 4: the planner's proposal per sign, kept apart from the municipality's decision; both
    # say who and when
    """
    ALTER TABLE sign_decisions ADD COLUMN actor TEXT NOT NULL DEFAULT 'gemeente';
    CREATE TABLE sign_proposals (
        sign_key TEXT PRIMARY KEY,
        proposal TEXT NOT NULL CHECK (proposal IN ('proposed', 'withdrawn')),
        note TEXT NOT NULL DEFAULT '', proposed TEXT NOT NULL, actor TEXT NOT NULL
    );
    """,
    # 5: what to check on an accepted sign-up and where it came from; co-beheerders (valid while
    # they are in that area); the way from plan to working group: a member added to the group
    # and sent a message, an area declared operational
    """
    ALTER TABLE applicants ADD COLUMN opmerking TEXT NOT NULL DEFAULT '';
    ALTER TABLE applicants ADD COLUMN bron TEXT NOT NULL DEFAULT '{}';
    CREATE TABLE co_beheerders (
        applicant_id INTEGER PRIMARY KEY REFERENCES applicants (id) ON DELETE CASCADE,
        area_id INTEGER NOT NULL
    );
    CREATE TABLE progress (
        applicant_id INTEGER PRIMARY KEY REFERENCES applicants (id) ON DELETE CASCADE,
        area_id INTEGER NOT NULL,
        added TEXT, added_by TEXT, sent TEXT, channel TEXT, message_id TEXT
    );
    CREATE TABLE launches (
        area_id INTEGER PRIMARY KEY, operational TEXT NOT NULL,
        invite_link TEXT NOT NULL DEFAULT '', actor TEXT NOT NULL
    );
    """,
)
# A member's way into a working group; the last stage reached is the member's status.
STAGES = ("aangemeld", "ingedeeld", "toegevoegd", "bericht verstuurd")
CHANNELS = frozenset({"e-mail", "eml", "whatsapp"})
AREA_COLUMNS_STORED = (
    "area_id", "name", "version", "households", "beheerder_needed", "neighbours", "streets",
    "geometry", "locked",
)  # fmt: skip
NOT_ORIGINAL = frozenset({"row", "reason"})
# An accepted sign-up's columns a planner may correct in place (Store.correct_applicant).
ADDRESS_FIELDS = ("straat", "huisnummer", "huisletter", "toevoeging", "postcode", "woonplaats")
CORRECTED_FIELDS = ("naam", *ADDRESS_FIELDS, "telefoon", "email", "beheerder")
# Intake fields that belong together: a correction that gives one of them replaces them all.
_FIELD_GROUPS = (
    frozenset({"naam", "voornaam", "tussenvoegsel", "achternaam"}),
    frozenset({"adres", *ADDRESS_FIELDS}),
    frozenset({"leeftijd", "geboortedatum"}),
    frozenset({"telefoon"}),
    frozenset({"email"}),
    frozenset({"beheerder"}),
)


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
    unplaced: int = 0  # accepted, but not in an area yet (e.g. an import that was interrupted)


@dataclass(frozen=True)
class Correction:
    """What correcting an accepted sign-up in place does (:meth:`Store.preview_correction`).

    ``changed``: the stored columns that change (names only); ``address_changed``: the address
    is another one, so it needs a ``location`` (lat, lon) before it can be saved; ``role``:
    ``"beheerder"``, ``"co-beheerder"`` or ``""`` in ``area_before``; ``co_left``: how many
    co-beheerders ``area_before`` keeps when this member moves out; ``base``: the newest history
    entry when it was computed.
    """

    applicant_id: int
    changed: tuple[str, ...]
    address_changed: bool
    location: tuple[float, float] | None
    area_before: int | None
    area_after: int | None
    role: str
    co_left: int
    base: int
    address: dict[str, Any] = field(default_factory=dict)  # the new address, to look it up

    @property
    def moves(self) -> bool:
        """The member would change group (a real WhatsApp group): only saved when confirmed."""
        return self.area_before is not None and self.area_after != self.area_before


@dataclass(frozen=True)
class Added:
    """What an intake added: ids of the accepted rows, and the rows not stored again."""

    ids: list[int]
    pending: int
    rejected: int
    already: int  # phone already in the project, or the same rejected cells as before
    waited: int = 0  # of the stored ones: replaced a sign-up that waited for its address
    stored: tuple[int, ...] = ()  # the ids of every row stored (accepted, waiting, rejected)
    waited_names: tuple[str, ...] = ()  # who of them had waited for their address


_ADDRESS_FIELDS = ("straat", "huisnummer", "huisletter", "toevoeging", "postcode", "woonplaats")


SHARED_PHONE = (
    "dit telefoonnummer hoort al bij iemand anders in het project; elk lid heeft een eigen "
    "nummer nodig (één nummer kan maar één keer in een WhatsApp-groep)"
)


def _folded(name: object) -> str:
    """A name as names are compared (:func:`geo.intake.fold_name`)."""
    return " ".join(str(name or "").casefold().split())


def _address_cells(values: Collection[object]) -> tuple[str, ...]:
    """An address as text cells, to tell a sign-up sent again with another address."""
    return tuple("" if v is None else str(v).strip().casefold() for v in values)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """A project file. Use :meth:`create` for a new project, :meth:`open` for an existing one."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection
        self.notices: list[str] = []  # things the planner should know about this file

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, wijk: Wijk, *, max_members: int, fill: float) -> Store:
        """A new project for ``wijk``; refuses to overwrite an existing file."""
        max_members = checked_max_members(max_members)
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
        """An existing project, migrated to the current schema if it is older.

        The file is checked first (a project file, not damaged, not from a newer version)
        without writing to it, so a foreign file given by mistake is left untouched.
        """
        if not path.is_file():
            msg = f"projectbestand {path} bestaat niet; maak het met 'python -m geo project init'"
            raise StoreError(msg)
        _inspect(path)
        return cls._connect(path)

    @classmethod
    def _connect(cls, path: Path) -> Store:
        connection: sqlite3.Connection | None = None
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
            store._checkpoint()  # what a crashed writer left in the WAL goes into the file
            store._migrate()
            store._clamp_cap()
        except sqlite3.DatabaseError as error:
            if connection is not None:
                connection.close()
            raise StoreError(_explain(error, path)) from None
        except OSError as error:
            msg = f"kan projectbestand {path} niet maken: {error.strerror}"
            raise StoreError(msg) from None
        return store

    def _checkpoint(self) -> None:
        """Copy the WAL into the file, without waiting: another reader or writer, or a read-only
        file, leaves the rest for later (SQLite then checkpoints what it can, as PASSIVE does)."""
        self._db.execute("PRAGMA busy_timeout = 0")
        try:
            with suppress(sqlite3.OperationalError):
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")

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
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self._db.execute(f"PRAGMA user_version = {number}")
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
        if int(self._db.execute("PRAGMA application_id").fetchone()[0]) != APPLICATION_ID:
            # a project made by an earlier version: mark it (a read-only file stays as is)
            with suppress(sqlite3.OperationalError):
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _clamp_cap(self) -> None:
        """An old project with a cap above WhatsApp's limit gets the largest allowed cap."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'max_members'").fetchone()
        if row is None or _as_int(row[0]) <= MAX_MEMBERS:
            return
        self.notices.append(
            f"dit project had hoogstens {counted(_as_int(row[0]), 'lid', 'leden')} per groep; "
            f"een WhatsApp-groep heeft plaats voor {WHATSAPP_GROUP_SIZE} deelnemers, dus het "
            f"maximum is nu {MAX_MEMBERS}"
        )
        try:
            with self.transaction("maximum per groep begrensd", was=str(row[0]), now=MAX_MEMBERS):
                self._db.execute(
                    "UPDATE meta SET value = ? WHERE key = 'max_members'", (str(MAX_MEMBERS),)
                )
        except StoreError:  # a read-only file: the cap is still clamped when it is read
            pass

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed into the file)."""
        self._db.close()

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @property
    def max_members(self) -> int:
        """The cap recorded with the project (never above WhatsApp's limit)."""
        return min(_as_int(self.setting("max_members")), MAX_MEMBERS)

    @property
    def fill(self) -> float:
        """The fill of a fresh plan recorded with the project."""
        return float(self.setting("fill"))

    @contextmanager
    def transaction(
        self, action: str, *, actor: str = "planner", undoable: bool = False, **details: Any
    ) -> Iterator[sqlite3.Connection]:
        """One atomic change, recorded in the history (``details`` must hold nothing personal).

        ``undoable``: the change alters the plan; the plan as it was before is kept with the
        history entry, so :meth:`undo` can bring it back.
        """
        with self._write(action, actor, details, undoable=undoable) as db:
            yield db

    @contextmanager
    def _write(
        self, action: str, actor: str, details: dict[str, Any], *, undoable: bool = False
    ) -> Iterator[sqlite3.Connection]:
        """:meth:`transaction` with a ``details`` dict the caller may still fill in."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreError(_explain(error, self.path)) from None
        try:
            before = _plan_state(self._db) if undoable else None
            yield self._db
            cursor = self._db.execute(
                "INSERT INTO history (at, actor, action, details) VALUES (?, ?, ?, ?)",
                (_now(), actor, action, json.dumps(details, ensure_ascii=False, default=str)),
            )
            if before is not None:
                self._db.execute(
                    "INSERT INTO snapshots VALUES (?, ?)", (cursor.lastrowid, json.dumps(before))
                )
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            self._rollback()
            if isinstance(error, sqlite3.OperationalError) or type(error) is sqlite3.DatabaseError:
                raise StoreError(_explain(error, self.path)) from None  # disk, rights, damage
            raise
        except BaseException:
            self._rollback()
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

    def has_plan(self) -> bool:
        """Whether there is a plan (any area), without reading it."""
        return self._db.execute("SELECT 1 FROM areas LIMIT 1").fetchone() is not None

    def plan(self) -> Plan | None:
        """The current plan (WGS84), or ``None`` before the first one."""
        areas = pd.read_sql_query("SELECT * FROM areas ORDER BY area_id", self._db)
        if areas.empty:
            return None
        geometry = shapely.from_wkb(areas.pop("geometry").to_numpy())
        areas_frame = gpd.GeoDataFrame(areas, geometry=geometry, crs=WGS84)
        areas_frame["beheerder_needed"] = areas_frame["beheerder_needed"].astype(bool)
        areas_frame["locked"] = areas_frame["locked"].astype(bool)
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
        max_members = self.max_members
        areas_frame["members"] = [int(counts.get(a, 0)) for a in areas_frame["area_id"]]
        areas_frame["capacity_left"] = max_members - areas_frame["members"]
        return Plan(areas=areas_frame, members=members, outside=members.iloc[0:0])

    def history(self) -> pd.DataFrame:
        """Every change (id, at, actor, action, details); ``undoable``: the plan before it is
        kept, so :meth:`undo` can go back to it."""
        return pd.read_sql_query(
            "SELECT h.*, s.history_id IS NOT NULL AS undoable FROM history h "
            "LEFT JOIN snapshots s ON s.history_id = h.id ORDER BY h.id",
            self._db,
        ).astype({"undoable": bool})

    def kept_plan(self, entry: int) -> tuple[dict[int, str], dict[int, int]]:
        """The plan kept before history entry ``entry``: area names by id, and area by member
        id. Raises :class:`StoreError` for an entry that did not change the plan."""
        found = self._db.execute(
            "SELECT plan FROM snapshots WHERE history_id = ?", (int(entry),)
        ).fetchone()
        if found is None:
            msg = f"wijziging {entry} veranderde de indeling niet; kies een andere wijziging"
            raise StoreError(msg)
        state = json.loads(found[0])
        names = {int(a["area_id"]): str(a["name"]) for a in state["areas"]}
        return names, {int(row[0]): int(row[1]) for row in state["assignments"]}

    def last_change(self) -> int:
        """The id of the newest history entry (0 for none): a proposal made before a later
        change is out of date."""
        return int(self._db.execute("SELECT COALESCE(MAX(id), 0) FROM history").fetchone()[0])

    def locked_areas(self) -> set[int]:
        """Areas the planner locked: a re-plan keeps their land and members as they are."""
        return {int(a) for (a,) in self._db.execute("SELECT area_id FROM areas WHERE locked = 1")}

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
        unplaced = int(
            self._db.execute(
                "SELECT COUNT(*) FROM applicants a WHERE a.status = 'accepted' AND NOT EXISTS "
                "(SELECT 1 FROM assignments s WHERE s.applicant_id = a.id)"
            ).fetchone()[0]
        )
        return Status(counts, len(per_area), per_area, vacant, entries, unplaced)

    # --- writing --------------------------------------------------------------------------------

    def add_applicants(
        self, accepted: pd.DataFrame, rejected: pd.DataFrame, pending: pd.DataFrame, *, source: str
    ) -> Added:
        """Record an intake (three tables as :func:`geo.workflow.run_intake` writes them).

        Accepted and pending rows are adults by the intake rule; their age is not stored.
        A sign-up whose phone number is already in the project (accepted or waiting for an
        address) under the same name, or a rejected row with the same cells as one rejected
        before, is not stored again: it counts as ``already`` ("al aangemeld"); under another
        name it is stored as rejected (:data:`SHARED_PHONE`). One that waited for its address
        and is sent again (the same phone and name) with an address now found, or another
        address, replaces the waiting row (``waited``). The known numbers are read inside the
        write transaction, so two imports of the same people at once cannot both add them.
        """
        added: list[int] = []
        counts = {"pending": 0, "rejected": 0, "already": 0, "waited": 0}
        details: dict[str, Any] = {"source": source, "accepted": 0, **counts}
        with self._write("aanmeldingen ingelezen", "planner", details) as db:
            known = {
                phone: _folded(name)
                for phone, name in db.execute(
                    "SELECT telefoon, naam FROM applicants "
                    "WHERE status = 'accepted' AND telefoon IS NOT NULL"
                )
            }
            waiting = {
                phone: (int(i), _address_cells(row), _folded(name))
                for i, phone, name, *row in db.execute(
                    "SELECT id, telefoon, naam, straat, huisnummer, huisletter, toevoeging, "
                    "postcode, woonplaats FROM applicants "
                    "WHERE status = 'pending' AND telefoon IS NOT NULL"
                )
            }
            stored: list[int] = []
            waited_names: list[str] = []
            rejected_before = {
                _canonical(json.loads(o))
                for (o,) in db.execute("SELECT original FROM applicants WHERE status = 'rejected'")
            }
            for outcome, frame in (
                ("accepted", accepted),
                ("pending", pending),
                ("rejected", rejected),
            ):
                for record in frame.to_dict("records"):
                    status = outcome
                    values = {f: _cell(record.get(f)) for f in APPLICANT_FIELDS}
                    values["naam"] = str(values["naam"] or "")
                    values["beheerder"] = int(
                        values["beheerder"] in {True, "True", "true"}
                    )  # True == 1
                    if not isinstance(values["huisnummer"], int):  # a reject's cell as typed
                        values["huisnummer"] = None
                    reason = str(record.get("reason") or "")
                    original = _original_cells(record) if status == "rejected" else {}
                    phone = values["telefoon"]
                    name = _folded(values["naam"])
                    holder = known.get(phone, waiting.get(phone, (0, (), name))[2])
                    if status != "rejected" and phone is not None and holder != name:
                        status, reason = "rejected", SHARED_PHONE  # a household on one phone
                        original = _original_cells(record)
                    if status != "rejected" and phone in waiting:
                        old_id, old_address, _ = waiting[phone]
                        address = _address_cells([values[f] for f in _ADDRESS_FIELDS])
                        if status == "pending" and address == old_address:
                            counts["already"] += 1  # the same address, still not found
                            continue
                        db.execute("DELETE FROM applicants WHERE id = ?", (old_id,))
                        del waiting[phone]
                        counts["waited"] += 1
                        waited_names.append(str(values["naam"]))
                    if (status != "rejected" and phone in known) or (
                        original and _canonical(original) in rejected_before
                    ):
                        counts["already"] += 1
                        continue
                    remark = (
                        "" if status == "rejected" else str(_cell(record.get("opmerking")) or "")
                    )
                    cursor = db.execute(
                        f"INSERT INTO applicants ({', '.join(APPLICANT_FIELDS)}, adult, status, "
                        f"reason, created, original, opmerking, bron) VALUES "
                        f"({', '.join('?' * len(APPLICANT_FIELDS))}, ?, ?, ?, ?, ?, ?, ?)",
                        (*values.values(), int(status != "rejected"), status, reason, _now(),
                         json.dumps(original, ensure_ascii=False), remark,
                         json.dumps(_source(record), ensure_ascii=False)),
                    )  # fmt: skip
                    stored.append(int(cursor.lastrowid or 0))
                    if status == "accepted":
                        added.append(stored[-1])
                    else:
                        counts[status] += 1
                    if status == "accepted" and phone is not None:
                        known[phone] = name
                    elif status == "pending" and phone is not None:
                        waiting[phone] = (
                            stored[-1],
                            _address_cells([values[f] for f in _ADDRESS_FIELDS]),
                            _folded(values["naam"]),
                        )
            details.update(accepted=len(added), **counts)
        return Added(
            added, counts["pending"], counts["rejected"], counts["already"], counts["waited"],
            tuple(stored), tuple(waited_names),
        )  # fmt: skip

    def save_plan(
        self,
        plan: Plan,
        *,
        action: str,
        cap: tuple[int, float] | None = None,
        lock: Collection[int] = (),
        **details: Any,
    ) -> list[int]:
        """Replace areas and assignments by ``plan`` (members keyed by ``member_id``).

        ``cap`` (max_members, fill) records new settings with the plan (a planner re-planned).
        Areas keep their lock by id; the areas in ``lock`` are locked too. The plan before is
        kept for :meth:`undo`. A co-beheerder whose area the plan changed stays co-beheerder,
        in her new area (a boundary moved, not she; one who is now hoofdbeheerder there has
        that role instead); returns those co-beheerders (recorded in the history too).
        """
        areas = plan.areas.to_crs(WGS84)
        old_versions = dict(self._db.execute("SELECT area_id, version FROM areas"))
        locked = self.locked_areas() | {int(a) for a in lock}
        split = {int(a) for a in details.get("split", ())}
        if cap is not None:
            cap = (checked_max_members(cap[0]), float(cap[1]))
        moved = self.co_beheerders_moving(plan)
        if moved:
            details["co_beheerders_verhuisd"] = moved
        with self.transaction(action, areas=len(areas), undoable=True, **details) as db:
            if cap is not None:
                db.executemany(
                    "UPDATE meta SET value = ? WHERE key = ?",
                    [(str(cap[0]), "max_members"), (str(cap[1]), "fill")],
                )
            # A role an older version ended left its row (hidden): it goes, and does not
            # come to life in whatever area the plan now gives that member.
            db.execute(
                "DELETE FROM co_beheerders WHERE applicant_id IN (SELECT c.applicant_id "
                "FROM co_beheerders c JOIN assignments s ON s.applicant_id = c.applicant_id "
                "WHERE s.area_id != c.area_id OR s.is_beheerder = 1)"
            )
            db.execute("DELETE FROM assignments")
            db.execute("DELETE FROM areas")
            for record, geometry in zip(
                areas[list(AREA_FIELDS)].to_dict("records"), areas.geometry, strict=True
            ):
                area_id = int(record["area_id"])
                redrawn = area_id in split or area_id not in old_versions
                version = old_versions.get(area_id, 0) + int(redrawn)
                db.execute(
                    f"INSERT INTO areas ({', '.join(AREA_COLUMNS_STORED)}) "
                    f"VALUES ({', '.join('?' * len(AREA_COLUMNS_STORED))})",
                    (
                        area_id, str(record["name"]), version, _cell(record["households"]),
                        int(bool(record["beheerder_needed"])), str(record["neighbours"]),
                        str(record["streets"]), shapely.to_wkb(geometry), int(area_id in locked),
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
            db.execute(
                "UPDATE co_beheerders SET area_id = (SELECT s.area_id FROM assignments s "
                "WHERE s.applicant_id = co_beheerders.applicant_id) "
                "WHERE applicant_id IN (SELECT applicant_id FROM assignments)"
            )
            db.execute(
                "DELETE FROM co_beheerders WHERE applicant_id IN "
                "(SELECT applicant_id FROM assignments WHERE is_beheerder = 1)"
            )
        return moved

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
            for applicant_id in ids:
                repeated = db.execute(
                    "SELECT 1 FROM applicants a JOIN applicants b ON b.telefoon = a.telefoon "
                    "WHERE a.id = ? AND b.id != a.id AND b.status = 'rejected' AND b.reason = ?",
                    (int(applicant_id), reason),
                ).fetchone()
                if repeated:  # the same person sent in again: one reject row is enough
                    db.execute("DELETE FROM applicants WHERE id = ?", (int(applicant_id),))
                else:
                    db.execute(
                        "UPDATE applicants SET status = 'rejected', reason = ? WHERE id = ?",
                        (reason, int(applicant_id)),
                    )

    def set_beheerder(self, area_id: int, applicant_id: int) -> None:
        """A planner's choice of beheerder for an area (an override)."""
        self._known_areas([area_id])
        row = self._db.execute(
            "SELECT area_id FROM assignments WHERE applicant_id = ?", (applicant_id,)
        ).fetchone()
        if (
            row is None
            and not self._db.execute(
                "SELECT 1 FROM applicants WHERE id = ?", (applicant_id,)
            ).fetchone()
        ):
            msg = f"aanmelding nr. {applicant_id} bestaat niet in dit project"
            raise StoreError(msg)
        if row is None or int(row[0]) != area_id:
            msg = f"deelnemer {applicant_id} zit niet in gebied {area_id}"
            raise StoreError(msg)
        with self.transaction(
            "beheerder gekozen", area_id=area_id, applicant_id=applicant_id, undoable=True
        ) as db:
            db.execute("UPDATE assignments SET is_beheerder = 0 WHERE area_id = ?", (area_id,))
            db.execute(
                "UPDATE assignments SET is_beheerder = 1 WHERE applicant_id = ?", (applicant_id,)
            )
            db.execute("UPDATE areas SET beheerder_needed = 0 WHERE area_id = ?", (area_id,))
            db.execute("DELETE FROM co_beheerders WHERE applicant_id = ?", (applicant_id,))

    def unset_beheerder(self, area_id: int) -> None:
        """The area has no beheerder any more (e.g. the beheerder stopped); recorded, undoable."""
        self._known_areas([area_id])
        with self.transaction("beheerder losgelaten", area_id=area_id, undoable=True) as db:
            db.execute("UPDATE assignments SET is_beheerder = 0 WHERE area_id = ?", (area_id,))
            db.execute("UPDATE areas SET beheerder_needed = 1 WHERE area_id = ?", (area_id,))

    def co_beheerders_moving(self, plan: Plan) -> list[int]:
        """The co-beheerders ``plan`` puts in another area, where they stay co-beheerder (not
        those it makes hoofdbeheerder there: they have that role instead)."""
        members = plan.members.set_index(plan.members["member_id"].astype(int))
        return sorted(
            member
            for area, ids in self.co_beheerders().items()
            for member in ids
            if member in members.index
            and int(members.at[member, "area_id"]) != area
            and not bool(members.at[member, "is_beheerder"])
        )

    def rename_area(self, area_id: int, name: str) -> bool:
        """The planner's own name for an area ("Kerkbuurt"), recorded and undoable. Plan
        changes keep it while the area keeps its number. Whether it changed: the same name
        again writes nothing."""
        self._known_areas([area_id])
        name = " ".join(name.split())
        if not name:
            msg = "een gebied heeft een naam nodig"
            raise StoreError(msg)
        if len(name) > MAX_AREA_NAME:
            msg = f"een naam van een gebied is hoogstens {MAX_AREA_NAME} tekens"
            raise StoreError(msg)
        names = dict(self._db.execute("SELECT area_id, name FROM areas").fetchall())
        taken = [
            a for a, n in names.items() if a != area_id and str(n).casefold() == name.casefold()
        ]
        if taken:
            msg = f"gebied {taken[0]} heet al {name!r}; kies een naam die geen ander gebied heeft"
            raise StoreError(msg)
        if names[area_id] == name:
            return False
        with self.transaction(
            "gebied hernoemd", area_id=area_id, was=names[area_id], now=name, undoable=True
        ) as db:
            db.execute("UPDATE areas SET name = ? WHERE area_id = ?", (name, area_id))
        return True

    def co_beheerders(self) -> dict[int, list[int]]:
        """Co-beheerders per area (applicant ids): only those in that area and not its
        hoofdbeheerder (a plan change takes the role along, :meth:`save_plan`; a move house
        ends it, :meth:`correct_applicant`)."""
        found: dict[int, list[int]] = {}
        for area_id, applicant_id in self._db.execute(
            "SELECT c.area_id, c.applicant_id FROM co_beheerders c JOIN assignments s "
            "ON s.applicant_id = c.applicant_id AND s.area_id = c.area_id "
            "WHERE s.is_beheerder = 0 ORDER BY c.area_id, c.applicant_id"
        ):
            found.setdefault(int(area_id), []).append(int(applicant_id))
        return found

    def set_co_beheerders(self, area_id: int, applicant_ids: Collection[int]) -> bool:
        """The co-beheerders of an area (replacing the earlier ones; empty: none); undoable.
        Whether they changed: the same choice again writes nothing (no history entry)."""
        self._known_areas([area_id])
        ids = sorted({int(i) for i in applicant_ids})
        placed = dict(
            self._db.execute(
                "SELECT applicant_id, area_id FROM assignments WHERE is_beheerder = 0"
            ).fetchall()
        )
        if len(ids) > MAX_CO_BEHEERDERS:
            msg = (
                f"hoogstens {MAX_CO_BEHEERDERS} co-beheerders per gebied ({len(ids)} gekozen); "
                "een groep heeft meestal één of twee"
            )
            raise StoreError(msg)
        wrong = [i for i in ids if placed.get(i) != area_id]
        if wrong:
            msg = (
                f"deelnemer {', '.join(map(str, wrong))} zit niet in gebied {area_id} "
                f"of is daar al hoofdbeheerder"
            )
            raise StoreError(msg)
        if sorted(self.co_beheerders().get(int(area_id), [])) == ids:
            return False
        with self.transaction(
            "co-beheerders gekozen", area_id=area_id, applicant_ids=ids, undoable=True
        ) as db:
            db.execute("DELETE FROM co_beheerders WHERE area_id = ?", (area_id,))
            db.executemany("INSERT OR REPLACE INTO co_beheerders VALUES (?, ?)",
                           [(i, area_id) for i in ids])  # fmt: skip
        return True

    def _known_areas(self, area_ids: Collection[int]) -> None:
        known = {int(a) for (a,) in self._db.execute("SELECT area_id FROM areas")}
        unknown = sorted({int(a) for a in area_ids} - known)
        if unknown:
            msg = f"gebied {', '.join(map(str, unknown))} bestaat niet"
            raise StoreError(msg)

    def set_locked(self, area_ids: Collection[int], locked: bool = True) -> None:
        """Lock areas (a re-plan keeps them as they are) or unlock them; recorded, undoable."""
        ids = sorted({int(a) for a in area_ids})
        self._known_areas(ids)
        action = "gebieden vastgezet" if locked else "gebieden losgemaakt"
        with self.transaction(action, areas=ids, undoable=True) as db:
            db.executemany(
                "UPDATE areas SET locked = ? WHERE area_id = ?", [(int(locked), a) for a in ids]
            )

    def _plan_changes(self) -> list[tuple[int, str, str]]:
        """The history entries that changed the indeling (id, action, details), newest first."""
        return self._db.execute(
            "SELECT h.id, h.action, h.details FROM history h "
            "JOIN snapshots s ON s.history_id = h.id ORDER BY h.id DESC"
        ).fetchall()

    def step_back(self) -> int | None:
        """The change "ongedaan maken" undoes: the newest change of the indeling that is no
        undo itself and that no later undo went back past, so that each undo goes one step
        further back (undoing an undo, a redo, is :meth:`undo` of that entry); ``None`` when
        there is none."""
        rows = self._plan_changes()
        back_past = math.inf  # entries from here on are undone
        for entry, action, details in rows:
            if entry >= back_past:
                continue
            if action != UNDO_ACTION:
                return int(entry)
            back_past = min(back_past, int(json.loads(details)["before"]))
        return None

    def step_forward(self) -> int | None:
        """The undo that "herstellen" takes back (a redo is the undo of an undo): among the undos
        the history ends with, the newest that undid a change (not an undo) and that no later
        one took back already; ``None`` when the last change was no undo."""
        rows = self._plan_changes()
        undos = {int(entry) for entry, action, _ in rows if action == UNDO_ACTION}
        taken_back: set[int] = set()
        for entry, action, details in rows:
            if action != UNDO_ACTION:
                return None  # a change after the undos: there is nothing to redo
            before = int(json.loads(details)["before"])
            if before not in undos and int(entry) not in taken_back:
                return int(entry)
            taken_back.add(before)
        return None

    def undo(self, entry: int | None = None, *, actor: str = "planner") -> int:
        """Bring back the plan (areas, locks, assignments, beheerders, cap) as it was before
        history entry ``entry``, by default :meth:`step_back`'s; returns ``entry``.

        The undo is itself a change in the history (and can be undone). Nobody comes back:
        people removed or rejected since are left out; people accepted since, and those the
        undone change placed, have no area until the planner places them
        (:func:`geo.project.place_members`).
        """
        if entry is None:
            entry = self.step_back()
            if entry is None:
                msg = "er is geen wijziging van de indeling om ongedaan te maken"
                raise StoreError(msg)
        found = self._db.execute(
            "SELECT h.action, s.plan FROM history h JOIN snapshots s ON s.history_id = h.id "
            "WHERE h.id = ?",
            (int(entry),),
        ).fetchone()
        if found is None:
            msg = f"wijziging {entry} veranderde de indeling niet en kan niet ongedaan worden"
            raise StoreError(msg)
        action, text = found
        state = json.loads(text)
        with self.transaction(
            UNDO_ACTION, actor=actor, undoable=True, before=int(entry), undone=str(action)
        ) as db:
            db.execute("DELETE FROM assignments")
            db.execute("DELETE FROM areas")
            for kept in state["areas"]:
                area = {**kept, "geometry": bytes.fromhex(kept["geometry"])}
                columns = [c for c in AREA_COLUMNS_STORED if c in area]
                db.execute(
                    f"INSERT INTO areas ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})",
                    [area[c] for c in columns],
                )
            accepted = {
                int(i) for (i,) in db.execute("SELECT id FROM applicants WHERE status = 'accepted'")
            }
            db.executemany(
                "INSERT INTO assignments VALUES (?, ?, ?)",
                [tuple(row) for row in state["assignments"] if int(row[0]) in accepted],
            )
            db.execute(
                "UPDATE areas SET beheerder_needed = 1 WHERE area_id NOT IN "
                "(SELECT area_id FROM assignments WHERE is_beheerder = 1)"
            )
            if "co_beheerders" in state:  # kept since schema 5
                db.execute("DELETE FROM co_beheerders")
                db.executemany(
                    "INSERT INTO co_beheerders SELECT ?, ? WHERE EXISTS "
                    "(SELECT 1 FROM applicants WHERE id = ?)",
                    [(int(i), int(a), int(i)) for i, a in state["co_beheerders"]],
                )
            db.executemany(
                "UPDATE meta SET value = ? WHERE key = ?",
                [(str(value), key) for key, value in state["meta"].items()],
            )
        return int(entry)

    # --- from plan to working group -------------------------------------------------------------

    def progress(self) -> pd.DataFrame:
        """Per accepted sign-up: ``id``, ``area_id``, ``stage`` (one of :data:`STAGES`),
        ``added``/``added_by``, ``sent``/``channel``/``message_id``.

        Being added and being sent a message count for the area it happened in: a member a
        re-plan moved is ``ingedeeld`` again until added to the new group.
        """
        frame = pd.read_sql_query(
            "SELECT a.id, s.area_id, p.area_id AS progress_area, p.added, p.added_by, p.sent, "
            "p.channel, p.message_id FROM applicants a "
            "LEFT JOIN assignments s ON s.applicant_id = a.id "
            "LEFT JOIN progress p ON p.applicant_id = a.id "
            "WHERE a.status = 'accepted' ORDER BY a.id",
            self._db,
        )
        here = frame["progress_area"].notna() & (frame["progress_area"] == frame["area_id"])
        for column in ("added", "added_by", "sent", "channel", "message_id"):
            frame[column] = frame[column].where(here, None)
        stage = pd.Series(STAGES[0], index=frame.index)
        stage[frame["area_id"].notna()] = STAGES[1]
        stage[frame["added"].notna()] = STAGES[2]
        stage[frame["sent"].notna()] = STAGES[3]
        frame["stage"] = stage
        return frame.drop(columns="progress_area")

    def mark_added(
        self, ids: Collection[int], *, added: bool = True, actor: str = "planner"
    ) -> int:
        """Tick (or untick) members as added to their area's WhatsApp group; returns how many
        changed. Members without an area are skipped."""
        placed = dict(self._db.execute("SELECT applicant_id, area_id FROM assignments").fetchall())
        chosen = sorted({int(i) for i in ids} & set(placed))
        action = "leden toegevoegd aan de groep" if added else "toegevoegd teruggedraaid"
        with self.transaction(action, actor=actor, count=len(chosen)) as db:
            for applicant_id in chosen:
                if added:
                    db.execute(
                        "INSERT INTO progress (applicant_id, area_id, added, added_by) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (applicant_id) DO UPDATE SET "
                        "area_id = excluded.area_id, added = excluded.added, "
                        "added_by = excluded.added_by",
                        (applicant_id, placed[applicant_id], _now(), actor),
                    )
                else:
                    db.execute(
                        "UPDATE progress SET added = NULL, added_by = NULL WHERE applicant_id = ?",
                        (applicant_id,),
                    )
        return len(chosen)

    def record_sent(self, applicant_id: int, *, channel: str, message_id: str) -> None:
        """A member's message went out (or its draft or link was made): kept at once, in its
        own transaction, so a batch that breaks off never sends anyone twice on resume.

        Not a history entry per member: the sender records one entry per batch.
        """
        if channel not in CHANNELS:
            msg = f"onbekend kanaal {channel!r}; kies uit {', '.join(sorted(CHANNELS))}"
            raise StoreError(msg)
        row = self._db.execute(
            "SELECT area_id FROM assignments WHERE applicant_id = ?", (int(applicant_id),)
        ).fetchone()
        if row is None:
            msg = f"deelnemer {applicant_id} is niet ingedeeld"
            raise StoreError(msg)
        try:
            with self._db:
                self._db.execute(
                    "INSERT INTO progress (applicant_id, area_id, sent, channel, message_id) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (applicant_id) DO UPDATE SET "
                    "area_id = excluded.area_id, sent = excluded.sent, "
                    "channel = excluded.channel, message_id = excluded.message_id",
                    (int(applicant_id), int(row[0]), _now(), channel, message_id),
                )
        except sqlite3.OperationalError as error:
            raise StoreError(_explain(error, self.path)) from None

    def launch(self, area_id: int, *, invite_link: str = "", actor: str = "planner") -> None:
        """Mark an area's group as operational, optionally with its WhatsApp invite link."""
        self._known_areas([area_id])
        link = invite_link.strip()
        if link and not re.fullmatch(r"https://chat\.whatsapp\.com/[A-Za-z0-9]+", link):
            msg = (
                f"{link!r} is geen WhatsApp-uitnodigingslink; die begint met "
                f"https://chat.whatsapp.com/ (WhatsApp: groepsinfo → Uitnodigen via link)"
            )
            raise StoreError(msg)
        with self.transaction("groep gestart", actor=actor, area_id=int(area_id)) as db:
            db.execute(
                "INSERT INTO launches VALUES (?, ?, ?, ?) ON CONFLICT (area_id) DO UPDATE SET "
                "operational = excluded.operational, invite_link = excluded.invite_link, "
                "actor = excluded.actor",
                (int(area_id), _now(), link, actor),
            )

    def launches(self) -> pd.DataFrame:
        """Areas whose group is operational: area_id, operational (when), invite_link, actor."""
        return pd.read_sql_query("SELECT * FROM launches ORDER BY area_id", self._db)

    # --- what to check, and clearing up ----------------------------------------------------------

    def mark_checked(self, ids: Collection[int]) -> None:
        """The planner checked these sign-ups: their remark and kept message text go."""
        chosen = sorted({int(i) for i in ids})
        with self.transaction("aanmeldingen gecontroleerd", count=len(chosen)) as db:
            for applicant_id in chosen:
                (text,) = db.execute(
                    "SELECT bron FROM applicants WHERE id = ?", (applicant_id,)
                ).fetchone() or ("{}",)
                source = {k: v for k, v in json.loads(text).items() if k != "bericht"}
                db.execute(
                    "UPDATE applicants SET opmerking = '', bron = ? WHERE id = ?",
                    (json.dumps(source, ensure_ascii=False), applicant_id),
                )

    def preview_correction(
        self,
        applicant_id: int,
        fields: Mapping[str, str],
        *,
        location: tuple[float, float] | None = None,
        regions: Sequence[str] = DEFAULT_REGIONS,
    ) -> Correction:
        """What :meth:`correct_applicant` would do with ``fields``, without writing anything.

        Raises :class:`StoreError` (Dutch) when the correction breaks an intake rule, the phone
        number belongs to someone else, the new address lies outside the wijk, or the new area
        is full.
        """
        return self._correction(applicant_id, fields, location=location, regions=regions)[0]

    def correct_applicant(
        self,
        applicant_id: int,
        fields: Mapping[str, str],
        *,
        by: str = "planner",
        location: tuple[float, float] | None = None,
        move_to: int | None = None,
        checked: bool = False,
        regions: Sequence[str] = DEFAULT_REGIONS,
    ) -> Correction:
        """Correct an accepted sign-up in place: same id, area, role and progress.

        ``fields`` are cells as the intake reads them (``Naam``, ``Straat``, ``Huisnummer``,
        ``Adres``, ``Postcode``, ``Woonplaats``, ``Leeftijd``, ``Telefoon``, ``E-mail``,
        ``Beheerder``, and ``opmerking`` for the remark); what is not given stays as it is (a
        given address field replaces the whole address). They are checked by the intake's
        rules (:func:`geo.intake.validate_rows`); the age is checked, not stored.

        A new address needs its ``location`` (found as a sign-up's is). When it lies in another
        area the member moves only when ``move_to`` names that area (the planner confirmed
        the preview): a (co-)beheerder's role in the old area then ends (the area is marked as
        needing a beheerder), added/sent stay recorded for the old area, and the plan before
        is kept for :meth:`undo`, which brings back the area and the role (a kept plan holds
        ids only, so the corrected details themselves stay). ``checked``: the planner says all
        is right now, so the remark and the kept message text go (as :meth:`mark_checked`);
        otherwise the remark stays and what the rules note about a new phone number (a
        landline) or beheerder cell is added to it. The history records which columns
        changed, never their values.
        """
        preview = self.preview_correction(
            applicant_id, fields, location=location, regions=regions
        )  # a move keeps the plan before it, so the transaction must know beforehand
        details: dict[str, Any] = {"applicant_id": int(applicant_id)}
        with self._write("deelnemer verbeterd", by, details, undoable=preview.moves) as db:
            correction, values = self._correction(
                applicant_id, fields, location=location, regions=regions, db=db
            )
            if correction.moves != preview.moves:
                msg = "het project is intussen gewijzigd; probeer het opnieuw"
                raise StoreError(msg)
            if correction.address_changed and correction.location is None:
                msg = (
                    "het adres is veranderd: zoek eerst het nieuwe adres op; er is niets gewijzigd"
                )
                raise StoreError(msg)
            if correction.moves and move_to != correction.area_after:
                msg = (
                    f"deze deelnemer verhuist van gebied {correction.area_before} naar gebied "
                    f"{correction.area_after}; bevestig eerst de verhuizing (er is niets gewijzigd)"
                )
                raise StoreError(msg)
            stored = db.execute(
                "SELECT opmerking, bron FROM applicants WHERE id = ?", (int(applicant_id),)
            ).fetchone()
            noted = str(values.pop("opmerking"))
            fresh = bool({"telefoon", "beheerder"} & set(correction.changed))
            remark, source = _corrected_remark(
                stored, fields, noted if fresh else "", checked=checked
            )
            db.execute(
                f"UPDATE applicants SET {', '.join(f'{c} = ?' for c in values)}, opmerking = ?, "
                f"bron = ? WHERE id = ?",
                (*values.values(), remark, source, int(applicant_id)),
            )
            details.update(gegevens=list(correction.changed), gecontroleerd=checked)
            if correction.moves:
                self._move_member(db, correction)
                details.update(area_id=correction.area_before, to_area=correction.area_after,
                               rol_beeindigd=correction.role or None)  # fmt: skip
        return correction

    @staticmethod
    def _move_member(db: sqlite3.Connection, correction: Correction) -> None:
        """Move a corrected member to their new area; a role in the old area ends."""
        member = correction.applicant_id
        if correction.role == "beheerder":
            db.execute(
                "UPDATE areas SET beheerder_needed = 1 WHERE area_id = ?", (correction.area_before,)
            )
        db.execute("DELETE FROM co_beheerders WHERE applicant_id = ?", (member,))
        db.execute(
            "UPDATE assignments SET area_id = ?, is_beheerder = 0 WHERE applicant_id = ?",
            (correction.area_after, member),
        )

    def _correction(
        self,
        applicant_id: int,
        fields: Mapping[str, str],
        *,
        location: tuple[float, float] | None,
        regions: Sequence[str],
        db: sqlite3.Connection | None = None,
    ) -> tuple[Correction, dict[str, Any]]:
        """The correction of ``applicant_id`` and the columns to store (``opmerking``: what the
        intake's rules note about the new values)."""
        db = db or self._db
        columns = (*CORRECTED_FIELDS, "lat", "lon")
        found = db.execute(
            f"SELECT a.status, {', '.join(f'a.{c}' for c in columns)}, s.area_id, "
            "s.is_beheerder FROM applicants a LEFT JOIN assignments s ON s.applicant_id = a.id "
            "WHERE a.id = ?",
            (int(applicant_id),),
        ).fetchone()
        if found is None or found[0] != "accepted":
            msg = f"aanmelding {applicant_id} bestaat niet of is niet (meer) aangenomen"
            raise StoreError(msg)
        old = dict(zip(columns, found[1:-2], strict=True))
        area_before = None if found[-2] is None else int(found[-2])
        point = (old["lat"], old["lon"]) if location is None else location
        values = _validated(old, fields, point=point, regions=regions)
        address_changed = any(_fold(values[c]) != _fold(old[c]) for c in ADDRESS_FIELDS)
        if address_changed and not (values["straat"] and values["huisnummer"] is not None):
            msg = "niet verbeterd: geen straat met huisnummer in het nieuwe adres"
            raise StoreError(msg)
        if address_changed and location is not None:
            values["lat"], values["lon"] = float(location[0]), float(location[1])
        else:
            location = None
        changed = tuple(c for c in CORRECTED_FIELDS if _fold(values[c]) != _fold(old[c]))
        if (
            values["telefoon"] != old["telefoon"]
            and db.execute(
                "SELECT 1 FROM applicants WHERE telefoon = ? AND id != ? "
                "AND status IN ('accepted', 'pending')",
                (values["telefoon"], int(applicant_id)),
            ).fetchone()
        ):
            msg = f"telefoonnummer {values['telefoon']} staat al bij een andere aanmelding in het project"
            raise StoreError(msg)
        area_after = area_before
        if address_changed and location is not None and area_before is not None:
            area_after = self._area_at(db, location)
        role, co_left = "", 0
        if area_before is not None:
            co = [
                int(i)
                for (i,) in db.execute(
                    "SELECT c.applicant_id FROM co_beheerders c JOIN assignments s ON "
                    "s.applicant_id = c.applicant_id AND s.area_id = c.area_id "
                    "WHERE c.area_id = ? AND s.is_beheerder = 0",
                    (area_before,),
                )
            ]
            role = "beheerder" if found[-1] else "co-beheerder" if applicant_id in co else ""
            co_left = len(co) - int(role == "co-beheerder")
        if area_after is not None and area_after != area_before:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM assignments WHERE area_id = ?", (area_after,)
            ).fetchone()
            cap = self.max_members
            if int(count) + 1 > cap:
                msg = (
                    f"deze deelnemer kan niet naar gebied {area_after}: daar "
                    f"{noun(int(count), 'is', 'zijn')} al {counted(int(count), 'lid', 'leden')} "
                    f"en het maximum is {cap} (een WhatsApp-groep heeft plaats voor "
                    f"{WHATSAPP_GROUP_SIZE} deelnemers); splits eerst dat gebied. Er is niets "
                    f"gewijzigd"
                )
                raise StoreError(msg)
        last = int(db.execute("SELECT COALESCE(MAX(id), 0) FROM history").fetchone()[0])
        correction = Correction(
            int(applicant_id), changed, address_changed, location, area_before, area_after,
            role, co_left, last, {c: values[c] or "" for c in ADDRESS_FIELDS},
        )  # fmt: skip
        return correction, values

    @staticmethod
    def _area_at(db: sqlite3.Connection, location: tuple[float, float]) -> int:
        """The area holding ``location`` (lat, lon); refused outside the wijk."""
        point = shapely.Point(float(location[1]), float(location[0]))
        (text,) = db.execute("SELECT geojson FROM layers WHERE name = 'boundary'").fetchone()
        boundary = gpd.GeoDataFrame.from_features(json.loads(text)["features"], crs=WGS84)
        if not boundary.geometry.covers(point).any():
            msg = "het nieuwe adres ligt buiten de wijk; er is niets gewijzigd"
            raise StoreError(msg)
        rows = db.execute("SELECT area_id, geometry FROM areas ORDER BY area_id").fetchall()
        areas = gpd.GeoDataFrame(
            {"area_id": [int(a) for a, _ in rows]},
            geometry=shapely.from_wkb([g for _, g in rows]),
            crs=WGS84,
        )
        here = gpd.GeoDataFrame(geometry=[point], crs=WGS84)
        return int(areas["area_id"].iloc[int(containing_area(here, areas)[0])])

    def clear_rejects(self) -> int:
        """Delete every rejected sign-up (their typed cells included); returns how many."""
        with self.transaction("afgewezen aanmeldingen gewist") as db:
            removed = db.execute("DELETE FROM applicants WHERE status = 'rejected'").rowcount
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no copy left in the WAL file
        return int(removed)

    def decide_sign(
        self, sign_key: str, decision: str, note: str = "", *, actor: str = "gemeente"
    ) -> None:
        """The municipality's decision on a sign (``accepted``/``rejected``), and who took it."""
        with self.transaction(
            "bord beoordeeld", actor=actor, sign=sign_key, decision=decision
        ) as db:
            db.execute(
                "INSERT INTO sign_decisions (sign_key, decision, note, decided, actor) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sign_key) DO UPDATE SET "
                "decision = excluded.decision, note = excluded.note, "
                "decided = excluded.decided, actor = excluded.actor",
                (sign_key, decision, note, _now(), actor),
            )

    def sign_decisions(self) -> pd.DataFrame:
        """The municipality's decisions: sign_key, decision, note, decided (when), actor."""
        return pd.read_sql_query("SELECT * FROM sign_decisions ORDER BY sign_key", self._db)

    def propose_sign(
        self, sign_key: str, proposal: str, note: str = "", *, actor: str = "planner"
    ) -> None:
        """The planner's proposal on a sign (``proposed``/``withdrawn``), apart from the decision."""
        with self.transaction(
            "bord voorgesteld", actor=actor, sign=sign_key, proposal=proposal
        ) as db:
            db.execute(
                "INSERT INTO sign_proposals VALUES (?, ?, ?, ?, ?) ON CONFLICT (sign_key) DO "
                "UPDATE SET proposal = excluded.proposal, note = excluded.note, "
                "proposed = excluded.proposed, actor = excluded.actor",
                (sign_key, proposal, note, _now(), actor),
            )

    def sign_proposals(self) -> pd.DataFrame:
        """The planner's proposals: sign_key, proposal, note, proposed (when), actor."""
        return pd.read_sql_query("SELECT * FROM sign_proposals ORDER BY sign_key", self._db)

    def forget(self, telefoon: str, *, regions: Sequence[str] = ("NL", "BE", "DE")) -> int:
        """Remove a person everywhere in the store; the history records only that it happened.

        The person is found by phone number (E.164, also inside the cells of rejected sign-ups
        as typed, in any notation ``regions`` reads), and then by name and address, so a
        sign-up with a mistyped number goes too. Texts in the history and in sign notes that
        name the person are blanked. Returns how many sign-ups were removed (a person may
        have signed up more than once). An area that loses its beheerder is marked as needing one.
        """
        rows = self._rows_to_forget()
        national = _national_number(telefoon)
        found = [r for r in rows if _has_phone(r, telefoon, national, regions)]
        return self._forget(rows, found, telefoon, national)

    def forget_sign_up(
        self, applicant_id: int, *, regions: Sequence[str] = ("NL", "BE", "DE")
    ) -> int:
        """Remove the person of sign-up ``applicant_id`` (its "nr.") as :meth:`forget` does:
        that sign-up and the person's others, with the same name (exactly, in the name column)
        and their phone number (stored, or as typed in a reject's cells) or address; not
        another person who shares the number or the address (a household). Returns how many
        went."""
        rows = self._rows_to_forget()
        found = [r for r in rows if r.id == int(applicant_id)]
        if not found:
            return 0
        person = found[0]
        phone = str(person.telefoon or "")
        national = _national_number(phone) if phone else ""
        if phone:
            found += [
                r for r in rows
                if r.id != person.id and _fold(r.naam) == _fold(person.naam)
                and _has_phone(r, phone, national, regions)
            ]  # fmt: skip
        return self._forget(rows, found, phone, national, same_name_only=True)

    def _rows_to_forget(self) -> list[_Row]:
        return [
            _Row(*row)
            for row in self._db.execute(
                "SELECT id, naam, telefoon, email, straat, huisnummer, postcode, original "
                "FROM applicants"
            )
        ]

    def _forget(
        self,
        rows: list[_Row],
        found: list[_Row],
        telefoon: str,
        national: str,
        *,
        same_name_only: bool = False,
    ) -> int:
        """Remove ``found`` and the rows of the same people (name and address) everywhere;
        with ``same_name_only`` those whose name column holds that name, not only a row that
        mentions it (a neighbour's note)."""
        identities = {i for r in found if (i := r.identity()) is not None}
        found += [
            r for r in rows
            if r not in found and any(
                r.matches(i) and (not same_name_only or _fold(r.naam) == i[0]) for i in identities
            )
        ]  # fmt: skip
        if not found:
            return 0
        ids = [r.id for r in found]
        needles = _needles(found, telefoon, national)
        marks = ",".join("?" * len(ids))
        with self.transaction("persoon verwijderd (AVG)", removed=len(ids)) as db:
            db.execute(
                f"UPDATE areas SET beheerder_needed = 1 WHERE area_id IN (SELECT area_id FROM "
                f"assignments WHERE is_beheerder = 1 AND applicant_id IN ({marks}))",
                ids,
            )
            db.execute(f"DELETE FROM applicants WHERE id IN ({marks})", ids)
            self._blank_history(db, set(ids), needles)
            _forget_in_snapshots(db, set(ids))
            for table in ("sign_decisions", "sign_proposals"):
                for key, note in list(db.execute(f"SELECT sign_key, note FROM {table}")):
                    if _mentions(str(note), needles):
                        db.execute(
                            f"UPDATE {table} SET note = ? WHERE sign_key = ?",
                            (BLANKED, key),
                        )
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no copy left in the WAL file
        return len(ids)

    @staticmethod
    def _blank_history(
        db: sqlite3.Connection, ids: set[int], needles: tuple[list[str], list[str]]
    ) -> None:
        """Blank what names a forgotten person in the history's details (its only edit)."""
        changes = []
        for entry, text in list(db.execute("SELECT id, details FROM history")):
            details = json.loads(text)
            blanked = _blank(details, ids, needles)
            if blanked != details:
                changes.append((json.dumps(blanked, ensure_ascii=False), entry))
        if not changes:
            return
        (trigger,) = db.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'history_is_append_only_update'"
        ).fetchone()
        db.execute("DROP TRIGGER history_is_append_only_update")
        db.executemany("UPDATE history SET details = ? WHERE id = ?", changes)
        db.execute(trigger)

    def backup(self, target: Path) -> Path:
        """A consistent copy of the project while it is in use (SQLite's online backup).

        The copy is checked (``PRAGMA quick_check``); a damaged one is removed, not kept.
        """
        if target.exists():
            msg = f"{target} bestaat al; kies een nieuwe naam voor de reservekopie"
            raise StoreError(msg)
        _copy(self._db, target, what="reservekopie")
        return target

    @staticmethod
    def restore(backup: Path, target: Path) -> Store:
        """Bring back a backup as the project file ``target`` (which must not exist yet).

        Refused while ``target``'s WAL or shared-memory file exists (the project is still open,
        or was not closed cleanly: those files may hold committed changes), and for a backup
        that is no project file or is damaged. The backup itself is only read.
        """
        if not backup.is_file():
            msg = (
                f"reservekopie {backup} bestaat niet; controleer naam en map "
                f"(een reservekopie maakt u met 'python -m geo project backup')"
            )
            raise StoreError(msg)
        if target.exists():
            msg = (
                f"{target} bestaat al; zet het eerst opzij (met de bestanden {target.name}-wal en "
                f"{target.name}-shm, als die er zijn) voordat u een reservekopie terugzet"
            )
            raise StoreError(msg)
        left = [f.name for f in _companions(target) if f.exists()]
        if left:
            msg = (
                f"{' en '.join(left)} staat nog naast {target.name}: het project is nog open (de "
                f"app of een andere opdracht) of is niet netjes afgesloten, en daarin kunnen "
                f"ingelezen aanmeldingen staan; sluit de app en wacht tot andere opdrachten klaar "
                f"zijn, of zet deze bestanden bij het oude projectbestand, en probeer het opnieuw"
            )
            raise StoreError(msg)
        _inspect(backup, what="reservekopie")
        try:
            source = sqlite3.connect(_read_only_uri(backup), uri=True, timeout=BUSY_TIMEOUT_S)
        except sqlite3.DatabaseError as error:
            raise StoreError(_explain(error, backup)) from None
        try:
            _copy(source, target, what="teruggezette kopie")
        finally:
            source.close()
        restored = Store.open(target)
        with restored.transaction("reservekopie teruggezet", source=backup.name):
            pass
        return restored

    def integrity(self) -> str:
        """SQLite's own consistency check (``ok`` when the file is sound)."""
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])


BLANKED = "[verwijderd]"


def _plan_state(db: sqlite3.Connection) -> dict[str, Any]:
    """The plan as stored now (areas, assignments, cap): ids and geometry, nothing personal."""
    cursor = db.execute(f"SELECT {', '.join(AREA_COLUMNS_STORED)} FROM areas ORDER BY area_id")
    areas = [
        {
            column: value.hex() if isinstance(value, bytes) else value
            for column, value in zip(AREA_COLUMNS_STORED, row, strict=True)
        }
        for row in cursor
    ]
    assignments = [
        list(row)
        for row in db.execute(
            "SELECT applicant_id, area_id, is_beheerder FROM assignments ORDER BY applicant_id"
        )
    ]
    meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('max_members', 'fill')"))
    co = [list(row) for row in db.execute("SELECT applicant_id, area_id FROM co_beheerders")]
    return {"areas": areas, "assignments": assignments, "meta": meta, "co_beheerders": co}


def _forget_in_snapshots(db: sqlite3.Connection, ids: set[int]) -> None:
    """Leave forgotten people out of the kept plans (an undo never brings them back)."""
    for entry, text in list(db.execute("SELECT history_id, plan FROM snapshots")):
        state = json.loads(text)
        kept = [row for row in state["assignments"] if int(row[0]) not in ids]
        co = [row for row in state.get("co_beheerders", []) if int(row[0]) not in ids]
        if len(kept) != len(state["assignments"]) or len(co) != len(state.get("co_beheerders", [])):
            state["assignments"] = kept
            state["co_beheerders"] = co
            db.execute(
                "UPDATE snapshots SET plan = ? WHERE history_id = ?", (json.dumps(state), entry)
            )


def checked_max_members(max_members: int) -> int:
    """``max_members`` if a WhatsApp group can hold it, else a :class:`StoreError`."""
    if max_members < 1:
        msg = f"het maximum aantal leden per groep moet minstens 1 zijn, niet {max_members!r}"
        raise StoreError(msg)
    if max_members > MAX_MEMBERS:
        msg = (
            f"een WhatsApp-groep heeft plaats voor {WHATSAPP_GROUP_SIZE} deelnemers; het maximum "
            f"per gebied is {MAX_MEMBERS}, niet {max_members}"
        )
        raise StoreError(msg)
    return max_members


def _as_int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        msg = f"instelling max_members ({value!r}) in het project is geen geheel getal"
        raise StoreError(msg) from None


def _read_only_uri(path: Path) -> str:
    """A URI to read ``path`` without writing anything, not even a WAL or shared-memory file.

    Without a WAL file the database is all in the file, so SQLite may treat it as immutable;
    with one, SQLite must read the WAL too (and the shared-memory file is there already).
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    return uri if path.with_name(path.name + "-wal").exists() else f"{uri}&immutable=1"


def _companions(path: Path) -> list[Path]:
    """The files SQLite keeps next to a database while it is open (or after a crash)."""
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _damaged(path: Path, what: str) -> str:
    if what == "projectbestand":
        return (
            f"{path} is beschadigd; zet een reservekopie terug met 'python -m geo project restore'"
        )
    return f"{what} {path} is beschadigd; kies een andere reservekopie"


def _inspect(path: Path, *, what: str = "projectbestand") -> None:
    """Refuse a file that is not a project, is damaged or is too new, without writing to it.

    A project file carries :data:`APPLICATION_ID`; one made by an earlier version (id 0) is
    recognised by its tables. A GeoPackage, another SQLite file or an empty file is refused
    before anything (a migration, the journal mode) could change it.
    """
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as error:
        msg = f"kan {what} {path} niet lezen: {error.strerror}"
        raise StoreError(msg) from None
    if not header:
        msg = f"{path} is geen projectbestand: het bestand is leeg"
        raise StoreError(msg)
    if header != SQLITE_HEADER:
        msg = f"{path} is geen projectbestand (en ook geen SQLite-bestand)"
        raise StoreError(msg)
    try:
        probe = sqlite3.connect(_read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.DatabaseError as error:
        raise StoreError(_explain(error, path)) from None
    try:
        application_id = int(probe.execute("PRAGMA application_id").fetchone()[0])
        version = int(probe.execute("PRAGMA user_version").fetchone()[0])
        tables = {
            str(name)
            for (name,) in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if application_id in GEOPACKAGE_IDS or "gpkg_contents" in tables:
            msg = (
                f"{path} is geen projectbestand maar een GeoPackage (zoals de wijk van 'fetch'); "
                f"geef het projectbestand (.sqlite) van 'python -m geo project init'"
            )
            raise StoreError(msg)
        if application_id != APPLICATION_ID and not tables >= PROJECT_TABLES:
            msg = (
                f"{path} is geen projectbestand (een ander SQLite-bestand); een nieuw project "
                f"maakt u met 'python -m geo project init'"
            )
            raise StoreError(msg)
        if version > len(MIGRATIONS):
            msg = (
                f"{path.name} komt uit een nieuwere versie van de planner "
                f"(schema {version}, deze versie kent {len(MIGRATIONS)})"
            )
            raise StoreError(msg)
        check = str(probe.execute("PRAGMA quick_check").fetchone()[0])
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.OperationalError) and "locked" not in str(error):
            raise StoreError(_explain(error, path)) from None
        raise StoreError(_damaged(path, what)) from None
    finally:
        probe.close()
    if check != "ok":
        raise StoreError(_damaged(path, what))


def _copy(source: sqlite3.Connection, target: Path, *, what: str) -> None:
    """Copy a database with SQLite's backup API and check the copy; a bad copy is removed."""
    problem = ""
    try:
        with owner_only():
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
                check = str(copy.execute("PRAGMA quick_check").fetchone()[0])
                if check != "ok":
                    problem = "het project is beschadigd"
            finally:
                copy.close()
        target.chmod(0o600)
    except sqlite3.DatabaseError as error:
        problem = _explain(error, target)
        if "beschadigd" in problem:
            problem = "het project is beschadigd"
    if problem:
        for file in [target, *_companions(target)]:
            file.unlink(missing_ok=True)
        msg = f"{what} naar {target} mislukt: {problem}; er is niets bewaard"
        raise StoreError(msg)


def _explain(error: sqlite3.Error, path: Path) -> str:
    """One Dutch line for what SQLite reports about a file (rights, damage, disk, busy)."""
    name = str(getattr(error, "sqlite_errorname", "") or "")
    text = str(error)
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return (
            f"kan niet schrijven in {path}: het bestand is alleen-lezen; geef schrijfrechten "
            f"(chmod u+w) of werk met een kopie"
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text:
        return _damaged(path, "projectbestand")
    if name.startswith("SQLITE_FULL") or "is full" in text:
        return f"kan niet schrijven in {path}: de schijf is vol; maak ruimte en probeer het opnieuw"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return (
            f"kan niet schrijven in {path}: de app of een andere opdracht schrijft er nu in; "
            f"probeer het zo opnieuw"
        )
    if name.startswith("SQLITE_CANTOPEN"):
        return f"kan {path} niet openen of maken; bestaat de map en mag u daar schrijven?"
    return f"kan projectbestand {path} niet openen of schrijven: {text}"


def _canonical(cells: Mapping[str, Any]) -> str:
    return json.dumps(cells, ensure_ascii=False, sort_keys=True)


def _fold(value: object) -> str:
    """Text compared without case or extra spaces (``None`` and NaN are empty)."""
    if _cell(value) is None:
        return ""
    return fold_name(str(value))


@dataclass(frozen=True)
class _Row:
    """An applicant as :meth:`Store.forget` looks at it."""

    id: int
    naam: str | None
    telefoon: str | None
    email: str | None
    straat: str | None
    huisnummer: int | None
    postcode: str | None
    original: str

    def cells(self) -> list[str]:
        return [str(v) for v in json.loads(self.original or "{}").values()]

    def text(self) -> str:
        own = (self.naam, self.telefoon, self.email, self.straat, self.huisnummer, self.postcode)
        return " ".join(_fold(v) for v in (*own, *self.cells()) if _fold(v))

    def identity(self) -> tuple[str, str, str, str] | None:
        """Name, house number, street and postcode, when the row has a name and an address."""
        name, number = _fold(self.naam), _fold(self.huisnummer)
        street, postcode = _fold(self.straat), _fold(self.postcode).replace(" ", "")
        if len(name) < 3 or not number or not (street or postcode):
            return None
        return name, number, street, postcode

    def matches(self, identity: tuple[str, str, str, str]) -> bool:
        """The same name at the same address (in the stored columns or the cells as typed)."""
        name, number, street, postcode = identity
        text = self.text()
        return bool(
            re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
            and re.search(rf"(?<![\w]){re.escape(number)}(?![\d])", text)
            and ((street and street in text) or (postcode and postcode in text.replace(" ", "")))
        )


def _national_number(telefoon: str) -> str:
    """The digits of a number without country code or trunk prefix (``612345678``)."""
    try:
        return str(phonenumbers.parse(telefoon).national_number)
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", telefoon).lstrip("0")


def _has_phone(row: _Row, telefoon: str, national: str, regions: Sequence[str]) -> bool:
    """Whether ``row`` holds the number, stored (E.164) or in any cell as typed."""
    if row.telefoon == telefoon:
        return True
    for cell in [*row.cells(), str(row.telefoon or "")]:
        digits = re.sub(r"\D", "", cell)
        if len(national) >= 6 and national in digits:  # '06-1234 5678 (werk)', '0031 6 ...'
            return True
        if len(digits) >= 6:
            try:
                if normalize_phone(cell, regions=regions)[0] == telefoon:
                    return True
            except ValueError:
                pass
    return False


def _needles(found: list[_Row], telefoon: str, national: str) -> tuple[list[str], list[str]]:
    """What names a forgotten person in free text: names and e-mails, and phone digits."""
    words = {_fold(r.naam) for r in found} | {_fold(r.email) for r in found}
    digits = {d for d in (national, re.sub(r"\D", "", telefoon)) if len(d) >= 6}
    return sorted(w for w in words if len(w) >= 3), sorted(digits)


def _mentions(text: str, needles: tuple[list[str], list[str]]) -> bool:
    words, digits = needles
    folded, numbers = _fold(text), re.sub(r"\D", "", text)
    return any(w in folded for w in words) or any(d in numbers for d in digits)


_ID_LISTS = frozenset({"applicant_ids", "co_beheerders_verhuisd"})  # history details of ids


def _blank(value: Any, ids: set[int], needles: tuple[list[str], list[str]]) -> Any:
    """``value`` (history details) with texts naming the person and their ids blanked."""
    if isinstance(value, dict):
        return {
            key: None
            if key in {"applicant_id", "member_id"} and item in ids
            else [i for i in item if i not in ids]
            if key in _ID_LISTS and isinstance(item, list)
            else _blank(item, ids, needles)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_blank(item, ids, needles) for item in value]
    if isinstance(value, str) and _mentions(value, needles):
        return BLANKED
    return value


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


def _source(record: Mapping[Hashable, Any]) -> dict[str, str]:
    """Where a sign-up came from (an e-mail's id, date, sender, subject), and the message text
    while the row still has something to check (see :meth:`Store.checked`)."""
    source = {
        f: str(record[f]) for f in (*SOURCE_FIELDS, "bericht") if _cell(record.get(f)) is not None
    }
    if not str(record.get("opmerking") or "").strip():
        source.pop("bericht", None)
    return {k: v for k, v in source.items() if v != ""}


def _validated(
    old: Mapping[str, Any],
    fields: Mapping[str, str],
    *,
    point: tuple[Any, Any],
    regions: Sequence[str],
) -> dict[str, Any]:
    """The columns of a corrected sign-up (:data:`CORRECTED_FIELDS` and ``opmerking``, what the
    rules note): ``fields`` over the stored values, checked by the intake's own rules."""
    number = "" if _cell(old["huisnummer"]) is None else str(old["huisnummer"])
    cells = {
        **{c: "" if _cell(old[c]) is None else str(old[c]) for c in CORRECTED_FIELDS},
        "huisnummer": number.removesuffix(".0"),
        "leeftijd": "18+",  # passed the 18+ rule when accepted; the age is not stored
        "beheerder": "ja" if old["beheerder"] else "nee",
    }
    given: dict[str, str] = {}
    for header, value in fields.items():
        canonical = next(iter(map_columns([str(header)])), "")
        if any(canonical in group for group in _FIELD_GROUPS):
            given[canonical] = "" if _cell(value) is None else str(value)
    for group in _FIELD_GROUPS:
        if group & given.keys():
            cells = {k: v for k, v in cells.items() if k not in group}
    cells.update(given)
    if _cell(point[0]) is not None and _cell(point[1]) is not None:
        cells.update(lat=repr(float(point[0])), lon=repr(float(point[1])))
    try:
        result = validate_rows([list(cells), list(cells.values())], regions=regions)
    except GeoError as error:
        raise StoreError(str(error)) from None
    if len(result.rejects):
        raise StoreError(f"niet verbeterd: {result.rejects['reason'].iloc[0]}")
    record = result.accepted.iloc[0]
    values: dict[str, Any] = {c: _cell(record[c]) for c in CORRECTED_FIELDS}
    values["beheerder"] = int(bool(values["beheerder"]))
    values["opmerking"] = str(_cell(record["opmerking"]) or "")
    return values


def _corrected_remark(
    stored: tuple[str, str], fields: Mapping[str, str], noted: str, *, checked: bool
) -> tuple[str, str]:
    """The remark and source (``bron``) of a corrected sign-up: both cleared of what to check
    when the planner ``checked`` it (:meth:`Store.mark_checked`); else the remark given in
    ``fields`` (``opmerking``), or the stored one, with what the rules ``noted`` added."""
    remark, text = stored
    source = json.loads(text or "{}")
    if checked:
        source.pop("bericht", None)
        return "", json.dumps(source, ensure_ascii=False)
    given = next((v for k, v in fields.items() if str(k).strip().casefold() == "opmerking"), None)
    parts = [p for p in str(remark or "" if given is None else given).split("; ") if p.strip()]
    parts += [n for n in noted.split("; ") if n and n not in parts]
    if not parts:
        source.pop("bericht", None)  # nothing left to check: the message text goes
    return "; ".join(p.strip() for p in parts), json.dumps(source, ensure_ascii=False)


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
