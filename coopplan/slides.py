"""The presentation deck as data: the same slides for the browser, PowerPoint and the handout.

``build_deck(plan)`` turns a Plan into a list of frozen Slides. Renderers (the Streamlit page,
coopplan.export.pptx) only draw what is here; they never read the plan again.

Every slide is laid out on a 1280 x 720 canvas (16:9; 1 unit = 1 px at 1280 x 720, 1/96 inch in
PowerPoint) with body text at 28 px (21 pt). The text budget below is what fits under the title
band at that size; a slide whose text exceeds it is split into continued slides ("(segue)"),
never drawn in smaller type. Text is measured with per-letter widths of Arial (Liberation Sans
in LibreOffice), the widest of the fonts used, plus a safety margin; the browser's font is
narrower, so what fits in PowerPoint fits on screen too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from coopplan import fmt, kinds, scope, spending
from coopplan.palette import (
    PLANNED_COLOR,
    SOURCE_COLORS,
    SPENT_COLOR,
    TEXT_COLOR,
    TRACK_COLORS,
    colors_for,
    darkened,
    mark_color,
    status_color,
)
from coopplan.plan import Plan, ProjectCard
from coopplan.workbook.schema import STATUSES

# Canvas and text budget (px of the 1280 x 720 canvas) -------------------------------------------

CANVAS_W, CANVAS_H = 1280, 720
MARGIN_X = 56
CONTENT_W = CANVAS_W - 2 * MARGIN_X
TITLE_PX, BODY_PX, FOOTER_PX = 44, 28, 18
BODY_LINE = 35  # 28 px text at line height 1.25
TITLE_LINE = 52  # 44 px text at line height 1.18
TITLE_Y = 24  # top of the title
SUBTITLE_GAP = 4  # between the title and the subtitle
BODY_GAP = 20  # between the subtitle and the body
BODY_BOTTOM = 648  # the footer band (slide number; the buttons in the browser) starts here
GUTTER = 32  # between columns, and between the text and the chart
HALF_W = (CONTENT_W - GUTTER) / 2  # the text beside a chart, and the chart
BULLET_INDENT = 32  # the bullet and its indent
ITEM_GAP = 2  # extra space after each bullet
BLOCK_GAP = 14  # between two blocks
CELL_PAD_X, CELL_PAD_Y = 10, 4  # table cell padding
MATRIX_WIDTHS = (0.32, 0.22, 0.16, 0.16, 0.14)  # Progetto, Pista, Stato, Realizzate, Ipotesi
DUE_HEADERS = ("Progetto", "Referente", "Scadenza", "Quando", "Stato")
DUE_WIDTHS = (0.33, 0.2, 0.15, 0.18, 0.14)
SPENDING_TITLE, DUE_TITLE = "Spese", "Scadenze"
DUE_SHOWN = 8  # projects listed on «Scadenze» (one or two slides); the rest counted
MAX_CHART_BARS = 10  # more categories than this: no chart on the slide (the text lists them)
WIDTH_SAFETY = 1.06  # measured widths are at most ~6% under Arial's on the shipped plan's text

MIN_PART_ITEMS = 2  # a project cut across slides keeps at least this many items on each
NONE_TEXT = "—"  # an empty cell of the handout's tables
NO_ACTIVITY = "Nessuna attività registrata"  # an empty column of a project on a slide
UNDEFINED_TEXT = "Progetto da definire"  # a project with no activity and no note
CONTINUED = " (segue)"


# The deck ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A labelled list of bullet lines inside a block (e.g. "Attività realizzate")."""

    label: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    """A heading with an optional detail line and one or two columns of bullets."""

    heading: str = ""
    detail: str = ""  # a short line under the heading (status, budget)
    detail_color: str = ""
    columns: tuple[Column, ...] = ()
    bullets: bool = True


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]
    color: str


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart: one bar per category; one series (bars coloured by category) or several."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    money: bool  # values are euros (else counts of projects)
    point_colors: tuple[str, ...] = ()  # one colour per category (single-series charts)

    @property
    def values(self) -> dict[str, tuple[float, ...]]:
        """Series name -> values."""
        return {s.name: s.values for s in self.series}


