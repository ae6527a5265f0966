"""Beheerders: per area the group's admins, vacancies, neighbours, map and roster.

An overview of all areas first (members, room left, hoofdbeheerder, co-beheerders, volunteers,
vacancies, neighbours), then one chosen area in full: its map, its beheerders with the actions
to change them (planner only) and its roster to download. A WhatsApp group usually has 2-3
admins: one hoofdbeheerder and co-beheerders.

Every change is saved before anything else is drawn and the page is drawn again
(:func:`views.common.changed`), so the new state shows at once and a button cannot act twice.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable

import folium
import pandas as pd
import shapely
import streamlit as st

from geo.access import PLANNER
from geo.coverage import area_coverage, with_coverage
from geo.errors import GeoError
from geo.maps import area_map
from geo.partition import Plan
from geo.rosters import (
    ADMINS_WANTED,
    CO_WANTED,
    CSV_MIME,
    NO_BEHEERDER,
    XLSX_MIME,
    area_overview,
    neighbour_ids,
    phone_text,
    roster_csv,
    roster_table,
    roster_xlsx,
)
from geo.store import MAX_CO_BEHEERDERS, Store
from geo.wording import counted
from views.common import (
    CHOOSE,
    ROLE,
    action_key,
    allow,
    changed,
    md,
    no_plan,
    refresh_labels,
    show_map,
    show_notice,
    store_or_stop,
    wijk_crs,
    wijk_key,
    wijk_of,
)

AREA = "beheer_gebied"
MAP_HEIGHT = 480


def person(row: pd.Series) -> str:
    """A member as the planner recognises them: name and address."""
    address = " ".join(
        str(row[c]).strip()
        for c in ("straat", "huisnummer", "huisletter", "toevoeging")
        if pd.notna(row[c]) and str(row[c]).strip()
    )
    return f"{row['naam']} ({address})" if address else str(row["naam"])


def plan_signature(plan: Plan) -> str:
    """Changes whenever anything drawn on an area map changes: an area's shape, name or
    figures, or who signed up where (the households and participation count addresses)."""
    digest = hashlib.sha256()
    for frame in (plan.areas, plan.members):
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(str)
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
        digest.update(b"".join(shapely.to_wkb(frame.geometry.to_numpy())))
    return digest.hexdigest()


@st.cache_resource(max_entries=16, show_spinner=False)
def _area_map(
    key: tuple[str, str, int], signature: str, area_id: int, _plan: Plan, _store: Store
) -> folium.Map:
    """The area's map, made once per plan (a beheerder change redraws the page, not the map;
    on real streets making it takes about a second), with the households and participation
    the Gebieden page, the pack and the exports show. Never drawn itself: see the page."""
    wijk, crs = wijk_of(_store), wijk_crs(_store)
    coverage = area_coverage(
        _plan.areas.to_crs(crs),
        _plan.members.to_crs(crs),
        wijk.addresses_in(crs),
        max_members=_store.max_members,
    )
    return area_map(with_coverage(_plan.areas, coverage), area_id, wijk.streets)


def downloads(table: pd.DataFrame, *, stem: str, sheet: str, key: str) -> None:
    """The roster ``table`` as Dutch Excel CSV and as XLSX (built when clicked)."""
    left, right, _ = st.columns([1, 1, 2])
    left.download_button(
        "Ledenlijst (Excel, CSV)",
        data=roster_csv(table),
        file_name=f"{stem}.csv",
        mime=CSV_MIME,
        key=f"{key}_csv",
        help="Puntkomma-gescheiden, zoals Nederlandse Excel het opent; ja/nee in plaats van "
        "waar/onwaar.",
        on_click="ignore",
    )
    build: Callable[[], bytes] = lambda: roster_xlsx(table, sheet=sheet)  # noqa: E731
    right.download_button(
        "Ledenlijst (Excel, XLSX)",
        data=build,
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        on_click="ignore",
    )


def choose_hoofdbeheerder(store: Store, area_id: int, mine: pd.DataFrame) -> None:
    """The planner picks the area's hoofdbeheerder (volunteers first) or lets the current go."""
    current = mine.loc[mine["is_beheerder"] == 1]
    others = mine.loc[mine["is_beheerder"] != 1].sort_values(
        ["beheerder", "naam"], ascending=[False, True]
    )
    labels = {
        int(r["id"]): person(r) + (" – vrijwilliger" if r["beheerder"] == 1 else "")
        for _, r in others.iterrows()
    }
    with st.form(f"hoofdbeheerder_{area_id}", enter_to_submit=False):
        choice = st.selectbox(
            "Nieuwe hoofdbeheerder",
            list(labels),
            index=None,
            format_func=labels.__getitem__,
            placeholder="Kies een lid van dit gebied",
            key=action_key(f"keuze_{area_id}"),
            help="Vrijwilligers (aangemeld als beheerder) staan bovenaan. De huidige "
            "hoofdbeheerder blijft lid van de groep.",
        )
        if st.form_submit_button("Opslaan", key=action_key(f"opslaan_{area_id}")):
            if choice is None:
                st.warning("Kies eerst een lid.")
            else:
                try:
                    store.set_beheerder(area_id, int(choice))
                except GeoError as error:
                    st.error(f"Niet opgeslagen: {md(error)}")
                else:
                    store.close()
                    changed(f"{md(labels[choice])} is nu hoofdbeheerder van gebied {area_id}.")
    if len(current) and st.button(
        "Hoofdbeheerder loslaten",
        key=action_key(f"loslaten_{area_id}"),
        help="Bijvoorbeeld als de beheerder stopt. Het gebied staat daarna als vacature "
        "open; ongedaan maken kan op de pagina Geschiedenis.",
    ):
        try:
            store.unset_beheerder(area_id)
        except GeoError as error:
            st.error(f"Niet gewijzigd: {md(error)}")
        else:
            store.close()
            changed(
                f"Gebied {area_id} heeft geen hoofdbeheerder meer: de vacature staat open.",
                kind="warning",
            )


