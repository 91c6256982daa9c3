"""Named editors with their own password (the offline way), in a real browser against a real
``streamlit run``: a visitor sees the plan and «Accedi» only; Anna signs in, publishes and signs
out; Bruno signs in and publishes; the history on «Aggiorna il piano» and «Cronologia» name each
on their own version, the audit log holds every step with the right editor, and no password
appears in a page or in the server's log. Screenshots go to artifacts/named_editors/; the
visitor's and Anna's are copied to docs/screenshots/ (installazione.md, README).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.browser import own_dashboard
from support.browser_update import coop_kpi, settled, shot, sign_in_as
from support.paths import ROOT
from support.variants import COOP, as_bytes, project_with_amount, shipped, with_amount

from coopplan.editors.accounts import add_editor, system_actor
from coopplan.editors.audit import entries
from coopplan.editors.backends import audit_for, editors_for
from coopplan.store.folder import Store

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "artifacts" / "named_editors"
SCREENSHOTS = ROOT / "docs" / "screenshots"
TIMEOUT_MS = 30_000
ANNA, ANNA_PASSWORD = "Anna Verdi", "anna-pianifica-2023!"
BRUNO, BRUNO_PASSWORD = "Bruno Neri", "bruno-tesoriere-77?"


def _two_editors(store: Store) -> None:
    for name, password in ((ANNA, ANNA_PASSWORD), (BRUNO, BRUNO_PASSWORD)):
        add_editor(editors_for(store), audit_for(store), name, password, system_actor())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store, Path]]:
    log = tmp_path_factory.mktemp("named_log") / "st.log"
    with own_dashboard(tmp_path_factory, "named_store", fill=_two_editors, log=log) as served:
        yield (*served, log)


@pytest.fixture(scope="module")
def shots() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


def _page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 720}, locale="it-IT")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return context, page


def _workbook(tmp_path: Path, name: str, more: int) -> Path:
    plan = shipped()
    project = project_with_amount(plan, COOP)
    path = tmp_path / name
    path.write_bytes(
        as_bytes(with_amount(plan, project, COOP, plan.funding_of(project)[COOP] + more))
    )
    return path


def _publish(page, path: Path, note: str, number: int) -> None:
    page.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_text("Che cosa cambia").wait_for()
    page.get_by_label("Nota (facoltativa)").fill(note)
    page.get_by_role("button", name="Pubblica").click()
    page.get_by_text(f"Pubblicata la versione {number} del piano 2023").wait_for()
    settled(page)


def _sign_out(page) -> None:
    page.get_by_role("button", name="Esci").click()
    page.get_by_role("button", name="Accedi").wait_for()
    settled(page)
    assert page.locator('input[type="file"]').count() == 0


def _row_of(page, table_heading: str, first_cell: str) -> str:
    """The text of the row of the static table under ``table_heading`` whose first cell is
    ``first_cell``."""
    section = page.locator('[data-testid="stVerticalBlock"]').filter(
        has=page.get_by_role("heading", name=table_heading)
    )
    rows = section.last.locator('[data-testid="stTable"] tbody tr')
    rows.first.wait_for()
    for index in range(rows.count()):
        cells = rows.nth(index).locator("td, th")
        if cells.first.inner_text().strip() == first_cell:
            return rows.nth(index).inner_text()
    raise AssertionError(f"no row {first_cell!r} under {table_heading!r}")


def test_a_visitor_only_looks_and_two_editors_each_publish_under_their_own_name(
    server, chromium, shots: Path, tmp_path: Path
) -> None:
    url, store, log = server
    anna_file = _workbook(tmp_path, "piano_anna.xlsx", 1000)
    bruno_file = _workbook(tmp_path, "piano_bruno.xlsx", 3000)

    # A visitor: the plan, and on «Aggiorna il piano» the sign-in only.
    context, page = _page(chromium)
    page.goto(url)
    assert coop_kpi(page) == "25.000 €"
    page.goto(f"{url}/aggiorna")
    page.get_by_role("heading", name="Aggiorna il piano").wait_for()
    page.get_by_role("button", name="Accedi").wait_for()
    settled(page)
    shot(page, shots / "01_visitatore.png")
    shutil.copyfile(shots / "01_visitatore.png", SCREENSHOTS / "aggiorna-accedi-1280.png")
    assert page.locator('input[type="file"]').count() == 0
    for hidden in ("Pubblica", "Ripristina", "Segna come presentata"):
        assert page.get_by_role("button", name=hidden).count() == 0, hidden
    for hidden in ("Registro delle operazioni", "Ripristina la versione", "Segna la versione"):
        assert page.get_by_text(hidden).count() == 0, hidden
    assert page.get_by_label("Il tuo nome").count() == 0

    # Anna publishes version 2, then signs out.
    sign_in_as(page, ANNA, ANNA_PASSWORD)
    page.get_by_text(f"Hai eseguito l'accesso come {ANNA}").wait_for()
    shot(page, shots / "02_anna_accesso.png")
    _publish(page, anna_file, "Bilancio di Anna", 2)
    shot(page, shots / "03_anna_pubblicato.png")
    shutil.copyfile(shots / "03_anna_pubblicato.png", SCREENSHOTS / "aggiorna-pubblicato-1280.png")
    _sign_out(page)
    shot(page, shots / "04_anna_uscita.png")

    # Bruno, in the same browser after her, publishes version 3.
    sign_in_as(page, BRUNO, BRUNO_PASSWORD)
    _publish(page, bruno_file, "Correzione di Bruno", 3)
    shot(page, shots / "05_bruno_pubblicato.png")
    assert BRUNO in _row_of(page, "Storico delle versioni", "3")
    assert ANNA in _row_of(page, "Storico delle versioni", "2")
    page.get_by_text("Registro delle operazioni").click()
    page.get_by_role("button", name="Scarica il registro (.csv)").wait_for()
    shot(page, shots / "06_registro.png")
    for password in (ANNA_PASSWORD, BRUNO_PASSWORD):
        assert password not in page.content()
    _sign_out(page)
    context.close()

    assert [(v.number, v.editor) for v in store.versions()] == [
        (1, "Piano fornito"),
        (2, ANNA),
        (3, BRUNO),
    ]

    # «Cronologia», for anyone: each version with who published it.
    context, page = _page(chromium)
    page.goto(f"{url}/cronologia")
    page.get_by_role("heading", name="Le versioni").wait_for()
    settled(page)
    anna_row, bruno_row = (_row_of(page, "Le versioni", f"v. {n}") for n in (2, 3))
    assert ANNA in anna_row and "Bilancio di Anna" in anna_row and BRUNO not in anna_row
    assert BRUNO in bruno_row and "Correzione di Bruno" in bruno_row and ANNA not in bruno_row
    shot(page, shots / "07_cronologia.png")
    context.close()

    # The audit log: every step with its editor, in order.
    steps = [
        (e.event, e.editor, e.outcome, e.detail)
        for e in entries(audit_for(store))
        if e.event in ("sign-in", "sign-out", "publish")
    ]
    assert steps == [
        ("sign-in", ANNA, "ok", ""),
        ("publish", ANNA, "ok", "versione 2"),
        ("sign-out", ANNA, "ok", ""),
        ("sign-in", BRUNO, "ok", ""),
        ("publish", BRUNO, "ok", "versione 3"),
        ("sign-out", BRUNO, "ok", ""),
    ]
    written = log.read_text(errors="replace") + "\n".join(audit_for(store).lines())
    for password in (ANNA_PASSWORD, BRUNO_PASSWORD):
        assert password not in written
