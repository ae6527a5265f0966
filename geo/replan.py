"""A re-plan as a proposal: new areas matched to the current ones, and what would change.

Pure: plans in, a plan and its differences out; nothing is saved here (see
:func:`geo.project.propose_replan` and :func:`geo.project.confirm_replan`).

Groups are real WhatsApp groups, so a re-plan keeps what it can. The fresh plan's areas are
matched to the current ones by their shared members: an assignment problem on the overlap
matrix, solved exactly as a maximum-weight matching in the bipartite graph of old and new areas
(networkx; weights are the members that stay together).
A matched area keeps the current area's id, name and, while they are still in it, its
beheerder; an unmatched one gets a new id and a name no other area has. Locked areas are not
re-planned at all: the fresh plan covers only the rest of the wijk, and locked areas are put
back unchanged.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd

from geo.partition import AREA_COLUMNS, Plan, area_neighbours, containing_area, unique_names


@dataclass(frozen=True)
class Changes:
    """What a proposal changes, keyed by store ids (no personal data).

    ``moves``: member_id, from_area, from_name, to_area, to_name (``from_area`` is missing
    for someone placed for the first time, ``to_area`` for someone left without an area);
    ``beheerders``: area_id, name, old and new beheerder (member ids, missing when vacant);
    ``gone`` and ``new``: area_id, name, members.
    """

    moves: pd.DataFrame
    beheerders: pd.DataFrame
    gone: pd.DataFrame
    new: pd.DataFrame

    @property
    def empty(self) -> bool:
        return not (len(self.moves) or len(self.beheerders) or len(self.gone) or len(self.new))


@dataclass(frozen=True)
class Proposal:
    """A plan that is not saved yet, its changes against the current plan, and the settings."""

    plan: Plan
    changes: Changes
    max_members: int
    fill: float
    base: int = 0  # the last history entry when the proposal was made (stale after a change)
    notes: list[str] = field(default_factory=list)


def match_areas(old: pd.Series, new: pd.Series) -> dict[int, int]:
    """New area → current area, so that as many members as possible stay together.

    ``old`` and ``new`` give each member's area (index: member id). Only pairs that share at
    least one member are matched; every area is matched at most once.
    """
    common = old.index.intersection(new.index)
    if common.empty:
        return {}
    pairs = pd.DataFrame({"new": new.loc[common].to_numpy(), "old": old.loc[common].to_numpy()})
    shared = pairs.groupby(["new", "old"]).size().reset_index(name="count")
    graph: nx.Graph[tuple[str, int]] = nx.Graph()
    for new_area, old_area, count in shared.itertuples(index=False):
        graph.add_edge(("new", int(new_area)), ("old", int(old_area)), weight=int(count))
    matching = nx.max_weight_matching(graph)
    return {
        int(a[1] if a[0] == "new" else b[1]): int(b[1] if a[0] == "new" else a[1])
        for a, b in matching
    }


def reconcile(
    current: Plan, fresh: Plan, *, locked: Collection[int] = (), max_members: int
) -> Plan:
    """The proposed plan: locked areas of ``current`` as they are, plus ``fresh`` (a plan of the
    rest of the wijk, members keyed by ``member_id``) matched to the other current areas.

    Both plans must be in the same CRS. Members of ``fresh.outside`` that lie in a locked area
    join it; the others stay outside. The proposal carries no figures: ``fresh.metrics``
    describe part of the wijk under other area numbers (measure the proposal itself).
    """
    locked = {int(a) for a in locked}
    is_locked = current.areas["area_id"].astype(int).isin(locked).to_numpy()
    kept_areas = current.areas.loc[is_locked]
    in_locked = current.members["area_id"].astype(int).isin(locked).to_numpy()
    kept_members = pd.DataFrame(current.members.loc[in_locked])
    old = current.members.loc[~in_locked].set_index("member_id")["area_id"].astype(int)
    new = fresh.members.set_index("member_id")["area_id"].astype(int)
    matched = match_areas(old, new)
    next_id = int(current.areas["area_id"].max()) + 1 if len(current.areas) else 1
    unmatched = sorted(int(a) for a in fresh.areas["area_id"] if int(a) not in matched)
    renumber = {**matched, **{a: next_id + i for i, a in enumerate(unmatched)}}

    areas = fresh.areas.copy()
    areas["area_id"] = areas["area_id"].astype(int).map(renumber)
    members = pd.DataFrame(fresh.members).copy()
    members["area_id"] = members["area_id"].astype(int).map(renumber)
    members["is_beheerder"] = members["is_beheerder"].fillna(False).astype(bool)
    old_beheerders = _beheerders(current.members)
    for area_id in matched.values():
        chosen = old_beheerders.get(area_id)
        in_area = members["area_id"].to_numpy() == area_id
        if chosen is not None and chosen in set(members.loc[in_area, "member_id"].astype(int)):
            members.loc[in_area, "is_beheerder"] = (
                members.loc[in_area, "member_id"].astype(int) == chosen
            ).to_numpy()

    columns = [c for c in AREA_COLUMNS if c in areas.columns]
    together = pd.concat([kept_areas[columns], areas[columns]], ignore_index=True)
    together = together.sort_values("area_id", ignore_index=True)
    old_names = dict(
        zip(current.areas["area_id"].astype(int), current.areas["name"].astype(str), strict=True)
    )
    keep = {int(a): old_names[int(a)] for a in [*matched.values(), *kept_areas["area_id"]]}
    fresh_names = dict(zip(areas["area_id"].astype(int), areas["name"].astype(str), strict=True))
    ids = together["area_id"].astype(int).tolist()
    bases = [fresh_names.get(a) or old_names.get(a) or f"Gebied {a}" for a in ids]
    together["name"] = unique_names(ids, bases, keep)
    together = gpd.GeoDataFrame(together, geometry="geometry", crs=current.areas.crs)

    outside = fresh.outside
    if len(outside) and len(kept_areas):
        position = containing_area(outside, kept_areas)
        polygons = kept_areas.geometry.to_numpy()[position]
        inside = outside.geometry.within(gpd.GeoSeries(polygons, index=outside.index)).to_numpy()
        joining = pd.DataFrame(outside.loc[inside]).assign(
            area_id=kept_areas["area_id"].astype(int).to_numpy()[position[inside]],
            is_beheerder=False,
        )
        members = pd.concat([members, joining], ignore_index=True)
        outside = outside.loc[~inside]
    members = pd.concat([kept_members, members], ignore_index=True)
    members["area_id"] = members["area_id"].astype(int)
    members["is_beheerder"] = members["is_beheerder"].fillna(False).astype(bool)
    members = gpd.GeoDataFrame(members, geometry="geometry", crs=current.members.crs)

    counts = members["area_id"].value_counts()
    together["members"] = [int(counts.get(a, 0)) for a in together["area_id"]]
    together["capacity_left"] = max_members - together["members"]
    with_beheerder = set(members.loc[members["is_beheerder"], "area_id"].astype(int))
    together["beheerder_needed"] = [int(a) not in with_beheerder for a in together["area_id"]]
    together["neighbours"] = area_neighbours(together)
    return Plan(areas=together, members=members, outside=outside)


def diff(current: Plan, proposed: Plan) -> Changes:
    """What ``proposed`` changes for the members, beheerders and areas of ``current``."""
    old = current.members.set_index("member_id")["area_id"].astype(int)
    new = proposed.members.set_index("member_id")["area_id"].astype(int)
    old_names = _names(current.areas)
    new_names = _names(proposed.areas)
    both = pd.concat([old.rename("from_area"), new.rename("to_area")], axis=1).astype("Int64")
    moved = both.loc[both["from_area"].ne(both["to_area"]).fillna(True)]
    moves = moved.rename_axis("member_id").reset_index()
    moves.insert(2, "from_name", [_name(old_names, a) for a in moves["from_area"]])
    moves["to_name"] = [_name(new_names, a) for a in moves["to_area"]]
    moves = moves.sort_values(["from_area", "to_area", "member_id"], ignore_index=True)

    old_beheerders, new_beheerders = _beheerders(current.members), _beheerders(proposed.members)
    rows = [
        {
            "area_id": a,
            "name": new_names[a],
            "old": old_beheerders.get(a),
            "new": new_beheerders.get(a),
        }
        for a in sorted(set(old_names) & set(new_names))
        if old_beheerders.get(a) != new_beheerders.get(a)
    ]
    beheerders = pd.DataFrame(rows, columns=["area_id", "name", "old", "new"]).astype(
        {"old": "Int64", "new": "Int64"}
    )
    old_counts, new_counts = old.value_counts(), new.value_counts()
    gone = pd.DataFrame(
        [
            {"area_id": a, "name": old_names[a], "members": int(old_counts.get(a, 0))}
            for a in sorted(set(old_names) - set(new_names))
        ],
        columns=["area_id", "name", "members"],
    )
    fresh = pd.DataFrame(
        [
            {"area_id": a, "name": new_names[a], "members": int(new_counts.get(a, 0))}
            for a in sorted(set(new_names) - set(old_names))
        ],
        columns=["area_id", "name", "members"],
    )
    return Changes(moves=moves, beheerders=beheerders, gone=gone, new=fresh)


def _beheerders(members: pd.DataFrame) -> dict[int, int]:
    """Per area, the member id of its beheerder."""
    chosen = members.loc[members["is_beheerder"].fillna(False).astype(bool).to_numpy()]
    return dict(zip(chosen["area_id"].astype(int), chosen["member_id"].astype(int), strict=True))


def _names(areas: pd.DataFrame) -> dict[int, str]:
    return dict(zip(areas["area_id"].astype(int), areas["name"].astype(str), strict=True))


def _name(names: Mapping[int, str], area: Any) -> str:
    return "" if pd.isna(area) else names.get(int(area), "")
