"""Pieces the pages share: plan header, KPI cards, stato strip, project card, downloads, charts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from coopplan import Plan, charts, fmt, kinds, spending, tables
from coopplan.charts import PLOTLY_CONFIG
from coopplan.export import formats
from coopplan.palette import status_color, text_color_on
from coopplan.plan import ProjectCard
from coopplan.since import signed_delta
from coopplan.workbook.schema import STATUSES
from ui import CHOOSE, keys, layout
from ui.cache import shared
from ui.filters import current_filters
from ui.safe import Md, join, md, table, text
from ui.spending import card_extras
from ui.update import phone_rows


def plan_header(plan: Plan, title: str | None = None, published: dt.date | None = None) -> None:
    """Page title, then organisation · year · version date of the plan · the day it was
    published (``published``, when the store knows it)."""
    st.title(text(title or plan.meta.title))
    parts = [plan.meta.organization, f"Anno {plan.meta.year}" if plan.meta.year else ""]
    if plan.meta.version_date:
        parts.append(f"Versione del {fmt.date(plan.meta.version_date)}")
    if published:
        parts.append(f"pubblicata il {fmt.date(published)}")
    st.markdown(text(" · ".join(p for p in parts if p)))


def source_kpis(plan: Plan) -> None:
    """One card per funding source, then the number of projects."""
    cards = [
        (
            row.source,
            kinds.format_total(row.kind, row.total),
            fmt.count(int(row.projects), "progetto finanziato", "progetti finanziati")
            if kinds.is_number(row.kind)
            else "risorsa indicata con una spunta, senza importo",
        )
        for row in plan.source_totals().itertuples(index=False)
    ]
    tracks = plan.projects["track"].nunique()
    cards.append(
        ("Progetti", fmt.number(len(plan.projects)), "in " + fmt.count(tracks, "pista", "piste"))
    )
    kpi_row(cards)


def kpi_row(cards: Sequence[tuple[str, str, str]]) -> None:
    """Cards (label, value, small print) in a grid that wraps on narrow screens, never cutting
    a value short. The value's unit ('€', 'progetti') is drawn smaller than its number.

    Plain Markdown in keyed containers, styled by CSS on their st-key-… classes: Markdown with
    HTML waits for a lazily loaded JavaScript chunk that races plotly's (docs/benchmarks.md)."""
    with st.container(key=keys.KPI_ROW):
        for i, (label, value, note) in enumerate(cards):
            with st.container(key=keys.numbered(keys.KPI_CARD, i)):
                st.markdown(text(label))
                with st.container(key=keys.numbered(keys.KPI_VALUE, i)):
                    st.markdown(_value_markdown(value))
                with st.container(key=keys.numbered(keys.KPI_NOTE, i)):
                    st.markdown(text(note))


def _value_markdown(value: str) -> Md:
    """The number in bold (drawn large by the CSS), then its unit in normal weight."""
    number, _, unit = value.partition(" ")
    if not unit:
        return md("**{n}**", n=number)
    return md("**{number}**{space}{unit}", number=number, space=fmt.NBSP, unit=fmt.unbroken(unit))


def status_strip(plan: Plan, deltas: dict[str, int] | None = None) -> None:
    """Projects per stato as coloured chips in traffic-light colours (stati with 0 included);
    ``deltas``: the change since a version, shown after each count («In corso: 12 (+3)»)."""
    counts = plan.status_counts()
    statuses = list(STATUSES) + [s for s in counts.index if s not in STATUSES]
    chips = [
        status_badge(
            status,
            f": <b>{fmt.number(int(counts.get(status, 0)))}</b>"
            + (f" {signed_delta(deltas.get(status, 0))}" if deltas is not None else ""),
        )
        for status in statuses
    ]
    st.markdown(
        md(
            '<div class="cp-chips" role="group" aria-label="Progetti per stato">{chips}</div>',
            chips=join(chips, ""),
        ),
        unsafe_allow_html=True,
    )


