"""Helpers shared by tests (from test_spending_screens.py): SCREENSHOTS, example_url, visit."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from coopplan import load_plan
from coopplan.workbook.writer import write_workbook
from support.browser import ROOT, start_streamlit, stop
from support.browser_dashboard import settle
from support.spending_pages import EXAMPLE, moved_to_today

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
