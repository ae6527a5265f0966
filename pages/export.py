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
from pages.common import ROLE, allow, store_or_stop

allow("export")
st.title("Export")
store = store_or_stop()
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


fmt = st.selectbox("Formaat", FORMATS, format_func=FORMAT_LABELS.get, key="export_formaat")
st.subheader("Openbaar (zonder persoonsgegevens)")
st.download_button("Kaartlagen (zip)", exported("public", fmt),
                   file_name=f"buurtpreventie-openbaar-{fmt}.zip", key="download_openbaar")  # fmt: skip
st.download_button("Kaart om te printen (PDF, A4)", exported("public", "pdf"),
                   file_name="buurtpreventie-kaart.pdf", mime="application/pdf", key="download_kaart")  # fmt: skip
if st.session_state.get(ROLE) == PLANNER:
    st.subheader("Privé: deelnemers en ledenlijsten (alleen voor de beheerders)")
    st.download_button("Met persoonsgegevens (zip)", exported("private", fmt),
                       file_name=f"buurtpreventie-prive-{fmt}.zip", key="download_prive")  # fmt: skip
store.close()
