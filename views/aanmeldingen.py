"""Aanmeldingen: upload sign-ups or read the mailbox, see who was accepted and why others were
not, check what the intake was unsure of, correct, remove, and tell who changed group.

Every action is handled before the counters and tables are drawn; a form that changed the
project draws the page again. A double click imports, adds or corrects nothing twice: an
uploaded file is read once (choose it again to read it again), the forms' buttons get a new
key after every change, and the mailbox gives each message once.
"""

from __future__ import annotations

import json
import os
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from geo.access import PLANNER
from geo.errors import GeoError
from geo.geocode import OnlineService, Progress
from geo.mail_imap import PASSWORD_VARIABLE
from geo.project import (
    check_again,
    correction_form,
    import_mailbox,
    import_person,
    import_upload,
    moved_since,
    people_to_forget,
    waiting_cells,
    waiting_list,
    with_source,
)
from geo.rosters import roster_csv
from geo.wording import counted
from geo.workflow import online_services
from views.common import (
    CHOOSE,
    ROLE,
    action_key,
    allow,
    changed,
    local_times,
    md,
    placement_text,
    safe_settings,
    settings,
    show_notice,
    store_or_stop,
)
from views.correction import choose_member, member_correction

READ = "ingelezen_bestand"
FORGET = "te_verwijderen"
CLEAR = "afgewezen_wissen"
EMPTY_FORM = "formulier_leegmaken"
FIX_MEMBER = "te_verbeteren_lid"
PERSON_KEYS = ("f_naam", "f_adres", "f_postcode", "f_woonplaats", "f_leeftijd", "f_telefoon",
               "f_email", "f_beheerder")  # fmt: skip
URL_VARIABLE = "GEO_IMAP_URL"
SOURCE_LABELS = {"afzender": "Van", "bericht_datum": "Datum", "onderwerp": "Onderwerp"}


def configured(name: str) -> str:
    """A setting from Streamlit secrets, else the environment ("" when neither has it)."""
    try:
        value = st.secrets.get(name)
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        value = None
    return str(value or os.environ.get(name, ""))


def progress_bar(text: str) -> Progress:
    bar = st.progress(0.0, text=text)

    def report(done: int, total: int) -> None:
        bar.progress(
            done / max(total, 1), text=f"{done} van {counted(total, 'adres', 'adressen')} opgezocht"
        )

    return report


def read_counts(counts: dict[str, int]) -> str:
    return (
        f"{counted(counts['rows'], 'regel', 'regels')} gelezen: {counts['accepted']} aangenomen, "
        f"{counts['rejected']} afgewezen, "
        f"{counted(counts['pending'], 'wacht', 'wachten')} op een adres, "
        f"{counts.get('already', 0)} al aangemeld"
    )


def services() -> list[OnlineService]:
    """The online part of the geocoding chain when the planner allows it."""
    return online_services(safe_settings()) if online else []


def show_message(text: str, source: dict[str, str], *, key: str) -> None:
    """The sender's own text of an e-mail sign-up, with where it came from."""
    about = [f"{label}: {md(source[field])}" for field, label in SOURCE_LABELS.items()
             if source.get(field)]  # fmt: skip
    st.markdown("**Oorspronkelijk bericht**")
    if about:
        st.caption(" · ".join(about))
    st.text_area("Bericht", value=text, height=260, disabled=True, key=key,
                 label_visibility="collapsed")  # fmt: skip


allow("aanmeldingen")
st.title("Aanmeldingen")
show_notice()
store = store_or_stop()
planner = st.session_state.get(ROLE) == PLANNER
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
    first = store.status().areas == 0
    try:
        counts, placement = import_upload(
            store,
            upload.name,
            upload.getvalue(),
            settings=settings(),
            services=services(),
            progress=progress_bar("Aanmeldingen controleren en adressen opzoeken…"),
        )
    except GeoError as error:
        st.error(md(error))
    else:
        st.session_state[READ] = upload.file_id  # everything below is drawn after the import
        st.success(f"{read_counts(counts)}. {placement_text(placement, first=first, done=True)}")
        waited = placement.placed - counts["accepted"]
        if waited > 0:  # sign-ups an undo left without an area went along
            st.info(
                f"Daarbij ook {counted(waited, 'aanmelding', 'aanmeldingen')} die al op een gebied wachtte{'' if waited == 1 else 'n'}."
            )
        for line in counts.replacements():  # earlier rejects (named) and waiting rows replaced
            st.info(md(line))
        for note in counts.notes:  # which sheet was read, columns left unread, ...
            st.info(md(note))

