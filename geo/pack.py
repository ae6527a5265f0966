"""Beheerder packs: from a plan to working BuurtWhatsApp groups (``python -m geo pack``).

For every area the beheerder gets ``beheerders/gebied-N.vcf`` (the members as contacts, to add
them to the WhatsApp group) and ``beheerders/gebied-N.pdf`` (map with street names, street
list, roster, the neighbouring areas' beheerders, the rules); all beheerders together get
``beheerders/overzicht.pdf`` and ``beheerders/beheerders.vcf``. Streets with households but
nobody signed up get a recruitment flyer ``werving/gebied-N.pdf``.

Everything in a pack is personal data or sits next to it: files are written owner-only (0600)
in owner-only folders (0700). Maps are drawn with matplotlib in the wijk's metric CRS and
placed in A4 documents made with fpdf2 (see :mod:`geo.pdf`); their words (street names with
house-number ranges, neighbouring areas, the scale bar in metres, the north arrow) are set as
PDF text on the picture, sharp and searchable (:class:`geo.map_drawing.MapPicture`). Flyers are
A5 (or A4). With more than a few areas, two ``fork``ed worker processes share the files; the
files are the same with one.
"""

from __future__ import annotations

import dataclasses
import math
import multiprocessing
import os
import shutil
import sys
import tempfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.collections import LineCollection
from shapely.geometry.base import BaseGeometry

from geo.address import HouseNumber
from geo.config import MAX_MEMBERS, Settings
from geo.coverage import with_coverage
from geo.errors import ConfigError, InputFileError
from geo.export import SIGNS_FILE, read_plan_folder
from geo.flyers import (
    DEFAULT_FLYER_FORMAT,
    FLYER_FORMATS,
    FlyerStreet,
    check_platform_email,
    flyer_pdf,
)
from geo.map_drawing import (
    Bounds,
    MapLabel,
    MapPicture,
    blank_map,
    draw_signs,
    patch,
    render,
    segments,
    view_bounds,
)
from geo.maps import PUBLIC_MIN_MEMBERS, area_colour, participation_text
from geo.outputs import OutputError, cannot_write, ensure_dir, owner_only, refuse_overwrite
from geo.pdf import PT_MM, Document, text_width
from geo.sources import Wijk
from geo.store import Store, StoreError
from geo.vcards import Contact, phone_kind, write_vcards
from geo.wording import counted
from geo.workflow import coverage_layers, make_signs

BEHEERDERS_DIR = "beheerders"
WERVING_DIR = "werving"
OVERVIEW_FILE = "overzicht.pdf"
BEHEERDERS_VCF = "beheerders.vcf"
GROUP_NAME_MAX = 100  # WhatsApp's limit for a group's name
NEAR_SIGN_M = 100.0  # a sign this close to an area is "near" it
MAP_SIZE_IN = (7.0, 6.2)  # the map drawn: 7 × 6.2 inch
MAP_WIDTH_MM = 180.0  # on the A4 page: the width between the margins
MAP_HEIGHT_MM = MAP_WIDTH_MM / MAP_SIZE_IN[0] * MAP_SIZE_IN[1]
MAP_DPI = 150
PARALLEL_FROM_AREAS = 8  # fewer areas are drawn in this process (a worker costs more)
NO_BEHEERDER = "nog geen beheerder"
HOME_VIEW_M = 120.0  # the map of an area without land of its own: this far around its building

RULES = (
    "Meedoen kan iedereen van 18 jaar of ouder die in het gebied woont.",
    "Doel van de groep: het signaleren van verdachte situaties en elkaar daarvoor waarschuwen.",
    "Geen privéberichten, gezellig geklets, reclame of kettingberichten in de groep: alleen "
    "meldingen die voor de buurt van belang zijn. Reageren doet u privé of niet.",
    "Bij spoed of een noodsituatie belt u altijd eerst 112; pas daarna meldt u het in de groep. "
    "Geen spoed maar wel politie: 0900-8844.",
    "Werk volgens SAAR: Signaleer, Alarmeer (112), App, Reageer.",
    "De beheerder voegt leden toe en verwijdert ze: bij verhuizing, afmelding, of wie zich niet "
    "aan de regels houdt.",
    "Via de beheerders staan de groepen met elkaar in contact: een melding die ook een "
    "buurgebied aangaat, geeft de beheerder door aan de beheerder van dat gebied.",
)
START_STEPS = (
    "Zet het bestand {vcf} op uw telefoon (bijvoorbeeld per e-mail aan uzelf) en open het: "
    "de leden komen in uw contacten, met het label '{category}'.",
    "Maak in WhatsApp een nieuwe groep met de naam '{group}' en voeg de leden toe uit uw "
    "contacten. Een groep heeft plaats voor 256 deelnemers, uzelf meegeteld.",
    "Stel in de groepsinstellingen in dat alleen beheerders de groepsinformatie kunnen "
    "wijzigen, en zet de spelregels (hieronder) als eerste bericht in de groep.",
    "Leden met een opmerking zoals 'vast nummer' hebben misschien geen WhatsApp: bel hen even.",
    "Nieuwe leden en afmeldingen komen via het wijkplatform; u krijgt dan een nieuw pakket.",
)
PRIVACY = (
    "Dit pakket bevat persoonsgegevens van uw buurtgenoten. Gebruik ze alleen voor de "
    "BuurtWhatsApp, deel ze met niemand anders, en vernietig papieren en digitale kopieën "
    "zodra de groep loopt. Wie zich afmeldt, verwijdert u uit de groep en uit uw contacten."
)


