"""Beheerder packs: from a plan to working BuurtWhatsApp groups (``python -m geo pack``).

For every area the beheerder gets ``beheerders/gebied-N.vcf`` (the members as contacts, to add
them to the WhatsApp group) and ``beheerders/gebied-N.pdf`` (map with street names, street
list, roster, the neighbouring areas' beheerders, the rules); all beheerders together get
``beheerders/overzicht.pdf`` and ``beheerders/beheerders.vcf``. Streets with households but
nobody signed up get a recruitment flyer ``werving/gebied-N.pdf``.

Everything in a pack is personal data or sits next to it: files are written owner-only (0600)
in owner-only folders (0700). Maps are drawn with matplotlib in the wijk's metric CRS (a true
scale bar) and placed in A4 documents made with fpdf2 (see :mod:`geo.pdf`).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from PIL import Image
from shapely.geometry.base import BaseGeometry

from geo.address import HouseNumber
from geo.config import MAX_MEMBERS, Settings
from geo.errors import InputFileError
from geo.export import SIGNS_FILE, read_plan_folder
from geo.flyers import FlyerStreet, check_platform_email, flyer_pdf
from geo.map_drawing import HALO, decorate, draw_signs, patch, segments, view_bounds
from geo.maps import area_colour
from geo.outputs import ensure_dir, owner_only, refuse_overwrite
from geo.pdf import Document
from geo.sources import Wijk
from geo.store import Store, StoreError
from geo.vcards import Contact, phone_kind, write_vcards
from geo.workflow import coverage_layers, make_signs

BEHEERDERS_DIR = "beheerders"
WERVING_DIR = "werving"
OVERVIEW_FILE = "overzicht.pdf"
BEHEERDERS_VCF = "beheerders.vcf"
GROUP_NAME_MAX = 100  # WhatsApp's limit for a group's name
NEAR_SIGN_M = 100.0  # a sign this close to an area is "near" it
MAP_SIZE_IN = (7.0, 6.2)  # the area map on the page: 178 × 158 mm
MAP_DPI = 150
PARALLEL_FROM_AREAS = 8  # fewer areas are drawn in this process (a worker costs more)
NO_BEHEERDER = "nog geen beheerder"

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
    open_streets: gpd.GeoDataFrame  # area_id, street, households (streets nobody signed up on)
    has_register: bool
    _beheerders: dict[int, pd.Series] = field(default_factory=dict, repr=False)
    _areas: dict[int, pd.Series] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        chosen = self.members.loc[self.members["is_beheerder"].to_numpy(dtype=bool)]
        self._beheerders = {int(row["area_id"]): row for _, row in chosen.iterrows()}
        self._areas = {int(row["area_id"]): row for _, row in self.areas.iterrows()}

    def beheerder(self, area_id: int) -> pd.Series | None:
        """The beheerder's member row of an area, or ``None`` while it has none."""
        return self._beheerders.get(int(area_id))

    def area(self, area_id: int) -> pd.Series:
        """The area's row (id, name, streets, neighbours, counts, polygon)."""
        return self._areas[int(area_id)]

    def members_of(self, area_id: int) -> gpd.GeoDataFrame:
        """The members of an area: the beheerder first, then by street and house number."""
        mine = self.members.loc[self.members["area_id"] == area_id]
        order = mine.assign(
            _first=~mine["is_beheerder"].to_numpy(dtype=bool),
            _street=mine["straat"].fillna("").astype(str).str.casefold(),
            _number=pd.to_numeric(mine["huisnummer"], errors="coerce").fillna(0),
        ).sort_values(["_first", "_street", "_number", "naam"], kind="stable")
        return mine.loc[order.index]


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
) -> PackData:
    """Bring a plan's layers (any CRS) into the metric CRS with what the pack shows."""
    crs = wijk.crs
    members = members.loc[members["area_id"].notna()].copy()
    members["area_id"] = members["area_id"].astype(int)
    for column in ("naam", "telefoon", "email", "straat", "huisletter", "toevoeging", "postcode",
                   "woonplaats", "opmerking"):  # fmt: skip
        members[column] = members[column].fillna("").astype(str) if column in members else ""
    for column in ("is_beheerder", "beheerder"):
        flags = members[column] if column in members else pd.Series(False, index=members.index)
        members[column] = flags.fillna(False).astype(bool)
    coverage, open_streets = coverage_layers(wijk, areas, members, max_members=max_members)
    metric_areas = areas.to_crs(crs).reset_index(drop=True)
    metric_areas["area_id"] = metric_areas["area_id"].astype(int)
    metric_areas["members"] = coverage["members"].to_numpy()
    metric_areas["households"] = coverage["households"].to_numpy()
    metric_areas["participation_pct"] = coverage["participation_pct"].to_numpy()
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
    return pack_data(
        store.wijk(), plan.areas, plan.members, signs=None, max_members=store.max_members
    )


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
    number = pd.to_numeric(str(member.get("huisnummer", "")), errors="coerce")
    if pd.isna(number):
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
    if member["is_beheerder"]:
        return "beheerder"
    return "kandidaat co-beheerder" if member["beheerder"] else ""


