"""The update flow in a real browser: upload, preview, publish, seen by another session; bad file.

Starts ``streamlit run app.py`` as a user would (conftest.start_streamlit), with a temporary
store (COOPPLAN_STORE) and an editor secret (COOPPLAN_EDITOR_SECRET). Two browser contexts play
the secretary (page «Aggiorna il piano») and a board member (the overview). Screenshots go to
artifacts/update_flow/.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from badfiles import build
from conftest import column_of, edited_workbook
from variants import COOP, as_bytes, project_with_amount, shipped, with_amount

from coopplan import fmt
from coopplan.store.folder import Store
from ui import keys

from .conftest import own_dashboard
from .harness import wait_quiet

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "update_flow"
SECRET = "segreteria-prova-2023"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    with own_dashboard(tmp_path_factory, "update_store", secret=SECRET) as served:
        yield served


@pytest.fixture(scope="module")
def shots() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


def _open(browser, url: str, outside: list[str]):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="it-IT")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    def note_outside(request) -> None:
        host = request.url.split("/")[2] if "://" in request.url else ""
        if request.url.startswith(
            ("http://", "https://", "ws://", "wss://")
        ) and not host.startswith("127.0.0.1"):
            outside.append(request.url)

    page.on("request", note_outside)
    page.goto(url)
    return context, page


def _settled(page) -> None:
    """Wait until Streamlit has finished the current run (no 'running' indicator)."""
    wait_quiet(page)  # the rerun a click starts has shown its indicator, or nothing changes
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=TIMEOUT_MS)
    page.locator('[data-testid="stSpinner"]').first.wait_for(state="hidden", timeout=TIMEOUT_MS)


def _shot(page, path: Path) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, not the body, so
    the viewport is stretched to the content's height for the picture."""
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }"
    )
    page.set_viewport_size({"width": 1280, "height": max(720, min(int(height), 6000))})
    page.wait_for_timeout(400)
    page.screenshot(path=path)
    page.set_viewport_size({"width": 1280, "height": 720})


def _shows_whole(page, text: str) -> None:
    """A cell of a static table holds ``text`` and shows all of it: nothing cut or hidden."""
    cell = page.locator('[data-testid="stTable"] td').filter(has_text=text).first
    cell.wait_for()
    cell.scroll_into_view_if_needed()
    assert cell.is_visible(), text
    cut = cell.evaluate(
        """c => [c, ...c.querySelectorAll('*')].some(e =>
                 e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)"""
    )
    assert not cut, f"cut: {text}"


def _coop_kpi(page) -> str:
    """The overview's KPI card of the source COOP, as shown ('25.000 €')."""
    card = (
        page.locator(keys.css_any(keys.KPI_CARD))
        .filter(has=page.get_by_text(COOP, exact=True))
        .locator(keys.css_any(keys.KPI_VALUE) + " p")
        .first
    )
    card.wait_for()
    return " ".join(card.inner_text().split())


def sign_in(page, secret: str) -> None:
    """«Accedi» on «Aggiorna il piano» with the editor secret; back once the uploader shows."""
    page.get_by_role("heading", name="Aggiorna il piano").wait_for()
    page.get_by_label("Password di pubblicazione").fill(secret)
    page.get_by_role("button", name="Accedi").click()
    page.locator('[data-testid="stFileUploader"]').wait_for()
    _settled(page)


