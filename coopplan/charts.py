"""Plan -> plotly figures, in Italian, with one colour per pista, per source and per stato.

Every figure takes its numbers from the Plan's queries, its colours from coopplan.palette and its
number formatting from coopplan.fmt (Italian separators, money as '5.000 €'). Fonts are large
enough for a projector. A chart that would have nothing to draw is never built: callers ask
``has_amounts`` first and show a message instead.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from coopplan import fmt, kinds, spending
from coopplan.palette import (
    SOURCE_COLORS,
    TEXT_COLOR,
    TRACK_COLORS,
    colors_for,
    status_color,
    text_color_on,
)
from coopplan.plan import Plan
from coopplan.text import plotly_literal
from coopplan.timeline import Timeline, hover_changes
from coopplan.workbook.schema import STATUSES

FONT_FAMILY = "Source Sans, Source Sans Pro, DejaVu Sans, Arial, sans-serif"
FONT_SIZE = 17
SMALL_FONT_SIZE = 15
# The plan map's narrowest drawing: a tablet in portrait (820 px, sidebar open) gives it 436 px;
# a tile label gets a line of characters of about 7 px each (15 px text) in its tile's share.
MAP_NARROWEST_PX = 436
TILE_CHAR_PX = 7
TILE_LABEL_WIDTH = (8, 18)  # characters per line of a tile label: never fewer, no need for more
LABEL_WIDTH = 24  # characters per line of a tile label before it wraps
TITLE_WIDTH = 44  # characters per line of a title written above a bar
ROW_LINE_WIDTH = 48  # characters a bar row's line (title · value) holds on a 390 px phone
BAR_WIDTH = 0.42  # bar thickness, in rows (a row is one pista or source)
ROW_HEIGHT = 84  # pixels per bar row, title included
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
    """Break a long label into lines (plotly line breaks) so that axis labels are not cut; the
    text is drawn as written (its own ``<b>`` or ``&amp;`` stay text: see plotly_literal)."""
    lines = textwrap.wrap(plotly_literal(text), width=width, break_long_words=False) or [""]
    return "<br>".join(lines)


def tile_label_width(tiles_in_band: int) -> int:
    """Characters per line of a tile label when a pista band holds ``tiles_in_band`` projects,
    sized for the narrowest map (MAP_NARROWEST_PX: five tiles of 83 px, 11 characters)."""
    low, high = TILE_LABEL_WIDTH
    room = MAP_NARROWEST_PX / max(tiles_in_band, 1) - 8  # the tile's paddings
    return min(max(int(room / TILE_CHAR_PX), low), high)


def tile_label(text: str, width: int) -> str:
    """A project's label on a plan-map tile: lines of at most ``width`` characters, a longer
    word split over lines with a hyphen («Cooperazio-» «ne»), every letter kept: a word cut
    with «…» read «La Cooperazio…» on a projector where the tile had room (issue 24 §4)."""
    words = [piece for word in text.split() for piece in _word_pieces(word, width)]
    return wrap_label(" ".join(words), width)


_VOWELS = frozenset("aeiouàèéìíòóùúAEIOUÀÈÉÌÍÒÓÙÚ")
_CLUSTERS = frozenset("bcdfgptv")  # a consonant that stays with a following l or r: «-pro», «-tra»


def _word_pieces(word: str, width: int) -> list[str]:
    """``word`` as pieces of at most ``width`` characters, each but the last ending in «-», cut
    before a consonant followed by a vowel (an Italian syllable start: «Coopera-zione»), or
    anywhere when the word has none in reach."""
    pieces = []
    while len(word) > width:
        cut = _syllable_cut(word, width - 1) or width - 1
        pieces.append(word[:cut] + "-")
        word = word[cut:]
    return [*pieces, word]


def _syllable_cut(word: str, most: int) -> int:
    """The last position ≤ ``most`` (and ≥ 2) where a syllable starts, or 0."""
    for i in range(min(most, len(word) - 2), 1, -1):
        consonant = word[i].isalpha() and word[i] not in _VOWELS
        if not (consonant and word[i + 1] in _VOWELS):
            continue
        if word[i].lower() in "lr" and word[i - 1].lower() in _CLUSTERS:
            if i - 1 >= 2 and word[i - 2] in _VOWELS:
                return i - 1  # «mo-stra» is not; «ca-pra», «a-tleta»: before the cluster
            continue
        if word[i - 1].isalpha() and word[i - 1] not in _VOWELS and word[i - 1] != word[i]:
            if word[i - 1].lower() == "s":  # «s» + consonant starts a syllable: «pa-sta»
                if i - 1 >= 2:
                    return i - 1
                continue
        return i
    return 0


def track_colors(plan: Plan) -> dict[str, str]:
    """Pista code -> colour (by position in the workbook: the same on every chart)."""
    return colors_for(plan.track_codes, TRACK_COLORS)


def source_colors(plan: Plan, all_sources: Sequence[str] | None = None) -> dict[str, str]:
    """Source name -> colour. Pass the unfiltered plan's names so that a filter never recolours."""
    return colors_for(list(all_sources or plan.source_names), SOURCE_COLORS)