# --- straight from the mailbox (IMAP) ---------------------------------------------------------
mailbox_url = configured(URL_VARIABLE)
if mailbox_url:
    parts = urlsplit(mailbox_url)
    folder = parts.path.lstrip("/") or "INBOX"
    st.caption(
        f"Mailbox: map {folder} op {parts.hostname or '?'}. Alleen nieuwe e-mails worden "
        "gelezen; de mail blijft ongewijzigd (niet gelezen gemarkeerd, verplaatst of verwijderd)."
    )
    password = configured(PASSWORD_VARIABLE)
    if not password:
        st.warning(
            f"Er is geen wachtwoord voor de mailbox ingesteld: zet {PASSWORD_VARIABLE} in "
            "`.streamlit/secrets.toml` of als omgevingsvariabele (bij Gmail: een app-wachtwoord)."
        )
    elif st.button("Mailbox lezen", key=action_key("mailbox_lezen")):
        try:
            read = import_mailbox(
                store,
                mailbox_url,
                password,
                settings=settings(),
                services=services(),
                progress=progress_bar("E-mails lezen en adressen opzoeken…"),
            )
        except GeoError as error:
            st.error(md(error))
        else:
            store.close()
            renumbered = (
                " De map was door de server opnieuw genummerd: alle e-mails zijn opnieuw gelezen."
                if read.reset
                else ""
            )
            if read.placement is None:
                changed(f"Geen nieuwe e-mails in {folder}.{renumbered}", kind="success")
            changed(
                f"{counted(read.messages, 'nieuwe e-mail', 'nieuwe e-mails')} gelezen. {read_counts(read.counts)}; "
                f"{read.placement.placed if read.placement else 0} geplaatst.{renumbered}",
                # as after an upload: which sheet was read, columns left unread, ...
                notes=[md(note) for note in getattr(read.counts, "notes", ())],
            )
else:
    with st.expander("Aanmeldingen rechtstreeks uit de mailbox lezen"):
        st.markdown(
            "Er is nog geen mailbox ingesteld. Zet in `.streamlit/secrets.toml` (of als "
            "omgevingsvariabelen op de server):\n\n"
            f'- `{URL_VARIABLE} = "imaps://GEBRUIKER@imap.gmail.com/INBOX"` — het adres van '
            "de mailbox en de map met aanmeldingen;\n"
            f'- `{PASSWORD_VARIABLE} = "…"` — het wachtwoord (bij Gmail: een app-wachtwoord, '
            "te maken onder Google-account → Beveiliging → App-wachtwoorden).\n\n"
            "Start de app daarna opnieuw; hier verschijnt dan de knop **Mailbox lezen**. Het "
            "wachtwoord komt nooit in het project of in een logboek. Alleen e-mails die nog niet "
            "gelezen zijn worden opgehaald, en de mail blijft ongewijzigd."
        )

# --- one person by hand -------------------------------------------------------------------------
if st.session_state.pop(EMPTY_FORM, False):  # the last person was accepted: an empty form
    for person_key in PERSON_KEYS:
        st.session_state.pop(person_key, None)
with st.form("een_persoon", enter_to_submit=False):
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
            accepted_now, reason = import_person(store, person, settings=settings())
        except GeoError as error:
            st.error(f"Niet aangenomen: {md(error)}")
        else:
            store.close()
            if accepted_now:
                st.session_state[EMPTY_FORM] = True
                changed(f"{md(person['Naam'])} is aangemeld en heeft een gebied.")
            changed(  # the typed fields stay, to correct them
                f"Niet aangenomen: {md(reason)}. Verbeter de gegevens hieronder en probeer opnieuw.",
                kind="error",
            )

