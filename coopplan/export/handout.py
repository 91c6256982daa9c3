"""The printable handout: a cover with the plan in short, one A4 landscape page per pista, then
the budget table.

Drawn with python-pptx on A4-sized pages (so every box is placed where it fits, as in the
deck) and turned into PDF by LibreOffice (coopplan.export.pdf). A pista whose projects do not
fit on one page continues on the next ("(segue)").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from pptx.enum.text import PP_ALIGN
from pptx.slide import Slide as PptxSlide
from pptx.table import _Cell

from coopplan import fmt, kinds, spending
from coopplan import slides as s
from coopplan.export import pptx as px_
from coopplan.export.pdf import office_to_pdf
from coopplan.palette import MUTED_COLOR, TEXT_COLOR, mark_color, status_color
from coopplan.plan import Plan, ProjectCard

if TYPE_CHECKING:
    from coopplan.export.formats import Subject
    from coopplan.since import SinceReport

PAGE_W, PAGE_H = 1123, 794  # A4 landscape in px at 96 dpi (297 x 210 mm)
MARGIN = 44
WIDTH = PAGE_W - 2 * MARGIN
TEXT_PX, LINE = 13.5, 17  # 10,1 pt: the smallest body a printed page reads well at
TITLE_PX, TITLE_LINE = 24, 30
PAD_X, PAD_Y = 6, 4
GAP = 14
FOOTER_Y = PAGE_H - 34
BOTTOM = FOOTER_Y - 10
BULLET = "• "
PROJECT_WIDTHS = (0.19, 0.09, 0.28, 0.28, 0.16)
PROJECT_HEADERS = ("Progetto", "Stato", "Attività realizzate", "Ipotesi di lavoro", "Budget")


@dataclass(frozen=True)
class Cell:
    lines: tuple[str, ...]  # one paragraph each
    bold: bool = False
    mark: str = ""  # colour of a dot before the first line
    right: bool = False


Row = tuple[Cell, ...]


# Measuring ---------------------------------------------------------------------------------


def text_lines(text: str, width: float, bold: bool = False) -> int:
    return max(1, s.line_count(text, width, TEXT_PX, bold=bold))


def cell_height(cell: Cell, width: float) -> float:
    inner = width - 2 * PAD_X
    return sum(text_lines(line, inner, cell.bold) for line in cell.lines or ("",)) * LINE


def row_height(row: Row, widths: Sequence[float]) -> float:
    return max(cell_height(c, WIDTH * w) for c, w in zip(row, widths, strict=True)) + 2 * PAD_Y


def lines_block_height(pairs: Sequence[tuple[str, str]], width: float) -> float:
    """Titles (bold) each followed by a paragraph, laid out in two columns."""
    col_w = (width - GAP) / 2
    heights = [
        (text_lines(t, col_w, True) + (text_lines(d, col_w) if d else 0)) * LINE + 6
        for t, d in pairs
    ]
    left, right = heights[0::2], heights[1::2]
    return max(sum(left), sum(right), 0.0)


# Building ----------------------------------------------------------------------------------


def handout_pptx(
    plan: Plan,
    filter_label: str = "",
    note: str = "",
    since: SinceReport | None = None,
    today: dt.date | None = None,
) -> bytes:
    """The handout as a .pptx of A4 landscape pages (``filter_label``, ``note``, ``today``: as
    build_deck; ``since``: «Dall'ultima assemblea» on the first page(s)). After the budget, the
    «Spese» page (only with a consuntivo) and the «Scadenze» (only when something falls due)."""
    facts = s.facts(plan)
    prs = px_.new_presentation(PAGE_W, PAGE_H)
    pages: list[SincePage | TrackPage | BudgetPage | GridPage] = [
        cover_page(facts, filter_label, note)
    ]
    if since is not None:
        pages += since_pages(since)
    for code in plan.track_codes:
        if filter_label and not facts.projects_of(code):
            continue
        pages += track_pages(facts, code)
    pages += budget_pages(facts)
    pages += spending_pages(plan)
    pages += due_pages(plan, today or dt.date.today())
    parts = (plan.meta.title, plan.meta.organization, filter_label, note)
    header = " · ".join(x for x in parts if x)
    # the PDF's title (a file browser, a screen reader) names the plan and the filter
    prs.core_properties.title = " · ".join(x for x in (plan.meta.title, filter_label) if x)
    prs.core_properties.subject = "Dispensa del piano di lavoro"
    for number, content in enumerate(pages, 1):
        page = prs.slides.add_slide(prs.slide_layouts[6])
        if isinstance(content, SincePage):
            draw_since_page(page, content)
        elif isinstance(content, TrackPage):
            draw_track_page(page, content)
        elif isinstance(content, GridPage):
            draw_grid_page(page, content)
        else:
            draw_budget_page(page, content, facts, budget_title(filter_label))
        draw_page_footer(page, header, number, len(pages))
    return px_.save(prs)


def handout_pdf(
    plan: Plan,
    filter_label: str = "",
    note: str = "",
    since: SinceReport | None = None,
    today: dt.date | None = None,
) -> bytes:
    return office_to_pdf(handout_pptx(plan, filter_label, note, since, today))


def handout_file(subject: Subject) -> bytes:
    """The subject's handout as PDF (the export format «pdf»)."""
    return handout_pdf(
        subject.plan, subject.filter_label, subject.note, subject.since, subject.today
    )


@dataclass(frozen=True)
class SincePage:
    title: str
    subtitle: str
    lines: tuple[tuple[str, bool], ...]  # (text, is a lead in bold); the others are bullets


def cover_page(facts: s.Facts, filter_label: str = "", note: str = "") -> SincePage:
    """The first page: the plan's title, whose plan and of when, the filter that made the file,
    then the plan in short: its counts, the piste, each source's total."""
    plan = facts.plan
    meta = plan.meta
    when = f"versione del {fmt.date(meta.version_date)}" if meta.version_date else ""
    subtitle = " · ".join(x for x in (meta.organization, when, note) if x)
    lines: list[tuple[str, bool]] = []
    if filter_label:
        lines.append((f"Filtro: {filter_label}. La dispensa mostra solo i progetti scelti.", True))
    lines.append((s.counts_sentence(plan)[:1].upper() + s.counts_sentence(plan)[1:] + ".", True))
    lines.append(("Le piste di lavoro", True))
    for code in plan.track_codes:
        if filter_label and not facts.projects_of(code):
            continue
        mine = fmt.count(len(facts.projects_of(code)), "progetto", "progetti")
        lines.append((f"{BULLET}{facts.track_titles[code]} ({mine})", False))
    lines.append(("Le fonti di finanziamento", True))
    lines += [(BULLET + kinds.total_line(n, *facts.totals[n]), False) for n in facts.totals]
    return SincePage(meta.title, subtitle, tuple(lines))


def budget_title(filter_label: str) -> str:
    """«Budget complessivo» for the whole plan; under a filter the table holds the filtered
    projects and the chosen sources only, and says so."""
    return "Budget dei progetti scelti dal filtro" if filter_label else "Budget complessivo"


def since_pages(report: SinceReport) -> list[SincePage]:
    """«Dall'ultima assemblea»: each lead in bold and its items as bullets, continued on pages
    titled "(segue)" when they do not fit."""
    from coopplan.since import SLIDE_TITLE

    subtitle = report.start + (f" ({report.versions})" if report.versions else "")
    lines = [
        line
        for lead, items in report.parts()
        for line in [(lead, True), *((BULLET + item, False) for item in items)]
    ]
    budget = BOTTOM - (MARGIN + TITLE_LINE + LINE + GAP)
    pages: list[SincePage] = []
    page: list[tuple[str, bool]] = []
    used = 0.0
    for text, bold in lines:
        need = text_lines(text, WIDTH, bold) * LINE + (GAP / 2 if bold else 0)
        if page and used + need > budget:
            pages.append(SincePage(SLIDE_TITLE, subtitle, tuple(page)))
            page, used = [], 0.0
        page.append((text, bold))
        used += need
    pages.append(SincePage(SLIDE_TITLE, subtitle, tuple(page)))
    return [replace(p, title=p.title + (s.CONTINUED if i else "")) for i, p in enumerate(pages)]


@dataclass(frozen=True)
class TrackPage:
    title: str
    summary: str
    color: str
    filoni: tuple[tuple[str, str], ...]  # empty on continued pages
    rows: tuple[Row, ...]


def track_pages(facts: s.Facts, code: str) -> list[TrackPage]:
    """The pista's page, and continued pages while its projects do not fit."""
    plan = facts.plan
    position = plan.track_codes.index(code) + 1
    title = f"Pista {position} · {facts.track_titles[code]}"
    cards = facts.projects_of(code)
    summary = " · ".join([fmt.count(len(cards), "progetto", "progetti"), *facts.track_budget(code)])
    lines = plan.lines.loc[plan.lines["track"] == code]
    filoni = tuple(zip(lines["title"], lines["description"], strict=True))
    header = row_height(header_row(PROJECT_HEADERS), PROJECT_WIDTHS)
    full_page = BOTTOM - track_body_top(()) - header
    rows = [
        part for card in cards for part in split_row(project_row(card), PROJECT_WIDTHS, full_page)
    ]
    pages: list[TrackPage] = []
    while True:
        first = not pages
        budget = BOTTOM - track_body_top(filoni if first else ()) - header
        taken = pack_rows(rows, PROJECT_WIDTHS, budget, at_least_one=not first)
        pages.append(
            TrackPage(
                title=title if first else title + s.CONTINUED,
                summary=summary,
                color=facts.track_colors[code],
                filoni=filoni if first else (),
                rows=tuple(taken),
            )
        )
        rows = rows[len(taken) :]
        if not rows:
            return pages


def pack_rows(
    rows: Sequence[Row], widths: Sequence[float], budget: float, at_least_one: bool
) -> list[Row]:
    """The first rows that fit in ``budget`` px (one at least when ``at_least_one``)."""
    taken: list[Row] = []
    used = 0.0
    for row in rows:
        used += row_height(row, widths)
        if used > budget and (taken or not at_least_one):
            break
        taken.append(row)
    return taken


def split_row(row: Row, widths: Sequence[float], limit: float) -> list[Row]:
    """A row taller than ``limit`` px as several rows, cutting its cells paragraph by paragraph;
    the name of the project is repeated with "(segue)"."""
    if row_height(row, widths) <= limit:
        return [row]
    first: list[Cell] = []
    rest: list[Cell] = []
    for cell, width in zip(row, widths, strict=True):
        take = len(cell.lines)
        while (
            take > 1
            and cell_height(replace(cell, lines=cell.lines[:take]), WIDTH * width) + 2 * PAD_Y
            > limit
        ):
            take -= 1
        first.append(replace(cell, lines=cell.lines[:take]))
        rest.append(replace(cell, lines=cell.lines[take:]))
    if not any(c.lines for c in rest):
        return [row]  # one paragraph taller than a page: nothing left to cut
    name = first[0].lines[0] + s.CONTINUED if first[0].lines else s.CONTINUED.strip()
    rest[0] = replace(rest[0], lines=(name,))
    rest[1] = first[1]  # the stato again
    return [tuple(first), *split_row(tuple(rest), widths, limit)]


def track_body_top(filoni: Sequence[tuple[str, str]]) -> float:
    top: float = MARGIN + TITLE_LINE + LINE + GAP
    if filoni:
        top += LINE + lines_block_height(filoni, WIDTH) + GAP
    return top


def header_row(headers: Sequence[str], right: Sequence[bool] = ()) -> Row:
    right = tuple(right) or (False,) * len(headers)
    return tuple(Cell((h,), bold=True, right=r) for h, r in zip(headers, right, strict=True))


def project_row(card: ProjectCard) -> Row:
    status = card.status
    name = [s.project_heading(card)]
    if card.subtitle:
        name.append(card.subtitle)
    budget = s.funding_words(card) or [s.NONE_TEXT]
    if card.notes:
        budget.append(card.notes)
    done = tuple(BULLET + t for t in card.done) or (s.NONE_TEXT,)
    planned = tuple(BULLET + t for t in card.planned) or (s.NONE_TEXT,)
    return (
        Cell(tuple(name), bold=False),
        Cell((status,), mark=status_color(status)),
        Cell(done),
        Cell(planned),
        Cell(tuple(budget)),
    )


BudgetPage = tuple[tuple[str, ...], tuple[Row, ...], tuple[float, ...], bool]  # ..., continued


def budget_pages(facts: s.Facts) -> list[BudgetPage]:
    """The budget table over as many pages as it needs, the header on each."""
    headers, rows, widths = budget_rows(facts)
    right = (False, False, False, *([True] * (len(headers) - 3)))
    budget = BOTTOM - budget_body_top() - row_height(header_row(headers, right), widths)
    pages: list[BudgetPage] = []
    left = list(rows)
    while left:
        taken = pack_rows(left, widths, budget, at_least_one=True)
        pages.append((headers, tuple(taken), widths, bool(pages)))
        left = left[len(taken) :]
    return pages


def budget_body_top() -> float:
    return MARGIN + TITLE_LINE + 2 * LINE + GAP


def budget_rows(facts: s.Facts) -> tuple[tuple[str, ...], tuple[Row, ...], tuple[float, ...]]:
    """The budget table: one row per project, one column per source, a total row."""
    sources = list(facts.totals)
    headers = ("Progetto", "Voce di budget", "Pista", *sources)
    rows: list[Row] = []
    for card in facts.cards.values():
        cells = [Cell((card.title,)), Cell((card.budget_line or s.NONE_TEXT,))]
        cells.append(Cell((card.track,)))
        for name in sources:
            value = card.value(name)
            if value is not None and kinds.pays(value):
                text = kinds.format_value(facts.totals[name][0], value)
            else:
                text = s.NONE_TEXT
            cells.append(Cell((text,), right=True))
        rows.append(tuple(cells))
    total = [Cell(("Totale",), bold=True), Cell(("",)), Cell(("",))]
    for name in sources:
        kind, value, count = facts.totals[name]
        text = kinds.format_total(kind, value)
        total.append(Cell((text,), bold=True, right=True))
    rows.append(tuple(total))
    n = len(sources)
    fixed = (0.3, 0.22, 0.07) if n else (0.5, 0.35, 0.15)
    rest = (1 - sum(fixed)) / n if n else 0.0
    return headers, tuple(rows), (*fixed, *([rest] * n))


@dataclass(frozen=True)
class GridPage:
    """A page of sentences (leads in bold) over a table; continued pages carry the table only."""

    title: str
    subtitle: str
    lines: tuple[tuple[str, bool], ...]
    rows: tuple[Row, ...]  # the header row first
    widths: tuple[float, ...]


SPENDING_WIDTHS = (0.16, 0.1, 0.1, 0.09, 0.09, 0.07, 0.1, 0.11, 0.18)
DUE_WIDTHS = (0.26, 0.22, 0.15, 0.09, 0.14, 0.14)
DUE_ROWS = 40  # projects listed in the handout (two pages); the rest counted


def spending_pages(plan: Plan) -> list[GridPage]:
    """«Spese»: the sentences of the «Spese» slide, then per euro source preventivo, impegnato,
    speso, residuo, % speso, scostamento and the notes of the large ones. None without a
    consuntivo, as in the deck."""
    if not plan.has_spending or not plan.amount_sources:
        return []
    table = spending.summary_table(plan, "source")
    headers = tuple(str(c) for c in table.columns)
    right = (False, *([True] * (len(headers) - 2)), False)
    rows = [
        tuple(
            Cell((str(v),), bold=i == len(table) - 1, right=r)
            for v, r in zip(values, right, strict=True)
        )
        for i, values in enumerate(table.itertuples(index=False))
    ]
    lines = [(line, False) for line in spending.spending_sentences(plan)]
    when = plan.meta.version_date
    subtitle = f"Consuntivo al {fmt.date(when)}" if when else "Consuntivo per fonte"
    header = header_row(headers, right)
    return grid_pages(s.SPENDING_TITLE, subtitle, lines, header, rows, SPENDING_WIDTHS)


def due_pages(plan: Plan, today: dt.date) -> list[GridPage]:
    """«Scadenze»: the projects falling due before the next assembly, overdue first, with
    referente and stato (coopplan.spending.due_table); none when nothing falls due."""
    due = plan.falling_due(today)
    if due.empty:
        return []
    horizon = spending.horizon(plan, today)
    table = spending.due_table(due.iloc[:DUE_ROWS]).drop(columns=[spending.DUE_HEADERS["id"]])
    stato = list(table.columns).index(spending.DUE_HEADERS["status"])
    rows = [
        tuple(
            Cell((str(v),), mark=mark_color(str(v)) if j == stato else "")
            for j, v in enumerate(values)
        )
        for values in table.itertuples(index=False)
    ]
    if len(due) > DUE_ROWS:
        rest = spending.others(len(due) - DUE_ROWS)
        said = f"… e {rest}: l'elenco intero è nella pagina «Scadenze» della dashboard"
        rows.append((Cell((said,)), *(Cell(("",)) for _ in table.columns[1:])))
    late = int(due["overdue"].sum())
    said = (
        f"Oggi, {fmt.date(today)}: "
        f"{fmt.count(late, 'progetto in ritardo', 'progetti in ritardo')}, "
        f"{fmt.count(len(due) - late, 'in scadenza', 'in scadenza')}."
    )
    header = header_row(tuple(str(c) for c in table.columns))
    subtitle = horizon.words[:1].upper() + horizon.words[1:]
    return grid_pages(s.DUE_TITLE, subtitle, ((said, False),), header, rows, DUE_WIDTHS)


def grid_pages(
    title: str,
    subtitle: str,
    lines: Sequence[tuple[str, bool]],
    header: Row,
    rows: Sequence[Row],
    widths: tuple[float, ...],
) -> list[GridPage]:
    """The sentences and the table over as many pages as the rows need, the header on each."""
    pages: list[GridPage] = []
    left = list(rows)
    while True:
        first = not pages
        shown = tuple(lines) if first else ()
        budget = BOTTOM - grid_body_top(shown) - row_height(header, widths)
        taken = pack_rows(left, widths, budget, at_least_one=True)
        name = title if first else title + s.CONTINUED
        pages.append(GridPage(name, subtitle, shown, (header, *taken), widths))
        left = left[len(taken) :]
        if not left:
            return pages


def lines_height(lines: Sequence[tuple[str, bool]]) -> float:
    """Sentences one under the other, a lead (bold) with a half gap above it."""
    return sum(text_lines(t, WIDTH, b) * LINE + (GAP / 2 if b else 0) for t, b in lines)


def grid_body_top(lines: Sequence[tuple[str, bool]]) -> float:
    top: float = MARGIN + TITLE_LINE + LINE + GAP
    return top + (lines_height(lines) + GAP if lines else 0)


# Drawing -----------------------------------------------------------------------------------


def draw_track_page(page: PptxSlide, content: TrackPage) -> None:
    px_.add_rect(page, 0, 0, PAGE_W, 8, content.color)
    y = float(MARGIN)
    box = px_.add_text(page, MARGIN, y, WIDTH, TITLE_LINE)
    px_.write(box.text_frame.paragraphs[0], content.title, TITLE_PX, bold=True, line=TITLE_LINE)
    y += TITLE_LINE
    box = px_.add_text(page, MARGIN, y, WIDTH, LINE)
    px_.write(box.text_frame.paragraphs[0], content.summary, TEXT_PX, color=MUTED_COLOR, line=LINE)
    y += LINE + GAP
    if content.filoni:
        box = px_.add_text(page, MARGIN, y, WIDTH, LINE)
        px_.write(
            box.text_frame.paragraphs[0], "I filoni di intervento", TEXT_PX, bold=True, line=LINE
        )
        y += LINE
        draw_filoni(page, content.filoni, y)
        y += lines_block_height(content.filoni, WIDTH) + GAP
    rows = (header_row(PROJECT_HEADERS), *content.rows)
    draw_grid(page, rows, PROJECT_WIDTHS, y)


def draw_since_page(page: PptxSlide, content: SincePage) -> None:
    draw_text_page(page, content.title, content.subtitle, content.lines)


def draw_text_page(
    page: PptxSlide, title: str, subtitle: str, lines: Sequence[tuple[str, bool]]
) -> float:
    """Title, subtitle and sentences (leads in bold); returns where the text ends."""
    px_.add_rect(page, 0, 0, PAGE_W, 8, TEXT_COLOR)
    box = px_.add_text(page, MARGIN, MARGIN, WIDTH, TITLE_LINE)
    px_.write(box.text_frame.paragraphs[0], title, TITLE_PX, bold=True, line=TITLE_LINE)
    box = px_.add_text(page, MARGIN, MARGIN + TITLE_LINE, WIDTH, LINE)
    px_.write(box.text_frame.paragraphs[0], subtitle, TEXT_PX, color=MUTED_COLOR, line=LINE)
    y: float = MARGIN + TITLE_LINE + LINE + GAP
    for text, bold in lines:
        y += GAP / 2 if bold else 0
        height = text_lines(text, WIDTH, bold) * LINE
        box = px_.add_text(page, MARGIN, y, WIDTH, height)
        px_.write(box.text_frame.paragraphs[0], text, TEXT_PX, bold=bold, line=LINE)
        y += height
    return y


def draw_grid_page(page: PptxSlide, content: GridPage) -> None:
    draw_text_page(page, content.title, content.subtitle, content.lines)
    draw_grid(page, content.rows, content.widths, grid_body_top(content.lines))


def draw_filoni(page: PptxSlide, filoni: Sequence[tuple[str, str]], top: float) -> None:
    col_w = (WIDTH - GAP) / 2
    for column in (0, 1):
        y = top
        for title, description in filoni[column::2]:
            height = (
                text_lines(title, col_w, True)
                + (text_lines(description, col_w) if description else 0)
            ) * LINE
            box = px_.add_text(page, MARGIN + column * (col_w + GAP), y, col_w, height)
            frame = box.text_frame
            px_.write(frame.paragraphs[0], title, TEXT_PX, bold=True, line=LINE)
            if description:
                px_.write(frame.add_paragraph(), description, TEXT_PX, line=LINE)
            y += height + 6


def draw_budget_page(
    page: PptxSlide, content: BudgetPage, facts: s.Facts, title: str = "Budget complessivo"
) -> None:
    headers, rows, widths, continued = content
    px_.add_rect(page, 0, 0, PAGE_W, 8, TEXT_COLOR)
    box = px_.add_text(page, MARGIN, MARGIN, WIDTH, TITLE_LINE)
    title += s.CONTINUED if continued else ""
    px_.write(box.text_frame.paragraphs[0], title, TITLE_PX, bold=True, line=TITLE_LINE)
    summary = " · ".join(kinds.total_line(n, *facts.totals[n]) for n in facts.totals)
    box = px_.add_text(page, MARGIN, MARGIN + TITLE_LINE, WIDTH, LINE * 2)
    px_.write(box.text_frame.paragraphs[0], summary, TEXT_PX, color=MUTED_COLOR, line=LINE)
    right = (False, False, False, *([True] * (len(headers) - 3)))
    draw_grid(page, (header_row(headers, right), *rows), widths, budget_body_top())


def draw_grid(page: PptxSlide, rows: Sequence[Row], widths: Sequence[float], y: float) -> None:
    heights = [row_height(r, widths) for r in rows]
    frame = page.shapes.add_table(
        len(rows), len(widths), px_.px(MARGIN), px_.px(y), px_.px(WIDTH), px_.px(sum(heights))
    )
    grid = frame.table
    grid.first_row = True
    grid.horz_banding = False
    for j, fraction in enumerate(widths):
        grid.columns[j].width = px_.px(WIDTH * fraction)
    for i, height in enumerate(heights):
        grid.rows[i].height = px_.px(height)
    for i, row in enumerate(rows):
        fill = px_.HEADER_FILL if i == 0 else (px_.STRIPE_FILL if i % 2 == 0 else px_.WHITE)
        for j, cell in enumerate(row):
            write_cell(grid.cell(i, j), cell, fill)


def write_cell(target: _Cell, cell: Cell, fill: str) -> None:
    px_.fill_solid(target, fill)
    target.margin_left = target.margin_right = px_.px(PAD_X)
    target.margin_top = target.margin_bottom = px_.px(PAD_Y)
    frame = target.text_frame
    frame.word_wrap = True
    for i, line in enumerate(cell.lines or ("",)):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if cell.right:
            paragraph.alignment = PP_ALIGN.RIGHT
        if cell.mark and i == 0:
            px_.write(paragraph, px_.DOT + " ", TEXT_PX, color=cell.mark, line=LINE)
        px_.write(paragraph, line, TEXT_PX, bold=cell.bold, line=LINE)


def draw_page_footer(page: PptxSlide, header: str, number: int, total: int) -> None:
    box = px_.add_text(page, MARGIN, FOOTER_Y, WIDTH - 160, LINE)
    text = s.fit_line(header, WIDTH - 160, TEXT_PX)
    px_.write(box.text_frame.paragraphs[0], text, TEXT_PX, color=MUTED_COLOR, line=LINE)
    box = px_.add_text(page, PAGE_W - MARGIN - 150, FOOTER_Y, 150, LINE)
    paragraph = box.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.RIGHT
    px_.write(paragraph, f"Pagina {number} di {total}", TEXT_PX, color=MUTED_COLOR, line=LINE)
