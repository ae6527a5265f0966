"""Gebieden: the areas, their figures and map; a re-plan is a proposal, saved when confirmed.

Actions are handled before the map and table are drawn (into a container above the forms),
and a change draws the page again, so what is shown is always the state after the action.
A re-plan is shown first (who changes group, which beheerders change, which areas go or come)
and kept in the session until the planner confirms or cancels it. Locked areas stay as they
are in a re-plan; a split or street move locks the areas it touched.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo.coverage import area_coverage
from geo.errors import GeoError
from geo.maps import participation_text, planner_map
from geo.project import (
    confirm_replan,
    propose_replan,
    split_area_in_project,
)
from geo.replan import Proposal
from geo.store import Store
from views.common import (
    CHOOSE,
    FILL,
    MAX_MEMBERS,
    action_key,
    allow,
    changed,
    settings,
    show_map,
    show_notice,
    store_or_stop,
    wijk_crs,
    wijk_of,
)
from views.street_move import street_move_form

PROPOSAL = "indelingsvoorstel"


def _area(names: dict[int, str], area: Any) -> str:
    if pd.isna(area):
        return "(geen)"
    return f"{int(area)} – {names.get(int(area), '')}"


def show_proposal(proposal: Proposal, store: Store) -> None:
    """What confirming ``proposal`` would change, in tables (nothing is saved here)."""
    changes = proposal.changes
    st.markdown(
        f"**Voorstel** (maximaal {proposal.max_members} leden per groep, vulgraad "
        f"{proposal.fill:.2f}): {len(proposal.plan.areas)} gebieden."
    )
    for note in proposal.notes:
        st.warning(note)
    if changes.empty:
        st.info(
            "Dit voorstel verandert niets aan de groepen: alle leden, namen, nummers en "
            "beheerders blijven gelijk."
        )
        return
    st.warning(
        f"Als u bevestigt: {len(changes.moves)} leden wisselen van groep, "
        f"{len(changes.beheerders)} gebieden krijgen een andere beheerder, "
        f"{len(changes.gone)} gebieden verdwijnen en {len(changes.new)} komen erbij. "
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
    st.slider(
        "Vulgraad van een nieuw gebied",
        0.5,
        1.0,
        store.fill,
        0.05,
        key=FILL,
        help="Hoe vol een nieuwe groep bij het indelen wordt gemaakt, als deel van het maximum: "
        "0,80 betekent 80% van het maximum aantal leden. Zo blijft er plaats voor wie zich "
        "later in dezelfde straten aanmeldt.",
    )
    if st.button("Voorstel maken", key=action_key("voorstel_maken")):
        try:
            st.session_state[PROPOSAL] = propose_replan(
                store, settings=settings(), wijk=wijk_of(store)
            )
        except GeoError as error:
            st.session_state.pop(PROPOSAL, None)
            st.error(f"Geen voorstel gemaakt: {error}")
    proposal = st.session_state.get(PROPOSAL)
    if proposal is not None:
        show_proposal(proposal, store)
        yes, no = st.columns(2)
        if yes.button("Bevestigen", key=action_key("bevestigen"), type="primary"):
            try:
                confirm_replan(store, proposal)
            except GeoError as error:
                st.session_state.pop(PROPOSAL, None)
                st.error(f"Niet opnieuw ingedeeld: {error}")
            else:
                st.session_state.pop(PROPOSAL, None)
                store.close()
                changed(
                    f"Nieuwe indeling opgeslagen: {len(proposal.plan.areas)} gebieden, "
                    f"{len(proposal.changes.moves)} leden van groep gewisseld. "
                    "Ongedaan maken kan op de pagina Geschiedenis."
                )
        if no.button("Annuleren", key=action_key("annuleren")):
            st.session_state.pop(PROPOSAL, None)
            store.close()
            changed("Voorstel geannuleerd; er is niets veranderd.", kind="warning")
plan = store.plan()
if plan is None:
    st.info("Nog geen gebieden: voeg eerst aanmeldingen toe.")
    st.stop()
view = st.container()  # the state, drawn after the forms below are handled
st.subheader("Een gebied splitsen")
with st.form("splitsen", enter_to_submit=False):
    chosen = st.selectbox(
        "Gebied", list(plan.areas["area_id"]), key="te_splitsen", placeholder=CHOOSE
    )
    if st.form_submit_button("Splitsen", key=action_key("splitsen_knop")):
        try:
            parts = split_area_in_project(store, int(chosen), settings=settings())
        except GeoError as error:
            st.error(f"Niet gesplitst: {error}")
        else:
            store.close()
            changed(
                f"Gebied {chosen} is gesplitst in {', '.join(map(str, parts))}; "
                "andere gebieden bleven gelijk. De delen zijn vastgezet, zodat opnieuw indelen "
                "ze laat staan (losmaken kan hieronder)."
            )
street_move_form(store)
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
            st.error(f"Niet opgeslagen: {error}")
        else:
            store.close()
            changed(
                f"Vastgezet: {', '.join(map(str, sorted(lock))) or 'geen'}; "
                f"losgemaakt: {', '.join(map(str, sorted(unlock))) or 'geen'}."
            )
wijk = wijk_of(store)
crs = wijk_crs(store)
coverage = area_coverage(
    plan.areas.to_crs(crs),
    plan.members.to_crs(crs),
    wijk.addresses_in(crs),
    max_members=int(store.setting("max_members")),
)
areas = plan.areas.assign(
    participation_pct=coverage["participation_pct"].to_numpy(),
    vast=plan.areas["locked"].map({True: "ja", False: "nee"}),
)
areas["deelname"] = [participation_text(p) for p in areas["participation_pct"]]
with view:
    count, people = st.columns(2)
    count.metric("Gebieden", len(areas))
    people.metric("Leden met een gebied", int(areas["members"].sum()))
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
                "beheerder_needed": "beheerder gezocht",
                "neighbours": "buurgebieden",
            }
        ),
        key="gebieden_tabel",
        hide_index=True,
    )  # fmt: skip
store.close()
