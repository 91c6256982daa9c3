"""The deck as a PowerPoint file: 16:9, native (editable) charts, Italian text, speaker notes.

Geometry comes from coopplan.slides (a 1280 x 720 px canvas, 1 px = 1/96 inch = 9525 EMU):
every box is placed where the deck's text budget says it fits, so nothing overflows.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from lxml import etree
from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType
from pptx.shapes.autoshape import Shape
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide as PptxSlide
from pptx.table import _Cell
from pptx.text.text import TextFrame, _Paragraph
from pptx.util import Emu, Pt

from coopplan import fmt
from coopplan import slides as s
from coopplan.palette import MUTED_COLOR, TEXT_COLOR

if TYPE_CHECKING:
    from coopplan.export.formats import Subject

EMU_PER_PX = 9525
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
FONT = "Arial"  # Liberation Sans (same metrics) in LibreOffice
LANG = "it-IT"
MONEY_FORMAT = fmt.SPREADSHEET_MONEY  # '#,##0 "€"' shown the Italian way (LCID 0x410)
COUNT_FORMAT = "[$-410]#,##0"
CHART_LABEL_PT = 20
CHART_AXIS_PT = 18
HEADER_FILL = "E8E8E8"
STRIPE_FILL = "F4F4F4"
WHITE = "FFFFFF"
BULLET = "•"
DOT = "●"


def px(value: float) -> Emu:
    return Emu(round(value * EMU_PER_PX))


def pt_of_px(value: float) -> Pt:
    return Pt(value * 0.75)


def rgb(color: str) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#").upper())


# Public API --------------------------------------------------------------------------------


def pptx_file(subject: Subject) -> bytes:
    """The subject's deck as PowerPoint (the export format «pptx»)."""
    return deck_to_pptx(subject.deck)


def deck_to_pptx(deck: Sequence[s.Slide]) -> bytes:
    """The deck as .pptx bytes."""
    prs = new_presentation(s.CANVAS_W, s.CANVAS_H)
    if deck:  # the file says which plan and which filter made it (File › Proprietà)
        prs.core_properties.title = deck[0].title
        prs.core_properties.subject = deck[0].footer or "Il piano intero"
    total = len(deck)
    for number, slide in enumerate(deck, 1):
        page = prs.slides.add_slide(prs.slide_layouts[6])  # blank
        draw_slide(page, slide)
        draw_footer(page, slide, number, total)
        if slide.notes:
            page.notes_slide.notes_text_frame.text = slide.notes
    return save(prs)


def new_presentation(width_px: float, height_px: float) -> PresentationType:
    prs = Presentation()
    prs.slide_width = px(width_px)
    prs.slide_height = px(height_px)
    return prs


def save(prs: PresentationType) -> bytes:
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


# Slides ------------------------------------------------------------------------------------


def draw_slide(page: PptxSlide, slide: s.Slide) -> None:
    if slide.kind in ("title", "closing"):
        draw_cover(page, slide)
        return
    add_rect(page, 0, 0, s.CANVAS_W, 10, slide.accent)
    title_h = s.title_height(slide.title)
    box = add_text(page, s.MARGIN_X, s.TITLE_Y, s.CONTENT_W, title_h)
    write(box.text_frame.paragraphs[0], slide.title, s.TITLE_PX, bold=True, line=s.TITLE_LINE)
    sub_y = s.TITLE_Y + title_h + s.SUBTITLE_GAP
    if slide.subtitle:
        sub_h = s.line_count(slide.subtitle, s.CONTENT_W) * s.BODY_LINE
        box = add_text(page, s.MARGIN_X, sub_y, s.CONTENT_W, sub_h)
        write(box.text_frame.paragraphs[0], slide.subtitle, s.BODY_PX, color=MUTED_COLOR)
    top = s.body_top(slide.title, slide.subtitle)
    if slide.table is not None:
        draw_table(page, slide.table, top)
        return
    text_w = s.HALF_W if slide.chart else s.CONTENT_W
    draw_blocks(page, slide.blocks, s.MARGIN_X, top, text_w)
    if slide.chart is not None:
        x = s.MARGIN_X + s.HALF_W + s.GUTTER
        draw_chart(page, slide.chart, x, top, s.HALF_W, s.BODY_BOTTOM - top)