def status_by_track(plan: Plan) -> None:
    """Projects per pista, stacked by stato in traffic-light colours, as HTML: the counts as
    text, the bar only shows the shares. No chart library: the page this is on («Matrice») stays
    light on a phone (Plotly's bundle alone is 1,4 MB gzip, issue 22)."""
    counts = plan.projects.groupby(["track", "status"]).size()
    present = set(plan.projects["status"])
    statuses = [s for s in STATUSES if s in present] + sorted(present - set(STATUSES))
    rows = []
    for code in charts.shown_tracks(plan):
        per = {s: int(counts.get((code, s), 0)) for s in statuses}
        per = {s: n for s, n in per.items() if n}
        total = sum(per.values())
        segments = [
            md(
                '<span style="width:{width};background:{color}"></span>',
                width=Md(f"{100 * n / total:.2f}%"),
                color=Md(status_color(s)),
            )
            for s, n in per.items()
        ]
        chips = [status_badge(s, f": <b>{fmt.number(n)}</b>") for s, n in per.items()]
        rows.append(
            md(
                '<li><p class="cp-stack-title"><b>{title}</b> · {count}</p>'
                '<div class="cp-stack" aria-hidden="true">{segments}</div>'
                '<div class="cp-chips">{chips}</div></li>',
                title=plan.track_title(code),
                count=fmt.count(total, "progetto", "progetti"),
                segments=join(segments, ""),
                chips=join(chips, ""),
            )
        )
    st.markdown(
        md('<ul class="cp-stacks">{rows}</ul>', rows=join(rows, "")), unsafe_allow_html=True
    )


def status_badge(status: str, after: str = "") -> Md:
    """A stato as a chip in its traffic-light colour; ``after``: HTML the code wrote, in it."""
    color = status_color(status)
    return md(
        '<span class="cp-chip" style="background:{color};color:{fg}">{status}{after}</span>',
        color=Md(color),
        fg=Md(text_color_on(color)),
        status=status,
        after=Md(after),
    )


def chart(  # noqa: ANN201
    fig: go.Figure,
    *,
    key: str | None = None,
    on_select: Literal["ignore", "rerun"] | Callable[[], None] = "ignore",
    **kwargs: Any,
):
    """Draw a plotly figure with the dashboard's settings (no toolbar, Italian separators)."""
    config: dict[str, Any] = PLOTLY_CONFIG
    return st.plotly_chart(fig, config=config, theme=None, key=key, on_select=on_select, **kwargs)


def project_card(plan: Plan, project_id: str, chosen: Sequence[str] = ()) -> None:
    """The full card of a project: title, stato, pista, done and planned side by side,
    budget by source and notes. ``plan``: the unfiltered plan, so the card shows all the
    project's funding whatever the filter; ``chosen``: the sources of the filter, marked."""
    card = plan.project(project_id)
    with st.container(border=True):
        st.markdown(
            md(
                '### {title}\n{badge} <span class="cp-muted">Pista «{track}»</span>',
                title=card.title,
                badge=status_badge(card.status),
                track=card.track_title,
            ),
            unsafe_allow_html=True,
        )
        if card.subtitle:
            st.markdown(md("*{subtitle}*", subtitle=card.subtitle))
        done, planned, budget = st.columns([1.15, 1.15, 1], gap="medium")
        with done:
            st.markdown("**:material/task_alt: Attività realizzate**")
            st.markdown(_bullets(card.done, "Nessuna attività realizzata indicata."))
        with planned:
            st.markdown("**:material/lightbulb: Ipotesi di lavoro**")
            st.markdown(_bullets(card.planned, "Nessuna ipotesi di lavoro indicata."))
        with budget:
            st.markdown("**:material/euro: Budget**")
            st.markdown(_funding_lines(card, chosen))
            if card.notes:
                st.markdown(md("*{notes}*", notes=card.notes))
        card_extras(plan, card)  # referente, scadenza, consuntivo (issue 23)
        st.markdown(_codes_line(card), unsafe_allow_html=True)


