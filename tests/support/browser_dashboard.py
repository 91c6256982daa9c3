"""Helpers shared by tests (from test_dashboard.py): CHART_DRAWN, ERRORS, GRIDS_JS, KPI_CARDS, KPI_VALUES, ONERI, OVERFLOW_JS, RENDER_ORDER_WATCH, SCREENSHOTS, SIZES, check_layout, check_matrix_fits, choose_in_multiselect, first_visit, fresh_server, kpis, nav_pages, opened, settle, shoot, sidebar_filter."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.browser import ROOT, start_streamlit, stop, wait_quiet
from ui import keys

ONERI = "Oneri di funzionamento"


SIZES = {"proiettore": (1280, 720), "telefono": (390, 844)}


ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


KPI_CARDS = keys.css_any(keys.KPI_CARD)  # ui/components.kpi_row: keyed containers


KPI_VALUES = keys.css_any(keys.KPI_VALUE) + " p"


# Elements whose text must never be cut (ellipsis or overflow) or push the page sideways.
OVERFLOW_JS = """() => {
  const cut = [];
  const selectors = ['h1', 'h2', 'h3', KPI_VALUES, '.cp-chip',
                     '[data-testid="stSidebarNavLink"] span', '[data-testid="stMarkdownContainer"] p'];
  for (const el of document.querySelectorAll(selectors.join(','))) {
    const r = el.getBoundingClientRect();
    // not shown: hidden, or in the sidebar slid out of view on a phone
    if (!el.offsetParent || r.width === 0 || r.right <= 0 || r.left >= window.innerWidth) continue;
    if (el.scrollWidth > el.clientWidth + 1) cut.push(el.textContent.trim().slice(0, 60));
  }
  for (const svg of document.querySelectorAll('.js-plotly-plot .main-svg')) {
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('.annotation-text, .legendtext, .xtick text')) {
      const r = t.getBoundingClientRect();
      if (r.width && (r.left < box.left - 1 || r.right > box.right + 1))
        cut.push('chart: ' + t.textContent.slice(0, 60));
    }
  }
  const main = document.querySelector('[data-testid="stMain"]');
  return {cut, page: [document.documentElement.scrollWidth, window.innerWidth],
          main: main ? [main.scrollWidth, main.clientWidth] : [0, 0]};
}""".replace("KPI_VALUES", json.dumps(KPI_VALUES))


# [scrollWidth, clientWidth] of each data grid's scroller, and whether the sidebar is open.
GRIDS_JS = """() => ({
  grids: [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
         .map(s => [s.scrollWidth, s.clientWidth]),
  sidebar: (document.querySelector('[data-testid="stSidebar"]')?.getBoundingClientRect().right
            ?? 0) > 0,
})"""


def settle(page) -> None:
    """Wait until the script run is over (Streamlit marks it on the app element) and every chart
    is drawn."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached"
    )
    page.wait_for_selector("h1", state="visible")
    page.wait_for_function(
        """() => [...document.querySelectorAll('.js-plotly-plot')]
                 .every(gd => gd.querySelector('.main-svg'))"""
    )
    wait_quiet(page, 300)  # fonts, transitions and the last layout pass


def nav_pages(page) -> list[tuple[str, str]]:
    """(label, path) of every page in the sidebar navigation."""
    links = page.locator('[data-testid="stSidebarNavLink"]')
    out = []
    for i in range(links.count()):
        link = links.nth(i)
        path = "/" + (link.get_attribute("href") or "").split("/", 3)[-1].split("?")[0]
        label = link.inner_text().strip().split("\n")[-1]  # after the icon's ligature name
        out.append((label, path.replace("//", "/")))
    return out


def kpis(page) -> dict[str, str]:
    cards = page.locator(KPI_CARDS)
    return {
        cards.nth(i)
        .locator('[data-testid="stMarkdownContainer"]')
        .first.inner_text()
        .strip(): " ".join(cards.nth(i).locator(KPI_VALUES).inner_text().split())
        for i in range(cards.count())
    }


