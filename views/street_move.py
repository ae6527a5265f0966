"""The form "Een straat verplaatsen": an area first, then one of its streets, then a neighbour.

Nothing is saved until the planner has seen a preview (who moves, the target's new count and
room left under the cap) and confirmed it. The preview runs the checked move
(:func:`geo.edit.move_street`, as :func:`geo.project.move_street_in_project` does), so a move
that breaks a rule (over the cap, not a neighbour, an area falling apart) is refused in Dutch
before anything is saved; the confirmed preview is saved as it was shown, not computed again
(on real streets a move takes seconds). A preview made before another change, or for another
choice, is not offered.

Used by the Gebieden page: ``street_move_form(store)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo.address import normalize_name
from geo.errors import GeoError
from geo.partition import Plan
from geo.project import StreetMove, confirm_street_move, propose_street_move
from geo.rosters import neighbour_ids
from geo.store import Store
from geo.wording import counted, noun
from views.common import CHOOSE, action_key, changed, md, refresh_labels, wijk_of

PREVIEW = "straatvoorbeeld"


@dataclass(frozen=True)
class Choice:
    """What the planner chose: street ``street`` (house numbers ``numbers``) from an area to
    another."""

    from_area: int
    street: str
    numbers: tuple[int, int] | None
    to_area: int


@dataclass(frozen=True)
class Preview:
    """What saving ``choice`` would do, computed on the project as it was at ``change``."""

    choice: Choice
    move: StreetMove  # the move itself, saved as it is when confirmed
    moving: pd.DataFrame  # naam, straat, huisnummer, rol of the members that change group
    moved: int
    target_members: int
    target_room: int
    source_members: int
    beheerder_note: str


def area_streets(members: pd.DataFrame, area_id: int) -> dict[str, int]:
    """The streets of an area with members on them: one spelling per street (the most common;
    ``Laan`` and ``laan`` are one street), with the number of members, sorted by name."""
    mine = members.loc[members["area_id"] == area_id, "straat"].dropna().astype(str).str.strip()
    mine = mine.loc[mine != ""]
    found: dict[str, int] = {}
    for _key, spellings in mine.groupby(mine.map(normalize_name)):
        counts = spellings.value_counts()
        # the most common spelling; on a tie one in mixed case ("Laan", not "LAAN" or "laan")
        best = min(counts.index, key=lambda s: (-counts[s], s.isupper() or s.islower(), s))
        found[best] = int(counts.sum())
    return dict(sorted(found.items(), key=lambda item: item[0].casefold()))


def house_range(members: pd.DataFrame, street: str, area_id: int) -> tuple[int, int] | None:
    """When ``street`` also lies in other areas: the house numbers of its part in ``area_id``,
    if that range holds nobody from the other areas; ``None`` otherwise (the whole street)."""
    same = members["straat"].fillna("").astype(str).map(normalize_name) == normalize_name(street)
    on_street = members.loc[same]
    if set(on_street["area_id"].astype(int)) <= {area_id}:
        return None
    numbers = pd.to_numeric(on_street["huisnummer"], errors="coerce")
    mine = numbers.loc[on_street["area_id"] == area_id].dropna()
    if mine.empty:
        return None
    low, high = int(mine.min()), int(mine.max())
    others = numbers.loc[on_street["area_id"] != area_id]
    if ((others >= low) & (others <= high)).any():
        return None
    return low, high


def other_areas(members: pd.DataFrame, street: str, area_id: int) -> list[int]:
    """The other areas with members on ``street``."""
    same = members["straat"].fillna("").astype(str).map(normalize_name) == normalize_name(street)
    return sorted({int(a) for a in members.loc[same, "area_id"]} - {area_id})


def preview_move(store: Store, choice: Choice) -> Preview:
    """Run the move on a copy of the plan (nothing is saved); :class:`GeoError` if refused."""
    move = propose_street_move(
        store,
        street=choice.street,
        to_area=choice.to_area,
        numbers=choice.numbers,
        wijk=wijk_of(store),
    )
    updated = move.updated
    before = move.before.members.set_index("member_id")
    after = updated.members.set_index("member_id").reindex(before.index)
    going = before.loc[after["area_id"] != before["area_id"]]
    co = {i for ids in store.co_beheerders().values() for i in ids}
    role = [
        "hoofdbeheerder" if bool(b) else "co-beheerder" if int(i) in co else "lid"
        for i, b in zip(going.index, going["is_beheerder"], strict=True)
    ]
    moving = pd.DataFrame(
        {
            "naam": going["naam"].to_numpy(),
            "straat": going["straat"].to_numpy(),
            "huisnummer": pd.to_numeric(going["huisnummer"], errors="coerce")
            .astype("Int64")
            .to_numpy(),
            "rol": role,
        }
    ).sort_values(["straat", "huisnummer", "naam"], kind="stable")
    counts = updated.members["area_id"].value_counts()
    target = int(counts.get(choice.to_area, 0))
    note = ""
    if "hoofdbeheerder" in role:
        heir = updated.members.loc[
            (updated.members["area_id"] == choice.from_area)
            & updated.members["is_beheerder"].astype(bool)
        ]
        note = (
            f"De hoofdbeheerder van gebied {choice.from_area} gaat mee naar gebied "
            f"{choice.to_area} (als lid); "
            + (
                f"{md(heir['naam'].iloc[0])} wordt hoofdbeheerder van gebied {choice.from_area}."
                if len(heir)
                else f"gebied {choice.from_area} heeft daarna geen hoofdbeheerder (vacature)."
            )
        )
    if "co-beheerder" in role:
        note += " Co-beheerders die meegaan zijn daarna geen co-beheerder meer."
    return Preview(
        choice=choice,
        move=move,
        moving=moving.reset_index(drop=True),
        moved=move.moved,
        target_members=target,
        target_room=store.max_members - target,
        source_members=int(counts.get(choice.from_area, 0)),
        beheerder_note=note.strip(),
    )


def show_preview(preview: Preview, names: dict[int, str]) -> None:
    """What saving would change (nothing is saved here)."""
    choice = preview.choice
    what = md(choice.street) + (
        f" (huisnummer {numbers_text(choice.numbers)})" if choice.numbers else ""
    )
    st.warning(
        f"**Voorbeeld**, nog niet opgeslagen: {count_text(preview.moved)} van {what} "
        f"{noun(preview.moved, 'gaat', 'gaan')} van "
        f"gebied {choice.from_area} ({md(names.get(choice.from_area, ''))}) naar gebied "
        f"{choice.to_area} ({md(names.get(choice.to_area, ''))}). Gebied {choice.to_area} krijgt "
        f"dan {count_text(preview.target_members)} "
        f"({counted(preview.target_room, 'plaats', 'plaatsen')} over); "
        f"gebied {choice.from_area} houdt {count_text(preview.source_members)}."
    )
    if preview.beheerder_note:
        st.info(preview.beheerder_note)
    st.dataframe(preview.moving, key="verplaats_leden", hide_index=True, width="stretch")


def count_text(count: int) -> str:
    """``1 lid``, ``2 leden``."""
    return counted(count, "lid", "leden")


def numbers_text(numbers: tuple[int, int]) -> str:
    """``12–40``, or ``12`` for one house number."""
    return str(numbers[0]) if numbers[0] == numbers[1] else f"{numbers[0]}–{numbers[1]}"


def street_move_form(store: Store) -> None:
    """The street-move form with preview and confirmation, for the Gebieden page; the cap
    that counts is the project's own (``store.max_members``), the same one saving checks."""
    st.subheader("Een straat verplaatsen")
    st.caption(
        "Kies eerst het gebied, dan een straat daarin en het buurgebied waar die straat heen "
        "gaat. U ziet eerst wie er verhuist; er verandert niets tot u bevestigt."
    )
    plan = store.plan()
    if plan is None:
        st.info("Nog geen gebieden.")
        return
    choice = choose_move(plan)
    if choice is not None:
        preview_and_save(store, plan, choice)


