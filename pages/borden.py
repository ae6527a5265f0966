"""Borden: the municipality reviews the proposed signs: accept or reject each, with a note.

The decision is saved before the map and table are drawn (into a container above the form),
so they show it at once; the same decision sent twice (a double click) is saved once.
"""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo.maps import signs_map
from geo.project import sign_key
from geo.workflow import make_signs
from pages.common import allow, store_or_stop

VERDICTS = {"accepted": "plaatsen", "rejected": "niet plaatsen"}

allow("borden")
st.title("Borden")
store = store_or_stop()
wijk = store.wijk()
signs = make_signs(wijk)
signs["sleutel"] = [sign_key(p) for p in signs.geometry]
view = st.container()  # map and table, drawn after the form below is handled
with st.form("besluit"):
    chosen = st.selectbox("Bord", list(signs["rank"]), key="bord_keuze")
    verdict = st.radio("Besluit", list(VERDICTS), key="bord_besluit", format_func=VERDICTS.get)
    note = st.text_input("Opmerking", key="bord_opmerking")
    if st.form_submit_button("Besluit opslaan", key="besluit_opslaan"):
        key = signs.loc[signs["rank"] == chosen, "sleutel"].iloc[0]
        saved = store.sign_decisions().set_index("sign_key")
        if key in saved.index and (saved.at[key, "decision"], saved.at[key, "note"]) == (
            verdict,
            note,
        ):
            st.info(f"Bord {chosen}: dit besluit was al opgeslagen.")
        else:
            store.decide_sign(key, verdict, note)
            st.success(f"Bord {chosen}: {VERDICTS[verdict]}.")
decisions = store.sign_decisions().set_index("sign_key")
signs["besluit"] = [
    VERDICTS.get(d, d) for d in (decisions["decision"].get(k, "open") for k in signs["sleutel"])
]
with view:
    st_folium(
        signs_map(signs, wijk.boundary, wijk.streets),
        height=500,
        returned_objects=[],
        key="bordenkaart",
    )
    st.dataframe(
        signs[["rank", "street", "kind", "reason", "besluit"]].rename(
            columns={"rank": "rang", "street": "straat", "kind": "soort", "reason": "waarom"}
        ),
        key="borden_tabel",
        hide_index=True,
    )
accepted = signs.loc[signs["sleutel"].isin(decisions.index[decisions["decision"] == "accepted"])]
st.download_button(
    "Goedgekeurde borden (GeoJSON)",
    accepted.drop(columns=["sleutel", "besluit"]).to_json(drop_id=True),
    file_name="borden-goedgekeurd.geojson",
    key="borden_download",
)
store.close()
