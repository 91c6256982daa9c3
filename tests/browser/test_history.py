"""The browser's Back and Forward buttons over the sidebar filters (issue 10 §2), in Chromium.

A person chooses a source, then a stato; Back shows the view with the source only (sidebar and
figures), Back again the unfiltered view, Forward the source again; the URL of a filtered view
opened in a new browser shows that same view. On the overview and on a pista page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.browser_dashboard import kpis, settle, shoot, sidebar_filter

pytestmark = pytest.mark.browser

SOURCE = "Risorse Coop Re-Start"
STATUS = "In corso"


def view(page) -> dict:
    """What tells the views apart on screen: the sidebar filters, the KPI cards, the stato
    chips and the URL's filter part."""
    return {
        "fonte": sidebar_filter(page, "Fonte di finanziamento"),
        "stato": sidebar_filter(page, "Stato"),
        "kpis": kpis(page),
        "chips": page.locator(".cp-chip").all_inner_texts(),
        "query": page.url.partition("?")[2],
    }


def choose(page, label: str, option: str) -> None:
    """Type the start of ``option`` in the sidebar filter ``label`` and pick it, as a person
    does (a click alone does not always open the list of a widget below the fold)."""
    widget = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
    widget = widget.filter(has_text=label)
    widget.locator("input").click()
    page.keyboard.type(option[:6])
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def wait_for(page, before: dict) -> dict:
    """The view once the rerun caused by a click or Back/Forward is drawn (it differs from
    ``before``)."""
    assert page.url.startswith("http://127.0.0.1"), f"Back/Forward left the app: {page.url}"
    for _ in range(80):
        settle(page)
        now = view(page)
        if now != before:
            return now
        page.wait_for_timeout(250)
    raise AssertionError(f"the view did not change from {before}")


@pytest.mark.parametrize("path", ["", "/pista-p2"], ids=["panoramica", "pista"])
def test_back_and_forward_undo_and_redo_each_filter_change(
    dashboard_url: str, visitor, artifacts: Path, path: str
) -> None:
    made = visitor(1280, 720)
    page = made.page
    page.goto(dashboard_url + path)
    settle(page)
    page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
    plain = view(page)
    assert plain["query"] == "" and SOURCE not in plain["fonte"]

    choose(page, "Fonte di finanziamento", SOURCE)
    by_source = wait_for(page, plain)
    assert SOURCE in by_source["fonte"] and "fonte=" in by_source["query"]
    choose(page, "Stato", STATUS)
    by_both = wait_for(page, by_source)
    assert STATUS in by_both["stato"] and "stato=" in by_both["query"]
    assert len({str(plain), str(by_source), str(by_both)}) == 3  # three different screens
    name = path.strip("/") or "panoramica"

    page.go_back()
    assert wait_for(page, by_both) == by_source  # the stato choice undone, the source kept
    shoot(page, artifacts, f"indietro_{name}_fonte")
    page.go_back()
    assert wait_for(page, by_source) == plain  # then the source choice undone
    assert re.fullmatch(rf"{re.escape(dashboard_url + path)}/?", page.url)  # still in the app
    page.go_forward()
    assert wait_for(page, plain) == by_source  # Forward redoes it
    page.go_forward()
    assert wait_for(page, by_source) == by_both

    bookmark = visitor(1280, 720).page  # the filtered URL, opened in another browser
    bookmark.goto(page.url)
    settle(bookmark)
    bookmark.wait_for_selector('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
    assert view(bookmark) == by_both
    assert not made.outside
