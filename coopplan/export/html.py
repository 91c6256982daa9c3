"""One slide of the deck as HTML for the browser (the page "Presentazione"); no streamlit here.

Sizes are in units of the 1280 x 720 canvas of coopplan.slides: ``--u`` is one canvas pixel,
so a slide looks the same at 1280 x 720 (u = 1 px, body 28 px) and at 1920 x 1080 (u = 1.5 px).
The slide box is the canvas down to the footer band; the page puts its buttons in that band.
Charts are plain HTML bars: light, and nothing to fetch.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from coopplan import fmt
from coopplan import slides as s
from coopplan.hall.links import qr_data_uri
from coopplan.palette import MUTED_COLOR, TEXT_COLOR

if TYPE_CHECKING:
    from coopplan.export.formats import Subject

STACKED_BARS = 5  # up to this many bars: the label above each bar; more: label beside it
# (at most coopplan.slides.MAX_CHART_BARS bars: 10 inline rows fit beside the text)
CHART_BAR_PX = 26
QR_PX = 300  # side of the «Segui dal telefono» code on the title slide
QR_CAPTION = "Segui dal telefono"


# On a screen squarer than 16:9 (a 1024x768 projector) the slide fills the screen: the canvas
# keeps its height of 720 units and may narrow to NARROWEST_W units, so text is drawn larger
# (body 24.7 px at 1024x768 instead of 22.4 px) and wraps in the narrower box, with the height
# gained below (768 units of body instead of 648 at 4:3). The browser's Source Sans is about
# 10 % narrower than the Arial the deck is measured with (coopplan.slides), so a line measured
# for 1280 units rarely needs a second one at 1160; the browser test checks every slide fits.
NARROWEST_W = 1160
FOOTER_H = s.CANVAS_H - s.BODY_BOTTOM  # the band under the slide, where the page puts buttons


def css() -> str:
    """The slide styles (scoped to .cp-slide and the --u unit)."""
    u = "var(--u)"
    return f"""
:root {{ --u: min(calc(100vh / {s.CANVAS_H}), calc(100vw / {NARROWEST_W})); }}
.cp-slide {{ position: relative; box-sizing: border-box; overflow: hidden;
  width: min(100vw, calc({u} * {s.CANVAS_W}));
  height: max(calc({u} * {s.BODY_BOTTOM}), calc(100vh - {u} * {FOOTER_H})); margin: 0 auto;
  padding: calc({u} * {s.TITLE_Y}) calc({u} * {s.MARGIN_X}) 0 calc({u} * {s.MARGIN_X});
  background: #FFFFFF; color: {TEXT_COLOR}; font-size: calc({u} * {s.BODY_PX});
  line-height: calc({u} * {s.BODY_LINE}); text-align: left; }}
.cp-slide * {{ box-sizing: border-box; }}
.cp-slide .cp-band {{ position: absolute; left: 0; top: 0; width: 100%; height: calc({u} * 10);
  background: var(--accent); }}
.cp-slide h1.cp-title {{ margin: 0; padding: 0; font-size: calc({u} * {s.TITLE_PX});
  line-height: calc({u} * {s.TITLE_LINE}); font-weight: 700; color: {TEXT_COLOR};
  letter-spacing: 0; }}
.cp-slide .cp-sub {{ margin-top: calc({u} * {s.SUBTITLE_GAP}); color: {MUTED_COLOR}; }}
.cp-slide .cp-body {{ display: flex; gap: calc({u} * {s.GUTTER});
  margin-top: calc({u} * {s.BODY_GAP}); }}
.cp-slide .cp-text {{ flex: 1 1 0; min-width: 0; display: flex; flex-direction: column;
  gap: calc({u} * {s.BLOCK_GAP}); }}
.cp-slide .cp-chart {{ flex: 0 0 calc({u} * {s.HALF_W}); }}
.cp-slide .cp-heading {{ font-weight: 700; }}
.cp-slide .cp-detail, .cp-slide .cp-label {{ color: {MUTED_COLOR}; }}
.cp-slide .cp-label {{ font-weight: 700; }}
.cp-slide .cp-dot {{ color: var(--dot); }}
.cp-slide .cp-cols {{ display: grid; gap: calc({u} * {s.GUTTER});
  grid-template-columns: repeat(var(--cols), minmax(0, 1fr)); }}
