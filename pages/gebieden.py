"""Gebieden: the areas, their figures and map; a full re-plan is an explicit choice.

Actions are handled before the map and table are drawn (into a container above the forms),
and a change draws the page again, so what is shown is always the state after the action.
"""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo.coverage import area_coverage
from geo.errors import GeoError
from geo.maps import planner_map
from geo.project import move_street_in_project, replan, split_area_in_project
from pages.common import (
    FILL,
    MAX_MEMBERS,
    action_key,
    allow,
    changed,
    settings,
    show_notice,
    store_or_stop,
)

allow("gebieden")
st.title("Gebieden")
show_notice()
store = store_or_stop()
current = settings()
with st.expander("Opnieuw indelen (kan bestaande leden verplaatsen)"):
    st.slider("Maximum aantal leden per groep", 20, 255, current.max_members, key=MAX_MEMBERS)
    st.slider("Vulgraad van een nieuw gebied", 0.5, 1.0, current.fill, 0.05, key=FILL)
    if st.button("Opnieuw indelen", key=action_key("opnieuw_indelen")):
        try:
            new_plan = replan(store, settings=settings())
        except GeoError as error:
            st.error(f"Niet opnieuw ingedeeld: {error}")
        else:
            store.close()
            changed(f"Nieuwe indeling: {len(new_plan.areas)} gebieden.")
plan = store.plan()
if plan is None:
    st.info("Nog geen gebieden: voeg eerst aanmeldingen toe.")
    st.stop()
view = st.container()  # the state, drawn after the forms below are handled
st.subheader("Een gebied splitsen")
with st.form("splitsen"):
    chosen = st.selectbox("Gebied", list(plan.areas["area_id"]), key="te_splitsen")
    if st.form_submit_button("Splitsen", key=action_key("splitsen_knop")):
        try:
            parts = split_area_in_project(store, int(chosen), settings=settings())
        except GeoError as error:
            st.error(f"Niet gesplitst: {error}")
        else:
            store.close()
            changed(
                f"Gebied {chosen} is gesplitst in {', '.join(map(str, parts))}; "
                "andere gebieden bleven gelijk."
            )
st.subheader("Een straat verplaatsen")
st.caption("Naar een buurgebied; de regels (maximum, aaneengesloten) worden meteen gecontroleerd.")
with st.form("verplaatsen"):
    street = st.selectbox("Straat", sorted(plan.members["straat"].dropna().unique()), key="straat")
    low, high = st.columns(2)
    first = low.number_input(
        "Vanaf huisnummer (leeg: hele straat)", min_value=0, value=None, key="vanaf"
    )
    last = high.number_input("Tot en met huisnummer", min_value=0, value=None, key="tot")
    target = st.selectbox("Naar gebied", list(plan.areas["area_id"]), key="naar_gebied")
    if st.form_submit_button("Verplaatsen", key=action_key("verplaatsen_knop")):
        numbers = (int(first), int(last)) if first is not None and last is not None else None
        try:
            moved = move_street_in_project(
                store, street=street, to_area=int(target), numbers=numbers
            )
        except GeoError as error:
            st.error(f"Niet verplaatst: {error}")
        else:
            store.close()
            changed(f"{moved} leden van {street} zitten nu in gebied {target}.")
wijk = store.wijk()
crs = wijk.crs
coverage = area_coverage(
    plan.areas.to_crs(crs),
    plan.members.to_crs(crs),
    wijk.addresses_in(crs),
    max_members=int(store.setting("max_members")),
)
areas = plan.areas.assign(participation_pct=coverage["participation_pct"].to_numpy())
with view:
    count, people = st.columns(2)
    count.metric("Gebieden", len(areas))
    people.metric("Leden met een gebied", int(areas["members"].sum()))
    st_folium(
        planner_map(areas, wijk.boundary, members=plan.members[["geometry"]]),
        height=550,
        returned_objects=[],
        key="planner_kaart",
    )
    table = areas[
        [
            "area_id",
            "name",
            "members",
            "capacity_left",
            "households",
            "participation_pct",
            "beheerder_needed",
            "neighbours",
        ]
    ]
    st.dataframe(
        table.rename(
            columns={
                "area_id": "gebied", "name": "naam", "members": "leden",
                "capacity_left": "plaatsen over", "households": "huishoudens",
                "participation_pct": "deelname %", "beheerder_needed": "beheerder gezocht",
                "neighbours": "buurgebieden",
            }
        ),
        key="gebieden_tabel",
        hide_index=True,
    )  # fmt: skip
store.close()
