"""The planner's app: ``streamlit run app.py``. Thin: session state, widgets, calls into geo/.

Without a configured planner password (``GEO_PLANNER_PASSWORD_HASH`` in the environment or
Streamlit secrets) the app opens the demo project only and says so.
"""

from __future__ import annotations

import streamlit as st

from geo.access import MUNICIPALITY, PAGES_FOR, PLANNER, role_for
from pages.common import ROLE, access_hashes, demo_mode, log_out

st.set_page_config(
    page_title="BuurtWhatsApp-planner", page_icon=":material/visibility:", layout="wide"
)

PAGES = {
    "aanmeldingen": st.Page(
        "pages/aanmeldingen.py", title="Aanmeldingen", icon=":material/edit_note:", default=True
    ),
    "wijk": st.Page("pages/wijk.py", title="Wijk", icon=":material/map:"),
    "gebieden": st.Page("pages/gebieden.py", title="Gebieden", icon=":material/grid_view:"),
    "geschiedenis": st.Page(
        "pages/geschiedenis.py", title="Geschiedenis", icon=":material/history:"
    ),
    "beheerders": st.Page("pages/beheerders.py", title="Beheerders", icon=":material/groups:"),
    "borden": st.Page("pages/borden.py", title="Borden", icon=":material/signpost:"),
    "export": st.Page("pages/export.py", title="Export", icon=":material/download:"),
}

if demo_mode():
    st.session_state.setdefault(ROLE, PLANNER)
    st.sidebar.info(
        "Demomodus: er is geen wachtwoord ingesteld, dus de app toont alleen de demo "
        "(echte straten van Helsinki, verzonnen deelnemers)."
    )
role = st.session_state.get(ROLE)

if role is None:
    st.title("BuurtWhatsApp-planner")
    with st.form("inloggen"):
        password = st.text_input("Wachtwoord", type="password", key="wachtwoord")
        if st.form_submit_button("Inloggen"):
            found = role_for(password, access_hashes())
            if found is None:
                st.error("Dit wachtwoord klopt niet.")
            else:
                st.session_state[ROLE] = found
                st.rerun()
    st.stop()

label = {PLANNER: "planner", MUNICIPALITY: "gemeente"}[role]
st.sidebar.caption(f"Ingelogd als {label}")
if not demo_mode() and st.sidebar.button("Uitloggen", key="uitloggen"):
    log_out()
    st.rerun()
st.navigation([PAGES[name] for name in PAGES_FOR[role]]).run()
