"""Groepen starten: from a plan to working WhatsApp groups, and the members' message.

Per area the members' way into the group (aangemeld → ingedeeld → toegevoegd → bericht
verstuurd): the beheerder or planner ticks who is in the WhatsApp group, the planner marks the
group operational (with its invite link, when there is one), previews a member's message and
sends it: by e-mail through the planner's SMTP server, as e-mail drafts to send by hand, or as
WhatsApp links for members without e-mail. Every member gets one message (see geo.notify).

Every change is saved before anything else is drawn and the page is drawn again
(:func:`views.common.changed`), so the new state shows at once and a button cannot act twice.
"""

from __future__ import annotations

import contextlib
import os

import pandas as pd
import streamlit as st

from geo import notify
from geo.errors import GeoError
from geo.messages import (
    CHANNEL_LABELS,
    EMAIL,
    EML,
    NO_CHANNEL,
    WHATSAPP,
    Group,
    Member,
    links_html,
)
from geo.store import STAGES, Store
from geo.wording import counted, noun
from views.common import (
    CHOOSE,
    action_key,
    allow,
    changed,
    local_times,
    md,
    no_plan,
    show_notice,
    store_or_stop,
)

AREA = "groepen_gebied"
MADE = "groepen_gemaakt"  # drafts and link pages made in this session, to download
ZIP_MIME = "application/zip"
HTML_MIME = "text/html"
SMTP_HELP = (
    "E-mail versturen kan pas als de SMTP-server van het wijkplatform is ingesteld. Zet in de "
    "omgeving of in de Streamlit-secrets (`.streamlit/secrets.toml`): `GEO_SMTP_HOST` (de "
    "server, bv. `smtp.gmail.com`), `GEO_SMTP_PORT` (465 voor SSL, 587 voor STARTTLS), "
    "`GEO_SMTP_USER` (de gebruikersnaam), `GEO_SMTP_FROM` (het afzenderadres, als dat anders "
    "is) en `GEO_SMTP_PASSWORD` (het wachtwoord of app-wachtwoord; alleen in de omgeving of de "
    "secrets, nooit in een bestand dat gedeeld wordt). Start de app daarna opnieuw. Tot dan "
    "kunt u hieronder e-mailconcepten maken en zelf versturen."
)