def shown_tracks(plan: Plan) -> list[str]:
    """The piste that have projects in this (possibly filtered) plan, in workbook order."""
    present = set(plan.projects["track"])
    return [code for code in plan.track_codes if code in present]


def has_amounts(plan: Plan) -> bool:
    """True when some amount source pays something in this plan (a money chart makes sense)."""
    funded = plan.funded()
    return bool(funded["source"].isin(plan.amount_sources).any())


def _slim_white() -> go.layout.Template:
    """Plotly's "plotly_white" look for what the dashboard draws: the layout settings of its
    2-D charts (axes, colours, hover) and the defaults of bars and lines. Naming the whole
    "plotly_white" made every figure copy, validate and send its colour scales, 3-D scenes,
    maps and the defaults of all ~50 trace types: about 7 KB of JSON and most of the time
    spent building a figure (docs/benchmarks.md)."""
    white = pio.templates["plotly_white"]
    kept = (
        *("autotypenumbers", "colorway", "font", "hovermode", "hoverlabel", "paper_bgcolor"),
        *("plot_bgcolor", "xaxis", "yaxis", "title", "annotationdefaults", "shapedefaults"),
    )
    layout = {name: white.layout[name] for name in kept}
    return go.layout.Template(
        layout=layout, data={"bar": white.data.bar, "scatter": white.data.scatter}
    )


TEMPLATE = _slim_white()


def _style(fig: go.Figure, height: int, *, legend: bool = True) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        separators=fmt.PLOTLY_SEPARATORS,
        height=height or None,
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


def _status_segment(status: str, values: Sequence[int]) -> dict[str, object]:
    """What every bar segment of a stato shares: its name, its traffic-light colour, and its
    count written inside (none on an empty segment) in the text colour readable on it."""
    color = status_color(status)
    return {
        "name": plotly_literal(status),
        "marker": {"color": color},
        "text": [fmt.number(v) if v else "" for v in values],
        "textposition": "inside",
        "insidetextanchor": "middle",
        "textfont": {"color": text_color_on(color), "size": SMALL_FONT_SIZE},
    }


def _money_axis(fig: go.Figure, top: float) -> None:
    """A euro x axis with Italian thousands separators."""
    fig.update_xaxes(
        tickformat=",.0f",
        ticksuffix=" €",
        range=[0, top * 1.02 if top > 0 else 1],
        gridcolor="#DDDDDD",
        zeroline=False,
        fixedrange=True,
        automargin=True,
        tickfont={"size": SMALL_FONT_SIZE},
        nticks=5,
    )


def row_label(title: str, value: str) -> str:
    """What is written above a bar row: the title in bold (wrapped at TITLE_WIDTH), then « · »
    and the value on the title's last line when the line still fits a phone (ROW_LINE_WIDTH),
    else the value on a line of its own: «0 conclusi e 5 in corso su 5 progetti» after a title
    would run past a 390 px screen's edge."""
    title_lines = wrap_label(title, TITLE_WIDTH)
    if not value:
        return f"<b>{title_lines}</b>"
    last = title_lines.rsplit("<br>", 1)[-1]
    joiner = " · " if len(f"{last} · {value}") <= ROW_LINE_WIDTH else "<br>"
    return f"<b>{title_lines}</b>{joiner}{value}"