def area_streets(data: PackData, area_id: int) -> list[str]:
    """The area's street list (with house-number ranges where it holds part of a street)."""
    text = str(data.area(area_id)["streets"])
    listed = [s.strip() for s in text.split(";") if s.strip()]
    if listed:
        return listed
    polygon = data.area(area_id).geometry
    inside = data.streets.loc[data.streets.intersects(polygon) & (data.streets["name"] != "")]
    return sorted(set(inside["name"]))


def neighbours(data: PackData, area_id: int) -> list[int]:
    text = str(data.area(area_id)["neighbours"])
    found = []
    for part in text.replace(";", ",").split(","):
        try:
            found.append(int(float(part)))
        except ValueError:
            continue
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
        for member in data.members_of(area_id).to_dict("records")
    ]


def beheerder_contacts(data: PackData) -> list[Contact]:
    """The beheerders of all areas, for the beheerders' own group."""
    contacts = []
    for area_id in data.areas["area_id"]:
        chosen = data.beheerder(int(area_id))
        if chosen is not None:
            contacts.append(
                _contact(
                    {str(k): v for k, v in chosen.items()},
                    note=f"Beheerder van {group_name(data, int(area_id))}",
                    categories=(BEHEERDERS_CATEGORY, category(int(area_id))),
                    role_text=f"Beheerder gebied {int(area_id)}",
                )
            )
    return contacts


# --- maps ----------------------------------------------------------------------------------


def _image(figure: Figure) -> Image.Image:
    """The figure drawn as an RGB image (no PNG round trip: fpdf2 compresses it once)."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # type: ignore[no-untyped-call]
    width, height = canvas.get_width_height()
    rgba = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    return Image.frombuffer("RGBA", (width, height), rgba).convert("RGB")


def area_map(data: PackData, area_id: int) -> Image.Image:
    """The area's map: its streets with names, the neighbouring areas, signs, scale and north."""
    polygon = data.area(area_id).geometry
    width_in, height_in = MAP_SIZE_IN
    bounds = view_bounds(polygon, width_in / height_in)
    view = shapely.box(*bounds)
    figure = Figure(figsize=MAP_SIZE_IN, dpi=MAP_DPI)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(bounds[0], bounds[2])
    axes.set_ylim(bounds[1], bounds[3])
    axes.set_aspect("equal")
    axes.set_axis_off()

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
    inside = shapely.intersection(lines.geometry.to_numpy(), polygon)
    keep = ~shapely.is_empty(inside)
    axes.add_collection(
        LineCollection(segments(inside[keep]), colors="#333333", linewidths=1.3, zorder=5)
    )
    axes.add_collection(
        LineCollection(
            segments([polygon.boundary]), colors=area_colour(area_id), linewidths=2.6, zorder=6
        )
    )
    names = lines["name"].to_numpy()[keep]
    _street_labels(
        axes, names, inside[keep], ranges=_number_ranges(data, area_id, names), bounds=bounds
    )
    for _, row in others.iterrows():
        visible = row.geometry.intersection(view.buffer(-0.05 * (bounds[2] - bounds[0])))
        if not visible.is_empty and visible.area > 0:
            point = visible.representative_point()
            axes.text(
                point.x, point.y, f"gebied {int(row['area_id'])}", fontsize=8, color="#555555",
                ha="center", va="center", style="italic", zorder=7, path_effects=HALO,
            )  # fmt: skip
    draw_signs(axes, data.signs.loc[data.signs.intersects(view)])
    decorate(axes, bounds)
    axes.text(
        0.01, 0.005, "Kaartgegevens © OpenStreetMap-bijdragers", transform=axes.transAxes,
        fontsize=6, color="#555555", zorder=9,
    )  # fmt: skip
    return _image(figure)


