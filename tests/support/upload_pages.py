"""Helpers shared by tests (from test_upload_page.py): PAGE, ROOT, SECRET, XLSX_MIME, bad_dir, button, fill_and_publish, fresh_throttle, modified_workbook, page, publish_is_off, sign_in, snapshot, store, table_with, tables_text, texts, upload."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coopplan.editors import access
from coopplan.editors.access import SECRET_ENV, Throttle
from coopplan.store.folder import Store
from coopplan.store.location import open_store
from coopplan.store.model import STORE_ENV
from coopplan.text import shown_text
from support.paths import ROOT
from support.variants import COOP, as_bytes, project_with_amount, shipped, with_amount

PAGE = str(ROOT / "app_pages" / "aggiorna.py")


SECRET = "pubblica-2023"


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "store"))
    monkeypatch.delenv(SECRET_ENV, raising=False)
    return open_store()


@pytest.fixture(autouse=True)
def fresh_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts as a new server process: nobody has guessed yet."""
    monkeypatch.setattr(access, "THROTTLE", Throttle())


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("badfiles")


def page(secret: str | None = SECRET, *, signed_in: bool = True) -> AppTest:
    """The page in a new session; signed in with ``secret`` unless ``signed_in`` is False."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    if secret:
        at.secrets["editor_secret"] = secret
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if secret and signed_in:
        sign_in(at, secret)
        assert at.file_uploader, texts(at.error)
    return at


def sign_in(at: AppTest, secret: str) -> AppTest:
    at.text_input(key="agg_sign_in_secret").input(secret)
    button(at, "Accedi").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def upload(at: AppTest, name: str, data: bytes, mime: str = XLSX_MIME) -> AppTest:
    at.file_uploader[0].set_value((name, data, mime))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    return found[0] if found else None


def publish_is_off(at: AppTest) -> bool:
    publish = button(at, "Pubblica")
    return publish is None or publish.disabled


def texts(elements) -> str:
    """What the user reads in these elements (their Markdown escapes undone)."""
    return "\n".join(shown_text(str(e.value)) for e in elements)


def tables_text(at: AppTest) -> str:
    return "\n".join(t.value.to_string() for t in at.table)


def table_with(at: AppTest, column: str):
    """The first st.table that has ``column`` (problems: «Problema», history: «Versione»)."""
    return next(t for t in at.table if column in t.value.columns)


def fill_and_publish(at: AppTest, note: str = "") -> AppTest:
    """«Pubblica» as whoever is signed in (the form asks no name: the session names them)."""
    if note:
        at.text_area(key="agg_publish_note").input(note)
    button(at, "Pubblica").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def modified_workbook(raise_by: float = 2500) -> bytes:
    plan = shipped()
    project = project_with_amount(plan, COOP)
    return as_bytes(with_amount(plan, project, COOP, plan.funding_of(project)[COOP] + raise_by))
