"""Streamlit's own English words, said in Italian (issue 24 §5).

Streamlit 1.67 writes some words itself, in English, with no setting and no widget parameter to
change them (they are literals in its frontend bundle, ``streamlit/static/static/js``): the
«Page not found» dialog of a mistyped address, «No results» in a choice box whose search matches
nothing, the «Skip to main content» link of the first Tab, and what a screen reader speaks on
its buttons («Expand sidebar», «Collapse sidebar», «Open», «Clear value», «Remove …», «Help for
…», «Link to heading»…). A small script, run in the page once per tab (``st.html`` with
``unsafe_allow_javascript``, no iframe, as ``ui.browser_back``), puts the Italian words in their
place as Streamlit draws them (a MutationObserver: before the browser paints, so the English is
never seen) and marks the Material icons inside a text as decorative (a screen reader read
«task_alt icon Attività realizzate»).

Only Streamlit's fixed strings are matched: whole attribute values (or a fixed English part
around the app's own label, such as «Help for …»), and whole texts inside the few Streamlit
parts that hold them (the skip link, an empty list of choices, the error dialog, the uploader):
text from the plan is never touched. ``tests/browser/test_italian.py`` lists every English
string a user meets on every page; a Streamlit upgrade that changes one of them fails it.
"""

from __future__ import annotations

import json

import streamlit as st

from ui import keys

HOLDER = "cp-italian"  # the container of the script, hidden by CSS (it draws nothing)

# Whole values of aria-label, title and placeholder attributes.
LABELS: dict[str, str] = {
    "Expand sidebar": "Apri la barra laterale",
    "Collapse sidebar": "Chiudi la barra laterale",
    "Sidebar": "Barra laterale",
    "App pages": "Pagine della dashboard",
    "Main menu": "Menu principale",
    "Open": "Apri l'elenco",
    "Close": "Chiudi",
    "Clear value": "Cancella la scelta",
    "Clear all": "Cancella tutte le scelte",
    "Selected values": "Valori scelti",
    "Selectbox options": "Opzioni",
    "Link to heading": "Collegamento a questo titolo",
    "Scroll tabs right": "Scorri le schede verso destra",
    "Scroll tabs left": "Scorri le schede verso sinistra",
    "Increment": "Aumenta",
    "Decrement": "Diminuisci",
    "Show password": "Mostra la password",
    "Hide password": "Nascondi la password",
    "Choose date": "Scegli la data",
    "Choose date range": "Scegli le date",
    "Clear date": "Cancella la data",
    "Clear dates": "Cancella le date",
    "Previous month": "Mese precedente",
    "Next month": "Mese successivo",
    "Clear entry": "Cancella il testo",
    "file upload": "Carica un file",
    "Add files": "Aggiungi file",
    "Running...": "In esecuzione…",
    "Notifications": "Notifiche",
    "Pagination": "Pagine",
    "Previous page": "Pagina precedente",
    "Next page": "Pagina successiva",
    "Download as CSV": "Scarica come CSV",
    "Search": "Cerca",
    "Fullscreen": "Schermo intero",
    "Show/hide columns": "Mostra o nascondi colonne",
}

# A fixed English part around the app's own words: (regular expression, replacement).
PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^Remove (.+)$", "Togli $1"),
    (r"^Help for (.+)$", "Spiegazione: $1"),
    (r"^Shortcut (.+)$", "Tasto $1"),
    (r"^day, (.+)$", "giorno, $1"),
    (r"^month, (.+)$", "mese, $1"),
    (r"^year, (.+)$", "anno, $1"),
    (r"^Page (\d+)$", "Pagina $1"),
)

