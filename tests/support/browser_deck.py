"""Helpers shared by tests (from test_presentation.py): ARTIFACTS, MEASURE, MIN_BODY_PX, MIN_BODY_PX_4_3, MIN_FILTER_PX, NAV_JS, ONERI, PROJECTORS, ROOT, VIEWPORTS, check_fills_the_screen, open_page, shown_total, unit, wait_slide."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from coopplan.export.html import NARROWEST_W
from support.paths import ROOT
from ui import keys

ARTIFACTS = ROOT / "artifacts" / "presentation"


VIEWPORTS = [(1920, 1080), (1280, 720), (1024, 768)]


PROJECTORS = ["1920x1080", "1280x720", "1024x768"]


MIN_BODY_PX = 28  # at 1280x720, the canvas's own size


MIN_BODY_PX_4_3 = 24  # at 1024x768, a 4:3 projector


MIN_FILTER_PX = 18  # the filter's name in the band of buttons, on any projector


ONERI = "?fonte=Oneri+di+funzionamento"


def open_page(visitor: Callable, url: str, width: int, height: int, query: str = ""):
    """A fresh context (the conftest's Visitor records every request) on the page."""
    made = visitor(width, height)
    made.page.goto(f"{url}/presentazione{query}")
    return made


def wait_slide(page, number: int, total: int | None = None) -> None:
    page.wait_for_selector(f"section.cp-slide[data-number='{number}']")
    expected = f"{number} / {total}" if total else f"{number} / "
    page.wait_for_function(
        "t => (document.querySelector('[data-testid=cp-number]')||{}).textContent?.startsWith(t)",
        arg=expected,
    )
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")  # rerun over


def shown_total(page) -> int:
    text = page.locator("[data-testid=cp-number]").inner_text()
    return int(re.match(r"\s*\d+\s*/\s*(\d+)", text).group(1))


MEASURE = """() => {
  const doc = document.scrollingElement;
  const main = document.querySelector('[data-testid=stMain]');
  const slide = document.querySelector('section.cp-slide');
  const nav = document.querySelector(NAV);
  const texts = [...slide.querySelectorAll('*')].filter(
      e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
  const sizes = texts.map(e => parseFloat(getComputedStyle(e).fontSize));
  const title = parseFloat(getComputedStyle(slide.querySelector('h1')).fontSize);
  const body = texts.filter(e => e.tagName !== 'H1').map(e => parseFloat(getComputedStyle(e).fontSize));
  const hidden = sel => { const e = document.querySelector(sel);
      return !e || e.getBoundingClientRect().width === 0 || getComputedStyle(e).display === 'none'; };
  const box = slide.getBoundingClientRect();
  return {
    slideBox: [box.left, box.top, box.right, box.bottom], width: window.innerWidth,
    docScroll: doc.scrollHeight - doc.clientHeight,
    mainScroll: main.scrollHeight - main.clientHeight,
    slideOverflow: slide.scrollHeight - slide.clientHeight,
    navBottom: nav.getBoundingClientRect().bottom, height: window.innerHeight,
    minBody: Math.min(...body), title, texts: sizes.length,
    sidebarHidden: hidden('[data-testid=stSidebar]'), headerHidden: hidden('header[data-testid=stHeader]'),
  };
}""".replace("NAV", json.dumps(keys.css(keys.DECK_NAV)))


def unit(width: int, height: int) -> float:
    """One canvas pixel on this screen (coopplan.export.html: --u)."""
    return min(height / 720, width / NARROWEST_W)


def check_fills_the_screen(m: dict, width: int, height: int, where: str) -> None:
    """The slide and the band of buttons under it (72 canvas pixels) cover the whole screen
    height, and the slide the whole width up to the canvas's 16:9 (a wider screen keeps side
    margins)."""
    left, top, right, bottom = m["slideBox"]
    assert top <= 1 and bottom + 72 * unit(width, height) >= height - 1, (where, m)
    assert right - left >= min(width, 1280 * unit(width, height)) - 1, (where, m)


# Every control of the band under the slide: its text, box and font size; the filter's name
# (clamped to two lines) and whether it is cut.
NAV_JS = """() => {
  const nav = document.querySelector(NAV);
  const controls = [...nav.querySelectorAll('button, a')].filter(e => e.offsetParent)
    .map(e => { const r = e.getBoundingClientRect();
                return {text: e.innerText.trim(), left: r.left, right: r.right, top: r.top,
                        bottom: r.bottom}; });
  const f = nav.querySelector('.cp-filter');
  const r = f.getBoundingClientRect();
  return {controls, width: window.innerWidth, height: window.innerHeight,
          filter: {text: f.textContent, font: parseFloat(getComputedStyle(f).fontSize),
                   left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                   cut: f.scrollHeight > f.clientHeight + 1}};
}""".replace("NAV", json.dumps(keys.css(keys.DECK_NAV)))
