"""Coverage: how much of each area has signed up, and where nobody has yet.

Pure: GeoDataFrames in a metric CRS in, tables and lines out. Households are the addresses
of the register (residential BAG objects); without a register only members are known.

A household is an address (the register's match key of :mod:`geo.address` on street and full
house number, without the place; the postcode key where a street is missing), not
a point: a register may give a block of flats one point, and a family signs up with several
members at one address. Participation is the share of households with at least one member,
so it never exceeds 100%:

* members at one address are one signed-up household;
* a member at an address the register lacks is a household too (the register is incomplete);
  an address of the register without letter and addition, the only one at its number, is the
  building of the flats members give there (``12`` for ``12-1`` and ``12-3``): it adds no
  household of its own once they signed up;
* a register point without address counts as one household; members within
  :data:`SAME_SPOT_M` of such points (and not matched by address) sign up at most as many
  households as there are points at that spot;
* a signed-up household counts in the area of its members, the others where their point lies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.address import (
    HouseNumber,
    normalize_name,
    normalize_postcode,
    postcode_key,
    read_house_number,
    street_key,
)
from geo.partition import containing_area
from geo.units import fold_each

NEAR_CAP_SHARE = 0.9  # an area this full (of the cap) is reported as nearly full
SAME_SPOT_M = 1.0  # a member this close to a register point without address lives there
_Frame = TypeVar("_Frame", bound=pd.DataFrame)
_SPOT_DECIMALS = 1  # points without address at one spot: the same coordinates to 10 cm


def area_coverage(
    areas: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame | None,
    *,
    max_members: int,
) -> gpd.GeoDataFrame:
    """Per area: members, signed-up households, households, participation and whether nearly
    full.

    ``members`` counts people; ``signed_up_households`` the distinct addresses they live at;
    ``households`` the register's households of the area together with signed-up ones the
    register lacks (never fewer than ``signed_up_households``); ``participation_pct`` is
    signed-up households as a % of households (0-100). ``households`` and
    ``participation_pct`` are missing (NaN) without a register.
    """
    ids = areas["area_id"].to_numpy()
    counts = members["area_id"].value_counts()
    result = areas[["area_id", "name", "geometry"]].copy()
    result["members"] = [int(counts.get(a, 0)) for a in ids]
    signed, total = _households(areas, members, addresses)
    result["signed_up_households"] = signed
    result["households"] = np.nan if total is None else total
    with np.errstate(divide="ignore", invalid="ignore"):
        share = result["signed_up_households"] / result["households"].where(
            result["households"] > 0
        )
    result["participation_pct"] = (100 * share).round(1)
    result["near_cap"] = result["members"] >= NEAR_CAP_SHARE * max_members
    return result


def with_coverage(areas: _Frame, coverage: pd.DataFrame) -> _Frame:
    """``areas`` with the ``households`` and ``participation_pct`` of ``coverage`` (matched on
    ``area_id``), so what a planner reads next to the participation is its denominator
    (unknown without a register, where a plan counted 0).
    """
    figures = coverage.set_index("area_id").reindex(areas["area_id"])
    households = figures["households"].to_numpy(dtype=float)
    return areas.assign(
        households=pd.array(np.round(households), dtype="Int64"),
        participation_pct=figures["participation_pct"].to_numpy(),
    )


def _households(
    areas: gpd.GeoDataFrame, members: gpd.GeoDataFrame, addresses: gpd.GeoDataFrame | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Signed-up households and all households per area (positions as in ``areas``; all
    ``None`` without a register), counted as the module docstring describes."""
    register = None if addresses is None or addresses.empty else _Register.of(addresses)
    area = pd.Index(areas["area_id"]).get_indexer(members["area_id"])
    placed = np.flatnonzero(area >= 0)
    area = area[placed]
    home, building = _member_homes(members.iloc[placed], area, register)
    signed_up = pd.DataFrame({"area": area, "home": home}).drop_duplicates()
    signed = np.bincount(signed_up["area"].to_numpy(dtype=int), minlength=len(areas))
    if register is None:
        return signed, None
    holder = containing_area(addresses, areas)
    # The households nobody signed up for count in the area of their (first) point.
    others = pd.DataFrame({"home": register.home, "area": holder}).loc[holder >= 0]
    others = others.drop_duplicates("home")
    others = others.loc[~others["home"].isin(set(home) | set(building))]
    return signed, signed + np.bincount(others["area"].to_numpy(dtype=int), minlength=len(areas))