def _rows_with_titles(fig: go.Figure, titles: Sequence[str], values: Sequence[str]) -> None:
    """Bars as rows, each with its title and value written above it (left-aligned).

    Titles above the bars instead of beside them leave the whole width to the bars: the chart
    reads the same on a projector and on a phone, and no label is squeezed or cut.
    """
    fig.update_yaxes(
        autorange="reversed", fixedrange=True, showticklabels=False, ticks="", showgrid=False
    )
    for index, (title, value) in enumerate(zip(titles, values, strict=True)):
        fig.add_annotation(
            x=0,
            xref="paper",
            xanchor="left",
            y=index - BAR_WIDTH / 2,
            yref="y",
            yanchor="bottom",
            yshift=2,
            text=row_label(title, value),
            showarrow=False,
            align="left",
            font={"size": FONT_SIZE, "color": TEXT_COLOR},
        )
    labels = [row_label(t, v) for t, v in zip(titles, values, strict=True)]
    lines = max((label.count("<br>") for label in labels), default=0)
    fig.update_layout(
        height=ROW_HEIGHT * max(len(titles), 1) + 20 * lines * len(titles) + 110,
        margin={"l": 4, "r": 12, "t": 48, "b": 8},
    )


def _bar_rows(titles: Sequence[str]) -> list[int]:
    return list(range(len(titles)))


# Charts -------------------------------------------------------------------------------------


def budget_by_track(plan: Plan, all_sources: Sequence[str] | None = None) -> go.Figure:
    """One bar per pista (its title and total written above it), one segment per amount source
    (the amount in the hover text). A pista with projects but no money keeps its row, with
    '0 €'; a pista whose projects are all filtered out has no row."""
    codes = shown_tracks(plan)
    data = plan.amount_by_track()
    data = data.loc[data["track"].isin(codes) & data["source"].isin(plan.amount_sources)]
    colors = source_colors(plan, all_sources)
    titles = [plan.track_title(code) for code in codes]
    rows = dict(zip(codes, _bar_rows(titles), strict=True))
    fig = go.Figure()
    for source in plan.amount_sources:
        mine = data.loc[data["source"] == source]
        fig.add_bar(
            name=plotly_literal(source),
            orientation="h",
            y=[rows[c] for c in mine["track"]],
            x=mine["amount"].tolist(),
            width=BAR_WIDTH,
            marker={"color": colors[source]},
            customdata=[
                [plotly_literal(plan.track_title(c)), fmt.money(a), plotly_literal(source)]
                for c, a in zip(mine["track"], mine["amount"], strict=True)
            ],
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>%{customdata[2]}: %{customdata[1]}<extra></extra>"
            ),
        )
    totals = data.groupby("track", sort=False)["amount"].sum().reindex(codes)
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    _style(fig, 0)
    _money_axis(fig, float(totals.max()) if len(totals) else 0.0)
    _rows_with_titles(fig, titles, [fmt.money(t) for t in totals])
    return fig


def source_totals(plan: Plan, all_sources: Sequence[str] | None = None) -> go.Figure:
    """One bar per amount source, its name and total in euros written above it."""
    totals = plan.source_totals()
    totals = totals.loc[totals["source"].isin(plan.amount_sources)]
    colors = source_colors(plan, all_sources)
    names = list(totals["source"])
    fig = go.Figure(
        go.Bar(
            orientation="h",
            y=_bar_rows(names),
            x=totals["total"].tolist(),
            width=BAR_WIDTH,
            marker={"color": [colors[s] for s in names]},
            customdata=[
                [plotly_literal(s), fmt.money(t), fmt.count(int(n), "progetto", "progetti")]
                for s, t, n in zip(names, totals["total"], totals["projects"], strict=True)
            ],
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>%{customdata[1]} · %{customdata[2]}<extra></extra>"
            ),
        )
    )
    _style(fig, 0, legend=False)
    _money_axis(fig, float(totals["total"].max()) if len(totals) else 0.0)
    _rows_with_titles(fig, names, [fmt.money(t) for t in totals["total"]])
    return fig


def status_by_track(plan: Plan) -> go.Figure:
    """Projects per pista, stacked by stato in traffic-light colours."""
    counts = plan.projects.groupby(["track", "status"]).size()
    codes = shown_tracks(plan)
    titles = [plan.track_title(code) for code in codes]
    present = set(plan.projects["status"])
    statuses = [s for s in STATUSES if s in present] + sorted(present - set(STATUSES))
    fig = go.Figure()
    for status in statuses:
        values = [int(counts.get((code, status), 0)) for code in codes]
        fig.add_bar(
            **_status_segment(status, values),
            orientation="h",
            y=_bar_rows(titles),
            x=values,
            width=BAR_WIDTH,
            customdata=[[plotly_literal(title)] for title in titles],
            hovertemplate="<b>%{customdata[0]}</b><br>"
            + plotly_literal(status)
            + ": %{x}<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        legend_traceorder="normal",
        uniformtext={"minsize": 13, "mode": "hide"},
    )
    _style(fig, 0)
    per_track = plan.projects.groupby("track").size().reindex(codes, fill_value=0)
    top = int(per_track.max()) if len(per_track) else 1
    fig.update_xaxes(
        tickformat=",d",
        dtick=max(1, math.ceil(top / 5)),  # whole projects only: no '0 0 1 1' ticks
        gridcolor="#DDDDDD",
        fixedrange=True,
        tickfont={"size": SMALL_FONT_SIZE},
    )
    _rows_with_titles(fig, titles, [fmt.count(int(n), "progetto", "progetti") for n in per_track])
    return fig