.cp-slide ul {{ margin: 0; padding: 0 0 0 calc({u} * {s.BULLET_INDENT}); }}
.cp-slide ul.cp-plain {{ list-style: none; padding-left: 0; }}
.cp-slide li {{ margin: 0 0 calc({u} * {s.ITEM_GAP}) 0; padding: 0; }}
.cp-slide div, .cp-slide span, .cp-slide ul, .cp-slide li, .cp-slide td, .cp-slide th,
.cp-slide figcaption {{ font-size: calc({u} * {s.BODY_PX}) !important;
  line-height: calc({u} * {s.BODY_LINE}) !important; font-family: inherit; }}
.cp-slide table {{ border-collapse: collapse; width: 100%;
  table-layout: fixed; font-size: inherit; margin: 0; }}
.cp-slide th, .cp-slide td {{ padding: calc({u} * {s.CELL_PAD_Y}) calc({u} * {s.CELL_PAD_X});
  text-align: left; vertical-align: middle; border: 0; line-height: inherit; color: {TEXT_COLOR}; }}
.cp-slide th {{ background: #E8E8E8; font-weight: 700; }}
.cp-slide tr:nth-child(even) td {{ background: #F4F4F4; }}
.cp-slide .cp-num {{ text-align: right; }}
.cp-slide .cp-chart-title {{ font-weight: 700; text-align: center;
  margin-bottom: calc({u} * 8); }}
.cp-slide .cp-bar-row {{ margin-bottom: calc({u} * 10); }}
.cp-slide .cp-bar-row.cp-inline {{ display: flex; align-items: center; gap: calc({u} * 12); }}
.cp-slide .cp-inline .cp-bar-label {{ flex: 0 0 45%; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }}
.cp-slide .cp-bar-line {{ display: flex; align-items: center; gap: calc({u} * 10); flex: 1 1 0;
  min-width: 0; }}
.cp-slide .cp-bar {{ height: calc({u} * {CHART_BAR_PX}); min-width: calc({u} * 2);
  background: var(--bar); }}
.cp-slide .cp-bar-value {{ font-weight: 700; white-space: nowrap; }}
.cp-slide.cp-cover {{ padding-top: calc({u} * 190); padding-left: calc({u} * 80); }}
.cp-slide.cp-cover .cp-band {{ width: calc({u} * 24); height: 100%; }}
.cp-slide.cp-cover h1.cp-title {{ font-size: calc({u} * 56); line-height: calc({u} * 66); }}
.cp-slide.cp-cover .cp-sub {{ font-size: calc({u} * 36); line-height: calc({u} * 46);
  color: {TEXT_COLOR}; margin-top: calc({u} * 16); }}
.cp-slide.cp-cover .cp-body {{ margin-top: calc({u} * 24); color: {MUTED_COLOR}; }}
.cp-slide.cp-has-qr > h1, .cp-slide.cp-has-qr > .cp-sub, .cp-slide.cp-has-qr > .cp-body {{
  margin-right: calc({u} * {QR_PX + 40}); }}
.cp-slide .cp-qr {{ position: absolute; right: calc({u} * {s.MARGIN_X}); top: calc({u} * 150);
  width: calc({u} * {QR_PX}); margin: 0; text-align: center; }}
.cp-slide .cp-qr img {{ display: block; width: 100%; height: auto; image-rendering: pixelated; }}
.cp-slide .cp-qr figcaption {{ font-weight: 700; }}
.cp-slide .cp-qr .cp-qr-url {{ display: block; font-weight: 400; color: {MUTED_COLOR};
  font-size: calc({u} * 28) !important; line-height: calc({u} * 35) !important;
  overflow-wrap: anywhere; }}  /* break at spaces; inside the address only if it must */
"""


def slide_html(slide: s.Slide, number: int = 0, qr_url: str = "") -> str:
    """The slide as an HTML fragment (escaped text, no script, no outside resource).

    ``qr_url``: on the title slide, the address phones in the hall open (coopplan.hall.links), shown
    as a QR code at the right with the address under it.
    """
    cover = slide.kind in ("title", "closing")
    qr = qr_url and slide.kind == "title"
    classes = "cp-slide cp-cover" if cover else "cp-slide"
    classes += " cp-has-qr" if qr else ""
    parts = [
        f'<div class="cp-band"></div><h1 class="cp-title">{_e(slide.title)}</h1>',
    ]
    if slide.subtitle:
        parts.append(f'<div class="cp-sub">{_e(slide.subtitle)}</div>')
    if slide.table is not None:
        parts.append(f'<div class="cp-body">{table_html(slide.table)}</div>')
    else:
        text = "".join(block_html(b) for b in slide.blocks)
        chart = chart_html(slide.chart) if slide.chart is not None else ""
        chart_box = f'<div class="cp-chart">{chart}</div>' if chart else ""
        parts.append(f'<div class="cp-body"><div class="cp-text">{text}</div>{chart_box}</div>')
    if qr:
        parts.append(qr_figure_html(qr_url))
    return (
        f'<section class="{classes}" data-kind="{_e(slide.kind)}" data-number="{number}" '
        f'style="--accent:{_e(slide.accent)}" aria-label="{_e(slide.title)}">'
        + "".join(parts)
        + "</section>"
    )


# The page of html_file: each slide the whole canvas (16:9, fitting the window), one under the
# other, in the deck's typeface (Arial or its metric twin Liberation Sans).
STANDALONE_CSS = f"""
:root {{ --u: min(calc(100vh / {s.CANVAS_H}), calc(100vw / {s.CANVAS_W})); }}
body {{ margin: 0; overflow-x: hidden; background: #E0E0E0;
  font-family: Arial, "Liberation Sans", sans-serif; }}
.cp-slide {{ height: calc(var(--u) * {s.CANVAS_H}); margin-bottom: calc(var(--u) * 16); }}
"""


def html_file(subject: Subject) -> bytes:
    """The subject's deck as one web page, a slide under the other (the export format «html»):
    the same slides as the page «Presentazione», to open in a browser without coopplan."""
    deck = subject.deck
    title = deck[0].title if deck else subject.plan.meta.title
    slides = "\n".join(slide_html(slide, number) for number, slide in enumerate(deck, 1))
    page = (
        '<!DOCTYPE html>\n<html lang="it">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(title)}</title>\n<style>{css()}\n{STANDALONE_CSS}</style>\n</head>\n"
        f"<body>\n{slides}\n</body>\n</html>\n"
    )
    return page.encode("utf-8")


def short_address(url: str) -> str:
    """What to type when the code cannot be read: the host and port (and a path other than the
    home page), without the scheme; a filter in the query is said in words («con il filtro»),
    never printed as lines of «+» and «&»."""
    parts = urlsplit(url)
    shown = parts.netloc + (parts.path if parts.path not in ("", "/") else "")
    return f"{shown} · con il filtro" if parts.query else shown


def qr_figure_html(url: str, caption: str = QR_CAPTION, *, whole: bool = False) -> str:
    """A QR code of ``url`` (inline PNG) with ``caption`` and the address written under it:
    short (``short_address``) on a slide, ``whole`` where it is there to be copied."""
    return (
        f'<figure class="cp-qr" data-testid="cp-qr" data-url="{_e(url)}">'
        f'<img src="{qr_data_uri(url)}" alt="Codice QR dell\'indirizzo {_e(url)}">'
        f'<figcaption>{_e(caption)}<span class="cp-qr-url">{_e(url if whole else short_address(url))}</span>'
        "</figcaption>"
        "</figure>"
    )


def block_html(block: s.Block) -> str:
    parts = []
    if block.heading:
        parts.append(f'<div class="cp-heading">{_e(block.heading)}</div>')
    if block.detail:
        dot = (
            f'<span class="cp-dot" style="--dot:{_e(block.detail_color)}">●</span> '
            if block.detail_color
            else ""
        )
        parts.append(f'<div class="cp-detail">{dot}{_e(block.detail)}</div>')
    if block.columns:
        columns = "".join(_column_html(block, c) for c in block.columns)
        parts.append(f'<div class="cp-cols" style="--cols:{len(block.columns)}">{columns}</div>')
    return f'<div class="cp-block">{"".join(parts)}</div>'


def _column_html(block: s.Block, column: s.Column) -> str:
    label = f'<div class="cp-label">{_e(column.label)}</div>' if column.label else ""
    kind = "" if block.bullets else ' class="cp-plain"'
    items = "".join(f"<li>{_e(line)}</li>" for line in column.lines)
    return f"<div>{label}<ul{kind}>{items}</ul></div>" if items else f"<div>{label}</div>"


def table_html(table: s.TableSpec) -> str:
    numeric = table.numeric or (False,) * len(table.headers)
    cols = "".join(f'<col style="width:{w * 100:.2f}%">' for w in table.widths)

    def cls(j: int) -> str:
        return ' class="cp-num"' if numeric[j] else ""

    head = "".join(f"<th{cls(j)}>{_e(h)}</th>" for j, h in enumerate(table.headers))
    rows = []
    for i, row in enumerate(table.rows):
        cells = []
        for j, text in enumerate(row):
            dot = ""
            if j == table.mark_column and table.marks and table.marks[i]:
                dot = f'<span class="cp-dot" style="--dot:{_e(table.marks[i])}">●</span> '
            cells.append(f"<td{cls(j)}>{dot}{_e(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def chart_html(chart: s.ChartSpec) -> str:
    """Horizontal bars, one per category, labelled with the Italian value; with several series
    (preventivo and speso) one bar per series under each category, each value named."""
    if len(chart.series) > 1:
        return _grouped_chart_html(chart)
    series = chart.series[0]
    values = list(series.values)
    colors: Sequence[str] = chart.point_colors or [series.color] * len(values)
    top = max(values, default=0.0) or 1.0
    inline = len(values) > STACKED_BARS
    rows = []
    for name, value, color in zip(chart.categories, values, colors, strict=True):
        label = f'<div class="cp-bar-label" title="{_e(name)}">{_e(name)}</div>'
        row_class = "cp-bar-row cp-inline" if inline else "cp-bar-row"
        rows.append(f'<div class="{row_class}">{label}{_bar_html(chart, value, top, color)}</div>')
    return _figure_html(chart, rows)


def _grouped_chart_html(chart: s.ChartSpec) -> str:
    top = max((v for x in chart.series for v in x.values), default=0.0) or 1.0
    rows = []
    for i, name in enumerate(chart.categories):
        bars = "".join(
            _bar_html(chart, x.values[i], top, x.color, f"{x.name} ") for x in chart.series
        )
        label = f'<div class="cp-bar-label" title="{_e(name)}">{_e(name)}</div>'
        rows.append(f'<div class="cp-bar-row">{label}{bars}</div>')
    return _figure_html(chart, rows)


def _bar_html(chart: s.ChartSpec, value: float, top: float, color: str, prefix: str = "") -> str:
    shown = prefix + (fmt.money(value) if chart.money else fmt.number(value))
    width = 70 * value / top
    return (
        f'<div class="cp-bar-line"><div class="cp-bar" style="--bar:{_e(color)};'
        f'width:{width:.1f}%"></div><span class="cp-bar-value">{_e(shown)}</span></div>'
    )


def _figure_html(chart: s.ChartSpec, rows: Sequence[str]) -> str:
    return (
        f'<figure class="cp-bars" style="margin:0" aria-label="{_e(chart.title)}">'
        f'<figcaption class="cp-chart-title">{_e(chart.title)}</figcaption>'
        + "".join(rows)
        + "</figure>"
    )


def _e(text: object) -> str:
    """Escaped text, a number and its «€» or «%» kept on one line (issue 24 §4: «€» alone)."""
    return html.escape(fmt.units_kept(str(text)), quote=True)
