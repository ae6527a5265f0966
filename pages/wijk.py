"""Wijk: the boundary, streets and households this project plans for; choosing one to start."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from geo.errors import GeoError
from geo.maps import planner_map
from geo.project import init_project
from geo.sources import Wijk, save_wijk
from geo.workflow import fetch_wijk, load_wijk_layers
from pages.common import allow, demo_mode, open_store, project_path, settings


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
with st.expander("Online diensten controleren (PDOK, CBS, BAG, Nominatim, Overpass)"):
    st.caption("Stelt elke dienst één onschuldige vraag, zoals `python -m geo controleer-online`.")
    if st.button("Controleren", key="controleer_online"):
        from geo.online_check import check_online

        with st.spinner("Diensten proberen…"):
            checks = check_online(settings())
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
    wijk = store.wijk()
    st.write(
        f"**{wijk.boundary['name'].iloc[0]}**: {len(wijk.streets)} straatdelen, "
        f"{len(wijk.addresses)} woonadressen (huishoudens)."
    )
    plan = store.plan()
    if plan is not None:
        st_folium(
            planner_map(plan.areas, wijk.boundary), height=500, returned_objects=[], key="wijkkaart"
        )
    if demo_mode():
        st.info(
            "In de demomodus is dit de vaste demowijk. Met een ingesteld wachtwoord kiest u uw eigen wijk."
        )
    store.close()
    st.stop()

st.write("Er is nog geen project. Kies de wijk waarvoor u groepen gaat plannen.")
with st.form("wijk_kiezen"):
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
    buurten = st.text_input("CBS-buurtcodes of -namen, gescheiden door komma's", key="buurten")
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
            st.error(f"Geen project gemaakt: {error}")
        else:
            st.success(
                "Het project is gemaakt. Voeg nu aanmeldingen toe op de pagina Aanmeldingen."
            )
