"""The form "Een deelnemer verbeteren": an accepted member's details corrected in place.

The member keeps their number, area, role (beheerder, co-beheerder) and progress (added to the
WhatsApp group, message sent): :meth:`geo.store.Store.correct_applicant`, checked by the
intake's rules. A new address is looked up as a sign-up's is; when it lies in another area the
correction is a move: the page shows it (and which role ends) and saves only when the planner
confirms. A move prepared before another change is not offered.

Used by the Aanmeldingen page: ``member_correction(store, member_id, prefix=..., services=...)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo.errors import GeoError
from geo.geocode import OnlineService
from geo.project import correction_form, member_cells, propose_correction
from geo.store import Correction, Store
from views.common import CHOOSE, action_key, changed, md, settings

PROPOSAL = "verbetering_voorstel"
REMARK = "opmerking"


@dataclass(frozen=True)
class Proposal:
    """A correction that moves a member, waiting for the planner's confirmation."""

    prefix: str
    name: str
    cells: dict[str, str]
    checked: bool
    correction: Correction


def member_labels(accepted: pd.DataFrame) -> dict[str, int]:
    """Accepted members to choose from: ``"naam — telefoon (gebied N, nr. id)"`` to their id."""
    areas = accepted["area_id"].astype("Int64").astype(str).replace("<NA>", "")
    labels = {}
    for number, name, phone, area in zip(
        accepted["id"].astype(int), accepted["naam"], accepted["telefoon"], areas, strict=True
    ):
        where = f"gebied {area}" if area else "nog geen gebied"
        labels[f"{name} — {phone} ({where}, nr. {number})"] = int(number)
    return labels


def choose_member(
    store: Store, accepted: pd.DataFrame, *, services: Sequence[OnlineService]
) -> None:
    """Any member chosen from the list, to correct in place."""
    st.markdown("**Een deelnemer verbeteren**")
    st.caption(
        "Verbeter naam, adres, telefoon, e-mail of de wens om beheerder te zijn. De deelnemer "
        "houdt nummer, gebied, rol (beheerder of co-beheerder) en voortgang. Een nieuw adres in "
        "een ander gebied is een verhuizing: u ziet eerst wat er verandert."
    )
    labels = member_labels(accepted)
    chosen = st.selectbox("Wie", list(labels), index=None, key="deelnemer_keuze",
                          placeholder=CHOOSE)  # fmt: skip
    if chosen is not None:
        member_correction(store, labels[chosen], prefix="deelnemer", services=services)


def current_role(store: Store, member_id: int) -> tuple[str, int | None]:
    """A member's role (``"beheerder"``, ``"co-beheerder"`` or ``""``) and area now."""
    accepted = store.applicants("accepted")
    found = accepted.loc[(accepted["id"] == member_id) & accepted["area_id"].notna()]
    if found.empty:
        return "", None
    area = int(found["area_id"].iloc[0])
    if bool(found["is_beheerder"].iloc[0]):
        return "beheerder", area
    return ("co-beheerder" if member_id in store.co_beheerders().get(area, []) else ""), area


def role_text(role: str, area: int | None) -> str:
    if role == "beheerder":
        return f"beheerder van gebied {area}"
    if role == "co-beheerder":
        return f"co-beheerder van gebied {area}"
    return "deelnemer" if area is None else f"deelnemer in gebied {area}"


def member_correction(
    store: Store,
    member_id: int,
    *,
    prefix: str,
    services: Sequence[OnlineService],
    done_key: str | None = None,
) -> None:
    """The correction form of one member; ``prefix`` keeps its widgets apart from another form
    on the page, ``done_key``: a session key dropped once the correction is saved."""
    cells = member_cells(store, member_id)
    layout = correction_form(cells)
    st.caption(f"Nu: {role_text(*current_role(store, member_id))}. Dit blijft zo, tenzij het "
               "nieuwe adres in een ander gebied ligt.")  # fmt: skip
    with st.form(f"{prefix}_verbeteren", enter_to_submit=False):
        edited = {
            header: st.text_input(header, value=value, key=f"{prefix}_{member_id}_{header}")
            for header, value in layout.fields.items()
        }
        remark = st.text_input("Te controleren (opmerking)", value=cells.get(REMARK, ""),
                               key=f"{prefix}_{member_id}_{REMARK}")  # fmt: skip
        checked = st.checkbox(
            "Alles klopt nu: de opmerking en de bewaarde e-mailtekst mogen weg",
            key=f"{prefix}_{member_id}_klopt",
        )
        sent = st.form_submit_button("Verbetering opslaan", key=action_key(f"{prefix}_controleren"))
    name = edited.get("Naam") or cells.get("Naam", "")
    if sent:
        st.session_state.pop(PROPOSAL, None)
        fields = {**edited, REMARK: remark}
        try:
            correction = propose_correction(store, member_id, fields, settings=settings(),
                                            services=services)  # fmt: skip
        except GeoError as error:
            st.error(f"Niet verbeterd: {md(error)}")
            return
        proposal = Proposal(prefix, name, fields, checked, correction)
        if correction.moves:
            st.session_state[PROPOSAL] = proposal
        else:
            save(store, proposal, done_key=done_key)
    waiting = st.session_state.get(PROPOSAL)
    if (
        isinstance(waiting, Proposal)
        and waiting.prefix == prefix
        and waiting.correction.applicant_id == member_id
    ):
        confirm_move(store, waiting, done_key=done_key)


