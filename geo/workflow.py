"""Jobs that chain the modules and write their files; the CLI and the app call these."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo._http import HttpClient
from geo.address import Address, HouseNumber
from geo.config import Settings
from geo.coverage import area_coverage, uncovered_streets, with_coverage
from geo.errors import ConfigError, InputFileError
from geo.export import (
    AREA_MAPS_DIR,
    AREAS_FILE,
    MAP_FILE,
    MEMBERS_FILE,
    MUNICIPALITY_MAP_FILE,
    PLAN_FILE,
    PLAN_LAYERS_FILE,
    PROFILES,
    SIGNS_FILE,
    SIGNS_MAP_FILE,
    export_layers,
    export_targets,
    finish_plan_folder,
    read_plan_folder,
    write_plan_folder,
    write_signs,
)
from geo.geocode import (
    GeocodeCache,
    NominatimService,
    OnlineService,
    PdokService,
    Progress,
    address_label,
    geocode_applicants,
)
from geo.intake import (
    ALIASES,
    MESSAGE_FIELD,
    SOURCE_FIELDS,
    applicant_sheet,
    fold_header,
    fold_name,
    map_columns,
    namesake_remarks,
    normalize_phone,
    read_applicants,
)
from geo.mail import SIGN_OFF_REMARK, is_mail_source
from geo.maps import PUBLIC_MIN_MEMBERS, area_maps, municipality_map, planner_map, signs_map
from geo.outputs import ensure_dir, refuse_overwrite, replacing, resolved
from geo.partition import Plan, assign, make_plan
from geo.print_map import PRINT_FORMATS, print_map
from geo.register import AddressRegister
from geo.signs import find_signs, signs_per_area, without_counts
from geo.sources import (
    ADDRESS_COLUMNS,
    WGS84,
    Wijk,
    addresses_from_bag,
    boundary_from_cbs,
    find_layer,
    no_addresses,
    read_addresses,
    read_boundary,
    read_streets,
    streets_from_osm,
)
from geo.tables import unescape_column, unescape_formula, write_csv
from geo.wording import counted, noun

APPLICANTS_FILE = "applicants.csv"
REJECTS_FILE = "rejects.csv"
PENDING_FILE = "pending.csv"
MOVED_FILE = "verplaatst.csv"  # members an assign moved to a new group (a full area split)
# What a reject keeps of an accepted-then-refused sign-up: enough to correct it and sign up again.
# Sign-ups read from e-mail also keep their source (SOURCE_FIELDS: message id, date, sender...)
# and, when they had something to check, the message text (MESSAGE_FIELD) to correct them by.
REJECT_CELLS = (
    "row", "naam", "reason", "straat", "huisnummer", "huisletter", "toevoeging", "postcode",
    "woonplaats", "telefoon", "email", "beheerder", "opmerking", *SOURCE_FIELDS, MESSAGE_FIELD,
)  # fmt: skip
# Every file and folder a plan run writes (see geo.export for the plan-folder files).
PLAN_OUTPUTS = (
    APPLICANTS_FILE, REJECTS_FILE, PENDING_FILE, AREAS_FILE, MEMBERS_FILE, PLAN_FILE,
    PLAN_LAYERS_FILE, MAP_FILE, MUNICIPALITY_MAP_FILE, SIGNS_FILE, SIGNS_MAP_FILE, AREA_MAPS_DIR,
    MOVED_FILE,
)  # fmt: skip


@dataclass(frozen=True)
class IntakeReport:
    """Counts of an intake run; ``accepted + rejected + pending == rows_in``."""

    rows_in: int
    accepted: int
    rejected: int
    pending: int
    empty_rows: int
    files: tuple[Path, ...]
    notes: tuple[str, ...] = ()  # about the file as a whole: which sheet, mixed encodings


def online_services(settings: Settings) -> list[OnlineService]:
    """The online part of the geocoding chain: PDOK first, then Nominatim."""
    return [PdokService(settings), NominatimService(settings)]


def run_intake(
    applicants_path: Path,
    out_dir: Path,
    *,
    settings: Settings,
    register: AddressRegister | None = None,
    services: Sequence[OnlineService] = (),
    use_cache: bool = True,
    default_place: str = "",
    progress: Progress | None = None,
) -> IntakeReport:
    """Read, validate and geocode applicants; write applicants, rejects and pending CSVs.

    All three files hold personal data and are written readable by their owner only.
    """
    files = (out_dir / APPLICANTS_FILE, out_dir / REJECTS_FILE, out_dir / PENDING_FILE)
    refuse_overwrite(files, [applicants_path])
    intake = read_applicants(
        applicants_path, regions=settings.phone_regions, default_place=default_place
    )
    cache = GeocodeCache(settings.cache_dir / "geocode.sqlite") if use_cache else None
    try:
        outcome = geocode_applicants(
            intake.accepted, register=register, cache=cache, services=services, progress=progress
        )
    finally:
        if cache is not None:
            cache.close()
    rejects = pd.concat(
        [intake.rejects, _as_rejects(outcome.not_found, intake.rejects.columns)], ignore_index=True
    ).sort_values("row", kind="stable")
    pending = _as_pending(outcome.pending)
    for frame, path in zip((outcome.located, rejects, pending), files, strict=True):
        write_csv(frame, path, private=True)
    return IntakeReport(
        rows_in=intake.rows_in,
        accepted=len(outcome.located),
        rejected=len(rejects),
        pending=len(outcome.pending),
        empty_rows=intake.empty_rows,
        files=files,
        notes=tuple(intake.notes),
    )


def _as_pending(pending: pd.DataFrame) -> pd.DataFrame:
    """Rows waiting for a lookup as a re-run reads them: they passed every rule, so their age
    shows as ``18+`` (the age itself is not kept) and the file can be sent in again as it is."""
    if "leeftijd" in pending:
        return pending
    at = list(pending.columns).index("naam") + 1 if "naam" in pending else 0
    pending = pending.copy()
    pending.insert(at, "leeftijd", "18+")
    return pending


def _as_rejects(not_found: pd.DataFrame, columns: pd.Index) -> pd.DataFrame:
    """Geocoding misses in the rejects layout, with what a corrected re-run needs.

    They passed every rule, so their age shows as ``18+`` (the age itself is not kept).
    """
    frame = not_found.loc[:, [c for c in REJECT_CELLS if c in not_found.columns]]
    if len(frame):  # as a planner would type it again
        frame = frame.assign(leeftijd="18+")
        if "beheerder" in frame:
            frame["beheerder"] = np.where(frame["beheerder"].astype(bool), "ja", "")
    return frame.reindex(columns=list(dict.fromkeys([*columns, *frame.columns])))


def fetch_wijk(
    settings: Settings,
    *,
    boundary_file: Path | None = None,
    wijk_name: str = "",
    buurten: Sequence[str] = (),
    gemeente: str = "",
    year: int | None = None,
    streets_file: Path | None = None,
    addresses_file: Path | None = None,
    client: HttpClient | None = None,
    offline: bool = False,
) -> Wijk:
    """Gather the three wijk layers: each from its file when given, otherwise online.

    ``offline``: nothing online; boundary and streets from files, the addresses from a file
    or none (a wijk without register: coverage and the ranking of signs go without)."""
    if offline and (boundary_file is None or streets_file is None):
        msg = "--offline haalt niets op: geef de wijkgrens (--boundary) en de straten (--streets)"
        raise ConfigError(msg)
    http = client or HttpClient(settings)
    if boundary_file is not None:
        boundary = read_boundary(boundary_file)
    else:
        boundary = boundary_from_cbs(
            http, year=year, gemeente=gemeente, wijk=wijk_name, buurten=buurten
        )
    streets = (
        read_streets(streets_file, boundary)
        if streets_file
        else streets_from_osm(boundary, settings=settings)
    )
    if addresses_file:
        addresses = read_addresses(addresses_file, boundary)
    elif offline:
        addresses = no_addresses()
    else:
        addresses = addresses_from_bag(http, boundary)
    return Wijk(boundary=boundary, streets=streets, addresses=addresses)


def register_from_points(addresses: gpd.GeoDataFrame) -> pd.DataFrame:
    """An address-register table (with ``lat``/``lon``) from address points."""
    table = pd.DataFrame(addresses.drop(columns=addresses.geometry.name))
    points = addresses.geometry.to_crs(4326)
    return table.assign(lat=points.y.round(7).to_numpy(), lon=points.x.round(7).to_numpy())


@dataclass(frozen=True)
class PlanReport:
    """What a plan (or assign) run produced."""

    intake: IntakeReport
    metrics: dict[str, object]
    files: tuple[Path, ...]
    split: dict[int, list[int]]
    moved_existing: int = 0


def load_wijk_layers(
    boundary_path: Path,
    streets_path: Path,
    addresses_path: Path | None = None,
    *,
    register: AddressRegister | None = None,
) -> Wijk:
    """The wijk from files; a wijk GeoPackage may serve as boundary, streets and addresses.

    ``register`` is the register of ``addresses_path`` when the caller has loaded it already.
    """
    boundary = read_boundary(boundary_path)
    streets = read_streets(streets_path, boundary)
    if addresses_path is not None:
        addresses = read_addresses(addresses_path, boundary, register=register)
    elif boundary_path.suffix.lower() == ".gpkg" and find_layer(boundary_path, "addresses"):
        addresses = read_addresses(boundary_path, boundary)
    else:
        addresses = gpd.GeoDataFrame({c: [] for c in ADDRESS_COLUMNS}, geometry=[], crs=WGS84)
    return Wijk(boundary=boundary, streets=streets, addresses=addresses)


def check_budget(budget: int | None) -> None:
    """Refuse a sign budget below one before anything is computed or written."""
    if budget is not None and budget < 1:
        msg = f"het aantal borden (--budget) moet minstens 1 zijn, niet {budget}"
        raise ConfigError(msg)


def make_signs(
    wijk: Wijk,
    *,
    areas: gpd.GeoDataFrame | None = None,
    homes: gpd.GeoDataFrame | None = None,
    budget: int | None = None,
) -> gpd.GeoDataFrame:
    """Ranked signs (WGS84) at the wijk's entrances, or at each area's when ``areas`` is given.

    Ranked by the register's addresses (else by ``homes``, e.g. the members: then the signs
    are public without their counts, which would tell where members live); ``budget`` keeps
    the best ``budget`` signs (per area when per area).
    """
    check_budget(budget)
    crs = wijk.crs
    streets = wijk.streets_in(crs)
    by_register = bool(len(wijk.addresses))
    if by_register:
        points = wijk.addresses_in(crs)
    else:
        points = homes.to_crs(crs) if homes is not None and len(homes) else None
    if areas is None:
        boundary = wijk.boundary.to_crs(crs).geometry.iloc[0]
        signs = find_signs(boundary, streets, points, show_counts=by_register)
    else:
        signs = signs_per_area(areas.to_crs(crs), streets, points, show_counts=by_register)
    if budget is not None:
        signs = signs.loc[signs["rank"] <= budget].reset_index(drop=True)
    return signs.to_crs(WGS84)


def run_signs(
    wijk: Wijk,
    out_dir: Path,
    *,
    areas: gpd.GeoDataFrame | None = None,
    homes: gpd.GeoDataFrame | None = None,
    budget: int | None = None,
) -> tuple[gpd.GeoDataFrame, tuple[Path, ...]]:
    """Compute the signs and write ``signs.geojson`` and the review map ``signs_map.html``."""
    signs = make_signs(wijk, areas=areas, homes=homes, budget=budget)
    write_signs(signs, out_dir / SIGNS_FILE)
    save_map(signs_map(signs, wijk.boundary, wijk.streets), out_dir / SIGNS_MAP_FILE)
    return signs, (out_dir / SIGNS_FILE, out_dir / SIGNS_MAP_FILE)


def run_plan(
    applicants_path: Path,
    out_dir: Path,
    *,
    wijk: Wijk,
    settings: Settings,
    register: AddressRegister | None = None,
    services: Sequence[OnlineService] = (),
    use_cache: bool = True,
    progress: Progress | None = None,
    signs_per_area: bool = False,
    budget: int | None = None,
    inputs: Sequence[Path] = (),
) -> PlanReport:
    """Intake → geocode → partition → signs; write the plan folder (see :mod:`geo.export`).

    ``inputs`` are the other files the run read (wijk layers, register): none of them is
    written over.
    """
    check_budget(budget)
    refuse_overwrite([out_dir / name for name in PLAN_OUTPUTS], [applicants_path, *inputs])
    intake = run_intake(
        applicants_path,
        out_dir,
        settings=settings,
        register=register or _register_of(wijk),
        services=services,
        use_cache=use_cache,
        progress=progress,
    )
    if intake.accepted == 0:
        files = [
            str(out_dir / name)
            for name, count in ((REJECTS_FILE, intake.rejected), (PENDING_FILE, intake.pending))
            if count
        ]
        none = noun(
            intake.rows_in,
            "de aanmelding is niet aangenomen",
            f"geen van de {intake.rows_in} aanmeldingen is aangenomen",
        )
        msg = (
            f"{none} ({intake.rejected} afgewezen, "
            f"{counted(intake.pending, 'wacht', 'wachten')} op een adres); de redenen staan in "
            f"{' en '.join(files or [str(out_dir / REJECTS_FILE)])}"
        )
        raise InputFileError(msg)
    located = _located_members(out_dir / APPLICANTS_FILE)
    crs = wijk.crs
    plan = make_plan(
        wijk.boundary.to_crs(crs).geometry.iloc[0],
        wijk.streets_in(crs),
        located.to_crs(crs),
        wijk.addresses_in(crs),
        max_members=settings.max_members,
        fill=settings.fill,
    )
    intake = _reject_outside(plan.outside, out_dir, intake)
    return _write_outputs(
        out_dir,
        plan.areas,
        plan.members,
        wijk,
        plan.metrics,
        intake=intake,
        split={},
        moved=0,
        signs_per_area=signs_per_area,
        budget=budget,
    )


def run_assign(
    plan_dir: Path,
    applicants_path: Path,
    out_dir: Path,
    *,
    settings: Settings,
    services: Sequence[OnlineService] = (),
    use_cache: bool = True,
    progress: Progress | None = None,
    signs_per_area: bool = False,
    budget: int | None = None,
    max_members: int | None = None,
) -> PlanReport:
    """Add new sign-ups to an existing plan without reshuffling; write a new plan folder.

    The plan's own cap and fill hold (the WhatsApp cap is the plan's law until a new plan;
    ``max_members`` given explicitly must be that cap);
    the sign-ups still rejected or waiting in ``plan_dir`` are carried into ``out_dir``, so
    the newest folder of a chain holds everything.
    """
    check_budget(budget)
    if resolved(out_dir) == resolved(plan_dir):
        msg = (
            f"--out is de planmap zelf ({plan_dir}); kies een nieuwe map (bv. {plan_dir.resolve().name}-2), "
            "zodat het vorige plan bewaard blijft"
        )
        raise ConfigError(msg)
    refuse_overwrite([out_dir / name for name in PLAN_OUTPUTS], [applicants_path, plan_dir])
    wijk, areas, members, metrics = read_plan_folder(plan_dir)
    settings = plan_settings(metrics, settings, asked=max_members)
    intake = run_intake(
        applicants_path,
        out_dir,
        settings=settings,
        register=_register_of(wijk),
        services=services,
        use_cache=use_cache,
        progress=progress,
    )
    _mark_namesakes(out_dir / APPLICANTS_FILE, members)
    located = _located_members(out_dir / APPLICANTS_FILE)
    crs = wijk.crs
    plan = Plan(
        areas=areas.to_crs(crs), members=members.to_crs(crs), outside=members.iloc[0:0].to_crs(crs)
    )
    updated, report = assign(
        plan,
        located.to_crs(crs),
        boundary=wijk.boundary.to_crs(crs).geometry.iloc[0],
        streets=wijk.streets_in(crs),
        addresses=wijk.addresses_in(crs),
        max_members=settings.max_members,
        fill=settings.fill,
    )
    _flag_members_in_rejects(out_dir, plan.members, settings.phone_regions)  # the intake's
    already = _as_members_again(report.already_member, plan.members)
    intake = _reject_outside(updated.outside, out_dir, intake, already=already)
    _write_moved(plan.members, updated.members, out_dir / MOVED_FILE)
    _carry_forward(
        plan_dir,
        out_dir,
        sent_again=_sent_again(applicants_path, plan_dir, settings.phone_regions),
        members=set(
            zip(
                updated.members["telefoon"].astype(str),
                updated.members["naam"].astype(str).map(fold_name),
                strict=True,
            )
        ),
        regions=settings.phone_regions,
    )
    return _write_outputs(
        out_dir,
        updated.areas,
        updated.members,
        wijk,
        updated.metrics,
        intake=intake,
        split=report.split,
        moved=report.moved_existing,
        signs_per_area=signs_per_area,
        budget=budget,
    )


def _write_moved(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, path: Path) -> None:
    """The members now in another group than before (owner-only): who to move in WhatsApp.

    No such file when nobody moved (an old one, of a run this folder replaces, goes)."""
    old_area = before.set_index("member_id")["area_id"]
    now = after.loc[after["member_id"].isin(old_area.index)]
    moved = now.loc[now["area_id"].to_numpy() != old_area.loc[now["member_id"]].to_numpy()]
    if moved.empty:
        path.unlink(missing_ok=True)
        return
    table = pd.DataFrame(
        {
            "member_id": moved["member_id"].to_numpy(),
            "naam": moved["naam"].to_numpy(),
            "telefoon": moved["telefoon"].to_numpy(),
            "van_gebied": old_area.loc[moved["member_id"]].to_numpy(),
            "naar_gebied": moved["area_id"].to_numpy(),
        }
    )
    write_csv(table.sort_values("member_id"), path, private=True)


def plan_settings(
    metrics: dict[str, object], settings: Settings, *, asked: int | None = None
) -> Settings:
    """``settings`` with the cap and fill the plan was made with.

    A different cap is refused: changing a running plan's cap needs a new plan. That is a cap
    ``asked`` for (``--max-members``), even the legal 255 on a plan made with fewer, or one in
    the settings other than the default.
    """
    recorded = int(str(metrics.get("max_members", settings.max_members)))
    fill = float(str(metrics.get("fill", settings.fill)))
    recorded = min(recorded, Settings().max_members)  # an old plan with a cap above the law
    wanted = settings.max_members if asked is None else asked
    if wanted != recorded and (asked is not None or wanted != Settings().max_members):
        msg = (
            f"dit plan is gemaakt met hoogstens {recorded} leden per groep; een ander maximum "
            f"({wanted}) vraagt een nieuw plan (python -m geo plan)"
        )
        raise ConfigError(msg)
    return replace(settings, max_members=recorded, fill=fill)


def _carry_forward(
    plan_dir: Path,
    out_dir: Path,
    *,
    sent_again: Collection[tuple[str, str, str]],
    members: Collection[tuple[str, str]],
    regions: Sequence[str],
) -> None:
    """Add the sign-ups still rejected or waiting in ``plan_dir`` to those of ``out_dir``.

    ``uit_plan`` names the folder whose input each row came from ("" for this run's own). A
    row is not carried on when it is done or superseded: its person (phone and name) is now
    one of the ``members`` (sent in again, corrected, and placed; a member's own reject, said
    so in the run that made it, :data:`MEMBER_NOTE`, is not repeated), or is in this run's
    input again (whose outcome replaces it), or the row was sent in again as a row of an
    earlier table (``sent_again``: folder, row and name or phone, see :func:`_sent_again`).
    Another person with that phone number (a household sharing one) stays.
    """
    this_run = {
        name: read_text_table(out_dir / name)
        for name in (APPLICANTS_FILE, REJECTS_FILE, PENDING_FILE)
    }
    people = set(members).union(*(_people(table, regions) for table in this_run.values()))
    for name in (REJECTS_FILE, PENDING_FILE):
        earlier = plan_dir / name
        if not earlier.exists():
            continue
        old = read_text_table(earlier)
        if "uit_plan" not in old:
            old.insert(0, "uit_plan", "")
        old["uit_plan"] = old["uit_plan"].mask(old["uit_plan"] == "", plan_dir.resolve().name)
        blank = pd.Series("", index=old.index)
        rows = zip(
            old["uit_plan"],
            old.get("row", blank),
            old.get("naam", blank).astype(str).map(fold_name),
            _row_phones(old, regions),
            strict=True,
        )
        again = np.array(
            [
                any((folder, row, who) in sent_again for who in _who(name, phone))
                for folder, row, name, phone in rows
            ],
            dtype=bool,
        )
        old = old.loc[~again & ~np.array(_in_people(old, people, regions), dtype=bool)]
        new = this_run[name]
        if old.empty and "uit_plan" not in new:
            continue
        # A table sent in again brings its own ``uit_plan`` along: its rows are this run's now.
        new = new.drop(columns="uit_plan") if "uit_plan" in new else new
        new.insert(0, "uit_plan", "")
        both = pd.concat([old, new], ignore_index=True) if len(old) else new
        write_csv(both, out_dir / name, private=True)


def _sent_again(
    applicants_path: Path, plan_dir: Path, regions: Sequence[str]
) -> set[tuple[str, str, str]]:
    """Who each row of ``applicants_path`` (the sheet the intake reads) is that is a row of
    an earlier ``rejects.csv`` or ``pending.csv`` sent in again, corrected or not (such a
    table has ``row`` and ``naam`` columns, and ``uit_plan`` or ``reason``): its folder and
    row with ``naam:`` and its folded name, and with ``tel:`` and its phone
    (:func:`_row_phones`), so a row whose name or whose number was corrected is still known
    by the other. An empty ``uit_plan`` is a row of the plan folder the table was written in:
    the file's own folder when it lies in one, else ``plan_dir`` (a copy elsewhere of an older
    folder's table then keeps its carried rows: doubled rather than lost); a table without
    ``uit_plan`` (of a ``plan`` run) holds only rows of its own folder. Row numbers repeat in
    every batch: a row is known only by a name or a number, never by its folder and row
    alone."""
    if is_mail_source(applicants_path):
        return set()
    rows = applicant_sheet(applicants_path).rows
    header = [unescape_formula(cell.strip()) for cell in (rows[0] if rows else [])]
    if not {"row", "naam"} <= set(header) or not {"uit_plan", "reason"} & set(header):
        return set()
    home = applicants_path.resolve().parent
    own = home.name if (home / PLAN_FILE).exists() else plan_dir.resolve().name
    width = len(header)
    cells = [[*row[:width], *[""] * (width - len(row))] for row in rows[1:]]
    table = pd.DataFrame(
        [[unescape_formula(cell.strip()) for cell in row] for row in cells], columns=header
    )
    phones = _row_phones(table, regions)
    row, name = header.index("row"), header.index("naam")
    origin = header.index("uit_plan") if "uit_plan" in header else None
    found: set[tuple[str, str, str]] = set()
    for values, phone in zip(table.to_numpy().tolist(), phones, strict=True):
        folder, number = (values[origin] if origin is not None else "") or own, values[row]
        folded = fold_name(values[name])
        found.update((folder, number, who) for who in _who(folded, phone))
    return found


def _who(folded_name: str, phone: str) -> list[str]:
    """The ways a row sent in again is known (:func:`_sent_again`): by name, by number."""
    keys = [f"naam:{folded_name}"] if folded_name else []
    return [*keys, f"tel:{phone}"] if phone else keys


def _people(table: pd.DataFrame, regions: Sequence[str]) -> set[tuple[str, str]]:
    """Phone and folded name (:func:`_row_people`) of each row of a sign-up table."""
    return {person for person in _row_people(table, regions) if person is not None}


def _in_people(
    table: pd.DataFrame, people: Collection[tuple[str, str]], regions: Sequence[str]
) -> list[bool]:
    """Per row of a table: whether its phone and name are one of ``people``."""
    return [person is not None and person in people for person in _row_people(table, regions)]


def _row_people(table: pd.DataFrame, regions: Sequence[str]) -> list[tuple[str, str] | None]:
    """Per row its phone (:func:`_row_phones`) and folded name; ``None`` for a row without
    name or phone."""
    if "naam" not in table:
        return [None] * len(table)
    names = table["naam"].astype(str).map(fold_name).tolist()
    phones = _row_phones(table, regions)
    return [(p, n) if p and n else None for p, n in zip(phones, names, strict=True)]


def _row_phones(table: pd.DataFrame, regions: Sequence[str]) -> list[str]:
    """Per row its phone: E.164 when it reads as one, else the digits as typed ("" for none).

    The column the intake reads comes first, then any other phone column: the typed or the
    cleaned number (a "WhatsApp: ja" column holds no digits)."""
    headers = [str(name) for name in table.columns]
    chosen = map_columns(headers).get("telefoon")
    phones = [i for i, name in enumerate(headers) if fold_header(name) in _PHONE_HEADERS]
    phones = sorted(phones, key=lambda i: (i != chosen, headers[i] != "telefoon", i))
    if not phones:
        return [""] * len(table)
    result = []
    for typed in table.iloc[:, phones].astype(str).to_numpy().tolist():
        text = next((cell for cell in typed if any(ch.isdigit() for ch in cell)), "")
        try:
            result.append(normalize_phone(text, regions=regions)[0])
        except ValueError:
            result.append("".join(ch for ch in text if ch.isdigit()))
    return result


_PHONE_HEADERS = frozenset(ALIASES["telefoon"])


def read_text_table(path: Path) -> pd.DataFrame:
    """A CSV the planner wrote or edited, every cell as text (empty cells as ``""``), with
    :func:`~geo.tables.write_csv`'s formula escaping undone: written again, a value gets one
    ``'`` again, not one more."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    table.columns = pd.Index([unescape_formula(str(name)) for name in table.columns])
    for position, (_, column) in enumerate(table.items()):
        unescaped = unescape_column(column)
        if unescaped is not column:
            table.isetitem(position, unescaped.array)
    return table


def _register_of(wijk: Wijk) -> AddressRegister | None:
    if wijk.addresses.empty:
        return None
    return AddressRegister(register_from_points(wijk.addresses), name="adressen van de wijk")


def _mark_namesakes(path: Path, members: pd.DataFrame) -> None:
    """Mark for checking, in the accepted sign-ups at ``path``, those with a member's name and
    address but another phone (:func:`~geo.intake.namesake_remarks`)."""
    table = read_text_table(path)
    checks = namesake_remarks(table, members)
    if any(checks):
        table["opmerking"] = [
            "; ".join(filter(None, [remark, check]))
            for remark, check in zip(table["opmerking"], checks, strict=True)
        ]
        write_csv(table, path, private=True)


def _located_members(path: Path) -> gpd.GeoDataFrame:
    table = read_text_table(path)
    table["row"] = pd.to_numeric(table["row"]).astype(int)
    table["lat"] = pd.to_numeric(table["lat"])
    table["lon"] = pd.to_numeric(table["lon"])
    table["beheerder"] = table["beheerder"].astype(str).str.casefold() == "true"
    table["huisnummer"] = pd.to_numeric(table["huisnummer"], errors="coerce").astype("Int64")
    return gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=WGS84
    )


