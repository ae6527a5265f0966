"""What every page shares: settings, the project store of this session, the role."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.access import PAGES_FOR, PLANNER, configured_hashes
from geo.config import Settings
from geo.errors import ConfigError, GeoError
from geo.maps import RoadLayers, road_layers
from geo.project import Placement, demo_project
from geo.sessions import SessionPolicy, SessionTable, policy_from_env
from geo.sources import Wijk
from geo.store import Store
from geo.wording import counted, noun

ROLE = "rol"
SESSION = "sessie"  # the login's token: in this session's state and in the URL's query
SESSION_EXPIRED = "sessie_verlopen"  # the login page says why the login is asked again
CHOOSE = "Kies…"  # placeholder of every dropdown (Streamlit's own is English)
# Streamlit has no setting for the file uploader's own texts ("Upload", "200MB per file"): the
# app replaces them with Dutch ones by CSS, on every page.
DUTCH_UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {
  font-size: 0 !important;
}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "Bestand kiezen"; font-size: 0.875rem;
}
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0 !important; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "Sleep een bestand hierheen of kies er een (hoogstens 20 MB)"; font-size: 0.875rem;
}
</style>"""
MAX_MEMBERS = "max_leden"
FILL = "vulgraad"  # in per cents


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


def setting_problems() -> dict[str, str]:
    """The ``GEO_*`` settings in the environment that are wrong, each with why (in Dutch)."""
    problems = {}
    for name, value in os.environ.items():
        if name.startswith("GEO_"):
            try:
                Settings.from_env({name: value})
            except ConfigError as error:
                problems[name] = str(error)
    return problems


def show_setting_problems() -> None:
    """Once, at the top of every page: which setting is wrong and what waits for it."""
    problems = setting_problems()
    if problems:
        wrong = "; ".join(md(why if name in why else f"{name}: {why}")
                          for name, why in problems.items())  # fmt: skip
        st.error(
            f"Een instelling van de app klopt niet: {wrong}. Inlezen, plaatsen, indelen, "
            "splitsen en ongedaan maken kunnen pas als die is verbeterd en de app opnieuw is "
            "gestart; de rest van de app werkt gewoon, ook iemand verwijderen."
        )


def safe_settings() -> Settings:
    """Settings for what plans nothing (phone regions, online look-ups): a wrong ``GEO_*``
    setting keeps its default here (:func:`show_setting_problems` reports it). The cap is
    never above 255 (:class:`Settings` refuses that), and planning uses :func:`settings`."""
    problems = setting_problems()
    return Settings.from_env({k: v for k, v in os.environ.items() if k not in problems})


