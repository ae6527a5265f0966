"""A planner's hand edits to a plan: move a street (or a house-number range) to a neighbouring area.

Pure: a :class:`~geo.partition.Plan` in a metric CRS in, a new plan out. Every rule of a good
plan is checked before anything changes, and a refused move says which rule in Dutch: the
receiving area must border the street, stay under the cap and stay one piece; the giving area
must keep members and stay one piece. The land of the street goes along, so the areas still tile
the wijk and future sign-ups on that street land in the new area too.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.address import normalize_name
from geo.partition import (
    Plan,
    PlanError,
    area_neighbours,
    choose_beheerder,
    known_households,
    label_areas,
    names_by_id,
    tidy_areas,
)
from geo.units import build_units
from geo.wording import counted


def move_street(
    plan: Plan,
    *,
    street: str,
    to_area: int,
    streets: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame | None = None,
    max_members: int = 255,
    numbers: tuple[int, int] | None = None,
) -> tuple[Plan, int]:
    """Move the members and land of ``street`` (optionally house numbers ``numbers``, inclusive)
    to area ``to_area``. Returns the new plan and how many members moved; raises
    :class:`~geo.partition.PlanError` with the reason when a rule would break."""
    members = plan.members
    on_street = _on_street(members, street, numbers)
    if not on_street.any():
        what = f"{street} {numbers[0]}–{numbers[1]}" if numbers else street
        msg = f"er staan geen leden op {what}"
        raise PlanError(msg)
    sources = set(members.loc[on_street, "area_id"].astype(int))
    if len(sources) > 1:
        msg = f"{street} ligt in de gebieden {', '.join(map(str, sorted(sources)))}; kies een huisnummerreeks in één gebied"
        raise PlanError(msg)
    from_area = sources.pop()
    if from_area == to_area:
        msg = f"{street} ligt al in gebied {to_area}"
        raise PlanError(msg)
    areas = plan.areas.set_index("area_id")
    if to_area not in areas.index:
        msg = f"gebied {to_area} bestaat niet"
        raise PlanError(msg)
    neighbours = {int(n) for n in str(areas.loc[from_area, "neighbours"]).split(",") if n}
    if to_area not in neighbours:
        msg = f"gebied {to_area} grenst niet aan gebied {from_area}, waar {street} nu ligt"
        raise PlanError(msg)
    land, moving = _street_land(plan, from_area, on_street, streets, addresses)
    arriving = int((members["area_id"] == to_area).sum()) + int(moving.sum())
    if arriving > max_members:
        msg = (
            f"gebied {to_area} zou {counted(arriving, 'lid', 'leden')} krijgen, meer dan het "
            f"maximum van {max_members}"
        )
        raise PlanError(msg)
    if int((members["area_id"] == from_area).sum()) == int(moving.sum()):
        msg = f"gebied {from_area} zou leeg raken; verplaats liever de andere straten"
        raise PlanError(msg)
    giver = areas.geometry[from_area].difference(land)
    taker = areas.geometry[to_area].union(land)
    updated = _apply(
        plan,
        moving,
        land,
        giver,
        taker,
        from_area=from_area,
        to_area=to_area,
        street=street,
        max_members=max_members,
        addresses=addresses,
    )
    updated.areas = label_areas(
        updated.areas, streets, addresses, keep_names=names_by_id(plan.areas)
    )
    return updated, int(moving.sum())


def _on_street(
    members: gpd.GeoDataFrame, street: str, numbers: tuple[int, int] | None
) -> np.ndarray:
    names = members["straat"].fillna("").astype(str).map(normalize_name).to_numpy()
    chosen = names == normalize_name(street)
    if numbers is not None:
        house = pd.to_numeric(members["huisnummer"], errors="coerce").to_numpy(dtype=float)
        chosen &= (house >= numbers[0]) & (house <= numbers[1])
    return np.asarray(chosen)


def _street_land(
    plan: Plan,
    from_area: int,
    on_street: np.ndarray,
    streets: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame | None,
) -> tuple[BaseGeometry, np.ndarray]:
    """The land that goes with the street (its units in the giving area) and who moves with it.

    Members who share a unit with the chosen ones move too: a unit is both sides of one street
    segment, and neighbours across the street stay together.
    """
    polygon = plan.areas.set_index("area_id").geometry[from_area]
    in_area = np.flatnonzero(plan.members["area_id"].to_numpy() == from_area)
    people = plan.members.iloc[in_area].reset_index(drop=True)
    homes = (
        addresses.loc[addresses.within(polygon)].reset_index(drop=True)
        if addresses is not None
        else None
    )
    units = build_units(polygon, streets, people, homes, max_weight=len(people) + 1)
    chosen_units = set(units.member_unit[on_street[in_area]].tolist())
    land = shapely.union_all(units.frame.geometry.to_numpy()[sorted(chosen_units)])
    moving = np.zeros(len(plan.members), dtype=bool)
    moving[in_area[np.isin(units.member_unit, sorted(chosen_units))]] = True
    return land, moving


def _check(
    giver: BaseGeometry, taker: BaseGeometry, *, from_area: int, to_area: int, street: str
) -> None:
    """Both areas must be one valid polygon after the move (loose slivers already joined)."""
    if giver.is_empty or giver.geom_type != "Polygon" or not giver.is_valid:
        msg = f"gebied {from_area} zou zonder {street} in stukken vallen"
        raise PlanError(msg)
    if taker.geom_type != "Polygon" or not taker.is_valid:
        msg = f"{street} grenst niet aan gebied {to_area}: het gebied zou uit losse stukken bestaan"
        raise PlanError(msg)


def _apply(
    plan: Plan,
    moving: np.ndarray,
    land: BaseGeometry,
    giver: BaseGeometry,
    taker: BaseGeometry,
    *,
    from_area: int,
    to_area: int,
    street: str,
    max_members: int,
    addresses: gpd.GeoDataFrame | None,
) -> Plan:
    """The plan after the move, or :class:`PlanError` if either area would not be one polygon.

    Slivers the cut leaves behind join whichever of the two areas they share the longest
    border with; nothing outside the two areas changes.
    """
    members = plan.members.copy()
    was_beheerder = members["is_beheerder"].to_numpy(dtype=bool) & moving
    members.loc[moving, "area_id"] = to_area
    members.loc[moving, "is_beheerder"] = False
    areas = plan.areas.copy()
    index = areas.set_index("area_id").index
    geometry = areas.geometry.to_numpy().copy()
    geometry[index == from_area] = giver
    geometry[index == to_area] = taker
    areas = areas.set_geometry(gpd.GeoSeries(geometry, index=areas.index, crs=areas.crs))
    households = known_households(areas)
    if households is not None and addresses is not None and not addresses.empty:
        carried = int(shapely.intersects(land, addresses.geometry.to_numpy()).sum())
        households[index == from_area] -= carried
        households[index == to_area] += carried
        areas["households"] = households
    pair = index.isin([from_area, to_area])
    tidy, members = tidy_areas(
        areas.loc[pair], members, addresses, max_members=max_members, movable=()
    )
    _check(
        tidy.set_index("area_id").geometry[from_area],
        tidy.set_index("area_id").geometry[to_area],
        from_area=from_area,
        to_area=to_area,
        street=street,
    )
    areas.loc[pair, "geometry"] = tidy.geometry.to_numpy()
    if "households" in tidy:
        areas.loc[pair, "households"] = tidy["households"].to_numpy()
    if was_beheerder.any():  # the giving area needs a new beheerder
        chosen = choose_beheerder(members.loc[members["area_id"] == from_area])
        if chosen is not None:
            members.loc[chosen, "is_beheerder"] = True
        areas.loc[index == from_area, "beheerder_needed"] = chosen is None
    counts = members["area_id"].value_counts()
    areas["members"] = [int(counts.get(a, 0)) for a in areas["area_id"]]
    areas["capacity_left"] = max_members - areas["members"]
    areas["neighbours"] = area_neighbours(areas)
    return Plan(
        areas=gpd.GeoDataFrame(areas, geometry="geometry", crs=plan.areas.crs),
        members=members,
        outside=plan.outside,
    )
