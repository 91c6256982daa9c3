"""The update flow in a real browser: upload, preview, publish, seen by another session; bad file.

Starts ``streamlit run app.py`` as a user would, on 127.0.0.1 and a free port, with a temporary
store (COOPPLAN_STORE) and an editor secret (COOPPLAN_EDITOR_SECRET). Two browser contexts play
the secretary (page «Aggiorna il piano») and a board member (the overview). Screenshots go to
artifacts/update_flow/.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from badfiles import build
from variants import COOP, as_bytes, project_with_amount, shipped, with_amount

from coopplan import fmt
from coopplan.store import Store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "update_flow"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SECRET = "segreteria-prova-2023"
TIMEOUT_MS = 30_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy in time")


@pytest.fixture(scope="module")
def playwright_browser():  # noqa: ANN201
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"{CHROMIUM} is missing: install Debian's chromium (scripts/install.sh --dev)"
            )
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    """The dashboard on a free port, with an empty temporary store and an editor secret."""
    store_dir = tmp_path_factory.mktemp("store")
    port = _free_port()
    env = {
        **os.environ,
        "COOPPLAN_STORE": str(store_dir),
        "COOPPLAN_EDITOR_SECRET": SECRET,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("COOPPLAN_WORKBOOK", None)
    log = (tmp_path_factory.mktemp("log") / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url, Store(store_dir)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


def _open(browser, url: str, outside: list[str]):  # noqa: ANN001, ANN202
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="it-IT")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    def note_outside(request) -> None:  # noqa: ANN001
        host = request.url.split("/")[2] if "://" in request.url else ""
        if request.url.startswith(
            ("http://", "https://", "ws://", "wss://")
        ) and not host.startswith("127.0.0.1"):
            outside.append(request.url)

    page.on("request", note_outside)
    page.goto(url)
    return context, page


def _settled(page) -> None:  # noqa: ANN001
    """Wait until Streamlit has finished the current run (no 'running' indicator)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=TIMEOUT_MS)
    page.locator('[data-testid="stSpinner"]').first.wait_for(state="hidden", timeout=TIMEOUT_MS)


def _shot(page, path: Path) -> None:  # noqa: ANN001
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


def _coop_kpi(page) -> str:  # noqa: ANN001
    """The overview's KPI card of the source COOP, as shown ('25.000 €')."""
    card = page.locator(f'.cp-kpi[data-kpi="{COOP}"] .cp-kpi-value').first
    card.wait_for()
    return " ".join(card.inner_text().split())


def _go_overview(page) -> None:  # noqa: ANN001
    """A board member's next interaction: move to another page and back to the overview."""
    page.get_by_role("link", name="Matrice di stato").click()
    _settled(page)
    page.get_by_role("link", name="Panoramica").click()
    _settled(page)