@dataclass(frozen=True)
class TableSpec:
    """A table; ``widths`` are fractions of the content width; ``marks`` colour one column."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    mark_column: int = -1  # cells of this column get the colour in ``marks`` (same row)
    marks: tuple[str, ...] = ()
    numeric: tuple[bool, ...] = ()  # right-aligned columns


@dataclass(frozen=True)
class Slide:
    kind: str  # "title" | "tracks" | "overview" | "status" | "track" | "source" |
    # "spending" | "matrix" | "due" | "closing" (and "since", coopplan.since)
    title: str
    subtitle: str = ""
    blocks: tuple[Block, ...] = ()
    chart: ChartSpec | None = None
    table: TableSpec | None = None
    notes: str = ""
    accent: str = TEXT_COLOR
    continued: bool = False
    footer: str = ""  # the active filter, if any


# Text measurement --------------------------------------------------------------------------


def _em(ch: str) -> float:
    """Width of a character in em, for Arial (an upper bound of the typical letter)."""
    if ch == " ":
        return 0.278
    if ch.isupper():
        return 0.70
    if ch.isdigit():
        return 0.556
    if ch.isalpha():
        return 0.5
    return 0.4


@lru_cache(maxsize=65536)
def text_width(text: str, px: float = BODY_PX, bold: bool = False) -> float:
    """Estimated width in px of ``text`` set at ``px`` (Arial, bold 8% wider)."""
    return sum(_em(c) for c in text) * px * (1.08 if bold else 1.0) * WIDTH_SAFETY


@lru_cache(maxsize=65536)
def line_count(text: str, width: float, px: float = BODY_PX, bold: bool = False) -> int:
    """Lines taken by ``text`` wrapped at word boundaries in ``width`` px (0 for no text)."""
    lines, current = 0, 0.0
    space = text_width(" ", px, bold)
    for word in text.split():
        w = text_width(word, px, bold)
        if lines and current + space + w <= width:
            current += space + w
            continue
        lines += 1
        while w > width:  # a word longer than the line is broken
            lines += 1
            w -= width
        current = w
    return lines


def fit_line(text: str, width: float, px: float = BODY_PX) -> str:
    """``text`` cut with "…" so that it fits one line ``width`` px wide (footers only)."""
    if text_width(text, px) <= width:
        return text
    while text and text_width(text + "…", px) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def title_height(title: str) -> float:
    return max(1, line_count(title, CONTENT_W, TITLE_PX, bold=True)) * TITLE_LINE


def body_top(title: str, subtitle: str) -> float:
    """Where the body starts, below the title and the subtitle."""
    sub = line_count(subtitle, CONTENT_W) * BODY_LINE
    return TITLE_Y + title_height(title) + SUBTITLE_GAP + sub + BODY_GAP


def body_budget(title: str, subtitle: str) -> float:
    """Body height in px available under this title and subtitle."""
    return BODY_BOTTOM - body_top(title, subtitle)


def column_width(block: Block, width: float) -> float:
    n = max(1, len(block.columns))
    return (width - GUTTER * (n - 1)) / n


def item_height(text: str, width: float) -> float:
    """A bullet (or plain line) ``width`` px wide, its gap included."""
    return max(1, line_count(text, width)) * BODY_LINE + ITEM_GAP


def block_head_height(block: Block, width: float) -> float:
    return (
        line_count(block.heading, width, bold=True) + line_count(block.detail, width)
    ) * BODY_LINE


def column_height(block: Block, column: Column, width: float) -> float:
    text_w = column_width(block, width) - (BULLET_INDENT if block.bullets else 0)
    label = BODY_LINE if column.label else 0
    return label + sum(item_height(line, text_w) for line in column.lines)


def block_height(block: Block, width: float = CONTENT_W) -> float:
    """Height in px of a block laid out ``width`` px wide."""
    tallest = max((column_height(block, c, width) for c in block.columns), default=0.0)
    return block_head_height(block, width) + tallest


def blocks_height(blocks: Sequence[Block], width: float = CONTENT_W) -> float:
    if not blocks:
        return 0.0
    return sum(block_height(b, width) for b in blocks) + BLOCK_GAP * (len(blocks) - 1)


def cell_lines(text: str, width: float, bold: bool = False) -> int:
    return max(1, line_count(text, width - 2 * CELL_PAD_X, bold=bold))


def table_row_height(row: Sequence[str], widths: Sequence[float], bold: bool = False) -> float:
    """Height of a table row in px: its tallest cell plus padding (widths: fractions)."""
    tallest = max(
        cell_lines(cell, CONTENT_W * w, bold) for cell, w in zip(row, widths, strict=True)
    )
    return tallest * BODY_LINE + 2 * CELL_PAD_Y


def table_height(table: TableSpec) -> float:
    return table_row_height(table.headers, table.widths, bold=True) + sum(
        table_row_height(r, table.widths) for r in table.rows
    )


# Splitting ---------------------------------------------------------------------------------


def split_block(block: Block, budget: float, width: float) -> list[Block]:
    """``block`` cut into as few parts as fit ``budget`` px each, items spread evenly.

    Each column's items are dealt in order over the parts (3 + 2, never 4 + 1), so no part
    carries a lone bullet when the block has more; a column left with no item in a part is
    omitted from it (no label with nothing under it). Later parts repeat the heading marked
    "(segue)" and drop the detail line. A block that fits, or has no items, is returned whole.
    """
    most = max((len(c.lines) for c in block.columns), default=0)
    if block_height(block, width) <= budget or most < 2:
        return [block]
    parts: list[Block] = []
    for count in range(2, most + 1):
        parts = _dealt(block, count)
        if all(block_height(p, width) <= budget for p in parts):
            break
    return parts


def _dealt(block: Block, count: int) -> list[Block]:
    """``block`` in ``count`` parts, each column's items spread evenly in order."""
    parts = []
    for i in range(count):
        columns = tuple(
            Column(
                c.label,
                c.lines[_share(len(c.lines), count, i) : _share(len(c.lines), count, i + 1)],
            )
            for c in block.columns
        )
        kept = tuple(c for c in columns if c.lines)
        if i == 0:
            parts.append(replace(block, columns=kept))
        else:
            parts.append(replace(block, heading=_continued(block.heading), detail="", columns=kept))
    return parts


