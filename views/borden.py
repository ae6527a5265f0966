"""Borden: the planner proposes signs, the municipality decides: place or not, with a note.

The planner's proposal and the municipality's decision are kept apart, each with who and when;
a planner who records a decision for the municipality is recorded as such.

The proposed signs are computed once per wijk (cached), not on every click. A decision is
saved before the map, tally and table are drawn (into a container above the forms), so they
show it at once; the same decision sent twice (a double click) is saved once. A sign clicked on
the map is preselected in the form.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import streamlit as st

from geo.access import MUNICIPALITY, PLANNER
from geo.export import write_geojson
from geo.maps import SIGN_KINDS, signs_map
from geo.project import sign_key
from geo.store import Store
from geo.wording import counted
from geo.workflow import make_signs
from views.common import (
    CHOOSE,
    ROLE,
    allow,
    roads_of,
    show_map,
    store_or_stop,
    wijk_key,
    wijk_of,
)

VERDICTS = {"accepted": "plaatsen", "rejected": "niet plaatsen"}
PROPOSALS = {"proposed": "voorgesteld", "withdrawn": "niet voorgesteld"}
OPEN = "open"


@st.cache_data(show_spinner="Borden berekenen…", max_entries=8)
def proposed_signs(wijk: tuple[str, str, int], _store: Store) -> gpd.GeoDataFrame:
    """The wijk's ranked signs, computed once per project wijk (``wijk``) for all sessions.

    The signs stand where roads enter the wijk, so they change only with the wijk (a new
    project), not with the areas or the decisions.
    """
    signs = make_signs(wijk_of(_store))
    return signs.assign(sleutel=[sign_key(p) for p in signs.geometry])


def _approved_geojson(signs: gpd.GeoDataFrame) -> bytes:
    """Approved signs as RFC 7946 GeoJSON (7 decimals), as every export."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "borden.geojson"
        write_geojson(signs, path)
        return path.read_bytes()


allow("borden")
st.title("Borden")
store = store_or_stop()
planner = st.session_state.get(ROLE) == PLANNER
actor = "planner namens gemeente" if planner else MUNICIPALITY
wijk = wijk_of(store)
signs = proposed_signs(wijk_key(store), store)
view = st.container()  # tally, map and table, drawn after the forms below are handled
clicked = st.session_state.get("bordenkaart", {}) or {}
tooltip = str(clicked.get("last_object_clicked_tooltip") or "")
if tooltip != st.session_state.get("bord_klik", ""):  # a new click on the map
    st.session_state["bord_klik"] = tooltip
    rank = tooltip[5 : tooltip.index(":")] if tooltip.startswith("Bord ") and ":" in tooltip else ""
    if rank.isdigit() and int(rank) in set(signs["rank"]):  # "Bord 3: Rijksweg" → sign 3
        st.session_state["bord_keuze"] = int(rank)

# No signs (no street enters the wijk): no forms with nothing to choose from.
if len(signs):
    with st.form("besluit", enter_to_submit=False):
        st.markdown(
            "**Besluit van de gemeente over één bord** (of klik een bord op de kaart)"
            + (" — u legt het vast namens de gemeente" if planner else "")
        )
        chosen = st.selectbox("Bord", list(signs["rank"]), key="bord_keuze", placeholder=CHOOSE)
        verdict = st.radio(
            "Besluit", list(VERDICTS), key="bord_besluit", format_func=VERDICTS.get, horizontal=True
        )
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
                store.decide_sign(key, verdict, note, actor=actor)
                st.success(f"Bord {chosen}: {VERDICTS[verdict]}.")

    if planner:
        with st.form("voorstel", enter_to_submit=False):
            st.markdown("**Voorstel van de planner** (los van het besluit van de gemeente)")
            pick = st.selectbox(
                "Bord", list(signs["rank"]), key="voorstel_keuze", placeholder=CHOOSE
            )
            proposal = st.radio(
                "Voorstel", list(PROPOSALS), key="voorstel_soort", format_func=PROPOSALS.get
            )
            reason = st.text_input("Toelichting voor de gemeente", key="voorstel_toelichting")
            if st.form_submit_button("Voorstel opslaan", key="voorstel_opslaan"):
                key = signs.loc[signs["rank"] == pick, "sleutel"].iloc[0]
                store.propose_sign(key, proposal, reason)
                st.success(f"Bord {pick}: {PROPOSALS[proposal]}.")

    with st.form("top_n", enter_to_submit=False):
        st.markdown("**De belangrijkste borden in één keer**")
        top = st.number_input(
            "Plaats de borden met rang 1 tot en met",
            min_value=1,
            max_value=max(1, len(signs)),
            value=min(5, max(1, len(signs))),
            key="top_n_aantal",
            help="Alleen borden waarover nog geen besluit is; eerdere besluiten blijven staan.",
        )
        if st.form_submit_button("Plaatsen", key="top_n_plaatsen"):
            decided = set(store.sign_decisions()["sign_key"])
            todo = signs.loc[(signs["rank"] <= top) & ~signs["sleutel"].isin(decided)]
            for key in todo["sleutel"]:
                store.decide_sign(key, "accepted", f"top {int(top)}", actor=actor)
            st.success(
                f"{counted(len(todo), 'bord', 'borden')} op 'plaatsen' gezet (rang 1–{int(top)})."
            )

