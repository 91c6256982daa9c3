"""Named editors on the real page «Aggiorna il piano» (AppTest): a visitor cannot upload or
publish, each editor's version names them, a removed editor's open session writes nothing, the
shared secret stops opening the door once an editor exists, and the audit log holds it all.

Editors are added with coopplan.editors.accounts on a temporary folder store, as the command line does.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.upload_pages import (
    PAGE,
    button,
    fill_and_publish,
    modified_workbook,
    table_with,
    texts,
    upload,
)

from coopplan.editors import access
from coopplan.editors.access import SECRET_ENV, Throttle
from coopplan.editors.accounts import (
    IDLE_ENV,
    SHARED_KEY_RETIRED_NOTICE,
    add_editor,
    remove_editor,
    system_actor,
)
from coopplan.editors.audit import entries
from coopplan.editors.backends import audit_for, editors_for
from coopplan.store.folder import Store
from coopplan.store.location import open_store
from coopplan.store.model import STORE_ENV

MARIA, MARIA_PW = "Maria Rossi", "mela-verde-2026!"
LUCA, LUCA_PW = "Luca Bianchi", "pera-gialla-2026?"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "store"))
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.delenv(IDLE_ENV, raising=False)
    monkeypatch.setattr(access, "THROTTLE", Throttle())
    made = open_store()
    made.ensure_seeded()
    for name, password in ((MARIA, MARIA_PW), (LUCA, LUCA_PW)):
        add_editor(editors_for(made), audit_for(made), name, password, system_actor())
    return made


def visit(secret: str = "") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if secret:
        at.secrets["editor_secret"] = secret
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="agg_sign_in_name").input(name)
    at.text_input(key="agg_sign_in_password").input(password)
    button(at, "Accedi").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def editor_page(name: str, password: str) -> AppTest:
    at = sign_in(visit(), name, password)
    assert at.file_uploader, texts(at.error)
    return at


def events(store: Store) -> list[tuple[str, str, str]]:
    return [(e.event, e.editor, e.outcome) for e in entries(audit_for(store))]


def test_a_visitor_sees_accedi_but_cannot_upload_publish_or_read_the_log(store: Store) -> None:
    at = visit()
    assert button(at, "Accedi") is not None
    assert at.text_input(key="agg_sign_in_name")
    assert not at.file_uploader
    assert button(at, "Pubblica") is None and button(at, "Ripristina") is None
    assert "accedi con il tuo nome e la tua password" in texts(at.caption)
    assert not [e for e in at.expander if e.label == "Registro delle operazioni"]


def test_two_editors_publish_and_each_version_names_the_right_one(store: Store) -> None:
    maria = upload(editor_page(MARIA, MARIA_PW), "piano.xlsx", modified_workbook(2500))
    assert "Hai eseguito l'accesso come Maria Rossi" in texts(maria.caption)
    assert at_least_no_name_field(maria)
    fill_and_publish(maria, note="Consiglio di marzo")
    assert "Pubblicata la versione 2" in texts(maria.success)

    luca = upload(editor_page("luca bianchi", LUCA_PW), "piano.xlsx", modified_workbook(4000))
    fill_and_publish(luca)
    assert "Pubblicata la versione 3" in texts(luca.success)

    assert [(v.number, v.editor) for v in store.versions()][1:] == [(2, MARIA), (3, LUCA)]
    history = table_with(luca, "Versione").value
    assert list(history["Da"])[:2] == [LUCA, MARIA]  # the history page shows who, newest first
    assert events(store)[-4:] == [
        ("sign-in", MARIA, "ok"),
        ("publish", MARIA, "ok"),
        ("sign-in", LUCA, "ok"),
        ("publish", LUCA, "ok"),
    ]


def at_least_no_name_field(at: AppTest) -> bool:
    """The publish form asks no name any more (the session names the editor)."""
    return all(t.label != "Il tuo nome" for t in at.text_input)


def test_restore_and_mark_record_the_signed_in_editor(store: Store) -> None:
    store.publish(modified_workbook(2500), MARIA)
    at = editor_page(LUCA, LUCA_PW)
    next(s for s in at.selectbox if s.label == "Versione").set_value(1)
    at.run()
    button(at, "Ripristina").click()
    at.run()
    assert "Ripristinata la versione 1" in texts(at.success)
    assert (store.current().number, store.current().editor) == (3, LUCA)
    button(at, "Segna come presentata").click()
    at.run()
    assert store.marks()[3].editor == LUCA
    assert [e[:2] for e in events(store)[-2:]] == [("restore", LUCA), ("mark", LUCA)]


def test_a_removed_editors_open_session_publishes_nothing(store: Store) -> None:
    at = upload(editor_page(MARIA, MARIA_PW), "piano.xlsx", modified_workbook())
    remove_editor(editors_for(store), audit_for(store), MARIA, system_actor())
    fill_and_publish(at)
    assert store.current().number == 1
    assert texts(at.error).startswith("Il tuo accesso come «Maria Rossi» non è più valido")
    at.run()
    assert not at.file_uploader and button(at, "Accedi") is not None
    sign_in(at, MARIA, MARIA_PW)  # a removed editor cannot sign in again
    assert "Nome o password non corretti." in texts(at.error)
    assert not at.file_uploader
    assert ("publish", MARIA, "ok") not in events(store)


def test_the_audit_log_is_on_the_page_for_editors_with_a_csv(store: Store) -> None:
    at = visit()
    sign_in(at, MARIA, "sbagliata-davvero")
    at = sign_in(at, MARIA, MARIA_PW)
    [log] = [e for e in at.expander if e.label == "Registro delle operazioni"]
    shown = table_with(at, "Operazione").value
    assert list(shown["Operazione"])[:2] == ["Accesso", "Accesso"]
    assert list(shown["Editor"])[:2] == [MARIA, MARIA]
    first, second = list(shown["Esito"])[:2]
    assert first != second  # the right password, then (older) the wrong one
    assert MARIA_PW not in shown.to_string() and "sbagliata" not in shown.to_string()
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Scarica il registro (.csv)" in labels
    assert log is not None


def test_sign_out_and_the_idle_timeout_end_the_session(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = editor_page(MARIA, MARIA_PW)
    button(at, "Esci").click()
    at.run()
    assert not at.file_uploader and button(at, "Accedi") is not None
    assert events(store)[-1] == ("sign-out", MARIA, "ok")
    said = [t.proto.body for t in at.toast]  # «Esci» used to answer with nothing at all
    assert said == ["Uscita eseguita (Maria Rossi): per pubblicare di nuovo serve accedere."]

    sign_in(at, MARIA, MARIA_PW)
    assert at.file_uploader
    monkeypatch.setenv(IDLE_ENV, "0.001")  # 60 ms
    time.sleep(0.2)
    at.run()
    assert not at.file_uploader and button(at, "Accedi") is not None
    assert "La sessione è scaduta" in texts(at.error)
    assert events(store)[-1] == ("sign-out", MARIA, "expired")


def test_the_shared_secret_opens_nothing_once_an_editor_exists(store: Store) -> None:
    at = visit(secret="pubblica-2023")
    assert at.text_input(key="agg_sign_in_name")  # the named form, not the secret's
    assert "agg_sign_in_secret" not in [t.key for t in at.text_input]
    sign_in(at, MARIA, "pubblica-2023")  # the old secret as her password: refused
    assert "Nome o password non corretti." in texts(at.error)
    assert not at.file_uploader


def test_a_shared_secret_session_ends_when_the_first_editor_is_added(store: Store) -> None:
    for name in (MARIA, LUCA):
        remove_editor(editors_for(store), audit_for(store), name, system_actor())
    at = visit(secret="pubblica-2023")
    at.text_input(key="agg_sign_in_secret").input("pubblica-2023")
    button(at, "Accedi").click()
    at.run()
    assert at.file_uploader
    assert "vecchia password di pubblicazione, condivisa" in texts(at.warning)
    add_editor(editors_for(store), audit_for(store), MARIA, MARIA_PW, system_actor())
    at.run()
    assert not at.file_uploader
    assert SHARED_KEY_RETIRED_NOTICE in texts(at.error)
    assert at.text_input(key="agg_sign_in_name")