@dataclass(frozen=True)
class _Register:
    """The register's rows as households, and what members find theirs by.

    ``home``: each row's household, its address key (see :func:`_match_keys`); for a row
    without address ``"<spot>#<n>"``, the n-th point at its spot. ``by_key``: each key of a row
    to its household. ``buildings``: the key on the number alone of an address without letter
    and addition that is the register's only household at that number, to that household.
    ``spot_points`` and ``spots``: the points without address and their spots; ``points_at``:
    points per spot.
    """

    home: np.ndarray
    by_key: dict[str, str]
    buildings: dict[str, str]
    spot_points: np.ndarray
    spots: np.ndarray
    points_at: Counter[str]

    @classmethod
    def of(cls, addresses: gpd.GeoDataFrame) -> _Register:
        keys = _match_keys(addresses)
        home = keys["address"].to_numpy(dtype=object, copy=True)
        keyless = np.flatnonzero(home == "")
        spot_points = addresses.geometry.to_numpy()[keyless]
        spots = np.array(_spots_of(spot_points), dtype=object)
        points_at: Counter[str] = Counter()
        for row, spot in zip(keyless.tolist(), spots.tolist(), strict=True):
            home[row] = f"{spot}#{points_at[spot]}"
            points_at[spot] += 1
        both = [*home, *home]
        by_key: dict[str, str] = {}
        for key, household in zip([*keys["street"], *keys["postcode"]], both, strict=True):
            if key:
                by_key.setdefault(key, household)
        numbers = pd.DataFrame(
            {"loose": [*keys["street_loose"], *keys["postcode_loose"]], "home": both}
        )
        per_number = numbers.loc[numbers["loose"] != ""].groupby("loose")["home"].nunique()
        buildings = {
            loose: by_key[loose] for loose in per_number.index[per_number == 1] if loose in by_key
        }
        return cls(home, by_key, buildings, spot_points, spots, points_at)


def _member_homes(
    members: gpd.GeoDataFrame, area: np.ndarray, register: _Register | None
) -> tuple[np.ndarray, np.ndarray]:
    """Per member (in ``area``) the household they count as (members at one address share it)
    and the register's household of the building of their flat (``""`` if none)."""
    keys = _match_keys(members)
    own = keys["address"].to_numpy(dtype=object)
    home, building = own.copy(), np.full(len(members), "", dtype=object)
    points = members.geometry.to_numpy()
    if register is not None:
        found = _looked_up(register.by_key, keys["street"], keys["postcode"])
        home = np.where(found != "", found, own)  # the same address, however written
        flat = _looked_up(register.buildings, keys["street_loose"], keys["postcode_loose"])
        building = np.where(found == "", flat, "")
        lost = np.flatnonzero((found == "") & (building == ""))
        member, point = shapely.STRtree(register.spot_points).query_nearest(
            points[lost], max_distance=SAME_SPOT_M, all_matches=False
        )
        # At a spot without addresses the members of an area sign up at most as many households
        # as it has points; they take its points in turn (more than it has: extra households).
        homes_at: dict[tuple[str, int], dict[str, str]] = {}
        taken: Counter[str] = Counter()
        for i, spot in zip(lost[member].tolist(), register.spots[point].tolist(), strict=True):
            here, own_home = homes_at.setdefault((spot, area[i]), {}), own[i] or f"#{i}"
            if own_home not in here and len(here) < register.points_at[spot]:
                here[own_home] = f"{spot}#{taken[spot]}"
                taken[spot] += 1
            home[i] = here.get(own_home) or next(iter(here.values()))
    nowhere = np.flatnonzero(home == "")  # no address: one household per spot
    home[nowhere] = _spots_of(points[nowhere])
    return home, building


def _looked_up(table: dict[str, str], *keys: pd.Series) -> np.ndarray:
    """Per row the value in ``table`` of the first of its ``keys`` found there (``""`` if none)."""
    found = np.full(len(keys[0]), "", dtype=object)
    found[:] = [
        next((table[key] for key in row if key in table), "")
        for row in zip(*(column.tolist() for column in keys), strict=True)
    ]
    return found


