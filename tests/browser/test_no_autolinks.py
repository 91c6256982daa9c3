"""Workbook text such as www.esempio.it or mario@esempio.it is shown as text, never as a link,
in a real browser (issue 19 §4): no <a> element is made of it on any page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.browser import own_dashboard
from support.browser_update import settled
from support.linkless import MAIL, SITE, WEB, linkless_plan
from support.variants import as_bytes

from coopplan.store.folder import Store

pytestmark = pytest.mark.browser

LINKS = """(wanted) => {
  const text = document.body.innerText.replaceAll('\\u2060', '');
  return {
    links: [...document.querySelectorAll('a')]
      .map(a => a.getAttribute('href') || '')
      .filter(h => !h.startsWith('#'))  // a heading's own anchor is no link to elsewhere
      .filter(h => h.includes('esempio') || h.startsWith('mailto:')),
    site: text.includes(wanted[0]), mail: text.includes(wanted[1]), web: text.includes(wanted[2]),
  };
}"""


def _publish(store: Store) -> None:
    store.publish(as_bytes(linkless_plan()), "Maria Rossi", f"Note: {SITE} e {MAIL}")


@pytest.fixture(scope="module")
def linkless_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with own_dashboard(tmp_path_factory, "linkless_store", fill=_publish) as (url, _):
        yield url


def test_addresses_in_the_workbook_are_text_not_links(linkless_url: str, visitor) -> None:
    page = visitor(1280, 720).page
    shown = {"site": False, "mail": False, "web": False}
    for path in ("", "pista-p1", "matrice", "cronologia", "aggiorna"):
        page.goto(f"{linkless_url}/{path}")
        page.locator('[data-testid="stMain"] h1').first.wait_for()
        settled(page)
        found = page.evaluate(LINKS, [SITE, MAIL, WEB])
        assert found["links"] == [], (path, found)
        shown = {key: shown[key] or found[key] for key in shown}
    assert shown == {"site": True, "mail": True, "web": True}  # the texts are on the pages