def draw_cover(page: PptxSlide, slide: s.Slide) -> None:
    """Title and closing slides: a colour band, the title large, the subtitle and lines."""
    add_rect(page, 0, 0, 24, s.CANVAS_H, slide.accent)
    y = 200.0
    title_px = 56
    lines = max(1, s.line_count(slide.title, s.CONTENT_W, title_px, bold=True))
    box = add_text(page, s.MARGIN_X, y, s.CONTENT_W, lines * title_px * 1.2)
    write(box.text_frame.paragraphs[0], slide.title, title_px, bold=True, line=title_px * 1.2)
    y += lines * title_px * 1.2 + 16
    sub_px = 36
    box = add_text(page, s.MARGIN_X, y, s.CONTENT_W, sub_px * 1.3)
    write(box.text_frame.paragraphs[0], slide.subtitle, sub_px, line=sub_px * 1.3)
    y += sub_px * 1.3 + 24
    for block in slide.blocks:
        height = s.block_height(block)
        draw_block(page, block, s.MARGIN_X, y, s.CONTENT_W, color=MUTED_COLOR)
        y += height


def draw_footer(page: PptxSlide, slide: s.Slide, number: int, total: int) -> None:
    y = s.CANVAS_H - 44
    if slide.footer:
        box = add_text(page, s.MARGIN_X, y, s.CONTENT_W - 160, 28)
        text = s.fit_line(slide.footer, s.CONTENT_W - 160, s.FOOTER_PX)
        write(box.text_frame.paragraphs[0], text, s.FOOTER_PX, color=MUTED_COLOR, line=28)
    box = add_text(page, s.CANVAS_W - s.MARGIN_X - 150, y, 150, 28)
    paragraph = box.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.RIGHT
    write(paragraph, f"{number} / {total}", s.FOOTER_PX, color=MUTED_COLOR, line=28)


def draw_blocks(
    page: PptxSlide, blocks: Sequence[s.Block], x: float, y: float, width: float
) -> None:
    for block in blocks:
        draw_block(page, block, x, y, width)
        y += s.block_height(block, width) + s.BLOCK_GAP


def draw_block(
    page: PptxSlide, block: s.Block, x: float, y: float, width: float, color: str = TEXT_COLOR
) -> None:
    """Heading, detail line (with a coloured dot) and columns of bullets, at (x, y)."""
    heading_h = s.line_count(block.heading, width, bold=True) * s.BODY_LINE
    if heading_h:
        box = add_text(page, x, y, width, heading_h)
        write(box.text_frame.paragraphs[0], block.heading, s.BODY_PX, bold=True)
        y += heading_h
    detail_h = s.line_count(block.detail, width) * s.BODY_LINE
    if detail_h:
        box = add_text(page, x, y, width, detail_h)
        paragraph = box.text_frame.paragraphs[0]
        if block.detail_color:
            write(paragraph, DOT + " ", s.BODY_PX, color=block.detail_color)
        write(paragraph, block.detail, s.BODY_PX, color=MUTED_COLOR)
        y += detail_h
    col_w = s.column_width(block, width)
    for i, column in enumerate(block.columns):
        height = s.column_height(block, column, width)
        if not height:
            continue
        box = add_text(page, x + i * (col_w + s.GUTTER), y, col_w, height)
        write_column(box.text_frame, block, column, color)


