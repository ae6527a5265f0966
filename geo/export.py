"""Files for other tools and people: GeoJSON (RFC 7946), GeoPackage, CSV; and the plan folder.

The plan folder (``python -m geo plan --out DIR``) holds public files (``areas.geojson``,
``plan.json``, ``map.html``; nothing personal) and private ones (``members.csv`` and the intake
files, owner-only), plus ``plan.gpkg`` with the wijk layers and areas that ``assign`` continues from.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import InputFileError
from geo.intake import parse_bool, phone_e164
from geo.outputs import ensure_dir, owner_only, reason, replacing
from geo.sources import WGS84, Wijk, read_addresses, read_boundary, read_streets
from geo.tables import read_rows, write_csv
from geo.wording import counted

AREAS_FILE = "areas.geojson"
MEMBERS_FILE = "members.csv"
PLAN_FILE = "plan.json"
PLAN_LAYERS_FILE = "plan.gpkg"
MAP_FILE = "map.html"
MUNICIPALITY_MAP_FILE = "gemeente_map.html"
AREA_MAPS_DIR = "gebieden"
SIGNS_FILE = "signs.geojson"
SIGNS_MAP_FILE = "signs_map.html"
SIGN_COLUMNS = (
    "sign_id", "rank", "street", "road_class", "kind", "bearing_deg", "homes", "reason", "area_id",
)  # fmt: skip
AREA_COLUMNS = (
    "area_id",
    "name",
    "members",
    "capacity_left",
    "households",
    "participation_pct",
    "beheerder_needed",
    "neighbours",
    "streets",
)
MEMBER_COLUMNS = (
    "member_id", "row", "naam", "telefoon", "email", "straat", "huisnummer", "huisletter", "toevoeging",
    "postcode", "woonplaats", "lat", "lon", "beheerder", "area_id", "is_beheerder",
)  # fmt: skip


def write_geojson(frame: gpd.GeoDataFrame, path: Path, *, private: bool = False) -> None:
    """GeoJSON per RFC 7946: WGS84, lon/lat, right-hand rings, 7 decimals (about 1 cm)."""
    with replacing(path, private=private) as temporary:
        frame.to_crs(WGS84).to_file(
            temporary,
            layer=path.stem,  # the layer's name in GIS, not the temporary file's
            driver="GeoJSON",
            engine="pyogrio",
            RFC7946="YES",
            COORDINATE_PRECISION=7,
        )


def write_gpkg(layers: Mapping[str, gpd.GeoDataFrame], path: Path, *, private: bool) -> None:
    """One GeoPackage with a layer per frame (WGS84), replacing ``path`` as a whole.

    The temporary file is written without SQLite waiting for the disk after every step (most
    of the time the writing took): like every file :func:`~geo.outputs.replacing` writes, it
    becomes ``path`` only when complete.
    """
    with replacing(path, private=private) as temporary, _sqlite_unsynced():
        for name, frame in layers.items():
            frame.to_crs(WGS84).to_file(temporary, layer=name, driver="GPKG", engine="pyogrio")


_SQLITE_SYNCHRONOUS = "OGR_SQLITE_SYNCHRONOUS"  # GDAL's setting for SQLite's PRAGMA synchronous


@contextmanager
def _sqlite_unsynced() -> Iterator[None]:
    """GDAL's SQLite (GeoPackage) files without ``fsync`` for the block, then as before."""
    before = pyogrio.get_gdal_config_option(_SQLITE_SYNCHRONOUS)
    pyogrio.set_gdal_config_options({_SQLITE_SYNCHRONOUS: "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({_SQLITE_SYNCHRONOUS: before})


def write_json(data: Mapping[str, Any], path: Path) -> None:
    """Pretty-printed UTF-8 JSON, replacing ``path`` as a whole."""
    with replacing(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def write_signs(signs: gpd.GeoDataFrame, path: Path) -> Path:
    """Signs as RFC 7946 GeoJSON points (public: nothing personal)."""
    write_geojson(
        signs.loc[:, [c for c in SIGN_COLUMNS if c in signs.columns] + ["geometry"]], path
    )
    return path


def write_plan_folder(
    out_dir: Path,
    *,
    areas: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    wijk: Wijk,
    metrics: dict[str, Any],
) -> list[Path]:
    """Write areas, the private roster, the metrics and the layers ``assign`` needs.

    ``plan.json`` marks a complete plan folder: it is removed first and written by
    :func:`finish_plan_folder` once every other file is there, so a folder whose writing
    broke off is never read as a plan.
    """
    ensure_dir(out_dir)
    (out_dir / PLAN_FILE).unlink(missing_ok=True)
    public = areas.loc[:, [*AREA_COLUMNS, "geometry"]]
    write_geojson(public, out_dir / AREAS_FILE)
    roster = members.drop(columns=members.geometry.name)
    write_csv(
        roster.loc[:, [c for c in MEMBER_COLUMNS if c in roster.columns]],
        out_dir / MEMBERS_FILE,
        private=True,
    )
    layers = out_dir / PLAN_LAYERS_FILE
    write_gpkg(
        {
            "boundary": wijk.boundary,
            "streets": wijk.streets,
            "addresses": wijk.addresses,
            "areas": public,
        },
        layers,
        private=False,
    )
    return [out_dir / AREAS_FILE, out_dir / MEMBERS_FILE, out_dir / PLAN_FILE, layers]


def finish_plan_folder(out_dir: Path, metrics: Mapping[str, Any]) -> Path:
    """Write ``plan.json``, the mark of a complete plan folder (see :func:`write_plan_folder`)."""
    write_json(metrics, out_dir / PLAN_FILE)
    return out_dir / PLAN_FILE


def read_areas(path: Path) -> gpd.GeoDataFrame:
    """Areas (``area_id`` and polygons) from an ``areas.geojson`` or a plan GeoPackage."""
    try:
        layer = "areas" if path.suffix.lower() == ".gpkg" else None
        areas = gpd.read_file(path, layer=layer, engine="pyogrio")
    except (OSError, ValueError, pyogrio.errors.DataSourceError) as error:
        msg = f"{path.name} is geen leesbaar gebiedenbestand: {error}"
        raise InputFileError(msg) from None
    if (
        not isinstance(areas, gpd.GeoDataFrame)
        or "area_id" not in areas
        or areas.crs is None
        or not (areas.geometry.isna() | areas.geom_type.isin(["Polygon", "MultiPolygon"])).all()
    ):
        msg = f"{path.name} bevat geen gebieden (vlakken met een kolom area_id)"
        raise InputFileError(msg)
    return areas


def read_plan_folder(
    plan_dir: Path,
) -> tuple[Wijk, gpd.GeoDataFrame, gpd.GeoDataFrame, dict[str, Any]]:
    """The wijk layers, areas, members (points) and metrics of a plan folder (all WGS84)."""
    layers = plan_dir / PLAN_LAYERS_FILE
    missing = [
        name
        for name in (PLAN_LAYERS_FILE, MEMBERS_FILE, PLAN_FILE)
        if not (plan_dir / name).exists()
    ]
    if missing:
        msg = f"{plan_dir} is geen planmap (ontbreekt: {', '.join(missing)}); maak eerst een plan met 'python -m geo plan'"
        raise InputFileError(msg)
    boundary = read_boundary(layers)
    wijk = Wijk(boundary, read_streets(layers, boundary), read_addresses(layers, boundary))
    areas = gpd.read_file(layers, layer="areas", engine="pyogrio")
    members = read_members(plan_dir / MEMBERS_FILE)
    metrics = read_plan_metrics(plan_dir / PLAN_FILE)
    _check_roster(members, metrics, plan_dir / MEMBERS_FILE)
    return wijk, areas, members, metrics


def _check_roster(members: pd.DataFrame, metrics: Mapping[str, Any], path: Path) -> None:
    """Stop on a roster that no longer matches its plan: members missing or added (rows lost
    in a spreadsheet), or a group with more than one beheerder. A plan goes on only from the
    roster it was made with; people leave a plan through ``project forget``."""
    recorded = _number(metrics.get("members"), whole=True)
    if recorded is not None and int(recorded) != len(members):
        msg = (
            f"{path} telt {counted(len(members), 'lid', 'leden')} en plan.json {int(recorded)}: "
            f"is de ledenlijst buiten het programma bewerkt? Zet een goede kopie van {path.name} "
            "terug"
        )
        raise InputFileError(msg)
    leaders = members.loc[members["is_beheerder"], "area_id"].value_counts()
    crowded = sorted(int(area) for area in leaders.index[leaders.to_numpy() > 1])
    if crowded:
        areas = ", ".join(str(area) for area in crowded)
        msg = (
            f"{path}: meer dan één beheerder in gebied {areas}; een groep heeft precies één "
            "beheerder (kolom is_beheerder)"
        )
        raise InputFileError(msg)


def read_plan_metrics(path: Path) -> dict[str, Any]:
    """A plan's ``plan.json``: a JSON object with the cap it was made with (``max_members``, a
    whole number from 1) and, when given, its ``fill`` (a number above 0, at most 1).

    Both come back as numbers. A damaged file stops with what is wrong in it.
    """
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _bad_plan_file(path, _json_problem(error)) from None
    if not isinstance(metrics, dict):
        raise _bad_plan_file(
            path, f"geen JSON-object met de maten van het plan, maar {_short(metrics)}"
        )
    if "max_members" not in metrics:
        raise _bad_plan_file(path, "het maximum aantal leden per groep (max_members) ontbreekt")
    cap = _number(metrics["max_members"], whole=True)
    if cap is None or cap < 1:
        raise _bad_plan_file(
            path,
            f"max_members moet een geheel getal vanaf 1 zijn, niet {_short(metrics['max_members'])}",
        )
    metrics["max_members"] = int(cap)
    if "fill" in metrics:
        fill = _number(metrics["fill"], whole=False)
        if fill is None or not 0 < fill <= 1:
            raise _bad_plan_file(
                path,
                f"fill moet een getal boven 0 en hoogstens 1 zijn, niet {_short(metrics['fill'])}",
            )
        metrics["fill"] = fill
    return metrics


def _number(value: object, *, whole: bool) -> float | None:
    """``value`` (a JSON number, or one written as text) as a finite number, or ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number) or (whole and number % 1):
        return None
    return number


def _json_problem(error: Exception) -> str:
    """What is wrong with a ``plan.json`` that cannot be read, in Dutch."""
    if isinstance(error, json.JSONDecodeError):
        return f"geen geldige JSON (regel {error.lineno}, kolom {error.colno})"
    if isinstance(error, UnicodeDecodeError):
        return "geen UTF-8-tekst"
    return f"niet te lezen ({reason(error) if isinstance(error, OSError) else error})"


def _short(value: object) -> str:
    """A value from a damaged file, short enough for one line."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _bad_plan_file(path: Path, problem: str) -> InputFileError:
    """The one-line Dutch error for a damaged ``plan.json``."""
    msg = f"{path} is beschadigd: {problem}; zet een goede kopie van {path.name} terug"
    return InputFileError(msg)


_MEMBER_NUMBERS = ("member_id", "row", "area_id")
_MEMBER_FLAGS = ("beheerder", "is_beheerder")


def read_members(path: Path) -> gpd.GeoDataFrame:
    """The roster ``members.csv`` as points, also after a planner edited it in (Dutch) Excel.

    Blank rows are skipped; ``52,1`` reads as 52.1; ``WAAR``/``ONWAAR``, ``ja``/``nee`` and
    ``1``/``0`` as flags. A cell that cannot be read stops with its line number.
    """
    rows = read_rows(path)
    header, body = rows[0], rows[1:]
    missing = [c for c in (*_MEMBER_NUMBERS, "lat", "lon", *_MEMBER_FLAGS) if c not in header]
    if missing:
        msg = f"{path.name} mist de kolom(men) {', '.join(missing)}"
        raise InputFileError(msg)
    numbered = [
        (line, row) for line, row in enumerate(body, start=2) if any(c.strip() for c in row)
    ]
    table = pd.DataFrame([row for _, row in numbered], columns=header)
    lines = [line for line, _ in numbered]
    for column in _MEMBER_NUMBERS:
        table[column] = _column(table[column], lines, path, column, integer=True)
    for column in ("lat", "lon"):
        table[column] = _column(table[column], lines, path, column, integer=False)
    for column in _MEMBER_FLAGS:
        table[column] = [
            _flag(v, line, path, column) for v, line in zip(table[column], lines, strict=True)
        ]
    if "huisnummer" in table:
        table["huisnummer"] = pd.to_numeric(table["huisnummer"], errors="coerce").astype("Int64")
    if "telefoon" in table:  # Excel drops the '+' of 31612345678
        table["telefoon"] = table["telefoon"].map(_e164)
    return gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=WGS84
    )


def _column(
    values: pd.Series, lines: list[int], path: Path, column: str, *, integer: bool
) -> pd.Series:
    """Numbers of a roster column (decimal comma allowed); the first bad cell stops with its line."""
    numbers = pd.to_numeric(values.str.strip().str.replace(",", ".", regex=False), errors="coerce")
    bad = numbers.isna() | (integer & (numbers % 1 != 0))
    if bad.any():
        first = int(bad.to_numpy().argmax())
        kind = "een geheel getal" if integer else "een getal"
        msg = f"{path.name} regel {lines[first]}: {column} moet {kind} zijn, niet {values.iloc[first]!r}"
        raise InputFileError(msg)
    return numbers.astype(int) if integer else numbers


def _e164(phone: str) -> str:
    """A roster phone number in E.164 again (as written, when it is no valid number)."""
    try:
        return phone_e164(phone)
    except ValueError:
        return phone


def _flag(value: str, line: int, path: Path, column: str) -> bool:
    try:
        return parse_bool(value)
    except ValueError:
        msg = f"{path.name} regel {line}: {column} moet ja of nee zijn, niet {value!r}"
        raise InputFileError(msg) from None


# --- exports for other tools ------------------------------------------------------------------

PROFILES = ("public", "private")
FORMATS = ("geojson", "gpkg", "csv")
ROSTER_COLUMNS = ("naam", "telefoon", "email", "adres", "is_beheerder")
# Counts and numbers: whole numbers in every export (empty where a public export hides one).
COUNT_COLUMNS = ("area_id", "sign_id", "rank", "members", "capacity_left", "households", "homes")


def whole_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its :data:`COUNT_COLUMNS` as (nullable) integers: ``30``, not ``30.0``.

    A column holding a fraction is left as it is.
    """
    columns = {}
    for column in COUNT_COLUMNS:
        if column not in frame or not pd.api.types.is_float_dtype(frame[column]):
            continue
        values = frame[column]
        if (values.dropna() % 1 == 0).all():
            columns[column] = values.astype("Int64")
    return frame.assign(**columns) if columns else frame


def export_layers(
    layers: Mapping[str, gpd.GeoDataFrame], *, fmt: str, out: Path, private: bool
) -> list[Path]:
    """Write ``layers`` as one GeoJSON per layer (``out`` a folder), one GeoPackage (``out``
    a file) or CSV tables (``out`` a folder, with per-area rosters when ``private``).

    Everything is WGS84, counts are whole numbers. Private exports are created owner-only.
    """
    layers = {name: whole_counts(frame) for name, frame in layers.items()}
    if fmt not in FORMATS:
        msg = f"onbekend formaat {fmt!r}; kies uit {', '.join(FORMATS)}"
        raise InputFileError(msg)
    if fmt != "gpkg" and out.exists() and not out.is_dir():
        msg = f"{out} is een bestand; geef voor {fmt} een map op"
        raise InputFileError(msg)
    if fmt == "gpkg" and out.is_dir():
        msg = f"{out} is een map; geef voor gpkg een bestandsnaam op, bv. {out / 'plan.gpkg'}"
        raise InputFileError(msg)
    if fmt == "gpkg":
        write_gpkg(layers, out, private=private)
        return [out]
    if not private:
        _refuse_personal_leftovers(out)
    with owner_only() if private else nullcontext():
        ensure_dir(out)
    if fmt == "geojson":
        for name, frame in layers.items():
            write_geojson(frame, out / f"{name}.geojson", private=private)
        return [out / f"{name}.geojson" for name in layers]
    return _export_csv(layers, out, private=private)


def _refuse_personal_leftovers(out: Path) -> None:
    """A public export goes to the municipality: not into a folder that still holds the
    members or rosters of an earlier private export (they would go along unnoticed)."""
    leftovers = [
        p for p in (out / "members.geojson", out / "members.csv", out / "rosters") if p.exists()
    ]
    if leftovers:
        names = ", ".join(p.name + ("/" if p.is_dir() else "") for p in leftovers)
        msg = (
            f"{out} bevat persoonsgegevens van een eerdere export ({names}); kies voor de "
            "gemeente een andere map, of verwijder die bestanden eerst"
        )
        raise InputFileError(msg)


def export_targets(layer_names: Iterable[str], *, fmt: str, out: Path) -> list[Path]:
    """The files an export of these layers writes (to check them against its inputs)."""
    if fmt == "gpkg":
        return [out]
    suffix = ".geojson" if fmt == "geojson" else ".csv"
    return [out / f"{name}{suffix}" for name in layer_names] + [out / "rosters"]


def _export_csv(layers: Mapping[str, gpd.GeoDataFrame], out: Path, *, private: bool) -> list[Path]:
    written = []
    for name, frame in layers.items():
        if name == "members":
            continue
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        if name == "signs":
            points = frame.to_crs(WGS84).geometry
            table = table.assign(lat=points.y.round(7), lon=points.x.round(7))
        write_csv(table, out / f"{name}.csv", private=private)
        written.append(out / f"{name}.csv")
    if private and "members" in layers:
        members = pd.DataFrame(layers["members"].drop(columns=layers["members"].geometry.name))
        for area_id in sorted(int(a) for a in members["area_id"].unique()):
            path = out / "rosters" / f"gebied-{area_id}.csv"
            group = members.loc[members["area_id"] == area_id, list(ROSTER_COLUMNS)]
            write_csv(group, path, private=True)
            written.append(path)
        for stale in set((out / "rosters").glob("gebied-*.csv")) - set(written):
            stale.unlink()  # an area of an earlier export that is gone or empty now
    return written
