"""The page «Presentazione» in Chromium: every slide fits 1920x1080 and 1280x720 with no vertical
scroll, body text of at least 28 px at 1280x720, nothing fetched from outside, ?slide=N opens
slide N, keys and buttons move, the filter in the URL reaches the deck, the downloads work.

Uses the dashboard server and Chromium of tests/browser/conftest.py (``streamlit run app.py`` on
127.0.0.1 with a private store). Screenshots of every slide go to artifacts/presentation/.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from coopplan.export.html import NARROWEST_W
from coopplan.export.pdf import pdf_available
from ui import keys

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
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


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=PROJECTORS)
def test_every_slide_fits_the_screen(visitor, dashboard_url: str, width: int, height: int) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    made = open_page(visitor, dashboard_url, width, height, "?slide=1")
    page = made.page
    wait_slide(page, 1)
    total = shown_total(page)
    assert total >= 10
    for number in range(1, total + 1):
        if number > 1:
            page.get_by_role("button", name="Successiva").first.click()
            wait_slide(page, number, total)
            assert f"slide={number}" in page.url
        m = page.evaluate(MEASURE)
        where = f"slide {number} at {width}x{height}"
        assert m["docScroll"] <= 0 and m["mainScroll"] <= 0, (where, m)
        assert m["slideOverflow"] <= 0, (where, m)
        assert m["navBottom"] <= m["height"], (where, m)
        assert m["sidebarHidden"] and m["headerHidden"], where
        check_fills_the_screen(m, width, height, where)
        if height == 720:
            assert m["minBody"] >= MIN_BODY_PX, (where, m)
        if (width, height) == (1024, 768):
            assert m["minBody"] >= MIN_BODY_PX_4_3, (where, m)
        assert m["title"] > m["minBody"], where
        page.screenshot(path=str(ARTIFACTS / f"{width}x{height}-{number:02d}.png"))
    assert page.get_by_role("button", name="Successiva").first.is_disabled()
    assert made.outside == [], made.outside


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


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=PROJECTORS)
def test_with_a_filter_every_control_is_on_screen(
    visitor, dashboard_url: str, width: int, height: int
) -> None:
    """«Esci» fell off the right edge (1290 px at 1280, 1069 px at 1024) and the filter's name
    was 14 px at 1024x768."""
    page = open_page(visitor, dashboard_url, width, height, ONERI + "&slide=3").page
    wait_slide(page, 3)
    m = page.evaluate(NAV_JS)
    names = [c["text"] for c in m["controls"]]
    assert any("Esci" in n for n in names) and any("Successiva" in n for n in names), names
    for control in m["controls"]:
        assert 0 <= control["left"] and control["right"] <= width, (control, m)
        assert 0 <= control["top"] and control["bottom"] <= height, (control, m)
    f = m["filter"]
    assert f["text"] == "Fonte: Oneri di funzionamento" and not f["cut"], f
    assert f["font"] >= MIN_FILTER_PX and 0 <= f["left"] and f["right"] <= width, f
    page.screenshot(path=str(ARTIFACTS / f"filtro-{width}x{height}.png"))


LONG_FILTER = (
    "?fonte=Oneri+di+funzionamento&fonte=Risorse+Coop+Re-Start&pista=P1&pista=P2"
    "&stato=In+corso&stato=Da+avviare"
)
LONG_FILTER_TEXT = (
    "Fonte: Oneri di funzionamento, Risorse Coop Re-Start · Pista: Che ruolo vogliamo giocare, "
    "Competere nella società del rischio · Stato: In corso, Da avviare"
)


def test_a_long_filter_shows_whole_on_every_slide_at_1024x768(
    visitor, dashboard_url: str, artifacts: Path
) -> None:
    """Issue 24 §4: at 1024x768 a long filter was cut after two lines («…, Risors…») on every
    slide; a 4:3 screen has height to spare, so the filter gets a row of its own."""
    width, height = 1024, 768
    page = open_page(visitor, dashboard_url, width, height, LONG_FILTER + "&slide=1").page
    wait_slide(page, 1)
    total = shown_total(page)
    for number in range(1, total + 1):
        page.goto(f"{dashboard_url}/presentazione{LONG_FILTER}&slide={number}")
        wait_slide(page, number, total)
        where = f"slide {number}"
        m = page.evaluate(NAV_JS)
        f = m["filter"]
        assert f["text"] == LONG_FILTER_TEXT and not f["cut"], (where, f)
        assert f["font"] >= MIN_FILTER_PX and 0 <= f["left"] and f["right"] <= width, (where, f)
        assert f["top"] >= 0 and f["bottom"] <= height, (where, f)
        for control in m["controls"]:
            assert 0 <= control["left"] and control["right"] <= width, (where, control)
            assert 0 <= control["top"] and control["bottom"] <= height, (where, control)
        fit = page.evaluate(MEASURE)  # the slide gave up that height and still holds it all
        assert fit["slideOverflow"] <= 0 and fit["mainScroll"] <= 0, (where, fit)
        assert fit["navBottom"] <= height, (where, fit)
        if number == 3:
            shot = artifacts / "presentazione-filtro-lungo-1024x768.png"
            page.screenshot(path=str(shot))
            shutil.copyfile(shot, ROOT / "docs" / "screenshots" / shot.name)


def test_slide_buttons_show_their_arrow_once(visitor, dashboard_url: str) -> None:
    """«← Precedente ←»: an icon and the shortcut's badge both drew the arrow."""
    page = open_page(visitor, dashboard_url, 1280, 720, "?slide=2").page
    wait_slide(page, 2)
    for name, arrow in (("Precedente", "←"), ("Successiva", "→")):
        button = page.get_by_role("button", name=name).first
        shown = button.inner_text()
        assert shown.count(arrow) + shown.count("arrow_") <= 1, shown
        assert button.locator('[data-testid="stIconMaterial"]').count() == 0, shown


