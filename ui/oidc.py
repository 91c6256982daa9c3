"""Signing in with the association's identity provider: Streamlit's own ``st.login``/``st.user``
(OIDC, ``streamlit[auth]``), configured in ``.streamlit/secrets.toml`` ([auth] section), with the
addresses allowed to edit in ``editor_emails`` (coopplan.editors.oidc).

Streamlit keeps who signed in in a signed cookie and gives it to every new browser session as
``st.user``. This module turns an allowed ``st.user`` into the same ``coopplan.editors.accounts.Session``
the password sign-in keeps (ui/signin.py), method ``oidc``, so «Esci», the idle timeout, the audit
log and every write work alike; a person signed in whose address is not on the list stays a
visitor and is told so in Italian.
"""

from __future__ import annotations

import time

import streamlit as st

from coopplan.editors.accounts import Session, idle_limit
from coopplan.editors.audit import Action, Event, Result
from coopplan.editors.oidc import (
    METHOD,
    REMOVED_MESSAGE,
    Standing,
    Verdict,
    allowed_emails,
    just_issued,
    normal_email,
    provider_configured,
    verdict,
)
from coopplan.store.model import VersionStore
from ui import signin
from ui.safe import text

EMAIL = "agg_oidc_email"  # session state: the address of the editor signed in through OIDC
LOGGED = "agg_oidc_logged"  # session state: the address whose refusal is already in the log
RETURNED = "agg_oidc_returned"  # session state: this browser session was checked for a return


def configured() -> bool:
    """True when this server signs people in with an identity provider."""
    return provider_configured(st.secrets)


def editors_listed() -> bool:
    """True when some addresses are allowed to edit (then the old shared secret opens nothing)."""
    return bool(allowed_emails(st.secrets))


def person() -> Verdict | None:
    """What the person signed in with the provider in this browser is for the plan (None when
    nobody is, or no provider is configured)."""
    claims = st.user.to_dict() if configured() else {}
    if not claims.get("is_logged_in"):
        return None
    return verdict(claims, allowed_emails(st.secrets), time.time(), idle_limit())


def back_from_provider() -> bool:
    """True once per browser session, when it starts right after the provider's sign-in page
    (Streamlit always lands on the home page then: the caller opens «Aggiorna il piano»)."""
    if not configured() or RETURNED in st.session_state:
        return False
    st.session_state[RETURNED] = True
    claims = st.user.to_dict()
    return bool(claims.get("is_logged_in")) and just_issued(claims, time.time())


def adopt(store: VersionStore) -> None:
    """Sign this browser session in as the allowed person st.user names (logged once); a
    refused one is logged once per browser session and stays a visitor."""
    if isinstance(st.session_state.get(signin.SESSION), Session):
        return
    seen = person()
    if seen is None or seen.standing is Standing.STALE:
        return
    if seen.allowed:
        held = Session(seen.editor, METHOD, signin.client(), time.monotonic())
        st.session_state[signin.SESSION] = held
        st.session_state[EMAIL] = seen.email
        signin.log(store, Action(Event.SIGN_IN, seen.editor, held.client, Result.OK, "OIDC"))
    elif st.session_state.get(LOGGED) != seen.email:
        st.session_state[LOGGED] = seen.email
        detail = f"OIDC: {seen.message.split(':')[0]}"[:200]
        who = seen.email or "indirizzo mancante"
        signin.log(store, Action(Event.SIGN_IN, who, signin.client(), Result.REFUSED, detail))


def still_allowed() -> bool:
    """True while the address of this session's OIDC editor is still on the list (read again
    before each write: an address taken off the list writes nothing)."""
    email = normal_email(st.session_state.get(EMAIL))
    if email and email in allowed_emails(st.secrets):
        return True
    st.session_state.pop(signin.SESSION, None)
    st.error(text(REMOVED_MESSAGE.format(email=email or "?")))
    return False


def sign_in_button() -> None:
    """«Accedi con l'account dell'associazione» (st.login), and why a signed-in person who may
    not edit cannot."""
    seen = person()
    if seen is not None and seen.message:
        if seen.standing is Standing.STALE:
            if not st.session_state.get(signin.NOTICE):  # «sessione scaduta» says it already
                st.info(text(seen.message))
        else:
            st.warning(text(seen.message), icon=":material/visibility:")
            st.button("Esci da questo account", key="agg_oidc_logout", on_click=st.logout)
            return
    st.button(
        "Accedi con l'account dell'associazione",
        type="primary",
        icon=":material/account_circle:",
        key="agg_oidc_login",
        on_click=st.login,
    )


def sign_out() -> None:
    """The provider's cookie goes too (else the next page run would sign in again)."""
    st.session_state.pop(EMAIL, None)
    if configured() and st.user.to_dict().get("is_logged_in"):
        st.logout()
