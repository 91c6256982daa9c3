"""Who may change the plan in this browser session: «Accedi» and «Esci» on «Aggiorna il piano».

Uploading, checking and previewing a file, publishing, restoring and marking a version are an
editor's actions. Today an editor is whoever knows the one editor secret (coopplan.access.Gate,
whose slow-down of wrong guesses is per session and per client address); signing in keeps an
``Editor`` in the session state, and the page asks ``current()`` only. Named editors (issue 21)
will be another way of signing in that yields an ``Editor`` with a verified ``name``: the page
and the upload guard (ui/uploads.py) stay as they are.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import streamlit as st

from coopplan.access import NOT_CONFIGURED_MESSAGE, Gate, Guesser, configured_secret
from ui import uploads
from ui.safe import text

SIGNED_IN = "editor_signed_in"  # session state: the Editor signed in, if any
SESSION_ID = "agg_session_id"  # a random id of this browser session, for the guess throttle
SECRET_FIELD = "agg_sign_in_secret"  # noqa: S105 - a widget key, not a secret
SIGN_IN_ERROR = "agg_sign_in_error"  # the refusal to show after the rerun


@dataclass(frozen=True)
class Editor:
    """Who signed in. ``name``: their verified name, "" while one shared secret opens the door
    (the publish form then asks who is publishing); ``method``: how they signed in."""

    name: str = ""
    method: str = "secret"


def editor_gate() -> Gate:
    """The shared editor secret of this server (Streamlit secrets, else the environment)."""
    return Gate(configured_secret(st.secrets))


def current() -> Editor | None:
    """The editor signed in in this session, or None for a visitor. A signed-in session is
    (again) allowed to upload: a session resumed after a lost connection too."""
    editor = st.session_state.get(SIGNED_IN)
    if isinstance(editor, Editor):
        uploads.allow(uploads.session_id())
        return editor
    return None


def guesser() -> Guesser:
    """This browser session and its client address, as the guess throttle knows them. The
    address is Streamlit's (uvicorn's) peer address: see README, «Dietro un proxy»."""
    session = st.session_state.setdefault(SESSION_ID, uuid.uuid4().hex)
    return Guesser(session, st.context.ip_address)


def sign_in_form(gate: Gate) -> None:
    """«Accedi»: the editor secret, checked with the guess slow-down; on success the page runs
    again with the session signed in."""
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
    refusal = st.session_state.pop(SIGN_IN_ERROR, "")
    if refusal:
        st.error(text(refusal))


def _sign_in(gate: Gate) -> None:
    """The button's callback, before the page runs: empty the field (the secret is never drawn
    again), check the guess, and sign the session in or keep the refusal to show."""
    typed = st.session_state.get(SECRET_FIELD, "")
    st.session_state[SECRET_FIELD] = ""
    verdict = gate.check(typed, guesser())
    if verdict.ok:
        st.session_state[SIGNED_IN] = Editor()
        uploads.allow(uploads.session_id())
    else:
        st.session_state[SIGN_IN_ERROR] = verdict.message


def signed_in_bar(editor: Editor, forget: Iterable[str] = ()) -> None:
    """Who is signed in, and «Esci» (which also forgets the session-state keys ``forget``)."""
    left, right = st.columns([3, 1], vertical_alignment="center")
    who = f"come {editor.name}" if editor.name else "con la password di pubblicazione"
    left.caption(text(f"Hai eseguito l'accesso {who}: puoi caricare e pubblicare un file."))
    right.button(
        "Esci",
        icon=":material/logout:",
        key="agg_sign_out",
        on_click=sign_out,
        args=(tuple(forget),),
    )


def sign_out(forget: tuple[str, ...] = ()) -> None:
    """Back to a visitor: no more uploads from this session, its file and ``forget`` dropped."""
    st.session_state.pop(SIGNED_IN, None)
    for key in forget:
        st.session_state.pop(key, None)
    uploads.forbid(uploads.session_id())