def environment() -> dict[str, str]:
    """The environment with the Streamlit secrets over it (flat keys only)."""
    found = dict(os.environ)
    with contextlib.suppress(FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        found.update({k: str(v) for k, v in st.secrets.items() if isinstance(v, str | int)})
    return found


def smtp_config() -> tuple[notify.SmtpConfig | None, str]:
    """The SMTP settings, or ``None`` and why not."""
    try:
        config = notify.SmtpConfig.from_env(environment())
    except GeoError as error:
        return None, str(error)
    if config is None:
        return None, ""
    if config.user and not config.password:
        return None, f"{notify.PASSWORD_VARIABLE} ontbreekt"
    return config, ""


def member_label(member: Member) -> str:
    return f"{member.name} (lid {member.applicant_id})"


def role_of(member: Member, group: Group) -> str:
    if member.applicant_id == group.beheerder_id:
        return "beheerder"
    return "co-beheerder" if member.applicant_id in group.co_beheerder_ids else ""


def member_table(store: Store, area_id: int, group: Group) -> pd.DataFrame:
    """Per member: id, name, role, channel, stage, when added and when messaged."""
    progress = {int(r["id"]): r for r in store.progress().to_dict("records")}
    rows = []
    for member, stage in notify.members_of(store, area_id):
        step = progress[member.applicant_id]
        used = step["channel"] or None  # how the message went, once it went
        rows.append(
            {
                "lid": member.applicant_id,
                "naam": member.name,
                "rol": role_of(member, group),
                "kanaal": CHANNEL_LABELS[used if isinstance(used, str) else member.channel],
                "status": stage,
                "toegevoegd op": step["added"],
                "bericht op": step["sent"],
            }
        )
    table = pd.DataFrame(rows)
    if len(table):
        for column in ("toegevoegd op", "bericht op"):
            table[column] = local_times(table[column])
    return table


def added_section(store: Store, area_id: int, members: list[tuple[Member, str]]) -> None:
    """Tick members as added to the WhatsApp group (chosen ones, or the whole area)."""
    st.subheader("Toegevoegd aan de WhatsApp-groep")
    st.caption(
        "De beheerder voegt de leden toe (uit de vCard van het beheerderspakket). Vink hier aan "
        "wie in de groep zit."
    )
    waiting = [m for m, stage in members if stage == STAGES[1]]
    labels = {m.applicant_id: member_label(m) for m, _stage in members}
    if waiting:
        mark_added(store, area_id, waiting, labels)
    else:  # no empty list to choose from (Streamlit's own placeholder is English)
        st.caption(
            "Alle leden van dit gebied staan als toegevoegd."
            if members
            else "Dit gebied heeft nog geen leden."
        )
    undo_added(store, area_id, [m for m, stage in members if stage == STAGES[2]], labels)


def mark_added(store: Store, area_id: int, waiting: list[Member], labels: dict[int, str]) -> None:
    """Chosen members, or all waiting ones, ticked as added to the group."""
    chosen = st.multiselect(
        "Leden die in de groep zitten",
        [m.applicant_id for m in waiting],
        format_func=lambda i: labels[i],
        key=f"toevoegen_{area_id}",
        placeholder="Kies leden",
    )
    left, right = st.columns(2)
    if left.button(
        "Gekozen leden toegevoegd", key=action_key("leden_toegevoegd"), disabled=not chosen
    ):
        count = notify.mark_area_added(store, area_id, chosen)
        store.close()
        changed(
            f"{counted(count, 'lid', 'leden')} van gebied {area_id} "
            f"{noun(count, 'staat', 'staan')} als toegevoegd."
        )
    if right.button("Hele gebied toegevoegd", key=action_key("gebied_toegevoegd")):
        count = notify.mark_area_added(store, area_id, [m.applicant_id for m in waiting])
        store.close()
        rest = noun(count, "Het laatste lid", f"Alle {count} overige leden")
        changed(f"{rest} van gebied {area_id} {noun(count, 'staat', 'staan')} als toegevoegd.")


def undo_added(store: Store, area_id: int, done: list[Member], labels: dict[int, str]) -> None:
    """Members ticked by mistake, no longer added."""
    if done:
        with st.expander("Toegevoegd terugdraaien"):
            undo = st.multiselect(
                "Leden die toch niet in de groep zitten",
                [m.applicant_id for m in done],
                format_func=lambda i: labels[i],
                key=f"niet_toegevoegd_{area_id}",
            )
            if st.button("Terugdraaien", key=action_key("terugdraaien"), disabled=not undo):
                count = notify.mark_area_added(store, area_id, undo, added=False)
                store.close()
                changed(f"{counted(count, 'lid staat', 'leden staan')} niet meer als toegevoegd.")


def launch_section(store: Store, area_id: int, launched: dict[int, str]) -> None:
    """Mark the group operational, with or without its invite link."""
    st.subheader("Groep operationeel")
    if area_id in launched:
        link = launched[area_id]
        st.success(
            f"De groep van gebied {area_id} is operationeel"
            + (f" (uitnodigingslink: {link})." if link else " (zonder uitnodigingslink).")
        )
    else:
        st.info(
            "Nog niet operationeel: leden krijgen pas bericht als de groep bestaat. Markeer "
            "hem als operationeel zodra de beheerder de groep heeft gemaakt."
        )
    with st.form(f"groep_starten_{area_id}", enter_to_submit=False):
        link = st.text_input(
            "Uitnodigingslink van de groep (mag leeg)",
            value=launched.get(area_id, ""),
            placeholder="https://chat.whatsapp.com/…",
            help="WhatsApp: groepsinfo → Uitnodigen via link → Link kopiëren. Met de link "
            "kunnen leden die nog niet zijn toegevoegd zelf meedoen.",
            key=f"uitnodigingslink_{area_id}",
        )
        label = "Link bijwerken" if area_id in launched else "Groep operationeel maken"
        if st.form_submit_button(label, key=action_key("starten")):
            try:
                notify.launch(store, area_id, invite_link=link)
            except GeoError as error:
                st.error(f"Niet opgeslagen: {md(error)}")
            else:
                store.close()
                changed(f"Gebied {area_id} is operationeel.")


def preview_section(store: Store, area_id: int, members: list[tuple[Member, str]]) -> None:
    st.subheader("Voorbeeld van het bericht")
    if not members:  # no empty list to choose from (Streamlit's own placeholder is English)
        st.caption("Dit gebied heeft nog geen leden: er is geen bericht om te bekijken.")
        return
    labels = {m.applicant_id: member_label(m) for m, _stage in members}
    chosen = st.selectbox(
        "Bericht aan", list(labels), format_func=lambda i: labels[i], key=f"voorbeeld_{area_id}"
    )
    if chosen is not None:
        message = notify.preview(store, area_id, int(chosen))
        st.markdown(f"**{message.subject}**")
        st.code(message.body, language=None, wrap_lines=True)


def send_section(store: Store, area_id: int) -> None:
    """Send by e-mail, or make drafts and WhatsApp links, for members not messaged yet."""
    st.subheader("Berichten versturen")
    config, problem = smtp_config()
    todo = notify.batch(store, area_id, domain=config.domain if config else "")
    counts = todo.counts()
    st.markdown(
        f"Nog te versturen: **{counts[EMAIL]}** per e-mail, "
        f"**{counts[WHATSAPP]}** via WhatsApp-link, **{counts[NO_CHANNEL]}** "
        f"zonder e-mail of mobiel nummer; {counted(todo.already_sent, 'lid had', 'leden hadden')} al bericht."
    )
    if counts[NO_CHANNEL]:
        st.caption(
            "Leden zonder e-mail en zonder mobiel nummer: bel hen of breng een brief (het "
            "voorbeeld hierboven is de tekst)."
        )
    sender_name = f"Wijkplatform {todo.group.wijk}"
    email_part(store, todo, config, problem, sender_name)
    made = st.session_state.setdefault(MADE, {})
    drafts_key, links_key = f"eml_{area_id}", f"wa_{area_id}"
    left, right = st.columns(2)
    sender = config.sender if config else environment().get("GEO_PLATFORM_EMAIL", "")
    if counts[EMAIL] and left.button(
        f"{counted(counts[EMAIL], 'e-mailconcept', 'e-mailconcepten')} maken (.eml)",
        key=action_key("concepten"),
    ):
        messages = todo.on(EMAIL)
        made[drafts_key] = notify.drafts_zip(messages, sender=sender, sender_name=sender_name)
        notify.record(store, messages, EML)
        store.close()
        changed(
            f"{counted(len(messages), 'e-mailconcept', 'e-mailconcepten')} gemaakt; ze staan als "
            "verstuurd. Download ze "
            "hieronder en verstuur ze zelf."
        )
    if counts[WHATSAPP] and right.button(
        f"{counted(counts[WHATSAPP], 'WhatsApp-link', 'WhatsApp-links')} maken",
        key=action_key("whatsapp_links"),
    ):
        messages = todo.on(WHATSAPP)
        page = links_html(messages, title=f"Berichten {todo.group.name}")
        made[links_key] = page.encode("utf-8")
        notify.record(store, messages, WHATSAPP)
        store.close()
        changed(
            f"{counted(len(messages), 'WhatsApp-link', 'WhatsApp-links')} gemaakt; download de "
            "pagina voor de beheerder."
        )
    if drafts_key in made:
        left.download_button(
            "E-mailconcepten (zip)", made[drafts_key], file_name=f"concepten-gebied-{area_id}.zip",
            mime=ZIP_MIME, key=f"download_concepten_{area_id}", on_click="ignore",
        )  # fmt: skip
    if links_key in made:
        right.download_button(
            "WhatsApp-links (HTML)", made[links_key],
            file_name=f"whatsapp-links-gebied-{area_id}.html", mime=HTML_MIME,
            key=f"download_links_{area_id}", on_click="ignore",
        )  # fmt: skip
    if made.get(drafts_key) or made.get(links_key):
        st.caption(
            "Deze bestanden bevatten persoonsgegevens: alleen voor de beheerder, verwijder ze "
            "nadat de berichten zijn verstuurd."
        )


def email_part(
    store: Store,
    todo: notify.Batch,
    config: notify.SmtpConfig | None,
    problem: str,
    sender_name: str,
) -> None:
    area_id = todo.group.area_id
    count = todo.counts()[EMAIL]
    if config is None:
        if problem:
            st.warning(f"De SMTP-instellingen kloppen niet: {problem}.")
        st.info(SMTP_HELP)
        return
    st.caption(f"Via {config.host}:{config.port} ({config.security}), afzender {config.sender}.")
    if not count:
        return
    rate = st.number_input(
        "E-mails per minuut", min_value=1, max_value=600, value=notify.DEFAULT_RATE,
        key="groepen_snelheid", help="Veel providers accepteren niet meer dan enkele tientallen "
        "berichten per minuut van één gebruiker.",
    )  # fmt: skip
    sure = st.checkbox(
        f"Ja, verstuur nu {counted(count, 'e-mail', 'e-mails')} aan de leden van gebied {area_id}",
        key=f"zeker_{area_id}_{st.session_state.get('wijzigingen', 0)}",
    )
    if st.button(
        f"{counted(count, 'e-mail', 'e-mails')} versturen",
        key=action_key("versturen"),
        disabled=not sure,
    ):
        bar = st.progress(0.0, text="Versturen…")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=f"{done} van {total}")

        try:
            with notify.smtp_transport(config) as transport:
                report = notify.send_email(
                    store, todo.messages, transport, sender=config.sender,
                    sender_name=sender_name, rate=float(rate),
                    progress=progress,
                )  # fmt: skip
        except GeoError as error:
            store.close()
            changed(f"Niet verstuurd: {md(error)}", kind="error")
            return
        store.close()
        text = f"{counted(len(report.sent), 'e-mail', 'e-mails')} verstuurd."
        if report.refused:
            text += f" De server weigerde het adres van lid {', '.join(map(str, report.refused))}."
        if report.stopped:
            text += (
                f" Gestopt: {report.stopped}; {report.left} nog niet verstuurd. Klik later "
                "opnieuw om verder te gaan: niemand krijgt iets twee keer."
            )
        changed(text, kind="warning" if report.stopped or report.refused else "success")