def _street_labels(
    axes: Any,
    names: np.ndarray,
    pieces: np.ndarray,
    *,
    ranges: dict[str, str],
    bounds: tuple[float, float, float, float],
) -> None:
    """One label per named street inside the area, along its longest piece, never upside down."""
    longest: dict[str, BaseGeometry] = {}
    for name, piece in zip(names, pieces, strict=True):
        if not name:
            continue
        for line in getattr(piece, "geoms", [piece]):
            if (
                line.geom_type == "LineString"
                and line.length > longest.get(name, shapely.Point()).length
            ):
                longest[name] = line
    placed: list[tuple[float, float]] = []
    spacing = 0.05 * (bounds[2] - bounds[0])
    for name, line in sorted(longest.items(), key=lambda item: -item[1].length):
        middle = line.interpolate(0.5, normalized=True)
        if any(np.hypot(middle.x - x, middle.y - y) < spacing for x, y in placed):
            continue
        before = line.interpolate(max(0.0, line.length / 2 - 5))
        after = line.interpolate(min(line.length, line.length / 2 + 5))
        angle = float(np.degrees(np.arctan2(after.y - before.y, after.x - before.x)))
        if angle > 90:
            angle -= 180
        elif angle < -90:
            angle += 180
        text = f"{name} ({ranges[name]})" if name in ranges else name
        axes.text(
            middle.x, middle.y, text, fontsize=6.5, rotation=angle, rotation_mode="anchor",
            ha="center", va="center", zorder=8, path_effects=HALO,
        )  # fmt: skip
        placed.append((middle.x, middle.y))


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


def overview_map(data: PackData) -> Image.Image:
    """All areas with their numbers, the wijk boundary and the streets."""
    union = data.boundary.union_all()
    width_in, height_in = MAP_SIZE_IN
    bounds = view_bounds(union, width_in / height_in)
    figure = Figure(figsize=MAP_SIZE_IN, dpi=MAP_DPI)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(bounds[0], bounds[2])
    axes.set_ylim(bounds[1], bounds[3])
    axes.set_aspect("equal")
    axes.set_axis_off()
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
    for _, row in data.areas.iterrows():
        point = row.geometry.representative_point()
        axes.text(
            point.x, point.y, str(int(row["area_id"])), fontsize=10, weight="bold",
            ha="center", va="center", zorder=5, path_effects=HALO,
        )  # fmt: skip
    draw_signs(axes, data.signs)
    decorate(axes, bounds)
    return _image(figure)


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
    households = area["households"]
    share = area["participation_pct"]
    document.facts(
        [
            (
                "Beheerder",
                f"{name}, {phone}" if phone else f"{name}: het wijkplatform zoekt er een",
            ),
            ("Naam van de groep", group_name(data, area_id)),
            ("Leden", f"{len(members)} (de groep heeft plaats voor 256 deelnemers)"),
            (
                "Huishoudens",
                f"{int(households)}; de {len(members)} aanmeldingen zijn {share:g}% daarvan"
                if pd.notna(households) and pd.notna(share)
                else "onbekend (geen adresregister)",
            ),
        ]
    )
    document.ln(1)
    document.picture(
        area_map(data, area_id),
        width=document.epw,
        height=document.epw / MAP_SIZE_IN[0] * MAP_SIZE_IN[1],
    )
    document.paragraph(
        f"Gebied {area_id} is gekleurd, met de straten erin donker en hun namen (met huisnummers "
        "waar het gebied een deel van de straat heeft). Grijs: de buurgebieden. Stippellijn: "
        "de wijkgrens. Driehoekjes: voorgestelde borden (rood bij een hoofdingang, groen bij "
        "een fiets- of voetpad).",
        size=7.5,
    )
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
                for n, m in enumerate(members.to_dict("records"), start=1)
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


