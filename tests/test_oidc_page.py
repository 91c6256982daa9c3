"""«Aggiorna il piano» (AppTest) on a server set up for the association's identity provider:
what a visitor is offered, and the old shared secret retired by the list of addresses. The sign-in
itself (st.login against a local provider) is tests/browser/test_oidc.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.upload_pages import PAGE, button, texts

from coopplan.editors import access
from coopplan.editors.access import SECRET_ENV, Throttle
from coopplan.editors.accounts import IDLE_ENV, add_editor, system_actor
from coopplan.editors.backends import audit_for, editors_for
from coopplan.store.folder import Store
from coopplan.store.location import open_store
from coopplan.store.model import STORE_ENV

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "x" * 40,
    "client_id": "coopplan",
    "client_secret": "y" * 30,
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
OIDC_BUTTON = "Accedi con l'account dell'associazione"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "store"))
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.delenv(IDLE_ENV, raising=False)
    monkeypatch.setattr(access, "THROTTLE", Throttle())
    made = open_store()
    made.ensure_seeded()
    return made


def visit(**secrets: object) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in secrets.items():
        at.secrets[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_a_visitor_is_offered_the_provider_and_nothing_to_upload(store: Store) -> None:
    at = visit(auth=AUTH, editor_emails=["maria.rossi@esempio.it"])
    assert button(at, OIDC_BUTTON) is not None
    assert "accedi con l'account dell'associazione." in captions(at)
    assert not at.file_uploader
    assert all(b.label != "Pubblica" for b in at.button)
    assert not [t for t in at.text_input if t.label in ("Nome", "Password")]  # no password editors


def test_password_editors_keep_their_form_beside_the_provider(store: Store) -> None:
    add_editor(editors_for(store), audit_for(store), "Luca Bianchi", "pera-gialla-2026?",
               system_actor())  # fmt: skip
    at = visit(auth=AUTH, editor_emails=["maria.rossi@esempio.it"])
    assert button(at, OIDC_BUTTON) is not None
    assert {t.label for t in at.text_input} >= {"Nome", "Password"}
    assert (
        "accedi con l'account dell'associazione oppure con il tuo nome e la tua password"
        in captions(at)
    )


def test_listed_addresses_retire_the_shared_secret(store: Store) -> None:
    at = visit(auth=AUTH, editor_emails=["maria.rossi@esempio.it"], editor_secret="vecchia-2023")
    assert not [t for t in at.text_input if t.label == "Password di pubblicazione"]
    assert button(at, OIDC_BUTTON) is not None


def test_a_list_without_the_provider_says_what_is_missing(store: Store) -> None:
    at = visit(editor_emails=["maria.rossi@esempio.it"], editor_secret="vecchia-2023")
    assert "manca la sezione [auth]" in texts(at.warning)
    assert not at.file_uploader and not at.text_input