def plan_map(plan: Plan, selected: str | None = None, *, projects: bool = True) -> go.Figure:
    """Treemap pista -> project: one band per pista, its projects side by side as on the slides
    (equal tiles, so every project shows).

    Each project tile carries its ID in ``customdata[0]``, so a click can open its card; the
    ``selected`` project's tile gets a thick dark border. ``projects=False``: one band per
    pista with its number of projects only (a big plan's thousands of tiles are unreadable).
    """
    colors = track_colors(plan)
    budget = _project_budgets(plan)
    ids, labels, parents, values, tile_colors, data = [], [], [], [], [], []
    per_band = plan.projects["track"].value_counts()
    width = tile_label_width(int(per_band.max()) if len(per_band) else 1)
    for code in plan.track_codes:
        mine = plan.projects.loc[plan.projects["track"] == code]
        if mine.empty:
            continue
        ids.append(f"pista:{code}")
        labels.append(plotly_literal(plan.track_title(code)))
        parents.append("")
        values.append(len(mine))
        tile_colors.append(colors[code])
        data.append(["", fmt.count(len(mine), "progetto", "progetti"), "", labels[-1]])
        for project in mine.itertuples(index=False) if projects else ():
            ids.append(str(project.id))
            labels.append(tile_label(str(project.title), width))
            parents.append(f"pista:{code}")
            values.append(1)
            tile_colors.append(colors[code])
            data.append(
                [
                    str(project.id),
                    plotly_literal(f"Stato: {project.status}"),
                    budget.get(project.id, ""),
                    plotly_literal(project.title),
                ]
            )
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
            hovertemplate="<b>%{customdata[3]}</b><br>%{customdata[1]}<br>%{customdata[2]}"
            "<extra></extra>",
            tiling={"packing": "dice-slice", "pad": 2},
            pathbar={"visible": False},
            maxdepth=2,
            sort=False,
        )
    )
    fig.update_layout(uniformtext={"minsize": 12, "mode": "hide"})
    tiles = len(plan.projects) if projects else 0
    height = min(
        max(70 * len(plan.track_codes) + 14 * tiles, 360, _tall_enough(labels, parents)), 760
    )
    return _style(fig, height, legend=False)


TILE_LINE_PX = 22  # a line of a tile label (15 px text), with its leading
TILE_HEADER_PX = 44  # a pista band's title line and the paddings around its tiles


def _tall_enough(labels: Sequence[str], parents: Sequence[str]) -> int:
    """The map height at which every project tile has room for all the lines of its label.

    A pista's band gets a height in proportion to its projects (equal tiles), so the pista whose
    label lines per project are most is the one that sets the height."""
    per_track: dict[str, tuple[int, int]] = {}  # pista id -> (projects, most label lines)
    for label, parent in zip(labels, parents, strict=True):
        if parent:
            count, lines = per_track.get(parent, (0, 0))
            per_track[parent] = (count + 1, max(lines, label.count("<br>") + 1))
    total = sum(count for count, _ in per_track.values())
    return max(
        (
            round((TILE_HEADER_PX + TILE_LINE_PX * lines) * total / count) + 16
            for count, lines in per_track.values()
        ),
        default=0,
    )


def _project_budgets(plan: Plan) -> dict[str, str]:
    """Project ID -> 'Budget: 5.000 €' (amount sources summed) or '' when it has none."""
    amounts = plan.funding.loc[plan.funding["source"].isin(plan.amount_sources)]
    totals = amounts.groupby("project")["amount"].sum()
    return {pid: f"Budget: {fmt.money(total)}" for pid, total in totals.items() if total > 0}


# The plan over time (coopplan.timeline) ------------------------------------------------------