def choose_co_beheerders(
    store: Store, area_id: int, mine: pd.DataFrame, chosen_now: list[int]
) -> None:
    """The planner picks the area's co-beheerders (none, one or more)."""
    others = mine.loc[mine["is_beheerder"] != 1].sort_values(
        ["beheerder", "naam"], ascending=[False, True]
    )
    labels = {
        int(r["id"]): person(r) + (" – vrijwilliger" if r["beheerder"] == 1 else "")
        for _, r in others.iterrows()
    }
    with st.form(f"co_beheerders_{area_id}", enter_to_submit=False):
        chosen = st.multiselect(
            "Co-beheerders",
            list(labels),
            default=[i for i in chosen_now if i in labels],
            format_func=labels.__getitem__,
            placeholder="Kies leden van dit gebied",
            max_selections=MAX_CO_BEHEERDERS,
            key=action_key(f"co_{area_id}"),
            help="Een WhatsApp-groep heeft meestal 2 à 3 beheerders: de hoofdbeheerder en één "
            "of twee co-beheerders. Leeg maken en opslaan: geen co-beheerders.",
        )
        if st.form_submit_button("Co-beheerders opslaan", key=action_key(f"co_opslaan_{area_id}")):
            try:
                saved = store.set_co_beheerders(area_id, [int(i) for i in chosen])
            except GeoError as error:
                st.error(f"Niet opgeslagen: {md(error)}")
            else:
                store.close()
                names = ", ".join(md(labels[i]) for i in chosen) or "geen"
                changed(
                    f"Co-beheerders van gebied {area_id}: {names}."
                    if saved
                    else f"Co-beheerders van gebied {area_id} ongewijzigd ({names})."
                )