def choose_move(plan: Plan) -> Choice | None:
    """The planner's choice: an area, one of its streets (and house numbers), a neighbour."""
    areas = plan.areas.set_index("area_id")
    members = plan.members
    label = {
        int(a): f"{a} – {r['name']} ({count_text(int(r['members']))}, "
        f"{counted(int(r['capacity_left']), 'plaats', 'plaatsen')} over)"
        for a, r in areas.iterrows()
    }
    refresh_labels("verplaats_van")  # each label's counts: those after the last action
    from_area = st.selectbox(
        "Van gebied",
        list(label),
        format_func=label.__getitem__,
        key="verplaats_van",
        placeholder=CHOOSE,
    )
    if from_area is None:
        return None
    streets = area_streets(members, int(from_area))
    targets = [n for n in neighbour_ids(areas.loc[from_area, "neighbours"]) if n in label]
    if not streets:
        st.info(f"In gebied {from_area} staan nog geen leden: er is geen straat te verplaatsen.")
        return None
    if not targets:
        st.info(f"Gebied {from_area} heeft geen buurgebieden om een straat naar te verplaatsen.")
        return None
    refresh_labels("verplaats_straat")
    street = st.selectbox(
        "Straat",
        list(streets),
        format_func=lambda s: f"{s} ({count_text(streets[s])})",
        key="verplaats_straat",
        placeholder=CHOOSE,
    )
    low, high = st.columns(2)
    first = low.number_input(
        "Vanaf huisnummer (leeg: de hele straat in dit gebied)",
        min_value=0,
        value=None,
        step=1,
        key="verplaats_vanaf",
    )
    last = high.number_input(
        "Tot en met huisnummer", min_value=0, value=None, step=1, key="verplaats_tot"
    )
    refresh_labels("verplaats_naar")
    to_area = st.selectbox(
        "Naar buurgebied",
        targets,
        format_func=label.__getitem__,
        key="verplaats_naar",
        placeholder=CHOOSE,
    )
    if street is None or to_area is None:
        return None
    if (first is None) != (last is None):
        st.warning("Vul beide huisnummers in, of geen van beide voor de hele straat.")
        return None
    numbers: tuple[int, int] | None
    if first is not None and last is not None:
        numbers = (int(min(first, last)), int(max(first, last)))
    else:
        numbers = house_range(members, street, int(from_area))
        elsewhere = other_areas(members, street, int(from_area))
        if numbers is None and elsewhere:
            st.info(
                f"{md(street)} ligt ook in gebied {', '.join(map(str, elsewhere))} en de huisnummers "
                "lopen door elkaar: vul hierboven de huisnummers in die mee moeten."
            )
        if numbers is not None:
            st.caption(
                f"{md(street)} ligt ook in een ander gebied: alleen het deel in gebied {from_area} "
                f"(huisnummer {numbers_text(numbers)}) gaat mee."
            )
    return Choice(int(from_area), street, numbers, int(to_area))