def move_lines(store: Store, proposal: Proposal) -> list[str]:
    """What a move changes, in Dutch: the move, the role that ends, the group to change."""
    move = proposal.correction
    before, after = move.area_before, move.area_after
    lines = [f"{md(proposal.name)} verhuist van gebied {before} naar gebied {after}."]
    if move.role == "beheerder":
        lines.append(
            f"De rol als beheerder van gebied {before} eindigt: gebied {before} heeft daarna "
            "geen beheerder. Kies op de pagina Beheerders een nieuwe."
        )
    elif move.role == "co-beheerder":
        left = "geen" if move.co_left == 0 else str(move.co_left)
        lines.append(
            f"De rol als co-beheerder van gebied {before} eindigt: gebied {before} heeft daarna "
            f"één co-beheerder minder ({left} over)."
        )
    stage = store.progress().set_index("id")["stage"].get(move.applicant_id, "")
    if stage in {"toegevoegd", "bericht verstuurd"}:
        lines.append(
            f"Deze deelnemer zit al in de WhatsApp-groep van gebied {before}: haal hem of haar "
            f"daar weg en voeg hem of haar toe aan de groep van gebied {after}."
        )
    members = store.status().members_per_area.get(int(after or 0), 0)
    lines.append(f"Gebied {after} heeft daarna {members + 1} van {store.max_members} leden.")
    return lines


def confirm_move(store: Store, proposal: Proposal, *, done_key: str | None) -> None:
    """The move shown, saved only on confirmation; a proposal older than the last change goes."""
    if proposal.correction.base != store.last_change():
        st.session_state.pop(PROPOSAL, None)
        st.warning("Het project is intussen gewijzigd; sla de verbetering opnieuw op.")
        return
    st.warning("\n\n".join(move_lines(store, proposal)))
    yes, no = st.columns(2)
    prefix = proposal.prefix
    if yes.button("Verhuizing bevestigen", key=action_key(f"{prefix}_verhuizing_bevestigen"),
                  type="primary"):  # fmt: skip
        save(store, proposal, done_key=done_key)
    if no.button("Annuleren", key=f"{prefix}_verhuizing_annuleren"):
        st.session_state.pop(PROPOSAL, None)
        st.rerun()


def save(store: Store, proposal: Proposal, *, done_key: str | None) -> None:
    """Save a correction (a move only as it was shown) and draw the page again."""
    move = proposal.correction
    try:
        store.correct_applicant(
            move.applicant_id,
            proposal.cells,
            by="planner",
            location=move.location,
            move_to=move.area_after if move.moves else None,
            checked=proposal.checked,
            regions=settings().phone_regions,
        )
    except GeoError as error:
        st.session_state.pop(PROPOSAL, None)
        st.error(f"Niet verbeterd: {md(error)}")
        return
    store.close()
    st.session_state.pop(PROPOSAL, None)
    if done_key is not None:
        st.session_state.pop(done_key, None)
    name = md(proposal.name)
    if move.moves:
        ended = (
            f" De rol als {move.role} van gebied {move.area_before} is beëindigd."
            if move.role
            else ""
        )
        changed(
            f"Verbeterd: {name} is verhuisd van gebied {move.area_before} naar gebied "
            f"{move.area_after}.{ended}"
        )
    where = (
        "nog niet ingedeeld"
        if move.area_before is None
        else f"in gebied {move.area_before} gebleven"
    )
    changed(f"Verbeterd: {name}; {where}, als {role_text(move.role, move.area_before)}.")
