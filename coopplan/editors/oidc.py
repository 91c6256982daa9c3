"""Editors who sign in with the association's identity provider (OIDC, through Streamlit's own
``st.login``/``st.user``): who among them may change the plan, and under which name.

The shell (``ui/oidc.py``) hands this module the claims of the identity token Streamlit verified
(``st.user``) and the server's secrets; nothing here imports streamlit. The addresses allowed to
edit are the list ``editor_emails`` in ``.streamlit/secrets.toml``, next to the ``[auth]`` section
that configures the provider (docs/decisions.md). An allowed person is recorded in every write and
in the audit log as «Nome Cognome (indirizzo)», the name and address the provider vouches for.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from coopplan.editors.accounts import MAX_NAME, clean_name
from coopplan.store.model import StoreError

EMAILS_KEY = "editor_emails"  # the list in secrets.toml of the addresses allowed to edit
AUTH_KEY = "auth"  # Streamlit's section of secrets.toml that configures st.login
METHOD = "oidc"  # the editors.Session.method of a provider sign-in
JUST_NOW = 120.0  # seconds: a token issued this recently means the person is back from the provider


class Standing(StrEnum):
    EDITOR = "editor"  # allowed: an editor under ``Verdict.editor``
    NOT_ALLOWED = "not-allowed"  # signed in, but the address is not on the list
    UNVERIFIED = "unverified"  # the provider gives no address, or says it is not verified
    STALE = "stale"  # signed in longer ago than the idle time: sign in again


@dataclass(frozen=True)
class Verdict:
    standing: Standing
    email: str = ""  # as the provider gives it (lower case)
    editor: str = ""  # the name writes are recorded under, when EDITOR

    @property
    def allowed(self) -> bool:
        return self.standing is Standing.EDITOR

    @property
    def message(self) -> str:
        """One Italian sentence for the page ('' for an editor)."""
        if self.standing is Standing.NOT_ALLOWED:
            return NOT_ALLOWED_MESSAGE.format(email=self.email)
        if self.standing is Standing.UNVERIFIED:
            return UNVERIFIED_MESSAGE
        if self.standing is Standing.STALE:
            return STALE_MESSAGE
        return ""


NOT_ALLOWED_MESSAGE = (
    "Hai eseguito l'accesso come {email}, ma questo indirizzo non è tra quelli autorizzati ad "
    "aggiornare il piano: puoi consultare la dashboard, non modificarla. Se devi aggiornare il "
    "piano, chiedi a chi gestisce il server di aggiungere il tuo indirizzo."
)
UNVERIFIED_MESSAGE = (
    "L'account con cui hai eseguito l'accesso non ha un indirizzo e-mail verificato: puoi "
    "consultare la dashboard, non modificarla."
)
STALE_MESSAGE = (
    "Il tuo accesso con l'account dell'associazione non è recente: accedi di nuovo per caricare "
    "o pubblicare."
)
REMOVED_MESSAGE = (
    "L'indirizzo {email} non è più tra quelli autorizzati ad aggiornare il piano: niente è stato "
    "pubblicato. Chiedi a chi gestisce il server."
)


def normal_email(value: object) -> str:
    """An address as compared: NFC, trimmed, lower case ('' for anything but a string)."""
    if not isinstance(value, str):
        return ""
    return unicodedata.normalize("NFC", value).strip().casefold()


def allowed_emails(secrets: Mapping[str, object] | None) -> frozenset[str]:
    """The addresses in ``editor_emails`` of the secrets (a list, or one address); none when
    the key is missing or the secrets cannot be read."""
    raw: object = None
    if secrets is not None:
        with contextlib.suppress(Exception):  # st.secrets raises when no secrets.toml exists
            raw = secrets.get(EMAILS_KEY)
    items = [raw] if isinstance(raw, str) else raw if isinstance(raw, list | tuple) else []
    return frozenset(email for email in map(normal_email, items) if "@" in email)


def provider_configured(secrets: Mapping[str, object] | None) -> bool:
    """True when the secrets hold Streamlit's ``[auth]`` section (st.login can be used)."""
    if secrets is None:
        return False
    with contextlib.suppress(Exception):
        return bool(secrets.get(AUTH_KEY))
    return False


def verdict(
    claims: Mapping[str, object], allowed: frozenset[str], now: float, max_age: float
) -> Verdict:
    """Who the signed-in person of ``claims`` (st.user: the identity token's claims) is for the
    plan. ``now`` is the time (seconds since the epoch); a sign-in older than ``max_age``
    seconds (``iat``, when the provider issued the token) counts as stale, so the idle timeout
    cannot be dodged through the 30-day cookie of st.login."""
    email = normal_email(claims.get("email"))
    if "@" not in email or claims.get("email_verified") is False:
        return Verdict(Standing.UNVERIFIED, email)
    if email not in allowed:
        return Verdict(Standing.NOT_ALLOWED, email)
    issued = claims.get("iat")
    if isinstance(issued, int | float) and now - float(issued) > max_age:
        return Verdict(Standing.STALE, email)
    return Verdict(Standing.EDITOR, email, editor_name(claims.get("name"), email))


def just_issued(claims: Mapping[str, object], now: float, window: float = JUST_NOW) -> bool:
    """True when the identity token of ``claims`` was issued less than ``window`` seconds ago:
    the person has just come back from the provider's sign-in page."""
    issued = claims.get("iat")
    return isinstance(issued, int | float) and 0 <= now - float(issued) < window


def editor_name(name: object, email: str) -> str:
    """«Maria Rossi (maria.rossi@coop.it)»: the provider's name and the address, or the address
    alone when the name is missing, unprintable or too long."""
    if isinstance(name, str) and name.strip():
        with contextlib.suppress(StoreError):
            shown = clean_name(name)
            if len(shown) + len(email) + 3 <= MAX_NAME:
                return f"{shown} ({email})"
    return email[:MAX_NAME]
