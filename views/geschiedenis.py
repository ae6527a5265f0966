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
from geo.store import Store
from geo.wording import decimal
from views.common import (
    CHOOSE,
    action_key,
    allow,
    changed,
    local_times,
    md,
    show_notice,
    store_or_stop,
    unplaced_notes,
)

LABELS = {
    "wijk": "wijk", "areas": "gebieden", "source": "bestand", "accepted": "aangenomen",
    "rejected": "afgewezen", "pending": "wacht op adres", "already": "al aangemeld",
    "waited": "wachtte op een adres, vervangen",
    "members": "leden", "added": "toegevoegd", "split": "gesplitst in", "area_id": "gebied",
    "moved_existing": "bestaande leden verplaatst", "street": "straat", "numbers": "huisnummers",
    "to_area": "naar gebied", "moved": "verplaatst", "max_members": "maximum per groep",
    "fill": "vulgraad", "beheerders_changed": "andere beheerder", "gone": "verdwenen gebieden",
    "new": "nieuwe gebieden", "before": "terug naar vóór wijziging", "undone": "ongedaan gemaakt",
    "applicant_id": "deelnemer", "count": "aantal", "reason": "reden", "why": "waarom",
    "sign": "bord", "decision": "besluit", "removed": "verwijderd", "was": "was", "now": "nu",
    "applicant_ids": "deelnemers", "channel": "kanaal", "refused": "geweigerd",
    "proposal": "voorstel", "co_beheerders_verhuisd": "co-beheerders mee naar hun nieuwe gebied",
    "rol_beeindigd": "rol beëindigd", "gegevens": "gegevens", "gecontroleerd": "gecontroleerd",
}  # fmt: skip
ACTORS = {"planner": "planner", "gemeente": "gemeente"}


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "geen"
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return decimal(value, 6)  # "0,8", as every number the planner reads
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


def go_back(store: Store, entry: int, failed: str, done: str) -> None:
    """Undo history entry ``entry`` (an undo, a redo, a jump back) and show the new state with
    ``done``, and who now waits for an area; or ``failed`` and the reason."""
    try:
        store.undo(entry)
    except GeoError as error:
        st.error(f"{failed}: {md(error)}")
    else:
        notes = unplaced_notes(store)
        store.close()
        changed(done, notes=notes)


allow("geschiedenis")
st.title("Geschiedenis")
show_notice()
store = store_or_stop()
history = store.history()
history = history.assign(wanneer=local_times(history["at"]))
undoable = history.loc[history["undoable"]]
by_id = history.set_index("id")
st.subheader("Ongedaan maken")
target = store.step_back()
if target is None and undoable.empty:
    st.info("Er is nog geen wijziging van de indeling om ongedaan te maken.")
elif target is None:
    st.info(
        "Alle wijzigingen van de indeling zijn ongedaan gemaakt: er is niets meer om ongedaan "
        "te maken. Herstellen of terugzetten kan hieronder."
    )
else:
    last = by_id.loc[target]
    st.markdown(
        f"Laatste wijziging van de indeling: **{md(last['action'])}** "
        f"(nr. {target}, {last['wanneer']}, door {md(last['actor'])})."
    )
    st.caption(
        "Ongedaan maken brengt gebieden, leden, beheerders, vastgezette gebieden en het maximum "
        "terug zoals ze vóór die wijziging waren; nog eens klikken gaat nog een stap terug. Wie "
        "sindsdien is aangemeld of door die wijziging is ingedeeld, heeft daarna geen gebied "
        "tot u die aanmeldingen indeelt (pagina Gebieden); wie intussen is verwijderd, komt "
        "niet terug."
    )
    if st.button("De laatste wijziging ongedaan maken", key=action_key("ongedaan_maken")):
        go_back(
            store, target, "Niet ongedaan gemaakt",
            f"Wijziging {target} ({md(last['action'])}) is ongedaan gemaakt.",
        )  # fmt: skip
redo = store.step_forward()
if redo is not None:
    before = int(json.loads(by_id.loc[redo, "details"])["before"])
    undone = by_id.loc[before, "action"]
    st.caption(
        f"Nr. {redo} zette de indeling terug naar vóór wijziging {before} ({md(undone)}). "
        "Herstellen brengt de indeling terug zoals die vlak daarvoor was, met alles wat "
        "toen gold."
    )
    if st.button(
        f"Herstellen: terug naar vóór nr. {redo}",
        key=action_key("herstellen"),
    ):
        go_back(
            store, redo, "Niet hersteld", f"Hersteld: de indeling is weer zoals vóór nr. {redo}."
        )
if len(undoable):
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
            go_back(
                store, int(entry), "Niet teruggezet",
                f"Teruggezet naar de toestand vóór wijziging {entry}.",
            )  # fmt: skip
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
