"""The page «Presentazione» in Chromium: every slide fits 1920x1080 and 1280x720 with no vertical
scroll, body text of at least 28 px at 1280x720, nothing fetched from outside, ?slide=N opens
slide N, keys and buttons move, the filter in the URL reaches the deck, the downloads work.

Starts ``streamlit run app.py`` on 127.0.0.1 and a free port. Screenshots of every slide go to
artifacts/presentation/.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "presentation"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000
VIEWPORTS = [(1920, 1080), (1280, 720)]
MIN_BODY_PX = 28


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("COOPPLAN_WORKBOOK", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {process.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"{CHROMIUM} is missing: install Debian's chromium (scripts/install.sh --dev)"
            )
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, server: str, width: int, height: int, query: str = ""):  # noqa: ANN001, ANN201
    """A fresh page that records every request leaving the local server."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.outside = []  # type: ignore[attr-defined]
    local = (server, server.replace("http", "ws"), "data:", "blob:", "about:")
    page.on("request", lambda r: None if r.url.startswith(local) else page.outside.append(r.url))
    page.goto(f"{server}/presentazione{query}")
    return page


def wait_slide(page, number: int, total: int | None = None) -> None:  # noqa: ANN001
    page.wait_for_selector(f"section.cp-slide[data-number='{number}']")
    expected = f"{number} / {total}" if total else f"{number} / "
    page.wait_for_function(
        "t => (document.querySelector('[data-testid=cp-number]')||{}).textContent?.startsWith(t)",
        arg=expected,
    )
    page.wait_for_timeout(150)  # let the rerun settle (stale elements fade out)


def shown_total(page) -> int:  # noqa: ANN001
    text = page.locator("[data-testid=cp-number]").inner_text()
    return int(re.match(r"\s*\d+\s*/\s*(\d+)", text).group(1))


MEASURE = """() => {
  const doc = document.scrollingElement;
  const main = document.querySelector('[data-testid=stMain]');
  const slide = document.querySelector('section.cp-slide');
  const nav = document.querySelector('.st-key-cp_nav');
  const texts = [...slide.querySelectorAll('*')].filter(
      e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
  const sizes = texts.map(e => parseFloat(getComputedStyle(e).fontSize));
  const title = parseFloat(getComputedStyle(slide.querySelector('h1')).fontSize);
  const body = texts.filter(e => e.tagName !== 'H1').map(e => parseFloat(getComputedStyle(e).fontSize));
  const hidden = sel => { const e = document.querySelector(sel);
      return !e || e.getBoundingClientRect().width === 0 || getComputedStyle(e).display === 'none'; };
  return {
    docScroll: doc.scrollHeight - doc.clientHeight,
    mainScroll: main.scrollHeight - main.clientHeight,
    slideOverflow: slide.scrollHeight - slide.clientHeight,
    navBottom: nav.getBoundingClientRect().bottom, height: window.innerHeight,
    minBody: Math.min(...body), title, texts: sizes.length,
    sidebarHidden: hidden('[data-testid=stSidebar]'), headerHidden: hidden('header[data-testid=stHeader]'),
  };
}"""


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=["1920x1080", "1280x720"])
def test_every_slide_fits_the_screen(browser, server: str, width: int, height: int) -> None:  # noqa: ANN001
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = open_page(browser, server, width, height, "?slide=1")
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
        if height == 720:
            assert m["minBody"] >= MIN_BODY_PX, (where, m)
        assert m["title"] > m["minBody"], where
        page.screenshot(path=str(ARTIFACTS / f"{width}x{height}-{number:02d}.png"))
    assert page.get_by_role("button", name="Successiva").first.is_disabled()
    assert page.outside == [], page.outside
    page.context.close()


def test_slide_in_the_url_opens_that_slide_and_keys_move(browser, server: str) -> None:  # noqa: ANN001
    page = open_page(browser, server, 1280, 720, "?slide=5")
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
    page.goto(f"{server}/presentazione?slide=999")
    wait_slide(page, total, total)
    page.wait_for_function(f"() => location.search.includes('slide={total}')")
    assert page.outside == [], page.outside
    page.context.close()


def test_the_funding_source_filter_reaches_the_deck(browser, server: str) -> None:  # noqa: ANN001
    page = open_page(browser, server, 1280, 720, "?slide=1")
    wait_slide(page, 1)
    full = shown_total(page)
    page.context.close()
    page = open_page(browser, server, 1280, 720, "?fonte=Oneri+di+funzionamento&slide=1")
    page.wait_for_selector("section.cp-slide:has-text('Fonte: Oneri di funzionamento')")
    assert shown_total(page) < full
    page.context.close()


def test_downloads_pptx_and_pdf(browser, server: str) -> None:  # noqa: ANN001
    from pptx import Presentation

    page = open_page(browser, server, 1280, 720, "?slide=1")
    wait_slide(page, 1)
    total = shown_total(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="PowerPoint").click()
    data = Path(info.value.path()).read_bytes()
    assert len(Presentation(io.BytesIO(data)).slides) == total
    if not Path("/usr/bin/soffice").exists() and not os.environ.get("CI"):
        pytest.skip("LibreOffice is missing: no PDF")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="PDF").click()
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF")
    page.context.close()
