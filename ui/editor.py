"""Who may change the plan in this browser session: «Accedi» and «Esci» on «Aggiorna il piano».

Uploading, checking and previewing a file, publishing, restoring and marking a version are an
editor's actions. An editor signs in with their own name and password (ui/signin.py,
coopplan.editors.accounts); the old shared secret (coopplan.editors.access.Gate) opens the door only while the
store has no named editor (``editors.shared_key_allowed``, docs/decisions.md). Either way the
session state keeps a ``coopplan.editors.accounts.Session`` (ended by «Esci» or after the idle time), the
page asks ``current(store)``, and a write asks ``actor(store)`` for the verified name it records.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import streamlit as st

from coopplan.editors.access import NOT_CONFIGURED_MESSAGE, Gate, configured_secret
from coopplan.editors.accounts import (
    SHARED_KEY_EDITOR,
    SHARED_KEY_LEGACY_NOTICE,
    SHARED_KEY_RETIRED_NOTICE,
    Actor,
    Session,
    shared_key_allowed,
)
from coopplan.editors.backends import editors_for
from coopplan.store.model import StoreError, VersionStore
from ui import oidc, signin, uploads
from ui.safe import text

OIDC = oidc.METHOD  # the Session.method of a sign-in with the identity provider
SECRET = "secret"  # noqa: S105 - the Session.method of the old shared secret, not a secret
PROVIDER_MISSING = (
    "L'accesso con l'account dell'associazione non è configurato: in .streamlit/secrets.toml "
    "c'è l'elenco editor_emails ma manca la sezione [auth] (vedi docs/installazione.md, "
    "sezione 3). Finché non viene completata nessuno può aggiornare il piano."
)
SECRET_FIELD = "agg_sign_in_secret"  # noqa: S105 - a widget key, not a secret
SIGN_IN_ERROR = "agg_sign_in_error"  # the refusal to show after the rerun


@dataclass(frozen=True)
class Editor:
    """Who signed in: ``name``, their verified name (or «password condivisa» for the old
    shared secret); ``method``: how they signed in (``password`` or ``secret``)."""

    name: str
    method: str = "password"


def editor_gate() -> Gate:
    """The shared editor secret of this server (Streamlit secrets, else the environment)."""
    return Gate(configured_secret(st.secrets))


def named_editors_exist(store: VersionStore) -> bool:
    """True once the store has a named editor, or addresses are allowed to sign in with the
    identity provider (then the shared secret opens nothing)."""
    if oidc.editors_listed():
        return True
    try:
        return not shared_key_allowed(editors_for(store))
    except StoreError:
        return True  # editors unreadable: never fall back to the shared secret


def current(store: VersionStore) -> Editor | None:
    """The editor signed in in this session, or None for a visitor. A session idle for too long
    ends here (ui/signin.py); one opened with the shared secret ends once named editors exist.
    A signed-in session is (again) allowed to upload: one resumed after a lost connection too."""
    was_signed_in = signed_in()
    if oidc.configured():
        oidc.adopt(store)  # someone signed in with the identity provider and allowed to edit
    held = signin.session(store)
    if held is None:
        if was_signed_in:  # expired just now: its upload permission and file go too
            uploads.forbid(uploads.session_id())
        return None
    if held.method == SECRET and named_editors_exist(store):
        st.session_state.pop(signin.SESSION, None)
        st.session_state[signin.NOTICE] = SHARED_KEY_RETIRED_NOTICE
        uploads.forbid(uploads.session_id())
        return None
    uploads.allow(uploads.session_id())
    return Editor(held.editor, held.method)


def signed_in() -> bool:
    """True while this session holds a sign-in (checked again by ``actor`` before a write)."""
    return isinstance(st.session_state.get(signin.SESSION), Session)


def actor(store: VersionStore) -> Actor | None:
    """Who a write is recorded as, checked again just before it (None, with the reason shown:
    signed out meanwhile, an editor removed, an address taken off the list, or the shared
    secret retired; a session that ends here may upload no more)."""
    held = st.session_state.get(signin.SESSION)
    if not isinstance(held, Session):
        return None
    who = _verified(store, held)
    if who is None:
        uploads.forbid(uploads.session_id())
    return who


def _verified(store: VersionStore, held: Session) -> Actor | None:
    if held.method == SECRET:
        if named_editors_exist(store):
            st.session_state.pop(signin.SESSION, None)
            st.error(text(SHARED_KEY_RETIRED_NOTICE))
            return None
        return held.actor
    if held.method == OIDC:
        return held.actor if oidc.still_allowed() else None
    return signin.actor(store, held)


def sign_in_form(store: VersionStore) -> None:
    """«Accedi»: with the identity provider when one is configured; name and password once named
    editors exist (both when both are set up); the shared secret before either."""
    provider = oidc.configured()
    if provider:
        oidc.sign_in_button()
    if password_editors_exist(store):
        if provider:
            st.caption("Oppure accedi con il nome e la password di editor:")
        signin.sign_in_form(store)  # shows the expiry or refusal notice too
    elif not named_editors_exist(store):
        secret_form(editor_gate())
    else:
        if not provider:  # addresses listed, but no [auth] section to sign them in with
            st.warning(text(PROVIDER_MISSING))
        notice = st.session_state.pop(signin.NOTICE, "")
        if notice:
            st.error(text(notice))


def password_editors_exist(store: VersionStore) -> bool:
    """True once the store has an editor with a password (``editor add``)."""
    try:
        return not shared_key_allowed(editors_for(store))
    except StoreError:
        return True  # editors unreadable: the form says why when used


def how_to_sign_in(store: VersionStore) -> str:
    """How a visitor signs in here, for the sentence above «Accedi»."""
    ways = []
    if oidc.configured() or oidc.editors_listed():
        ways.append("con l'account dell'associazione")
    if password_editors_exist(store):
        ways.append("con il tuo nome e la tua password")
    if not ways:
        ways.append("con la password di pubblicazione")
    return " oppure ".join(ways)


def secret_form(gate: Gate) -> None:
    """«Accedi» with the old shared secret, checked with the guess slow-down; on success the
    page runs again with the session signed in."""
    if not gate.configured:
        st.info(text(NOT_CONFIGURED_MESSAGE))
    with st.form("agg_sign_in", clear_on_submit=False, enter_to_submit=True):
        st.text_input(
            "Password di pubblicazione",
            type="password",
            disabled=not gate.configured,
            key=SECRET_FIELD,
        )
        st.form_submit_button(
            "Accedi",
            type="primary",
            icon=":material/login:",
            disabled=not gate.configured,
            on_click=_sign_in,
            args=(gate,),
        )
    refusal = st.session_state.pop(SIGN_IN_ERROR, "") or st.session_state.pop(signin.NOTICE, "")
    if refusal:
        st.error(text(refusal))


def _sign_in(gate: Gate) -> None:
    """The button's callback, before the page runs: empty the field (the secret is never drawn
    again), check the guess, and sign the session in or keep the refusal to show."""
    typed = st.session_state.get(SECRET_FIELD, "")
    st.session_state[SECRET_FIELD] = ""
    verdict = gate.check(typed, signin.guesser())
    if verdict.ok:
        held = Session(SHARED_KEY_EDITOR, SECRET, signin.client(), time.monotonic())
        st.session_state[signin.SESSION] = held
        uploads.allow(uploads.session_id())
    else:
        st.session_state[SIGN_IN_ERROR] = verdict.message


def signed_in_bar(store: VersionStore, editor: Editor, forget: Iterable[str] = ()) -> None:
    """Who is signed in, and «Esci» (which also forgets the session-state keys ``forget``)."""
    left, right = st.columns([3, 1], vertical_alignment="center")
    who = "con la password di pubblicazione" if editor.method == SECRET else f"come {editor.name}"
    left.caption(text(f"Hai eseguito l'accesso {who}: puoi caricare e pubblicare un file."))
    right.button(
        "Esci",
        icon=":material/logout:",
        key="agg_sign_out",
        on_click=sign_out,
        args=(store, tuple(forget)),
    )
    if editor.method == SECRET:
        st.warning(text(SHARED_KEY_LEGACY_NOTICE), icon=":material/group:")


def sign_out(store: VersionStore, forget: tuple[str, ...] = ()) -> None:
    """Back to a visitor (logged): no more uploads from this session, its file and ``forget``
    dropped."""
    held = st.session_state.get(signin.SESSION)
    signin.sign_out(store)
    for key in forget:
        st.session_state.pop(key, None)
    uploads.forbid(uploads.session_id())
    if isinstance(held, Session) and held.method == OIDC:
        oidc.sign_out()