MEMBER_NOTE = "lid van gebied"  # in a reject's reason: the person is a member, the planner acts
MOVED_M = 25.0  # a member's sign-up found farther than this from their address: moved?


def _as_members_again(already: gpd.GeoDataFrame, members: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Sign-ups sent by members again, with the reason: which area they are in, and, when the
    address was found more than :data:`MOVED_M` from the member's, that they may have moved.
    Both in the plan's metric CRS; a spelling of the same address is no move."""
    first = members.drop_duplicates("telefoon")
    by_phone = first.set_index(first["telefoon"].astype(str))
    reasons = []
    for phone, point in zip(already["telefoon"].astype(str), already.geometry, strict=True):
        if phone not in by_phone.index:
            reasons.append("telefoonnummer staat al in het plan (al aangemeld)")
            continue
        member = by_phone.loc[phone]
        area = int(member["area_id"])
        if (
            point is not None
            and member.geometry is not None
            and point.distance(member.geometry) > MOVED_M
        ):
            reasons.append(
                f"telefoonnummer staat al in het plan (al aangemeld, {MEMBER_NOTE} {area}) met "
                "een ander adres: verhuisd? pas het adres van het lid aan"
            )
        else:  # the same sign-up again: nothing to do
            reasons.append(f"telefoonnummer staat al in het plan (al aangemeld, gebied {area})")
    return already.assign(reason=reasons)


def members_by_unique_name(members: pd.DataFrame) -> dict[str, pd.Series]:
    """Each member by folded name (:func:`~geo.intake.fold_name`), of the names only one
    member has: a name alone identifies nobody when two members share it."""
    folded = members["naam"].astype(str).map(fold_name).tolist()
    alone = np.flatnonzero(~pd.Series(folded).duplicated(keep=False).to_numpy())
    return {folded[i]: members.iloc[i] for i in alone}


def _flag_members_in_rejects(out_dir: Path, members: pd.DataFrame, regions: Sequence[str]) -> None:
    """Say in the reason of a rejected sign-up of a member (the same phone and name, or for a
    sign-off a name only one member has) that it is: a member of area 5 who is 17 by this
    sign-up, or who asks to leave, is a matter for the planner."""
    rejects = read_text_table(out_dir / REJECTS_FILE)
    if rejects.empty:
        return
    area_of = {
        (str(phone), fold_name(str(name))): int(area)
        for phone, name, area in zip(
            members["telefoon"], members["naam"], members["area_id"], strict=True
        )
    }
    by_name = {  # a sign-off without a number: by name alone
        name: int(member["area_id"]) for name, member in members_by_unique_name(members).items()
    }
    names = rejects.get("naam", pd.Series("", index=rejects.index)).astype(str).map(fold_name)
    reasons = []
    said = rejects["reason"].astype(str).tolist()
    for reason, phone, name in zip(said, _row_phones(rejects, regions), names, strict=True):
        area = area_of.get((phone, name))
        if area is None and reason == SIGN_OFF_REMARK:
            area = by_name.get(name)
        note = f" (let op: deze persoon is {MEMBER_NOTE} {area})"
        reasons.append(reason + note if area is not None and MEMBER_NOTE not in reason else reason)
    if reasons != said:
        write_csv(rejects.assign(reason=reasons), out_dir / REJECTS_FILE, private=True)


def _reject_outside(
    outside: gpd.GeoDataFrame,
    out_dir: Path,
    intake: IntakeReport,
    already: gpd.GeoDataFrame | None = None,
) -> IntakeReport:
    """Move members outside the wijk (and repeated sign-ups) from accepted to ``rejects.csv``.

    They keep their contact cells, leave ``applicants.csv`` and are counted once, as rejected,
    so the report still adds up to the rows read.
    """
    extra = [outside.assign(reason="adres ligt buiten de wijkgrens")]
    if already is not None and len(already):
        extra.append(already)  # with its reason (:func:`_as_members_again`)
    frames = [pd.DataFrame(f.drop(columns=f.geometry.name)) for f in extra if len(f)]
    if not frames:
        return intake
    added = pd.concat(frames, ignore_index=True)
    added = added.loc[:, [c for c in REJECT_CELLS if c in added.columns]]
    if "beheerder" in added:
        added["beheerder"] = np.where(added["beheerder"].astype(bool), "ja", "")
    added = added.assign(leeftijd="18+").astype(str)
    rejects = read_text_table(out_dir / REJECTS_FILE)
    combined = pd.concat([rejects, added], ignore_index=True)
    combined = combined.sort_values("row", key=pd.to_numeric, kind="stable")
    write_csv(combined, out_dir / REJECTS_FILE, private=True)
    accepted = read_text_table(out_dir / APPLICANTS_FILE)
    keep = ~accepted["row"].isin(set(added["row"]))
    write_csv(accepted.loc[keep], out_dir / APPLICANTS_FILE, private=True)
    moved = int((~keep).sum())
    return replace(intake, accepted=intake.accepted - moved, rejected=intake.rejected + moved)


def _write_outputs(
    out_dir: Path,
    areas: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    wijk: Wijk,
    metrics: dict[str, object],
    *,
    intake: IntakeReport,
    split: dict[int, list[int]],
    moved: int,
    signs_per_area: bool,
    budget: int | None,
) -> PlanReport:
    wgs_members = members.to_crs(WGS84)
    wgs_members["lat"], wgs_members["lon"] = (
        wgs_members.geometry.y.round(7),
        wgs_members.geometry.x.round(7),
    )
    coverage, uncovered = coverage_layers(
        wijk, areas, members, max_members=int(str(metrics["max_members"]))
    )
    areas = with_coverage(areas, coverage)  # households as participation counts them
    files = write_plan_folder(out_dir, areas=areas, members=wgs_members, wijk=wijk, metrics=metrics)
    signs, sign_files = run_signs(
        wijk,
        out_dir,
        areas=areas if signs_per_area else None,
        homes=wgs_members[["geometry"]],
        budget=budget,
    )
    maps = write_maps(
        out_dir, areas, wijk, members=wgs_members[["geometry"]], signs=signs, uncovered=uncovered
    )
    finish_plan_folder(out_dir, metrics)
    return PlanReport(
        intake=intake,
        metrics=metrics,
        files=(*files, *sign_files, *maps),
        split=split,
        moved_existing=moved,
    )


def coverage_layers(
    wijk: Wijk,
    areas: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    *,
    max_members: int,
    whole_areas: Collection[int] = (),
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Participation per area and the streets nobody has signed up on (of ``whole_areas``
    every street with households), in the metric CRS."""
    crs = wijk.crs
    addresses = wijk.addresses_in(crs)
    metric_areas, metric_members = areas.to_crs(crs), members.to_crs(crs)
    coverage = area_coverage(metric_areas, metric_members, addresses, max_members=max_members)
    # The count of signed-up households stays out of the layers: a public export hides only
    # the member figures of small areas, and this count would give them away.
    coverage = coverage.drop(columns="signed_up_households")
    uncovered = uncovered_streets(
        wijk.streets_in(crs), metric_members, addresses, metric_areas, whole_areas=whole_areas
    )
    return coverage, uncovered


def write_maps(
    out_dir: Path,
    areas: gpd.GeoDataFrame,
    wijk: Wijk,
    *,
    members: gpd.GeoDataFrame,
    signs: gpd.GeoDataFrame,
    uncovered: gpd.GeoDataFrame,
) -> tuple[Path, ...]:
    """The planner map, the municipality's map and one map per area (no personal data).

    Maps of areas no longer in the plan are removed, so the folder shows this plan only.
    """
    areas = areas.to_crs(WGS84)  # once for all the maps
    save_map(
        planner_map(areas, wijk.boundary, members=members, signs=signs, uncovered=uncovered),
        out_dir / MAP_FILE,
    )
    save_map(municipality_map(areas, wijk.boundary, signs), out_dir / MUNICIPALITY_MAP_FILE)
    area_dir = ensure_dir(out_dir / AREA_MAPS_DIR)
    names = {f"gebied-{int(area_id)}.html" for area_id in areas["area_id"]}
    for stale in area_dir.glob("gebied-*.html"):
        if stale.name not in names:
            stale.unlink()
    for area_id, fmap in area_maps(areas, wijk.streets):
        save_map(fmap, area_dir / f"gebied-{area_id}.html")
    return (out_dir / MAP_FILE, out_dir / MUNICIPALITY_MAP_FILE, area_dir)


def save_map(fmap: folium.Map, path: Path) -> None:
    """Save a folium map as one HTML page, replacing ``path`` as a whole."""
    with replacing(path) as temporary:
        fmap.save(temporary)


def plan_layers(
    wijk: Wijk,
    areas: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    *,
    max_members: int,
    private: bool,
    signs: gpd.GeoDataFrame | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """The layers of a plan for export (WGS84).

    Public: ``boundary``, ``areas``, ``signs``, ``coverage`` and ``open_streets`` (streets with
    households but nobody signed up), with member counts under
    :data:`~geo.maps.PUBLIC_MIN_MEMBERS` left out, and those areas' open streets (the streets
    they lack would tell where their few members live). Private adds ``members`` (name, phone,
    e-mail, address, group, beheerder) and keeps every count.
    """
    coverage, uncovered = coverage_layers(wijk, areas, members, max_members=max_members)
    layers = {
        "boundary": wijk.boundary,
        "areas": with_coverage(areas, coverage).to_crs(WGS84),
        "signs": signs if signs is not None else make_signs(wijk),
        "coverage": coverage.to_crs(WGS84),
        "open_streets": uncovered.to_crs(WGS84),
    }
    if not private:
        for name in ("areas", "coverage"):
            small = layers[name]["members"] < PUBLIC_MIN_MEMBERS
            # Households count signed-up addresses the register lacks, and "nearly full" tells
            # a small cap's count: hidden with the members.
            figures = ("members", "capacity_left", "participation_pct", "households", "near_cap")
            hidden = [c for c in figures if c in layers[name]]
            layers[name] = layers[name].astype(dict.fromkeys(hidden, "float"))
            layers[name].loc[small.to_numpy(), hidden] = np.nan
        if not len(wijk.addresses):  # signs ranked by members (a plan of an older version)
            layers["signs"] = without_counts(layers["signs"])
        # A small area's open streets are all its streets but its members' own: left out.
        areas_out = layers["areas"]
        few = areas_out.loc[areas_out["members"].isna(), "area_id"]
        open_streets = layers["open_streets"]
        layers["open_streets"] = open_streets.loc[~open_streets["area_id"].isin(few)]
        return layers
    layers["members"] = members.to_crs(WGS84).assign(
        adres=[_address_of(row) for row in members.itertuples()],
        email=members.get("email", ""),
    )[["naam", "telefoon", "email", "adres", "area_id", "is_beheerder", "geometry"]]
    return layers


def _address_of(row: object) -> str:
    def text(name: str) -> str:
        value = getattr(row, name, "")
        return "" if value is None or pd.isna(value) else str(value)

    number = HouseNumber(
        int(float(text("huisnummer") or 0)), text("huisletter"), text("toevoeging")
    )
    return address_label(Address(text("straat"), number, text("postcode"), text("woonplaats")))


def write_export(
    layers: dict[str, gpd.GeoDataFrame],
    *,
    profile: str,
    fmt: str,
    out: Path,
    streets: gpd.GeoDataFrame | None = None,
) -> list[Path]:
    """Write export layers: GeoJSON/GeoPackage/CSV, or a map to print (PNG/PDF) with
    ``streets`` (the wijk's street lines) and their names."""
    if profile not in PROFILES:
        msg = f"onbekend profiel {profile!r}; kies uit {', '.join(PROFILES)}"
        raise ConfigError(msg)
    if fmt in PRINT_FORMATS:
        if out.suffix.lower().lstrip(".") != fmt:  # a .pdf name must not hold a PNG
            msg = f"--format {fmt} schrijft een .{fmt}-bestand; noem het zo, niet {out.name!r}"
            raise ConfigError(msg)
        return [
            print_map(layers["areas"], layers["boundary"], layers["signs"], out, streets=streets)
        ]
    return export_layers(layers, fmt=fmt, out=out, private=profile == "private")


def run_export(plan_dir: Path, *, profile: str, fmt: str, out: Path) -> list[Path]:
    """Export a plan folder; ``profile`` public (nothing personal) or private (owner-only)."""
    wijk, areas, members, metrics = read_plan_folder(plan_dir)
    refuse_overwrite(export_targets(EXPORT_LAYERS, fmt=fmt, out=out), [plan_dir])
    signs_path = plan_dir / SIGNS_FILE
    layers = plan_layers(
        wijk,
        areas,
        members,
        max_members=int(metrics["max_members"]),
        private=profile == "private",
        signs=gpd.read_file(signs_path) if signs_path.exists() else None,
    )
    return write_export(layers, profile=profile, fmt=fmt, out=out, streets=wijk.streets)


EXPORT_LAYERS = ("boundary", "areas", "signs", "coverage", "open_streets", "members")
