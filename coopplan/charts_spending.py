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

from coopplan import fmt, spending
from coopplan.charts import BAR_WIDTH, _money_axis, _rows_with_titles, _style
from coopplan.plan import Plan
from coopplan.text import plotly_literal

PLANNED_COLOR = "#C8C8C8"  # light grey, the full bar
COMMITTED_COLOR = "#88CCEE"  # Tol 'light' cyan: lighter than speso, darker than preventivo
SPENT_COLOR = "#004488"  # Tol 'high contrast' dark blue
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