def _codes_line(card: ProjectCard) -> Md:
    """The workbook's codes of a project, small at the card's foot: the secretary looks them up
    (ID, the slide's group, the budget table's line); the hall reads the words above (issue 24
    §4: «CRESCERE · P2-01» and «Voce di budget: UFFICIO CREDITO&FINANZA» stood in the card)."""
    parts = [md("codice {id}", id=card.id)]
    if card.group:
        parts.append(md("gruppo {group}", group=card.group))
    if card.budget_line:
        parts.append(md("voce di budget {line}", line=card.budget_line))
    return md('<span class="cp-codes">Nel file: {parts}</span>', parts=join(parts, " · "))


CARDS_AT_ONCE = 30  # project cards drawn at first on a pista page; a button shows more


def project_cards(
    view: Plan, full: Plan, key: str, chosen: Sequence[str] = (), step: int = CARDS_AT_ONCE
) -> None:
    """The card of each project of ``view``, drawn from ``full`` (see project_card), the first
    ``step`` at first and ``step`` more at each click of «Mostra altri progetti» (a pista of a
    big plan has thousands)."""
    ids = [str(pid) for pid in view.projects["id"]]
    shown = st.session_state.setdefault(key, step)
    for project_id in ids[:shown]:
        project_card(full, project_id, chosen)
    if len(ids) <= shown:
        return
    st.caption(
        md(
            "Mostrati {shown} progetti su {total}.",
            shown=fmt.number(shown),
            total=fmt.number(len(ids)),
        )
    )

    def more() -> None:
        st.session_state[key] = shown + step

    st.button(
        "Mostra altri progetti", key=f"{key}_altri", on_click=more, icon=":material/expand_more:"
    )


def _bullets(lines: Sequence[str], empty: str) -> Md:
    if not lines:
        return md("*{empty}*", empty=empty)
    return join([md("- {line}", line=line) for line in lines], "\n")


CHOSEN_MARK = " · *fonte del filtro*"  # after a source the sidebar filter chose


def _funding_lines(card: ProjectCard, chosen: Sequence[str] = ()) -> Md:
    """Every source that funds the project (never only the filtered ones), the chosen marked."""
    lines = []
    for given in card.paying():
        amount = fmt.unbroken(given.text)  # never '5.000 / €'
        mark = Md(CHOSEN_MARK) if given.source in chosen else Md("")
        lines.append(
            md("- {name}: **{amount}**{mark}", name=given.source, amount=amount, mark=mark)
        )
    return join(lines, "\n") if lines else Md("*Nessuna fonte di finanziamento indicata.*")


def sidebar_downloads(view: Plan) -> None:
    """The files of the registry offered in the sidebar: the filtered project table as .xlsx and
    .csv, built when clicked (cached), named after the filter."""
    with st.sidebar:
        st.markdown("#### :material/download: Scarica i progetti")
        st.caption("La tabella dei progetti mostrati, con i filtri scelti.")
        subject = formats.Subject(view, current_filters().describe(view))
        offer_files(formats.Place.SIDEBAR, subject, disabled=view.is_empty, width="stretch")


def offer_files(
    place: formats.Place,
    subject: formats.Subject,
    *,
    disabled: bool = False,
    width: Literal["content", "stretch"] = "content",
) -> None:
    """A download button per format of the registry offered at ``place``: the file is built
    when clicked (cached) and named after the subject's filter; a format whose tool is missing
    is offered disabled, its tooltip saying why."""
    for offered in formats.offered(place):
        ready = offered.available()
        tip = offered.help if ready else offered.missing
        st.download_button(
            text(offered.label),
            partial(offered.file, subject),
            file_name=offered.file_name(subject.filter_label),
            mime=offered.mime,
            icon=f":material/{offered.icon}:",
            on_click="ignore",
            key=f"cp_{offered.key}_{place.name.lower()}",
            width=width,
            disabled=disabled or not ready,
            help=text(tip) if tip else None,
        )


