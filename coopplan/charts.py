"""Plan -> plotly figures, in Italian, with one colour per pista, per source and per stato.

Every figure takes its numbers from the Plan's queries, its colours from coopplan.palette and its
number formatting from coopplan.fmt (Italian separators, money as '5.000 €'). Fonts are large
enough for a projector. A chart that would have nothing to draw is never built: callers ask
``has_amounts`` first and show a message instead.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import plotly.graph_objects as go

from coopplan import fmt
from coopplan.palette import (
    SOURCE_COLORS,
    TEXT_COLOR,
    TRACK_COLORS,
    colors_for,
    status_color,
)
from coopplan.plan import Plan
from coopplan.schema import STATUSES

FONT_FAMILY = "Source Sans, Source Sans Pro, DejaVu Sans, Arial, sans-serif"
FONT_SIZE = 17
SMALL_FONT_SIZE = 15
LABEL_WIDTH = 24  # characters per line of a category label before it wraps
PLOTLY_CONFIG: dict[str, object] = {
    "displayModeBar": False,  # no toolbar clutter in front of the board
    "scrollZoom": False,
    "doubleClick": False,
    "showTips": False,
    "responsive": True,
}
"""The ``config`` every chart is drawn with."""


# Helpers ---------------------------------------------------------------------------------


def wrap_label(text: str, width: int = LABEL_WIDTH) -> str:
    """Break a long label into lines (plotly line breaks) so that axis labels are not cut."""
    lines = textwrap.wrap(str(text), width=width, break_long_words=False) or [""]
    return "<br>".join(lines)


def text_color_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (a '#RRGGBB' colour)."""
    red, green, blue = (int(background.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    # Contrast with white (1.05 / (L + 0.05)) against contrast with black ((L + 0.05) / 0.05).
    return "#FFFFFF" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else TEXT_COLOR


def track_colors(plan: Plan) -> dict[str, str]:
    """Pista code -> colour (by position in the workbook: the same on every chart)."""
    return colors_for(plan.track_codes, TRACK_COLORS)


def source_colors(plan: Plan, all_sources: Sequence[str] | None = None) -> dict[str, str]:
    """Source name -> colour. Pass the unfiltered plan's names so that a filter never recolours."""
    return colors_for(list(all_sources or plan.source_names), SOURCE_COLORS)


def has_amounts(plan: Plan) -> bool:
    """True when some amount source pays something in this plan (a money chart makes sense)."""
    funded = plan.funded()
    return bool(funded["source"].isin(plan.amount_sources).any())


def _style(fig: go.Figure, height: int, *, legend: bool = True) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        separators=fmt.PLOTLY_SEPARATORS,
        height=height,
        font={"family": FONT_FAMILY, "size": FONT_SIZE, "color": TEXT_COLOR},
        hoverlabel={"font": {"family": FONT_FAMILY, "size": FONT_SIZE}},
        margin={"l": 8, "r": 8, "t": 40 if legend else 8, "b": 8},
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        showlegend=legend,
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "left",
            "x": 0,
            "font": {"size": FONT_SIZE},
            "title": {"text": ""},
        },
        dragmode=False,
    )
    return fig


def _money_axis(fig: go.Figure, top: float) -> None:
    """A euro x axis with Italian thousands separators and room for the end-of-bar labels."""
    fig.update_xaxes(
        tickformat=",.0f",
        ticksuffix=" €",
        range=[0, top * 1.3 if top > 0 else 1],
        gridcolor="#DDDDDD",
        zeroline=False,
        fixedrange=True,
        automargin=True,
        tickfont={"size": SMALL_FONT_SIZE},
        nticks=5,
    )


def _category_axis(fig: go.Figure) -> None:
    fig.update_yaxes(
        autorange="reversed", fixedrange=True, automargin=True, ticks="", ticklabelstandoff=6
    )


# Charts -------------------------------------------------------------------------------------


def budget_by_track(plan: Plan, all_sources: Sequence[str] | None = None) -> go.Figure:
    """Horizontal stacked bars: one bar per pista, one segment per amount source (amount in the
    hover text), the pista's total written at the end of its bar. Piste with no money keep
    their row, with '0 €'."""
    data = plan.amount_by_track()
    colors = source_colors(plan, all_sources)
    labels = {code: wrap_label(plan.track_title(code)) for code in plan.track_codes}
    fig = go.Figure()
    for source in plan.amount_sources:
        rows = data.loc[data["source"] == source]
        fig.add_bar(
            name=source,
            orientation="h",
            y=[labels[c] for c in rows["track"]],
            x=rows["amount"].tolist(),
            marker={"color": colors[source]},
            customdata=[
                [plan.track_title(c), fmt.money(a)]
                for c, a in zip(rows["track"], rows["amount"], strict=True)
            ],
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>" + source + ": %{customdata[1]}<extra></extra>"
            ),
        )
    totals = data.groupby("track", sort=False)["amount"].sum().reindex(plan.track_codes)
    fig.add_scatter(
        name="Totale",
        y=[labels[c] for c in totals.index],
        x=totals.tolist(),
        mode="text",
        text=["\u2002" + fmt.money(t) for t in totals],  # an en space keeps it off the bar
        textposition="middle right",
        textfont={"size": FONT_SIZE, "color": TEXT_COLOR},
        hoverinfo="skip",
        showlegend=False,
        cliponaxis=False,
    )
    fig.update_layout(barmode="stack", bargap=0.35, legend_traceorder="normal")
    _money_axis(fig, float(totals.max()) if len(totals) else 0.0)
    _category_axis(fig)
    height = (
        120
        + 78 * max(len(plan.track_codes), 1)
        + 14 * max(label.count("<br>") for label in labels.values())
        if labels
        else 200
    )
    return _style(fig, height)