def test_publish_then_seen_by_another_session_and_a_bad_file_changes_nothing(
    server: tuple[str, Store],
    playwright_browser,
    artifacts: Path,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    url, store = server
    outside: list[str] = []
    plan = shipped()
    project = project_with_amount(plan, COOP)
    modified = tmp_path / "piano_marzo.xlsx"
    modified.write_bytes(
        as_bytes(with_amount(plan, project, COOP, plan.funding_of(project)[COOP] + 2500))
    )

    board_context, board = _open(playwright_browser, url, outside)
    assert _coop_kpi(board) == "25.000 €"
    _shot(board, artifacts / "01_panoramica_prima.png")

    secretary_context, secretary = _open(playwright_browser, f"{url}/aggiorna", outside)
    secretary.get_by_role("heading", name="Aggiorna il piano").wait_for()
    secretary.locator('input[type="file"]').set_input_files(str(modified))
    secretary.get_by_text("Che cosa cambia").wait_for()
    secretary.get_by_text("+2.500 €").first.wait_for()
    _settled(secretary)
    _shot(secretary, artifacts / "02_anteprima.png")
    assert store.current().number == 1  # the preview changed nothing

    secretary.get_by_label("Il tuo nome").first.fill("Maria Rossi")
    secretary.get_by_label("Nota (facoltativa)").fill("Consiglio di marzo")
    secretary.get_by_label("Password di pubblicazione").first.fill(SECRET)
    secretary.get_by_role("button", name="Pubblica").click()
    secretary.get_by_text("Pubblicata la versione 2 del piano 2023").wait_for()
    _settled(secretary)
    _shot(secretary, artifacts / "03_pubblicato.png")
    assert store.current().number == 2
    assert SECRET not in secretary.content()

    _go_overview(board)
    assert _coop_kpi(board) == "27.500 €"
    _shot(board, artifacts / "04_panoramica_dopo.png")

    bad = build("csv", tmp_path)
    bad_path = tmp_path / bad.filename
    bad_path.write_bytes(bad.data)
    secretary.locator('input[type="file"]').set_input_files(str(bad_path))
    message = secretary.locator('[data-testid="stAlertContentError"]').filter(has_text=bad.fragment)
    message.first.wait_for()
    _settled(secretary)
    assert secretary.get_by_role("button", name="Pubblica").count() == 0
    assert "Traceback" not in secretary.content()
    _shot(secretary, artifacts / "05_file_sbagliato.png")

    _go_overview(board)
    assert _coop_kpi(board) == "27.500 €"
    assert [v.number for v in store.versions()] == [1, 2]
    _shot(board, artifacts / "06_panoramica_invariata.png")

    # Back to the previous version: restoring adds version 3 with the content of version 1.
    _choose(secretary, "Versione", re.compile(r"^Versione 1 ·"))
    secretary.get_by_text("Ripristina la versione 1").click()
    secretary.get_by_label("Il tuo nome").last.fill("Maria Rossi")
    secretary.get_by_label("Password di pubblicazione").last.fill(SECRET)
    secretary.get_by_role("button", name="Ripristina", exact=True).click()
    secretary.get_by_text("Ripristinata la versione 1: ora è in vigore come versione 3.").wait_for()
    _settled(secretary)
    _shot(secretary, artifacts / "07_ripristino.png")
    assert (store.current().number, store.current().restored_from) == (3, 1)
    _go_overview(board)
    assert _coop_kpi(board) == "25.000 €"

    # Any version can be looked at, read-only, with a way back to the plan in force.
    _choose(secretary, "Versione", re.compile(r"^Versione 2 ·"))
    secretary.get_by_role("button", name="Visualizza nella dashboard").click()
    secretary.get_by_text("Sola lettura", exact=True).wait_for()
    secretary.get_by_role("link", name="Panoramica").click()
    _settled(secretary)
    assert _coop_kpi(secretary) == "27.500 €"
    _shot(secretary, artifacts / "08_versione_in_sola_lettura.png")
    secretary.get_by_role("button", name="Torna al piano in vigore").click()
    _settled(secretary)
    assert _coop_kpi(secretary) == "25.000 €"
    assert secretary.get_by_text("Sola lettura", exact=True).count() == 0
    assert not outside, outside

    secretary_context.close()
    board_context.close()


def _choose(page, label: str, option: re.Pattern) -> None:  # noqa: ANN001
    """Pick an option of the Streamlit selectbox labelled ``label`` (a react-aria combobox: the
    list opens from its "Open" button; a rerun may redraw it, so try again once)."""
    wanted = page.get_by_role("option", name=option).first
    for attempt in range(3):
        _settled(page)
        box = page.get_by_role("combobox", name=label, exact=True)
        box.locator("xpath=..").get_by_role("button", name="Open").click()
        try:
            wanted.wait_for(timeout=5000)
            break
        except Exception:  # noqa: BLE001 - the list did not open: a rerun redrew the widget
            if attempt == 2:
                raise
    wanted.click()
    _settled(page)


def test_a_second_year_brings_the_plan_selector_and_the_comparison(
    server: tuple[str, Store],
    playwright_browser,
    artifacts: Path,  # noqa: ANN001
) -> None:
    url, store = server
    plan = shipped()
    project = project_with_amount(plan, COOP)
    later = with_amount(plan, project, COOP, plan.funding_of(project)[COOP] + 10000)
    store.publish(as_bytes(replace(later, meta=replace(later.meta, year=2024))), "Maria Rossi")
    in_force_2023 = {t.source: t.total for t in store.current(2023).totals}[COOP]

    outside: list[str] = []
    context, board = _open(playwright_browser, url, outside)
    assert _coop_kpi(board) == fmt.money(in_force_2023 + 10000)  # the newest year by default
    board.get_by_role("heading", name="Confronto tra anni").wait_for()
    comparison = board.locator('[data-testid="stTable"]').all_inner_texts()
    assert any("+10.000 €" in table for table in comparison), comparison
    _shot(board, artifacts / "09_due_anni.png")
    _choose(board, "Piano", re.compile("^Piano 2023$"))
    assert _coop_kpi(board) == fmt.money(in_force_2023)
    assert not outside, outside
    context.close()