def project_picker(
    plan: Plan, key: str, label: str = "Apri la scheda di un progetto"
) -> str | None:
    """A selectbox over the projects (title and ID); returns the chosen ID or None."""
    ids = list(plan.projects["id"])
    if st.session_state.get(key) not in ids:
        st.session_state[key] = None  # a project hidden by the filters is no longer chosen
    titles = dict(zip(plan.projects["id"], plan.projects["title"], strict=True))
    return st.selectbox(
        label,
        ids,
        format_func=lambda pid: f"{titles[pid]} ({pid})",
        key=key,
        placeholder="Scegli un progetto…",
    )


MAP_PROJECTS_MAX = 500  # above this many projects the plan map shows the piste only


def map_shows_projects(plan: Plan) -> bool:
    return len(plan.projects) <= MAP_PROJECTS_MAX


def plan_map(plan: Plan, picker_key: str) -> None:
    """The treemap of the plan. A click on a project chooses it in the picker ``picker_key``;
    the map is then drawn afresh (a new key), so plotly's zoom into the clicked tile is undone
    and the chosen tile shows highlighted. Past MAP_PROJECTS_MAX projects: the piste only."""
    if not map_shows_projects(plan):
        chart(shared(charts.plan_map, plan, projects=False), key="mappa_piste")
        return
    counter = "_mappa_disegni"
    key = f"mappa_{st.session_state.setdefault(counter, 0)}"

    def on_click() -> None:
        chosen = clicked_project(st.session_state.get(key), plan)
        if chosen:
            st.session_state[picker_key] = chosen
            st.session_state[counter] += 1

    chart(
        shared(charts.plan_map, plan, selected=st.session_state.get(picker_key)),
        key=key,
        on_select=on_click,
        selection_mode="points",
    )


def flag_sources_note(plan: Plan) -> None:
    """Yes/no sources are not money: say how many projects they cover, under the money chart."""
    totals = plan.source_totals()
    flags = totals.loc[totals["source"].isin(plan.flag_sources)]
    if flags.empty:
        return
    notes = [
        md(
            "{source}: indicata per {count}",
            source=row.source,
            count=fmt.count(int(row.projects), "progetto", "progetti"),
        )
        for row in flags.itertuples()
    ]
    st.caption(
        md("{notes} (risorse senza importo in euro, non comprese nel grafico).", notes=join(notes))
    )


def clicked_project(event: object, plan: Plan) -> str | None:
    """The project ID of a click on the plan map, if the click was on a project tile."""
    try:
        points = event.selection.points  # type: ignore[attr-defined]
    except AttributeError:
        return None
    ids = set(plan.projects["id"])
    for point in points or []:
        for candidate in (point.get("id"), (point.get("customdata") or [None])[0]):
            if candidate in ids:
                return str(candidate)
    return None


def pager(rows: int, key: str, size: int = tables.PAGE_SIZE) -> int:
    """A page selector («Pagina 3 di 100») when ``rows`` do not fit one page of ``size``;
    returns the page to show (1-based). Nothing is drawn when everything fits one page."""
    pages = tables.page_count(rows, size)
    if pages == 1:
        return 1
    if st.session_state.get(key) not in range(1, pages + 1):
        st.session_state[key] = 1  # fewer pages than before (a filter): back to the first
    return st.selectbox(
        "Pagina",
        range(1, pages + 1),
        format_func=lambda n: f"Pagina {fmt.number(n)} di {fmt.number(pages)}",
        key=key,
        placeholder=CHOOSE,
        help=md("{size} righe per pagina su {rows}.", size=fmt.number(size), rows=fmt.number(rows)),
    )


PHONE_MAX_PX = 640  # up to this width the page is on a phone (CSS below)