def _signs_text(data: PackData, area_id: int) -> str:
    polygon = data.area(area_id).geometry
    signs = data.signs.loc[data.signs.distance(polygon) <= NEAR_SIGN_M]
    if signs.empty:
        return "Er zijn geen borden voorgesteld in of vlak bij dit gebied."
    parts = []
    for _, sign in signs.sort_values("rank" if "rank" in signs else signs.geometry.name).iterrows():
        kind = "hoofdingang" if sign.get("kind") == "main" else "fiets- of voetpad"
        where = (
            "in het gebied" if sign.geometry.within(polygon.buffer(1)) else "net buiten het gebied"
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
    document.picture(
        overview_map(data),
        width=document.epw,
        height=document.epw / MAP_SIZE_IN[0] * MAP_SIZE_IN[1],
    )
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

_WORKER_DATA: PackData | None = None
OVERVIEW_TASK = -1  # not an area id


def _area_files(area_id: int, out: Path) -> list[Path]:
    """Write one area's vCards and pack (in a worker process, or in this one);
    :data:`OVERVIEW_TASK` stands for the overview of all areas."""
    data = _WORKER_DATA
    assert data is not None
    folder = out / BEHEERDERS_DIR
    if area_id == OVERVIEW_TASK:
        return [overview_pdf(data, folder / OVERVIEW_FILE)]
    return [
        write_vcards(member_contacts(data, area_id), folder / f"gebied-{area_id}.vcf"),
        area_pdf(data, area_id, folder / f"gebied-{area_id}.pdf"),
    ]


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
    data: PackData, out: Path, *, platform_email: str = "", workers: int | None = None
) -> PackReport:
    """Write the whole pack to ``out`` (see the module's docstring)."""
    platform_email = check_platform_email(platform_email)
    with owner_only():
        ensure_dir(out)
    beheerders = _private_dir(out / BEHEERDERS_DIR)
    werving = _private_dir(out / WERVING_DIR)
    ids = [int(a) for a in data.areas["area_id"]]
    names = {f"gebied-{a}.{s}" for a in ids for s in ("vcf", "pdf")}
    _clear_stale(
        beheerders, names | {OVERVIEW_FILE, BEHEERDERS_VCF}, ["gebied-*.vcf", "gebied-*.pdf"]
    )
    files: list[Path] = []
    for written in _map_areas(data, [OVERVIEW_TASK, *ids], out, workers):
        files.extend(written)
    notes: list[str] = []
    chosen = beheerder_contacts(data)
    if chosen:
        files.append(write_vcards(chosen, beheerders / BEHEERDERS_VCF))
    else:
        (beheerders / BEHEERDERS_VCF).unlink(missing_ok=True)
        notes.append("nog geen enkel gebied heeft een beheerder: beheerders.vcf is niet gemaakt")
    flyers = _write_flyers(data, werving, platform_email, files, notes)
    return PackReport(
        out=out,
        areas=len(ids),
        members=len(data.members),
        files=tuple(files),
        flyers=flyers,
        without_beheerder=tuple(a for a in ids if data.beheerder(a) is None),
        notes=tuple(notes),
    )


def _map_areas(data: PackData, ids: list[int], out: Path, workers: int | None) -> list[list[Path]]:
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if len(ids) > PARALLEL_FROM_AREAS else 1
    can_fork = (
        sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    )
    _set_worker_data(data)
    if workers <= 1 or len(ids) < 2 or not can_fork:
        return [_area_files(a, out) for a in ids]
    context = multiprocessing.get_context("fork")  # the workers share the plan without copying
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_area_files, ids, [out] * len(ids), chunksize=1))


def _write_flyers(
    data: PackData, folder: Path, platform_email: str, files: list[Path], notes: list[str]
) -> dict[int, int]:
    open_streets = data.open_streets
    per_area = (
        {int(a): group for a, group in open_streets.groupby("area_id")} if len(open_streets) else {}
    )
    _clear_stale(folder, {f"gebied-{a}.pdf" for a in per_area}, ["gebied-*.pdf"])
    if not data.has_register:
        notes.append(
            "geen adresregister: niet bekend in welke straten nog niemand is aangemeld, dus "
            "geen wervingsfolders"
        )
        return {}
    if not per_area:
        notes.append(
            "in elke straat met huishoudens is al iemand aangemeld: geen wervingsfolders nodig"
        )
        return {}
    if not platform_email:
        notes.append(
            "GEO_PLATFORM_EMAIL is niet ingesteld: de wervingsfolders hebben geen QR-code; stel "
            "het e-mailadres van het wijkplatform in en draai opnieuw"
        )
    copies = {}
    for area_id, group in sorted(per_area.items()):
        path = folder / f"gebied-{area_id}.pdf"
        copies[area_id] = flyer_pdf(
            path,
            wijk=data.wijk_name,
            area_label=f"gebied {area_id} ({data.area(area_id)['name']})",
            streets=[
                FlyerStreet(str(s), int(h))
                for s, h in zip(group["street"], group["households"], strict=True)
            ],
            platform_email=platform_email,
        )
        files.append(path)
    return copies


def run_pack(
    out: Path, *, settings: Settings, plan_dir: Path | None = None, project: Path | None = None,
    workers: int | None = None,
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
    return build_pack(data, out, platform_email=platform_email, workers=workers)
