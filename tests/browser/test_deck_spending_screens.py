"""The «Spese» and «Scadenze» slides and the matrix's «Speso» in Chromium (issue 23), on the
example workbook with its dates moved to today: each slide fits the projector with body text at
28 px, and the screenshots of docs/screenshots/ are taken at 1280x720."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support.browser_deck import MEASURE, MIN_BODY_PX, check_fills_the_screen, wait_slide
from support.browser_spending import SCREENSHOTS, example_url, visit  # noqa: F401
from support.spending_pages import EXAMPLE, moved_to_today

from coopplan import load_plan, slides

pytestmark = pytest.mark.browser


def slide_number(kind: str) -> int:
    """Where the deck of the example (no filter, today) has its first slide of ``kind``."""
    deck = slides.build_deck(moved_to_today(load_plan(EXAMPLE).plan), today=dt.date.today())
    return [s.kind for s in deck].index(kind) + 1


@pytest.mark.parametrize(
    ("kind", "name", "said"),
    [
        (
            "spending",
            "presentazione-spese-1280x720",
            [
                "Risorse Coop Re-Start: spesi 13.700 € su 25.000 € (54,8%), impegnati 17.200 €, "
                "restano 11.300 €.",
                "Preventivo 25.000 €",
                "Speso 20.500 €",
            ],
        ),
        (
            "due",
            "presentazione-scadenze-1280x720",
            ["Rating cooperativo", "Anna Rossi", "scaduto da 23 giorni", "tra 9 giorni"],
        ),
    ],
)
def test_the_new_slides_fit_the_projector(
    visitor,
    example_url: str,
    artifacts: Path,
    kind: str,
    name: str,
    said: list[str],
) -> None:
    number = slide_number(kind)
    made = visitor(1280, 720)
    page = made.page
    page.goto(f"{example_url}/presentazione?slide={number}")
    wait_slide(page, number)
    text = page.locator("section.cp-slide").inner_text().replace("\xa0", " ")
    for words in said:
        assert words in text, words
    m = page.evaluate(MEASURE)
    assert m["docScroll"] <= 0 and m["mainScroll"] <= 0 and m["slideOverflow"] <= 0, m
    assert m["minBody"] >= MIN_BODY_PX, m
    check_fills_the_screen(m, 1280, 720, kind)
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path))
    (SCREENSHOTS / f"{name}.png").write_bytes(path.read_bytes())
    assert made.outside == [], made.outside


def test_the_matrix_shows_the_share_spent_within_the_screen(
    visitor,
    example_url: str,
    artifacts: Path,
) -> None:
    page = visit(visitor, f"{example_url}/matrice", artifacts, "matrice-consuntivo-1280x720")
    grid = page.locator("[data-testid=stDataFrame]").first
    grid.wait_for()
    box = grid.bounding_box()
    assert box["x"] + box["width"] <= 1280  # the last column, «% speso», on screen
    path = artifacts / "matrice-consuntivo-1280x720.png"
    assert path.stat().st_size > 0  # looked at: «% speso» last, «90%», «—» for no euro source