def source_totals(plan: Plan, all_sources: Sequence[str] | None = None) -> go.Figure:
    """One horizontal bar per amount source with its total in euros."""
    totals = plan.source_totals()
    totals = totals.loc[totals["kind"] == "amount"]
    colors = source_colors(plan, all_sources)
    fig = go.Figure(
        go.Bar(
            orientation="h",
            y=[wrap_label(s) for s in totals["source"]],
            x=totals["total"].tolist(),
            marker={"color": [colors[s] for s in totals["source"]]},
            text=[fmt.money(t) for t in totals["total"]],
            textposition="outside",
            cliponaxis=False,
            textfont={"size": FONT_SIZE, "color": TEXT_COLOR},
            customdata=[
                [s, fmt.money(t), fmt.count(int(n), "progetto", "progetti")]
                for s, t, n in zip(
                    totals["source"], totals["total"], totals["projects"], strict=True
                )
            ],
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>%{customdata[1]} · %{customdata[2]}<extra></extra>"
            ),
        )
    )
    fig.update_layout(bargap=0.35)
    _money_axis(fig, float(totals["total"].max()) if len(totals) else 0.0)
    _category_axis(fig)
    return _style(fig, 90 + 80 * max(len(totals), 1), legend=False)


def status_by_track(plan: Plan) -> go.Figure:
    """Projects per pista, stacked by stato in traffic-light colours."""
    counts = plan.projects.groupby(["track", "status"]).size()
    labels = [wrap_label(plan.track_title(code)) for code in plan.track_codes]
    statuses = [s for s in STATUSES if s in set(plan.projects["status"])] + sorted(
        set(plan.projects["status"]) - set(STATUSES)
    )
    fig = go.Figure()
    for status in statuses:
        values = [int(counts.get((code, status), 0)) for code in plan.track_codes]
        color = status_color(status)
        fig.add_bar(
            name=status,
            orientation="h",
            y=labels,
            x=values,
            marker={"color": color},
            text=[fmt.number(v) if v else "" for v in values],
            textposition="inside",
            insidetextanchor="middle",
            textfont={"color": text_color_on(color), "size": SMALL_FONT_SIZE},
            customdata=[[plan.track_title(code)] for code in plan.track_codes],
            hovertemplate="<b>%{customdata[0]}</b><br>" + status + ": %{x}<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        bargap=0.35,
        legend_traceorder="normal",
        uniformtext={"minsize": 13, "mode": "hide"},
    )
    fig.update_xaxes(
        title={"text": "Progetti", "font": {"size": SMALL_FONT_SIZE}},
        tickformat=",d",
        gridcolor="#DDDDDD",
        fixedrange=True,
        tickfont={"size": SMALL_FONT_SIZE},
    )
    _category_axis(fig)
    return _style(fig, 120 + 70 * max(len(labels), 1))


def plan_map(plan: Plan, selected: str | None = None) -> go.Figure:
    """Treemap pista -> project, one tile per project (equal sizes, so every project shows).

    Each project tile carries its ID in ``customdata[0]``, so a click can open its card; the
    ``selected`` project's tile gets a thick dark border.
    """
    colors = track_colors(plan)
    budget = _project_budgets(plan)
    ids, labels, parents, values, tile_colors, data = [], [], [], [], [], []
    for code in plan.track_codes:
        mine = plan.projects.loc[plan.projects["track"] == code]
        if mine.empty:
            continue
        ids.append(f"pista:{code}")
        labels.append(plan.track_title(code))
        parents.append("")
        values.append(len(mine))
        tile_colors.append(colors[code])
        data.append(["", fmt.count(len(mine), "progetto", "progetti"), ""])
        for project in mine.itertuples(index=False):
            ids.append(str(project.id))
            labels.append(wrap_label(str(project.title), 18))
            parents.append(f"pista:{code}")
            values.append(1)
            tile_colors.append(colors[code])
            data.append([str(project.id), f"Stato: {project.status}", budget.get(project.id, "")])
    fig = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            customdata=data,
            marker={
                "colors": tile_colors,
                "line": {
                    "color": [TEXT_COLOR if i == selected else "#FFFFFF" for i in ids],
                    "width": [5 if i == selected else 2 for i in ids],
                },
            },
            textfont={"size": SMALL_FONT_SIZE, "color": [text_color_on(c) for c in tile_colors]},
            texttemplate="%{label}",
            hovertemplate="<b>%{label}</b><br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
            tiling={"pad": 2},
            pathbar={"visible": False},
            maxdepth=2,
            sort=False,
        )
    )
    fig.update_layout(uniformtext={"minsize": 12, "mode": "hide"})
    return _style(fig, 520, legend=False)


def _project_budgets(plan: Plan) -> dict[str, str]:
    """Project ID -> 'Budget: 5.000 €' (amount sources summed) or '' when it has none."""
    amounts = plan.funding.loc[plan.funding["source"].isin(plan.amount_sources)]
    totals = amounts.groupby("project")["amount"].sum()
    return {pid: f"Budget: {fmt.money(total)}" for pid, total in totals.items() if total > 0}
