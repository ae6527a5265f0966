"""Beheerders: one per area, chosen from the volunteers; the planner can override.

A choice is saved before anything is drawn and the page is drawn again, so the new name shows.
"""

from __future__ import annotations

import streamlit as st

from geo.errors import GeoError
from pages.common import action_key, allow, changed, show_notice, store_or_stop

allow("beheerders")
st.title("Beheerders")
show_notice()
store = store_or_stop()
members = store.applicants("accepted").dropna(subset=["area_id"])
members["area_id"] = members["area_id"].astype(int)
vacant = store.status().areas_without_beheerder
if vacant:
    st.warning(f"Gebieden zonder beheerder: {', '.join(map(str, vacant))}. Zoek een vrijwilliger.")
plan = store.plan()
areas = plan.areas if plan is not None else None
for area_id in sorted(members["area_id"].unique()):
    mine = members.loc[members["area_id"] == area_id]
    current = mine.loc[mine["is_beheerder"] == 1, "naam"]
    neighbours = areas.set_index("area_id").loc[area_id, "neighbours"] if areas is not None else ""
    st.markdown(
        f"**Gebied {area_id}**: beheerder {current.iloc[0] if len(current) else '— (gezocht)'}; "
        f"buurgebieden {neighbours or '—'}"
    )
    candidates = mine.loc[mine["beheerder"] == 1]
    if candidates.empty:
        continue
    options = dict(
        zip(candidates["naam"] + " (" + candidates["straat"] + ")", candidates["id"], strict=True)
    )
    choice = st.selectbox("Andere beheerder", list(options), key=f"keuze_{area_id}", index=None)
    if choice is not None and st.button("Opslaan", key=action_key(f"opslaan_{area_id}")):
        try:
            store.set_beheerder(int(area_id), int(options[choice]))
        except GeoError as error:
            st.error(str(error))
        else:
            store.close()
            st.session_state.pop(f"keuze_{area_id}", None)
            changed(f"{choice} is nu beheerder van gebied {area_id}.")
store.close()