def phone_projects(groups: Sequence[tuple[str, Sequence[tuple[str, str, str]]]]) -> None:
    """Projects as a list for phones, where a grid shows two columns of 13 px text and hides the
    rest behind a sideways swipe: per group (a heading, '' for none) each project's stato chip,
    its title in bold and a detail (pista, amount), at body size, wrapping to the width."""
    for heading, rows in groups:
        if heading:
            st.markdown(md("**{heading}**", heading=heading))
        lines = [
            md("- {badge} **{title}**{detail}", badge=status_badge(status), title=title,
               detail=md(" · {d}", d=detail) if detail else Md(""))
            for title, status, detail in rows
        ]  # fmt: skip
        st.markdown(join(lines, "\n"), unsafe_allow_html=True)


def source_projects(plan: Plan, source: str) -> str | None:
    """The projects a source pays for, as a selectable table (a page at a time when they are
    many), and on a phone as a list (the grid cut the pista names); returns the selected ID."""
    table = shared(tables.source_projects, plan, source)
    page = pager(len(table), key=f"pagina_fonte_{source}")
    table = tables.page_rows(table, page)
    h = tables.HEADERS
    with st.container(key=f"{keys.PHONE_ONLY}-fonte-{source}"):
        money = tables.AMOUNT_HEADER in table.columns
        rows = [
            (
                row[h["title"]],
                row[h["status"]],
                row[h["track"]]
                + (f" · {fmt.unbroken(fmt.money(row[tables.AMOUNT_HEADER]))}" if money else ""),
            )
            for _, row in table.iterrows()
        ]
        phone_projects([("", rows)])
    with st.container(key=f"{keys.WIDE_ONLY}-fonte-{source}"):
        return _source_grid(table, source, page)


def _source_grid(table: pd.DataFrame, source: str, page: int) -> str | None:
    styler = table.style.map(layout.status_style, subset=[tables.HEADERS["status"]])
    if tables.AMOUNT_HEADER in table.columns:
        styler = styler.format(fmt.money, subset=[tables.AMOUNT_HEADER])
    shown = [c for c in table.columns if c != tables.HEADERS["id"]]
    event = st.dataframe(
        styler,
        hide_index=True,
        column_order=shown,
        column_config={
            tables.HEADERS["title"]: st.column_config.TextColumn(width=280),
            tables.HEADERS["status"]: st.column_config.TextColumn(width=110),
        },
        on_select="rerun",
        selection_mode="single-row",
        key=f"fonte_{source}" if page == 1 else f"fonte_{source}_{page}",
        height=_table_height(len(table)),
    )
    return _selected_id(event, table)


# How to open a card, per layout (issue 24 §4: a phone was told to click headers and rows that
# its list does not have).
WIDE_MATRIX_HELP = (
    "Clic su un'intestazione per ordinare. Per aprire la scheda di un progetto spunta la casella "
    "all'inizio della sua riga: la scheda compare sotto la tabella."
)
PHONE_MATRIX_HELP = (
    "Per vedere la scheda di un progetto, sceglilo in «Apri la scheda di un progetto», in fondo "
    "all'elenco."
)


def matrix(plan: Plan) -> str | None:
    """The status matrix as a sortable, selectable table; returns the selected project's ID.

    Sized to fit a 1280 px projector with the sidebar open: short headers for long source
    names (the full name in the header's help and in the legend below), compact number columns.
    """
    table = shared(tables.matrix_table, plan)
    key = "matrice"
    if tables.page_count(len(table)) > 1:  # a big plan: sort, then a page of rows at a time
        order, where = st.columns(2)
        with order:
            choice = st.selectbox(
                "Ordina per",
                list(tables.matrix_sorts(plan)),
                key="ordine_matrice",
                placeholder=CHOOSE,
                help="Ordina tutti i progetti, dentro ogni pista, prima di dividerli in pagine.",
                on_change=lambda: st.session_state.pop("pagina_matrice", None),
            )
        with where:
            page = pager(len(table), key="pagina_matrice")
        table = tables.page_rows(tables.sort_matrix(table, plan, choice), page)
        key = f"matrice_{choice}_{page}"  # a selected row belongs to its page
        st.caption(
            md(
                "Progetti da {first} a {last} di {total}. Il clic su un'intestazione ordina solo "
                "questa pagina; «Ordina per» ordina tutti i progetti.",
                first=fmt.number(tables.PAGE_SIZE * (page - 1) + 1),
                last=fmt.number(tables.PAGE_SIZE * (page - 1) + len(table)),
                total=fmt.number(len(plan.projects)),
            )
        )
    with st.container(key=f"{keys.PHONE_ONLY}-matrice"):  # each layout says its own gestures
        st.caption(text(PHONE_MATRIX_HELP))
        phone_projects(_matrix_groups(plan, table))
        picked = project_picker(plan, "progetto_matrice_telefono")  # the grid's row click
    with st.container(key=f"{keys.WIDE_ONLY}-matrice"):
        st.caption(text(WIDE_MATRIX_HELP))
        return _matrix_grid(plan, table, key) or picked


