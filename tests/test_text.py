"""Workbook text is data, never markup: coopplan.text and the reader's warnings."""

from __future__ import annotations

import re

import pytest
from support.variants import as_bytes, shipped, with_project_field

from coopplan import load_plan
from coopplan.text import (
    WORD_JOINER,
    clean,
    literal_md,
    plotly_literal,
    removed_characters,
    shown_text,
)
from coopplan.workbook.schema import PROGETTI, SHORT_TEXT

URL = "http://127.0.0.1:8765"
PAYLOADS = [
    f"![x]({URL}/p.png)",
    f"[testo]({URL}/link)",
    "# TITOLO",
    "## sotto",
    ":red[rosso]",
    ":blue-background[blu]",
    "$x^2$",
    "$$x$$",
    f"<img src={URL}/i.png>",
    f"<a href='{URL}'>a</a>",
    "**bold** _em_ ~~via~~ `code`",
    ":material/home:",
    ":smile: :+1:",
    "- voce",
    "1. uno",
    "> citazione",
    "| a | b |",
    "&lt;b&gt; &amp;",
    "www.example.com mario@example.com",
    f"<{URL}>",
    "Titolo\n===",
    "    codice",
    "a\\*b\\",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_literal_md_leaves_no_markdown_syntax(payload: str) -> None:
    escaped = literal_md(payload)
    assert shown_text(escaped) == payload.lstrip(" ")  # what a reader sees: the text itself
    assert not re.search(r"(?<!\\)[\[\]<>*_`~$|&@]", escaped)  # all escaped
    assert not re.search(r"^(#|[-+>]\s|\d+[.)]\s|=+$| {4})", escaped, re.MULTILINE)
    assert not re.search(r":[\w+-][\w+-]*:", escaped)  # no shortcode survives
    assert ":material/" not in escaped  # Streamlit rewrites this before parsing
    assert not re.search(r"(?<!\\):[^\s\u2060]", escaped)  # no 'http:' nor ':red'


def test_ordinary_text_keeps_its_look() -> None:
    for text in ("Risorse Coop Re-Start 25.000 € (2023)", "+2.500 €", "Budget: 5.000 €"):
        assert literal_md(text) == text


def test_clean_removes_bidi_and_control_characters_only() -> None:
    controls = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")
    text = f"a\u202eb\u2066c\u2069d{controls}e\tf\r\ng\x7fh\x85i"
    assert clean(text) == "abcde f\nghi"
    assert removed_characters("a\u202eb\x00") == ["U+202E", "U+0000"]
    assert clean("Attività «Sì» – 5.000 €\nriga 2") == "Attività «Sì» – 5.000 €\nriga 2"


def test_round_trip_is_the_text_minus_control_characters() -> None:
    text = f"\u202e![x]({URL}/p.png)\x00 :red[rosso]\x1f $x^2$"
    assert shown_text(literal_md(text)) == clean(text) == f"![x]({URL}/p.png) :red[rosso] $x^2$"
    assert WORD_JOINER in literal_md(":smile:")


def test_plotly_labels_are_text() -> None:
    label = plotly_literal(f"<b>x</b> <a href='{URL}'>y</a> &amp; \u202e")
    assert "<" not in label and ">" not in label
    assert (
        label == "&lt;b&gt;x&lt;/b&gt; &lt;a href='http://127.0.0.1:8765'&gt;y&lt;/a&gt; &amp;amp; "
    )


def test_reader_removes_invisible_characters_and_names_the_cell() -> None:
    project = str(shipped().projects["id"].iloc[0])
    plan = with_project_field(shipped(), project, "title", "Progetto \u202eovitta")
    result = load_plan(as_bytes(plan), name="piano.xlsx")
    assert result.ok and result.plan is not None
    assert result.plan.project(project).title == "Progetto ovitta"
    warned = [w for w in result.warnings if "U+202E" in w.message]
    assert [w.cell for w in warned] == ["Progetti!D2"]


def test_reader_warns_on_a_text_too_long_for_the_screen() -> None:
    project = str(shipped().projects["id"].iloc[2])
    long_title = "Titolo lunghissimo " * 10  # 190 characters
    plan = with_project_field(shipped(), project, "title", long_title)
    result = load_plan(as_bytes(plan), name="piano.xlsx")
    assert result.ok
    (warned,) = [w for w in result.warnings if "caratteri" in w.message]
    assert warned.cell == "Progetti!D4"
    assert f"oltre {SHORT_TEXT} " in warned.message and "lungo 189 caratteri" in warned.message
    assert PROGETTI.column("title").max_chars == SHORT_TEXT


def test_the_shipped_plan_has_no_text_warning() -> None:
    result = load_plan(as_bytes(shipped()), name="piano.xlsx")
    assert not [w for w in result.warnings if "caratteri" in w.message]