# Whole texts inside the Streamlit parts that write them: (where, regular expression, Italian).
TEXTS: tuple[tuple[str, str, str], ...] = (
    ('[data-testid="stSkipToContent"]', r"^Skip to main content$", "Vai al contenuto principale"),
    ('[role="listbox"]', r"^No results$", "Nessun risultato"),
    ('[role="dialog"]', r"^Page not found$", "Pagina non trovata"),
    (
        '[role="dialog"]',
        r"^The page that you have requested does not seem to exist\. Running the app's main page\.$",
        "L'indirizzo aperto non è una pagina della dashboard: si apre la Panoramica.",
    ),
    (
        '[role="dialog"]',
        r"^You have requested page /(.*), but no corresponding file was found in the app's pages/ directory\. Running the app's main page\.$",
        "L'indirizzo «/$1» non è una pagina della dashboard: si apre la Panoramica.",
    ),
    ('[data-testid="stFileUploaderDropzone"]', r"^Upload$", "Carica"),
    ('[data-testid="stFileUploaderDropzone"]', r"^(\d+)MB per file$", "al massimo $1 MB"),
    # what a screen reader announces in a choice box (react-aria's en-US strings)
    ("[data-live-announcer]", r"^1 option available\.$", "1 opzione disponibile."),
    ("[data-live-announcer]", r"^(\d+) options available\.$", "$1 opzioni disponibili."),
    ("[data-live-announcer]", r"^(.+), selected$", "$1, scelto"),
    ('[data-testid="stStatusWidget"]', r"^Stop$", "Ferma"),
    ('[data-testid="stStatusWidget"]', r"^Running\.\.\.$", "In esecuzione…"),
)

_SCRIPT = """<script>
(() => {
  if (window.coopplanItalian) return;  // once per tab: the script runs on every rerun
  window.coopplanItalian = true;
  const LABELS = %(labels)s;
  const PATTERNS = %(patterns)s.map(([re, to]) => [new RegExp(re), to]);
  const TEXTS = %(texts)s.map(([where, re, to]) => [where, new RegExp(re), to]);
  const ATTRIBUTES = ['aria-label', 'title', 'placeholder'];
  const italian = (value) => {
    if (Object.hasOwn(LABELS, value)) return LABELS[value];
    for (const [re, to] of PATTERNS) if (re.test(value)) return value.replace(re, to);
    return null;
  };
  const hasOtherText = (parent, icon) => [...parent.childNodes].some(
    (n) => n !== icon && n.textContent.trim() !== '');
  const fixElement = (el) => {
    for (const name of ATTRIBUTES) {
      const value = el.getAttribute(name);
      const said = value && italian(value);
      if (said) el.setAttribute(name, said);
    }
    // a Material icon in a text (":material/euro: Budget") is decoration, not a word to speak
    if (el.getAttribute('role') === 'img' && / icon$/.test(el.getAttribute('aria-label') || '')
        && el.parentElement && hasOtherText(el.parentElement, el)) {
      el.setAttribute('aria-hidden', 'true');
    }
  };
  const fixText = (node) => {
    const parent = node.parentElement;
    const text = node.nodeValue.trim();
    if (!parent || !text) return;
    for (const [where, re, to] of TEXTS) {
      if (re.test(text) && parent.closest(where)) {
        node.nodeValue = text.replace(re, to);
        return;
      }
    }
  };
  const fixTree = (root) => {
    if (root.nodeType === Node.TEXT_NODE) return fixText(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    fixElement(root);
    for (const el of root.querySelectorAll('*')) fixElement(el);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) fixText(node);
  };
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === 'attributes') fixElement(change.target);
      else if (change.type === 'characterData') fixText(change.target);
      else for (const node of change.addedNodes) fixTree(node);
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true,
                             attributes: true, attributeFilter: ATTRIBUTES});
  fixTree(document.body);
})();
</script>"""


def script() -> str:
    """The <script> element that says Streamlit's own words in Italian, and the CSS rule hiding
    its holder (HTML text, no data)."""
    hide = f"<style>{keys.hidden_holder(HOLDER)}</style>"
    return hide + _SCRIPT % {
        "labels": json.dumps(LABELS, ensure_ascii=False),
        "patterns": json.dumps(PATTERNS, ensure_ascii=False),
        "texts": json.dumps(TEXTS, ensure_ascii=False),
    }


def streamlit_in_italian() -> None:
    """Install the script in the page; drawn once per run by app.py before the navigation (so it
    is there when a mistyped address opens the «Page not found» dialog), it takes no room."""
    with st.container(key=HOLDER):
        st.html(script(), unsafe_allow_javascript=True)
