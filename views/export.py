"""Export: public files for everyone, private rosters and layers for the planner only."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import streamlit as st

from geo.access import PLANNER
from geo.export import FORMATS
from geo.project import export_project
from views.common import CHOOSE, ROLE, allow, no_plan, store_or_stop

allow("export")
st.title("Export")
store = store_or_stop()
if not store.has_plan():  # nothing to export yet: the wijk alone is on the Wijk page
    st.info(no_plan(store))
    store.close()
    st.stop()
FORMAT_LABELS = {
    "geojson": "GeoJSON (één bestand per laag)",
    "gpkg": "GeoPackage",
    "csv": "CSV-tabellen",
}


def exported(profile: str, fmt: str) -> bytes:
    """An export as bytes: a zip of the files, or the printable map itself."""
    with tempfile.TemporaryDirectory(prefix="export-") as scratch:
        out = Path(scratch) / (
            "kaart.pdf" if fmt == "pdf" else "uit.gpkg" if fmt == "gpkg" else "uit"
        )
        files = export_project(store, profile=profile, fmt=fmt, out=out)
        if fmt == "pdf":
            return out.read_bytes()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                for item in [path] if path.is_file() else sorted(path.rglob("*")):
                    archive.write(item, item.relative_to(out.parent))
        return buffer.getvalue()


def offer(label: str, profile: str, fmt: str, *, file_name: str, key: str, mime: str) -> None:
    """A button that builds the export when asked, then its download (no work on opening).

    A made file is kept for this session until the plan changes (a new history entry).
    """
    made = st.session_state.setdefault(MADE, {})
    version = (profile, fmt, plan_version)
    if version not in made and st.button(f"{label} maken", key=f"maak_{key}"):
        with st.spinner("Bestanden maken…"):
            made[version] = exported(profile, fmt)
    if version in made:
        st.download_button(label, made[version], file_name=file_name, mime=mime, key=key)


MADE = "export_gemaakt"
plan_version = int(store.status().history_entries)  # a made file is stale after a change
fmt = st.selectbox(
    "Formaat", FORMATS, format_func=FORMAT_LABELS.get, key="export_formaat", placeholder=CHOOSE
)
st.subheader("Openbaar (zonder persoonsgegevens)")
offer("Kaartlagen (zip)", "public", fmt, file_name=f"buurtpreventie-openbaar-{fmt}.zip",
      key="download_openbaar", mime="application/zip")  # fmt: skip
offer("Kaart om te printen (PDF, A4)", "public", "pdf", file_name="buurtpreventie-kaart.pdf",
      key="download_kaart", mime="application/pdf")  # fmt: skip
if st.session_state.get(ROLE) == PLANNER:
    st.subheader("Privé: deelnemers en ledenlijsten (alleen voor de planner)")
    st.caption(
        "Dit bestand bevat de ledenlijsten van alle gebieden. Geef een beheerder alleen de lijst "
        "van het eigen gebied (pagina Beheerders) en deel dit bestand niet."
    )
    offer("Met persoonsgegevens (zip)", "private", fmt, file_name=f"buurtpreventie-prive-{fmt}.zip",
          key="download_prive", mime="application/zip")  # fmt: skip
store.close()
