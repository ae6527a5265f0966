"""What every page shares: settings, the project store of this session, the role."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from geo.access import PAGES_FOR, PLANNER, configured_hashes
from geo.config import Settings
from geo.project import demo_project
from geo.store import Store

ROLE = "rol"
MAX_MEMBERS = "max_leden"
FILL = "vulgraad"


def _secrets() -> dict[str, str]:
    try:
        return {key: str(value) for key, value in st.secrets.items()}
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return {}


def access_hashes() -> dict[str, str]:
    """Configured password hashes per role (secrets first, then the environment)."""
    return configured_hashes({**os.environ, **_secrets()})


def demo_mode() -> bool:
    """No planner password configured: the app shows the demo project only."""
    return PLANNER not in access_hashes()


def data_dir() -> Path:
    return Path(os.environ.get("GEO_DATA_DIR", Path.home() / ".local" / "share" / "buurtpreventie"))


def settings() -> Settings:
    """Settings from the environment, with the planner's choices of this session."""
    base = Settings.from_env()
    return Settings(
        max_members=int(st.session_state.get(MAX_MEMBERS, base.max_members)),
        fill=float(st.session_state.get(FILL, base.fill)),
        cache_dir=base.cache_dir,
        user_agent=base.user_agent,
        phone_regions=base.phone_regions,
    )


def project_path() -> Path:
    """The project file of this app (the demo's in demo mode)."""
    return data_dir() / ("demo.sqlite" if demo_mode() else "project.sqlite")


def open_store(*, optional: bool = False) -> Store | None:
    """The project of this app: the demo, or ``project.sqlite`` in the data directory.

    Without a project the page stops with a pointer to the Wijk page (or, when ``optional``,
    gets ``None`` to offer making one).
    """
    path = project_path()
    if demo_mode():
        with st.spinner("De demo wordt klaargezet (eenmalig)…"):
            return demo_project(path, settings=settings())
    if path.exists():
        return Store.open(path)
    if optional:
        return None
    st.warning("Er is nog geen project. Kies eerst de wijk op de pagina Wijk.")
    st.stop()
    return None


def store_or_stop() -> Store:
    """The project for pages that need one (they stop when there is none yet)."""
    store = open_store()
    assert store is not None  # open_store stops the page otherwise
    return store


def allow(page: str) -> None:
    """Stop the page unless the logged-in role may see it (navigation alone is not enough)."""
    role = st.session_state.get(ROLE)
    if role is None or page not in PAGES_FOR[role]:
        st.error("U heeft geen toegang tot deze pagina.")
        st.stop()


def log_out() -> None:
    st.session_state.pop(ROLE, None)


CHANGES = "wijzigingen"
NOTICE = "melding"


def action_key(name: str) -> str:
    """The key of a button that changes the project, new after every change.

    A second click on the same button before the page is drawn again (a double click, a form
    sent twice) is a click on a button that no longer exists, so it does nothing.
    """
    return f"{name}_{st.session_state.get(CHANGES, 0)}"


def changed(message: str, *, kind: str = "success") -> None:
    """After a change to the project: draw the page again with the new state and ``message``.

    Call it right after the change, before any other ``st`` call, so an interrupted run
    cannot apply the change without renewing the action keys.
    """
    st.session_state[CHANGES] = st.session_state.get(CHANGES, 0) + 1
    st.session_state[NOTICE] = (kind, message)
    st.rerun()


def show_notice() -> None:
    """The message of the last change, shown once (on the page drawn after it)."""
    notice = st.session_state.pop(NOTICE, None)
    if notice is not None:
        kind, message = notice
        {"success": st.success, "error": st.error, "warning": st.warning}[kind](message)
