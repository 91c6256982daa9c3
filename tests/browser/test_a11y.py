"""Accessibility by the standard: an axe-core audit (WCAG 2.0/2.1, levels A and AA) of every page
of the navigation in Chromium, at projector (1280x720) and phone (390x844) size, plus a project
card opened and a filtered view. Zero violations; on failure each is printed (rule, where, why).

axe-core is the npm package pinned in tests/browser/axe/package.json (package-lock.json);
``bash scripts/install.sh --dev`` runs ``npm ci`` there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.browser import wait_quiet
from support.browser_axe import (
    SOURCE,
    audit_whole,
    axe_script,  # noqa: F401 - fixtures
    open_project_card,
    report,
)
from support.browser_dashboard import SIZES, nav_pages, settle

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_passes_the_wcag_audit(
    size: str,
    axe_script: Path,
    dashboard_url: str,
    visitor,
) -> None:
    width, height = SIZES[size]
    made = visitor(width, height)
    page = made.page
    page.goto(dashboard_url)
    settle(page)
    pages = nav_pages(page)
    assert len(pages) >= 10, pages  # overview, 4 piste, fonti, matrice, deck, phone, update
    found = []
    for label, path in pages:
        page.goto(dashboard_url + path)
        settle(page)
        found.append(report(f"{label} ({width}x{height})", audit_whole(page, width, height)))

    page.goto(f"{dashboard_url}/?fonte={SOURCE.replace(' ', '+')}")
    settle(page)
    assert page.locator(".cp-chip").count() > 0  # the filtered overview is drawn
    found.append(
        report(f"Panoramica filtrata ({width}x{height})", audit_whole(page, width, height))
    )

    page.goto(dashboard_url)
    settle(page)
    open_project_card(page)
    found.append(
        report(f"Scheda di un progetto ({width}x{height})", audit_whole(page, width, height))
    )

    if width < 640:  # on a phone the sidebar (filters, downloads) opens over the page
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.locator('[data-testid="stSidebarContent"]').wait_for()
        wait_quiet(page)  # its sliding in
        found.append(report(f"Barra laterale ({width}x{height})", audit_whole(page, width, height)))

    problems = "\n".join(line for line in found if line)
    assert not problems, "axe-core (WCAG 2 A/AA):\n" + problems
    assert not made.outside, made.outside
