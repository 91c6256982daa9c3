"""The consuntivo and the scadenze in Chromium (issue 23), on the example workbook with its
dates moved to today: what a board member sees, and the screenshots of docs/screenshots/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from coopplan import load_plan
from coopplan.workbook.writer import write_workbook
from tests.test_spending_pages import EXAMPLE, moved_to_today

from .conftest import ROOT, start_streamlit, stop
from .test_dashboard import settle

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def example_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("esempio_browser")
    workbook = folder / "esempio.xlsx"
    write_workbook(moved_to_today(load_plan(EXAMPLE).plan), workbook)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOPPLAN_")}
    env["COOPPLAN_STORE"] = str(folder / "store")
    env["COOPPLAN_WORKBOOK"] = str(workbook)
    url, process = start_streamlit(ROOT / "app.py", env, folder / "st.log")
    yield url
    stop(process)


def visit(visitor, url: str, artifacts: Path, name: str, anchor: str = ""):
    """Open ``url`` at 1280x720, scroll to the heading ``anchor`` (if any), take the picture."""
    made = visitor(1280, 720)
    made.page.goto(url)
    settle(made.page)
    if anchor:
        made.page.get_by_role("heading", name=anchor).scroll_into_view_if_needed()
        made.page.evaluate(
            "(t) => [...document.querySelectorAll('h3')].find(h => h.innerText.trim() === t)"
            ".scrollIntoView({block: 'start'})",
            anchor,
        )
        settle(made.page)
    path = artifacts / f"{name}.png"
    made.page.screenshot(path=str(path))
    shutil.copyfile(path, SCREENSHOTS / f"{name}.png")
    assert not made.outside, made.outside
    return made.page


def test_scadenze_screen(visitor, example_url: str, artifacts: Path) -> None:
    page = visit(visitor, f"{example_url}/scadenze", artifacts, "scadenze-1280x720")
    body = page.inner_text("body")
    assert "4 progetti in ritardo, 2 in scadenza entro la prossima assemblea" in body
    assert "scaduto da 23 giorni" in body and "Anna Rossi" in body


def test_sources_screen_with_spending(visitor, example_url: str, artifacts: Path) -> None:
    page = visit(
        visitor, f"{example_url}/fonti", artifacts, "fonti-consuntivo-1280x720", "Speso e impegnato"
    )
    body = page.inner_text("body")
    for figure in ("13.700 €", "54,8%", "−7.800 €", "Due incontri in più"):
        assert figure in body, figure
    chart = page.locator(".js-plotly-plot").last.inner_text()
    assert "speso 13.700 € di 25.000 € (54,8%)" in chart.replace("\xa0", " ")


def test_overview_links_to_scadenze_in_one_click(
    visitor, example_url: str, artifacts: Path
) -> None:
    page = visit(visitor, example_url, artifacts, "panoramica-consuntivo-1280x720")
    visit(
        visitor, example_url, artifacts, "panoramica-speso-per-pista-1280x720", "Speso e impegnato"
    )
    page.get_by_text("Scadenze: 4 progetti in ritardo, 2 in scadenza").click()
    page.wait_for_url("**/scadenze")
    settle(page)
    assert page.locator("h1").first.inner_text() == "Scadenze"