allow("groepen")
st.title("Groepen starten")
show_notice()
store = store_or_stop()
status = notify.status_per_area(store)
if status.empty:
    st.info(no_plan(store))
    store.close()
    st.stop()
st.subheader("Stand per gebied")
st.dataframe(status, key="groepen_stand", hide_index=True)
unplaced = notify.unplaced_count(store)
if unplaced:
    st.caption(
        f"{counted(unplaced, 'aanmelding heeft', 'aanmeldingen hebben')} nog geen gebied "
        "(aangemeld): deel ze in op de pagina Gebieden (Nu indelen)."
    )
launched = notify.operational(store)
areas = [int(a) for a in status["gebied"]]
area_id = st.selectbox(
    "Gebied",
    areas,
    format_func=lambda a: f"Gebied {a}",  # a fixed label: a changing one resets the choice
    key=AREA,
    placeholder=CHOOSE,
)
group = notify.group_of(store, int(area_id))
members = notify.members_of(store, int(area_id))
st.markdown(f"**{md(group.name)}**" + (" — operationeel" if int(area_id) in launched else ""))
row = {str(k): v for k, v in status.loc[status["gebied"] == int(area_id)].iloc[0].items()}
columns = st.columns(4)
for column, stage in zip(columns, ("leden", *STAGES[1:]), strict=True):
    column.metric(stage, int(row[stage]))
if members:
    st.dataframe(member_table(store, int(area_id), group), key="groepen_leden", hide_index=True)
else:  # not an empty table (Streamlit's own placeholder is English)
    st.caption("Nog geen leden: de ledenlijst van dit gebied is leeg.")
added_section(store, int(area_id), members)
launch_section(store, int(area_id), launched)
preview_section(store, int(area_id), members)
if int(area_id) in launched and group.beheerder is None and not group.invite_link:
    st.subheader("Berichten versturen")
    st.warning(
        "Deze groep heeft geen beheerder meer en geen uitnodigingslink: kies eerst een nieuwe "
        "beheerder op de pagina Beheerders, of geef hierboven de link; daarna kunt u de leden "
        "weer bericht sturen."
    )
elif int(area_id) in launched:
    send_section(store, int(area_id))
else:
    st.subheader("Berichten versturen")
    st.info("Eerst de groep operationeel maken; daarna kunt u de leden bericht sturen.")
store.close()
