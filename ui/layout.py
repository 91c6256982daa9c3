"""The status matrix on screen: its colours, ticks and euros, and the width of each column in
pixels (no streamlit here: ui/components.py draws it)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from coopplan import fmt, kinds, spending
from coopplan.palette import status_color, text_color_on
from coopplan.plan import Plan
from coopplan.tables import HEADERS, flag_columns, matrix_table, money_columns, spending_columns


def status_style(status: object) -> str:
    """CSS for a stato cell: its traffic-light colour with readable text."""
    color = status_color(str(status))
    return f"background-color: {color}; color: {text_color_on(color)}; font-weight: 600"


TICK = "✓"


def money_or_blank(value: float) -> str:
    """'5.000 €', or nothing for zero (as in the printed budget table: blank = no money)."""
    return fmt.money(value) if value else ""


def share_or_dash(value: float) -> str:
    """«90%»; «—» for a project without a preventivo in euro (tables.NO_SHARE)."""
    return "—" if value < 0 else spending.percent(value)


def tick_or_blank(value: bool) -> str:
    return TICK if value else ""


def styled_matrix(plan: Plan, table: pd.DataFrame | None = None) -> pd.io.formats.style.Styler:
    """The matrix with money as '5.000 €' (blank for none), yes/no sources as '✓' and the stato
    cells in traffic-light colours. Amounts stay numbers underneath, so sorting is numeric; the
    yes/no columns become text (a bool column would be drawn as greyed-out checkboxes).

    ``table``: the rows to show (a page of ``matrix_table``); by default the whole matrix."""
    table = (matrix_table(plan) if table is None else table).copy()
    flags = flag_columns(plan)
    table[flags] = table[flags].map(tick_or_blank)
    styler = table.style.format(money_or_blank, subset=money_columns(plan))
    if spending_columns(plan):
        styler = styler.format(share_or_dash, subset=[HEADERS["spent_share"]])
    return styler.map(status_style, subset=[HEADERS["status"]])


# The status matrix on screen --------------------------------------------------------------
# Column widths are estimated from the texts, so that the whole matrix fits the grid's width on a
# 1280x720 projector with the sidebar open (874 px, less the row selection column); on wider
# screens the grid stretches the columns, on a phone it scrolls inside itself.

MATRIX_FIT_PX = 830
CHAR_PX = 7  # an average character of the grid's 14 px Source Sans, rounded up
CELL_PAD_PX = 18  # the cell's padding, both sides
TITLE_PX = (180, 300)  # the project column: never narrower, no need to be wider
SHORT_LABEL_CHARS = 13  # a longer source name gets a short header (the full name in the help)
CONNECTIVES = frozenset(
    "di del dello della dei degli delle da dal dalla per e ed a al alla in con su tra fra".split()
)


@dataclass(frozen=True)
class MatrixColumn:
    name: str  # the column of matrix_table
    label: str  # its header on screen
    width: int  # in px
    help: str  # the header's tooltip: the full name, what the column counts


def text_px(text: str) -> int:
    """The width a cell needs to show ``text`` whole (an estimate on the safe side)."""
    return len(text) * CHAR_PX + CELL_PAD_PX


def short_labels(names: Sequence[str], limit: int = SHORT_LABEL_CHARS) -> dict[str, str]:
    """A short header for each source name: the name itself if short enough; else without a
    first word that other sources share ('Risorse interne' -> 'Interne'), then cut before the
    first connective ('Oneri di funzionamento' -> 'Oneri'). Two sources never read the same."""
    firsts = Counter(name.split()[0].casefold() for name in names if name.split())
    labels = {}
    for name in names:
        words = name.split()
        if len(name) > limit and len(words) > 1 and firsts[words[0].casefold()] > 1:
            words = words[1:]
        if len(" ".join(words)) > limit:
            cut = next((i for i, w in enumerate(words) if i and w.casefold() in CONNECTIVES), 0)
            words = words[:cut] or words
        label = " ".join(words)
        labels[name] = label[:1].upper() + label[1:]
    seen = Counter(labels.values())
    return {name: label if seen[label] == 1 else name for name, label in labels.items()}


def matrix_columns(plan: Plan, table: pd.DataFrame | None = None) -> list[MatrixColumn]:
    """Header, width and help of each column of the status matrix as shown (the ID is not).

    Sources keep their full name as header when the titles still get the room they need;
    otherwise long names get a short header (``short_labels``). Widths come from the rows of
    ``table`` (the page shown; by default the whole matrix).
    """
    table = matrix_table(plan) if table is None else table
    legend = "; ".join(f"{code} = {plan.track_title(code)}" for code in plan.track_codes)
    h = HEADERS
    fixed = [
        MatrixColumn(h["track"], "Pista", _widest("Pista", table[h["track"]]), legend),
        MatrixColumn(h["status"], "Stato", _widest("Stato", table[h["status"]]), ""),
        MatrixColumn(h["done"], "Realizzate", text_px("Realizzate"), h["done"]),
        MatrixColumn(h["planned"], "Ipotesi", text_px("Ipotesi"), h["planned"]),
    ]
    low, high = TITLE_PX
    needed = min(_widest("Progetto", table[h["title"]]), high)
    spent = _spending_columns(plan, table)  # placed last
    sources = _source_columns(plan, table, {name: name for name in plan.source_names})
    if MATRIX_FIT_PX - sum(c.width for c in fixed + sources + spent) < needed:
        sources = _source_columns(plan, table, short_labels(plan.source_names))
    room = MATRIX_FIT_PX - sum(c.width for c in fixed + sources + spent)
    title = MatrixColumn(h["title"], "Progetto", max(low, min(needed, room)), "")
    return [fixed[0], title, *fixed[1:], *sources, *spent]


def _spending_columns(plan: Plan, table: pd.DataFrame) -> list[MatrixColumn]:
    """«% speso» when the plan has a consuntivo in euro; the help says which sources it sums
    (a source filter: the chosen ones)."""
    if not spending_columns(plan):
        return []
    which = ", ".join(plan.amount_sources)
    return [
        MatrixColumn(
            HEADERS["spent_share"],
            "% speso",
            max(text_px("% speso"), text_px("100,0%")),
            f"Speso su preventivo del progetto (foglio Consuntivo), fonti in euro: {which}; "
            "— senza preventivo in euro. Gli importi sono nella scheda del progetto.",
        )
    ]


def _source_columns(plan: Plan, table: pd.DataFrame, labels: dict[str, str]) -> list[MatrixColumn]:
    columns = []
    for name in plan.source_names:
        kind = plan.kind_of(name)
        if kinds.is_number(kind):
            shown = (kinds.format_value(kind, v) if v else "" for v in table[name])
            widest, what = max(shown, key=len, default=""), kinds.column_help(kind)
        else:
            widest, what = TICK, f"{TICK} = {kinds.column_help(kind)}"
        width = max(text_px(labels[name]), text_px(widest))
        columns.append(MatrixColumn(name, labels[name], width, f"{name}: {what}."))
    return columns


def _widest(header: str, values: pd.Series) -> int:
    return max([text_px(header), *(text_px(str(v)) for v in values)])