def settings() -> Settings:
    """Settings from the environment, with the planner's choices of this session, for
    whatever plans or writes sign-ups: :class:`ConfigError` while a ``GEO_*`` setting is wrong
    (the actions show it as they show any :class:`GeoError`)."""
    base = Settings.from_env()
    return Settings(
        max_members=int(st.session_state.get(MAX_MEMBERS, base.max_members)),
        fill=float(st.session_state[FILL]) / 100 if FILL in st.session_state else base.fill,
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
        if path.exists():
            return Store.open(path)
        try:
            chosen = settings()
        except ConfigError:
            st.info("De demo wordt klaargezet zodra de instelling hierboven is verbeterd.")
            st.stop()
            raise  # st.stop() does not return
        with st.spinner("De demo wordt klaargezet (eenmalig)…"):
            return demo_project(path, settings=chosen)
    if path.exists():
        return Store.open(path)
    if optional:
        return None
    st.warning("Er is nog geen project. Kies eerst de wijk waarvoor u groepen gaat plannen.")
    start_link()
    st.stop()
    return None


def start_link() -> None:
    """The first step for a new project: a link to the Wijk page (when this role has it)."""
    if "wijk" in PAGES_FOR.get(st.session_state.get(ROLE) or "", ()):
        st.page_link("views/wijk.py", label="Begin hier: kies de wijk", icon=":material/map:")


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


@st.cache_resource(show_spinner=False)
def _session_table(idle_seconds: float, absolute_seconds: float) -> SessionTable:
    """The server's one token table (a new policy starts a new, empty one)."""
    return SessionTable(SessionPolicy(idle_seconds, absolute_seconds))


def _session_policy() -> SessionPolicy:
    try:
        return policy_from_env({**os.environ, **_secrets()})
    except ConfigError as error:
        st.error(str(error))
        st.stop()
        raise  # st.stop() does not return


def session_table() -> SessionTable:
    """The server's table of login tokens under the configured policy."""
    policy = _session_policy()
    return _session_table(policy.idle_seconds, policy.absolute_seconds)


def _user_agent() -> str:
    return str(st.context.headers.get("User-Agent", ""))


def start_session(role: str) -> None:
    """After a password login: ``role`` for this session, and a token in the URL so that a
    refresh keeps the login (unless ``GEO_SESSION_HOURS`` is 0)."""
    st.session_state[ROLE] = role
    st.session_state.pop(SESSION_EXPIRED, None)
    policy = _session_policy()
    if not policy.enabled:
        return
    token = session_table().create(role, access_hashes()[role], _user_agent())
    st.session_state[SESSION] = token
    st.query_params[SESSION] = token


def restore_session() -> None:
    """At the start of every run with passwords configured: keep the login honest.

    A logged-in session checks (and renews) its token and puts it back in the URL when a page
    switch dropped it; a logged-out one with a token in the URL (a refresh) gets the role back
    when the token is still valid. A token that is not is removed from the URL, and the login
    page says the session has expired.
    """
    policy = _session_policy()
    token = st.session_state.get(SESSION)
    in_url = st.query_params.get(SESSION)
    if token is None and (ROLE in st.session_state or not in_url or not policy.enabled):
        return  # logged in without a token (GEO_SESSION_HOURS=0), or nothing to restore
    token = token or in_url
    role = session_table().check(token, access_hashes(), _user_agent()) if policy.enabled else None
    if role is None:
        st.session_state.pop(ROLE, None)
        st.session_state.pop(SESSION, None)
        st.session_state[SESSION_EXPIRED] = True
        if SESSION in st.query_params:
            del st.query_params[SESSION]
        return
    st.session_state[ROLE] = role
    st.session_state[SESSION] = token
    if in_url != token:
        st.query_params[SESSION] = token


def log_out() -> None:
    """Forget the role, revoke the token on the server and take it out of the URL."""
    st.session_state.pop(ROLE, None)
    st.session_state.pop(SESSION_EXPIRED, None)
    token = st.session_state.pop(SESSION, None)
    if token is not None:
        session_table().revoke(token)
    if SESSION in st.query_params:
        del st.query_params[SESSION]


CHANGES = "wijzigingen"
NOTICE = "melding"


def action_key(name: str) -> str:
    """The key of a button that changes the project, new after every change.

    A second click on the same button before the page is drawn again (a double click, a form
    sent twice) is a click on a button that no longer exists, so it does nothing.
    """
    return f"{name}_{st.session_state.get(CHANGES, 0)}"


def changed(message: str, *, kind: str = "success", notes: Sequence[str] = ()) -> None:
    """After a change to the project: draw the page again with the new state and ``message``
    (and ``notes``, markdown, each as an info below it: what the planner should know besides).

    Call it right after the change, before any other ``st`` call, so an interrupted run
    cannot apply the change without renewing the action keys.
    """
    st.session_state[CHANGES] = st.session_state.get(CHANGES, 0) + 1
    st.session_state[NOTICE] = (kind, message, tuple(notes))
    st.rerun()


def co_beheerders_moved(count: int, *, done: bool = True) -> str:
    """What becomes (``done``: became) of co-beheerders a split moves: their role goes along."""
    stays = noun(count, "blijft", "blijven")
    if not done:
        who = counted(count, "co-beheerder komt", "co-beheerders komen")
        return f"{who} in een ander gebied en {stays} daar co-beheerder."
    who = counted(count, "co-beheerder kwam", "co-beheerders kwamen")
    return f"{who} in een ander gebied en {stays} daar co-beheerder (zie de pagina Beheerders)."


def placement_text(placement: Placement, *, first: bool, done: bool = False) -> str:
    """What placing the waiting sign-ups does, or with ``done`` did, in one paragraph."""
    n, moved, outside = placement.placed, placement.moved_existing, placement.outside
    if first:
        text = f"Een eerste plan met {counted(n, 'lid', 'leden')}."
    elif done:
        text = f"{counted(n, 'aanmelding kwam', 'aanmeldingen kwamen')} in een gebied."
    else:
        text = f"{counted(n, 'aanmelding komt', 'aanmeldingen komen')} in een gebied."
    if placement.split:
        full = ", ".join(map(str, sorted(placement.split)))
        went = noun(moved, "ging", "gingen") if done else noun(moved, "gaat", "gaan")
        text += (
            f" Te vol, dus gesplitst: gebied {full}; daardoor {went} "
            f"{counted(moved, 'bestaand lid', 'bestaande leden')} naar een andere groep."
        )
    elif not first:
        text += (
            " Geen gebied werd gesplitst en geen bestaand lid veranderde van groep."
            if done
            else " Geen gebied wordt gesplitst en geen bestaand lid verandert van groep."
        )
    if outside:
        lies = counted(outside, "adres ligt", "adressen liggen")
        refused = noun(outside, "werd", "werden") if done else noun(outside, "wordt", "worden")
        text += f" {lies} buiten de wijk en {refused} afgewezen."
    if placement.co_beheerders_moved:
        text += " " + co_beheerders_moved(placement.co_beheerders_moved, done=done)
    return text


def no_plan(store: Store) -> str:
    """Why a page has nothing to show yet, and where to go."""
    waiting = store.status().unplaced
    if waiting:
        who = counted(waiting, "aanmelding wacht", "aanmeldingen wachten")
        return (
            f"Nog geen gebieden: {who} op indeling; deel ze in op de pagina Gebieden (Nu indelen)."
        )
    return "Nog geen gebieden: voeg eerst aanmeldingen toe op de pagina Aanmeldingen."


def unplaced_notes(store: Store) -> list[str]:
    """After an undo: how many sign-ups now wait without an area, and where to place them."""
    count = store.status().unplaced
    if not count:
        return []
    waiting = counted(count, "aanmelding heeft", "aanmeldingen hebben")
    return [
        f"{waiting} nu geen gebied: deel ze in op de pagina Gebieden (u ziet eerst wat dat verandert)."
    ]


def show_notice() -> None:
    """The message of the last change, shown once (on the page drawn after it)."""
    notice = st.session_state.pop(NOTICE, None)
    if notice is not None:
        kind, message, notes = notice
        {"success": st.success, "error": st.error, "warning": st.warning}[kind](message)
        for note in notes:
            st.info(note)
        # The page opens at its top, but the button was lower down: a toast shows it there too.
        st.toast(toast_text(message), icon={"success": "✅", "error": "⚠️", "warning": "⚠️"}[kind])


_SENTENCE_END = re.compile(r"(?<!\b[A-Za-z])(?<!\bnr)\\?\. (?=[A-Z])")
TOAST_CHARACTERS = (
    90  # about three lines of a toast: longer ones get Streamlit's English "view more"
)


def toast_text(message: str) -> str:
    """``message`` short enough for a toast (the whole message stands at the top of the page):
    its first sentence, cut at a word with "…" if that is still too long."""
    # A sentence ends at ". " before a capital, not after an initial or "nr" ("J. de Vries").
    first = _SENTENCE_END.split(message, maxsplit=1)[0]
    first = first if first == message else first + "."
    if len(first) <= TOAST_CHARACTERS:
        return first
    return first[: TOAST_CHARACTERS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


MAP_HEIGHT = 560  # px: the wijk readable on a laptop screen, the page still scrolls past it


def wijk_key(store: Store) -> tuple[str, str, int]:
    """Names the wijk of a project: its layers are fixed when the project is made."""
    try:
        created = store.setting("created")
    except GeoError:
        created = ""
    return (str(store.path.resolve()), created, store.path.stat().st_ino)


@st.cache_data(max_entries=4, show_spinner=False)
def _wijk(key: tuple[str, str, int], _store: Store) -> Wijk:
    return _store.wijk()


def wijk_of(store: Store) -> Wijk:
    """The project's wijk layers, read from the file once per project (a copy per call)."""
    return _wijk(wijk_key(store), store)


@st.cache_data(max_entries=4, show_spinner=False)
def _crs(key: tuple[str, str, int], _store: Store) -> str:
    return wijk_of(_store).crs


def wijk_crs(store: Store) -> str:
    """The wijk's metric CRS, found once per project (outside NL a UTM look-up takes 0.3 s)."""
    return _crs(wijk_key(store), store)


@st.cache_data(max_entries=4, show_spinner=False)
def _roads(key: tuple[str, str, int], _store: Store) -> RoadLayers:
    return road_layers(wijk_of(_store).streets)


def roads_of(store: Store) -> RoadLayers:
    """The wijk's roads prepared for a map, once per project."""
    return _roads(wijk_key(store), store)


def show_map(
    fmap: folium.Map,
    *,
    key: str,
    returned_objects: list[str] | None = None,
    height: int = MAP_HEIGHT,
) -> dict[str, Any]:
    """A map over the full width of the page, fitted to the wijk; nothing returned unless asked
    (a pan or zoom then does not run the page again)."""
    found = st_folium(
        fmap,
        height=height,
        use_container_width=True,
        returned_objects=returned_objects or [],
        key=key,
    )
    return dict(found or {})


def local_times(at: pd.Series) -> pd.Series:
    """ISO times (UTC) as Dutch local time, ``31-12-2026 14:05``; '' where there is none."""
    moments = pd.to_datetime(at, utc=True, errors="coerce")
    return moments.dt.tz_convert("Europe/Amsterdam").dt.strftime("%d-%m-%Y %H:%M").fillna("")


def refresh_labels(key: str) -> None:
    """Before a keyed selectbox whose option labels show the state (counts, a vacancy): keep
    the choice but send it again, so the browser shows its label of now. Otherwise the browser
    keeps the label it chose from (stale after an action) until the page is opened again."""
    if st.session_state.get(key) is not None:
        st.session_state[key] = st.session_state[key]


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|~<>$:"})
_LINK_START = re.compile(r"https?(?=:)|www(?=\.)|@", re.IGNORECASE)  # also after "_" or "x"


def md(text: object) -> str:
    """``text`` shown as it is in ``st.markdown`` and messages: names and streets come from
    sign-up files, and ``*``, ``[..](..)``, ``$`` or ``:red[..]`` must not format the page.

    A bare web or e-mail address still becomes a link after escaping (GitHub markdown links
    ``https://``, ``www.`` and ``a@b.c`` in the text it shows): an invisible word joiner after
    ``https``, ``www`` and ``@`` keeps a phishing link in a sign-up from being one on the
    planner's screen."""
    return _LINK_START.sub("\\g<0>\u2060", str(text)).translate(_MARKDOWN)