@dataclass
class PackData:
    """Everything the pack draws from, in the wijk's metric CRS."""

    wijk_name: str
    boundary: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame  # area_id, name, streets, neighbours, households, members
    members: gpd.GeoDataFrame  # naam, telefoon, email, adres parts, area_id, is_beheerder
    streets: gpd.GeoDataFrame  # name, geometry
    signs: gpd.GeoDataFrame
    # area_id, street, households: the streets a recruitment flyer goes to (nobody signed up
    # there; in an area under PUBLIC_MIN_MEMBERS all its streets, or the flyer tells the rest)
    open_streets: gpd.GeoDataFrame
    has_register: bool
    _beheerders: dict[int, pd.Series] = field(default_factory=dict, repr=False)
    _areas: dict[int, pd.Series] = field(default_factory=dict, repr=False)
    _rosters: dict[int, list[dict[str, Any]]] = field(default_factory=dict, repr=False)
    _homes: dict[int, BaseGeometry] = field(default_factory=dict, repr=False)
    _sharing: dict[int, set[int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        chosen = self.members.loc[self.members["is_beheerder"].to_numpy(dtype=bool)]
        self._beheerders = {int(row["area_id"]): row for _, row in chosen.iterrows()}
        self._areas = {int(row["area_id"]): row for _, row in self.areas.iterrows()}
        # Every area's roster at once (one sort, no geometry): the vCards and the PDF of an
        # area read the same list.
        table = pd.DataFrame(self.members.drop(columns=self.members.geometry.name))
        order = table.assign(
            _first=~table["is_beheerder"].to_numpy(dtype=bool),
            _street=table["straat"].fillna("").astype(str).str.casefold(),
            _number=pd.to_numeric(table["huisnummer"], errors="coerce").fillna(0),
        ).sort_values(["area_id", "_first", "_street", "_number", "naam"], kind="stable")
        records = table.loc[order.index].to_dict("records")
        self._rosters = {}
        for record in records:
            self._rosters.setdefault(int(record["area_id"]), []).append(
                {str(key): value for key, value in record.items()}
            )
        self._homes, self._sharing = _homes_and_sharing(self.members)

    def beheerder(self, area_id: int) -> pd.Series | None:
        """The beheerder's member row of an area, or ``None`` while it has none."""
        return self._beheerders.get(int(area_id))

    def area(self, area_id: int) -> pd.Series:
        """The area's row (id, name, streets, neighbours, counts, polygon)."""
        return self._areas[int(area_id)]

    def has_land(self, area_id: int) -> bool:
        """Whether the area has land of its own (a group of a building's flats has none)."""
        polygon = self.area(area_id).geometry
        return polygon is not None and not polygon.is_empty

    def homes(self, area_id: int) -> BaseGeometry:
        """Where the area's members live (points; empty while it has no members)."""
        return self._homes.get(int(area_id), shapely.MultiPoint())

    def place(self, area_id: int) -> BaseGeometry:
        """The area's land, or for an area without land the building(s) its members live in."""
        return self.area(area_id).geometry if self.has_land(area_id) else self.homes(area_id)

    def sharing(self, area_id: int) -> list[int]:
        """The other areas with members in the same building (a building split by flat number)."""
        return sorted(self._sharing.get(int(area_id), set()) - {int(area_id)})

    def members_of(self, area_id: int) -> list[dict[str, Any]]:
        """The members of an area (their columns, no geometry): the beheerder first, then by
        street and house number."""
        return self._rosters.get(int(area_id), [])


def _homes_and_sharing(
    members: gpd.GeoDataFrame,
) -> tuple[dict[int, BaseGeometry], dict[int, set[int]]]:
    """Per area the points its members live at, and the areas that share each such point."""
    points = members.geometry
    keys = zip(points.x.round(1), points.y.round(1), strict=True)
    at: dict[tuple[float, float], set[int]] = {}
    spots: dict[int, set[tuple[float, float]]] = {}
    for key, area_id in zip(keys, members["area_id"].astype(int), strict=True):
        at.setdefault(key, set()).add(int(area_id))
        spots.setdefault(int(area_id), set()).add(key)
    homes = {a: shapely.MultiPoint(sorted(mine)) for a, mine in spots.items()}
    sharing = {a: set().union(*(at[k] for k in mine)) for a, mine in spots.items()}
    return homes, sharing


@dataclass(frozen=True)
class PackReport:
    """What a pack run wrote: per area its files, the flyers and how many copies each."""

    out: Path
    areas: int
    members: int
    files: tuple[Path, ...]
    flyers: dict[int, int]  # area id -> copies to print
    without_beheerder: tuple[int, ...]
    notes: tuple[str, ...] = ()


# --- gathering -----------------------------------------------------------------------------


def pack_data(
    wijk: Wijk,
    areas: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    *,
    signs: gpd.GeoDataFrame | None,
    max_members: int = MAX_MEMBERS,
    co_beheerders: Collection[int] = (),
) -> PackData:
    """Bring a plan's layers (any CRS) into the metric CRS with what the pack shows;
    ``co_beheerders`` are ``member_id`` values (a project's applicant ids)."""
    crs = wijk.crs
    members = members.loc[members["area_id"].notna()].copy()
    members["area_id"] = members["area_id"].astype(int)
    chosen = {int(i) for i in co_beheerders}
    members["is_co_beheerder"] = (
        members["member_id"].isin(chosen).to_numpy(dtype=bool)
        if "member_id" in members and chosen
        else False
    )
    for column in ("naam", "telefoon", "email", "straat", "huisletter", "toevoeging", "postcode",
                   "woonplaats", "opmerking"):  # fmt: skip
        members[column] = members[column].fillna("").astype(str) if column in members else ""
    for column in ("is_beheerder", "beheerder"):
        flags = members[column] if column in members else pd.Series(False, index=members.index)
        members[column] = flags.fillna(False).astype(bool)
    # A flyer of an area with few members goes to all its streets: its open streets alone
    # would tell where those members live.
    counts = members["area_id"].value_counts()
    small = [int(a) for a in areas["area_id"] if counts.get(a, 0) < PUBLIC_MIN_MEMBERS]
    coverage, open_streets = coverage_layers(
        wijk, areas, members, max_members=max_members, whole_areas=small
    )
    metric_areas = with_coverage(areas.to_crs(crs).reset_index(drop=True), coverage)
    metric_areas["area_id"] = metric_areas["area_id"].astype(int)
    metric_areas["members"] = coverage["members"].to_numpy()
    for column in ("name", "streets", "neighbours"):
        values = (
            metric_areas[column]
            if column in metric_areas
            else pd.Series("", index=metric_areas.index)
        )
        metric_areas[column] = values.fillna("").astype(str)
    streets = wijk.streets.to_crs(crs)
    if "name" not in streets:
        streets = streets.assign(name="")
    streets = streets.assign(name=streets["name"].fillna("").astype(str).str.strip())
    if signs is None:
        signs = make_signs(wijk, homes=members[[members.geometry.name]])
    boundary = wijk.boundary
    wijk_name = (
        str(boundary["name"].iloc[0]).strip() if "name" in boundary and len(boundary) else ""
    )
    return PackData(
        wijk_name=wijk_name or "de wijk",
        boundary=boundary.to_crs(crs),
        areas=metric_areas,
        members=members.to_crs(crs),
        streets=streets[["name", streets.geometry.name]],
        signs=signs.to_crs(crs),
        open_streets=open_streets,
        has_register=len(wijk.addresses) > 0,
    )


def data_from_plan(plan_dir: Path) -> PackData:
    """The pack's data from a plan folder (``python -m geo plan``)."""
    wijk, areas, members, metrics = read_plan_folder(plan_dir)
    signs_path = plan_dir / SIGNS_FILE
    signs = gpd.read_file(signs_path, engine="pyogrio") if signs_path.exists() else None
    max_members = int(str(metrics.get("max_members", MAX_MEMBERS)))
    return pack_data(wijk, areas, members, signs=signs, max_members=max_members)


def data_from_project(store: Store) -> PackData:
    """The pack's data from a project's current plan."""
    plan = store.plan()
    if plan is None:
        msg = f"{store.path.name} heeft nog geen plan; voeg eerst aanmeldingen toe (project import)"
        raise StoreError(msg)
    # Co-beheerders are read here and only here (the store's applicant ids per area).
    co_beheerders = [i for ids in store.co_beheerders().values() for i in ids]
    return pack_data(
        store.wijk(), plan.areas, plan.members, signs=None, max_members=store.max_members,
        co_beheerders=co_beheerders,
    )  # fmt: skip


# --- texts ---------------------------------------------------------------------------------


def group_name(data: PackData, area_id: int) -> str:
    """The WhatsApp group's name: ``BuurtWhatsApp <wijk> <N> – <area name>`` (≤ 100 characters)."""
    name = str(data.area(area_id)["name"]).strip()
    text = f"BuurtWhatsApp {data.wijk_name} {area_id}" + (f" – {name}" if name else "")
    return text if len(text) <= GROUP_NAME_MAX else text[: GROUP_NAME_MAX - 1] + "…"


def category(area_id: int) -> str:
    """The contacts label of an area's members (one per group)."""
    return f"BuurtWhatsApp gebied {area_id}"


BEHEERDERS_CATEGORY = "BuurtWhatsApp beheerders"


def street_line(member: Mapping[str, Any]) -> str:
    """Street and house number, e.g. ``Kerkstraat 12A-2``."""
    try:
        number = float(str(member.get("huisnummer", "")).strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        return str(member["straat"]).strip()
    house = HouseNumber(int(number), str(member["huisletter"]), str(member["toevoeging"]))
    return f"{member['straat']} {house}".strip()


def address_text(member: Mapping[str, Any]) -> str:
    tail = " ".join(p for p in (str(member["postcode"]), str(member["woonplaats"])) if p)
    return street_line(member) + (f", {tail}" if tail else "")


def remarks(member: Mapping[str, Any]) -> str:
    """What the beheerder should know about a member (a fixed line, a note at sign-up)."""
    notes = []
    if member["telefoon"] and phone_kind(str(member["telefoon"])) != "CELL":
        notes.append("vast nummer: heeft dit nummer WhatsApp?")
    if member["opmerking"]:
        notes.append(str(member["opmerking"]))
    return "; ".join(dict.fromkeys(notes))


def role(member: Mapping[str, Any]) -> str:
    """``beheerder``, ``co-beheerder`` (chosen by the planner), ``kandidaat co-beheerder``
    (offered at sign-up) or nothing."""
    if member["is_beheerder"]:
        return "beheerder"
    if member.get("is_co_beheerder"):
        return "co-beheerder"
    return "kandidaat co-beheerder" if member["beheerder"] else ""


def co_beheerders(data: PackData, area_id: int) -> list[dict[str, Any]]:
    """The co-beheerders the planner chose for an area (their roster rows)."""
    return [m for m in data.members_of(area_id) if m.get("is_co_beheerder")]


def area_streets(data: PackData, area_id: int) -> list[str]:
    """The area's street list (with house-number ranges where it holds part of a street)."""
    text = str(data.area(area_id)["streets"])
    listed = [s.strip() for s in text.split(";") if s.strip()]
    if listed:
        return listed
    if not data.has_land(area_id):
        return sorted({street_line({**m, "toevoeging": ""}) for m in data.members_of(area_id)})
    polygon = data.area(area_id).geometry
    inside = data.streets.loc[data.streets.intersects(polygon) & (data.streets["name"] != "")]
    return sorted(set(inside["name"]))


def neighbours(data: PackData, area_id: int) -> list[int]:
    """The neighbouring areas, and the areas with flats in the same building."""
    text = str(data.area(area_id)["neighbours"])
    found = []
    for part in text.replace(";", ",").split(","):
        try:
            found.append(int(float(part)))
        except ValueError:
            continue
    found += [n for n in data.sharing(area_id) if n not in found]  # flats of one building
    known = set(data.areas["area_id"])
    return [n for n in found if n in known and n != area_id]


def beheerder_text(data: PackData, area_id: int) -> tuple[str, str]:
    """(name, phone) of an area's beheerder, or the Dutch 'none yet' and an empty phone."""
    chosen = data.beheerder(area_id)
    if chosen is None:
        return NO_BEHEERDER, ""
    return str(chosen["naam"]), str(chosen["telefoon"])


def _contact(
    member: Mapping[str, Any], *, note: str, categories: tuple[str, ...], role_text: str
) -> Contact:
    return Contact(
        name=str(member["naam"]),
        phone=str(member["telefoon"]),
        street=street_line(member),
        postcode=str(member["postcode"]),
        place=str(member["woonplaats"]),
        email=str(member["email"]),
        note=note,
        categories=categories,
        role=role_text,
    )


def member_contacts(data: PackData, area_id: int) -> list[Contact]:
    """The vCards of an area's members: note ``BuurtWhatsApp <group>``, the group's category."""
    note = group_name(data, area_id)
    return [
        _contact(
            member, note=note, categories=(category(area_id),), role_text=role(member).capitalize()
        )
        for member in data.members_of(area_id)
    ]


def beheerder_contacts(data: PackData) -> list[Contact]:
    """The beheerders of all areas, for the beheerders' own group."""
    contacts = []
    for area_id in (int(a) for a in data.areas["area_id"]):
        chosen = data.beheerder(area_id)
        if chosen is not None:
            contacts.append(
                _contact(
                    {str(k): v for k, v in chosen.items()},
                    note=f"Beheerder van {group_name(data, area_id)}",
                    categories=(BEHEERDERS_CATEGORY, category(area_id)),
                    role_text=f"Beheerder gebied {area_id}",
                )
            )
        contacts.extend(
            _contact(
                member,
                note=f"Co-beheerder van {group_name(data, area_id)}",
                categories=(BEHEERDERS_CATEGORY, category(area_id)),
                role_text=f"Co-beheerder gebied {area_id}",
            )
            for member in co_beheerders(data, area_id)
        )
    return contacts


# --- maps ----------------------------------------------------------------------------------


def _metres_per_mm(bounds: Bounds) -> float:
    return (bounds[2] - bounds[0]) / MAP_WIDTH_MM


def _view(data: PackData, area_id: int) -> BaseGeometry:
    """What an area's map shows: its land, or around its building when it has no land (or
    the wijk, for an area with neither)."""
    if data.has_land(area_id):
        return data.area(area_id).geometry
    homes = data.homes(area_id)
    return data.boundary.union_all() if homes.is_empty else homes.buffer(HOME_VIEW_M)


def area_map(data: PackData, area_id: int) -> MapPicture:
    """The area's map: its streets with names, the neighbouring areas, signs, scale and north.

    An area without land of its own (flats of a building split over groups) shows its
    building, marked in the area's colour, amid the areas around it.
    """
    land = data.has_land(area_id)
    polygon = data.area(area_id).geometry if land else shapely.Polygon()
    bounds = view_bounds(_view(data, area_id), MAP_SIZE_IN[0] / MAP_SIZE_IN[1])
    view = shapely.box(*bounds)
    figure, axes = blank_map(bounds, MAP_SIZE_IN, MAP_DPI)

    near = data.areas.iloc[data.areas.sindex.query(view, predicate="intersects")]
    others = near.loc[near["area_id"] != area_id]
    axes.add_artist(patch(others.geometry, fc="#eeeeee", ec="#888888", lw=0.8, zorder=1))
    axes.add_artist(patch([polygon], fc=area_colour(area_id), alpha=0.22, ec="none", zorder=2))
    axes.add_collection(
        LineCollection(
            segments(data.boundary.boundary), colors="black", linewidths=1.2,
            linestyles="--", zorder=3,
        )
    )  # fmt: skip

    lines = data.streets.iloc[data.streets.sindex.query(view, predicate="intersects")]
    axes.add_collection(
        LineCollection(segments(lines.geometry), colors="#aaaaaa", linewidths=0.7, zorder=4)
    )
    inside = (
        shapely.intersection(lines.geometry.to_numpy(), polygon)
        if land
        else _home_streets(data, area_id, lines, view)
    )
    keep = ~shapely.is_empty(inside)
    axes.add_collection(
        LineCollection(segments(inside[keep]), colors="#333333", linewidths=1.3, zorder=5)
    )
    axes.add_collection(
        LineCollection(
            segments([polygon.boundary]), colors=area_colour(area_id), linewidths=2.6, zorder=6
        )
    )
    if not land:
        _draw_homes(axes, data.homes(area_id), area_colour(area_id))
    draw_signs(axes, data.signs.loc[data.signs.intersects(view)])
    names = lines["name"].to_numpy()[keep]
    taken: list[BaseGeometry] = [_corner_boxes(bounds)]
    labels = _street_labels(
        names, inside[keep], ranges=_number_ranges(data, area_id, names), bounds=bounds,
        taken=taken,
    )  # fmt: skip
    inner = view.buffer(-0.05 * (bounds[2] - bounds[0]))
    for _, row in others.iterrows():
        visible = row.geometry.intersection(inner)
        if not visible.is_empty and visible.area > 0:
            point = visible.representative_point()
            labels.append(
                MapLabel(point.x, point.y, f"gebied {int(row['area_id'])}", 8, style="I", grey=True)
            )
    return MapPicture(
        render(figure), bounds, tuple(labels), credit="Kaartgegevens © OpenStreetMap-bijdragers"
    )


def _home_streets(
    data: PackData, area_id: int, lines: gpd.GeoDataFrame, view: BaseGeometry
) -> np.ndarray:
    """For an area without land: the streets its members live on, within the view."""
    names = {str(m["straat"]).strip() for m in data.members_of(area_id)}
    named = lines["name"].isin(names).to_numpy()
    pieces: np.ndarray = shapely.intersection(lines.geometry.to_numpy(), view)
    pieces[~named] = shapely.LineString()
    return pieces


def _draw_homes(axes: Any, homes: BaseGeometry, colour: str) -> None:
    """The building(s) an area's members live in, as dots in the area's colour."""
    points = shapely.get_coordinates(homes)
    axes.scatter(points[:, 0], points[:, 1], s=140, color=colour, ec="#333333", lw=1.2, zorder=7)


def _corner_boxes(bounds: Bounds) -> BaseGeometry:
    """Where the scale bar (bottom left) and north arrow (top right) go: no street names."""
    minx, miny, maxx, maxy = bounds
    width, height = maxx - minx, maxy - miny
    return shapely.union(
        shapely.box(minx, miny, minx + 0.3 * width, miny + 0.12 * height),
        shapely.box(maxx - 0.1 * width, maxy - 0.16 * height, maxx, maxy),
    )


LABEL_PT = 6.5


def _street_labels(
    names: np.ndarray,
    pieces: np.ndarray,
    *,
    ranges: dict[str, str],
    bounds: Bounds,
    taken: list[BaseGeometry],
) -> list[MapLabel]:
    """One label per named street inside the area, along its longest piece, never upside
    down, never over another label; a street whose label fits nowhere is left unnamed on the
    map (it is in the street list under it)."""
    by_name: dict[str, list[BaseGeometry]] = {}
    for name, piece in zip(names, pieces, strict=True):
        if name:
            by_name.setdefault(str(name), []).extend(
                line for line in shapely.get_parts(shapely.line_merge(piece))
                if line.geom_type == "LineString" and line.length > 0
            )  # fmt: skip
    per_mm = _metres_per_mm(bounds)
    view = shapely.box(*bounds)
    half_height = 0.5 * LABEL_PT * PT_MM * per_mm
    labels = []
    longest_first = sorted(
        ((sorted(lines, key=lambda line: -line.length), name) for name, lines in by_name.items() if lines),
        key=lambda item: (-item[0][0].length, item[1]),
    )  # fmt: skip
    for lines, name in longest_first:
        text = f"{name} ({ranges[name]})" if name in ranges else name
        half = text_width(text, LABEL_PT) / 2 * per_mm
        for line in lines[:3]:
            placed = _place(line, half, half_height, view, taken)
            if placed is not None:
                labels.append(MapLabel(placed[0], placed[1], text, LABEL_PT, placed[2]))
                break
    return labels


def _place(
    line: BaseGeometry, half: float, half_height: float, view: BaseGeometry,
    taken: list[BaseGeometry],
) -> tuple[float, float, float] | None:  # fmt: skip
    """(x, y, angle) of a label along ``line`` clear of the ``taken`` boxes (then taken too)."""
    for fraction in (0.5, 0.3, 0.7, 0.15, 0.85):
        along = fraction * line.length
        point = line.interpolate(along)
        before = line.interpolate(max(0.0, along - 5))
        after = line.interpolate(min(line.length, along + 5))
        angle = float(np.degrees(np.arctan2(after.y - before.y, after.x - before.x)))
        angle = angle - 180 if angle > 90 else angle + 180 if angle < -90 else angle
        box = _rotated_box(point.x, point.y, half, half_height, angle)
        if view.contains(box) and not any(box.intersects(other) for other in taken):
            taken.append(box)
            return point.x, point.y, angle
    return None


def _rotated_box(
    x: float, y: float, half_width: float, half_height: float, angle: float
) -> BaseGeometry:
    box = shapely.box(-half_width, -half_height, half_width, half_height)
    radians = np.radians(angle)
    cos, sin = float(np.cos(radians)), float(np.sin(radians))
    return shapely.affinity.affine_transform(box, [cos, -sin, sin, cos, x, y])


def _number_ranges(data: PackData, area_id: int, names: Iterable[str]) -> dict[str, str]:
    """House-number ranges of the streets the area holds part of (from its street list)."""
    ranges = {}
    known = {n for n in names if n}
    for entry in area_streets(data, area_id):
        for name in known:
            rest = entry[len(name) + 1 :]
            if entry.startswith(f"{name} ") and rest[:1].isdigit():
                ranges[name] = rest
    return ranges


def overview_map(data: PackData) -> MapPicture:
    """All areas with their numbers, the wijk boundary and the streets."""
    union = data.boundary.union_all()
    bounds = view_bounds(union, MAP_SIZE_IN[0] / MAP_SIZE_IN[1])
    figure, axes = blank_map(bounds, MAP_SIZE_IN, MAP_DPI)
    for area_id, polygon in zip(data.areas["area_id"], data.areas.geometry, strict=True):
        axes.add_artist(
            patch([polygon], fc=area_colour(area_id), alpha=0.35, ec="#333333", lw=0.8, zorder=1)
        )
    axes.add_collection(
        LineCollection(segments(data.streets.geometry), colors="#999999", linewidths=0.4, zorder=2)
    )
    axes.add_collection(
        LineCollection(segments(data.boundary.boundary), colors="black", linewidths=1.4, zorder=3)
    )
    draw_signs(axes, data.signs)
    ids = [int(a) for a in data.areas["area_id"]]
    labels = [
        MapLabel(point.x, point.y, str(area_id), 10, style="B")
        for area_id, point in zip(ids, data.areas.geometry.representative_point(), strict=True)
        if data.has_land(area_id)
    ]
    labels += _building_labels(data, [a for a in ids if not data.has_land(a)], axes, bounds)
    return MapPicture(
        render(figure), bounds, tuple(labels), credit="Kaartgegevens © OpenStreetMap-bijdragers"
    )


def _building_labels(
    data: PackData, landless: list[int], axes: Any, bounds: Bounds
) -> list[MapLabel]:
    """Areas without land on the overview: a dot at their building, their numbers above it."""
    at: dict[tuple[float, float], list[int]] = {}
    for area_id in landless:
        for x, y in shapely.get_coordinates(data.homes(area_id)):
            at.setdefault((float(x), float(y)), []).append(area_id)
    lift = 0.035 * (bounds[3] - bounds[1])
    labels = []
    for (x, y), areas in at.items():
        _draw_homes(axes, shapely.Point(x, y), area_colour(areas[0]))
        text = ", ".join(str(a) for a in sorted(set(areas)))
        labels.append(MapLabel(x, y + lift, f"{text} (gebouw)", 9, style="B"))
    return labels


# --- documents -----------------------------------------------------------------------------


def _footer(data: PackData) -> str:
    return f"BuurtWhatsApp {data.wijk_name} – vertrouwelijk: bevat persoonsgegevens"


def area_pdf(data: PackData, area_id: int, path: Path) -> Path:
    """The beheerder's A4 pack of one area (see the module's docstring)."""
    area = data.area(area_id)
    name, phone = beheerder_text(data, area_id)
    members = data.members_of(area_id)
    document = Document(f"Beheerderspakket gebied {area_id}", footer=_footer(data))
    document.add_page()
    document.title_block(
        f"Gebied {area_id}: {area['name'] or 'zonder naam'}",
        f"Beheerderspakket BuurtWhatsApp {data.wijk_name}. {PRIVACY}",
    )
    document.facts(
        [
            (
                "Beheerder",
                f"{name}, {phone}" if phone else f"{name}: het wijkplatform zoekt er een",
            ),
            *(
                [("Co-beheerders", "; ".join(f"{m['naam']}, {m['telefoon']}" for m in helpers))]
                if (helpers := co_beheerders(data, area_id))
                else []
            ),
            ("Naam van de groep", group_name(data, area_id)),
            ("Leden", f"{len(members)} (de groep heeft plaats voor 256 deelnemers)"),
            ("Huishoudens", _households_text(data, area_id, len(members))),
        ]
    )
    document.ln(1)
    document.map_picture(area_map(data, area_id), width=MAP_WIDTH_MM, height=MAP_HEIGHT_MM)
    document.paragraph(_map_caption(data, area_id), size=7.5)
    document.heading("Straten")
    streets = area_streets(data, area_id)
    document.paragraph(
        "; ".join(streets) if streets else "Geen straatnamen bekend voor dit gebied."
    )

    document.heading("Ledenlijst")
    if len(members):
        document.rows(
            ["Nr", "Naam", "Adres", "Telefoon", "Rol", "Opmerkingen"],
            [
                [str(n), str(m["naam"]), address_text(m), str(m["telefoon"]), role(m), remarks(m)]
                for n, m in enumerate(members, start=1)
            ],
            (5, 22, 33, 17, 13, 20),
        )
    else:
        document.paragraph("Dit gebied heeft nog geen leden.")

    document.heading("Buurgebieden en hun beheerders")
    document.paragraph("Via de beheerders staan de groepen met elkaar in contact.")
    around = neighbours(data, area_id)
    if around:
        rows = []
        for other in around:
            other_name, other_phone = beheerder_text(data, other)
            rows.append([str(other), str(data.area(other)["name"]), other_name, other_phone])
        document.rows(["Gebied", "Naam", "Beheerder", "Telefoon"], rows, (8, 40, 30, 22), size=8.5)
    else:
        document.paragraph(
            "Dit gebied heeft geen buurgebieden: het is het enige gebied in de wijk."
        )

    document.heading("Borden in en bij het gebied")
    document.paragraph(_signs_text(data, area_id))

    document.heading("Zo start u de groep", room=45)
    document.bullets(
        [
            step.format(
                vcf=path.with_suffix(".vcf").name, category=category(area_id),
                group=group_name(data, area_id),
            )
            for step in START_STEPS
        ]
    )  # fmt: skip
    document.heading("Spelregels van de BuurtWhatsApp", room=45)
    document.bullets(RULES)
    return document.save(path, private=True)


def _households_text(data: PackData, area_id: int, members: int) -> str:
    """The households of an area and the share that signed up, as far as known."""
    area = data.area(area_id)
    households, share = area["households"], area["participation_pct"]
    if not data.has_land(area_id):
        others = ", ".join(str(a) for a in data.sharing(area_id))
        also = f" dat ook leden heeft in gebied {others}" if others else ""
        return f"niet apart geteld: de leden wonen in één gebouw{also}"
    if pd.notna(households) and pd.notna(share):
        return (
            f"{int(households)}; {participation_text(share)} daarvan heeft zich aangemeld "
            f"({counted(members, 'aanmelding', 'aanmeldingen')})"
        )
    return "onbekend (geen adresregister)"


def _map_caption(data: PackData, area_id: int) -> str:
    """The words under an area's map: what its colours and marks mean."""
    rest = (
        "Stippellijn: de wijkgrens. Driehoekjes: voorgestelde borden (rood bij een hoofdingang, "
        "groen bij een fiets- of voetpad)."
    )
    if not data.has_land(area_id):
        return (
            f"Gebied {area_id} heeft geen eigen straten: de leden wonen in het gebouw met de "
            "gekleurde stip, waarvan de flats over meer groepen zijn verdeeld. Donker: de straat "
            f"van het gebouw. Grijs: de gebieden eromheen. {rest}"
        )
    return (
        f"Gebied {area_id} is gekleurd, met de straten erin donker en hun namen (met huisnummers "
        f"waar het gebied een deel van de straat heeft). Grijs: de buurgebieden. {rest}"
    )


def _signs_text(data: PackData, area_id: int) -> str:
    place = data.place(area_id)
    if place.is_empty:
        return "Er zijn geen borden voorgesteld in of vlak bij dit gebied."
    signs = data.signs.loc[data.signs.distance(place) <= NEAR_SIGN_M]
    if signs.empty:
        return "Er zijn geen borden voorgesteld in of vlak bij dit gebied."
    land = data.has_land(area_id)
    parts = []
    for _, sign in signs.sort_values("rank" if "rank" in signs else signs.geometry.name).iterrows():
        kind = "hoofdingang" if sign.get("kind") == "main" else "fiets- of voetpad"
        where = (
            "bij het gebouw"
            if not land
            else "in het gebied"
            if sign.geometry.within(place.buffer(1))
            else "net buiten het gebied"
        )
        street = str(sign.get("street") or "naamloze weg")
        parts.append(f"{street} ({kind}, {where})")
    return "; ".join(parts) + "."


def overview_pdf(data: PackData, path: Path) -> Path:
    """All areas with their beheerders, for the beheerders' own group."""
    document = Document(f"Overzicht beheerders {data.wijk_name}", footer=_footer(data))
    document.add_page()
    document.title_block(
        f"BuurtWhatsApp {data.wijk_name}: alle gebieden en hun beheerders",
        "Voor de beheerdersgroep: via de beheerders staan de afzonderlijke groepen met elkaar in "
        f"contact. {PRIVACY}",
    )
    document.map_picture(overview_map(data), width=MAP_WIDTH_MM, height=MAP_HEIGHT_MM)
    document.heading("Gebieden")
    rows = []
    for _, area in data.areas.sort_values("area_id").iterrows():
        area_id = int(area["area_id"])
        name, phone = beheerder_text(data, area_id)
        rows.append(
            [
                str(area_id), str(area["name"]), str(int(area["members"])), name, phone,
                ", ".join(str(n) for n in neighbours(data, area_id)) or "–",
            ]
        )  # fmt: skip
    document.rows(
        ["Gebied", "Naam", "Leden", "Beheerder", "Telefoon", "Buurgebieden"],
        rows,
        (8, 32, 8, 24, 18, 14),
    )
    missing = [int(a) for a in data.areas["area_id"] if data.beheerder(int(a)) is None]
    if missing:
        document.paragraph(
            f"Nog zonder beheerder: gebied {', '.join(map(str, missing))}. Het wijkplatform "
            "zoekt daar een beheerder; tot dan houdt de planner de groep bij.",
            bold=True,
        )
    document.heading("Spelregels van de BuurtWhatsApp", room=45)
    document.bullets(RULES)
    return document.save(path, private=True)


# --- the whole pack ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    """One file group of the pack, written in a worker process or in this one."""

    kind: str  # "overview", "area" (vCards + PDF) or "flyer"
    area_id: int = 0
    cost: float = 0.0  # a guess at the work, to hand out the big jobs first


@dataclass(frozen=True)
class _Settings:
    out: Path
    platform_email: str
    flyer_format: str


_WORKER_DATA: PackData | None = None


def _run_job(job: _Job, settings: _Settings) -> tuple[list[Path], int]:
    """Write one job's files; returns them and, for a flyer, the copies to print."""
    data = _WORKER_DATA
    assert data is not None
    folder = settings.out / BEHEERDERS_DIR
    if job.kind == "overview":
        return [overview_pdf(data, folder / OVERVIEW_FILE)], 0
    if job.kind == "area":
        return [
            write_vcards(member_contacts(data, job.area_id), folder / f"gebied-{job.area_id}.vcf"),
            area_pdf(data, job.area_id, folder / f"gebied-{job.area_id}.pdf"),
        ], 0
    path = settings.out / WERVING_DIR / f"gebied-{job.area_id}.pdf"
    group = data.open_streets.loc[data.open_streets["area_id"] == job.area_id]
    copies = flyer_pdf(
        path,
        wijk=data.wijk_name,
        area_label=f"gebied {job.area_id} ({data.area(job.area_id)['name']})",
        streets=[
            FlyerStreet(str(s), int(h))
            for s, h in zip(group["street"], group["households"], strict=True)
        ],
        platform_email=settings.platform_email,
        page_format=settings.flyer_format,
        whole_area=int(data.area(job.area_id)["members"]) < PUBLIC_MIN_MEMBERS,
    )
    return [path], copies


def _set_worker_data(data: PackData) -> None:
    global _WORKER_DATA  # noqa: PLW0603 - one plan per worker process, set once
    _WORKER_DATA = data


def _private_dir(path: Path) -> Path:
    with owner_only():
        ensure_dir(path)
    path.chmod(0o700)
    return path


def _clear_stale(folder: Path, keep: set[str], patterns: Sequence[str]) -> None:
    """Remove this tool's files of areas no longer in the plan (never other files)."""
    for pattern in patterns:
        for stale in folder.glob(pattern):
            if stale.name not in keep and stale.is_file():
                stale.unlink()


def build_pack(
    data: PackData,
    out: Path,
    *,
    platform_email: str = "",
    workers: int | None = None,
    flyer_format: str = DEFAULT_FLYER_FORMAT,
) -> PackReport:
    """Write the whole pack to ``out`` (see the module's docstring). ``workers`` processes
    share the files (default: two from :data:`PARALLEL_FROM_AREAS` areas on, where the cores
    allow); the files are the same with one worker or more.

    The pack is made in a new folder next to ``out`` and moved into place when complete: a
    pack that fails leaves ``out`` as it was (or not there at all).
    """
    platform_email = check_platform_email(platform_email)
    if flyer_format not in FLYER_FORMATS:
        msg = f"folderformaat {flyer_format!r}: kies A5 of A4"
        raise ConfigError(msg)
    staging = _staging_dir(out)
    try:
        report = _write_pack(data, staging, platform_email, workers, flyer_format)
        _publish(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    files = tuple(out / path.relative_to(staging) for path in report.files)
    return dataclasses.replace(report, out=out, files=files)


def _staging_dir(out: Path) -> Path:
    """A new owner-only folder next to ``out`` to make the pack in."""
    if out.exists() and not out.is_dir():
        msg = f"kan niet schrijven in {out}: dit is een bestand, geen map"
        raise OutputError(msg)
    with owner_only():
        parent = ensure_dir(out.parent)
    try:
        return Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    except OSError as error:
        raise cannot_write(out, error) from None


_PACK_FILES = {
    BEHEERDERS_DIR: ("gebied-*.vcf", "gebied-*.pdf", OVERVIEW_FILE, BEHEERDERS_VCF),
    WERVING_DIR: ("gebied-*.pdf",),
}


def _publish(staging: Path, out: Path) -> None:
    """Move a complete pack into ``out``: the folder itself when new, else file by file (the
    pack's files of areas no longer in the plan go; other files stay)."""
    try:
        if not out.exists():
            staging.rename(out)
            return
        for folder, patterns in _PACK_FILES.items():
            target = _private_dir(out / folder)
            made = sorted(path.name for path in (staging / folder).iterdir())
            _clear_stale(target, set(made), patterns)
            for name in made:
                (staging / folder / name).replace(target / name)
    except OSError as error:
        raise cannot_write(out, error) from None


def _write_pack(
    data: PackData, out: Path, platform_email: str, workers: int | None, flyer_format: str
) -> PackReport:
    """Every file of the pack, in the new folder ``out``."""
    beheerders = _private_dir(out / BEHEERDERS_DIR)
    _private_dir(out / WERVING_DIR)
    ids = [int(a) for a in data.areas["area_id"]]
    notes: list[str] = []
    flyer_areas = _flyer_areas(data, platform_email, notes)
    jobs = [
        _Job("overview", cost=float(len(ids))),
        *(_Job("area", a, cost=20.0 + len(data.members_of(a)) / 10) for a in ids),
        *(_Job("flyer", a, cost=5.0) for a in flyer_areas),
    ]
    settings = _Settings(out, platform_email, flyer_format)
    files: list[Path] = []
    flyers: dict[int, int] = {}
    for job, (written, copies) in zip(jobs, _run_jobs(data, jobs, settings, workers), strict=True):
        files.extend(written)
        if job.kind == "flyer":
            flyers[job.area_id] = copies
    chosen = beheerder_contacts(data)
    if chosen:
        files.append(write_vcards(chosen, beheerders / BEHEERDERS_VCF))
    else:
        notes.append("nog geen enkel gebied heeft een beheerder: beheerders.vcf is niet gemaakt")
    return PackReport(
        out=out,
        areas=len(ids),
        members=len(data.members),
        files=tuple(files),
        flyers=flyers,
        without_beheerder=tuple(a for a in ids if data.beheerder(a) is None),
        notes=tuple(notes),
    )


def _run_jobs(
    data: PackData, jobs: list[_Job], settings: _Settings, workers: int | None
) -> list[tuple[list[Path], int]]:
    """Every job's result, in the order of ``jobs`` (the big jobs are started first)."""
    if workers is None:
        areas = sum(job.kind == "area" for job in jobs)
        workers = min(2, os.cpu_count() or 1) if areas >= PARALLEL_FROM_AREAS else 1
    can_fork = (
        sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    )
    _set_worker_data(data)
    if workers <= 1 or len(jobs) < 2 or not can_fork:
        return [_run_job(job, settings) for job in jobs]
    order = sorted(range(len(jobs)), key=lambda n: -jobs[n].cost)
    context = multiprocessing.get_context("fork")  # the workers share the plan without copying
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        done = list(
            pool.map(_run_job, [jobs[n] for n in order], [settings] * len(jobs), chunksize=1)
        )
    results: list[tuple[list[Path], int]] = [([], 0)] * len(jobs)
    for n, result in zip(order, done, strict=True):
        results[n] = result
    return results


def _flyer_areas(data: PackData, platform_email: str, notes: list[str]) -> list[int]:
    """The areas with open streets (households, no sign-up), or none with a note why."""
    if not data.has_register:
        notes.append(
            "geen adresregister: niet bekend in welke straten nog niemand is aangemeld, dus "
            "geen wervingsfolders"
        )
        return []
    if not len(data.open_streets):
        notes.append(
            "in elke straat met huishoudens is al iemand aangemeld: geen wervingsfolders nodig"
        )
        return []
    if not platform_email:
        notes.append(
            "GEO_PLATFORM_EMAIL is niet ingesteld: de wervingsfolders hebben geen QR-code; stel "
            "het e-mailadres van het wijkplatform in en draai opnieuw"
        )
    return sorted({int(a) for a in data.open_streets["area_id"]})


def run_pack(
    out: Path, *, settings: Settings, plan_dir: Path | None = None, project: Path | None = None,
    workers: int | None = None, flyer_format: str = DEFAULT_FLYER_FORMAT,
) -> PackReport:  # fmt: skip
    """``python -m geo pack``: the pack of a plan folder or of a project's current plan."""
    if (plan_dir is None) == (project is None):
        msg = "geef een planmap (--plan MAP) of een project (--project P.sqlite), niet allebei"
        raise InputFileError(msg)
    source = plan_dir if plan_dir is not None else project
    refuse_overwrite([out], [source])
    platform_email = check_platform_email(settings.platform_email)
    if plan_dir is not None:
        data = data_from_plan(plan_dir)
    else:
        assert project is not None
        store = Store.open(project)
        try:
            data = data_from_project(store)
        finally:
            store.close()
    return build_pack(
        data, out, platform_email=platform_email, workers=workers, flyer_format=flyer_format
    )