def check_layout(page, where: str) -> None:
    result = page.evaluate(OVERFLOW_JS)
    assert result["page"][0] <= result["page"][1], f"{where}: page scrolls sideways {result}"
    assert result["main"][0] <= result["main"][1] + 1, f"{where}: content scrolls sideways"
    assert not result["cut"], f"{where}: text cut off: {result['cut']}"


def check_matrix_fits(page, where: str) -> None:
    """The status matrix shows every column at once: its grid does not scroll sideways."""
    result = page.evaluate(GRIDS_JS)
    assert result["sidebar"], f"{where}: the sidebar should be open"
    assert result["grids"], f"{where}: no data grid"
    scroll, client = result["grids"][0]
    assert scroll <= client + 1, f"{where}: the matrix scrolls sideways ({scroll} > {client} px)"


SCREENSHOTS = ROOT / "docs" / "screenshots"


def shoot(page, artifacts: Path, name: str, docs: str | None = None) -> None:
    """The page in artifacts/ as ``name``; with ``docs``, also in docs/screenshots/ by that name
    (the screenshots the documentation shows stay today's app)."""
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path))
    if docs is not None:
        shutil.copyfile(path, SCREENSHOTS / f"{docs}.png")


def choose_in_multiselect(page, label: str, option: str) -> None:
    widget = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label)
    widget.locator("input").click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


@contextmanager
def fresh_server(tmp_path: Path, artifacts: Path) -> Iterator[str]:
    """A dashboard server of its own, started for one visit (the shared one has had others)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOPPLAN_")}
    env["COOPPLAN_STORE"] = str(tmp_path / "store")
    url, process = start_streamlit(ROOT / "app.py", env, artifacts / "streamlit_fresh.log")
    try:
        yield url
    finally:
        stop(process)


def sidebar_filter(page, label: str) -> str:
    """The text of a sidebar filter as shown (its label and the chosen values); '' if absent."""
    widget = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text=label
    )
    return " ".join(widget.first.inner_text().split()) if widget.count() else ""


@pytest.fixture(scope="module")
def first_visit(
    tmp_path_factory: pytest.TempPathFactory,
    visitor,
    artifacts: Path,
) -> dict:
    """The first visit a freshly started server gets is a bookmarked, filtered link to an inner
    page. With the page scripts in a pages/ folder, Streamlit ran such a visit as a legacy
    multipage app (no sidebar filters, no generated pista pages); in app_pages/ it never does.
    Recorded here, asserted in a test."""
    with fresh_server(tmp_path_factory.mktemp("first_visit"), artifacts) as url:
        made = visitor(1280, 720)
        made.page.goto(f"{url}/fonti?fonte={ONERI.replace(' ', '+')}")
        settle(made.page)
        shoot(made.page, artifacts, "primo_accesso_fonti_filtrate")
        return {
            "pages": [(label, path) for label, path in nav_pages(made.page)],
            "nav": [label for label, _ in nav_pages(made.page)],
            "kpis": kpis(made.page),
            "title": made.page.locator("h1").first.inner_text(),
            "filter": sidebar_filter(made.page, "Fonte di finanziamento"),
            "url": made.page.url,
            "outside": made.outside,
        }


def opened(visitor, url: str, width: int = 1280, height: int = 720):
    """A new visitor of that size on ``url``, once the page has settled."""
    made = visitor(width, height)
    made.page.goto(url)
    settle(made.page)
    return made


# Installed before the page's own scripts: at the first DOM change that shows a KPI value, the
# same callback counts the charts already drawn. A chart drawn together with the numbers (same
# change) or before them is counted, so the test fails if the order is ever lost.
RENDER_ORDER_WATCH = """
(() => {
  const seen = (window.__cpOrder = {});
  const look = () => {
    if (seen.chartsAtKpi === undefined && document.querySelector(%(kpi)s)) {
      seen.chartsAtKpi = document.querySelectorAll(%(chart)s).length;
    }
  };
  new MutationObserver(look).observe(document, {childList: true, subtree: true});
})();
"""


CHART_DRAWN = ".js-plotly-plot .main-svg"
