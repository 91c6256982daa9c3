"""The «Cronologia» page in headless Chromium at 1280x720 (a projector), on a store holding a
known history: the charts are drawn, hovering a version tells who published it and what changed,
nothing is cut or scrolls sideways, nothing is fetched from outside. The screenshot (with the
hover open) goes to docs/screenshots/cronologia-1280x720.png."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.browser import own_dashboard
from support.browser_dashboard import ERRORS, check_layout, settle
from support.history import publish_history
from support.paths import ROOT

pytestmark = pytest.mark.browser

SCREENSHOT = ROOT / "docs" / "screenshots" / "cronologia-1280x720.png"


@pytest.fixture(scope="module")
def history_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard on a store holding a history of versions (its own server)."""
    with own_dashboard(tmp_path_factory, "timeline_store", fill=publish_history) as (url, _):
        yield url


def test_the_timeline_reads_on_a_projector_and_hover_tells_the_story(
    history_url: str, visitor, artifacts: Path
) -> None:
    made = visitor(1280, 720)
    page = made.page
    page.goto(f"{history_url}/cronologia")
    settle(page)
    assert page.locator(ERRORS).count() == 0
    assert page.locator("h1").first.inner_text() == "Cronologia"
    page.wait_for_selector(".js-plotly-plot .main-svg")  # plotly's bundle loads lazily
    settle(page)
    charts = page.locator(".js-plotly-plot")
    assert charts.count() >= 2
    check_layout(page, "cronologia")
    money = charts.first
    money.scroll_into_view_if_needed()
    ticks = money.locator(".xtick text").evaluate_all("els => els.map(e => e.textContent)")
    assert any(t.startswith("v. 5") for t in ticks), ticks
    # Hover the third version's point of the first line: who published it, the note, the change.
    point = money.locator(".scatterlayer .trace").first.locator(".points path").nth(2)
    point.scroll_into_view_if_needed()
    box = point.bounding_box()  # plotly's drag layer is on top: move the mouse there instead
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    hover = page.locator(".hoverlayer .hovertext").first
    hover.wait_for(state="visible")
    said = hover.text_content() or ""
    assert "Luca Bianchi" in said and "Più fondi" in said and "+2.500 €" in said, said
    shot = artifacts / "cronologia-1280x720.png"
    page.screenshot(path=str(shot))
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT)
    assert not made.outside, made.outside
