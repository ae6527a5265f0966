"""Jobs on a project store: start a project, take in sign-ups, place them, without reshuffling.

The CLI's ``python -m geo project ...`` and the app call these; :mod:`geo.store` keeps the data.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.config import MAX_MEMBERS, Settings
from geo.edit import move_street
from geo.export import read_plan_folder
from geo.geocode import GeocodeCache, OnlineService, Progress, geocode_applicants
from geo.intake import fold_name, map_columns, namesake_remarks, normalize_phone
from geo.mail import SIGN_OFF_REMARK
from geo.partition import Plan, assign, make_plan, split_area
from geo.register import AddressRegister
from geo.replan import Proposal, diff, reconcile
from geo.sources import WGS84, Wijk, load_wijk
from geo.store import ALREADY, Correction, Store, StoreError, checked_max_members
from geo.tables import read_rows, write_csv
from geo.wording import counted
from geo.workflow import (
    APPLICANTS_FILE,
    PENDING_FILE,
    REJECTS_FILE,
    members_by_unique_name,
    plan_layers,
    register_from_points,
    run_intake,
    write_export,
)


@dataclass(frozen=True)
class Placement:
    """What placing new members did."""

    placed: int
    split: dict[int, list[int]]
    moved_existing: int
    outside: int
    co_beheerders_moved: int = 0  # co-beheerders a split took along to their new area


def init_project(
    path: Path, *, settings: Settings, wijk_file: Path | None = None, plan_dir: Path | None = None
) -> Store:
    """A new project from a wijk GeoPackage (``fetch``'s output) or from an existing plan folder."""
    if (wijk_file is None) == (plan_dir is None):
        msg = "geef een wijk (--wijk WIJK.gpkg) of een bestaand plan (--plan MAP), niet allebei"
        raise StoreError(msg)
    if plan_dir is not None:
        return _project_from_plan(path, plan_dir, settings=settings)
    assert wijk_file is not None
    return Store.create(
        path, load_wijk(wijk_file), max_members=settings.max_members, fill=settings.fill
    )


def _project_from_plan(path: Path, plan_dir: Path, *, settings: Settings) -> Store:
    """A new project holding a plan folder's areas and members, and its rejected and waiting
    sign-ups with their reasons (``rejects.csv``, ``pending.csv``): nobody is left behind."""
    wijk, areas, members, metrics = read_plan_folder(plan_dir)
    rejected, pending = (_plan_table(plan_dir / name) for name in (REJECTS_FILE, PENDING_FILE))
    cap = min(int(str(metrics.get("max_members", settings.max_members))), MAX_MEMBERS)
    fill = float(str(metrics.get("fill", settings.fill)))
    store = Store.create(path, wijk, max_members=cap, fill=fill)  # the plan's own cap
    table = pd.DataFrame(members.drop(columns="geometry"))
    ids = store.add_applicants(table, rejected, pending, source=plan_dir.resolve().name).ids
    members = members.assign(member_id=ids)
    plan = Plan(areas=areas, members=members, outside=members.iloc[0:0])
    store.save_plan(plan, action="plan overgenomen", source=plan_dir.resolve().name)
    return store


def _plan_table(path: Path) -> pd.DataFrame:
    """A plan folder's ``rejects.csv`` or ``pending.csv`` as the intake wrote it (empty when
    the folder has none), without ``assign``'s ``uit_plan`` column (where it came from)."""
    if not path.exists():
        return pd.DataFrame()
    table = _read_table(path, flags=path.name != REJECTS_FILE)
    return table.drop(columns=["uit_plan"], errors="ignore")


def import_applicants(
    store: Store,
    applicants_file: Path,
    *,
    settings: Settings,
    register: AddressRegister | None = None,
    services: Sequence[OnlineService] = (),
    use_cache: bool = True,
    progress: Progress | None = None,
) -> ImportCounts:
    """Read, check and geocode a sign-up file into the store (nothing is placed yet).

    Counts: ``rows`` read = ``accepted`` + ``rejected`` + ``pending`` + ``already`` (sign-ups
    already in the project, "al aangemeld", which are not stored again).
    """
    wijk = store.wijk()
    if register is None and len(wijk.addresses):
        register = AddressRegister(
            register_from_points(wijk.addresses), name="adressen van de wijk"
        )
    with tempfile.TemporaryDirectory(prefix="intake-") as scratch:  # owner-only, removed after
        folder = Path(scratch)
        report = run_intake(
            applicants_file,
            folder,
            settings=settings,
            register=register,
            services=services,
            use_cache=use_cache,
            progress=progress,
        )
        tables = [
            _read_table(folder / name, flags=name != REJECTS_FILE)
            for name in (APPLICANTS_FILE, REJECTS_FILE, PENDING_FILE)
        ]
    accepted, rejected, pending = tables
    members = store.applicants("accepted")
    rejected = _sign_offs_of_members(rejected, members)
    known = pd.concat([members, store.applicants("pending")])
    accepted["opmerking"] = [
        "; ".join(filter(None, [str(remark), check]))
        for remark, check in zip(
            accepted.get("opmerking", pd.Series("", index=accepted.index)).fillna(""),
            namesake_remarks(accepted, known),
            strict=True,
        )
    ]
    added = store.add_applicants(accepted, rejected, pending, source=applicants_file.name)
    replaced = _drop_replaced_rejects(store, set(added.stored), regions=settings.phone_regions)
    counts = ImportCounts(
        rows=report.rows_in,
        accepted=len(added.ids),
        rejected=report.rows_in - len(added.ids) - added.pending - added.already,
        pending=added.pending,
        already=added.already,
        replaced=len(replaced),
        waited=added.waited,
    )
    counts.notes = report.notes
    counts.replaced_names = tuple(replaced)
    counts.waited_names = added.waited_names
    return counts


def _sign_offs_of_members(rejected: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Sign-offs ("ik wil me afmelden") of a member, known by a name only one member has,
    with where that member is and how to remove them: leaving is the planner's act."""
    if rejected.empty or "reason" not in rejected or members.empty:
        return rejected
    by_name = members_by_unique_name(members)
    reasons = []
    for reason, name in zip(
        rejected["reason"].astype(str), rejected["naam"].astype(str), strict=True
    ):
        member = by_name.get(fold_name(name)) if reason == SIGN_OFF_REMARK else None
        if member is None:
            reasons.append(reason)
            continue
        number, area = int(member["id"]), _text(member["area_id"]).removesuffix(".0")
        where = f"lid van gebied {area}" if area else "aangemeld, nog zonder gebied"
        reasons.append(
            f"{reason} ({where}, nr. {number}: verwijderen met 'Iemand verwijderen' of "
            f"'project forget --nummer {number}')"
        )
    return rejected.assign(reason=reasons)


def _drop_replaced_rejects(store: Store, new_ids: set[int], *, regions: Sequence[str]) -> list[str]:
    """Delete earlier rejects of people this import holds again (the rows ``new_ids``),
    accepted now, waiting, or rejected again: each person once, with the newest outcome.

    The same person is the same phone number and name, or the same name and street where
    either row has no valid number (the reason it was rejected, or corrected since). Another
    person sharing the phone (a household) or the name (a namesake elsewhere) keeps their
    reject. Returns the names of those deleted."""
    table = store.applicants()
    phones = [_applicant_phone(row, regions) for row in table.itertuples()]
    names = [fold_name(str(n or "")) for n in table["naam"].tolist()]
    streets = [fold_name(_applicant_street(row)) for row in table.itertuples()]
    ids = [int(number) for number in table["id"].tolist()]
    new = [i for i, number in enumerate(ids) if number in new_ids]

    def same(old: int, fresh: int) -> bool:
        if not names[old] or names[old] != names[fresh]:
            return False
        if phones[old] and phones[fresh]:
            return phones[old] == phones[fresh]
        return not streets[old] or not streets[fresh] or streets[old] == streets[fresh]

    stale = [
        i
        for i, (number, status) in enumerate(zip(ids, table["status"].tolist(), strict=True))
        if number not in new_ids and status == "rejected" and any(same(i, j) for j in new)
    ]
    if stale:
        store.drop([ids[i] for i in stale], why="opnieuw aangemeld: de nieuwe aanmelding telt")
    return [_text(table["naam"].iloc[i]) for i in stale]


def _applicant_phone(row: Any, regions: Sequence[str]) -> str:
    """A stored sign-up's phone number (E.164), or a reject's typed one if it reads as one."""
    if isinstance(row.telefoon, str) and row.telefoon:
        return row.telefoon
    return _phone_in(_typed(row, "telefoon"), regions)


def _applicant_street(row: Any) -> str:
    """A stored sign-up's street, or a reject's as typed (of a one-cell address, the words
    before the first digit)."""
    street = _text(row.straat) or _typed(row, "straat")
    return street or re.split(r"\d", _typed(row, "adres"), maxsplit=1)[0].strip(" ,")


def _typed(row: Any, field: str) -> str:
    """A reject's cell of ``field`` as typed ("" when its table had no such column)."""
    cells = json.loads(row.original or "{}")
    column = map_columns(list(cells)).get(field)
    return str(list(cells.values())[column]) if column is not None else ""


class ImportCounts(dict[str, int]):
    """The counts of :func:`import_applicants`, with the intake's ``notes`` about the file as
    a whole (which sheet was read, mixed encodings, columns left unread) for the planner."""

    notes: tuple[str, ...] = ()
    replaced_names: tuple[str, ...] = ()
    waited_names: tuple[str, ...] = ()

    def replacements(self) -> list[str]:
        """What the import replaced, for the planner (Dutch), by name: earlier rejects of
        people sent in again, and sign-ups that waited for an address."""
        lines = []
        if self.get("replaced"):
            lines.append(
                f"{counted(self['replaced'], 'eerdere afwijzing', 'eerdere afwijzingen')} "
                f"vervangen door de nieuwe aanmelding van dezelfde persoon: "
                f"{', '.join(self.replaced_names)}"
            )
        if self.get("waited"):
            lines.append(
                f"{counted(self['waited'], 'aanmelding die op een adres wachtte', 'aanmeldingen die op een adres wachtten')} "
                f"vervangen door de nieuwe: {', '.join(self.waited_names)}"
            )
        return lines


def place_members(store: Store, *, settings: Settings, save: bool = True) -> Placement:
    """Put accepted, unplaced applicants in areas: a first plan, or ``assign`` without moving anyone.

    The cap and fill are the ones recorded in the project (``settings`` are not used for them:
    changing the cap is a new plan, :func:`replan`). Without ``save``, only what placing would
    do: a preview, nothing written.
    """
    wijk = store.wijk()
    crs = wijk.crs
    boundary = wijk.boundary.to_crs(crs).geometry.iloc[0]
    streets = wijk.streets.to_crs(crs)
    addresses = wijk.addresses_in(crs)
    accepted = store.applicants("accepted")
    waiting = accepted.loc[accepted["area_id"].isna()].drop(columns=["area_id", "is_beheerder"])
    waiting = gpd.GeoDataFrame(
        waiting.rename(columns={"id": "member_id"}).assign(
            beheerder=waiting["beheerder"].astype(bool)
        ),
        geometry=gpd.points_from_xy(waiting["lon"], waiting["lat"]),
        crs=WGS84,
    ).to_crs(crs)
    if waiting.empty:
        return Placement(0, {}, 0, 0)
    current = store.plan()
    newcomers = waiting.drop(columns="member_id")
    if current is None:
        plan = make_plan(
            boundary,
            streets,
            newcomers,
            addresses,
            max_members=store.max_members,
            fill=store.fill,
        )
        if save:
            plan.members["member_id"] = _ids_by_phone(plan.members, waiting)
            store.save_plan(plan, action="eerste plan", members=len(plan.members))
            _reject_outside(store, plan.outside, waiting)
        return Placement(len(plan.members), {}, 0, len(plan.outside))
    existing = Plan(
        areas=current.areas.to_crs(crs),
        members=current.members.to_crs(crs),
        outside=current.outside.to_crs(crs),
    )
    updated, report = assign(
        existing,
        newcomers,
        boundary=boundary,
        streets=streets,
        addresses=addresses,
        max_members=store.max_members,
        fill=store.fill,
    )
    if not save:
        moving = len(store.co_beheerders_moving(updated))
        return Placement(report.added, report.split, report.moved_existing, report.outside, moving)
    # The newcomers placed (none when all were outside; all when everyone before was forgotten).
    fresh = ~updated.members["member_id"].isin(existing.members["member_id"]).to_numpy()
    if fresh.any():
        fresh_ids = _ids_by_phone(updated.members.loc[fresh], waiting)
        updated.members.loc[fresh, "member_id"] = fresh_ids
    roles = store.save_plan(
        updated, action="nieuwe leden geplaatst", added=report.added, split=sorted(report.split),
        moved_existing=report.moved_existing,
    )  # fmt: skip
    _reject_outside(store, updated.outside.iloc[len(existing.outside) :], waiting)
    return Placement(report.added, report.split, report.moved_existing, report.outside, len(roles))


def export_project(store: Store, *, profile: str, fmt: str, out: Path) -> list[Path]:
    """Export the project's current plan like a plan folder (see :func:`geo.workflow.write_export`)."""
    plan = store.plan()
    if plan is None:
        msg = f"{store.path.name} heeft nog geen plan; voeg eerst aanmeldingen toe (project import)"
        raise StoreError(msg)
    wijk = store.wijk()
    layers = plan_layers(
        wijk,
        plan.areas,
        plan.members,
        max_members=store.max_members,
        private=profile == "private",
    )
    return write_export(layers, profile=profile, fmt=fmt, out=out, streets=wijk.streets)


def demo_project(path: Path, *, settings: Settings, count: int = 1500, seed: int = 2026) -> Store:
    """The embedded demo as a project (Helsinki streets, fictitious sign-ups), made once."""
    if path.exists():
        return Store.open(path)
    from geo.demo import demo_applicants, demo_wijk  # noqa: PLC0415 - loads pyrosm

    wijk = demo_wijk()
    store = Store.create(path, wijk, max_members=settings.max_members, fill=settings.fill)
    sheet = demo_applicants(register_from_points(wijk.addresses), count=count, seed=seed)
    with tempfile.TemporaryDirectory(prefix="demo-") as scratch:
        source = Path(scratch) / "aanmeldingen.csv"
        write_csv(sheet, source, private=True)
        import_applicants(store, source, settings=settings, use_cache=False)
    place_members(store, settings=settings)
    return store


def import_upload(
    store: Store,
    name: str,
    data: bytes,
    *,
    settings: Settings,
    services: Sequence[OnlineService] = (),
    progress: Progress | None = None,
) -> tuple[ImportCounts, Placement]:
    """A sign-up file uploaded in the app: read, check, geocode (register and cache, plus
    ``services`` when given), and place."""
    own = PureWindowsPath(name).name.replace("\x00", "")  # no folders (either slash), no NUL
    if own in {"", ".", ".."}:
        own = f"aanmeldingen{Path(name).suffix.lower()}"
    with tempfile.TemporaryDirectory(prefix="upload-") as scratch:  # owner-only, removed after
        source = Path(scratch) / own  # the planner's own file name in messages and history
        source.write_bytes(data)
        counts = import_applicants(
            store, source, settings=settings, services=services, progress=progress
        )
    return counts, place_members(store, settings=settings)


def import_person(store: Store, fields: dict[str, str], *, settings: Settings) -> tuple[bool, str]:
    """One sign-up typed into a form, checked by the same rules as a file.

    ``fields`` uses the intake's Dutch headers (``Naam``, ``Adres``, ``Postcode``, ...).
    Returns whether the person was accepted (and placed), and the reason if not.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(fields.keys())
    writer.writerow(fields.values())
    before = int(store.status().applicants["rejected"])
    counts, _ = import_upload(
        store, "formulier.csv", buffer.getvalue().encode("utf-8"), settings=settings
    )
    if counts["accepted"]:
        return True, ""
    if counts["already"]:
        return False, ALREADY
    if counts["pending"]:
        return False, "het adres is nog niet gevonden; probeer het later opnieuw (online)"
    rejected = store.applicants("rejected")
    return False, str(rejected["reason"].iloc[-1]) if len(rejected) > before else "niet aangenomen"


def check_again(
    store: Store,
    corrected: dict[int, dict[str, str]],
    *,
    settings: Settings,
    services: Sequence[OnlineService] = (),
) -> tuple[dict[str, int], Placement]:
    """Rejected (or waiting) sign-ups with corrected cells, checked and placed as if newly sent
    in (addresses looked up in the register and cache, plus ``services`` when given).

    ``corrected`` maps a rejected sign-up's id to its cells; the old rows are replaced, so a
    person is never in the store twice.
    """
    headers = list(dict.fromkeys(key for cells in corrected.values() for key in cells))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    for cells in corrected.values():
        writer.writerow([cells.get(h, "") for h in headers])
    store.drop(list(corrected), why="verbeterd en opnieuw gecontroleerd")
    return import_upload(
        store,
        "verbeterd.csv",
        buffer.getvalue().encode("utf-8"),
        settings=settings,
        services=services,
    )


def waiting_cells(store: Store) -> dict[int, dict[str, str]]:
    """Sign-ups waiting for an address, as cells to look up again or correct (:func:`check_again`).

    They passed the intake's rules before (their age is not stored: ``18+``).
    """
    cells = {}
    for row in store.applicants("pending").itertuples():
        number = _text(row.huisnummer).removesuffix(".0")
        cells[int(str(row.id))] = {
            "Naam": _text(row.naam),
            "Straat": _text(row.straat),
            "Huisnummer": number,
            "Huisletter": _text(row.huisletter),
            "Toevoeging": _text(row.toevoeging),
            "Postcode": _text(row.postcode),
            "Woonplaats": _text(row.woonplaats),
            "Telefoon": _text(row.telefoon),
            "E-mail": _text(row.email),
            "Leeftijd": "18+",
            "Beheerder": "ja" if row.beheerder else "",
        }
    return cells


def waiting_list(store: Store) -> pd.DataFrame:
    """Who waits for an address and why: ``id``, ``naam``, ``adres`` (as read), ``reden``."""
    pending = store.applicants("pending")
    rows = []
    for row in pending.itertuples():
        number = _text(row.huisnummer).removesuffix(".0")
        letter, extra = _text(row.huisletter), _text(row.toevoeging)
        suffix = letter + (f"-{extra}" if extra else "")
        place = " ".join(p for p in (_text(row.postcode), _text(row.woonplaats)) if p)
        address = f"{_text(row.straat)} {number}{suffix}".strip() + (f", {place}" if place else "")
        rows.append((int(str(row.id)), _text(row.naam), address, _text(row.reason)))
    return pd.DataFrame(rows, columns=["id", "naam", "adres", "reden"])


def people_to_forget(store: Store, *, regions: Sequence[str]) -> dict[str, int]:
    """Every sign-up, as ``"naam — nummer (status, nr. N)"`` to its number N, for
    :meth:`Store.forget_sign_up`. The phone number shown is the stored one (E.164), else of
    a reject the one typed in its phone column, if that reads as a number."""
    status_nl = {"accepted": "aangenomen", "pending": "wacht op een adres", "rejected": "afgewezen"}
    people = {}
    for row in store.applicants().itertuples():
        shown = _applicant_phone(row, regions) or "geen geldig telefoonnummer"
        status = status_nl.get(str(row.status), str(row.status))
        people[f"{row.naam} — {shown} ({status}, nr. {row.id})"] = int(str(row.id))
    return people


def _phone_in(cell: str, regions: Sequence[str]) -> str:
    if sum(c.isdigit() for c in cell) < 6:
        return ""
    try:
        return normalize_phone(cell, regions=regions)[0]
    except ValueError:
        return ""


def _text(value: object) -> str:
    """A stored cell as text: empty for a missing one."""
    missing = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    return "" if missing else str(value)


def propose_replan(store: Store, *, settings: Settings, wijk: Wijk | None = None) -> Proposal:
    """A fresh plan for the unlocked part of the wijk, matched to the current areas; not saved.

    ``wijk``: the project's wijk layers when the caller has them at hand (the app keeps them).

    Locked areas keep their land and members; everyone else (and anyone accepted but not yet
    placed) is planned anew within the rest of the wijk, with the cap and fill of ``settings``.
    Areas that keep most of their members keep their id, name and beheerder
    (:mod:`geo.replan`). Save it with :func:`confirm_replan`.
    """
    checked_max_members(settings.max_members)
    current = store.plan()
    if current is None:
        msg = "er is nog geen plan om opnieuw in te delen; voeg eerst aanmeldingen toe"
        raise StoreError(msg)
    wijk = wijk if wijk is not None else store.wijk()
    crs = wijk.crs
    metric = Plan(current.areas.to_crs(crs), current.members.to_crs(crs), current.outside)
    locked = store.locked_areas()
    accepted = store.applicants("accepted")
    people = gpd.GeoDataFrame(
        accepted.drop(columns=["area_id", "is_beheerder"]).assign(
            beheerder=accepted["beheerder"].astype(bool)
        ),
        geometry=gpd.points_from_xy(accepted["lon"], accepted["lat"]),
        crs=WGS84,
    ).to_crs(crs)
    rest = people.loc[~accepted["area_id"].isin(list(locked)).to_numpy()]
    if rest.empty:
        msg = "alle leden zitten in vastgezette gebieden; maak eerst een gebied los"
        raise StoreError(msg)
    boundary = wijk.boundary.to_crs(crs).geometry.iloc[0]
    if locked:
        kept = metric.areas.loc[metric.areas["area_id"].isin(list(locked))]
        boundary = boundary.difference(kept.geometry.union_all())
    fresh = make_plan(
        boundary,
        wijk.streets.to_crs(crs),
        rest.drop(columns="id"),
        wijk.addresses_in(crs),
        max_members=settings.max_members,
        fill=settings.fill,
    )
    waiting = people.rename(columns={"id": "member_id"})
    fresh.members["member_id"] = _ids_by_phone(fresh.members, waiting)
    fresh.outside = fresh.outside.assign(member_id=_ids_by_phone(fresh.outside, waiting))
    proposed = reconcile(metric, fresh, locked=locked, max_members=settings.max_members)
    counts = proposed.areas.set_index("area_id")["members"]
    notes = [
        f"vastgezet gebied {a} heeft {counted(int(counts[a]), 'lid', 'leden')}, meer dan het "
        f"maximum van {settings.max_members}"
        for a in sorted(locked)
        if int(counts.get(a, 0)) > settings.max_members
    ]
    return Proposal(
        plan=proposed,
        changes=diff(metric, proposed),
        max_members=settings.max_members,
        fill=settings.fill,
        base=store.last_change(),
        notes=notes,
    )


def confirm_replan(store: Store, proposal: Proposal) -> None:
    """Save a proposal from :func:`propose_replan`, unless the project changed since it was made."""
    if store.last_change() != proposal.base:
        msg = "het project is gewijzigd sinds dit voorstel; maak een nieuw voorstel"
        raise StoreError(msg)
    changes = proposal.changes
    store.save_plan(
        proposal.plan, action="opnieuw ingedeeld", cap=(proposal.max_members, proposal.fill),
        max_members=proposal.max_members, fill=proposal.fill, moved=len(changes.moves),
        beheerders_changed=len(changes.beheerders), gone=changes.gone["area_id"].tolist(),
        new=changes.new["area_id"].tolist(),
    )  # fmt: skip


def replan(store: Store, *, settings: Settings) -> Plan:
    """Propose and save a re-plan at once (:func:`propose_replan`, :func:`confirm_replan`)."""
    proposal = propose_replan(store, settings=settings)
    confirm_replan(store, proposal)
    return proposal.plan


def _editable(
    store: Store, wijk: Wijk | None = None
) -> tuple[Plan, gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """The current plan, streets and addresses in the wijk's metric CRS, ready to edit
    (``wijk``: the store's layers when the caller already has them)."""
    current = store.plan()
    if current is None:
        msg = "er is nog geen plan om te wijzigen"
        raise StoreError(msg)
    wijk = wijk if wijk is not None else store.wijk()
    crs = wijk.crs
    metric = Plan(current.areas.to_crs(crs), current.members.to_crs(crs), current.outside)
    addresses = wijk.addresses_in(crs)
    return metric, wijk.streets.to_crs(crs), addresses


@dataclass(frozen=True)
class StreetMove:
    """A street move computed on the project as it was at history entry ``base``; not saved.

    ``before``/``updated``: the plan before and after (metric CRS); ``touched``: the areas
    members left (locked with the target when saved).
    """

    street: str
    to_area: int
    numbers: tuple[int, int] | None
    before: Plan
    updated: Plan
    moved: int
    touched: frozenset[int]
    base: int


def propose_street_move(
    store: Store,
    *,
    street: str,
    to_area: int,
    numbers: tuple[int, int] | None = None,
    wijk: Wijk | None = None,
) -> StreetMove:
    """A planner's street (or house-number) move to a neighbouring area, checked, not saved.

    Raises :class:`~geo.partition.PlanError` with the reason when a rule would break.
    """
    metric, streets, addresses = _editable(store, wijk)
    updated, moved = move_street(
        metric,
        street=street,
        to_area=to_area,
        streets=streets,
        addresses=addresses,
        max_members=store.max_members,
        numbers=numbers,
    )
    before = metric.members.set_index("member_id")["area_id"]
    after = updated.members.set_index("member_id")["area_id"]
    touched = frozenset(int(a) for a in before.loc[after.index[after != before.loc[after.index]]])
    return StreetMove(
        street, int(to_area), numbers, metric, updated, moved, touched, store.last_change()
    )


def confirm_street_move(store: Store, move: StreetMove) -> int:
    """Save a proposed street move (recorded, undoable, the touched areas locked); refused
    when the project changed since it was proposed. Returns how many members moved."""
    if store.last_change() != move.base:
        msg = "het project is intussen gewijzigd; maak het voorbeeld opnieuw"
        raise StoreError(msg)
    store.save_plan(
        move.updated, action="straat verplaatst", street=move.street, numbers=move.numbers,
        to_area=move.to_area, moved=move.moved, lock=move.touched | {move.to_area},
    )  # fmt: skip
    return move.moved


def move_street_in_project(
    store: Store, *, street: str, to_area: int, numbers: tuple[int, int] | None = None
) -> int:
    """A planner moves a street (or house numbers) to a neighbouring area; checked, recorded.

    Raises :class:`~geo.partition.PlanError` with the reason when a rule would break.
    """
    move = propose_street_move(store, street=street, to_area=to_area, numbers=numbers)
    return confirm_street_move(store, move)


def split_area_in_project(
    store: Store, area_id: int, *, settings: Settings
) -> tuple[list[int], int]:
    """A planner splits an area (e.g. one that is nearly full); only that area changes.
    Returns the parts and how many co-beheerders went along to a new part (and stay one)."""
    metric, streets, addresses = _editable(store)
    updated, parts = split_area(
        metric,
        area_id,
        streets=streets,
        addresses=addresses,
        max_members=store.max_members,
        fill=settings.fill,
    )
    roles = store.save_plan(
        updated, action="gebied gesplitst", split=parts, area_id=area_id, lock=parts
    )
    return parts, len(roles)


def sign_key(point: object) -> str:
    """A stable key for a proposed sign: its position to about a metre."""
    return f"{getattr(point, 'x', 0.0):.5f},{getattr(point, 'y', 0.0):.5f}"


def _reject_outside(store: Store, outside: pd.DataFrame, waiting: pd.DataFrame) -> None:
    if len(outside):
        store.reject(_ids_by_phone(outside, waiting), "adres ligt buiten de wijkgrens")


def _ids_by_phone(members: pd.DataFrame, waiting: pd.DataFrame) -> list[int]:
    """Store ids of placed members, found by their (unique) phone number."""
    by_phone = dict(zip(waiting["telefoon"], waiting["member_id"], strict=True))
    return [int(by_phone[p]) for p in members["telefoon"]]


def _read_table(path: Path, *, flags: bool = True) -> pd.DataFrame:
    """An intake table; ``flags`` reads ``beheerder`` as true/false (rejects keep the cell)."""
    rows = read_rows(path)
    table = pd.DataFrame(rows[1:], columns=rows[0]) if rows else pd.DataFrame()
    for column in ("row", "huisnummer"):
        if column in table:
            table[column] = pd.to_numeric(table[column], errors="coerce").astype("Int64")
    for column in ("lat", "lon"):
        if column in table:
            table[column] = pd.to_numeric(table[column], errors="coerce")
    if flags and "beheerder" in table:
        table["beheerder"] = table["beheerder"].astype(str).str.casefold() == "true"
    return table


# --- members that changed group, and the mailbox (the app's Aanmeldingen page) ---------------

MOVED_COLUMNS = ("naam", "telefoon", "van_gebied", "van_naam", "naar_gebied", "naar_naam")


def moved_since(store: Store, entry: int) -> pd.DataFrame:
    """Members whose group changed since history entry ``entry`` (an upload's placing, a
    re-plan, a street move, a split, an undo): compared with the plan kept before that entry.

    Columns :data:`MOVED_COLUMNS`: name, phone, the area (id and name) before and now. People
    placed for the first time since, and people no longer accepted, are not listed. Raises
    :class:`~geo.store.StoreError` for an entry that did not change the plan.
    """
    old_name, old_area = store.kept_plan(entry)
    current = store.plan()
    new_name = (
        {}
        if current is None
        else dict(zip(current.areas["area_id"].astype(int), current.areas["name"], strict=True))
    )
    rows = []
    for record in store.applicants("accepted").to_dict("records"):
        was = old_area.get(int(record["id"]))
        area = _text(record["area_id"])
        now = int(float(area)) if area else None
        if was is None or now is None or was == now:
            continue
        rows.append(
            (_text(record["naam"]), _text(record["telefoon"]), was, old_name.get(was, ""), now,
             str(new_name.get(now, "")))
        )  # fmt: skip
    return pd.DataFrame(rows, columns=list(MOVED_COLUMNS)).astype(
        {"van_gebied": "int64", "naar_gebied": "int64"}
    )


@dataclass(frozen=True)
class MailboxRead:
    """What reading the mailbox did: new messages read (0: nothing new), and, when there were
    any, the intake's counts and the placing. ``reset``: the server renumbered the folder, so
    every message in it was read again (people already in the project are "al aangemeld")."""

    messages: int
    counts: dict[str, int]
    placement: Placement | None
    reset: bool


def import_mailbox(
    store: Store,
    url: str,
    password: str,
    *,
    settings: Settings,
    services: Sequence[OnlineService] = (),
    progress: Progress | None = None,
) -> MailboxRead:
    """New sign-up e-mails straight from the mailbox (``imaps://USER@HOST/FOLDER``), read-only,
    into the project and placed, like an uploaded mbox.

    Only messages not read before are fetched (UIDVALIDITY and last UID per mailbox, in the
    cache folder, as ``intake --imap`` keeps them); that memory is saved only after the intake,
    so a failed run reads the same messages again. The password is only handed to the server.
    """
    from geo.mail import write_mbox  # noqa: PLC0415 - e-mail reading only when asked for
    from geo.mail_imap import STATE_FILE, fetch_new, parse_imap_url, save_state  # noqa: PLC0415

    target = parse_imap_url(url)
    state_path = settings.cache_dir / STATE_FILE
    fetched = fetch_new(target, password, state_path=state_path)
    if not fetched.messages:
        save_state(state_path, target, fetched)
        return MailboxRead(0, {}, None, fetched.reset)
    with tempfile.TemporaryDirectory(prefix="imap-") as scratch:  # owner-only, removed after
        mbox = Path(scratch) / "mailbox.mbox"
        write_mbox(fetched.messages, mbox)
        counts, placement = import_upload(
            store,
            f"mailbox {target.folder}.mbox",
            mbox.read_bytes(),
            settings=settings,
            services=services,
            progress=progress,
        )
    save_state(state_path, target, fetched)
    return MailboxRead(len(fetched.messages), counts, placement, fetched.reset)


@dataclass(frozen=True)
class CorrectionForm:
    """A sign-up's cells laid out to correct (:func:`correction_form`)."""

    fields: dict[str, str]  # every field to edit, once each, the empty ones too
    message: str  # the sender's own text of an e-mail sign-up ("" for a sheet row)
    check: str  # what the intake said to check ("controleren"), shown, not edited
    history: str  # earlier values replaced by a later e-mail, shown, not edited
    source: dict[str, str]  # where it came from (message id, date, sender, subject)

    def cells(self, edited: dict[str, str]) -> dict[str, str]:
        """The cells to check again: the edited fields and the source; the message text goes
        along (kept while the row stays rejected), the remarks do not (the planner checked)."""
        return {**edited, **self.source, **({MESSAGE_CELL: self.message} if self.message else {})}


MESSAGE_CELL = "Bericht"
_FORM_FIELDS = (
    ("Naam", ("naam", "voornaam", "achternaam")),
    ("Adres", ("adres", "straat")),
    ("Postcode", ("postcode",)),
    ("Woonplaats", ("woonplaats",)),
    ("Leeftijd", ("leeftijd", "geboortedatum")),
    ("Telefoon", ("telefoon",)),
    ("E-mail", ("email",)),
    ("Beheerder", ("beheerder",)),
)
_SOURCE_CELLS = frozenset({"bericht_id", "bericht_datum", "afzender", "onderwerp"})


def correction_form(cells: dict[str, str]) -> CorrectionForm:
    """A rejected (or waiting) sign-up's cells as a form: its own fields in their order, then
    the usual ones it lacks (empty: postcode, beheerder, ...), each once; the message text,
    the remarks and the source apart."""
    fields: dict[str, str] = {}
    message, check, history, source = "", [], "", {}
    found: set[str] = set()
    for header, value in cells.items():
        canonical = next(iter(map_columns([header])), "")
        if canonical == "bericht":
            message = value
        elif canonical == "controleren" or header.casefold() == "opmerking":
            check.append(value.removeprefix("controleren: "))
        elif canonical == "historie":
            history = value
        elif canonical in _SOURCE_CELLS:
            source[header] = value
        else:
            fields[header] = value
            found.add(canonical)
    for label, covers in _FORM_FIELDS:
        if not found & set(covers) and label not in fields:
            fields[label] = ""
    return CorrectionForm(fields, message, "; ".join(c for c in check if c), history, source)


def with_source(store: Store, cells: dict[int, dict[str, str]]) -> dict[int, dict[str, str]]:
    """Sign-ups' cells (e.g. :func:`waiting_cells`) with where they came from (an e-mail's id,
    date, sender, subject, and its text while there is something to check), so a row checked
    again (:func:`check_again`) keeps its source."""
    people = store.applicants()
    sources: dict[int, str] = dict(zip(people["id"].astype(int), people["bron"], strict=True))
    result = {}
    for number, row in cells.items():
        source = json.loads(str(sources.get(number) or "{}"))
        result[number] = {**row, **{str(k): str(v) for k, v in source.items()}}
    return result


def member_cells(store: Store, member_id: int) -> dict[str, str]:
    """An accepted member as cells to correct (:func:`correction_form`), with the source and,
    while there is something to check, the message text."""
    people = store.applicants("accepted")
    found = people.loc[people["id"] == int(member_id)]
    if found.empty:
        msg = f"aanmelding {member_id} is niet (meer) aangenomen"
        raise StoreError(msg)
    row = found.iloc[0]
    cells = {
        "Naam": _text(row["naam"]),
        "Straat": _text(row["straat"]),
        "Huisnummer": _text(row["huisnummer"]).removesuffix(".0"),
        "Huisletter": _text(row["huisletter"]),
        "Toevoeging": _text(row["toevoeging"]),
        "Postcode": _text(row["postcode"]),
        "Woonplaats": _text(row["woonplaats"]),
        "Leeftijd": "18+",  # accepted by the intake's rules; the age is not stored
        "Telefoon": _text(row["telefoon"]),
        "E-mail": _text(row["email"]),
        "Beheerder": "ja" if bool(row["beheerder"]) else "nee",
        "opmerking": _text(row["opmerking"]),
    }
    return with_source(store, {int(member_id): cells})[int(member_id)]


def propose_correction(
    store: Store,
    member_id: int,
    cells: dict[str, str],
    *,
    settings: Settings,
    services: Sequence[OnlineService] = (),
) -> Correction:
    """An accepted member's corrected cells, checked (:meth:`Store.preview_correction`), not
    saved. A new address is looked up as a sign-up's is (the wijk's own addresses, the cache,
    then ``services``); one that is not found raises :class:`StoreError` (nothing changes).
    Save it with :meth:`Store.correct_applicant` (``move_to`` when the member moves)."""
    first = store.preview_correction(member_id, cells, regions=settings.phone_regions)
    if not first.address_changed:
        return first
    wijk = store.wijk()
    register = (
        AddressRegister(register_from_points(wijk.addresses), name="adressen van de wijk")
        if len(wijk.addresses)
        else None
    )
    cache = GeocodeCache(settings.cache_dir / "geocode.sqlite")
    try:
        outcome = geocode_applicants(
            pd.DataFrame([{**first.address, "lat": math.nan, "lon": math.nan}]),
            register=register,
            cache=cache,
            services=services,
        )
    finally:
        cache.close()
    if outcome.located.empty:
        reasons = [*outcome.not_found["reason"], *outcome.pending["reason"]]
        why = f" ({reasons[0]})" if reasons else ""
        msg = f"het nieuwe adres is niet gevonden{why}; de gegevens zijn niet gewijzigd"
        raise StoreError(msg)
    found = outcome.located.iloc[0]
    location = (float(found["lat"]), float(found["lon"]))
    return store.preview_correction(
        member_id, cells, location=location, regions=settings.phone_regions
    )