def show_area(
    store: Store,
    plan: Plan,
    *,
    area_id: int,
    overview: pd.DataFrame,
    members: pd.DataFrame,
    co_beheerders: dict[int, list[int]],
) -> None:
    """One area in full: figures, beheerders (and the actions), neighbours, map, roster."""
    row = overview.set_index("gebied").loc[area_id]
    mine = members.loc[members["area_id"] == area_id]
    co_ids = co_beheerders.get(area_id, [])
    by_id = mine.set_index("id")
    main = mine.loc[mine["is_beheerder"] == 1]
    st.markdown(
        f"**Gebied {area_id}** – {md(row['naam'])}: {counted(len(mine), 'lid', 'leden')}, "
        f"{counted(store.max_members - len(mine), 'plaats', 'plaatsen')} over."
    )
    if row["vacature"] == NO_BEHEERDER:
        st.error("Vacature: dit gebied heeft geen hoofdbeheerder. Kies er hieronder een.")
    elif row["vacature"] == CO_WANTED:
        st.info(
            f"Alleen een hoofdbeheerder: een WhatsApp-groep heeft liefst {ADMINS_WANTED} à 3 "
            "beheerders. Kies hieronder een co-beheerder."
        )
    lines = [
        "- Hoofdbeheerder: "
        + (
            f"{md(main['naam'].iloc[0])}, {md(phone_text(main['telefoon'].iloc[0]))}"
            if len(main)
            else "**gezocht**"
        ),
        "- Co-beheerders: "
        + (
            "; ".join(
                f"{md(by_id.loc[i, 'naam'])}, {md(phone_text(by_id.loc[i, 'telefoon']))}"
                for i in co_ids
            )
            or "geen"
        ),
        f"- Vrijwilligers zonder rol: {md(row['vrijwilligers']) if row['vrijwilligers'] else 'geen'}",
    ]
    st.markdown("\n".join(lines))
    if st.session_state.get(ROLE) == PLANNER:
        with st.expander("Beheerders wijzigen", expanded=bool(row["vacature"] == NO_BEHEERDER)):
            choose_hoofdbeheerder(store, area_id, mine)
            choose_co_beheerders(store, area_id, mine, co_ids)
    st.markdown("**Buurgebieden en hun beheerders**")
    cell = plan.areas.loc[plan.areas["area_id"] == area_id, "neighbours"]
    around = overview.loc[overview["gebied"].isin(neighbour_ids(cell.iloc[0] if len(cell) else ""))]
    if around.empty:
        st.caption("Dit gebied heeft geen buurgebieden.")
    else:
        st.dataframe(
            around[["gebied", "naam", "hoofdbeheerder", "co-beheerders", "vacature"]],
            key=f"buren_{area_id}",
            hide_index=True,
            width="stretch",
        )
    # Folium adds a map's scripts to it again each time it is drawn, and the second drawing
    # breaks in the browser: every draw draws a copy of the kept map (a copy takes 20 ms).
    kept = _area_map(wijk_key(store), plan_signature(plan), area_id, plan, store)
    show_map(copy.deepcopy(kept), key=f"gebiedskaart_{area_id}", height=MAP_HEIGHT)
    st.markdown("**Ledenlijst**")
    names = dict(zip(overview["gebied"], overview["naam"], strict=True))
    table = roster_table(members, area_names=names, co_beheerders=co_beheerders, area_id=area_id)
    if table.empty:  # not an empty table (Streamlit's own placeholder is English)
        st.caption("Dit gebied heeft nog geen leden.")
        return
    st.dataframe(table, key=f"ledenlijst_{area_id}", hide_index=True, width="stretch")
    downloads(table, stem=f"ledenlijst-gebied-{area_id}", sheet=f"Gebied {area_id}", key="lijst")


allow("beheerders")
st.title("Beheerders")
show_notice()
store = store_or_stop()
plan = store.plan()
if plan is None:
    st.info(no_plan(store))
    store.close()
    st.stop()
members = store.applicants("accepted").dropna(subset=["area_id"])
members["area_id"] = members["area_id"].astype(int)
co_beheerders = store.co_beheerders()
overview = area_overview(
    plan.areas, members, co_beheerders=co_beheerders, max_members=store.max_members
)
vacant = overview.loc[overview["vacature"] == NO_BEHEERDER, "gebied"].tolist()
short = overview.loc[overview["vacature"] == CO_WANTED, "gebied"].tolist()
if vacant:
    st.warning(
        f"Vacature – gebieden zonder hoofdbeheerder: {', '.join(map(str, vacant))}. "
        "Zoek een vrijwilliger."
    )
if short:
    st.info(
        f"Gebieden met maar één beheerder: {', '.join(map(str, short))}. Een WhatsApp-groep "
        "heeft meestal 2 à 3 beheerders (hoofdbeheerder en co-beheerders)."
    )
st.caption(f"Maximaal {counted(store.max_members, 'lid', 'leden')} per groep.")
st.dataframe(overview, key="beheerders_overzicht", hide_index=True, width="stretch")
area_names = dict(zip(overview["gebied"], overview["naam"], strict=True))
everyone = roster_table(members, area_names=area_names, co_beheerders=co_beheerders)
st.markdown("**Ledenlijst van alle gebieden**")
downloads(everyone, stem="ledenlijst-alle-gebieden", sheet="Alle gebieden", key="lijst_alle")

st.subheader("Per gebied")
labels = {
    int(r["gebied"]): f"{r['gebied']} – {r['naam']}"
    + (f" ({r['vacature']})" if r["vacature"] else "")
    for _, r in overview.iterrows()
}
refresh_labels(AREA)  # the vacancy in the label is the one after the last action
area = st.selectbox(
    "Gebied", list(labels), format_func=labels.__getitem__, key=AREA, placeholder=CHOOSE
)
if area is not None:
    show_area(
        store,
        plan,
        area_id=int(area),
        overview=overview,
        members=members,
        co_beheerders=co_beheerders,
    )
store.close()
