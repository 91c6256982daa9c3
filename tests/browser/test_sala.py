"""«Sala» on phones, in headless Chromium: the QR code of the first slide and of «Segui dal
telefono» read by zbarimg and followed to a page with the same filter; phones following the
president's slide changes (one process, and two processes behind nginx via scripts/serve.sh);
a visitor who cannot move the hall; the audit and the screenshots at 360x740 and 390x844.
"""

from __future__ import annotations

import base64
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from support.browser import start_streamlit, stop, wait_quiet
from support.browser_axe import audit, report
from support.paths import ROOT
from support.qr import decode_qr

from coopplan.hall import state as hallstate

pytestmark = pytest.mark.browser

P3 = "Curare le risorse umane"
FOLLOW_LIMIT = 1.0  # seconds from the president's slide being set to a phone showing it
SCREENSHOTS = ROOT / "docs" / "screenshots"
# Each phone notes when it shows a slide (the time of the change, by this machine's clock).
WATCH_JS = """() => { window.__shown = {}; const note = () => {
  const on = document.querySelector('.slide.on'); if (on) window.__shown[on.dataset.n] = Date.now();
}; new MutationObserver(note).observe(document.getElementById('slides'),
  {subtree: true, attributes: true, attributeFilter: ['class']}); note(); }"""


@pytest.fixture(scope="module")
def hall_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The dashboard as ``streamlit run app.py`` on 127.0.0.1, its own store; the QR codes'
    address is 127.0.0.1 (COOPPLAN_LAN_ADDRESS), so the code leads to this very server."""
    store = tmp_path_factory.mktemp("sala_store")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOPPLAN_") and k != "PORT"}
    env["COOPPLAN_STORE"] = str(store)
    env["COOPPLAN_LAN_ADDRESS"] = "127.0.0.1"
    log = tmp_path_factory.mktemp("log") / "st.log"
    url, process = start_streamlit(ROOT / "app.py", env, log)
    yield url, store
    stop(process)


def qr_of(page, tmp_path: Path) -> str:
    image = page.locator('[data-testid="cp-qr"] img').first
    image.wait_for()
    src = image.get_attribute("src") or ""
    return decode_qr(base64.b64decode(src.split(",", 1)[1]), tmp_path)


def current_slide(page) -> str:
    return page.locator(".slide.on").get_attribute("data-n") or ""


def open_sala(visitor, url: str, width: int = 390, height: int = 844):
    phone = visitor(width, height)
    response = phone.page.goto(url)
    assert response is not None and response.status == 200
    phone.page.locator(".slide.on").wait_for()
    phone.page.evaluate(WATCH_JS)
    return phone, response


def test_the_qr_code_opens_sala_with_the_same_filter(hall_server, visitor, tmp_path) -> None:
    url, _ = hall_server
    desk = visitor(1280, 720)
    desk.page.goto(f"{url}/presentazione?pista=P3")  # an old link: the pista by code
    coded = qr_of(desk.page, tmp_path)
    parts = urlsplit(coded)
    assert f"{parts.scheme}://{parts.netloc}" == url  # the very address of this server
    assert parts.path == "/sala"
    assert parse_qs(parts.query) == {"pista": [P3]}  # one spelling: the pista's title
    desk.page.goto(f"{url}/telefono?pista=P3")
    assert qr_of(desk.page, tmp_path) == coded  # «Segui dal telefono» gives the same address

    phone, response = open_sala(visitor, coded)
    assert response.headers.get("content-encoding") == "gzip"
    assert phone.page.locator("html").get_attribute("lang") == "it"
    assert P3 in phone.page.locator(".slide.on").inner_text()  # the filter, on the slide
    assert "Nessuna presentazione in corso" in phone.page.locator("#stato").inner_text()
    assert current_slide(phone.page) == "1"
    full = phone.page.get_by_role("link", name="Apri la dashboard completa")
    assert parse_qs(urlsplit(full.get_attribute("href") or "").query) == {"pista": [P3]}
    assert not phone.outside  # nothing from outside the machine


def press_next(desk) -> float:
    """Click «Successiva» in the presenter's band; the time of the click."""
    button = desk.page.locator(".st-key-cp_nav").get_by_role("button", name="Successiva")
    clicked = time.time()
    button.click()
    return clicked


def wait_shown(phone, number: int, timeout: float = 10.0) -> float:
    """When (epoch s) the phone showed slide ``number``."""
    phone.page.wait_for_function(
        "n => window.__shown && window.__shown[n]", arg=str(number), timeout=timeout * 1000
    )
    return phone.page.evaluate("n => window.__shown[n]", str(number)) / 1000


