"""Aanmeldingen: upload sign-ups, see who was accepted and why others were not.

Every action is handled before the counters and tables are drawn; a form that changed the
project draws the page again. A double click imports, adds or corrects nothing twice: an
uploaded file is read once (choose it again to read it again), the forms' buttons get a new
key after every change.
"""

from __future__ import annotations

import streamlit as st

from geo.access import PLANNER
from geo.errors import GeoError
from geo.geocode import OnlineService
from geo.project import (
    check_again,
    import_person,
    import_upload,
    people_to_forget,
    waiting_cells,
    waiting_list,
)
from geo.workflow import online_services
from pages.common import (
    ROLE,
    action_key,
    allow,
    changed,
    settings,
    show_notice,
    store_or_stop,
)

READ = "ingelezen_bestand"
FORGET = "te_verwijderen"

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


def correct(
    fixable: dict[str, tuple[int, dict[str, str]]],
    *,
    title: str,
    choice: str,
    form: str,
    action: str,
) -> None:
    """Choose a sign-up, correct its cells and check it again (rejects and waiting ones)."""
    st.markdown(f"**{title}**")
    chosen = st.selectbox("Welke", list(fixable), index=None, key=choice)
    if chosen is None:
        return
    number, cells = fixable[chosen]
    with st.form(form):
        edited = {
            header: st.text_input(header, value=value, key=f"cel_{number}_{header}")
            for header, value in cells.items()
        }
        if st.form_submit_button("Opnieuw controleren", key=action_key(action)):
            try:
                counts, _ = check_again(store, {number: edited}, settings=settings(),
                                        services=services())  # fmt: skip
            except GeoError as error:
                st.error(str(error))
            else:
                if counts["accepted"]:
                    store.close()
                    changed("Verbeterd en aangenomen; de deelnemer heeft een gebied.")
                if counts["pending"]:
                    store.close()
                    changed(
                        "Verbeterd; het adres is nog niet gevonden (zie hieronder).", kind="warning"
                    )
                reason = store.applicants("rejected")["reason"].iloc[-1]
                store.close()
                changed(f"Nog steeds niet aangenomen: {reason}", kind="error")


def services() -> list[OnlineService]:
    """The online part of the geocoding chain when the planner allows it."""
    return online_services(settings()) if online else []


fixable = {
    f"{name} — {reason}": (number, cells)
    for number, name, reason, cells in store.rejected_with_cells()
    if cells
}
if fixable:
    correct(fixable, title="Een afgewezen aanmelding verbeteren", choice="verbeter_keuze",
            form="verbeteren", action="opnieuw_controleren")  # fmt: skip
st.subheader("Wachten op een adres")
waiting = waiting_list(store)
if waiting.empty:
    st.caption("Niemand wacht op een adres.")
else:
    st.dataframe(waiting[["naam", "adres", "reden"]], key="wachtend", hide_index=True)
    if st.button(
        "Opnieuw opzoeken",
        key=action_key("opnieuw_opzoeken"),
        help="Register en cache, en online als dat hierboven aan staat.",
    ):
        try:
            counts, _ = check_again(store, waiting_cells(store), settings=settings(),
                                    services=services())  # fmt: skip
        except GeoError as error:
            st.error(str(error))
        else:
            store.close()
            changed(
                f"Opnieuw opgezocht: {counts['accepted']} gevonden en geplaatst, "
                f"{counts['pending']} wachten nog op een adres, {counts['rejected']} afgewezen.",
                kind="success" if counts["accepted"] else "warning",
            )
    to_fix = {f"{row.naam} — {row.adres}": row.id for row in waiting.itertuples()}
    cells_of = waiting_cells(store)
    correct(
        {label: (int(i), cells_of[int(i)]) for label, i in to_fix.items()},
        title="Een adres verbeteren",
        choice="adres_keuze",
        form="adres_verbeteren",
        action="adres_controleren",
    )
st.subheader("Deelnemers")
accepted = store.applicants("accepted")
st.dataframe(
    accepted[["naam", "straat", "huisnummer", "area_id", "beheerder"]].rename(
        columns={"area_id": "gebied", "beheerder": "wil beheerder zijn"}
    ),
    key="deelnemers",
    hide_index=True,
)
if st.session_state.get(ROLE) == PLANNER:
    st.subheader("Iemand verwijderen (afmelding of AVG-verzoek)")
    st.caption(
        "De persoon verdwijnt overal uit het project, ook uit de geschiedenis (zoals "
        "`project forget`); de geschiedenis houdt alleen bij dat er iemand is verwijderd."
    )
    regions = settings().phone_regions
    people = people_to_forget(store, regions=regions)
    who = st.selectbox("Wie", list(people), index=None, key="verwijder_keuze")
    if who is not None and st.button("Verwijderen…", key="verwijder_vragen"):
        st.session_state[FORGET] = who
    asked = st.session_state.get(FORGET)
    if asked is not None and asked in people:
        st.warning(f"{asked} definitief verwijderen? Dit kan niet ongedaan worden gemaakt.")
        yes, no = st.columns(2)
        if yes.button("Ja, definitief verwijderen", key=action_key("verwijderen"), type="primary"):
            removed = store.forget(people[asked], regions=regions)
            store.close()
            st.session_state.pop(FORGET, None)
            changed(f"Verwijderd: {removed} aanmelding(en) van deze persoon.")
        if no.button("Annuleren", key="verwijder_annuleren"):
            st.session_state.pop(FORGET, None)
            st.rerun()
store.close()