def _matrix_groups(plan: Plan, table: pd.DataFrame) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The matrix rows by pista, for phone_projects: title, stato, items done and planned."""
    h = tables.HEADERS
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for _, row in table.iterrows():
        counts = md(
            "{done}, {planned}",
            done=fmt.count(int(row[h["done"]]), "attività realizzata", "attività realizzate"),
            planned=fmt.count(int(row[h["planned"]]), "ipotesi di lavoro", "ipotesi di lavoro"),
        )
        if h["spent_share"] in row.index and row[h["spent_share"]] >= 0:
            counts = md(
                "{counts}, speso il {share}",
                counts=counts,
                share=spending.percent(float(row[h["spent_share"]])),
            )
        groups.setdefault(row[h["track"]], []).append((row[h["title"]], row[h["status"]], counts))
    return [(f"{code} · {plan.track_title(code)}", rows) for code, rows in groups.items()]


def _matrix_grid(plan: Plan, table: pd.DataFrame, key: str) -> str | None:
    columns = layout.matrix_columns(plan, table)
    flags = set(tables.flag_columns(plan))
    config = {c.name: _matrix_column(c, centred=c.name in flags) for c in columns}
    event = st.dataframe(
        layout.styled_matrix(plan, table),
        hide_index=True,
        column_order=[c.name for c in columns],
        column_config=config,
        on_select="rerun",
        selection_mode="single-row",
        key=key,
        height=_table_height(len(table)),
    )
    shortened = [c for c in columns if c.name in plan.source_names and c.label != c.name]
    if shortened:
        legend = join([md("{label} = {name}", label=c.label, name=c.name) for c in shortened])
        tick = md(" {tick} = risorsa indicata con una spunta.", tick=layout.TICK) if flags else ""
        st.caption(md("Fonti: {legend}.{tick}", legend=legend, tick=Md(tick)))
    return _selected_id(event, table)


def _matrix_column(column: layout.MatrixColumn, *, centred: bool):  # noqa: ANN202
    """The column config of one matrix column; counts of items as whole numbers."""
    if column.name in (tables.HEADERS["done"], tables.HEADERS["planned"]):
        return st.column_config.NumberColumn(
            column.label, format="%d", width=column.width, help=text(column.help) or None
        )
    return st.column_config.Column(
        column.label,
        width=column.width,
        help=text(column.help) or None,
        alignment="center" if centred else None,
    )


def totals_table(frame, phone_key: str) -> None:  # noqa: ANN001 - texts, a "Totale" row
    """A small static table of totals: its row labels (the index) a first column, numbers
    right-aligned, the closing total row in bold. On a phone a list instead, one block per row
    (``phone_rows``, containers keyed from ``phone_key``): four columns of «funzionamento» and
    «41.000 €» do not fit 360 px (issue 24 §4: the table scrolled sideways by 11 px)."""
    kept = frame.map(lambda v: fmt.units_kept(v) if isinstance(v, str) else v)  # never «€» alone
    shown = kept.reset_index()
    label, *numbers = shown.columns

    def bold_total(row):  # noqa: ANN001, ANN202
        weight = "font-weight: 700" if row[label] == "Totale" else ""
        return [weight] * len(row)

    with st.container(key=f"{keys.PHONE_ONLY}-{phone_key}"):
        phone_rows(shown, named=False)  # «Che ruolo vogliamo giocare», «Totale»
    with st.container(key=f"{keys.WIDE_ONLY}-{phone_key}"):
        st.table(
            table(shown)
            .style.set_properties(subset=numbers, **{"text-align": "right !important"})
            .apply(bold_total, axis=1),
            hide_index=True,
        )


def _table_height(rows: int) -> int | Literal["content"]:
    return "content" if rows <= 40 else 720


def _selected_id(event: object, table) -> str | None:  # noqa: ANN001 - a DataFrame
    try:
        rows = event.selection.rows  # type: ignore[attr-defined]
    except AttributeError:
        return None
    if not rows or rows[0] >= len(table):
        return None
    return str(table.iloc[rows[0]][tables.HEADERS["id"]])


ROW, MAP = keys.css(keys.KPI_ROW), keys.css(keys.PLAN_MAP)
CARD, VALUE, NOTE = (keys.css_any(k) for k in (keys.KPI_CARD, keys.KPI_VALUE, keys.KPI_NOTE))
PHONE, WIDE = keys.css_any(keys.PHONE_ONLY), keys.css_any(keys.WIDE_ONLY)
CSS = f"""
<style>
.cp-chips {{ display: flex; flex-wrap: wrap; gap: .5rem; margin: .25rem 0 .75rem 0; }}
.cp-chip {{ display: inline-block; padding: .2rem .7rem; border-radius: 1rem;
           font-size: 1rem; line-height: 1.6; white-space: nowrap; }}