def follow_the_president(desk, phones, hall: hallstate.HallState, steps: int = 3) -> list[float]:
    """The president moves ``steps`` times; every phone must show each slide. Returns the
    delays between the record's change and each phone showing the slide."""
    delays = []
    for number in range(2, 2 + steps):
        press_next(desk)
        desk.page.locator('[data-testid="cp-number"]').filter(has_text=f"{number} /").wait_for()
        deadline = time.time() + 10
        while hall.read().slide != number and time.time() < deadline:
            time.sleep(0.02)
        moved = hall.read()
        assert moved.slide == number
        for phone in phones:
            delays.append(wait_shown(phone, number) - moved.since)
            assert current_slide(phone.page) == str(number)
    return delays


def test_two_phones_follow_the_president(hall_server, visitor) -> None:
    url, store = hall_server
    hall = hallstate.open_hall(str(store))
    phones = [open_sala(visitor, f"{url}/sala")[0] for _ in range(2)]
    desk = visitor(1280, 720)
    desk.page.goto(f"{url}/presentazione?conduce={hall.key()}")
    desk.page.get_by_text("La sala segue questa presentazione").wait_for()
    delays = follow_the_president(desk, phones, hall)
    print(f"follow delays (s): {[round(d, 3) for d in delays]}")
    assert max(delays) <= FOLLOW_LIMIT, delays
    assert "Segui il presidente" in phones[0].page.locator("#stato").inner_text()
    asked = [urlsplit(u).path for u in phones[0].requests]
    assert "/sala/eventi" in asked and "/sala/stato" not in asked  # one stream, no polling

    # A member steps back alone, the president moves on, one tap rejoins him.
    member = phones[0].page
    member.get_by_role("button", name="‹ Indietro").click()
    assert current_slide(member) == "3"
    press_next(desk)
    wait_shown(phones[1], 5)
    assert current_slide(member) == "3"  # the member stays where they went
    said = member.locator("#stato").inner_text().replace("\xa0", " ")  # slide&nbsp;5
    assert "il presidente è alla slide 5" in said
    member.get_by_role("button", name="Torna al presidente").click()
    assert current_slide(member) == "5"


def test_a_visitor_cannot_move_the_hall(hall_server, visitor) -> None:
    url, store = hall_server
    hall = hallstate.open_hall(str(store))
    before = hall.read()
    for method, path in [
        ("GET", "/sala/stato?slide=9"),
        ("POST", "/sala/stato"),
        ("POST", "/sala"),
        ("GET", "/sala?slide=9&conduce=indovinata"),
        ("PUT", "/sala/stato"),
    ]:
        request = urllib.request.Request(
            url + path, data=b'{"slide": 9}' if method != "GET" else None, method=method
        )
        try:
            urllib.request.urlopen(request, timeout=10).read()
        except urllib.error.HTTPError as refused:
            assert refused.code in (404, 405)
    # In the browser: the presentation without the key, and with a wrong one.
    stranger = visitor(1280, 720)
    stranger.page.goto(f"{url}/presentazione?conduce=indovinata")
    stranger.page.locator('[data-testid="cp-number"]').wait_for()
    press_next(stranger)
    stranger.page.locator('[data-testid="cp-number"]').filter(has_text="2 /").wait_for()
    time.sleep(0.5)
    assert hall.read() == before
    assert stranger.page.get_by_text("La sala segue questa presentazione").count() == 0


@pytest.mark.parametrize(("width", "height"), [(360, 740), (390, 844)])
def test_sala_on_a_phone_passes_the_audit(hall_server, visitor, width, height) -> None:
    url, _ = hall_server
    phone, _ = open_sala(visitor, f"{url}/sala", width, height)
    page = phone.page
    wait_quiet(page)
    no_scroll = page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    assert no_scroll, "«Sala» scorre di lato"
    nav = page.locator("nav.nav")
    assert nav.is_visible() and nav.bounding_box()["height"] < height / 4
    problems = report(f"Sala {width}x{height}", audit(page))
    assert not problems, "axe-core (WCAG 2 A/AA):\n" + problems
    page.get_by_role("button", name="Avanti ›").click()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"sala-{width}x{height}.png"))


def test_phones_on_two_processes_follow(tmp_path_factory, visitor) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_load import start_serve, stop_serve

    store = tmp_path_factory.mktemp("sala_two")
    log = tmp_path_factory.mktemp("log") / "serve.log"
    # nginx says which process answered (header X-Coopplan-Upstream) only when asked (tests).
    process, url = start_serve(2, store, log, {"COOPPLAN_SHOW_UPSTREAM": "1"})
    try:
        hall = hallstate.open_hall(str(store))
        phones, upstreams = [], set()
        for _ in range(12):  # new phones until one is served by each process
            phone, response = open_sala(visitor, f"{url}/sala")
            upstream = response.headers.get("x-coopplan-upstream", "")
            if upstream not in upstreams:
                upstreams.add(upstream)
                phones.append(phone)
            if len(phones) == 2:
                break
        assert len(upstreams) == 2, upstreams
        desk = visitor(1280, 720)
        desk.page.goto(f"{url}/presentazione?conduce={hall.key()}")
        desk.page.get_by_text("La sala segue questa presentazione").wait_for()
        delays = follow_the_president(desk, phones, hall, steps=2)
        assert max(delays) <= FOLLOW_LIMIT, delays
    finally:
        stop_serve(process)


