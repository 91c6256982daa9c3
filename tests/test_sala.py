"""«Sala» in the core: the deck page for phones (coopplan.hall.sala) and the shared slide
(coopplan.hall.state): escaped text, one spelling of the filter, a page per version."""

from __future__ import annotations

import gzip
import html
import re
from pathlib import Path

import openpyxl
import pytest
from support.paths import SHIPPED
from support.workbooks import edited_workbook

from coopplan import load_plan
from coopplan.hall import sala
from coopplan.hall import state as hallstate
from coopplan.slides import build_deck
from coopplan.store.location import open_store

P3 = "Curare le risorse umane"


def test_the_page_is_the_presentation_deck_filtered_and_light() -> None:
    built = sala.page({"pista": ["P3"]})
    text = built.body.decode()
    assert built.query == "pista=Curare+le+risorse+umane"  # pista spelled by title
    assert sala.page({"pista": [P3]}) is built  # the same page, built once
    assert '<html lang="it">' in text
    assert "Pista: Curare le risorse umane" in text
    plan = load_plan(SHIPPED.read_bytes(), name="piano.xlsx").plan
    assert plan is not None
    label = "Pista: Curare le risorse umane"
    deck = build_deck(plan.filter(tracks=["P3"]), label, tuple(plan.source_names))
    titles = re.findall(r'<section class="slide"[^>]*><h2>([^<]*)</h2>', text)
    assert titles == [html.escape(s.title) for s in deck]  # the deck of «Presentazione»
    assert gzip.decompress(built.gzipped) == built.body
    assert len(built.gzipped) < 200_000
    assert not re.search(r"(src|href)=\"https?://", text)  # nothing from outside


def test_every_card_of_the_matrix_names_its_pista() -> None:
    """The projector names a pista once per group of rows; on a phone each row is a card of its
    own, so each card says its pista."""
    text = html.unescape(sala.page({}).body.decode())
    plan = load_plan(SHIPPED.read_bytes(), name="piano.xlsx").plan
    assert plan is not None
    cards = re.findall(r'<li><p class="row">([^<]*)</p><dl>(.*?)</dl></li>', text)
    matrix = {title: pairs for title, pairs in cards if "<dt>Stato</dt>" in pairs}
    assert len(matrix) == len(plan.projects)
    for row in plan.projects.itertuples():
        assert f"<dt>Pista</dt><dd>{plan.track_title(row.track)}</dd>" in matrix[row.title]


def test_text_from_the_plan_is_escaped() -> None:
    from coopplan.slides import Block, Column, Slide

    slide = Slide(
        kind="track",
        title="<script>alert(1)</script>",
        blocks=(Block(heading="A & B", columns=(Column("", ("<b>x</b>",)),)),),
    )
    text = sala.render([slide], query="", version="v")
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;b&gt;x&lt;/b&gt;" in text


def rename_plan(book: openpyxl.Workbook) -> None:
    book["Piano"]["B2"].value = "Il piano rinnovato"


def test_a_publish_is_seen_by_the_next_request() -> None:
    before = sala.page({})
    store = open_store()
    store.ensure_seeded()
    store.publish(edited_workbook(rename_plan), editor="Segreteria")
    after = sala.page({})
    assert after.etag != before.etag
    assert "Il piano rinnovato" in after.body.decode()
    assert "Il piano rinnovato" not in before.body.decode()


@pytest.fixture(params=["folder", "postgresql"])
def hall_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the shared slide lives: the folder store's directory, or a PostgreSQL store."""
    if request.param == "folder":
        return str(tmp_path)
    from support.pg import fresh_schema

    return fresh_schema(request.getfixturevalue("pg_server"))


def test_the_shared_slide_needs_the_key(hall_location: str) -> None:
    hall = hallstate.open_hall(hall_location)
    assert hall.read() == hallstate.NOT_RUNNING
    current = hallstate.Current(slide=5, title="Pista", query="pista=P", since=1.0)
    assert not hallstate.move(hall, "sbagliata", current)
    assert not hallstate.move(hall, "", current)
    assert hall.read() == hallstate.NOT_RUNNING
    assert hallstate.move(hall, hall.key(), current)
    other = hallstate.open_hall(hall_location)  # another process sees it, and the same key
    assert other.read() == current
    assert other.key() == hall.key()
    if not hall_location.startswith("postgresql"):
        assert (Path(hall_location) / hallstate.KEY_FILE).stat().st_mode & 0o777 == 0o600
