"""Aanmeldingen: upload sign-ups, see who was accepted and why others were not.

Every action is handled before the counters and tables are drawn; a form that changed the
project draws the page again. A double click imports, adds or corrects nothing twice: an
uploaded file is read once (choose it again to read it again), the forms' buttons get a new
key after every change.
"""

from __future__ import annotations

import streamlit as st

from geo.errors import GeoError
from geo.project import check_again, import_person, import_upload
from geo.workflow import online_services
from pages.common import action_key, allow, changed, settings, show_notice, store_or_stop

READ = "ingelezen_bestand"

allow("aanmeldingen")
st.title("Aanmeldingen")
show_notice()
store = store_or_stop()
upload = st.file_uploader(
    "Aanmeldingen toevoegen (CSV of Excel, zoals u ze bijhoudt, of e-mail: .mbox of .eml)",
    type=["csv", "xlsx", "txt", "mbox", "eml"],
    key="aanmeldingen_bestand",
)
online = st.checkbox(
    "Adressen die niet in het adresregister staan online opzoeken (PDOK, OpenStreetMap)",
    key="online",
    help="Alleen het adres gaat naar de dienst, nooit de naam. Uit: alleen register en cache.",
)
already_read = upload is not None and st.session_state.get(READ) == upload.file_id
if already_read:
    st.caption("Dit bestand is ingelezen. Kies het opnieuw om het nog eens in te lezen.")
if (
    upload is not None
    and st.button("Inlezen en plaatsen", key="inlezen", disabled=already_read)
    and not already_read
):
    progress = st.progress(0.0, text="Aanmeldingen controleren en adressen opzoeken…")

    def report(done: int, total: int) -> None:
        progress.progress(done / max(total, 1), text=f"{done} van {total} adressen opgezocht")

    try:
        counts, placement = import_upload(
            store,
            upload.name,
            upload.getvalue(),
            settings=settings(),
            services=online_services(settings()) if online else (),
            progress=report,
        )
    except GeoError as error:
        st.error(str(error))
    else:
        st.session_state[READ] = upload.file_id
        st.success(
            f"{counts['rows']} regels gelezen: {counts['accepted']} aangenomen, "
            f"{counts['rejected']} afgewezen, {counts['pending']} wachten op een adres, "
            f"{counts.get('already', 0)} al aangemeld; "
            f"{placement.placed} geplaatst, {placement.moved_existing} bestaande leden verplaatst."
        )
with st.form("een_persoon", clear_on_submit=True):
    st.markdown("**Eén persoon toevoegen**")
    left, right = st.columns(2)
    person = {
        "Naam": left.text_input("Naam", key="f_naam"),
        "Adres": right.text_input("Adres (straat en huisnummer)", key="f_adres"),
        "Postcode": left.text_input("Postcode", key="f_postcode"),
        "Woonplaats": right.text_input("Woonplaats", key="f_woonplaats"),
        "Leeftijd": str(left.number_input("Leeftijd", 0, 120, value=None, key="f_leeftijd") or ""),
        "Telefoon": right.text_input("Telefoon", key="f_telefoon"),
        "E-mail": left.text_input("E-mail", key="f_email"),
        "Beheerder": "ja" if right.checkbox("Wil beheerder zijn", key="f_beheerder") else "",
    }
    if st.form_submit_button("Toevoegen", key=action_key("toevoegen")):
        try:
            accepted, reason = import_person(store, person, settings=settings())
        except GeoError as error:
            st.error(f"Niet aangenomen: {error}")
        else:
            store.close()
            if accepted:
                changed(f"{person['Naam']} is aangemeld en heeft een gebied.")
            changed(f"Niet aangenomen: {reason}", kind="error")
status = store.status()
left, middle, right = st.columns(3)
left.metric("Aangenomen", status.applicants["accepted"])
middle.metric("Afgewezen", status.applicants["rejected"])
right.metric("Wachten op een adres", status.applicants["pending"])
st.subheader("Afgewezen, met de reden")
rejected = store.applicants("rejected")
st.dataframe(rejected[["row", "naam", "reason"]].rename(columns={"row": "regel", "reason": "reden"}),
             key="afgewezen", hide_index=True)  # fmt: skip
fixable = {
    f"{name} — {reason}": (number, cells)
    for number, name, reason, cells in store.rejected_with_cells()
    if cells
}
if fixable:
    st.markdown("**Een afgewezen aanmelding verbeteren**")
    chosen = st.selectbox("Welke", list(fixable), index=None, key="verbeter_keuze")
    if chosen is not None:
        number, cells = fixable[chosen]
        with st.form("verbeteren"):
            edited = {
                header: st.text_input(header, value=value, key=f"cel_{number}_{header}")
                for header, value in cells.items()
            }
            if st.form_submit_button("Opnieuw controleren", key=action_key("opnieuw_controleren")):
                try:
                    counts, _ = check_again(store, {number: edited}, settings=settings())
                except GeoError as error:
                    st.error(str(error))
                else:
                    if counts["accepted"]:
                        store.close()
                        changed("Verbeterd en aangenomen; de deelnemer heeft een gebied.")
                    reason = store.applicants("rejected")["reason"].iloc[-1]
                    store.close()
                    changed(f"Nog steeds niet aangenomen: {reason}", kind="error")
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