def sign_in_as(page, name: str, password: str) -> None:
    """«Accedi» on «Aggiorna il piano» as a named editor; back once the uploader shows."""
    page.get_by_role("heading", name="Aggiorna il piano").wait_for()
    page.get_by_label("Nome", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Accedi").click()
    page.locator('[data-testid="stFileUploader"]').wait_for()
    _settled(page)


def _go_overview(page) -> None:
    """A board member's next interaction: move to another page and back to the overview."""
    page.get_by_role("link", name="Matrice di stato").click()
    _settled(page)
    page.get_by_role("link", name="Panoramica").click()
    _settled(page)


def test_publish_then_seen_by_another_session_and_a_bad_file_changes_nothing(
    server: tuple[str, Store],
    chromium,
    shots: Path,
    tmp_path: Path,
) -> None:
    url, store = server
    outside: list[str] = []
    plan = shipped()
    project = project_with_amount(plan, COOP)
    modified = tmp_path / "piano_marzo.xlsx"
    modified.write_bytes(
        as_bytes(with_amount(plan, project, COOP, plan.funding_of(project)[COOP] + 2500))
    )

    board_context, board = _open(chromium, url, outside)
    assert _coop_kpi(board) == "25.000 €"
    _shot(board, shots / "01_panoramica_prima.png")

    secretary_context, secretary = _open(chromium, f"{url}/aggiorna", outside)
    secretary.get_by_role("heading", name="Aggiorna il piano").wait_for()
    assert secretary.locator('input[type="file"]').count() == 0  # a visitor until «Accedi»
    sign_in(secretary, SECRET)
    secretary.locator('input[type="file"]').set_input_files(str(modified))
    secretary.get_by_text("Che cosa cambia").wait_for()
    secretary.get_by_text("+2.500 €").first.wait_for()
    _settled(secretary)
    _shot(secretary, shots / "02_anteprima.png")
    assert store.current().number == 1  # the preview changed nothing

    secretary.get_by_label("Nota (facoltativa)").fill("Consiglio di marzo")
    secretary.get_by_role("button", name="Pubblica").click()
    secretary.get_by_text("Pubblicata la versione 2 del piano 2023").wait_for()
    _settled(secretary)
    _shot(secretary, shots / "03_pubblicato.png")
    assert store.current().number == 2
    assert SECRET not in secretary.content()
    _shows_whole(secretary, store.current().totals_text())  # the history's «Totali»

    _go_overview(board)
    assert _coop_kpi(board) == "27.500 €"
    _shot(board, shots / "04_panoramica_dopo.png")

    bad = build("csv", tmp_path)
    bad_path = tmp_path / bad.filename
    bad_path.write_bytes(bad.data)
    secretary.locator('input[type="file"]').set_input_files(str(bad_path))
    message = secretary.locator('[data-testid="stAlertContentError"]').filter(has_text=bad.fragment)
    message.first.wait_for()
    _settled(secretary)
    assert secretary.get_by_role("button", name="Pubblica").count() == 0
    assert "Traceback" not in secretary.content()
    _shot(secretary, shots / "05_file_sbagliato.png")

    def bad_stato(book) -> None:
        sheet = book["Progetti"]
        sheet.cell(row=3, column=column_of(sheet, "Stato")).value = "Sospeso"

    broken = tmp_path / "piano_con_errori.xlsx"
    broken.write_bytes(edited_workbook(bad_stato))
    secretary.locator('input[type="file"]').set_input_files(str(broken))
    secretary.get_by_text("1 errore impedisce la pubblicazione").wait_for()
    _settled(secretary)
    # The whole message, with how to fix it, not cut at the width of a grid column.
    _shows_whole(
        secretary,
        "«Sospeso» non è un valore di «Stato» valido: i valori ammessi sono Da definire, "
        "Da avviare, In corso, Concluso.",
    )
    assert secretary.get_by_role("button", name="Pubblica").count() == 0
    _shot(secretary, shots / "05b_problemi_nel_file.png")

    _go_overview(board)
    assert _coop_kpi(board) == "27.500 €"
    assert [v.number for v in store.versions()] == [1, 2]
    _shot(board, shots / "06_panoramica_invariata.png")

    # Back to the previous version: restoring adds version 3 with the content of version 1.
    _choose(secretary, "Versione", re.compile(r"^Versione 1 ·"))
    secretary.get_by_text("Ripristina la versione 1").click()
    secretary.get_by_role("button", name="Ripristina", exact=True).click()
    secretary.get_by_text("Ripristinata la versione 1: ora è in vigore come versione 3.").wait_for()
    _settled(secretary)
    _shot(secretary, shots / "07_ripristino.png")
    assert (store.current().number, store.current().restored_from) == (3, 1)
    _go_overview(board)
    assert _coop_kpi(board) == "25.000 €"

    # Any version can be looked at, read-only, with a way back to the plan in force.
    _choose(secretary, "Versione", re.compile(r"^Versione 2 ·"))
    secretary.get_by_role("button", name="Visualizza nella dashboard").click()
    secretary.get_by_text("Sola lettura", exact=True).first.wait_for()
    secretary.get_by_role("link", name="Panoramica").click()
    _settled(secretary)
    assert _coop_kpi(secretary) == "27.500 €"
    _shot(secretary, shots / "08_versione_in_sola_lettura.png")
    secretary.get_by_role("button", name="Torna al piano in vigore").click()
    _settled(secretary)
    assert _coop_kpi(secretary) == "25.000 €"
    assert secretary.get_by_text("Sola lettura", exact=True).count() == 0
    assert not outside, outside

    secretary_context.close()
    board_context.close()


def _choose(page, label: str, option: re.Pattern) -> None:
    """Pick an option of the Streamlit selectbox labelled ``label`` (a react-aria combobox: the
    list opens from its «Apri l'elenco» button, Streamlit's «Open» said in Italian by ui/italian.py; a rerun may redraw it, so try again once)."""
    wanted = page.get_by_role("option", name=option).first
    for attempt in range(3):
        _settled(page)
        box = page.get_by_role("combobox", name=label, exact=True)
        box.locator("xpath=..").get_by_role("button", name="Apri l'elenco").click()
        try:
            wanted.wait_for(timeout=5000)
            break
        except Exception:
            if attempt == 2:
                raise
    wanted.click()
    _settled(page)


def test_a_second_year_brings_the_plan_selector_and_the_comparison(
    server: tuple[str, Store],
    chromium,
    shots: Path,
) -> None:
    url, store = server
    plan = shipped()
    project = project_with_amount(plan, COOP)
    later = with_amount(plan, project, COOP, plan.funding_of(project)[COOP] + 10000)
    store.publish(as_bytes(replace(later, meta=replace(later.meta, year=2024))), "Maria Rossi")
    in_force_2023 = {t.source: t.total for t in store.current(2023).totals}[COOP]

    outside: list[str] = []
    context, board = _open(chromium, url, outside)
    assert _coop_kpi(board) == fmt.money(in_force_2023 + 10000)  # the newest year by default
    board.get_by_role("heading", name="Confronto tra anni").wait_for()
    tables = board.locator('[data-testid="stTable"]')
    tables.filter(has_text="+10.000 €").first.wait_for()  # totals per source and per pista
    assert tables.filter(has_text="+10.000 €").count() == 2
    _shot(board, shots / "09_due_anni.png")
    _choose(board, "Piano", re.compile("^Piano 2023$"))
    assert _coop_kpi(board) == fmt.money(in_force_2023)
    assert not outside, outside
    context.close()