decisions = store.sign_decisions().set_index("sign_key")
signs["besluit"] = [
    VERDICTS.get(d, d) for d in (decisions["decision"].get(k, OPEN) for k in signs["sleutel"])
]
signs["opmerking"] = [decisions["note"].get(k, "") for k in signs["sleutel"]]
signs["besloten door"] = [decisions["actor"].get(k, "") for k in signs["sleutel"]]
proposals = store.sign_proposals().set_index("sign_key")
signs["voorstel"] = [
    PROPOSALS.get(p, p) for p in (proposals["proposal"].get(k, "") for k in signs["sleutel"])
]
signs["toelichting"] = [proposals["note"].get(k, "") for k in signs["sleutel"]]
with view:
    besloten = int((signs["besluit"] != OPEN).sum())
    left, middle, right = st.columns(3)
    left.metric("Besloten", besloten)
    middle.metric("Open", len(signs) - besloten)
    right.metric("Te plaatsen", int((signs["besluit"] == VERDICTS["accepted"]).sum()))
    show_map(
        signs_map(signs, wijk.boundary, roads_of(store)),
        returned_objects=["last_object_clicked_tooltip"],
        key="bordenkaart",
    )
    only_open = st.checkbox("Alleen borden zonder besluit", key="alleen_open")
    table = signs.loc[signs["besluit"] == OPEN] if only_open else signs
    if table.empty:
        st.info(
            "Over alle borden is besloten."
            if only_open
            else "Deze wijk heeft geen borden: geen straat komt over de wijkgrens de wijk in."
        )
    else:
        st.dataframe(
            table.assign(soort=table["kind"].map(SIGN_KINDS).fillna(table["kind"]))[
                [
                    "rank",
                    "street",
                    "soort",
                    "bearing_deg",
                    "reason",
                    "voorstel",
                    "toelichting",
                    "besluit",
                    "opmerking",
                    "besloten door",
                ]
            ].rename(columns={"rank": "rang", "street": "straat", "reason": "waarom"}),
            column_config={
                "rang": st.column_config.NumberColumn(
                    help="1 is het belangrijkste bord: de drukste ingang van de wijk."
                ),
                "bearing_deg": st.column_config.NumberColumn(
                    "richting (°)",
                    format="%.0f°",
                    help="Richting in graden waarin het verkeer hier de wijk in rijdt: "
                    "0° = naar het noorden, 90° = oost, 180° = zuid, 270° = west. "
                    "De voorkant van het bord kijkt de andere kant op, naar de bestuurders.",
                ),
            },
            key="borden_tabel",
            hide_index=True,
        )
accepted = signs.loc[signs["besluit"] == VERDICTS["accepted"]].drop(columns=["sleutel"])
if len(signs):
    st.download_button(
        "Goedgekeurde borden (GeoJSON)",
        lambda: _approved_geojson(accepted),  # written when clicked, not on every decision
        file_name="borden-goedgekeurd.geojson",
        key="borden_download",
    )
store.close()
