"""The one way a page puts text from a workbook, the store or a form on screen: as written.

Streamlit reads as Markdown the body of st.markdown, st.caption, st.title and the headers,
st.info/warning/error/success, the labels of expanders, tabs and buttons, help tooltips and the
cells of st.table. A text that comes from data goes through ``text()`` (alone) or ``md()``
(inside a Markdown template the code wrote), which escape it with ``coopplan.text.literal_md``:
a title ``![x](http://…)`` shows as those characters, and nothing is fetched.

tests/test_safe_rendering.py reads every page and ui module and fails when one of those calls
gets anything else than a plain string literal or the result of ``text()``/``md()``/``table()``.
"""

from __future__ import annotations

import pandas as pd

from coopplan.text import literal_md


class Md(str):
    """Markdown written by the app, with every piece of data in it escaped."""


def text(value: object) -> Md:
    """``value`` (a title, a note, a message quoting a cell) drawn exactly as written."""
    return Md(literal_md(value))


def md(template: str, /, **data: object) -> Md:
    """``template`` (Markdown the code wrote, with ``{name}`` fields) filled with ``data``, each
    value escaped: ``md("**{title}** · {when}", title=row.title, when=date)``. Numbers and dates
    formatted by coopplan.fmt go in the same way (escaping them changes nothing visible). A value
    that is already ``Md`` (the result of text/md/join, or a colour the code chose wrapped in
    ``Md``) goes in as it is."""
    return Md(template.format(**{key: _escaped(value) for key, value in data.items()}))


def _escaped(value: object) -> str:
    return value if isinstance(value, Md) else literal_md(value)


def join(parts: list[Md] | tuple[Md, ...], separator: str = " · ") -> Md:
    """Pieces already made safe (a plain str among them is escaped), joined by a separator the
    code wrote."""
    return Md(separator.join(_escaped(part) for part in parts))


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for st.table, which reads its cells, index and headers as Markdown: every text
    in them escaped so it shows as written (numbers stay numbers).

    Row numbers mean nothing to a reader: an unnamed index of whole numbers (a RangeIndex, or
    what is left of one after filtering rows) becomes a RangeIndex again, which st.table hides.
    Mapping it kept the numbers and showed a stray column «0» (issue 24 §2)."""

    def escaped(value: object) -> object:
        return literal_md(value) if isinstance(value, str) else value

    shown = frame.map(escaped)
    if _row_numbers(shown.index):
        shown = shown.reset_index(drop=True)
    else:
        shown.index = shown.index.map(escaped)
    shown.columns = shown.columns.map(escaped)
    return shown


def _row_numbers(index: pd.Index) -> bool:
    """An index of positions, not of labels: unnamed and of whole numbers."""
    return index.nlevels == 1 and index.name is None and pd.api.types.is_integer_dtype(index)
