"""Aanmeldingen: upload sign-ups, see who was accepted and why others were not."""

from __future__ import annotations

import streamlit as st

from geo.errors import GeoError
from geo.project import import_upload
from pages.common import allow, open_store, settings

allow("aanmeldingen")
st.title("Aanmeldingen")
store = open_store()
upload = st.file_uploader(
    "Aanmeldingen toevoegen (CSV of Excel, zoals u ze bijhoudt)",
    type=["csv", "xlsx", "txt"],
    key="aanmeldingen_bestand",
)
if upload is not None and st.button("Inlezen en plaatsen", key="inlezen"):
    progress = st.progress(0.0, text="Aanmeldingen controleren en plaatsen…")
    try:
        counts, placement = import_upload(
            store, upload.name, upload.getvalue(), settings=settings()
        )
    except GeoError as error:
        st.error(str(error))
    else:
        progress.progress(1.0, text="Klaar")
        st.success(
            f"{counts['rows']} regels gelezen: {counts['accepted']} aangenomen, "
            f"{counts['rejected']} afgewezen, {counts['pending']} wachten op een adres; "
            f"{placement.placed} geplaatst, {placement.moved_existing} bestaande leden verplaatst."
        )
status = store.status()
left, middle, right = st.columns(3)
left.metric("Aangenomen", status.applicants["accepted"])
middle.metric("Afgewezen", status.applicants["rejected"])
right.metric("Wachten op een adres", status.applicants["pending"])
st.subheader("Afgewezen, met de reden")
rejected = store.applicants("rejected")
st.dataframe(rejected[["row", "naam", "reason"]].rename(columns={"row": "regel", "reason": "reden"}),
             key="afgewezen", hide_index=True)  # fmt: skip
st.subheader("Deelnemers")
accepted = store.applicants("accepted")
st.dataframe(
    accepted[["naam", "straat", "huisnummer", "area_id", "beheerder"]].rename(
        columns={"area_id": "gebied", "beheerder": "wil beheerder zijn"}
    ),
    key="deelnemers",
    hide_index=True,
)
store.close()