# --- counters and rejects -----------------------------------------------------------------------
status = store.status()
left, middle, right = st.columns(3)
left.metric("Aangenomen", status.applicants["accepted"])
middle.metric("Afgewezen", status.applicants["rejected"])
right.metric("Wachten op een adres", status.applicants["pending"])
st.subheader("Afgewezen, met de reden")
rejected = store.applicants("rejected")
# Rows of several uploads: when each was read tells them apart (regel = its row in that file).
shown = rejected.assign(ingelezen=local_times(rejected["created"]))
if rejected.empty:  # not an empty table (Streamlit's own placeholder is English)
    st.caption("Niemand is afgewezen.")
else:
    st.dataframe(shown[["ingelezen", "row", "naam", "reason"]].rename(columns={"row": "regel",
                 "reason": "reden"}), key="afgewezen", hide_index=True)  # fmt: skip
if planner and len(rejected):
    if st.button("Afgewezen aanmeldingen wissen…", key="wissen_vragen",
                 help="Als u ze heeft nagelopen: de gegevens van afgewezen aanmeldingen "
                      "(ook de oorspronkelijke e-mails) verdwijnen uit het project."):  # fmt: skip
        st.session_state[CLEAR] = True
    if st.session_state.get(CLEAR):
        st.warning(
            (
                "De afgewezen aanmelding"
                if len(rejected) == 1
                else f"Alle {len(rejected)} afgewezen aanmeldingen"
            )
            + " definitief wissen, met de gegevens en e-mailtekst? Dit kan niet ongedaan worden "
            "gemaakt; de geschiedenis houdt bij dat er gewist is."
        )
        yes, no = st.columns(2)
        if yes.button("Ja, wissen", key=action_key("wissen"), type="primary"):
            removed = store.clear_rejects()
            store.close()
            st.session_state.pop(CLEAR, None)
            changed(f"{counted(removed, 'afgewezen aanmelding', 'afgewezen aanmeldingen')} gewist.")
        if no.button("Annuleren", key="wissen_annuleren"):
            st.session_state.pop(CLEAR, None)
            st.rerun()


def correct(
    fixable: dict[str, tuple[int, dict[str, str]]],
    *,
    title: str,
    choice: str,
    form: str,
    action: str,
) -> None:
    """Choose a sign-up, correct its cells (beside the e-mail it came from) and check it again
    (rejects and waiting ones)."""
    st.markdown(f"**{md(title)}**")
    chosen = st.selectbox("Welke", list(fixable), index=None, key=choice,
                          placeholder="Kies een aanmelding")  # fmt: skip
    if chosen is None:
        return
    number, cells = fixable[chosen]
    layout = correction_form(cells)
    if layout.message:
        beside, place = st.columns(2)
        with beside:
            show_message(layout.message, layout.source, key=f"bericht_{number}")
    else:
        place = st.container()
    with place:
        if layout.check:
            st.info(f"Te controleren: {md(layout.check)}")
        if layout.history:
            st.caption(md(layout.history))
        with st.form(form, enter_to_submit=False):
            edited = {
                header: st.text_input(header, value=value, key=f"cel_{number}_{header}")
                for header, value in layout.fields.items()
            }
            sent = st.form_submit_button("Opnieuw controleren", key=action_key(action))
    if sent:
        try:
            counts, _ = check_again(store, {number: layout.cells(edited)}, settings=settings(),
                                    services=services())  # fmt: skip
        except GeoError as error:
            st.error(md(error))
        else:
            if counts["accepted"]:
                store.close()
                changed("Verbeterd en aangenomen; de deelnemer heeft een gebied.")
            if counts["pending"]:
                store.close()
                changed(
                    "Verbeterd; het adres is nog niet gevonden (zie hieronder).", kind="warning"
                )
            if counts.get("already"):
                store.close()
                changed("Verbeterd: deze persoon stond al in het project.", kind="warning")
            reason = store.applicants("rejected")["reason"].iloc[-1]
            store.close()
            changed(f"Nog steeds niet aangenomen: {md(reason)}", kind="error")


fixable = {
    f"{name or '(geen naam)'} — {reason} (nr. {number})": (number, cells)
    for number, name, reason, cells in store.rejected_with_cells()
    if cells
}
if fixable:
    correct(fixable, title="Een afgewezen aanmelding verbeteren", choice="verbeter_keuze",
            form="verbeteren", action="opnieuw_controleren")  # fmt: skip

