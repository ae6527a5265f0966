"""Gebieden: the areas, their figures and map; a re-plan is a proposal, saved when confirmed.

Actions are handled before the map and table are drawn (into a container above the forms),
and a change draws the page again, so what is shown is always the state after the action.
A re-plan is shown first (who changes group, which beheerders change, which areas go or come)
and kept in the session until the planner confirms or cancels it. Locked areas stay as they
are in a re-plan; a split or street move locks the areas it touched.
What the plan's measurements explain (an area not in one piece, a building whose flats are in
several groups, a thin area) is listed under the counters, and under a proposal for its areas.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st
from shapely.geometry.base import BaseGeometry

from geo.coverage import area_coverage, with_coverage
from geo.errors import GeoError
from geo.maps import participation_text, planner_map
from geo.partition import MIN_POLSBY_POPPER, Plan, measure, names_by_id
from geo.project import (
    Placement,
    confirm_replan,
    place_members,
    propose_replan,
    split_area_in_project,
)
from geo.replan import Proposal
from geo.store import Store
from geo.wording import counted, decimal
from views.common import (
    CHOOSE,
    FILL,
    MAX_MEMBERS,
    action_key,
    allow,
    changed,
    co_beheerders_moved,
    md,
    no_plan,
    placement_text,
    settings,
    show_map,
    show_notice,
    store_or_stop,
    wijk_crs,
    wijk_of,
)
from views.street_move import street_move_form

PROPOSAL = "indelingsvoorstel"
PLACEMENT = "indelen_voorbeeld"  # (the change and count it was made for, the preview)


def _area(names: dict[int, str], area: Any) -> str:
    if pd.isna(area):
        return "(geen)"
    return f"{int(area)} – {names.get(int(area), '')}"


def _label(names: Mapping[int, str], area: Any, word: str = "Gebied") -> str:
    """``Gebied 3 – Naam`` for markdown (the name escaped: it comes from street data)."""
    name = names.get(int(area), "")
    return f"{word} {int(area)}" + (f" – {md(name)}" if name else "")


def _building(street: Any) -> str:
    text = " ".join(str(street).split())  # one line: a note is one paragraph
    if not text or text.lower() in {"nan", "none"}:
        return "Gebouw (straat onbekend)"
    return f"Gebouw aan de {md(text)}"


def note_lines(metrics: Mapping[str, Any], names: Mapping[int, str]) -> list[str]:
    """The plan's explanations (``areas_not_one_piece``, ``building_notes``,
    ``compactness_notes`` of :func:`geo.partition.measure`) as Dutch markdown lines, every
    name, street and reason escaped. A missing key (figures of an older plan) is no note."""
    lines: list[str] = []
    no_land: set[int] = set()
    for note in metrics.get("areas_not_one_piece") or []:
        parts = int(note.get("parts", 0))
        if parts == 0:
            no_land.add(int(note["area_id"]))
        pieces = f" maar {parts} losse delen" if parts > 1 else ""
        lines.append(
            f"**{_label(names, note['area_id'])}** is niet één aaneengesloten stuk{pieces}: "
            f"{md(note.get('reason', ''))}."
        )
    for note in metrics.get("building_notes") or []:
        areas = {int(a): int(n) for a, n in dict(note.get("areas") or {}).items()}
        spread = "; ".join(f"{_label(names, a, 'gebied')}: {n}" for a, n in sorted(areas.items()))
        lines.append(
            f"**{_building(note.get('street', ''))}**: {md(note.get('reason', ''))}. "
            f"Aanmeldingen per gebied: {spread}."
        )
    for note in metrics.get("compactness_notes") or []:
        if int(note["area_id"]) in no_land:  # no land of its own: already explained above
            continue
        lines.append(
            f"**{_label(names, note['area_id'])}** is smal of grillig van vorm "
            f"(Polsby–Popper {decimal(float(note.get('polsby_popper', 0.0)))}, ondergrens "
            f"{decimal(MIN_POLSBY_POPPER)}): {md(note.get('reason', ''))}."
        )
    return lines


def plan_notes(plan: Plan, boundary: BaseGeometry, *, max_members: int, fill: float) -> list[str]:
    """The explanations of ``plan`` (metric CRS, like ``boundary``), measured now.

    The project keeps no plan.json and a proposal carries no figures (see
    :func:`geo.replan.reconcile`), so both are measured on the areas as shown.
    """
    metrics = measure(plan, boundary=boundary, max_members=max_members, fill=fill)
    return note_lines(metrics, names_by_id(plan.areas))


def show_notes(lines: list[str]) -> None:
    for line in lines:
        st.markdown(line)


def count_notes(count: int) -> str:
    return counted(count, "opmerking", "opmerkingen")


def show_proposal(proposal: Proposal, store: Store) -> None:
    """What confirming ``proposal`` would change, in tables (nothing is saved here)."""
    changes = proposal.changes
    st.markdown(
        f"**Voorstel** (maximaal {counted(proposal.max_members, 'lid', 'leden')} per groep, vulgraad "
        f"{decimal(proposal.fill * 100, 1)}%): "  # as the slider shows it
        f"{counted(len(proposal.plan.areas), 'gebied', 'gebieden')}."
    )
    for note in proposal.notes:
        st.warning(note)
    crs = proposal.plan.areas.crs
    lines = plan_notes(
        proposal.plan,
        wijk_of(store).boundary.to_crs(crs).geometry.iloc[0],
        max_members=proposal.max_members,
        fill=proposal.fill,
    )
    if lines:  # no expander here: the proposal is shown inside one already
        st.markdown(f"**Toelichting bij het voorstel: {count_notes(len(lines))}**")
        show_notes(lines)
    if changes.empty:
        st.info(
            "Dit voorstel verandert niets aan de groepen: alle leden, namen, nummers en "
            "beheerders blijven gelijk."
        )
        return
    st.warning(
        f"Als u bevestigt: {counted(len(changes.moves), 'lid wisselt', 'leden wisselen')} van "
        f"groep, {counted(len(changes.beheerders), 'gebied krijgt', 'gebieden krijgen')} een "
        f"andere beheerder, {counted(len(changes.gone), 'gebied verdwijnt', 'gebieden verdwijnen')}"
        f" en {counted(len(changes.new), 'komt', 'komen')} erbij. "
        "Er is nog niets opgeslagen."
    )
    people = store.applicants("accepted").set_index("id")
    names = {**dict(zip(changes.gone["area_id"], changes.gone["name"], strict=True)),
             **dict(zip(proposal.plan.areas["area_id"], proposal.plan.areas["name"],
                        strict=True))}  # fmt: skip
    if len(changes.moves):
        st.markdown("**Leden die van groep wisselen**")
        moves = changes.moves
        found = people.reindex(moves["member_id"])
        st.dataframe(
            pd.DataFrame(
                {
                    "naam": found["naam"].to_numpy(),
                    "straat": found["straat"].to_numpy(),
                    "huisnummer": found["huisnummer"].to_numpy(),
                    "van gebied": [
                        _area({int(a): str(n)}, a) if pd.notna(a) else "(nieuw)"
                        for a, n in zip(moves["from_area"], moves["from_name"], strict=True)
                    ],
                    "naar gebied": [_area(names, a) for a in moves["to_area"]],
                }
            ),
            key="voorstel_verhuizingen",
            hide_index=True,
        )
    if len(changes.beheerders):
        st.markdown("**Gebieden met een andere beheerder**")
        who = people["naam"].to_dict()
        st.dataframe(
            pd.DataFrame(
                {
                    "gebied": [_area(names, a) for a in changes.beheerders["area_id"]],
                    "beheerder nu": [who.get(b, "(geen)") for b in changes.beheerders["old"]],
                    "beheerder straks": [who.get(b, "(geen)") for b in changes.beheerders["new"]],
                }
            ),
            key="voorstel_beheerders",
            hide_index=True,
        )
    for title, table, key in (
        ("Gebieden die verdwijnen", changes.gone, "voorstel_weg"),
        ("Nieuwe gebieden", changes.new, "voorstel_nieuw"),
    ):
        if len(table):
            st.markdown(f"**{title}**")
            st.dataframe(
                table.rename(columns={"area_id": "gebied", "name": "naam", "members": "leden"}),
                key=key,
                hide_index=True,
            )


def place_waiting(store: Store) -> None:
    """Sign-ups accepted but without an area (after an undo, or an import cut short): what
    placing them does, and the button that does it."""
    waiting = store.status().unplaced
    if not waiting:
        return
    st.subheader("Aanmeldingen zonder gebied")
    first = store.plan() is None
    key = (store.last_change(), waiting)
    if st.session_state.get(PLACEMENT, (None,))[0] != key:
        try:
            preview: Placement | str = place_members(store, settings=settings(), save=False)
        except GeoError as error:
            preview = str(error)
        st.session_state[PLACEMENT] = (key, preview)
    preview = st.session_state[PLACEMENT][1]
    st.markdown(
        f"{counted(waiting, 'aanmelding is', 'aanmeldingen zijn')} aangenomen maar nog niet "
        "ingedeeld. Er is nog niets veranderd."
    )
    if isinstance(preview, str):
        st.error(f"Indelen kan nu niet: {md(preview)}")
        return
    st.info(f"Als u nu indeelt: {placement_text(preview, first=first)}")
    if st.button("Nu indelen", key=action_key("nu_indelen"), type="primary"):
        try:
            placement = place_members(store, settings=settings())
        except GeoError as error:
            st.error(f"Niet ingedeeld: {md(error)}")
        else:
            store.close()
            changed(
                f"Ingedeeld. {placement_text(placement, first=first, done=True)} "
                "Ongedaan maken kan op de pagina Geschiedenis."
            )


allow("gebieden")
st.title("Gebieden")
show_notice()
store = store_or_stop()
with st.expander(
    "Opnieuw indelen: eerst een voorstel, er verandert niets tot u bevestigt",
    expanded=PROPOSAL in st.session_state,
):
    st.caption(
        "Groepen die grotendeels gelijk blijven houden hun nummer, naam en beheerder. "
        "Vastgezette gebieden blijven zoals ze zijn (straten en leden); de rest van de wijk "
        "wordt opnieuw ingedeeld."
    )
    # the project's own settings to start from: the same settings propose no change
    st.slider(
        "Maximum aantal leden per groep",
        20,
        255,
        store.max_members,
        key=MAX_MEMBERS,
        help="Een WhatsApp-groep heeft plaats voor hoogstens 256 deelnemers (de beheerder "
        "meegerekend).",
    )
    st.slider(  # in whole per cents: a slider cannot write a decimal comma
        "Vulgraad van een nieuw gebied",
        min(50, round(store.fill * 100)),  # a project made with a lower fill shows it
        100,
        round(store.fill * 100),
        1,
        format="%d%%",
        key=FILL,
        help="Hoe vol een nieuwe groep bij het indelen wordt gemaakt: 80% betekent 80% van het "
        "maximum aantal leden. Zo blijft er plaats voor wie zich later in dezelfde straten "
        "aanmeldt.",
    )
    if st.button("Voorstel maken", key=action_key("voorstel_maken")):
        try:
            st.session_state[PROPOSAL] = propose_replan(
                store, settings=settings(), wijk=wijk_of(store)
            )
        except GeoError as error:
            st.session_state.pop(PROPOSAL, None)
            st.error(f"Geen voorstel gemaakt: {md(error)}")
    proposal = st.session_state.get(PROPOSAL)
    if proposal is not None:
        show_proposal(proposal, store)
        yes, no = st.columns(2)
        if yes.button("Bevestigen", key=action_key("bevestigen"), type="primary"):
            try:
                confirm_replan(store, proposal)
            except GeoError as error:
                st.session_state.pop(PROPOSAL, None)
                st.error(f"Niet opnieuw ingedeeld: {md(error)}")
            else:
                st.session_state.pop(PROPOSAL, None)
                store.close()
                changed(
                    "Nieuwe indeling opgeslagen: "
                    f"{counted(len(proposal.plan.areas), 'gebied', 'gebieden')}, "
                    f"{counted(len(proposal.changes.moves), 'lid', 'leden')} van groep gewisseld. "
                    "Ongedaan maken kan op de pagina Geschiedenis."
                )
        if no.button("Annuleren", key=action_key("annuleren")):
            st.session_state.pop(PROPOSAL, None)
            store.close()
            changed("Voorstel geannuleerd; er is niets veranderd.", kind="warning")
place_waiting(store)
plan = store.plan()
if plan is None:
    st.info(no_plan(store))
    st.stop()
view = st.container()  # the state, drawn after the forms below are handled
st.subheader("Een gebied splitsen")
with st.form("splitsen", enter_to_submit=False):
    chosen = st.selectbox(
        "Gebied", list(plan.areas["area_id"]), key="te_splitsen", placeholder=CHOOSE
    )
    if st.form_submit_button("Splitsen", key=action_key("splitsen_knop")):
        try:
            parts, went = split_area_in_project(store, int(chosen), settings=settings())
        except GeoError as error:
            st.error(f"Niet gesplitst: {md(error)}")
        else:
            store.close()
            changed(
                f"Gebied {chosen} is gesplitst in {', '.join(map(str, parts))}; "
                "andere gebieden bleven gelijk. De delen zijn vastgezet, zodat opnieuw indelen "
                "ze laat staan (losmaken kan hieronder).",
                notes=[co_beheerders_moved(went)] if went else [],
            )
street_move_form(store)
st.subheader("Een gebied een eigen naam geven")
with st.form("hernoemen", enter_to_submit=False):
    names = names_by_id(plan.areas)
    renamed = st.selectbox(
        "Gebied",
        list(names),
        format_func=lambda a: f"{a} – {names[a]}",
        key="te_hernoemen",
        placeholder=CHOOSE,
    )
    new_name = st.text_input(
        "Nieuwe naam",
        key="nieuwe_naam",
        help="Een naam die de bewoners kennen, bv. 'Kerkbuurt'. Het nummer blijft; opnieuw "
        "indelen en splitsen houden de naam zolang het gebied zijn nummer houdt.",
    )
    if st.form_submit_button("Hernoemen", key=action_key("hernoemen")):
        try:
            done = store.rename_area(int(renamed), new_name)
        except GeoError as error:
            st.error(f"Niet hernoemd: {md(error)}")
        else:
            store.close()
            changed(
                f"Gebied {renamed} heet nu {md(' '.join(new_name.split()))}."
                if done
                else f"Gebied {renamed} had die naam al; er is niets veranderd.",
                kind="success" if done else "warning",
            )
st.subheader("Gebieden vastzetten")
st.caption(
    "Een vastgezet gebied blijft bij opnieuw indelen zoals het is: dezelfde straten en leden. "
    "Na splitsen of een straat verplaatsen worden de betrokken gebieden vanzelf vastgezet; "
    "maak ze hier los om ze weer mee te laten indelen."
)
locked_now = store.locked_areas()
labels = dict(zip(plan.areas["area_id"].astype(int), plan.areas["name"], strict=True))
with st.form("vastzetten", enter_to_submit=False):
    chosen_locks = st.multiselect(
        "Vastgezette gebieden",
        list(labels),
        default=sorted(locked_now),
        format_func=lambda a: f"{a} – {labels[a]}",
        key=f"vastgezet_{action_key('keuze')}",
        placeholder="Kies gebieden",
    )
    if st.form_submit_button("Opslaan", key=action_key("vastzetten_opslaan")):
        lock, unlock = set(chosen_locks) - locked_now, locked_now - set(chosen_locks)
        try:
            if lock:
                store.set_locked(lock)
            if unlock:
                store.set_locked(unlock, locked=False)
        except GeoError as error:
            st.error(f"Niet opgeslagen: {md(error)}")
        else:
            store.close()
            changed(
                f"Vastgezet: {', '.join(map(str, sorted(lock))) or 'geen'}; "
                f"losgemaakt: {', '.join(map(str, sorted(unlock))) or 'geen'}."
            )
wijk = wijk_of(store)
crs = wijk_crs(store)
metric_areas, metric_members = plan.areas.to_crs(crs), plan.members.to_crs(crs)
coverage = area_coverage(
    metric_areas,
    metric_members,
    wijk.addresses_in(crs),
    max_members=int(store.setting("max_members")),
)
notes = plan_notes(
    Plan(metric_areas, metric_members, plan.outside),
    wijk.boundary.to_crs(crs).geometry.iloc[0],
    max_members=store.max_members,
    fill=store.fill,
)
# Households as participation counts them (distinct addresses), with those signed up.
areas = with_coverage(plan.areas, coverage).assign(
    aangemeld=coverage["signed_up_households"].to_numpy(),
    vast=plan.areas["locked"].map({True: "ja", False: "nee"}),
)
areas["deelname"] = [participation_text(p) for p in areas["participation_pct"]]
# Without a register the households are unknown: said so, not Streamlit's "None".
areas["households"] = ["onbekend" if pd.isna(n) else str(n) for n in areas["households"]]
with view:
    count, people = st.columns(2)
    count.metric("Gebieden", len(areas))
    people.metric("Leden met een gebied", int(areas["members"].sum()))
    if notes:
        with st.expander(f"Toelichting bij het plan: {count_notes(len(notes))}"):
            show_notes(notes)
    show_map(
        planner_map(areas, wijk.boundary, members=plan.members[["geometry"]]),
        key="planner_kaart",
    )
    table = areas[
        [
            "area_id",
            "name",
            "members",
            "capacity_left",
            "households",
            "aangemeld",
            "deelname",
            "beheerder_needed",
            "vast",
            "neighbours",
        ]
    ]
    st.dataframe(
        table.rename(
            columns={
                "area_id": "gebied", "name": "naam", "members": "leden",
                "capacity_left": "plaatsen over", "households": "huishoudens",
                "aangemeld": "aangemelde huishoudens",
                "beheerder_needed": "beheerder gezocht",
                "neighbours": "buurgebieden",
            }
        ),
        key="gebieden_tabel",
        hide_index=True,
    )  # fmt: skip
store.close()
