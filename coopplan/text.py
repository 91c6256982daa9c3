"""Texts from a workbook, the store or a form, made safe to show: never markup, never hidden.

Two steps, at two boundaries:

- ``clean`` when a text enters (the reader): removes the characters a reader cannot see but
  that change what is shown (bidirectional overrides, control characters).
- ``literal_md`` / ``plotly_literal`` when a text is drawn: escapes it so that Streamlit's
  Markdown or plotly's label HTML draws it exactly as written, with no link, image, heading,
  colour, formula, icon or HTML made from it.
"""

from __future__ import annotations

import html
import re

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Embeddings, overrides and isolates: they reorder what follows them on screen."""

ZERO_WIDTH = "\u200b\ufeff\u00ad"
"""Zero-width space, zero-width no-break space (BOM) and soft hyphen: invisible on screen, yet
they make two names that look the same compare different. (U+200D, the zero-width joiner, is
kept: it builds emoji.)"""

_INVISIBLE = re.compile(
    "[" + BIDI_CONTROLS + ZERO_WIDTH + "\x00-\x08\x0b-\x1f\x7f-\x9f]"
)  # C0 controls except \t and \n, DEL, C1 controls
_LINE_ENDS = re.compile(r"\r\n?")

WORD_JOINER = "\u2060"
"""Zero-width, invisible: put after each ':' so no ':name:' shortcode (emoji, icon) matches."""

# Markdown as Streamlit reads it (CommonMark, GFM, math, directives, shortcodes): characters that
# start some syntax anywhere in a line are always escaped; those that only do at the start of a
# line, or in a few patterns, only there (so «Coop Re-Start 25.000 € (2023)» keeps its look in
# the page source and in tests). CommonMark lets any ASCII punctuation be backslash-escaped.
_ANYWHERE = re.compile(r"([\\`*_{}\[\]<>|~$&@])")  # emphasis, code, links, HTML, math…
_LINE_START = re.compile(  # a heading, a list item, a setext underline: only at a line's start
    r"^(#{1,6}(?=[ \t]|$)|[+\-](?=[ \t]|$)|[=\-]+(?=[ \t]*$)|\d{1,9}(?=[.)](?:[ \t]|$)))",
    re.MULTILINE,
)
_SHORTCODE_COLON = re.compile(r":(?=[^\s])")  # ':name:', ':red[…]', 'http://'
# GitHub-style autolinks ('www.x.it', 'mario@x.it') are found in the text *after* escapes are
# read (remark-gfm), so an escape cannot stop them: a word joiner between 'www' and '.', and after
# '@', does (as after ':' for 'http://').
_WWW_DOT = re.compile(r"(?i)(www)(?=\.)")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_LEADING_SPACE = re.compile(r"^[ \t]+", re.MULTILINE)  # would make an indented code block


def clean(text: str) -> str:
    """``text`` without bidirectional controls (U+202A–U+202E, U+2066–U+2069), zero-width
    characters (``ZERO_WIDTH``) and control characters (U+0000–U+001F but line breaks,
    U+007F–U+009F); a tab becomes a space and a
    Windows or old-Mac line end a plain ``\\n``. Nothing else changes."""
    text = _LINE_ENDS.sub("\n", text).replace("\t", " ")
    return _INVISIBLE.sub("", text)


def removed_characters(text: str) -> list[str]:
    """The characters ``clean`` would remove from ``text``, named as 'U+202E' (in order, once)."""
    found = dict.fromkeys(f"U+{ord(c):04X}" for c in _INVISIBLE.findall(text.replace("\r", "")))
    return list(found)


def literal_md(text: object) -> str:
    """Markdown that Streamlit draws as ``text`` itself, cleaned (see ``clean``).

    The punctuation Markdown reads is backslash-escaped, so no emphasis, link, image, heading,
    list, table, HTML, entity, autolink, ``:color[…]`` directive or ``$…$`` formula can start; a
    ':' before a non-space is also followed by an invisible word joiner, because Streamlit turns
    ``:smile:`` and ``:material/home:`` into an emoji or an icon after the Markdown is parsed,
    where escapes no longer count; for the same reason a word joiner goes between ``www`` and
    ``.`` and after ``@``, so no ``www.esempio.it`` or ``mario@esempio.it`` becomes a link (the
    text looks the same; a copy of it carries the invisible joiner). Leading spaces of a line (which would make
    a code block, and which the page does not show anyway) are dropped. Line breaks stay:
    one is a space, a blank line starts a new paragraph, as in any Markdown.
    """
    escaped = _ANYWHERE.sub(r"\\\1", _LEADING_SPACE.sub("", clean(str(text))))
    escaped = _LINE_START.sub(_escape_line_start, escaped)
    escaped = _WWW_DOT.sub(r"\1" + WORD_JOINER, escaped).replace("\\@", "\\@" + WORD_JOINER)
    return _SHORTCODE_COLON.sub("\\:" + WORD_JOINER, escaped)


def _escape_line_start(match: re.Match) -> str:
    marker = match[1]
    return marker + "\\" if marker[0].isdigit() else "\\" + marker  # '1\. uno', '\- voce'


def shown_text(markdown: str) -> str:
    """What a reader sees of ``literal_md(text)``: the inverse of the escaping (for tests and
    for checking round trips)."""
    return _ESCAPED.sub(r"\1", markdown).replace(WORD_JOINER, "")


def plotly_literal(text: object) -> str:
    """``text`` for a plotly label or hover text, drawn as written: plotly reads a few HTML tags
    (``<b>``, ``<a href>``, ``<br>``…) and entities in them, so ``&``, ``<`` and ``>`` become
    entities."""
    return html.escape(clean(str(text)), quote=False)
