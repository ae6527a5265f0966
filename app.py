"""The planner's app: ``streamlit run app.py``. Thin: session state, widgets, calls into geo/.

Without a configured planner password (``GEO_PLANNER_PASSWORD_HASH`` in the environment or
Streamlit secrets) the app opens the demo project only and says so.
"""

from __future__ import annotations

import streamlit as st

from geo.access import MUNICIPALITY, PAGES_FOR, PLANNER, role_for
from views.common import (
    DUTCH_UPLOADER_CSS,
    ROLE,
    SESSION_EXPIRED,
    access_hashes,
    demo_mode,
    log_out,
    restore_session,
    show_setting_problems,
    start_session,
)

st.set_page_config(
    page_title="BuurtWhatsApp-planner", page_icon=":material/visibility:", layout="wide"
)
st.html(DUTCH_UPLOADER_CSS)

PAGES = {
    "aanmeldingen": st.Page(
        "views/aanmeldingen.py", title="Aanmeldingen", icon=":material/edit_note:", default=True
    ),
    "wijk": st.Page("views/wijk.py", title="Wijk", icon=":material/map:"),
    "gebieden": st.Page("views/gebieden.py", title="Gebieden", icon=":material/grid_view:"),
    "geschiedenis": st.Page(
        "views/geschiedenis.py", title="Geschiedenis", icon=":material/history:"
    ),
    "beheerders": st.Page("views/beheerders.py", title="Beheerders", icon=":material/groups:"),
    "borden": st.Page("views/borden.py", title="Borden", icon=":material/signpost:"),
    "export": st.Page("views/export.py", title="Export", icon=":material/download:"),
    "groepen": st.Page(
        "views/groepen.py", title="Groepen starten", icon=":material/rocket_launch:"
    ),
}

if demo_mode():
    st.session_state.setdefault(ROLE, PLANNER)
    st.sidebar.info(
        "Demomodus: er is geen wachtwoord ingesteld, dus de app toont alleen de demo "
        "(echte straten van Helsinki, verzonnen deelnemers)."
    )
else:
    restore_session()  # a refresh keeps a valid login (token in the URL, see geo/sessions.py)
role = st.session_state.get(ROLE)


def log_in() -> None:
    """The only page before logging in: no menu, no list of the app's pages."""
    st.title("BuurtWhatsApp-planner")
    if st.session_state.get(SESSION_EXPIRED):
        st.info("Uw sessie is verlopen; log opnieuw in.")
    with st.form("inloggen", enter_to_submit=False):
        password = st.text_input("Wachtwoord", type="password", key="wachtwoord")
        if st.form_submit_button("Inloggen"):
            found = role_for(password, access_hashes())
            if found is None:
                st.error("Dit wachtwoord klopt niet.")
            else:
                start_session(found)
                st.rerun()


if role is None:
    # st.navigation, not the views/ folder, decides the menu: hidden before login and after
    # logging out, so nobody sees the page list (nor helper modules such as "common").
    # Every page's address shows the login too: a link or a refresh after the session expired
    # gets the login (not Streamlit's English "Page not found") and then that page.
    login = [st.Page(log_in, title="Inloggen", url_path="inloggen", default=True)]
    login += [st.Page(log_in, title="Inloggen", url_path=name) for name in PAGES]  # = file names
    st.navigation(login, position="hidden").run()
    st.stop()

label = {PLANNER: "planner", MUNICIPALITY: "gemeente"}[role]
st.sidebar.caption(f"Ingelogd als {label}")
if not demo_mode() and st.sidebar.button("Uitloggen", key="uitloggen"):
    log_out()
    st.rerun()
show_setting_problems()  # a wrong GEO_* setting: one message above every page
# PAGES_FOR (geo.access) lists each role's pages in menu order; a new page is added to both.
st.navigation([PAGES[name] for name in PAGES_FOR[role]]).run()
