"""Text from data makes no link: ``www.esempio.it``, ``mario@esempio.it`` and ``https://…`` in a
workbook stay text on every page (GitHub-style autolinks survive backslash escapes, so
coopplan.text puts an invisible word joiner where remark-gfm would start a link)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from support.linkless import MAIL, SITE, WEB, autolinks, linkless_plan
from support.paths import ROOT

from coopplan.text import literal_md, shown_text
from coopplan.workbook.writer import write_workbook
from ui.nav import track_url
from ui.safe import md, table, text

APP = str(ROOT / "app.py")
TEXTS = [
    SITE,
    "WWW.ESEMPIO.IT",
    f"({SITE})",
    f"_{SITE}",
    MAIL,
    f"<{MAIL}>",
    "mario.rossi+piano@posta.esempio.it",
    WEB,
    f"http://{SITE}/pagina",
    f"vedi {SITE}, scrivi a {MAIL} o apri {WEB}.",
]


@pytest.mark.parametrize("value", TEXTS)
def test_literal_md_leaves_no_autolink_and_the_same_text(value: str) -> None:
    assert autolinks(value)  # the pattern finds it in the raw text: the test can fail
    for markdown in (literal_md(value), text(value), md("**Nota:** {v}", v=value)):
        assert autolinks(markdown) == [], markdown
        assert value in shown_text(markdown)  # what a reader sees is the text as written
    cell = table(pd.DataFrame({"Note": [value]})).iloc[0, 0]
    assert autolinks(cell) == [] and shown_text(cell) == value


@pytest.fixture
def linkless_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "piano_link.xlsx"
    write_workbook(linkless_plan(), path)
    monkeypatch.setenv("COOPPLAN_WORKBOOK", str(path))


def _markdown_values(at: AppTest) -> list[str]:
    """Every Markdown-read text on the page (bodies, headings, alerts, labels)."""
    values = [e.value for e in (*at.markdown, *at.caption, *at.title, *at.header)]
    values += [e.value for e in (*at.subheader, *at.info, *at.warning, *at.error)]
    values += [e.label for e in (*at.expander, *at.tabs, *at.button)]
    return [str(v) for v in values]


def _open_pista(at: AppTest, code: str) -> None:
    url = track_url(code)
    [page] = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == url]
    at._page_hash = page
    at.run()


def test_no_page_makes_a_link_of_workbook_text(linkless_workbook: None) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    seen: list[str] = []
    for opener in (
        lambda: None,
        lambda: _open_pista(at, "P1"),
        lambda: at.switch_page("app_pages/matrice.py").run(),
        lambda: at.switch_page("app_pages/presentazione.py").run(),
    ):
        opener()
        assert not at.exception, [e.value for e in at.exception]
        values = _markdown_values(at)
        assert [v for v in values if autolinks(v)] == []
        seen += [shown_text(v) for v in values]
    shown = "\n".join(seen)
    assert SITE in shown and MAIL in shown and WEB in shown  # shown, as written, and not linked
