"""Borden: the municipality reviews the proposed signs: accept or reject each, with a note."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo.maps import signs_map
from geo.project import sign_key
from geo.workflow import make_signs
from pages.common import allow, store_or_stop

allow("borden")
st.title("Borden")
store = store_or_stop()
wijk = store.wijk()
signs = make_signs(wijk)
signs["sleutel"] = [sign_key(p) for p in signs.geometry]
decisions = store.sign_decisions().set_index("sign_key")
signs["besluit"] = [decisions["decision"].get(k, "open") for k in signs["sleutel"]]
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
with st.form("besluit"):
    chosen = st.selectbox("Bord", list(signs["rank"]), key="bord_keuze")
    verdict = st.radio("Besluit", ["accepted", "rejected"], key="bord_besluit",
                       format_func={"accepted": "plaatsen", "rejected": "niet plaatsen"}.get)  # fmt: skip
    note = st.text_input("Opmerking", key="bord_opmerking")
    if st.form_submit_button("Besluit opslaan"):
        key = signs.loc[signs["rank"] == chosen, "sleutel"].iloc[0]
        store.decide_sign(key, verdict, note)
        st.success(f"Bord {chosen}: {'plaatsen' if verdict == 'accepted' else 'niet plaatsen'}.")
accepted = signs.loc[
    signs["sleutel"].isin(store.sign_decisions().query("decision == 'accepted'")["sign_key"])
]
st.download_button(
    "Goedgekeurde borden (GeoJSON)",
    accepted.drop(columns=["sleutel", "besluit"]).to_json(drop_id=True),
    file_name="borden-goedgekeurd.geojson",
    key="borden_download",
)
store.close()