UNCOVERED_JS = """(e) => { const r = e.getBoundingClientRect();
  const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return !!at && (e === at || e.contains(at)); }"""


SHOW_SLIDE_JS = """(n) => document.querySelectorAll('.slide').forEach(
  (s) => s.classList.toggle('on', s.dataset.n == String(n)))"""

# Points of the phone's navigation bar, every 8 px, where a tap reaches something else.
NAV_COVERED_JS = """() => { const nav = document.querySelector('nav.nav');
  const r = nav.getBoundingClientRect(); const out = [];
  for (let y = r.top + 2; y < r.bottom - 1; y += 8) for (let x = r.left + 2; x < r.right - 1; x += 8) {
    const at = document.elementFromPoint(x, y);
    if (at && !nav.contains(at)) out.push([Math.round(x), Math.round(y), at.className]); }
  return out; }"""


@pytest.mark.parametrize(("width", "height"), [(360, 740), (390, 844)])
def test_no_slide_covers_the_buttons_of_a_phone(hall_server, visitor, width, height) -> None:
    """On every slide, before any scrolling, a tap on «Indietro», «Avanti» or «Torna al
    presidente» reaches the button: the bars of the «Risorse interne» slide were drawn over them
    (one class name for the page's header and the chart's bars)."""
    url, _ = hall_server
    phone, _ = open_sala(visitor, f"{url}/sala", width, height)
    page = phone.page
    total = page.locator(".slide").count()
    covered = []
    for number in range(1, total + 1):
        # each slide shown as the page shows it (only its layout matters here: stepping with
        # «Avanti» would race the president's slide when a presentation runs on this server)
        page.evaluate(SHOW_SLIDE_JS, number)
        page.evaluate("() => window.scrollTo(0, 0)")
        covered += [(number, point) for point in page.evaluate(NAV_COVERED_JS)]
    assert total >= 20 and covered == []


def in_view_and_uncovered(page, element) -> bool:
    """``element`` lies whole in the first screen (no scrolling) and is what a tap on its
    centre reaches (nothing drawn over it)."""
    box = element.bounding_box()
    view = page.viewport_size
    inside = box is not None and box["y"] >= 0 and box["y"] + box["height"] <= view["height"]
    inside = inside and box["x"] >= 0 and box["x"] + box["width"] <= view["width"]
    return inside and bool(element.evaluate(UNCOVERED_JS))


@pytest.mark.parametrize(("width", "height"), [(360, 740), (390, 844)])
def test_on_a_phone_the_pages_are_one_tap_away(
    hall_server, visitor, artifacts, width, height
) -> None:
    url, _ = hall_server
    phone = visitor(width, height)
    phone.page.goto(url)
    menu = phone.page.get_by_role("button", name="Pagine", exact=True)
    menu.wait_for()
    wait_quiet(phone.page)
    assert in_view_and_uncovered(phone.page, menu)  # labelled, on the first screen, free
    menu.click(no_wait_after=True)
    body = phone.page.get_by_test_id("stPopoverBody")
    body.get_by_role("link", name="Matrice di stato").click()  # one tap: the page opens
    heading = phone.page.get_by_role("heading", name="Matrice di stato")
    heading.wait_for()
    assert phone.page.url.endswith("/matrice")
    wait_quiet(phone.page)
    assert not body.is_visible()  # the menu closed itself
    assert not phone.page.get_by_test_id("stSidebar").is_visible()
    assert in_view_and_uncovered(phone.page, heading)  # nothing covers the page chosen
    assert in_view_and_uncovered(phone.page, menu)  # and the menu is there for the next one
    phone.page.screenshot(path=str(artifacts / f"pagine-telefono-{width}x{height}.png"))


def test_on_a_wide_screen_the_sidebar_has_the_pages(hall_server, visitor) -> None:
    url, _ = hall_server
    wide = visitor(1280, 720)
    wide.page.goto(url)
    wide.page.get_by_role("heading").first.wait_for()
    wait_quiet(wide.page)
    assert not wide.page.get_by_role("button", name="Pagine", exact=True).is_visible()
    sidebar = wide.page.get_by_test_id("stSidebar")  # the sidebar has them
    assert sidebar.get_by_role("link", name="Matrice di stato").is_visible()
