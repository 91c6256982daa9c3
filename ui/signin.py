"""Named editors on the page: «Accedi» with a name and a password, the signed-in session with
its idle timeout, «Esci», and the audit log for editors (coopplan.editors.accounts, coopplan.editors.audit).

The session state keeps a ``coopplan.editors.accounts.Session`` (who, how, from where, last active); a
page run asks ``session(store)``, which ends a session idle for longer than
COOPPLAN_EDITOR_IDLE_MINUTES (the log records it) and otherwise marks it active. Before a write,
``actor(store)`` checks again that the editor still exists: an editor removed while signed in
writes nothing.
"""

from __future__ import annotations

import time
import uuid

import pandas as pd
import streamlit as st

from coopplan.editors.access import Guesser, _duration
from coopplan.editors.accounts import (
    EXPIRED_MESSAGE,
    REMOVED_MESSAGE,
    Actor,
    Session,
    SignIn,
    idle_limit,
    still_editor,
)
from coopplan.editors.audit import Action, Event, Result, csv_text, entries, table_rows
from coopplan.editors.backends import audit_for, editors_for
from coopplan.store.model import StoreError, VersionStore
from ui.safe import table, text

SESSION = "editor_session"  # session state: the coopplan.editors.accounts.Session signed in, if any
SESSION_ID = "agg_session_id"  # a random id of this browser session, for the guess throttle
NAME_FIELD = "agg_sign_in_name"
PASSWORD_FIELD = "agg_sign_in_password"  # noqa: S105 - a widget key, not a password
NOTICE = "agg_sign_in_notice"  # the refusal or the expiry to show after the rerun
AUDIT_ROWS = 200  # entries shown on the page (the CSV has them all)


def client() -> str:
    """This session's client address as the throttle and the log name it."""
    return guesser().client_key


def guesser() -> Guesser:
    session_id = st.session_state.setdefault(SESSION_ID, uuid.uuid4().hex)
    address = st.context.ip_address
    return Guesser(session_id, address if isinstance(address, str) else None)


def session(store: VersionStore) -> Session | None:
    """The editor signed in in this browser session, or None; a session idle for too long ends
    here (told once, and logged)."""
    held = st.session_state.get(SESSION)
    if not isinstance(held, Session):
        return None
    now, limit = time.monotonic(), idle_limit()
    if held.expired(now, limit):
        st.session_state.pop(SESSION, None)
        st.session_state[NOTICE] = EXPIRED_MESSAGE.format(minutes=_duration(limit))
        log(store, Action(Event.SIGN_OUT, held.editor, held.client, Result.EXPIRED))
        return None
    held.touch(now)
    return held


def actor(store: VersionStore, held: Session) -> Actor | None:
    """Who a write is recorded as, once the editor is known to exist still (None, with the
    reason shown, for an editor removed meanwhile: the session ends)."""
    if held.method != "password" or still_editor(editors_for(store), held.editor):
        return held.actor
    st.session_state.pop(SESSION, None)
    st.error(text(REMOVED_MESSAGE.format(name=held.editor)))
    return None


def sign_in_form(store: VersionStore) -> None:
    """«Accedi»: name and password; on success the page runs again signed in."""
    with st.form("agg_sign_in_named", clear_on_submit=False, enter_to_submit=True):
        st.text_input("Nome", key=NAME_FIELD, autocomplete="username")
        st.text_input("Password", type="password", key=PASSWORD_FIELD)
        st.form_submit_button(
            "Accedi",
            type="primary",
            icon=":material/login:",
            on_click=_sign_in,
            args=(store,),
        )
    notice = st.session_state.pop(NOTICE, "")
    if notice:
        st.error(text(notice))


def _sign_in(store: VersionStore) -> None:
    """The button's callback: empty the password field (never drawn again), check, sign in."""
    name = str(st.session_state.get(NAME_FIELD, ""))
    typed = str(st.session_state.get(PASSWORD_FIELD, ""))
    st.session_state[PASSWORD_FIELD] = ""
    try:
        result = SignIn(editors_for(store), audit_for(store)).check(name, typed, guesser())
    except StoreError as exc:
        st.session_state[NOTICE] = exc.message
        return
    if result.ok:
        st.session_state[SESSION] = Session(result.editor, "password", client(), time.monotonic())
    else:
        st.session_state[NOTICE] = result.message


SIGNED_OUT = "Uscita eseguita ({name}): per pubblicare di nuovo serve accedere."


def sign_out(store: VersionStore) -> None:
    """«Esci»: the session ends (and the log says so)."""
    held = st.session_state.pop(SESSION, None)
    if isinstance(held, Session):
        log(store, Action(Event.SIGN_OUT, held.editor, held.client))
        st.toast(text(SIGNED_OUT.format(name=held.editor)), icon=":material/logout:")


def audit_section(store: VersionStore) -> None:
    """The audit log for a signed-in editor: the newest entries, and all of them as CSV."""
    with st.expander("Registro delle operazioni"):
        try:
            items = entries(audit_for(store))
        except StoreError as exc:
            st.error(text(exc.message))
            return
        if not items:
            st.caption("Il registro delle operazioni è vuoto.")
            return
        rows = table_rows(items)[:AUDIT_ROWS]
        st.caption(
            text(
                f"Le ultime {len(rows)} operazioni di {len(items)}, dalla più recente: ogni "
                "accesso, tentativo sbagliato, pubblicazione, ripristino e segno, con l'indirizzo."
            )
        )
        st.table(table(pd.DataFrame(rows)), hide_index=True)
        st.download_button(
            "Scarica il registro (.csv)",
            data=csv_text(items).encode("utf-8-sig"),
            file_name="registro_operazioni.csv",
            mime="text/csv",
            on_click="ignore",
            icon=":material/download:",
            key="agg_audit_csv",
        )


def log(store: VersionStore, action: Action) -> None:
    try:
        audit_for(store).record(action)
    except StoreError:
        pass  # the log could not be written: the page still works (verify shows the gap)