def _match_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Per row the match keys of :func:`~geo.address.street_key` and
    :func:`~geo.address.postcode_key`, without the place (members often leave it out):
    ``street`` and ``postcode`` on the full house number, ``street_loose`` and
    ``postcode_loose`` on the number alone, ``""`` where not known; and ``address``, the
    street key or else the postcode key."""
    blank = pd.Series("", index=frame.index)
    texts = [
        frame.get(column, blank).fillna("").astype(str).tolist()
        for column in ("huisletter", "toevoeging", "straat", "postcode")
    ]
    keys = pd.DataFrame(
        [
            _keys_of(_house_number(number, letter, addition), street, postcode)
            for number, letter, addition, street, postcode in zip(
                frame.get("huisnummer", blank).tolist(), *texts, strict=True
            )
        ],
        columns=["street", "postcode", "street_loose", "postcode_loose"],
        dtype=object,
    )
    keys["address"] = keys["street"].where(keys["street"] != "", keys["postcode"])
    return keys


def _keys_of(house: HouseNumber | None, street: str, postcode: str) -> tuple[str, ...]:
    """The keys of :func:`_match_keys` of one row."""
    if house is None:
        return ("", "", "", "")
    bare = HouseNumber(house.number)
    named = normalize_name(street) != ""
    postcode = _postcode(postcode)
    return (
        street_key(street, house, "") if named else "",
        postcode_key(postcode, house) if postcode else "",
        street_key(street, bare, "") if named else "",
        postcode_key(postcode, bare) if postcode else "",
    )


# Registers repeat house numbers and postcodes many times: each is read once.
_house_number = lru_cache(maxsize=65_536)(read_house_number)


@lru_cache(maxsize=65_536)
def _postcode(text: str) -> str:
    """``text`` as a postcode ``"1234 AB"``; ``""`` if it is none."""
    try:
        return normalize_postcode(text)
    except ValueError:
        return ""


def _spots_of(points: np.ndarray) -> list[str]:
    """Each point's spot: its coordinates to :data:`_SPOT_DECIMALS` (``"@nan|nan"`` if none)."""
    xs = np.round(shapely.get_x(points), _SPOT_DECIMALS).tolist()
    ys = np.round(shapely.get_y(points), _SPOT_DECIMALS).tolist()
    return [f"@{x}|{y}" for x, y in zip(xs, ys, strict=True)]


def uncovered_streets(
    streets: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame | None,
    areas: gpd.GeoDataFrame,
    *,
    whole_areas: Collection[int] = (),
) -> gpd.GeoDataFrame:
    """Streets with households but nobody signed up yet, per area (where to go door to door).

    Returns one row per (area, street): ``area_id``, ``street``, ``households`` (distinct
    addresses as :func:`area_coverage` counts them, not register rows: an address listed twice
    is one household) and the street's lines inside that area. A street of an area is open
    while no member of that area gives it as their street; of ``whole_areas`` every street
    with households is listed. Empty without a register.
    """
    columns: dict[str, list[object]] = {"area_id": [], "street": [], "households": []}
    if addresses is None or addresses.empty:
        return gpd.GeoDataFrame(columns, geometry=[], crs=areas.crs)
    holder = containing_area(addresses, areas)
    streets_of_homes = addresses.get("straat", pd.Series("", index=addresses.index))
    streets_of_homes = streets_of_homes.fillna("").astype(str)
    homes = pd.DataFrame(
        {
            "area_id": areas["area_id"].to_numpy()[np.maximum(holder, 0)],
            "key": fold_each(streets_of_homes, normalize_name),
            "street": streets_of_homes.to_numpy(),
            "home": _Register.of(addresses).home,
        }
    ).loc[(holder >= 0) & (streets_of_homes != "").to_numpy()]
    signed = set(
        zip(
            members["area_id"].to_numpy(),
            fold_each(members.get("straat", pd.Series("", index=members.index)), normalize_name),
            strict=True,
        )
    )
    groups = homes.groupby(["area_id", "key"])
    per_street = pd.DataFrame(
        {"street": groups["street"].first(), "households": groups["home"].nunique()}
    )
    whole = {int(a) for a in whole_areas}
    listed = [pair not in signed or int(pair[0]) in whole for pair in per_street.index]
    empty = per_street.loc[listed].reset_index()
    lines = _street_lines(streets, empty, areas)
    result = gpd.GeoDataFrame(
        empty[["area_id", "street", "households"]], geometry=lines, crs=areas.crs
    )
    return result.sort_values(["area_id", "households"], ascending=[True, False], ignore_index=True)


def _street_lines(
    streets: gpd.GeoDataFrame, wanted: pd.DataFrame, areas: gpd.GeoDataFrame
) -> np.ndarray:
    """Per row of ``wanted`` (``area_id``, ``key``): the lines of the streets named ``key``
    (folded) inside that area, merged; ``None`` where there are none."""
    keys = fold_each(streets["name"], normalize_name)
    shapes = streets.geometry.to_numpy()
    rows: dict[str, list[int]] = {}
    for index, key in enumerate(keys.tolist()):
        rows.setdefault(key, []).append(index)
    merged = {
        key: shapely.union_all(shapes[rows[key]])
        for key in dict.fromkeys(wanted["key"].tolist())
        if key in rows
    }
    polygons = areas.set_index("area_id").geometry
    lines = np.asarray(
        shapely.intersection(
            np.array([merged.get(key) for key in wanted["key"].tolist()], dtype=object),
            np.array([polygons[a] for a in wanted["area_id"].tolist()], dtype=object),
        ),
        dtype=object,
    )
    lines[shapely.is_empty(lines)] = None
    return lines