.cp-muted {{ color: #4A4A4A; font-size: 1rem; }}
.cp-stacks {{ list-style: none; padding: 0; margin: 0; }}
.cp-stacks li {{ margin: 0 0 1rem 0; }}
.cp-stack-title {{ margin: 0 0 .25rem 0; }}
.cp-stack {{ display: flex; height: 1rem; border-radius: 4px; overflow: hidden; margin-bottom: .4rem; }}
.cp-stack span {{ display: block; height: 100%; }}
.cp-codes {{ color: #555555; font-size: 0.8rem; }}
/* Captions: Streamlit fades the text colour to 60 % opacity, 4.4:1 on the sidebar's background
   (WCAG AA needs 4.5:1); a solid grey (the theme's grayTextColor) reads at 6.6:1 there, 7.5:1 on white. */
[data-testid="stCaptionContainer"] {{ opacity: 1; color: #555555; }}
/* KPI cards (kpi_row): plain Markdown in keyed containers. A card is never narrower than its
   value (kept on one line): cards wrap to a new row instead. */
{ROW} {{ flex-direction: row; flex-wrap: wrap; align-items: stretch; gap: .75rem;
                  margin: .5rem 0 -.25rem 0; }}
{ROW} > div {{ flex: 1 1 9rem; width: auto; min-width: min-content; }}
{CARD} {{ height: 100%; gap: 0; border: 1px solid #C9D3DF;
          border-radius: .5rem; padding: .6rem .9rem .55rem .9rem; background: #FFFFFF; }}
{CARD} [data-testid="stMarkdownContainer"] {{ margin-bottom: 0; }}
{CARD} p {{ margin: 0; font-size: 1rem; color: #333333; line-height: 1.3; }}
{VALUE} {{ margin: .15rem 0; }}
{VALUE} p {{ font-size: 1.3rem; font-weight: 600; line-height: 1.2;
          color: #1A1A1A; white-space: nowrap; }}
{VALUE} strong {{ font-size: 2.2rem; font-weight: 600; }}
{NOTE} p {{ font-size: .9rem; color: #4A4A4A; line-height: 1.3; }}
/* More room for tables and charts on a 1280 px projector than Streamlit's wide margins. */
@media (min-width: 1024px) {{
  [data-testid="stMainBlockContainer"] {{ padding-left: 2.5rem; padding-right: 2.5rem; }}
}}
/* A projector's first screen shows the plan, not 110 px of empty band above the title: the
   page starts just under Streamlit's header (3.75rem) on every screen («Presentazione» draws its
   own frame). */
[data-testid="stMainBlockContainer"] {{ padding-top: 4rem; }}
[data-testid="stMain"] h1 {{ padding-top: .25rem; }}
/* Phones get a list of the projects instead of a grid (phone_projects): a grid shows two
   columns of 13 px text there and hides the stato behind a sideways swipe. */
@media (min-width: {PHONE_MAX_PX + 1}px) {{ {PHONE} {{ display: none; }} }}
{PHONE} ul {{ list-style: none; padding-left: 0; }}
{PHONE} li {{ margin-bottom: .5rem; }}
{PHONE} li, {PHONE} p {{ font-size: 1rem; line-height: 1.5; }}
{PHONE} li .cp-chip {{ line-height: 1.4; padding: .05rem .55rem; }}
/* On a phone the plan map's tiles are too small to read: the project list below replaces it. */
@media (max-width: {PHONE_MAX_PX}px) {{
  {MAP} {{ display: none; }}
  {WIDE} {{ display: none; }}
  {VALUE} strong {{ font-size: 1.8rem; }}
  /* The first screen shows the plan, not a title of three lines (issue 24 §4): titles are
     smaller (the page starts under Streamlit's header on every screen, above). */
  [data-testid="stMain"] h1 {{ font-size: 2rem; }}
  /* Tabs wrap to a second row instead of hiding the last one behind a sideways swipe. */
  [data-testid="stTabs"] [role="tablist"] {{ flex-wrap: wrap; row-gap: .25rem; }}
}}
/* A chosen filter value shows whole (on two lines if need be), never cut with an ellipsis. */
[data-testid="stMultiSelect"] [data-tag] {{ height: auto; min-height: 1.6rem; max-width: 100%;
                                           white-space: normal; }}
[data-testid="stMultiSelect"] [data-tag] > span[title] {{ white-space: normal;
                                                          overflow: visible; line-height: 1.25; }}
/* No Streamlit English in front of the board: the ⋮ main menu (Print, Record screen, Made with
   Streamlit) and the toolbar over tables and charts (Show/hide columns, Download as CSV, Search,
   Fullscreen), whose CSV download would bypass the formula protection of the sidebar downloads
   (coopplan.tables). Data-testids of Streamlit 1.67. */
[data-testid="stMainMenu"], [data-testid="stElementToolbar"] {{ display: none !important; }}
/* Long pista titles wrap in the navigation instead of being cut with an ellipsis. */
[data-testid="stSidebarNavLink"] span {{ white-space: normal !important;
                                        overflow: visible !important; text-overflow: clip !important; }}
/* «Filtro attivo — …» is what makes every total on the page true: a band read from the back of
   the hall, not 14 px grey print under the subtitle. */
.st-key-{keys.FILTER_LINE} [data-testid="stCaptionContainer"] {{ color: #1A1A1A; font-size: 1.05rem;
    font-weight: 600; background: #FFF4CC; border-left: 6px solid #C98A00; border-radius: .3rem;
    padding: .35rem .7rem; }}
/* The way on at the end of a pista page looks like the link it is. */
.st-key-{keys.WAY_ON} [data-testid="stPageLink"] p {{ color: #1F4E79; font-weight: 600;
    text-decoration: underline; }}
/* So does the next pista's title in the link at the end of a pista page (a phone). */
.st-key-{keys.WAY_ON} [data-testid="stPageLink"] * {{ white-space: normal !important;
    overflow: visible !important; text-overflow: clip !important; min-width: 0; }}
</style>
"""


def inject_css() -> None:
    st.html(CSS)
