"""Geschiedenis: every change to the project (who, what, when), and going back to before one.

Every change to the indeling (a plan, re-plan, split, street move, beheerder, lock, undo)
keeps the plan as it was before it, so the planner can go back to before the last change or
before any listed one. Going back is itself a change in the list (and can be undone too).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from geo.errors import GeoError
from geo.project import undo_change
from views.common import (
    CHOOSE,
    action_key,
    allow,
    changed,
    local_times,
    md,
    settings,
    show_notice,
    store_or_stop,
)

LABELS = {
    "wijk": "wijk", "areas": "gebieden", "source": "bestand", "accepted": "aangenomen",
    "rejected": "afgewezen", "pending": "wacht op adres", "already": "al aangemeld",
    "members": "leden", "added": "toegevoegd", "split": "gesplitst in", "area_id": "gebied",
    "moved_existing": "bestaande leden verplaatst", "street": "straat", "numbers": "huisnummers",
    "to_area": "naar gebied", "moved": "verplaatst", "max_members": "maximum per groep",
    "fill": "vulgraad", "beheerders_changed": "andere beheerder", "gone": "verdwenen gebieden",
    "new": "nieuwe gebieden", "before": "terug naar vóór wijziging", "undone": "ongedaan gemaakt",
    "applicant_id": "deelnemer", "count": "aantal", "reason": "reden", "why": "waarom",
    "sign": "bord", "decision": "besluit", "removed": "verwijderd", "was": "was", "now": "nu",
}  # fmt: skip
ACTORS = {"planner": "planner", "gemeente": "gemeente"}


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "geen"
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)


def describe(details: str) -> str:
    """The details of a history entry as one Dutch line."""
    try:
        found = json.loads(details or "{}")
    except json.JSONDecodeError:
        return ""
    if not isinstance(found, dict):
        return ""
    return "; ".join(f"{LABELS.get(k, k)}: {_value(v)}" for k, v in found.items())


allow("geschiedenis")
st.title("Geschiedenis")
show_notice()
store = store_or_stop()
history = store.history()
history = history.assign(wanneer=local_times(history["at"]))
undoable = history.loc[history["undoable"]]
st.subheader("Ongedaan maken")
if undoable.empty:
    st.info("Er is nog geen wijziging van de indeling om ongedaan te maken.")
else:
    last = undoable.iloc[-1]
    st.markdown(
        f"Laatste wijziging van de indeling: **{last['action']}** "
        f"(nr. {int(last['id'])}, {last['wanneer']}, door {last['actor']})."
    )
    st.caption(
        "Terugzetten brengt gebieden, leden, beheerders, vastgezette gebieden en het maximum "
        "terug zoals ze vóór die wijziging waren. Wie later is aangemeld, wordt daarna weer "
        "ingedeeld zoals bij een nieuwe aanmelding; wie intussen is verwijderd, komt niet terug."
    )
    if st.button("De laatste wijziging ongedaan maken", key=action_key("ongedaan_maken")):
        try:
            undone = undo_change(store, settings=settings())
        except GeoError as error:
            st.error(f"Niet ongedaan gemaakt: {md(error)}")
        else:
            store.close()
            changed(f"Wijziging {undone} ({last['action']}) is ongedaan gemaakt.")
    labels = {
        int(row["id"]): f"nr. {int(row['id'])}: {row['action']} ({row['wanneer']})"
        for _, row in undoable.iloc[::-1].iterrows()
    }
    with st.form("terugzetten", enter_to_submit=False):
        entry = st.selectbox(
            "Terug naar de toestand vóór wijziging",
            list(labels),
            format_func=lambda i: labels[i],
            key="terug_naar",
            placeholder=CHOOSE,
        )
        if st.form_submit_button("Terugzetten", key=action_key("terugzetten")):
            try:
                undone = undo_change(store, int(entry), settings=settings())
            except GeoError as error:
                st.error(f"Niet teruggezet: {md(error)}")
            else:
                store.close()
                changed(f"Teruggezet naar de toestand vóór wijziging {undone}.")
st.subheader("Alle wijzigingen")
table = pd.DataFrame(
    {
        "nr": history["id"].astype(int),
        "wanneer": history["wanneer"],
        "wie": history["actor"].map(lambda a: ACTORS.get(str(a), str(a))),
        "wat": history["action"],
        "bijzonderheden": history["details"].map(describe),
        "terug te zetten": history["undoable"].map({True: "ja", False: "nee"}),
    }
).iloc[::-1]
st.dataframe(
    table,
    key="geschiedenis_tabel",
    hide_index=True,
    column_config={
        "bijzonderheden": st.column_config.TextColumn(width="large"),
        "terug te zetten": st.column_config.TextColumn(width="medium"),
    },
)
store.close()