def write_column(frame: TextFrame, block: s.Block, column: s.Column, color: str) -> None:
    first = True

    def next_paragraph() -> _Paragraph:
        nonlocal first
        paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
        first = False
        return paragraph

    if column.label:
        write(next_paragraph(), column.label, s.BODY_PX, bold=True, color=MUTED_COLOR)
    for line in column.lines:
        paragraph = next_paragraph()
        paragraph.space_after = pt_of_px(s.ITEM_GAP)
        if block.bullets:
            set_bullet(paragraph, s.BULLET_INDENT)
        write(paragraph, line, s.BODY_PX, color=color)


# Charts and tables -------------------------------------------------------------------------


def draw_chart(page: PptxSlide, spec: s.ChartSpec, x: float, y: float, w: float, h: float) -> None:
    """A native bar chart (editable in PowerPoint and Impress) with Italian number format."""
    number_format = MONEY_FORMAT if spec.money else COUNT_FORMAT
    data = CategoryChartData(number_format=number_format)
    data.categories = list(spec.categories)
    for series in spec.series:
        data.add_series(series.name, list(series.values))
    # python-pptx 1.0.2 annotates add_chart as taking its deprecated ChartData subclass and
    # returning a Chart; it takes any CategoryChartData and returns the GraphicFrame (its docstring).
    frame = page.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, px(x), px(y), px(w), px(h), data)  # type: ignore[arg-type]
    chart = cast(GraphicFrame, frame).chart
    chart.font.name = FONT
    chart.font.size = Pt(CHART_AXIS_PT)
    chart.font.color.rgb = rgb(TEXT_COLOR)
    chart.has_title = True
    chart.chart_title.text_frame.text = spec.title
    title_font = chart.chart_title.text_frame.paragraphs[0].runs[0].font
    title_font.size, title_font.bold = Pt(CHART_AXIS_PT), True
    chart.has_legend = len(spec.series) > 1
    plot = chart.plots[0]
    plot.gap_width = 50
    plot.vary_by_categories = bool(spec.point_colors)
    for series in plot.series:
        color = next(x.color for x in spec.series if x.name == series.name)
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = rgb(color)
    if spec.point_colors and len(plot.series) == 1:
        for i, color in enumerate(spec.point_colors):
            point = plot.series[0].points[i]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = rgb(color)
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = number_format
    labels.number_format_is_linked = False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = Pt(CHART_LABEL_PT)
    labels.font.bold = True
    biggest = max((v for x in spec.series for v in x.values), default=0.0)
    layout = chart_layout(spec, w, h)
    _set_plot_layout(chart, layout)
    value_axis = chart.value_axis
    value_axis.minimum_scale = 0
    value_axis.maximum_scale = biggest * layout.scale if biggest > 0 else 1
    value_axis.has_major_gridlines = False
    value_axis.visible = False
    value_axis.tick_labels.number_format = number_format
    value_axis.tick_labels.number_format_is_linked = False
    category_axis = chart.category_axis
    category_axis.reverse_order = True  # first category on top, as in the legend and the text
    category_axis.tick_labels.font.size = Pt(CHART_AXIS_PT)
    category_axis.format.line.color.rgb = rgb(MUTED_COLOR)
    _set_chart_language(chart)


# The plot area of a bar chart, placed by hand (LibreOffice's automatic layout gave the
# category labels half the chart and drew «20.000 €» against its right edge).
CATEGORY_SHARE = (0.22, 0.38)  # of the chart's width, for the category labels: at least, at most
CHART_TITLE_PX = 44  # the chart's title line and the space under it
CHART_PAD_PX = 8  # around the plot area, and between a bar's end and its label
LABEL_ROOM_PX = 16  # kept free right of the widest value label


@dataclass(frozen=True)
class ChartLayout:
    """Where the bars go, as fractions of the chart (DrawingML's manualLayout, inner target),
    and how much longer the value axis is than the biggest bar so its label fits after it."""

    x: float
    y: float
    w: float
    h: float
    scale: float