def _cut(block: Block, room: float, width: float) -> tuple[Block, Block] | None:
    """``block`` cut to fill ``room`` px at the bottom of a page, or None.

    Only when both parts carry at least two items (MIN_PART_ITEMS): a continued slide never
    holds a project for one bullet. Columns left empty in a part are omitted from it.
    """
    counts = []
    for column in block.columns:
        used = block_head_height(block, width)
        used += BODY_LINE if column.label else 0
        text_w = column_width(block, width) - (BULLET_INDENT if block.bullets else 0)
        count = 0
        for line in column.lines:
            used += item_height(line, text_w)
            if used > room:
                break
            count += 1
        counts.append(count)
    taken = sum(counts)
    left = sum(len(c.lines) for c in block.columns) - taken
    if taken < MIN_PART_ITEMS or left < MIN_PART_ITEMS:
        return None
    pairs = list(zip(block.columns, counts, strict=True))
    first = tuple(Column(c.label, c.lines[:n]) for c, n in pairs if n)
    rest = tuple(Column(c.label, c.lines[n:]) for c, n in pairs if c.lines[n:])
    head = replace(block, columns=first)
    if block_height(head, width) > room:
        return None
    return head, replace(block, heading=_continued(block.heading), detail="", columns=rest)


def _share(n: int, count: int, i: int) -> int:
    """Where part ``i`` of ``n`` items dealt over ``count`` parts starts (earlier parts fuller)."""
    return (n * i + count - 1) // count


def paginate(
    blocks: Sequence[Block], budget: float, width: float = CONTENT_W, first_width: float = 0.0
) -> list[tuple[Block, ...]]:
    """Blocks packed into as few pages as fit ``budget`` px, then evened out.

    A block is never cut to fill the bottom of a page: it moves whole to the next page, and is
    cut (split_block) only when it does not fit an empty page. The fewest pages are then filled
    as evenly as possible (the smallest height limit that needs no more pages), so a section's
    last slide is not left near-empty. ``first_width``: the first page's text width when it
    differs (a chart beside the text).
    """
    first_width = first_width or width
    narrow = min(width, first_width)
    units = [part for block in blocks for part in split_block(block, budget, narrow)]
    pages = _pack(units, budget, width, first_width)
    if len(pages) > 1:  # among the limits that need no more pages, the evenest
        limits = [budget - step * BODY_LINE / 2 for step in range(int(budget / BODY_LINE * 2))]
        tries = [_pack(units, limit, width, first_width) for limit in limits]
        pages = max(
            (t for t in tries if len(t) == len(pages)),
            key=lambda t: _emptiest(t, width, first_width),
        )
    return [tuple(p) for p in pages]


def _emptiest(pages: Sequence[Sequence[Block]], width: float, first_width: float) -> float:
    """Height in px of the least filled page."""
    return min(blocks_height(p, first_width if i == 0 else width) for i, p in enumerate(pages))


def _pack(
    units: Sequence[Block], limit: float, width: float, first_width: float
) -> list[list[Block]]:
    """Greedy: each unit on the current page if the page stays within ``limit`` px."""
    pages: list[list[Block]] = []
    page: list[Block] = []
    queue = list(units)
    while queue:
        unit = queue.pop(0)
        page_width = first_width if not pages else width
        if page and blocks_height([*page, unit], page_width) > limit:
            cut = None
            if blocks_height([unit], width) > limit:  # too tall for any page: fill this one
                room = limit - blocks_height(page, page_width) - BLOCK_GAP
                cut = _cut(unit, room, page_width)
            if cut is not None:
                page.append(cut[0])
            queue.insert(0, unit if cut is None else cut[1])
            pages.append(page)
            page = []
            continue
        page.append(unit)
    if page:
        pages.append(page)
    return pages


