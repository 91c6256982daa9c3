"""Signing in as a named editor on a page (AppTest): the form, the Italian refusals, the idle
timeout, «Esci», and the audit log editors read. The page is a small script using ui/signin.py
the way «Aggiorna il piano» does (the store: a temporary folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coopplan.editors import access
from coopplan.editors.access import Throttle
from coopplan.editors.accounts import IDLE_ENV, add_editor, remove_editor, system_actor
from coopplan.editors.audit import entries
from coopplan.editors.backends import audit_for, editors_for
from coopplan.store.folder import Store
from coopplan.store.location import open_store
from coopplan.store.model import STORE_ENV

MARIA_PW = "mela-verde-2026!"


def page() -> None:
    import streamlit as st

    from coopplan.store.location import open_store
    from ui import signin

    store = open_store()
    held = signin.session(store)
    if held is None:
        st.caption("Visitatore")
        signin.sign_in_form(store)
    else:
        st.caption(f"Editor: {held.editor}")
        if st.button("Pubblica"):
            who = signin.actor(store, held)
            st.caption(f"Pubblicato da {who.name}" if who else "Niente pubblicato")
        st.button("Esci", on_click=signin.sign_out, args=(store,))
        signin.audit_section(store)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "store"))
    monkeypatch.setattr(access, "THROTTLE", Throttle())
    made = open_store()
    made.ensure_seeded()
    add_editor(editors_for(made), audit_for(made), "Maria Rossi", MARIA_PW, system_actor())
    return made


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="agg_sign_in_name").set_value(name)
    at.text_input(key="agg_sign_in_password").set_value(password)
    at.button[0].click()
    return at.run()


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_a_wrong_password_is_refused_in_italian_and_the_right_one_signs_in(store: Store) -> None:
    at = AppTest.from_function(page, default_timeout=60).run()
    assert captions(at)[0] == "Visitatore" and not [b for b in at.button if b.label == "Pubblica"]
    sign_in(at, "Maria Rossi", "sbagliata-davvero")
    assert [e.value for e in at.error] == ["Nome o password non corretti."]
    assert at.text_input(key="agg_sign_in_password").value == ""  # never drawn again
    sign_in(at, "maria rossi", MARIA_PW)
    assert captions(at)[0] == "Editor: Maria Rossi"
    [publish] = [b for b in at.button if b.label == "Pubblica"]
    publish.click()
    at.run()
    assert "Pubblicato da Maria Rossi" in captions(at)
    assert [(e.event, e.editor, e.outcome) for e in entries(audit_for(store))][-2:] == [
        ("sign-in", "Maria Rossi", "wrong"),
        ("sign-in", "Maria Rossi", "ok"),
    ]


def test_the_audit_log_is_shown_to_the_editor_and_downloadable(store: Store) -> None:
    at = sign_in(AppTest.from_function(page, default_timeout=60).run(), "Maria Rossi", MARIA_PW)
    shown = at.table[0].value
    assert list(shown.columns) == ["N.", "Quando (ora italiana)", "Operazione", "Editor", "Indirizzo", "Esito",
                                   "Dettaglio"]  # fmt: skip
    assert list(shown["Operazione"])[:2] == ["Accesso", "Editor aggiunto"]
    assert MARIA_PW not in shown.to_string()


def test_an_idle_session_expires_and_says_so(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    at = sign_in(AppTest.from_function(page, default_timeout=60).run(), "Maria Rossi", MARIA_PW)
    assert captions(at)[0] == "Editor: Maria Rossi"
    monkeypatch.setenv(IDLE_ENV, "0.001")  # 60 ms
    import time

    time.sleep(0.2)
    at.run()
    assert captions(at)[0] == "Visitatore"
    assert [e.value for e in at.error] == [
        "La sessione è scaduta dopo 1 secondo di inattività: accedi di nuovo per caricare o "
        "pubblicare."
    ]
    last = entries(audit_for(store))[-1]
    assert (last.event, last.editor, last.outcome) == ("sign-out", "Maria Rossi", "expired")


def test_sign_out_and_a_removed_editor_publishes_nothing(store: Store) -> None:
    at = sign_in(AppTest.from_function(page, default_timeout=60).run(), "Maria Rossi", MARIA_PW)
    remove_editor(editors_for(store), audit_for(store), "Maria Rossi", system_actor())
    [publish] = [b for b in at.button if b.label == "Pubblica"]
    publish.click()
    at.run()
    assert "Niente pubblicato" in captions(at)
    assert at.error[0].value.startswith("Il tuo accesso come «Maria Rossi» non è più valido")
    at.run()
    assert captions(at)[0] == "Visitatore"
