"""The secretary sees what happened (issue 24 §2), in Chromium at 1280x800, her screen:

- after «Pubblica» and after «Segna come presentata» the confirmation is inside the window (it
  used to appear at the top of the page, off screen);
- the tables of changes show no column of row numbers («0»);
- the problems of a file are listed by sheet, row and column as numbers, each cell named by its
  column («I5 (Risorse Coop Re-Start)»).

The screenshot after publishing goes to docs/screenshots/aggiorna-conferma-1280x800.png (the
README's «Aggiorna il piano» screenshot is the named editors' one, tests/browser/test_named_editors.py).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.browser import own_dashboard
from support.browser_update import _choose, settled, sign_in
from support.paths import ROOT
from support.variants import COOP, as_bytes, project_with_amount, shipped, with_amount
from support.workbooks import column_of, edited_workbook

from coopplan.store.folder import Store
from ui.update import FLASH_BOX

pytestmark = pytest.mark.browser

SECRET = "segreteria-prova-2023"
SIZE = (1280, 800)
SCREENSHOT = ROOT / "docs" / "screenshots" / "aggiorna-conferma-1280x800.png"

# The box of an element against the window: [top, bottom, window height].
IN_WINDOW_JS = (
    "e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom, innerHeight]; }"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    with own_dashboard(tmp_path_factory, "secretary_store", secret=SECRET) as served:
        yield served


def in_window(locator) -> bool:
    """The element is drawn whole inside the window, without scrolling."""
    top, bottom, height = locator.evaluate(IN_WINDOW_JS)
    return top >= 0 and bottom <= height and bottom > top


def row_numbers(page) -> list[str]:
    """The index cells (row headers) of every static table: a column of row numbers."""
    return page.locator('[data-testid="stTable"] tbody th').all_inner_texts()


def test_the_confirmation_shows_where_the_secretary_looks(
    server: tuple[str, Store], visitor, artifacts: Path, tmp_path: Path
) -> None:
    url, store = server
    plan = shipped()
    project = project_with_amount(plan, COOP)
    raised = tmp_path / "piano_marzo.xlsx"
    raised.write_bytes(
        as_bytes(with_amount(plan, project, COOP, plan.funding_of(project)[COOP] + 2500))
    )
    page = visitor(*SIZE).page
    page.goto(f"{url}/aggiorna")
    sign_in(page, SECRET)
    page.locator('input[type="file"]').set_input_files(str(raised))
    page.get_by_text("Che cosa cambia").wait_for()
    page.get_by_text("+2.500 €").first.wait_for()
    settled(page)
    assert row_numbers(page) == []  # the tables of changes: no stray «0»

    publish = page.get_by_role("button", name="Pubblica")
    publish.scroll_into_view_if_needed()
    assert in_window(publish)
    publish.click()
    done = page.locator(f".st-key-{FLASH_BOX}").filter(
        has_text="Pubblicata la versione 2 del piano 2023"
    )
    done.wait_for()
    settled(page)
    assert store.current().number == 2
    assert in_window(done), done.evaluate(IN_WINDOW_JS)
    shot = artifacts / "aggiorna-pubblicato-1280x800.png"
    page.screenshot(path=str(shot))
    shutil.copyfile(shot, SCREENSHOT)

    # «Segna come presentata», at the foot of the history: the sentence next to it.
    _choose(page, "Versione", re.compile(r"^Versione 2 ·"))
    page.get_by_text("Segna la versione 2 come presentata in assemblea").click()
    mark = page.get_by_role("button", name="Segna come presentata")
    mark.scroll_into_view_if_needed()
    mark.click()
    marked = page.locator(f".st-key-{FLASH_BOX}").filter(
        has_text="La versione 2 è segnata come presentata all'assemblea del"
    )
    marked.wait_for()
    settled(page)
    assert 2 in store.marks()
    assert in_window(marked), marked.evaluate(IN_WINDOW_JS)
    assert row_numbers(page) == []  # the comparison of two versions below: no «0» either
    page.screenshot(path=str(artifacts / "aggiorna-segnata-1280x800.png"))


def test_after_a_long_preview_the_confirmation_is_still_in_view(
    server: tuple[str, Store], visitor, tmp_path: Path
) -> None:
    """Every project changed: «Pubblica» is far down, under long tables of changes, and the
    page is much shorter once they are gone; the confirmation is brought into view."""
    url, store = server

    def every_project_changed(book) -> None:
        sheet = book["Progetti"]
        for row in range(2, sheet.max_row + 1):
            if not sheet.cell(row=row, column=1).value:
                continue
            sheet.cell(row=row, column=column_of(sheet, COOP)).value = 1000 * row
            sheet.cell(row=row, column=column_of(sheet, "Stato")).value = "Concluso"
            sheet.cell(row=row, column=column_of(sheet, "Sottotitolo")).value = f"Riga {row}"

    changed = tmp_path / "piano_tutto_nuovo.xlsx"
    changed.write_bytes(edited_workbook(every_project_changed))
    page = visitor(*SIZE).page
    page.goto(f"{url}/aggiorna")
    sign_in(page, SECRET)
    before = len(store.versions())
    page.locator('input[type="file"]').set_input_files(str(changed))
    page.get_by_text("Che cosa cambia").wait_for()
    settled(page)
    publish = page.get_by_role("button", name="Pubblica")
    publish.scroll_into_view_if_needed()
    scrolled = page.evaluate("document.querySelector('[data-testid=stMain]').scrollTop")
    assert scrolled > 2 * SIZE[1], scrolled  # far down the page
    publish.click()
    done = page.locator(f".st-key-{FLASH_BOX}").filter(has_text="Pubblicata la versione")
    done.wait_for()
    settled(page)
    assert len(store.versions()) == before + 1
    assert in_window(done), done.evaluate(IN_WINDOW_JS)


def test_problems_are_listed_cell_by_cell_with_the_column_named(
    server: tuple[str, Store], visitor, tmp_path: Path
) -> None:
    url, _ = server

    def negative_in_rows_12_and_5(book) -> None:
        sheet = book["Progetti"]
        for row in (12, 5):
            sheet.cell(row=row, column=column_of(sheet, COOP)).value = -100
        sheet.cell(row=4, column=column_of(sheet, "Stato")).value = "Sospeso"

    broken = tmp_path / "piano_con_errori.xlsx"
    broken.write_bytes(edited_workbook(negative_in_rows_12_and_5))
    page = visitor(*SIZE).page
    page.goto(f"{url}/aggiorna")
    sign_in(page, SECRET)
    page.locator('input[type="file"]').set_input_files(str(broken))
    page.get_by_text("3 errori impediscono la pubblicazione").wait_for()
    settled(page)
    problems = page.locator('[data-testid="stTable"]').filter(has_text="Problema").first
    cells = problems.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => r.querySelectorAll('td')[2].innerText.trim())"
    )
    assert cells == ["G4 (Stato)", f"I5 ({COOP})", f"I12 ({COOP})"]
    assert row_numbers(page) == []