def _version_ticks(versions: pd.DataFrame) -> tuple[list[int], list[str]]:
    """The x positions (version numbers) and their tick labels 'v. 3<br>12 mar'."""
    numbers = [int(n) for n in versions["number"]]
    labels = [
        f"v. {n}<br>{fmt.date(when.date(), 'd MMM')}"
        for n, when in zip(numbers, versions["when"], strict=True)
    ]
    return numbers, labels


def _version_hover(versions: pd.DataFrame) -> dict[int, str]:
    """Version number -> the hover text of its point: label, date, who published it, the note and
    what changed (at most a few sentences), every piece of data escaped for plotly."""
    out = {}
    for row in versions.itertuples(index=False):
        lines = [
            f"<b>{plotly_literal(row.label)}</b> · {row.when:%d/%m/%Y %H:%M}",
            f"Pubblicata da {plotly_literal(row.editor)}",
        ]
        if row.note:
            lines.append(f"Nota: {plotly_literal(textwrap.shorten(row.note, 90))}")
        lines += [
            "• " + wrap_label(textwrap.shorten(c, 120), 60).replace("<br>", "<br>   ")
            for c in hover_changes(row.changes)
        ]
        out[int(row.number)] = "<br>".join(lines)
    return out


def _version_axis(fig: go.Figure, versions: pd.DataFrame) -> None:
    """Versions side by side in publication order, each tick its number and date."""
    numbers, labels = _version_ticks(versions)
    fig.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=numbers,
        tickvals=numbers,
        ticktext=labels,
        fixedrange=True,
        tickfont={"size": SMALL_FONT_SIZE},
        showgrid=False,
    )


def _timeline_lines(
    versions: pd.DataFrame,
    values: pd.DataFrame,
    column: str,
    colors: dict[str, str],
    shown: Callable[[float], str],
) -> go.Figure:
    """One line per source of ``values`` (number, source, ``column``) over the versions; ``shown``
    formats a value ('27.500 €', '3 progetti')."""
    hover = _version_hover(versions)
    fig = go.Figure()
    for source in dict.fromkeys(values["source"]):
        mine = values.loc[values["source"] == source]
        numbers = [int(n) for n in mine["number"]]
        fig.add_scatter(
            name=plotly_literal(source),
            x=numbers,
            y=mine[column].tolist(),
            mode="lines+markers",
            line={"color": colors.get(source, TEXT_COLOR), "width": 4},
            marker={"size": 11},
            customdata=[
                [plotly_literal(source), shown(v), hover[n]]
                for n, v in zip(numbers, mine[column], strict=True)
            ],
            hovertemplate=(
                "<b>%{customdata[0]}: %{customdata[1]}</b><br>%{customdata[2]}<extra></extra>"
            ),
        )
    _style(fig, 420)
    fig.update_layout(hovermode="closest", hoverlabel={"align": "left"})
    _version_axis(fig, versions)
    fig.update_yaxes(gridcolor="#DDDDDD", fixedrange=True, tickfont={"size": SMALL_FONT_SIZE})
    return fig


def timeline_totals(timeline: Timeline, kind: str, colors: dict[str, str]) -> go.Figure:
    """The totals of the sources of ``kind`` (euros, hours, projects ticked: coopplan.kinds
    formats them), one line per source over the versions (``colors``: source -> colour, from the
    unfiltered plan so a filter never recolours)."""
    values = timeline.of_kind(kind)

    def shown(value: float) -> str:
        return kinds.format_total(kind, value)

    fig = _timeline_lines(timeline.versions, values, "total", colors, shown)
    top = float(values["total"].max()) if len(values) else 0.0
    tickformat, suffix = kinds.format_axis(kind)
    fig.update_yaxes(tickformat=tickformat, ticksuffix=suffix, rangemode="tozero")
    if kinds.is_number(kind):
        fig.update_yaxes(range=[0, top * 1.1 or 1])
    else:  # whole projects only
        fig.update_yaxes(dtick=max(1, math.ceil(max(top, 1) / 5)))
    return fig


def timeline_amounts(timeline: Timeline, colors: dict[str, str]) -> go.Figure:
    """Total in euro of each money source over the versions."""
    return timeline_totals(timeline, kinds.SourceKind.AMOUNT, colors)


def timeline_flags(timeline: Timeline, colors: dict[str, str]) -> go.Figure:
    """Projects ticked for each yes/no source over the versions."""
    return timeline_totals(timeline, kinds.SourceKind.FLAG, colors)


