"""Italian where a user reads: the placeholders of the choice widgets, in Chromium.

Streamlit writes «Choose an option» / «Choose options» in a selectbox or multiselect without a
placeholder, also when a person clears its text; every one of ours gives an Italian one. What
Streamlit does not let an app translate (aria-labels of its widgets, the «Page not found»
dialog) is listed in docs/decisions.md.
"""

from __future__ import annotations

import pytest

from browser.test_dashboard import nav_pages, settle

pytestmark = pytest.mark.browser

# Streamlit 1.67's own placeholders (frontend utils: getSelectPlaceholder).
ENGLISH = ("Choose an option", "Choose options", "Choose or add", "Add an option", "Add options",
           "No options to select", "Select...")  # fmt: skip

# Every placeholder shown: the input's attribute and the text standing in for an empty value.
PLACEHOLDERS_JS = """() => {
  const widgets = '[data-testid="stSelectbox"], [data-testid="stMultiSelect"]';
  const out = [];
  for (const widget of document.querySelectorAll(widgets)) {
    for (const input of widget.querySelectorAll('input')) {
      if (input.placeholder) out.push(input.placeholder);
    }
    out.push(widget.innerText);
  }
  return out;
}"""


def placeholders(page) -> list[str]:
    return page.evaluate(PLACEHOLDERS_JS)


def english_in(texts: list[str]) -> list[str]:
    return [t for t in texts if any(word in t for word in ENGLISH)]


def test_filters_and_pickers_show_italian_placeholders(dashboard_url: str, visitor) -> None:
    made = visitor(1280, 720)
    page = made.page
    page.goto(dashboard_url)
    settle(page)
    # the three sidebar filters and the project picker are drawn (a busy first run is slow)
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(2).wait_for()
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.wait_for()
    shown = " | ".join(placeholders(page))
    for italian in ("Tutte le fonti", "Tutte le piste", "Tutti gli stati", "Scegli un progetto…"):
        assert italian in shown, (italian, shown)
    assert not english_in(placeholders(page))


def test_a_cleared_version_choice_says_scegli_un_opzione(dashboard_url: str, visitor) -> None:
    made = visitor(1280, 720)
    page = made.page
    page.goto(dashboard_url + "/aggiorna")
    settle(page)
    widget = page.locator('[data-testid="stSelectbox"]').filter(has_text="Versione").first
    field = widget.locator("input")
    field.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    assert field.get_attribute("placeholder") == "Scegli un'opzione"
    assert not english_in(placeholders(page))
    page.keyboard.press("Escape")


def test_no_english_placeholder_on_any_page(dashboard_url: str, visitor) -> None:
    made = visitor(1280, 720)
    page = made.page
    page.goto(dashboard_url)
    settle(page)
    found = {}
    for label, path in nav_pages(page):
        page.goto(dashboard_url + path)
        settle(page)
        english = english_in(placeholders(page))
        if english:
            found[label] = english
    assert not found, found
