"""The dashboard in headless Chromium, as a board member uses it, at 1280x720 and 390x844.

Every page of the navigation is visited at both sizes: no error or exception on screen, no
horizontal scrolling, no value or title cut short, and no request leaving the machine. The
source filter is used through the sidebar, as a person would, and the totals on screen change.
Screenshots go to artifacts/browser/ (git-ignored); the best ones are copied to docs/screenshots.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ui import keys

from .conftest import ROOT, start_streamlit, stop
from .harness import wait_quiet

pytestmark = pytest.mark.browser

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


def shoot(page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"))


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


def test_a_bookmarked_filtered_link_works_on_a_fresh_server(first_visit: dict) -> None:
    assert first_visit["title"] == "Fonti di finanziamento"
    assert first_visit["filter"] == f"Fonte di finanziamento {ONERI}"  # the sidebar, filled in
    assert "fonte=Oneri" in first_visit["url"]  # the filter stays in the address
    assert "Panoramica" in first_visit["nav"] and "Matrice di stato" in first_visit["nav"]
    assert "Tessere connessioni" in first_visit["nav"]  # a generated pista page
    assert "fonti" not in first_visit["nav"] and "app" not in first_visit["nav"]
    assert first_visit["kpis"] == {ONERI: "41.000 €", "Progetti": "1"}  # the filtered view
    assert not first_visit["outside"]


def test_a_bookmarked_filtered_deck_opens_filtered_on_a_fresh_server(
    tmp_path: Path,
    visitor,
    artifacts: Path,
) -> None:
    """«Presentazione» reads the sidebar filters like every page, even on a server's first run."""
    with fresh_server(tmp_path, artifacts) as url:
        page = visitor(1280, 720).page
        page.goto(f"{url}/presentazione?fonte={ONERI.replace(' ', '+')}&slide=1")
        page.wait_for_selector(f"section.cp-slide:has-text('Fonte: {ONERI}')")
        assert page.locator(ERRORS).count() == 0


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_at_projector_and_phone_size(
    size: str,
    first_visit: dict,
    dashboard_url: str,
    visitor,
    artifacts: Path,
) -> None:
    width, height = SIZES[size]
    pages = first_visit["pages"]
    assert len(pages) >= 7  # overview, 4 piste, sources, matrix (and the others' pages)
    made = visitor(width, height)
    for label, path in pages:
        made.page.goto(dashboard_url + path)
        settle(made.page)
        where = f"{label} ({width}x{height})"
        assert made.page.locator(ERRORS).count() == 0, where
        assert "Traceback" not in made.page.content(), where
        check_layout(made.page, where)
        if path == "/matrice" and size == "proiettore":
            check_matrix_fits(made.page, where)  # with the sidebar open, as on the projector
        slug = path.strip("/") or "panoramica"
        shoot(made.page, artifacts, f"{slug}_{width}x{height}")
    assert not made.outside, made.outside


def test_no_deploy_button_or_developer_menu_for_viewers(dashboard_url: str, visitor) -> None:
    made = visitor()
    made.page.goto(dashboard_url + "/matrice")
    made.page.wait_for_selector("h1")
    assert made.page.get_by_text("Deploy", exact=True).count() == 0
    # Neither Streamlit's ⋮ menu (Print, Record screen, Made with Streamlit) nor the table
    # toolbar, whose "Download as CSV" would bypass the formula protection of our downloads.
    settle(made.page)
    grid = made.page.locator('[data-testid="stDataFrame"]').first
    grid.hover()  # the toolbar shows on hover: wait until the hover is applied and drawn
    grid.evaluate(
        """el => new Promise(done => { const check = () => el.matches(':hover')
             ? requestAnimationFrame(() => requestAnimationFrame(done))
             : requestAnimationFrame(check); check(); })"""
    )
    assert not made.page.locator('[data-testid="stMainMenuButton"]').is_visible()
    toolbars = made.page.locator('[data-testid="stElementToolbar"]')
    assert not [i for i in range(toolbars.count()) if toolbars.nth(i).is_visible()]
    assert made.page.get_by_role("button", name=re.compile("Download as CSV")).count() == 0
    menu = made.page.locator('[data-testid="stMainMenu"]')
    if menu.is_visible():  # were it ever shown again, it must still lack the developer items
        menu.click()
        items = made.page.locator('[data-testid="stMainMenuList"]').inner_text()
        assert "Clear cache" not in items and "Developer" not in items and "Rerun" not in items
        made.page.keyboard.press("Escape")