def timeline_statuses(timeline: Timeline) -> go.Figure:
    """Projects per stato in each version, stacked in traffic-light colours (the number of each
    stato written in its segment, the total above the bar)."""
    versions, counts = timeline.versions, timeline.statuses
    hover = _version_hover(versions)
    present = list(dict.fromkeys(counts["status"]))
    statuses = [s for s in STATUSES if s in present] + [s for s in present if s not in STATUSES]
    numbers = [int(n) for n in versions["number"]]
    fig = go.Figure()
    for status in statuses:
        mine = counts.loc[counts["status"] == status].set_index("number")["projects"]
        values = [int(mine.get(n, 0)) for n in numbers]
        fig.add_bar(
            **_status_segment(status, values),
            x=numbers,
            y=values,
            customdata=[[plotly_literal(status), hover[n]] for n in numbers],
            hovertemplate="<b>%{customdata[0]}: %{y}</b><br>%{customdata[1]}<extra></extra>",
        )
    totals = counts.groupby("number")["projects"].sum()
    fig.add_scatter(  # the total above each bar, as text
        x=numbers,
        y=[int(totals.get(n, 0)) for n in numbers],
        mode="text",
        text=[fmt.number(int(totals.get(n, 0))) for n in numbers],
        textposition="top center",
        textfont={"size": SMALL_FONT_SIZE, "color": TEXT_COLOR},
        hoverinfo="skip",
        showlegend=False,
    )
    fig.update_layout(
        barmode="stack",
        legend_traceorder="normal",
        uniformtext={"minsize": 13, "mode": "hide"},
        hovermode="closest",
        hoverlabel={"align": "left"},
    )
    _style(fig, 420)
    _version_axis(fig, versions)
    top = int(totals.max()) if len(totals) else 1
    fig.update_yaxes(
        tickformat=",d",
        dtick=max(1, math.ceil(top / 5)),
        range=[0, top * 1.15 + 1],
        gridcolor="#DDDDDD",
        fixedrange=True,
        tickfont={"size": SMALL_FONT_SIZE},
    )
    return fig


DONE_STATUS, RUNNING_STATUS = "Concluso", "In corso"  # the two segments of «Avanzamento»


def progress_words(concluded: int, running: int, projects: int) -> str:
    """«0 conclusi e 5 in corso su 5 progetti»: the words beside a pista's progress bar."""
    return (
        f"{fmt.count(concluded, 'concluso', 'conclusi')} e {fmt.number(running)} in corso "
        f"su {fmt.count(projects, 'progetto', 'progetti')}"
    )


def progress_by_track(progress: pd.DataFrame) -> go.Figure:
    """«Avanzamento per pista» from ``coopplan.since.track_progress``: per pista a bar on a
    0–100 % axis, its projects «Concluso» and «In corso» as two segments in their stato colours.
    Only a pista whose projects are all concluded has a full green bar; a pista whose projects
    are all running has a full amber one, never read as done."""
    rows = progress.loc[progress["projects"] > 0]
    titles = [str(t) for t in rows["title"]]
    projects = [int(n) for n in rows["projects"]]
    done = [int(n) for n in rows["concluded"]]
    running = [int(u) - int(c) for u, c in zip(rows["under_way"], rows["concluded"], strict=True)]
    fig = go.Figure()
    for status, counts in ((DONE_STATUS, done), (RUNNING_STATUS, running)):
        shares = [n / total for n, total in zip(counts, projects, strict=True)]
        segment = _status_segment(status, counts)
        # the axis is a share: a segment says its share too («100 %», not «5» on a 0–100 % axis)
        segment["text"] = [spending.percent(share) if share else "" for share in shares]
        fig.add_bar(
            **segment,
            orientation="h",
            y=_bar_rows(titles),
            x=shares,
            width=BAR_WIDTH,
            customdata=[[plotly_literal(t)] for t in titles],
            hovertemplate="<b>%{customdata[0]}</b><br>"
            + plotly_literal(status)
            + ": %{text}<extra></extra>",
        )
    fig.update_layout(
        barmode="stack", legend_traceorder="normal", uniformtext={"minsize": 13, "mode": "hide"}
    )
    _style(fig, 0)
    fig.update_xaxes(
        range=[0, 1],
        tickformat=".0%",
        dtick=0.25,
        gridcolor="#DDDDDD",
        fixedrange=True,
        tickfont={"size": SMALL_FONT_SIZE},
    )
    words = [progress_words(d, r, n) for d, r, n in zip(done, running, projects, strict=True)]
    _rows_with_titles(fig, titles, words)
    return fig
