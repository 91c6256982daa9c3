"""Workbook text is data, never markup, in a real browser (issue 9, part 1).

Every text field of a valid workbook carries Markdown and HTML payloads pointing at a local HTTP
server the test starts (tests/variants.py: hostile). The signed-in secretary previews the upload
and publishes it with a hostile name and note; then every page is opened: overview,
each pista (its project cards open), fonti, matrice, the slides, and the read-only banner of the
version. The server must see no request, no image, link, heading, formula or icon may come from
the data, and the payloads must show as plain text. Screenshots: artifacts/injection/.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.browser import own_dashboard, wait_quiet
from support.browser_update import settled, shot, sign_in_as
from support.paths import ROOT
from support.variants import MARKER, as_bytes, hostile, hostile_text, shipped

from coopplan.editors.accounts import add_editor, system_actor
from coopplan.editors.backends import audit_for, editors_for
from coopplan.store.folder import Store

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "artifacts" / "injection"
SECRET = "segreteria-prova-iniezione"
PASSWORD = "iniezione-prova-2026"
TIMEOUT_MS = 45_000
EDITOR = "# {url} ![x]({url}/e.png) :red[Maria] $x$"  # the store takes names up to 100 chars


class _Counter(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def trap() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request; its URL is in every payload."""
    _Counter.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Counter.seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    with own_dashboard(tmp_path_factory, "injection_store", secret=SECRET) as served:
        yield served


FROM_DATA = """(port) => {
  const mine = (v) => (v || '').includes(':' + port);
  const text = (e) => (e.innerText || '').replaceAll('\\u2060', '');
  return {
    img: [...document.querySelectorAll('img, image, source, video, audio, iframe')]
      .filter(e => mine(e.getAttribute('src')) || mine(e.getAttribute('href'))).length,
    a: [...document.querySelectorAll('a')].filter(e => mine(e.getAttribute('href'))).length,
    headings: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
      .filter(e => text(e).includes('%(marker)s') && !text(e).includes('# %(marker)s')).length,
    math: document.querySelectorAll('.katex, math').length,
    bold: [...document.querySelectorAll('strong, b, em')]
      .filter(e => text(e).trim() === 'bold')  // '**bold**' in the data made bold
      .map(e => e.parentElement.outerHTML.slice(0, 300)),
    coloured: [...document.querySelectorAll('[data-testid="stMarkdownColoredText"], span[class*="color"]')]
      .filter(e => text(e).includes('rosso')).length,
    icons: [...document.querySelectorAll('[data-testid="stIconMaterial"]')]
      .filter(e => text(e) === 'home').length,
    literal: [...document.querySelectorAll('[data-testid="stMarkdownContainer"], td, th')]
      .filter(e => text(e).includes('![x](') && text(e).includes(':material/home:')
                   && text(e).includes(':red[rosso]') && text(e).includes('$x^2$')).length,
  };
}""".replace("%(marker)s", MARKER)


def _check(page, port: int, shots: Path, name: str) -> dict:
    settled(page)
    page.wait_for_function(f"(port) => ({FROM_DATA})(port).literal >= 1", arg=port)
    wait_quiet(page)  # lazily loaded Markdown plugins (katex, emoji, raw HTML) have run
    found = page.evaluate(FROM_DATA, port)
    shot(page, shots / f"{name}.png")
    assert found["img"] == found["a"] == 0, (name, found)
    assert found["headings"] == found["math"] == 0 and found["bold"] == [], (name, found)
    assert found["coloured"] == found["icons"] == 0, (name, found)
    assert found["literal"] >= 1, (name, found)  # the payload shows as its own characters
    page.get_by_text("![x](").first.wait_for(state="attached")
    return found


def test_hostile_workbook_text_is_shown_as_text_everywhere(chromium, server, trap, tmp_path):
    url, store = server
    trap_url, seen = trap
    port = int(trap_url.rsplit(":", 1)[1])
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    plan = hostile(shipped(), trap_url)
    upload = tmp_path / f"{hostile_text('file', trap_url, bidi=False)[:40]}.xlsx".replace("/", "_")
    upload.write_bytes(as_bytes(plan))

    context = chromium.new_context(viewport={"width": 1280, "height": 720}, locale="it-IT")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    checked = []
    try:
        # The preview, signed in.
        page.goto(f"{url}/aggiorna")
        # A named editor whose name is hostile text (the history and banner show it).
        hostile_editor = EDITOR.format(url=trap_url)  # <= 100 chars
        add_editor(editors_for(store), audit_for(store), hostile_editor, PASSWORD, system_actor())
        sign_in_as(page, hostile_editor, PASSWORD)
        page.locator('input[type="file"]').set_input_files(str(upload))
        page.get_by_text("Che cosa cambia").wait_for()
        checked.append(_check(page, port, ARTIFACTS, "01_anteprima"))

        page.get_by_label("Nota (facoltativa)").fill(hostile_text("nota", trap_url))
        page.get_by_role("button", name="Pubblica").click()
        page.get_by_text("Pubblicata la versione 2").wait_for()
        checked.append(_check(page, port, ARTIFACTS, "02_pubblicato"))
        assert store.current().number == 2

        pages = ["", "fonti", "matrice"] + [f"pista-{code.lower()}" for code in plan.track_codes]
        for path in pages:
            page.goto(f"{url}/{path}")
            page.locator('[data-testid="stMain"] h1').first.wait_for()
            checked.append(_check(page, port, ARTIFACTS, f"03_{path or 'panoramica'}"))
            if path.startswith("pista-"):
                assert page.get_by_text(f"{MARKER} title ").count() >= 1  # project cards open

        for number in (1, 2, 3):
            page.goto(f"{url}/presentazione?slide={number}")
            page.locator('[data-testid="cp-number"]').wait_for()
            settled(page)
            wait_quiet(page)
            shot(page, ARTIFACTS / f"04_slide_{number}.png")
            found = page.evaluate(FROM_DATA, port)
            assert found["img"] == found["a"] == found["headings"] == found["math"] == 0, found

        # The read-only banner names the version's editor: view version 2 from the history.
        page.goto(f"{url}/aggiorna")
        page.get_by_role("button", name="Visualizza nella dashboard").click()
        settled(page)
        page.get_by_role("link", name="Panoramica").click()  # same session: the view stays
        page.get_by_text("Sola lettura", exact=True).first.wait_for()
        banner = page.locator('[data-testid="stAlertContentWarning"]').first.inner_text()
        assert EDITOR.format(url=trap_url) in banner.replace("\u2060", ""), banner
        checked.append(_check(page, port, ARTIFACTS, "05_banner_versione"))
    finally:
        context.close()
    assert seen == [], seen
    print(f"requests seen by the trap server: {len(seen)}; pages checked: {len(checked)}")