def chart_layout(spec: s.ChartSpec, w: float, h: float) -> ChartLayout:
    """The category labels get their measured width on two lines, within CATEGORY_SHARE of the
    chart; the bars the rest, the biggest one ending where its value label still fits inside
    the plot with LABEL_ROOM_PX to spare."""
    axis_px = CHART_AXIS_PT * 4 / 3
    widest = max((s.text_width(c, axis_px) for c in spec.categories), default=0.0)
    low, high = CATEGORY_SHARE
    labels = min(max(widest / 2 + CHART_PAD_PX, low * w), high * w)
    plot_w = w - labels - CHART_PAD_PX
    values = [v for x in spec.series for v in x.values]
    shown = [fmt.money(v) if spec.money else fmt.number(v) for v in values]
    label_px = max((s.text_width(t, CHART_LABEL_PT * 4 / 3, bold=True) for t in shown), default=0)
    bars = max(plot_w - label_px - CHART_PAD_PX - LABEL_ROOM_PX, plot_w * 0.3)
    top = CHART_TITLE_PX if spec.title else CHART_PAD_PX
    return ChartLayout(
        x=labels / w,
        y=top / h,
        w=plot_w / w,
        h=(h - top - CHART_PAD_PX) / h,
        scale=plot_w / bars,
    )


def _set_plot_layout(chart: Chart, layout: ChartLayout) -> None:
    """Give the plot area (bars only: the 'inner' target) a manual layout."""
    plot_area = chart._chartSpace.find(qn("c:chart")).find(qn("c:plotArea"))
    old = plot_area.find(qn("c:layout"))
    if old is not None:
        plot_area.remove(old)
    box = plot_area.makeelement(qn("c:layout"), {})
    manual = box.makeelement(qn("c:manualLayout"), {})
    fields = [("layoutTarget", "inner"), ("xMode", "edge"), ("yMode", "edge")]
    fields += [(k, f"{getattr(layout, k):.4f}") for k in ("x", "y", "w", "h")]
    for tag, value in fields:
        manual.append(manual.makeelement(qn(f"c:{tag}"), {"val": value}))
    box.append(manual)
    plot_area.insert(0, box)


def _set_chart_language(chart: Chart) -> None:
    """Mark the chart's text Italian (c:lang), so the application formats it the Italian way."""
    space = chart._chartSpace
    if space.find(qn("c:lang")) is None:
        lang = space.makeelement(qn("c:lang"), {"val": LANG})
        space.insert(0, lang)


def draw_table(page: PptxSlide, table: s.TableSpec, y: float, x: float = s.MARGIN_X) -> None:
    heights = [s.table_row_height(table.headers, table.widths, bold=True)]
    heights += [s.table_row_height(r, table.widths) for r in table.rows]
    rows, cols = len(heights), len(table.headers)
    frame = page.shapes.add_table(rows, cols, px(x), px(y), px(s.CONTENT_W), px(sum(heights)))
    grid = frame.table
    grid.first_row = True
    grid.horz_banding = False
    for j, fraction in enumerate(table.widths):
        grid.columns[j].width = px(s.CONTENT_W * fraction)
    for i, height in enumerate(heights):
        grid.rows[i].height = px(height)
    numeric = table.numeric or (False,) * cols
    for j, header in enumerate(table.headers):
        fill_cell(grid.cell(0, j), header, HEADER_FILL, bold=True, right=numeric[j])
    for i, row in enumerate(table.rows, 1):
        fill = STRIPE_FILL if i % 2 == 0 else WHITE
        for j, text in enumerate(row):
            mark = table.marks[i - 1] if (j == table.mark_column and table.marks) else ""
            fill_cell(grid.cell(i, j), text, fill, right=numeric[j], mark=mark)


def fill_cell(
    cell: _Cell, text: str, fill: str, *, bold: bool = False, right: bool = False, mark: str = ""
) -> None:
    fill_solid(cell, fill)
    cell.margin_left = cell.margin_right = px(s.CELL_PAD_X)
    cell.margin_top = cell.margin_bottom = px(s.CELL_PAD_Y)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame = cell.text_frame
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    if right:
        paragraph.alignment = PP_ALIGN.RIGHT
    if mark:
        write(paragraph, DOT + " ", s.BODY_PX, color=mark)
    write(paragraph, text, s.BODY_PX, bold=bold)


