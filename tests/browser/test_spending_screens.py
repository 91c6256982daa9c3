"""The consuntivo and the scadenze in Chromium (issue 23), on the example workbook with its
dates moved to today: what a board member sees, and the screenshots of docs/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.browser_dashboard import settle
from support.browser_spending import (
    example_url,  # noqa: F401 - fixtures
    visit,
)

pytestmark = pytest.mark.browser


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
