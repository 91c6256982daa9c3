"""«Dall'ultima assemblea» in Chromium: on a store where version 1 was presented on 14 March 2026
and versions 2-4 changed the plan (tests/since_story.py), the presentation's second slide says
what moved in sentences, and the overview shows «In corso: 13 (+1)». Nothing is fetched from
outside. Screenshots of both go to docs/screenshots/."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator

import pytest
from support.browser import own_dashboard
from support.paths import ROOT

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT / "tests"))

from support.since_story import NEW_DONE, STARTED_TITLE, publish_story  # noqa: E402


@pytest.fixture(scope="module")
def story_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard on a store holding the story (its own server: the shared one is empty)."""
    with own_dashboard(tmp_path_factory, "since_store", fill=publish_story) as (url, _):
        yield url


def test_the_second_slide_says_what_moved_since_the_assembly(
    story_url: str, visitor: Callable
) -> None:
    made = visitor(1280, 720)
    page = made.page
    page.goto(f"{story_url}/presentazione?slide=2")
    slide = page.locator("section.cp-slide[data-number='2']")
    slide.wait_for()
    assert slide.get_attribute("data-kind") == "since"
    assert slide.locator("h1").inner_text().strip() == "Dall'ultima assemblea"
    body = " ".join(slide.inner_text().split())
    assert "Dall'assemblea del 14 marzo 2026 (versione 1 → versione 4)" in body
    assert f"Un progetto è partito: {STARTED_TITLE}" in body
    assert (
        "Il budget Risorse Coop Re-Start è salito di 2.500 €, da 25.000 € a 27.500 €: "
        "Rating cooperativo, 5.000 → 7.500 €" in body
    )
    assert NEW_DONE in body
    for line in ("Un progetto è partito:", "Il budget per fonte:"):
        assert slide.get_by_text(line).is_visible()
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "presentazione-dall-ultima-assemblea-1280x720.png"))
    assert made.outside == []


def test_the_overview_shows_the_stato_deltas_and_the_progress(
    story_url: str, visitor: Callable
) -> None:
    made = visitor(1280, 900)
    page = made.page
    page.goto(story_url)
    page.locator(".cp-chip").first.wait_for(timeout=120_000)  # a busy machine: first visit
    chips = [" ".join(t.split()) for t in page.locator(".cp-chip").all_inner_texts()]
    assert "In corso: 13 (+1)" in chips and "Da avviare: 4 (=)" in chips
    assert page.get_by_text(
        "Tra parentesi la variazione dall'assemblea del 14 marzo 2026"
    ).is_visible()
    page.locator(".st-key-cp_progress .main-svg").first.wait_for(timeout=120_000)
    drawn = " ".join((page.locator(".st-key-cp_progress").text_content() or "").split())
    assert "Concluso" in drawn and "In corso" in drawn, drawn  # two segments, a legend
    assert re.search(r"\d+ conclusi? e \d+ in corso su \d+ progetti", drawn), drawn
    page.get_by_text("Avanzamento per pista").scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-avanzamento-1280x900.png"))
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("[data-testid=stMain]").evaluate("e => e.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-dall-ultima-assemblea-1280x900.png"))
    assert made.outside == []