def test_slide_in_the_url_opens_that_slide_and_keys_move(visitor, dashboard_url: str) -> None:
    made = open_page(visitor, dashboard_url, 1280, 720, "?slide=5")
    page = made.page
    wait_slide(page, 5)
    page.reload()
    wait_slide(page, 5)
    page.keyboard.press("ArrowRight")
    wait_slide(page, 6)
    assert "slide=6" in page.url
    page.keyboard.press("PageUp")  # presenter remotes
    wait_slide(page, 5)
    page.get_by_role("button", name="Precedente").first.click()
    wait_slide(page, 4)
    assert "slide=4" in page.url
    total = shown_total(page)
    page.goto(f"{dashboard_url}/presentazione?slide=999")
    wait_slide(page, total, total)
    page.wait_for_function(f"() => location.search.includes('slide={total}')")
    assert made.outside == [], made.outside


def test_the_funding_source_filter_reaches_the_deck(visitor, dashboard_url: str) -> None:
    page = open_page(visitor, dashboard_url, 1280, 720, "?slide=1").page
    wait_slide(page, 1)
    full = shown_total(page)
    query = "?fonte=Oneri+di+funzionamento&slide=1"
    page = open_page(visitor, dashboard_url, 1280, 720, query).page
    page.wait_for_selector("section.cp-slide:has-text('Fonte: Oneri di funzionamento')")
    assert shown_total(page) < full


def test_downloads_pptx_and_pdf(visitor, dashboard_url: str) -> None:
    from pptx import Presentation

    page = open_page(visitor, dashboard_url, 1280, 720, "?slide=1").page
    wait_slide(page, 1)
    total = shown_total(page)
    page.get_by_role("button", name="Scarica").click()  # the downloads are in one popover
    with page.expect_download() as info:
        page.get_by_role("button", name="PowerPoint").click()
    data = Path(info.value.path()).read_bytes()
    assert len(Presentation(io.BytesIO(data)).slides) == total
    if not pdf_available() and not os.environ.get("CI"):  # the app's own LibreOffice lookup
        pytest.skip("LibreOffice is missing: no PDF")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="PDF").click()
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF")


def test_a_filtered_deck_downloads_under_the_filters_name(visitor, dashboard_url: str) -> None:
    """Issue 24 §3: the file is named after the filter, and the title slide prints a short
    address under its QR code (the code keeps the whole query)."""
    page = open_page(visitor, dashboard_url, 1280, 720, ONERI + "&slide=1").page
    wait_slide(page, 1)
    shown = page.locator(".cp-qr-url").inner_text().strip()
    assert shown.endswith(" · con il filtro") and "+" not in shown and "&" not in shown, shown
    assert "fonte=" in (page.locator('[data-testid="cp-qr"]').get_attribute("data-url") or "")
    page.get_by_role("button", name="Scarica").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="PowerPoint").click()
    assert info.value.suggested_filename == "presentazione-piano-fonte-oneri-di-funzionamento.pptx"
