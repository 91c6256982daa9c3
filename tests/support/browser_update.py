"""Helpers shared by tests (from test_update_flow.py): ARTIFACTS, ROOT, SECRET, TIMEOUT_MS, server, shots, sign_in, sign_in_as."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from coopplan.store.folder import Store
from support.browser import own_dashboard, wait_quiet
from support.paths import ROOT
from support.variants import COOP
from ui import keys

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


def open_visitor(browser, url: str, outside: list[str]):
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


def settled(page) -> None:
    """Wait until Streamlit has finished the current run (no 'running' indicator)."""
    wait_quiet(page)  # the rerun a click starts has shown its indicator, or nothing changes
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=TIMEOUT_MS)
    page.locator('[data-testid="stSpinner"]').first.wait_for(state="hidden", timeout=TIMEOUT_MS)


def shot(page, path: Path) -> None:
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


def coop_kpi(page) -> str:
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
    settled(page)


def sign_in_as(page, name: str, password: str) -> None:
    """«Accedi» on «Aggiorna il piano» as a named editor; back once the uploader shows."""
    page.get_by_role("heading", name="Aggiorna il piano").wait_for()
    page.get_by_label("Nome", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Accedi").click()
    page.locator('[data-testid="stFileUploader"]').wait_for()
    settled(page)


def _go_overview(page) -> None:
    """A board member's next interaction: move to another page and back to the overview."""
    page.get_by_role("link", name="Matrice di stato").click()
    settled(page)
    page.get_by_role("link", name="Panoramica").click()
    settled(page)


def _choose(page, label: str, option: re.Pattern) -> None:
    """Pick an option of the Streamlit selectbox labelled ``label`` (a react-aria combobox: the
    list opens from its «Apri l'elenco» button, Streamlit's «Open» said in Italian by ui/italian.py; a rerun may redraw it, so try again once)."""
    wanted = page.get_by_role("option", name=option).first
    for attempt in range(3):
        settled(page)
        box = page.get_by_role("combobox", name=label, exact=True)
        box.locator("xpath=..").get_by_role("button", name="Apri l'elenco").click()
        try:
            wanted.wait_for(timeout=5000)
            break
        except Exception:
            if attempt == 2:
                raise
    wanted.click()
    settled(page)
