"""The consuntivo at a glance: preventivo, impegnato and speso as overlapping bars (a bullet
graph), one row per source or pista, the figures written above each row.

The three bars differ in lightness and in thickness (light grey and wide: preventivo; middle
blue: impegnato; dark blue and thin: speso), so they read apart in grey print and for every
kind of colour blindness. Callers ask ``Plan.has_spending`` first: a plan without a consuntivo
has no such chart (coopplan.spending.NOT_ENTERED).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from coopplan import fmt, kinds, spending
from coopplan.charts import (
    BAR_WIDTH,
    SMALL_FONT_SIZE,
    _money_axis,
    _rows_with_titles,
    _style,
    _version_axis,
    _version_hover,
)
from coopplan.palette import COMMITTED_COLOR, PLANNED_COLOR, SPENT_COLOR
from coopplan.plan import Plan
from coopplan.text import plotly_literal
from coopplan.timeline import Timeline

LAYERS = (  # what, column, colour, share of BAR_WIDTH
    ("Preventivo", "planned", PLANNED_COLOR, 1.0),
    ("Impegnato", "committed", COMMITTED_COLOR, 0.62),
    ("Speso", "spent", SPENT_COLOR, 0.3),
)


def spending_by_source(plan: Plan) -> go.Figure:
    """One row per euro source: preventivo, impegnato and speso overlapping."""
    frame = plan.spending_by_source()
    return _bullets(frame, list(frame["source"]))


def spending_by_track(plan: Plan) -> go.Figure:
    """One row per pista with projects in the view: the same bars, every euro source together."""
    frame = plan.spending_by_track()
    shown = set(plan.projects["track"])
    frame = frame.loc[frame["track"].isin(shown)].reset_index(drop=True)
    return _bullets(frame, list(frame["track_title"]))


def row_words(row: dict) -> str:
    """What is written above a row: «speso 13.700 € di 25.000 € (54,8%) · impegnato 17.200 €»."""
    said = f"speso {fmt.money(row['spent'])} di {fmt.money(row['planned'])}"
    share = spending.percent(row["spent_share"])
    if share != "—":
        said += f" ({share})"
    return said + f" · impegnato {fmt.money(row['committed'])}"


def _bullets(frame: pd.DataFrame, titles: list[str]) -> go.Figure:
    rows = list(range(len(titles)))
    fig = go.Figure()
    for what, column, color, share in LAYERS:
        fig.add_bar(
            name=what,
            orientation="h",
            y=rows,
            x=frame[column].astype(float).tolist(),
            width=BAR_WIDTH * share,
            marker={"color": color, "line": {"width": 0}},
            customdata=[
                [plotly_literal(t), fmt.money(float(v))]
                for t, v in zip(titles, frame[column], strict=True)
            ],
            hovertemplate=f"<b>%{{customdata[0]}}</b><br>{what}: %{{customdata[1]}}<extra></extra>",
        )
    fig.update_layout(barmode="overlay", legend_traceorder="normal")
    _style(fig, 0)
    top = frame[["planned", "committed", "spent"]].to_numpy().max() if len(frame) else 0.0
    _money_axis(fig, float(top))
    _rows_with_titles(
        fig, [plotly_literal(t) for t in titles], [row_words(r) for r in frame.to_dict("records")]
    )
    return fig


# Over the versions (Cronologia) ---------------------------------------------------------------

TIMELINE_LINES = (  # what, column, dash, width, marker: the preventivo thin and dotted
    ("Preventivo", "planned", "dot", 2, "circle-open"),
    ("Speso", "spent", "solid", 4, "circle"),
)


def timeline_spending(timeline: Timeline, colors: dict[str, str]) -> go.Figure:
    """Per euro source, the speso (thick solid line) against its preventivo (thin dotted line,
    same colour) over the versions; a version without a consuntivo has no point (never «0 €
    spesi»). ``colors``: source -> colour, from the unfiltered plan."""
    versions, frame = timeline.versions, timeline.spending
    hover = _version_hover(versions)
    fig = go.Figure()
    for source in dict.fromkeys(frame["source"]):
        mine = frame.loc[frame["source"] == source]
        numbers = [int(n) for n in mine["number"]]
        for what, column, dash, width, symbol in TIMELINE_LINES:
            said = [_point_words(what, r) for r in mine.to_dict("records")]
            fig.add_scatter(
                name=plotly_literal(f"{source} – {what.lower()}"),
                x=numbers,
                y=mine[column].astype(float).tolist(),
                mode="lines+markers",
                line={"color": colors.get(source, "#1A1A1A"), "width": width, "dash": dash},
                marker={"size": 11, "symbol": symbol},
                customdata=[
                    [plotly_literal(source), w, hover[n]]
                    for n, w in zip(numbers, said, strict=True)
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}: %{customdata[1]}</b><br>%{customdata[2]}<extra></extra>"
                ),
            )
    _style(fig, 420)
    fig.update_layout(hovermode="closest", hoverlabel={"align": "left"})
    _version_axis(fig, versions)
    top = float(frame[["planned", "spent"]].to_numpy().max()) if len(frame) else 0.0
    tickformat, suffix = kinds.format_axis(kinds.SourceKind.AMOUNT)
    fig.update_yaxes(
        tickformat=tickformat,
        ticksuffix=suffix,
        range=[0, top * 1.1 or 1],
        gridcolor="#DDDDDD",
        fixedrange=True,
        tickfont={"size": SMALL_FONT_SIZE},
    )
    return fig


def _point_words(what: str, row: dict) -> str:
    """«preventivo 25.000 €»; «speso 13.700 € su 25.000 € (54,8%)»."""
    if what == "Preventivo":
        return f"preventivo {fmt.money(row['planned'])}"
    said = f"speso {fmt.money(row['spent'])} su {fmt.money(row['planned'])}"
    if row["planned"] > 0:
        said += f" ({spending.percent(row['spent'] / row['planned'])})"
    return said
