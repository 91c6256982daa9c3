"""The dashboard in headless Chromium, as a board member uses it, at 1280x720 and 390x844.

Every page of the navigation is visited at both sizes: no error or exception on screen, no
horizontal scrolling, no value or title cut short, and no request leaving the machine. The
source filter is used through the sidebar, as a person would, and the totals on screen change.
Screenshots go to artifacts/browser/ (git-ignored); the best ones are copied to docs/screenshots.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.browser_dashboard import (
    CHART_DRAWN,
    ERRORS,
    KPI_CARDS,
    KPI_VALUES,
    ONERI,
    RENDER_ORDER_WATCH,
    SIZES,
    check_layout,
    check_matrix_fits,
    choose_in_multiselect,
    first_visit,  # noqa: F401 - fixtures
    fresh_server,
    kpis,
    opened,
    settle,
    shoot,
)

pytestmark = pytest.mark.browser


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


# Pages at 1280x720 whose picture docs/screenshots/ keeps (README: the overview).
IN_THE_DOCS = {
    "panoramica": "dashboard-panoramica-1280x720",
    "matrice": "dashboard-matrice-1280x720",
    "pista-p1": "dashboard-pista-1280x720",
}


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
        docs = IN_THE_DOCS.get(slug) if size == "proiettore" else None
        shoot(made.page, artifacts, f"{slug}_{width}x{height}", docs)
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
    shoot(page, artifacts, "panoramica_filtrata_oneri", "dashboard-filtro-oneri-1280x720")

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
    shoot(page, artifacts, "scheda_progetto_da_matrice", "dashboard-scheda-progetto-1280x900")


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
