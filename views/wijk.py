"""Wijk: the boundary, streets and households this project plans for; choosing one to start.

With a project the page shows the wijk on a map (boundary and roads, and the areas once there
are any), so the planner sees at once that it is the right wijk; right after making a project
the page is drawn again to show it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from geo.errors import GeoError
from geo.maps import wijk_map
from geo.project import init_project
from geo.sources import Wijk, save_wijk
from geo.wording import counted
from geo.workflow import fetch_wijk, load_wijk_layers
from views.common import (
    allow,
    changed,
    demo_mode,
    md,
    no_plan,
    open_store,
    project_path,
    roads_of,
    safe_settings,
    settings,
    show_map,
    show_notice,
    wijk_of,
)


def _from_files(folder: Path, boundary: Any, streets: Any, register: Any | None) -> Wijk:
    """The wijk from uploaded files, read like the command line reads them."""
    paths = []
    for upload in (boundary, streets, register):
        if upload is None:
            paths.append(None)
            continue
        path = folder / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        paths.append(path)
    return load_wijk_layers(paths[0], paths[1], paths[2])


allow("wijk")
st.title("Wijk")
show_notice()
with st.expander("Online diensten controleren (PDOK, CBS, BAG, Nominatim, Overpass)"):
    st.caption("Stelt elke dienst één onschuldige vraag, zoals `python -m geo controleer-online`.")
    if st.button("Controleren", key="controleer_online"):
        from geo.online_check import check_online

        with st.spinner("Diensten proberen…"):
            checks = check_online(safe_settings())
        st.dataframe(
            [
                {
                    "dienst": c.service,
                    "in orde": "ja" if c.ok else "nee",
                    "seconden": round(c.seconds, 1),
                    "melding": c.message,
                }
                for c in checks
            ],
            hide_index=True,
        )
store = open_store(optional=True)
if store is not None:
    wijk = wijk_of(store)
    st.write(
        f"**{md(wijk.boundary['name'].iloc[0])}**: "
        f"{counted(len(wijk.streets), 'straatdeel', 'straatdelen')}, "
        f"{counted(len(wijk.addresses), 'woonadres', 'woonadressen')} (huishoudens)."
    )
    st.caption(
        "Controleer op de kaart of dit de goede wijk is: de zwarte lijn is de wijkgrens, de "
        "gekleurde lijnen zijn de wegen (legenda rechtsonder)."
    )
    plan = store.plan()
    show_map(
        wijk_map(wijk.boundary, roads_of(store), areas=None if plan is None else plan.areas),
        key="wijkkaart",
    )
    if plan is None and store.status().unplaced:
        st.info(no_plan(store))
        st.page_link("views/gebieden.py", label="Naar Gebieden", icon=":material/grid_view:")
    elif plan is None:
        st.info("Volgende stap: voeg aanmeldingen toe.")
        st.page_link(
            "views/aanmeldingen.py", label="Naar Aanmeldingen", icon=":material/edit_note:"
        )
    if demo_mode():
        st.info(
            "In de demomodus is dit de vaste demowijk. Met een ingesteld wachtwoord kiest u uw eigen wijk."
        )
    store.close()
    st.stop()

st.info(
    "**Begin hier.** Er is nog geen project. Kies de wijk waarvoor u groepen gaat plannen: "
    "het eenvoudigst is online ophalen met de naam of code van de CBS-buurt "
    "(bijvoorbeeld Oud-Geleen of BU18830105). Daarna ziet u de wijk op de kaart."
)
with st.form("wijk_kiezen", enter_to_submit=False):
    upload = st.file_uploader(
        "WIJK.gpkg (gemaakt met `python -m geo fetch`)", type=["gpkg"], key="wijk_bestand"
    )
    st.markdown("**of losse bestanden**")
    boundary_file = st.file_uploader(
        "Wijkgrens (GeoJSON, GPKG)", type=["geojson", "json", "gpkg"], key="grens_bestand"
    )
    streets_file = st.file_uploader(
        "Straten (.osm.pbf, .osm, GPKG, GeoJSON)",
        type=["pbf", "osm", "gpkg", "geojson", "json"],
        key="straten_bestand",
    )
    register_file = st.file_uploader(
        "Adresregister (CSV, GPKG; mag leeg blijven)", type=["csv", "gpkg"], key="register_bestand"
    )
    st.markdown("**of online ophalen** (CBS-grens, OpenStreetMap-straten, BAG-adressen)")
    buurten = st.text_input(
        "CBS-buurtcodes of -namen, gescheiden door komma's",
        key="buurten",
        placeholder="bijvoorbeeld Oud-Geleen of BU18830105",
        help="De buurten van het CBS (wijken en buurten). De code staat op "
        "cbs.nl of in de gemeentelijke buurtindeling; meerdere buurten samen vormen één wijk.",
    )
    gemeente = st.text_input("Gemeente", value="Sittard-Geleen", key="gemeente")
    if st.form_submit_button("Project maken", key="project_maken"):
        try:
            with tempfile.TemporaryDirectory(prefix="wijk-") as scratch:
                source = Path(scratch) / "wijk.gpkg"
                if upload is not None:
                    source.write_bytes(upload.getvalue())
                elif boundary_file is not None and streets_file is not None:
                    save_wijk(
                        _from_files(Path(scratch), boundary_file, streets_file, register_file),
                        source,
                    )
                elif buurten.strip():
                    with st.spinner("Wijkgegevens ophalen…"):
                        codes = [b.strip() for b in buurten.split(",") if b.strip()]
                        save_wijk(fetch_wijk(settings(), buurten=codes, gemeente=gemeente), source)
                else:
                    st.error("Kies een WIJK.gpkg, een wijkgrens met straten, of vul buurtcodes in.")
                    st.stop()
                init_project(project_path(), settings=settings(), wijk_file=source).close()
        except GeoError as error:
            st.error(f"Geen project gemaakt: {md(error)}")
        else:
            changed(
                "Het project is gemaakt. Controleer hieronder de wijk; voeg daarna aanmeldingen "
                "toe op de pagina Aanmeldingen."
            )