def preview_and_save(store: Store, plan: Plan, choice: Choice) -> None:
    """A preview on request; saved only when the planner confirms that same preview."""
    if st.button("Voorbeeld tonen", key=action_key("verplaats_voorbeeld")):
        try:
            st.session_state[PREVIEW] = preview_move(store, choice)
        except GeoError as error:
            st.session_state.pop(PREVIEW, None)
            st.error(f"Niet mogelijk: {md(error)}")
    preview = st.session_state.get(PREVIEW)
    if not isinstance(preview, Preview):
        return
    if preview.choice != choice or preview.move.base != store.last_change():
        st.session_state.pop(PREVIEW, None)  # made for another choice or before a change
        return
    show_preview(
        preview,
        {int(a): str(n) for a, n in zip(plan.areas["area_id"], plan.areas["name"], strict=True)},
    )
    yes, no = st.columns(2)
    if yes.button("Bevestigen en opslaan", key=action_key("verplaats_bevestigen"), type="primary"):
        try:
            moved = confirm_street_move(store, preview.move)
        except GeoError as error:
            st.session_state.pop(PREVIEW, None)
            st.error(f"Niet verplaatst: {md(error)}")
        else:
            st.session_state.pop(PREVIEW, None)
            store.close()
            changed(
                f"{count_text(moved)} van {md(choice.street)} {noun(moved, 'zit', 'zitten')} "
                f"nu in gebied {choice.to_area}. De betrokken gebieden zijn vastgezet, zodat "
                "opnieuw indelen ze laat staan."
            )
    if no.button("Annuleren", key=action_key("verplaats_annuleren")):
        st.session_state.pop(PREVIEW, None)
        st.rerun()