def paginate_table(table: TableSpec, budget: float, balanced: bool = False) -> list[TableSpec]:
    """A table cut into pages of whole rows, the header repeated on every page.

    ``balanced``: as many pages as needed, with rows spread evenly (no page of one row).
    """
    pages = _table_pages(table, budget)
    if balanced and len(pages) > 1:
        target = budget * (len(pages) - 1) / len(pages)
        while len(candidate := _table_pages(table, target)) > len(pages):
            target += BODY_LINE / 4
        pages = candidate
    return pages


def _table_pages(table: TableSpec, budget: float) -> list[TableSpec]:
    header = table_row_height(table.headers, table.widths, bold=True)
    pages: list[TableSpec] = []
    rows: list[int] = []
    used = header
    for i, row in enumerate(table.rows):
        need = table_row_height(row, table.widths)
        if rows and used + need > budget:
            pages.append(_table_part(table, rows))
            rows, used = [], header
        rows.append(i)
        used += need
    if rows or not pages:
        pages.append(_table_part(table, rows))
    return pages


def _table_part(table: TableSpec, indexes: list[int]) -> TableSpec:
    return replace(
        table,
        rows=tuple(table.rows[i] for i in indexes),
        marks=tuple(table.marks[i] for i in indexes) if table.marks else (),
    )


def _continued(title: str) -> str:
    if not title:
        return title
    return title if title.endswith(CONTINUED) else title + CONTINUED


# Building the deck -------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the slides (and the handout) say about a plan, computed once per deck."""

    plan: Plan
    cards: dict[str, ProjectCard]  # project id -> Plan.project() card
    track_titles: dict[str, str]
    track_colors: dict[str, str]
    source_colors: dict[str, str]
    amounts: dict[tuple[str, str], float]  # (track, number source) -> its sum (euros, ...)
    flags: dict[tuple[str, str], int]  # (track, flag source) -> projects ticked
    totals: dict[str, tuple[str, float, int]]  # source -> (kind, total, projects funded)

    def projects_of(self, code: str) -> list[ProjectCard]:
        return [c for c in self.cards.values() if c.track == code]

    def track_budget(self, code: str) -> tuple[str, ...]:
        """One line per source that gives the pista something: its euros, or its projects for a
        flag source. A source at zero is left out (a «0 €» line reads as a fact about it)."""
        return tuple(
            f"{name}: {kinds.format_total(kind, value)}"
            for name, (kind, _, _) in self.totals.items()
            if (value := self.track_value(code, name))
        )

    def tracks_paid_by(self, source: str) -> list[str]:
        """The piste (codes, in order) to which ``source`` gives something."""
        return [c for c in self.plan.track_codes if self.track_value(c, source)]

    def track_value(self, code: str, source: str) -> float:
        if kinds.is_number(self.totals[source][0]):
            return self.amounts.get((code, source), 0.0)
        return float(self.flags.get((code, source), 0))


def facts(plan: Plan, all_sources: Sequence[str] | None = None) -> Facts:
    """``all_sources``: the unfiltered plan's sources, so a source keeps its colour when the
    plan shown is filtered (as coopplan.charts.source_colors does on the dashboard)."""
    amounts = plan.amount_by_track()
    flags = plan.flags_by_track()
    return Facts(
        plan=plan,
        cards={card.id: card for card in plan.cards()},
        track_titles={c: plan.track_title(c) for c in plan.track_codes},
        track_colors=colors_for(plan.track_codes, TRACK_COLORS),
        source_colors=colors_for(list(all_sources or plan.source_names), SOURCE_COLORS),
        amounts={
            (t, s): float(v)
            for t, s, v in zip(amounts["track"], amounts["source"], amounts["amount"], strict=True)
        },
        flags={
            (t, s): int(v)
            for t, s, v in zip(flags["track"], flags["source"], flags["projects"], strict=True)
        },
        totals={
            r.source: (str(r.kind), float(r.total), int(r.projects))
            for r in plan.source_totals().itertuples()
        },
    )


