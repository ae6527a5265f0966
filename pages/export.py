"""Export: public files for everyone, private rosters for the planner only."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import streamlit as st

from geo.access import PLANNER
from geo.project import export_project
from pages.common import ROLE, allow, store_or_stop

allow("export")
st.title("Export")
store = store_or_stop()


def zipped(profile: str, fmt: str) -> bytes:
    """An export as a zip file (nothing stays on the server's disk)."""
    with tempfile.TemporaryDirectory(prefix="export-") as scratch:
        out = Path(scratch) / "uit"
        files = export_project(store, profile=profile, fmt=fmt, out=out)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                for item in [path] if path.is_file() else sorted(path.rglob("*")):
                    archive.write(item, item.relative_to(out.parent))
        return buffer.getvalue()


st.subheader("Openbaar (zonder persoonsgegevens)")
st.download_button("Kaartlagen (GeoJSON, zip)", zipped("public", "geojson"),
                   file_name="buurtpreventie-openbaar.zip", key="download_openbaar")  # fmt: skip
if st.session_state.get(ROLE) == PLANNER:
    st.subheader("Privé: ledenlijsten per gebied (alleen voor de beheerders)")
    st.download_button("Ledenlijsten (CSV, zip)", zipped("private", "csv"),
                       file_name="buurtpreventie-ledenlijsten.zip", key="download_prive")  # fmt: skip
store.close()