def test_source_filter_in_the_sidebar_changes_the_totals_everywhere(
    dashboard_url: str,
    visitor,
    artifacts: Path,
) -> None:
    made = opened(visitor, dashboard_url, 1280, 720)
    page = made.page
    before = kpis(page)
    assert before["Risorse Coop Re-Start"] == "25.000 €" and before[ONERI] == "41.000 €"

    choose_in_multiselect(page, "Fonte di finanziamento", ONERI)
    page.wait_for_function(
        f"() => document.querySelectorAll('{KPI_CARDS}').length === 2", timeout=20_000
    )
    settle(page)
    assert kpis(page) == {ONERI: "41.000 €", "Progetti": "1"}
    assert "fonte=Oneri" in page.url  # the filtered view can be bookmarked
    budget = page.locator(".js-plotly-plot").first.locator(".annotation-text").all_text_contents()
    assert budget == ["Competere nella società del rischio · 41.000 €"]
    shoot(page, artifacts, "panoramica_filtrata_oneri")

    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="Matrice di stato").click()
    page.wait_for_url(re.compile(r".*/matrice.*"))
    settle(page)
    assert "fonte=Oneri" in page.url  # the filter is kept when moving between pages
    chips = page.locator(".cp-chip").all_inner_texts()
    assert "In corso: 1" in chips
    shoot(page, artifacts, "matrice_filtrata_oneri")
    assert not made.outside


def test_a_click_on_the_plan_map_opens_the_project_card(
    dashboard_url: str,
    visitor,
    artifacts: Path,
) -> None:
    made = opened(visitor, dashboard_url, 1280, 720)
    page = made.page
    # The tile's label wraps to a line per word (one <tspan> each): the words, not the spaces.
    label = re.compile(r"Rating\s*cooperativo")
    tile = page.locator(".js-plotly-plot g.slice").filter(has_text=label).last
    tile.scroll_into_view_if_needed()
    tile.click()
    page.get_by_text("Adeguamento dello strumento al Settore Sociale").wait_for()
    settle(page)
    assert page.get_by_text("Strumento sul Sito Internet").count() == 1
    # The map was redrawn whole (not zoomed into the tile) and the chosen tile is marked.
    assert page.locator(".js-plotly-plot g.slice").count() > 10
    page.get_by_text("Adeguamento dello strumento al Settore Sociale").scroll_into_view_if_needed()
    shoot(page, artifacts, "scheda_progetto_da_mappa")


def opened(visitor, url: str, width: int = 1280, height: int = 720):
    """A new visitor of that size on ``url``, once the page has settled."""
    made = visitor(width, height)
    made.page.goto(url)
    settle(made.page)
    return made


def test_a_row_of_the_status_matrix_opens_the_project_card(
    dashboard_url: str,
    visitor,
    artifacts: Path,
) -> None:
    made = opened(visitor, dashboard_url + "/matrice", 1280, 900)
    page = made.page
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    rows = 18  # the shipped plan; the header is one row high
    row_height = (box["height"] - 2) / (rows + 1)
    sixth = box["y"] + row_height * (1 + 5 + 0.5)  # P2-01, Ufficio Credito&Finanza
    page.mouse.click(box["x"] + 16, sixth)  # its selection box
    page.get_by_text("Sensibilizzazione sulle opportunità").wait_for()
    settle(page)
    assert page.get_by_text("Distacco di personale").count() == 1
    page.get_by_text("Distacco di personale").scroll_into_view_if_needed()
    shoot(page, artifacts, "scheda_progetto_da_matrice")


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


def test_kpi_numbers_show_before_the_charts(dashboard_url: str, visitor) -> None:
    page = visitor(1280, 720).page
    page.add_init_script(
        script=RENDER_ORDER_WATCH
        % {"kpi": json.dumps(KPI_VALUES), "chart": json.dumps(CHART_DRAWN)}
    )
    page.goto(dashboard_url, wait_until="commit")
    page.wait_for_selector(CHART_DRAWN, state="visible")
    order = page.evaluate("window.__cpOrder")
    assert order.get("chartsAtKpi") == 0, f"charts already drawn when the KPIs appeared: {order}"