def build_deck(
    plan: Plan,
    filter_label: str = "",
    all_sources: Sequence[str] | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> list[Slide]:
    """The slides presenting ``plan`` (already filtered by the caller; ``filter_label`` says how).

    Title; the plan at a glance; projects per stato; one slide per pista (continued when its
    text does not fit); one per funding source; «Spese» (only with a consuntivo); the status
    matrix; «Scadenze» (only when something falls due by ``today``, default the real today);
    closing. ``all_sources``: see facts(). ``note``: a line for the title slide and every
    footer (e.g. an older version shown read-only).
    """
    f = facts(plan, all_sources)
    footer = " · ".join(x for x in (filter_label, note) if x)
    slides: list[Slide] = [title_slide(plan, footer)]
    slides += tracks_slides(f)
    slides += overview_slides(f)
    slides += status_slides(plan)
    for code in plan.track_codes:
        if filter_label and not f.projects_of(code):
            continue  # a filtered deck leaves out the piste with no project for that source
        slides += track_slides(f, code)
    for name in plan.source_names:
        slides += source_slides(f, name)
    slides += spending_slides(plan)
    slides += matrix_slides(plan)
    slides += due_slides(plan, today or dt.date.today())
    slides.append(closing_slide(plan))
    return [replace(s, footer=footer) for s in slides]


def title_slide(plan: Plan, label: str) -> Slide:
    meta = plan.meta
    lines = []
    if meta.version_date:
        lines.append(f"Versione del {fmt.date(meta.version_date)}")
    if label:
        lines.append(label)
    return Slide(
        kind="title",
        title=meta.title,
        subtitle=meta.organization,
        blocks=(Block(columns=(Column("", tuple(lines)),), bullets=False),) if lines else (),
        notes=counts_sentence(plan) + ".",
    )


def tracks_slides(f: Facts) -> list[Slide]:
    """«Le piste di lavoro»: the piste named before the detail, as the plan's own slides open;
    each with its filoni and projects (a filtered deck: the piste holding a shown project)."""
    plan = f.plan
    codes = [c for c in plan.track_codes if not plan.filtered or f.projects_of(c)]
    blocks = []
    for code in codes:
        position = plan.track_codes.index(code) + 1  # as «Pista 2 di 4» on its slides
        lines = plan.lines.loc[plan.lines["track"] == code]
        detail = (
            f"{fmt.count(len(lines), 'filone', 'filoni')} · "
            f"{fmt.count(len(f.projects_of(code)), 'progetto', 'progetti')}"
        )
        blocks.append(
            Block(heading=f"{position}. {f.track_titles[code]}", detail=detail, bullets=False)
        )
    notes = [
        f"{f.track_titles[c]}: " + "; ".join(plan.lines.loc[plan.lines["track"] == c, "title"])
        for c in codes
    ]
    return _text_slides(
        kind="tracks",
        title="Le piste di lavoro",
        subtitle=plan.meta.title,
        blocks=tuple(blocks) or (Block(heading="Nessuna pista"),),
        notes="\n".join(notes),
    )


def overview_slides(f: Facts) -> list[Slide]:
    """The plan at a glance: counts, and each source's total (flag sources in projects)."""
    plan = f.plan
    lines = tuple(kinds.total_line(name, *f.totals[name]) for name in f.totals)
    blocks = (
        Block(heading=counts_sentence(plan)),
        Block(columns=(Column("Le fonti di finanziamento", lines or ("Nessuna fonte",)),)),
    )
    names = tuple(n for n, (kind, _, _) in f.totals.items() if kinds.is_money(kind))
    chart = None
    if 0 < len(names) <= MAX_CHART_BARS:
        chart = ChartSpec(
            title="Importi per fonte",
            categories=names,
            series=(Series("Importo", tuple(f.totals[n][1] for n in names), TEXT_COLOR),),
            money=True,
            point_colors=tuple(f.source_colors[n] for n in names),
        )
    notes = [counts_sentence(plan) + ".", *lines]
    notes += [
        f"{r['name']}: {r['description']}"
        for r in plan.sources.to_dict("records")
        if r["description"]
    ]
    return _text_slides(
        kind="overview",
        title="Il piano in sintesi",
        subtitle=plan.meta.title,
        blocks=blocks,
        chart=chart,
        notes="\n".join(notes),
    )


def status_slides(plan: Plan) -> list[Slide]:
    """Projects per stato: a chart of the stati that have projects, and one line per stato of
    the plan's list, «Concluso» included («nessun progetto» says nothing is done yet), each with
    its share of the projects, so the lines add to the chart instead of repeating it."""
    counts = plan.status_counts()
    total = len(plan.projects)
    shown = [*STATUSES, *(x for x in counts.index if x not in STATUSES)]
    lines = tuple(_status_line(status, int(counts.get(status, 0)), total) for status in shown)
    present = [x for x in shown if counts.get(x, 0)]
    chart = None
    if present:
        chart = ChartSpec(
            title="Progetti per stato",
            categories=tuple(present),
            series=(Series("Progetti", tuple(float(counts[x]) for x in present), TEXT_COLOR),),
            money=False,
            point_colors=tuple(status_color(x) for x in present),
        )
    notes = [
        f"{status}: "
        + "; ".join(plan.projects.loc[plan.projects["status"] == status, "title"])
        + "."
        for status in counts.index
    ]
    return _text_slides(
        kind="status",
        title="I progetti per stato",
        subtitle=fmt.count(total, "progetto", "progetti"),
        blocks=(Block(columns=(Column("", lines if total else ("Nessun progetto",)),)),),
        chart=chart,
        notes="\n".join(notes),
    )


def _status_line(status: str, count: int, total: int) -> str:
    """«In corso: 67 % dei progetti»; «Concluso: nessun progetto»."""
    if not count:
        return f"{status}: nessun progetto"
    share = fmt.number(round(count * 100 / total))
    return f"{status}: {share} % ({fmt.count(count, 'progetto', 'progetti')})"


def track_slides(f: Facts, code: str) -> list[Slide]:
    """One pista: its filoni and budget, then its projects (continued slides when needed)."""
    plan = f.plan
    position = plan.track_codes.index(code) + 1
    lines = plan.lines.loc[plan.lines["track"] == code]
    cards = f.projects_of(code)
    intro = Block(
        columns=(
            Column("I filoni di intervento", tuple(lines["title"]) or ("Nessun filone",)),
            Column("Budget", f.track_budget(code) or ("Nessuna fonte",)),
        )
    )
    blocks = [intro] + [project_block(card) for card in cards]
    if not cards:
        blocks.append(Block(heading="Nessun progetto", bullets=False))
    subtitle = (
        f"Pista {position} di {len(plan.track_codes)} · "
        f"{fmt.count(len(cards), 'progetto', 'progetti')}"
    )
    notes = [f"{t}: {d}" for t, d in zip(lines["title"], lines["description"], strict=True) if d]
    notes += [project_notes(card) for card in cards]
    return _text_slides(
        kind="track",
        title=f.track_titles[code],
        subtitle=subtitle,
        blocks=tuple(blocks),
        notes="\n".join(notes),
        accent=f.track_colors[code],
    )


def source_slides(f: Facts, name: str) -> list[Slide]:
    """One funding source: its total, its amount (or projects) per pista, its projects."""
    plan = f.plan
    kind, total, count = f.totals[name]
    row = plan.sources.loc[plan.sources["name"] == name].iloc[0]
    project_lines = []
    for card in f.cards.values():
        for given in card.paying():
            if given.source == name:
                shown = f"{card.title}: {given.text}" if kinds.is_number(kind) else card.title
                project_lines.append(shown)
    codes = f.tracks_paid_by(name)  # a pista at zero gets no bar and no line
    chart = ChartSpec(  # bars in the source's colour: on every slide a colour means one thing
        title=kinds.per_track_title(kind),
        categories=tuple(f.track_titles[c] for c in codes),
        series=(Series(name, tuple(f.track_value(c, name) for c in codes), f.source_colors[name]),),
        money=kinds.is_money(kind),
        point_colors=tuple(f.source_colors[name] for _ in codes),
    )
    blocks = (
        Block(heading=kinds.total_line(name, kind, total, count)),
        Block(columns=(Column("Progetti", tuple(project_lines) or ("Nessun progetto",)),)),
    )
    notes = [str(row["description"])] if row["description"] else []
    notes += [
        f"{f.track_titles[c]}: {kinds.format_total(kind, f.track_value(c, name))}" for c in codes
    ]
    return _text_slides(
        kind="source",
        title=name,
        subtitle="Fonte di finanziamento · " + kinds.about(kind),
        blocks=blocks,
        chart=chart if 0 < len(codes) <= MAX_CHART_BARS else None,
        notes="\n".join(notes),
        accent=f.source_colors[name],
    )


def matrix_slides(plan: Plan) -> list[Slide]:
    """The status matrix: every project with its pista, stato and activities done / planned."""
    matrix = plan.status_matrix()
    table = TableSpec(
        headers=("Progetto", "Pista", "Stato", "Realizzate", "Ipotesi"),
        rows=tuple(
            (
                str(r.title),
                str(r.track_title),
                str(r.status),
                fmt.number(r.done),
                fmt.number(r.planned),
            )
            for r in matrix.itertuples()
        ),
        widths=MATRIX_WIDTHS,
        mark_column=2,
        marks=tuple(mark_color(str(s)) for s in matrix["status"]),
        numeric=(False, False, False, True, True),
    )
    title = "La matrice degli stati"
    subtitle = "Attività realizzate e ipotesi di lavoro di ogni progetto"
    # paginated with the pista named once per group; a page's first row names it again, so
    # one line of room is kept for that
    grouped = _pista_once(table)
    budget = body_budget(title, subtitle) - BODY_LINE
    parts, start = [], 0
    for part in paginate_table(grouped, budget, balanced=True):
        parts.append(_pista_named(part, table.rows[start][1] if part.rows else ""))
        start += len(part.rows)
    notes = "\n".join(
        f"{r.title} ({r.track_title}): {r.status}; "
        f"{fmt.count(r.done, 'attività realizzata', 'attività realizzate')}, "
        f"{fmt.count(r.planned, 'ipotesi di lavoro', 'ipotesi di lavoro')}."
        for r in matrix.itertuples()
    )
    return [
        Slide(
            kind="matrix",
            title=title if i == 0 else title + CONTINUED,
            subtitle=subtitle,
            table=part,
            notes=notes,
            continued=i > 0,
        )
        for i, part in enumerate(parts)
    ]


def spending_slides(plan: Plan) -> list[Slide]:
    """«Spese»: per euro source what was spent of its preventivo and what is left, in the
    sentences a president reads aloud (coopplan.spending.source_sentence), the whole first when
    there are several sources, beside bars of preventivo and speso. None for a plan without a
    consuntivo (docs/decisions.md: never «0 € spesi») or without a source in euro."""
    if not plan.has_spending or not plan.amount_sources:
        return []
    rows = plan.spending_by_source().to_dict("records")
    said = spending.spending_sentences(plan)
    lines = said[-len(rows) :]  # the whole, when there are several sources, comes first
    blocks = [Block(columns=(Column("", tuple(lines)),))]
    if len(said) > len(rows):
        blocks.insert(0, Block(heading=said[0]))
    names = tuple(str(r["source"]) for r in rows)
    chart = ChartSpec(
        title="Preventivo e speso per fonte",
        categories=names,
        series=(
            Series("Preventivo", tuple(float(r["planned"]) for r in rows), darkened(PLANNED_COLOR)),
            Series("Speso", tuple(float(r["spent"]) for r in rows), SPENT_COLOR),
        ),
        money=True,
    )
    notes = list(said)
    notes += [f"Scostamenti da spiegare – {r['source']}: {r['notes']}" for r in rows if r["notes"]]
    when = plan.meta.version_date
    return _text_slides(
        kind="spending",
        title=SPENDING_TITLE,
        subtitle=f"Consuntivo al {fmt.date(when)}" if when else "Consuntivo per fonte",
        blocks=tuple(blocks),
        chart=chart if len(names) <= MAX_CHART_BARS else None,
        notes="\n".join(notes),
    )


def due_slides(plan: Plan, today: dt.date) -> list[Slide]:
    """«Scadenze»: the projects not concluded whose scadenza falls before the next assembly
    (coopplan.spending.falling_due), the overdue ones first, with referente and stato; none
    when nothing falls due."""
    due = plan.falling_due(today)
    if due.empty:
        return []
    horizon = spending.horizon(plan, today)
    late = int(due["overdue"].sum())
    counted = (
        f"{fmt.count(late, 'progetto in ritardo', 'progetti in ritardo')}, "
        f"{fmt.count(len(due) - late, 'in scadenza', 'in scadenza')} {horizon.words}"
    )
    subtitle = horizon.words[:1].upper() + horizon.words[1:]  # one line: the table gets the room
    records = due.iloc[:DUE_SHOWN].to_dict("records")
    rows = [
        (
            str(r["title"]),
            str(r["owner"]) or NONE_TEXT,
            r["due"].strftime("%d/%m/%Y"),
            spending.when_words(int(r["days"])),
            str(r["status"]),
        )
        for r in records
    ]
    marks = [mark_color(str(r["status"])) for r in records]
    if len(due) > DUE_SHOWN:  # a long list is read on the «Scadenze» page, not in the hall
        rest = spending.others(len(due) - DUE_SHOWN)
        rows.append((f"… e {rest}: l'elenco intero è nella pagina «Scadenze»", "", "", "", ""))
        marks.append("")
    table = TableSpec(
        headers=DUE_HEADERS,
        rows=tuple(rows),
        widths=DUE_WIDTHS,
        mark_column=4,
        marks=tuple(marks),
    )
    notes = "\n".join(
        [f"Oggi è il {fmt.date(today)}: {counted}."] + [spending.due_sentence(r) for r in records]
    )
    parts = paginate_table(table, body_budget(DUE_TITLE, subtitle), balanced=True)
    return [
        Slide(
            kind="due",
            title=DUE_TITLE if i == 0 else DUE_TITLE + CONTINUED,
            subtitle=subtitle,
            table=part,
            notes=notes,
            continued=i > 0,
        )
        for i, part in enumerate(parts)
    ]


def _pista_once(table: TableSpec) -> TableSpec:
    """The matrix's pista named on the first of its rows on a slide, blank below it (rows are in
    pista order): a column of the same long title over and over reads as noise."""
    rows, before = [], ""
    for row in table.rows:
        rows.append((row[0], "" if row[1] == before else row[1], *row[2:]))
        before = row[1]
    return replace(table, rows=tuple(rows))


def _pista_named(part: TableSpec, pista: str) -> TableSpec:
    """A page of the grouped matrix with its first row naming its ``pista`` again."""
    if not part.rows or part.rows[0][1]:
        return part
    first = part.rows[0]
    return replace(part, rows=((first[0], pista, *first[2:]), *part.rows[1:]))


def closing_slide(plan: Plan) -> Slide:
    meta = plan.meta
    lines = [meta.title]
    if meta.version_date:
        lines.append(f"Dati aggiornati al {fmt.date(meta.version_date)}")
    return Slide(
        kind="closing",
        title="Grazie",
        subtitle=meta.organization,
        blocks=(Block(columns=(Column("", tuple(lines)),), bullets=False),),
        notes=counts_sentence(plan) + ".",
    )


# Helpers (also used by the handout) ----------------------------------------------------------


def _text_slides(
    *,
    kind: str,
    title: str,
    subtitle: str,
    blocks: tuple[Block, ...],
    chart: ChartSpec | None = None,
    notes: str = "",
    accent: str = TEXT_COLOR,
) -> list[Slide]:
    """Blocks paginated under one title; the chart (half the width) stays on the first slide."""
    budget = body_budget(title, subtitle)
    pages = paginate(blocks, budget, CONTENT_W, HALF_W if chart is not None else 0.0)
    return [
        Slide(
            kind=kind,
            title=title if i == 0 else title + CONTINUED,
            subtitle=subtitle,
            blocks=page,
            chart=chart if i == 0 else None,
            notes=notes,
            accent=accent,
            continued=i > 0,
        )
        for i, page in enumerate(pages or [()])
    ]


def project_heading(card: ProjectCard) -> str:
    """'CULT · La Cooperazione scende in Piazza'; the title alone when the group repeats it."""
    group, title = card.group.strip(), card.title.strip()
    return title if not group or group.casefold() == title.casefold() else f"{group} · {title}"


def project_block(card: ProjectCard) -> Block:
    """A project: heading, detail (stato, funding) and its done / planned columns.

    A project with no activity at all (a «Da definire» one) says so in its detail line, with
    its note if it has one, instead of two columns of "—": two lines, so it fits on the slide
    of the projects before it rather than getting a continued slide of its own.
    """
    status = card.status
    detail = [status, *funding_words(card)]
    if not card.done and not card.planned:
        detail.append(card.notes.strip() or UNDEFINED_TEXT)
        return Block(
            heading=project_heading(card),
            detail=" · ".join(detail),
            detail_color=mark_color(status),
        )
    return Block(
        heading=project_heading(card),
        detail=" · ".join(detail),
        detail_color=mark_color(status),
        columns=(
            Column("Attività realizzate", card.done or (NO_ACTIVITY,)),
            Column("Ipotesi di lavoro", card.planned or (NO_ACTIVITY,)),
        ),
    )


def project_notes(card: ProjectCard) -> str:
    parts = [card.title]
    if card.subtitle:
        parts.append(card.subtitle)
    if card.budget_line:
        parts.append(f"voce di budget {card.budget_line}")
    funding = funding_words(card)
    parts.append("finanziamento: " + (", ".join(funding) if funding else "nessuna fonte indicata"))
    if card.notes:
        parts.append(card.notes)
    return " – ".join(parts) + "."


def funding_words(card: ProjectCard) -> list[str]:
    """The sources that fund the project: ['A 5.000 €', 'C'] (a tick names the source only)."""
    return [given.words for given in card.paying()]


def counts_sentence(plan: Plan) -> str:
    """The plan's counts; a filtered plan counts only the piste holding a shown project, then
    the whole plan's after «su» (coopplan.scope.counts_sentence)."""
    return scope.counts_sentence(plan, filtered=plan.filtered)