# --- waiting for an address ---------------------------------------------------------------------
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
            again = with_source(store, waiting_cells(store))
            counts, _ = check_again(store, again, settings=settings(), services=services())
        except GeoError as error:
            st.error(md(error))
        else:
            store.close()
            changed(
                f"Opnieuw opgezocht: {counts['accepted']} gevonden en geplaatst, "
                f"{counted(counts['pending'], 'wacht', 'wachten')} nog op een adres, "
                f"{counts['rejected']} afgewezen.",
                kind="success" if counts["accepted"] else "warning",
            )
    to_fix = dict(zip(waiting["naam"] + " — " + waiting["adres"], waiting["id"], strict=True))
    cells_of = with_source(store, waiting_cells(store))
    correct(
        {str(label): (int(i), cells_of[int(i)]) for label, i in to_fix.items()},
        title="Een adres verbeteren",
        choice="adres_keuze",
        form="adres_verbeteren",
        action="adres_controleren",
    )

# --- members, and what to check -----------------------------------------------------------------
st.subheader("Deelnemers")
accepted = store.applicants("accepted")
to_check = accepted.loc[accepted["opmerking"].fillna("").str.strip() != ""]
only_to_check = st.checkbox(f"Alleen te controleren ({len(to_check)})", key="alleen_controleren")
shown = to_check if only_to_check else accepted
if shown.empty:  # not an empty table (Streamlit's own placeholder is English)
    st.caption("Geen aanmeldingen te controleren." if len(accepted) else "Nog geen deelnemers.")
else:
    st.dataframe(
        shown.assign(
            gebied=shown["area_id"].astype("Int64"),
            huisnummer=pd.to_numeric(shown["huisnummer"], errors="coerce").astype("Int64"),
            beheerder=shown["beheerder"].astype(bool).map({True: "ja", False: "nee"}),
        )[["naam", "straat", "huisnummer", "huisletter", "toevoeging", "postcode", "telefoon",
           "gebied", "beheerder", "opmerking"]].rename(
            columns={"beheerder": "wil beheerder zijn", "opmerking": "te controleren"}
        ),
        key="deelnemers",
        hide_index=True,
    )  # fmt: skip
if len(to_check):
    st.markdown("**Te controleren**")
    st.caption(
        "Bij deze aanmeldingen was het inlezen niet zeker, of vraagt een gegeven aandacht "
        "(bijvoorbeeld een vast nummer zonder WhatsApp). Klopt alles, kies dan **Klopt**: de "
        "opmerking en de bewaarde e-mailtekst verdwijnen. Klopt iets niet, kies **Verbeteren…** "
        "(de verbeterde gegevens worden gecontroleerd zoals bij het inlezen; de deelnemer houdt "
        "gebied, rol en voortgang, en een nieuw adres in een ander gebied ziet u eerst als "
        "verhuizing) of verwijder de aanmelding."
    )
    labels = {
        f"{name} — {remark} (nr. {number})": int(number)
        for name, remark, number in zip(
            to_check["naam"], to_check["opmerking"], to_check["id"], strict=True
        )
    }
    picked = st.selectbox("Welke", list(labels), index=None, key="controle_keuze",
                          placeholder="Kies een aanmelding")  # fmt: skip
    if picked is not None:
        member_id = labels[picked]
        member = to_check.loc[to_check["id"] == member_id].iloc[0]
        source = json.loads(str(member["bron"] or "{}"))
        fields_side = st.container()
        if source.get("bericht"):
            beside, fields_side = st.columns(2)
            with beside:
                show_message(str(source["bericht"]), source, key=f"bron_{member_id}")
        with fields_side:
            st.info(f"Opmerking bij het inlezen: {md(member['opmerking'])}")

            def cell(name: str) -> str:
                value = member[name]
                return "" if value is None or pd.isna(value) else str(value)

            number = cell("huisnummer").removesuffix(".0") + cell("huisletter")
            number += f"-{cell('toevoeging')}" if cell("toevoeging") else ""
            st.markdown(
                f"**Naam:** {md(cell('naam'))}  \n**Adres:** {md(cell('straat'))} {md(number)}  \n"
                f"**Postcode:** {md(cell('postcode'))}  \n"
                f"**Woonplaats:** {md(cell('woonplaats'))}  \n"
                f"**Telefoon:** {md(cell('telefoon'))}  \n**E-mail:** {md(cell('email'))}  \n"
                f"**Wil beheerder zijn:** {'ja' if member['beheerder'] else 'nee'}  \n"
                f"**Gebied:** {cell('area_id').removesuffix('.0') or 'nog geen'}"
            )
            good, fix, wrong = st.columns(3)
            if good.button("Klopt", key=action_key("klopt"), type="primary"):
                store.mark_checked([member_id])
                store.close()
                changed(f"{md(cell('naam'))} is gecontroleerd.")
            if fix.button("Verbeteren…", key="lid_verbeteren_vragen"):
                st.session_state[FIX_MEMBER] = member_id
            if wrong.button("Verwijderen…", key="controle_verwijderen"):
                match = next(
                    (label for label in people_to_forget(store, regions=safe_settings().phone_regions)
                     if label.endswith(f"nr. {member_id})")),
                    None,
                )  # fmt: skip
                st.session_state[FORGET] = match
                st.caption("Bevestig het verwijderen onderaan de pagina.")
            if st.session_state.get(FIX_MEMBER) == member_id:
                member_correction(store, member_id, prefix="lid", services=services(),
                                  done_key=FIX_MEMBER)  # fmt: skip
