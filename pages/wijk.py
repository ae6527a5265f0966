"""Wijk: the boundary, streets and households this project plans for."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo.maps import planner_map
from pages.common import allow, open_store

allow("wijk")
st.title("Wijk")
store = open_store()
wijk = store.wijk()
st.write(
    f"**{wijk.boundary['name'].iloc[0]}**: {len(wijk.streets)} straatdelen, "
    f"{len(wijk.addresses)} woonadressen (huishoudens)."
)
st.caption(
    "Een andere wijk ophalen (CBS-grens, OpenStreetMap-straten, BAG-adressen) of uit bestanden "
    "inlezen: `python -m geo fetch --buurt ... --out wijk.gpkg`, daarna "
    "`python -m geo project init --project project.sqlite --wijk wijk.gpkg`."
)
plan = store.plan()
if plan is not None:
    st_folium(
        planner_map(plan.areas, wijk.boundary), height=500, returned_objects=[], key="wijkkaart"
    )
store.close()
