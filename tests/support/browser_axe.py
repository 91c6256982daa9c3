"""Helpers shared by tests (from test_a11y.py): AUDIT_JS, AXE, PROJECT, SOURCE, TALL_JS, WCAG_TAGS, audit, audit_whole, axe_script, open_project_card, report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support.browser import wait_quiet
from support.browser_dashboard import settle
from support.paths import ROOT

AXE = ROOT / "tests" / "browser" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


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
