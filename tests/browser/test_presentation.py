"""The page «Presentazione» in Chromium: every slide fits 1920x1080 and 1280x720 with no vertical
scroll, body text of at least 28 px at 1280x720, nothing fetched from outside, ?slide=N opens
slide N, keys and buttons move, the filter in the URL reaches the deck, the downloads work.

Uses the dashboard server and Chromium of tests/browser/conftest.py (``streamlit run app.py`` on
127.0.0.1 with a private store). Screenshots of every slide go to artifacts/presentation/.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from support.browser_deck import (
    ARTIFACTS,
    MEASURE,
    MIN_BODY_PX,
    MIN_BODY_PX_4_3,
    MIN_FILTER_PX,
    NAV_JS,
    ONERI,
    PROJECTORS,
    VIEWPORTS,
    check_fills_the_screen,
    open_page,
    shown_total,
    wait_slide,
)
from support.paths import ROOT

from coopplan.export.pdf import pdf_available

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "docs" / "screenshots"

# The slides docs/screenshots/ keeps, by screen and slide title (the first slide of that title).
IN_THE_DOCS = {
    (1280, 720): {
        "Le piste di lavoro": "presentazione-piste-1280x720",
        "I progetti per stato": "presentazione-stati-1280x720",
        "Che ruolo vogliamo giocare": "presentazione-pista-1280x720",
        "La matrice degli stati": "presentazione-matrice-1280x720",
    },
    (1920, 1080): {"Oneri di funzionamento": "presentazione-fonte-1920x1080"},
    (1024, 768): {"Che ruolo vogliamo giocare (segue)": "presentazione-pista-1024x768"},
}


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=PROJECTORS)
def test_every_slide_fits_the_screen(visitor, dashboard_url: str, width: int, height: int) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    made = open_page(visitor, dashboard_url, width, height, "?slide=1")
    page = made.page
    wait_slide(page, 1)
    total = shown_total(page)
    assert total >= 10
    in_the_docs = dict(IN_THE_DOCS[(width, height)])
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
        shot = ARTIFACTS / f"{width}x{height}-{number:02d}.png"
        page.screenshot(path=str(shot))
        slide = page.locator(f"section.cp-slide[data-number='{number}']")
        title = slide.get_attribute("aria-label") or ""
        if title in in_the_docs:
            shutil.copyfile(shot, SCREENSHOTS / f"{in_the_docs.pop(title)}.png")
    assert not in_the_docs, f"slides for docs/screenshots/ not found: {in_the_docs}"
    assert page.get_by_role("button", name="Successiva").first.is_disabled()
    assert made.outside == [], made.outside


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
