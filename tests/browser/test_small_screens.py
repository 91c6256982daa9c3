"""Phones and small screens, round two (issue 24 §4), measured in Chromium on the shipped plan at
the sizes of the issue (390x844, 360x740, 1024x768, 1280x720):

- the matrix tells each layout its own gestures (a phone list has no headers or rows to click);
- a project card says the pista in words; the workbook's codes stay, small, at its foot;
- a phone's first screen shows the plan (title at the top, the first figures on screen);
- «€» is never alone on a line: every slide at 1024x768, the Fonti lists on phones;
- every Fonti tab is reachable without a sideways swipe, and nothing of the page (the totals by
  pista and source included) is wider than the screen;
- the «Cronologia» table shows its cells whole at 1280x720.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.browser_dashboard import settle, shoot
from support.browser_deck import shown_total, wait_slide

from ui import components, keys

pytestmark = pytest.mark.browser

PHONES = {"390x844": (390, 844), "360x740": (360, 740)}

# Every «€» the page shows that starts a line of its own (the character before it, a digit,
# ends the line above), as the texts around it.
LONE_EURO_JS = """(selector) => {
  const lone = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || !parent.checkVisibility()) continue;
      const text = node.nodeValue;
      for (let i = text.indexOf('€'); i > 0; i = text.indexOf('€', i + 1)) {
        let j = i - 1;
        while (j > 0 && /\\s/.test(text[j])) j--;
        const range = document.createRange();
        range.setStart(node, i); range.setEnd(node, i + 1);
        const euro = range.getBoundingClientRect();
        range.setStart(node, j); range.setEnd(node, j + 1);
        const before = range.getBoundingClientRect();
        if (euro.width && euro.top >= before.bottom - 2) lone.push(text.slice(Math.max(0, i - 20), i + 1));
      }
    }
  }
  return lone;
}"""

# Elements of a selector whose content is wider than their box: [text, scrollWidth, clientWidth].
CUT_JS = """(selector) => [...document.querySelectorAll(selector)]
  .filter(e => e.checkVisibility() && e.scrollWidth > e.clientWidth + 1)
  .map(e => [e.textContent.trim().slice(0, 60), e.scrollWidth, e.clientWidth])"""


def opened(visitor, size: tuple[int, int], url: str):
    made = visitor(*size)
    made.page.goto(url)
    settle(made.page)
    return made.page


def visible_text(page, selector: str) -> str:
    return " ".join(
        page.locator(selector).nth(i).inner_text() for i in range(page.locator(selector).count())
    )


@pytest.mark.parametrize("size", [*PHONES.values(), (1024, 768), (1280, 720)],
                         ids=[*PHONES, "1024x768", "1280x720"])  # fmt: skip
def test_the_matrix_tells_each_layout_its_own_gestures(dashboard_url, visitor, size) -> None:
    page = opened(visitor, size, dashboard_url + "/matrice")
    shown = page.locator('[data-testid="stMain"]').inner_text()
    phone = size[0] <= components.PHONE_MAX_PX
    assert (components.PHONE_MATRIX_HELP in shown) is phone
    assert (components.WIDE_MATRIX_HELP in shown) is not phone
    if phone:  # nothing to click on a list: the picker it names is on screen below it
        assert "intestazione" not in shown and "su una riga" not in shown
        assert page.get_by_label("Apri la scheda di un progetto").first.is_visible()


@pytest.mark.parametrize("size", [(390, 844), (1280, 720)], ids=["390x844", "1280x720"])
def test_a_card_says_its_pista_in_words_and_keeps_the_codes_small(
    dashboard_url, visitor, size, artifacts: Path
) -> None:
    page = opened(visitor, size, dashboard_url + "/pista-p2")
    codes = page.locator(".cp-codes", has_text="P2-01")
    card = (  # the innermost block holding the card's title and its codes
        page.locator('[data-testid="stVerticalBlock"]')
        .filter(has=page.get_by_role("heading", name="Ufficio Credito&Finanza"))
        .filter(has=codes)
        .last
    )
    card.scroll_into_view_if_needed()
    said = card.inner_text()
    assert "Pista «Competere nella società del rischio»" in said
    assert "CRESCERE · P2-01" not in said and "Voce di budget:" not in said
    assert codes.inner_text() == (
        "Nel file: codice P2-01 · gruppo CRESCERE · voce di budget UFFICIO CREDITO&FINANZA"
    )
    body = float(card.locator("li").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    small = float(codes.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert small < body
    name = f"scheda-progetto-parole-{size[0]}x{size[1]}"
    shoot(page, artifacts, name, name)


@pytest.mark.parametrize("size", PHONES.values(), ids=PHONES)
def test_a_phone_first_screen_shows_the_plan(dashboard_url, visitor, size, artifacts) -> None:
    page = opened(visitor, size, dashboard_url)
    title = page.locator('[data-testid="stMain"] h1').first.bounding_box()
    header = page.locator('[data-testid="stHeader"]').bounding_box()
    menu = page.locator(f".st-key-{keys.PHONE_ONLY}-menu").first.bounding_box()
    assert menu is not None  # «Pagine», the phone's labelled menu, first under the header
    assert menu["y"] - (header["y"] + header["height"]) <= 12  # no empty band above it
    assert title["y"] - (menu["y"] + menu["height"]) <= 24  # and the title right below it
    cards = page.locator(keys.css_any(keys.KPI_CARD))
    for i in range(2):  # the first row of figures whole in the first 70 % under the menu
        card = cards.nth(i).bounding_box()
        assert card["y"] + card["height"] - menu["height"] <= size[1] * 0.7, (i, card, menu)
    name = f"dashboard-telefono-{size[0]}x{size[1]}"
    shoot(page, artifacts, name, name)


@pytest.mark.parametrize("size", PHONES.values(), ids=PHONES)
def test_fonti_on_a_phone_every_tab_reachable_and_no_lone_euro(
    dashboard_url, visitor, size, artifacts
) -> None:
    page = opened(visitor, size, dashboard_url + "/fonti")
    tabs = page.locator('[data-testid="stTabs"] [role="tab"]')
    assert page.evaluate(CUT_JS, '[data-testid="stTabs"] [role="tablist"]') == []
    for i in range(tabs.count()):  # each tab whole inside the screen, no swipe
        box = tabs.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= size[0], tabs.nth(i).inner_text()
    assert page.evaluate(LONE_EURO_JS, '[data-testid="stMain"]') == []
    tabs.nth(tabs.count() - 1).click()  # the third source, one tap away
    settle(page)
    assert tabs.nth(tabs.count() - 1).get_attribute("aria-selected") == "true"
    assert page.evaluate(LONE_EURO_JS, '[data-testid="stMain"]') == []
    name = f"dashboard-fonti-telefono-{size[0]}x{size[1]}"
    shoot(page, artifacts, name, name)


def test_no_slide_leaves_the_euro_alone_at_1024x768(dashboard_url, visitor) -> None:
    page = opened(visitor, (1024, 768), dashboard_url + "/presentazione?slide=1")
    total = shown_total(page)
    lone = {}
    for number in range(1, total + 1):
        page.goto(f"{dashboard_url}/presentazione?slide={number}")
        wait_slide(page, number, total)
        found = page.evaluate(LONE_EURO_JS, "section.cp-slide")
        if found:
            lone[number] = found
    assert not lone, lone


def test_the_cronologia_table_shows_its_cells_whole_at_1280(dashboard_url, visitor, artifacts):
    page = opened(visitor, (1280, 720), dashboard_url + "/cronologia")
    table = page.locator('[data-testid="stTable"]').first
    assert "Prima versione del piano" in table.inner_text()
    assert page.evaluate(CUT_JS, '[data-testid="stTable"], [data-testid="stTable"] td') == []
    assert page.locator('[data-testid="stDataFrame"]').count() == 0  # no grid cutting cells
    shoot(page, artifacts, "cronologia-1280x720")


# [scrollWidth, clientWidth] of the page's main block.
MAIN_WIDTH_JS = """() => { const m = document.querySelector('[data-testid="stMain"]');
  return [m.scrollWidth, m.clientWidth]; }"""


@pytest.mark.parametrize("size", PHONES.values(), ids=PHONES)
def test_fonti_on_a_phone_nothing_is_wider_than_the_screen(dashboard_url, visitor, size) -> None:
    page = opened(visitor, size, dashboard_url + "/fonti")
    scroll, client = page.evaluate(MAIN_WIDTH_JS)
    assert scroll <= client, (scroll, client)
    # No table scrolls sideways inside its own box either (the totals did, by 11 px at 360).
    assert page.evaluate(CUT_JS, '[data-testid="stTable"], [data-testid="stTable"] > div') == []
    totals = page.locator(f".st-key-{keys.PHONE_ONLY}-fonti-totali")
    totals.scroll_into_view_if_needed()
    said = totals.inner_text()
    assert "Totale\nRisorse Coop Re-Start: 25.000\u00a0€" in said, said  # a list, all of it
    assert "Pista Totale" not in said
    box = totals.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= size[0]


def test_fonti_totals_at_1280_read_as_a_table_of_numbers(dashboard_url, visitor) -> None:
    """The pista a first column (no column of row numbers), the amounts right-aligned so their
    digits line up, nothing cut."""
    page = opened(visitor, (1280, 720), dashboard_url + "/fonti")
    totals = page.locator(f".st-key-{keys.WIDE_ONLY}-fonti-totali [data-testid='stTable']")
    totals.scroll_into_view_if_needed()
    headers = totals.locator("thead th").all_inner_texts()
    assert headers[0] == "Pista" and "" not in headers, headers
    assert totals.locator("tbody th").count() == 0  # no index cells
    aligned = totals.locator("tbody td").evaluate_all(
        "cells => cells.map(c => [c.innerText.trim(), getComputedStyle(c).textAlign])"
    )
    numbers = [a for text, a in aligned if text[:1].isdigit()]
    assert numbers and set(numbers) == {"right"}, aligned
    assert page.evaluate(CUT_JS, '[data-testid="stTable"], [data-testid="stTable"] td') == []