if len(accepted):
    choose_member(store, accepted, services=services())

# --- who changed group --------------------------------------------------------------------------
history = store.history()
changes = history.loc[history["undoable"]].iloc[::-1]
if len(changes):
    st.subheader("Van groep veranderd")
    st.caption(
        "Leden die sinds een wijziging (inlezen, opnieuw indelen, een straat verplaatsen, …) in "
        "een andere groep zitten: zij moeten het horen. Kies de wijziging vanaf wanneer."
    )
    entries = {
        f"{moment} — {action} (nr. {entry})": int(entry)
        for entry, action, moment in zip(
            changes["id"], changes["action"], local_times(changes["at"]), strict=True
        )
    }
    since = st.selectbox("Sinds", list(entries), index=0, key="verhuisd_sinds", placeholder=CHOOSE)
    entry = entries[since]
    moved = moved_since(store, entry)
    if moved.empty:
        st.caption("Sindsdien is niemand van groep veranderd.")
    else:
        table = moved.rename(columns={"van_gebied": "van gebied", "van_naam": "van groep",
                                      "naar_gebied": "naar gebied", "naar_naam": "naar groep"})  # fmt: skip
        st.dataframe(table, key="verhuisd", hide_index=True)
        st.download_button(
            f"Lijst downloaden ({counted(len(moved), 'lid', 'leden')}, Excel)",
            roster_csv(table),
            file_name=f"van-groep-veranderd-sinds-{entry}.csv",
            mime="text/csv",
            key="verhuisd_downloaden",
        )

# --- removing a person --------------------------------------------------------------------------
if planner:
    st.subheader("Iemand verwijderen (afmelding of AVG-verzoek)")
    st.caption(
        "De persoon verdwijnt overal uit het project, ook uit de geschiedenis (zoals "
        "`project forget`); de geschiedenis houdt alleen bij dat er iemand is verwijderd."
    )
    regions = safe_settings().phone_regions  # removal works while the cap is wrong
    people = people_to_forget(store, regions=regions)
    who = st.selectbox("Wie", list(people), index=None, key="verwijder_keuze",
                       placeholder="Kies een persoon")  # fmt: skip
    if who is not None and st.button("Verwijderen…", key="verwijder_vragen"):
        st.session_state[FORGET] = who
    asked = st.session_state.get(FORGET)
    if asked is not None and asked in people:
        st.warning(f"{md(asked)} definitief verwijderen? Dit kan niet ongedaan worden gemaakt.")
        yes, no = st.columns(2)
        if yes.button("Ja, definitief verwijderen", key=action_key("verwijderen"), type="primary"):
            removed = store.forget_sign_up(people[asked], regions=regions)
            store.close()
            st.session_state.pop(FORGET, None)
            changed(
                f"Verwijderd: {counted(removed, 'aanmelding', 'aanmeldingen')} van deze persoon."
            )
        if no.button("Annuleren", key="verwijder_annuleren"):
            st.session_state.pop(FORGET, None)
            st.rerun()
store.close()
