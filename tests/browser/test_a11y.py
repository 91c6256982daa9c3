"""Accessibility by the standard: an axe-core audit (WCAG 2.0/2.1, levels A and AA) of every page
of the navigation in Chromium, at projector (1280x720) and phone (390x844) size, plus a project
card opened and a filtered view. Zero violations; on failure each is printed (rule, where, why).

axe-core is the npm package pinned in tests/browser/axe/package.json (package-lock.json);
``bash scripts/install.sh --dev`` runs ``npm ci`` there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser.harness import wait_quiet
from browser.test_dashboard import SIZES, nav_pages, settle

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SOURCE = "Risorse Coop Re-Start"
PROJECT = "Rating cooperativo"

AUDIT_JS = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id,
    help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
  }));
}"""


TALL_JS = """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stSidebarContent"]']
  .map(s => document.querySelector(s)?.scrollHeight ?? 0))"""


def audit(page) -> list[dict]:
    """The WCAG 2 A/AA violations axe-core finds on the page as it is now."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(AUDIT_JS, WCAG_TAGS)


def audit_whole(page, width: int, height: int) -> list[dict]:
    """Audit at the screen's size, then again with the window as tall as the content: axe-core
    skips the colours of text outside the viewport (e.g. the bottom of the sidebar at 720 px)."""
    found = audit(page)
    tall = page.evaluate(TALL_JS)
    if tall > height:
        page.set_viewport_size({"width": width, "height": min(tall, 12_000)})
        wait_quiet(page)  # the charts' relayout to the new size
        seen = {(v["id"], n["target"]) for v in found for n in v["nodes"]}
        for violation in audit(page):
            nodes = [n for n in violation["nodes"] if (violation["id"], n["target"]) not in seen]
            if nodes:
                found.append({**violation, "nodes": nodes})
        page.set_viewport_size({"width": width, "height": height})
    return found


def report(where: str, violations: list[dict]) -> str:
    """One line per failing element: where, rule, element, and axe's explanation."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(
                f"{where}: {violation['id']} ({violation['help']}) at {node['target']}: {summary}"
            )
    return "\n".join(lines)


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if not AXE.exists():
        pytest.fail(f"{AXE} non trovato: eseguire bash scripts/install.sh --dev (npm ci)")
    return AXE


def open_project_card(page) -> None:
    """Choose a project in the overview's picker, as a person would, and wait for its card."""
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Apri la scheda")
    picker.locator("input").click()
    page.keyboard.type(PROJECT)
    page.get_by_role("option", name=re.compile(PROJECT)).first.click()
    page.get_by_text("Adeguamento dello strumento al Settore Sociale").wait_for()
    settle(page)


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