# Text primitives ---------------------------------------------------------------------------


def add_text(page: PptxSlide, x: float, y: float, w: float, h: float) -> Shape:
    """A text box with no inner margins and no autofit: the deck already measured the text."""
    box = page.shapes.add_textbox(px(x), px(y), px(w), px(h))
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    frame.vertical_anchor = MSO_ANCHOR.TOP
    return box


def write(
    paragraph: _Paragraph,
    text: str,
    size_px: float,
    *,
    bold: bool = False,
    color: str = TEXT_COLOR,
    line: float = s.BODY_LINE,
) -> None:
    """Append a run of Italian text to ``paragraph`` at ``size_px`` with a fixed line height.

    Written as XML directly (python-pptx's font properties cost ~2 ms per run; a deck has
    thousands): <a:r><a:rPr lang sz b><a:solidFill/><a:latin/></a:rPr><a:t/></a:r>.
    """
    p = paragraph._p
    p_pr = p.get_or_add_pPr()
    spacing = p_pr.find(_A + "lnSpc")
    if spacing is None:
        spacing = etree.Element(_A + "lnSpc")
        p_pr.insert(0, spacing)
    for child in list(spacing):
        spacing.remove(child)
    etree.SubElement(spacing, _A + "spcPts", val=str(round(line * 75)))  # px -> 1/100 pt
    run = etree.Element(_A + "r")
    attrs = {"lang": LANG, "sz": str(round(size_px * 75)), "b": "1" if bold else "0"}
    r_pr = etree.SubElement(run, _A + "rPr", attrs)
    fill = etree.SubElement(r_pr, _A + "solidFill")
    etree.SubElement(fill, _A + "srgbClr", val=color.lstrip("#").upper())
    etree.SubElement(r_pr, _A + "latin", typeface=FONT)
    etree.SubElement(run, _A + "t").text = text
    end = p.find(_A + "endParaRPr")
    if end is None:
        p.append(run)
    else:
        end.addprevious(run)


def fill_solid(cell: _Cell, color: str) -> None:
    """A table cell's background (XML directly, like write())."""
    tc_pr = cell._tc.get_or_add_tcPr()
    for tag in ("noFill", "solidFill", "gradFill", "blipFill", "pattFill", "grpFill"):
        for old in tc_pr.findall(_A + tag):
            tc_pr.remove(old)
    fill = etree.SubElement(tc_pr, _A + "solidFill")
    etree.SubElement(fill, _A + "srgbClr", val=color.lstrip("#").upper())


def set_bullet(paragraph: _Paragraph, indent_px: float) -> None:
    """A '•' bullet with a hanging indent of ``indent_px``."""
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.set("marL", str(px(indent_px)))
    p_pr.set("indent", str(-px(indent_px)))
    for tag in ("a:buSzPct", "a:buFont", "a:buNone", "a:buChar", "a:buAutoNum"):
        for old in p_pr.findall(qn(tag)):
            p_pr.remove(old)
    p_pr.append(p_pr.makeelement(qn("a:buSzPct"), {"val": "100000"}))
    p_pr.append(p_pr.makeelement(qn("a:buFont"), {"typeface": FONT}))
    p_pr.append(p_pr.makeelement(qn("a:buChar"), {"char": BULLET}))


def add_rect(page: PptxSlide, x: float, y: float, w: float, h: float, color: str) -> Shape:
    shape = page.shapes.add_shape(MSO_SHAPE.RECTANGLE, px(x), px(y), px(w), px(h))
    shape.fill.solid()
    shape.fill.fore_color.rgb = rgb(color)
    shape.line.fill.background()
    shape.shadow.inherit = False
    return shape
