"""Italian where a user reads, in Chromium: the placeholders of the choice widgets, and no English
string anywhere a person looks or a screen reader speaks (issue 24 §5).

Streamlit writes «Choose an option» / «Choose options» in a selectbox or multiselect without a
placeholder, also when a person clears its text; every one of ours gives an Italian one. What
Streamlit does not let an app translate (aria-labels of its widgets, the «Page not found»
dialog) is said in Italian by ui/italian.py; what is left is allowed in ALLOWED below, with its
reason in docs/decisions.md.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.browser_dashboard import nav_pages, settle, shoot
from support.paths import ROOT

from ui import italian

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
    for said in ("Tutte le fonti", "Tutte le piste", "Tutti gli stati", "Scegli un progetto…"):
        assert said in shown, (said, shown)
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


# --- Every English string a user can meet (issue 24 §5) ---------------------------------------

# English words of a user interface that are no Italian words (Streamlit's and plotly's
# vocabulary: «Skip to main content», «No results», «Expand sidebar», «Help for …», «Show
# password»…). A string holding one is English, unless the word is the plan's own (data).
ENGLISH_WORDS = frozenset("""
the to of and or for with from your you this that is are be not only up an it its does seem
open close clear remove select selected show hide page pages found results result skip main
content expand collapse sidebar help upload search fullscreen options option value values
choose add running stop rerun loading error copy reset zoom autoscale plot shortcut heading icon
drag drop files limit browse deploy record screen made settings print about cache theme system
light dark wide mode day month year increment decrement enter apply submit previous next scroll
tabs left right columns column download press navigate home app notifications requested exist
directory corresponding entry dates range connecting please wait hidden visible rows cell
pagination
""".split())  # fmt: skip

# English a user can still meet because no supported way exists to change it: none today. An
# entry needs its reason in docs/decisions.md («Dashboard», Italian placeholders).
ALLOWED: frozenset[str] = frozenset()

SOURCE_JSON = ROOT / "data" / "source" / "piano_2023.json"

# Strings a person meets: rendered text (also visually hidden, like the skip link: a screen
# reader reads it) and the words of aria-label, title, placeholder and alt, outside what is
# hidden from everyone (display: none, visibility: hidden, aria-hidden).
MET_JS = """() => {
  const met = (el) => el.checkVisibility({visibilityProperty: true})
                      && !el.closest('[aria-hidden="true"]');
  const out = new Set([document.title]);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    const text = node.nodeValue.trim();
    if (!text || !parent || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(parent.tagName)) continue;
    if (met(parent)) out.add(text);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    if (!met(el)) continue;
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      const value = el.getAttribute(name);
      if (value) out.add(value);
    }
  }
  return [...out];
}"""


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def data_words() -> frozenset[str]:
    """Every word of the shipped plan's texts (the transcription): the plan may say «call to
    action» or «Link»; those are the association's words, not the program's."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.update(_words(value))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(SOURCE_JSON.read_text(encoding="utf-8")))
    return frozenset(found)


PROGRAM_ENGLISH = ENGLISH_WORDS - data_words()


# «10MB»: a size glued to its unit, as English writes it (Italian: «10 MB»).
ENGLISH_SIZE = re.compile(r"\d+[KMG]B\b")


def is_english(text: str) -> bool:
    return bool(_words(text) & PROGRAM_ENGLISH or ENGLISH_SIZE.search(text))


def english_strings(texts) -> list[str]:
    """The strings holding an English word of the program, less the allowed ones."""
    return sorted(t for t in texts if is_english(t) and t not in ALLOWED)


def met_english(page) -> list[str]:
    return english_strings(page.evaluate(MET_JS))


def assert_italian(page) -> None:
    english = met_english(page)
    assert not english, english


def test_the_detector_knows_every_string_streamlit_writes_in_english() -> None:
    """Each English string ui/italian.py replaces (and the issue's examples) is caught by the
    word list, so a new Streamlit string of the same kind fails the page tests below."""
    samples = [*italian.LABELS, "Remove Oneri", "Help for Pista", "Shortcut PageDown",
               "day, Data", "month, Data", "year, Data", "Page 2", "Skip to main content",
               "No results", "Page not found", "Upload", "10MB per file", "Stop",
               "The page that you have requested does not seem to exist. Running the app's "
               "main page.", "task_alt icon"]  # fmt: skip
    assert [s for s in samples if not english_strings([s])] == []
    italian_words = [*italian.LABELS.values(), "Vai al contenuto principale", "Nessun risultato"]
    assert english_strings(italian_words) == []


@pytest.mark.parametrize("size", [(1280, 720), (390, 844)], ids=["1280x720", "390x844"])
def test_no_english_string_on_any_page(dashboard_url: str, visitor, size) -> None:
    made = visitor(*size)
    page = made.page
    page.goto(dashboard_url)
    settle(page)
    found = {}
    for label, path in nav_pages(page):
        page.goto(dashboard_url + path)
        settle(page)
        english = met_english(page)
        if english:
            found[label] = english
    assert not found, found


def test_the_first_tab_over_a_slide_says_vai_al_contenuto_principale(
    dashboard_url: str, visitor, artifacts: Path
) -> None:
    made = visitor(1024, 768)
    page = made.page
    page.goto(dashboard_url + "/presentazione?slide=3")
    settle(page)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Vai al contenuto principale"
    shoot(page, artifacts, "presentazione-primo-tab-1024x768", "presentazione-primo-tab-1024x768")
    assert_italian(page)


def search_nothing(page, widget) -> str:
    """Type a search no option matches in a choice box; the text of its list of choices."""
    widget.locator("input").click()
    page.keyboard.type("zzqxj")
    listbox = page.locator('[role="listbox"]').last
    listbox.wait_for()
    return listbox.inner_text().strip()


def test_a_search_matching_nothing_says_nessun_risultato(dashboard_url: str, visitor) -> None:
    made = visitor(1280, 720)
    page = made.page
    page.goto(dashboard_url)
    settle(page)
    picker = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first
    assert search_nothing(page, picker) == "Nessun risultato"
    assert_italian(page)
    page.keyboard.press("Escape")
    sources = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    assert search_nothing(page, sources) == "Nessun risultato"
    assert_italian(page)
    page.keyboard.press("Escape")


def test_a_wrong_address_is_told_in_italian(dashboard_url: str, visitor, artifacts: Path) -> None:
    made = visitor(1280, 720)
    page = made.page
    page.goto(dashboard_url + "/pagina-che-non-esiste")
    dialog = page.locator('[role="dialog"]')
    dialog.wait_for()
    settle(page)
    assert dialog.locator("h2").inner_text() == "Pagina non trovata"
    assert "non è una pagina della dashboard: si apre la Panoramica" in dialog.inner_text()
    assert dialog.get_by_role("button").first.get_attribute("aria-label") == "Chiudi"
    shoot(page, artifacts, "pagina-non-trovata-1280x720", "pagina-non-trovata-1280x720")
    assert_italian(page)
    assert page.title().startswith("Panoramica")  # and the overview is drawn behind it


def test_the_sidebar_buttons_are_named_in_italian(dashboard_url: str, visitor) -> None:
    made = visitor(390, 844)
    page = made.page
    page.goto(dashboard_url)
    settle(page)
    page.get_by_role("button", name="Apri la barra laterale").click()
    close = page.get_by_role("button", name="Chiudi la barra laterale")
    close.wait_for()
    assert_italian(page)
    close.click()
    page.get_by_role("button", name="Apri la barra laterale").wait_for()
