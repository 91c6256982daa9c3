"""«Aggiorna il piano» tells what the spreadsheet programs show (issue 18), with AppTest: a cell
whose saved value is an error is named, never «Il file è valido», and nothing stored changes; rows
written out of order are all read."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.as_shown import ARRANGEMENTS, I4, PROGETTI, rewritten
from support.paths import ROOT

from coopplan.editors import access
from coopplan.editors.access import SECRET_ENV, Throttle
from coopplan.store.model import STORE_ENV
from coopplan.text import shown_text

PAGE = str(ROOT / "app_pages" / "aggiorna.py")
SECRET = "pubblica-2023"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def store_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "store"))
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.setattr(access, "THROTTLE", Throttle())
    return tmp_path / "store"


def signed_in_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.secrets["editor_secret"] = SECRET
    at.run()
    at.text_input(key="agg_sign_in_secret").input(SECRET)
    next(b for b in at.button if b.label == "Accedi").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.file_uploader
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, XLSX_MIME))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(elements) -> str:
    return "\n".join(shown_text(str(e.value)) for e in elements)


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_an_error_value_is_named_on_the_page_and_nothing_is_stored(store_folder: Path) -> None:
    at = signed_in_page()
    before = snapshot(store_folder)
    cell = '<c r="I4" s="7" t="e"><f>A1/0</f><v>#DIV/0!</v></c>'
    upload(at, "piano_errore.xlsx", rewritten(PROGETTI, lambda xml: xml.replace(I4, cell)))
    everything = shown(at.error) + shown(at.success) + shown(at.info) + shown(at.markdown)
    tables = "\n".join(t.value.to_string() for t in at.table)
    assert "Il file è valido" not in everything
    assert "1 errore impedisce la pubblicazione" in shown(at.error), shown(at.error)
    assert "I4" in tables and "mostra l'errore #DIV/0! (divisione per zero)" in tables
    publish = [b for b in at.button if b.label == "Pubblica"]
    assert not publish or publish[0].disabled
    assert snapshot(store_folder) == before


def test_rows_written_out_of_order_show_every_project() -> None:
    at = signed_in_page()
    data = rewritten(PROGETTI, ARRANGEMENTS["rows 16, 18, 19, 17, cells without r="])
    upload(at, "piano_righe.xlsx", data)
    assert not at.error, shown(at.error)
    assert "Nessuna modifica: il file è uguale al piano in vigore." in shown(at.info)
