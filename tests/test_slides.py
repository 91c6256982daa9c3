"""The deck as data: which slides, what they say, and that each one fits its text budget."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from support.paths import SHIPPED
from support.sample import generate_plan

from coopplan import load_plan
from coopplan.export.html import slide_html
from coopplan.kinds import SourceKind
from coopplan.plan import Funding, Plan, ProjectCard
from coopplan.slides import (
    CONTENT_W,
    CONTINUED,
    HALF_W,
    MAX_CHART_BARS,
    NO_ACTIVITY,
    NONE_TEXT,
    UNDEFINED_TEXT,
    Block,
    Column,
    Slide,
    blocks_height,
    body_budget,
    build_deck,
    facts,
    fit_line,
    line_count,
    paginate,
    project_block,
    table_height,
    text_width,
)

# 1 title, 1 «Le piste di lavoro», 2 at a glance, 14 piste (4 + continued; no project cut
# while it fits a slide), 4 sources, 3 matrix, 1 end
SHIPPED_SLIDES = 26
GENERATED_SLIDES = 60  # was 58: 2 «Scadenze» (5 projects due by its assembly, long titles)
GENERATED_TODAY = dt.date(2024, 3, 1)  # the generated plan's version date; its assembly 28/06


@pytest.fixture(scope="module")
def plan() -> Plan:
    result = load_plan(SHIPPED)
    assert result.ok
    return result.plan


@pytest.fixture(scope="module")
def deck(plan: Plan) -> list[Slide]:
    return build_deck(plan)


@pytest.fixture(scope="module")
def generated() -> Plan:
    """5 piste, 4 funding sources (3 amount, 1 yes/no), 40 projects."""
    return generate_plan(n_tracks=5, n_projects=40, extra_sources=1)


def first_slides(deck: list[Slide], kind: str) -> list[Slide]:
    return [s for s in deck if s.kind == kind and not s.continued]


def all_text(slide: Slide) -> str:
    parts = [slide.title, slide.subtitle]
    for block in slide.blocks:
        parts += [block.heading, block.detail]
        for column in block.columns:
            parts += [column.label, *column.lines]
    if slide.table:
        parts += list(slide.table.headers) + [c for row in slide.table.rows for c in row]
    return "\n".join(parts)


# Structure ---------------------------------------------------------------------------------


def test_shipped_deck_structure(plan: Plan, deck: list[Slide]) -> None:
    assert len(deck) == SHIPPED_SLIDES
    assert deck[0].kind == "title" and deck[0].title == plan.meta.title
    assert deck[-1].kind == "closing"
    assert [s.kind for s in deck[1:4]] == ["tracks", "overview", "status"]
    assert [s.title for s in first_slides(deck, "track")] == [
        plan.track_title(c) for c in plan.track_codes
    ]
    assert [s.title for s in first_slides(deck, "source")] == plan.source_names
    assert len(first_slides(deck, "matrix")) == 1


def test_generated_plan_with_five_piste_and_four_sources(generated: Plan) -> None:
    deck = build_deck(generated, today=GENERATED_TODAY)
    assert len(deck) == GENERATED_SLIDES
    assert [s.title for s in first_slides(deck, "track")] == [
        generated.track_title(c) for c in generated.track_codes
    ]
    assert len(generated.track_codes) == 5
    assert [s.title for s in first_slides(deck, "source")] == generated.source_names
    assert len(generated.source_names) == 4
    text = "\n".join(all_text(s) for s in deck)
    assert "2023" not in text and "Coop Re-Start" not in text  # nothing of the 2023 plan
    for title in generated.projects["title"]:
        assert title in text


def test_continued_slides_are_marked_and_keep_their_section(deck: list[Slide]) -> None:
    for before, slide in zip(deck, deck[1:], strict=False):
        if slide.continued:
            assert slide.title.endswith(CONTINUED)
            assert before.kind == slide.kind
            assert before.title.removesuffix(CONTINUED) == slide.title.removesuffix(CONTINUED)


def test_every_project_and_activity_is_on_its_pista_slides(plan: Plan, deck: list[Slide]) -> None:
    for code in plan.track_codes:
        title = plan.track_title(code)
        text = "\n".join(
            all_text(s) for s in deck if s.kind == "track" and s.title.startswith(title)
        )
        projects = plan.projects.loc[plan.projects["track"] == code]
        for project in projects.itertuples():
            assert project.title in text
            for item in plan.items.loc[plan.items["project"] == project.id, "text"]:
                assert item in text


# Text budget and splitting -------------------------------------------------------------------


@pytest.mark.parametrize("which", ["shipped", "generated"])
def test_every_slide_fits_its_text_budget(which: str, deck: list[Slide], generated: Plan) -> None:
    slides = deck if which == "shipped" else build_deck(generated, today=GENERATED_TODAY)
    for slide in slides:
        budget = body_budget(slide.title, slide.subtitle)
        if slide.table is not None:
            assert table_height(slide.table) <= budget, slide.title
        else:
            width = HALF_W if slide.chart else CONTENT_W
            assert blocks_height(slide.blocks, width) <= budget, slide.title


def test_a_long_pista_splits_into_continued_slides_with_every_item_once() -> None:
    items = tuple(
        f"Attività numero {i}: una descrizione abbastanza lunga da andare a capo" for i in range(30)
    )
    block = Block(
        heading="GRUPPO · Un progetto con molte attività",
        detail="In corso",
        columns=(Column("Attività realizzate", items), Column("Ipotesi di lavoro", items[:3])),
    )
    budget = body_budget("Titolo", "Sottotitolo")
    pages = paginate([block], budget)
    assert len(pages) > 2
    for page in pages:
        assert blocks_height(page) <= budget
    headings = [b.heading for page in pages for b in page]
    assert headings[0] == block.heading
    assert all(h == block.heading + CONTINUED for h in headings[1:])
    sizes = [sum(len(c.lines) for c in b.columns) for page in pages for b in page]
    assert min(sizes) >= 2, sizes  # no part of one bullet
    done = [line for page in pages for b in page for line in b.columns[0].lines]
    planned = [line for page in pages for b in page for c in b.columns[1:] for line in c.lines]
    assert done == list(items) and planned == list(items[:3])


def test_a_single_huge_item_still_progresses() -> None:
    huge = "parola " * 400
    block = Block(heading="Enorme", columns=(Column("", (huge, "dopo")),))
    pages = paginate([block], body_budget("T", "S"))
    lines = [line for page in pages for b in page for c in b.columns for line in c.lines]
    assert lines == [huge, "dopo"]


def test_measured_widths_are_not_below_arial() -> None:
    """The text budget measures with Arial-like widths: never narrower than Liberation Sans."""
    fonts = Path("/usr/share/fonts/truetype/liberation")
    if not (fonts / "LiberationSans-Regular.ttf").exists():
        message = (
            f"Liberation Sans not found in {fonts}: install the Debian package fonts-liberation"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # under CI a missing font must not pass silently
        pytest.skip(message)
    from PIL import ImageFont

    plan = load_plan(SHIPPED).plan
    texts = list(plan.items["text"]) + list(plan.projects["title"]) + list(plan.lines["title"])
    for name, bold in (("LiberationSans-Regular.ttf", False), ("LiberationSans-Bold.ttf", True)):
        font = ImageFont.truetype(str(fonts / name), 28)
        for text in texts:
            assert text_width(text, 28, bold) >= font.getlength(text), text


def test_line_count_wraps_words() -> None:
    assert line_count("", 500) == 0
    assert line_count("breve", 500) == 1
    assert line_count("parola " * 60, 500) > line_count("parola " * 30, 500) > 1


# Layout rules (docs/decisions.md, «Presentazione»): a deck a person would have made -----------

# A slide of a section that takes several slides is not left mostly empty. The shipped deck
# had slides 11, 14, 20 at 30-35 % (now at least 42 %); the generated plan's projects are
# bigger blocks that cannot be cut without a one-bullet part, so it gets 1/3.
MIN_FILL = {"shipped": 0.4, "generated": 1 / 3}


def fill(slide: Slide) -> float:
    """The share of the slide's body height its text takes."""
    budget = body_budget(slide.title, slide.subtitle)
    if slide.table is not None:
        return table_height(slide.table) / budget
    return blocks_height(slide.blocks, HALF_W if slide.chart else CONTENT_W) / budget


@pytest.mark.parametrize("which", ["shipped", "generated"])
def test_the_deck_reads_like_one_a_person_made(
    which: str, deck: list[Slide], generated: Plan
) -> None:
    slides = deck if which == "shipped" else build_deck(generated)
    for number, slide in enumerate(slides, 1):
        where = (which, number, slide.title)
        for block in slide.blocks:
            for column in block.columns:
                assert column.lines, (*where, block.heading, column.label)  # no bare label
                assert NONE_TEXT not in column.lines, (*where, block.heading)  # no lone "• —"
            if block.heading.endswith(CONTINUED):  # a cut project carries more than one bullet
                assert sum(len(c.lines) for c in block.columns) >= 2, (*where, block.heading)
            if block.detail_color:  # a project: both columns, each with its label
                labels = [c.label for c in block.columns]
                assert (
                    labels
                    in (
                        ["Attività realizzate", "Ipotesi di lavoro"],
                        ["Attività realizzate"],
                        ["Ipotesi di lavoro"],
                    )
                    or not labels
                ), (*where, block.heading)
    sections: dict[tuple[str, str], list[Slide]] = {}
    for slide in slides:
        sections.setdefault((slide.kind, slide.title.removesuffix(CONTINUED)), []).append(slide)
    # a pista's opening slide may hold its filoni and budget alone: its first project, which
    # fits a slide, is never cut to fill it (issue 24 §3)
    fills = {
        k: [round(fill(s), 2) for s in v if not _intro_only(s)]
        for k, v in sections.items()
        if len(v) > 1
    }
    for key, values in fills.items():
        assert min(values) >= MIN_FILL[which], (which, key, values)


def _intro_only(slide: Slide) -> bool:
    """A pista's first slide holding only its filoni and budget."""
    return slide.kind == "track" and not slide.continued and len(slide.blocks) == 1


def test_no_project_is_cut_while_it_fits_a_slide(plan: Plan, deck: list[Slide]) -> None:
    """Issue 24 §3: Ufficio Credito&Finanza was split over slides 8–9, and in the Oneri deck
    after one activity; a project is cut only when it is taller than a whole slide."""
    view = plan.filter(sources=["Oneri di funzionamento"])
    for slides in (deck, build_deck(view, "Fonte: Oneri di funzionamento", plan.source_names)):
        cut = {
            b.heading.removesuffix(CONTINUED)
            for s in slides
            for b in s.blocks
            if b.heading.endswith(CONTINUED)
        }
        for name in cut:
            whole = next(project_block(c) for c in plan.cards() if name.endswith(c.title))
            track = next(s for s in slides if any(b.heading == name for b in s.blocks))
            assert blocks_height([whole]) > body_budget(track.title, track.subtitle), name
    credito = [
        s.title for s in deck if any("Ufficio Credito&Finanza" in b.heading for b in s.blocks)
    ]
    assert credito == ["Competere nella società del rischio (segue)"]


def test_projects_without_activities_say_so(deck: list[Slide]) -> None:
    block = next(b for s in deck for b in s.blocks if b.heading.endswith("Temporary manager"))
    assert block.columns[0] == Column("Attività realizzate", (NO_ACTIVITY,))


# What the slides say -------------------------------------------------------------------------


def test_money_in_italian_format_and_flags_counted_not_summed(deck: list[Slide]) -> None:
    overview = all_text(deck[2])
    assert "Risorse Coop Re-Start: 25.000 € in 4 progetti" in overview
    assert "Oneri di funzionamento: 41.000 € in 1 progetto" in overview
    assert "Risorse interne: 15 progetti" in overview
    assert not re.search(r"Risorse interne: [\d.,]+ €", overview)
    first_track = first_slides(deck, "track")[0]
    assert "Risorse Coop Re-Start: 20.000 €" in all_text(first_track)
    assert not re.search(r"\d,\d{3}", "\n".join(all_text(s) for s in deck))  # no 25,000


def test_chart_values_equal_the_plan_totals(plan: Plan, deck: list[Slide]) -> None:
    totals = plan.source_totals().set_index("source")
    overview = deck[2].chart
    assert overview is not None and overview.money
    assert list(overview.categories) == plan.amount_sources  # flag sources are not money
    assert list(overview.series[0].values) == [totals.loc[n, "total"] for n in plan.amount_sources]
    status = deck[3].chart
    assert status is not None
    assert dict(zip(status.categories, status.series[0].values, strict=True)) == {
        k: float(v) for k, v in plan.status_counts().items()
    }
    by_track = plan.amount_by_track()
    flags = plan.flags_by_track()
    for slide in first_slides(deck, "source"):
        chart = slide.chart
        assert chart is not None
        values = dict(zip(chart.categories, chart.series[0].values, strict=True))
        if slide.title in plan.amount_sources:
            mine = by_track.loc[by_track["source"] == slide.title]
            expected = dict(zip(mine["track_title"], mine["amount"], strict=True))
        else:
            mine = flags.loc[flags["source"] == slide.title]
            expected = dict(zip(mine["track_title"], mine["projects"].astype(float), strict=True))
        assert values == {k: v for k, v in expected.items() if v}  # a pista at zero: no bar
        assert set(chart.point_colors) == {slide.accent}  # bars in the source's colour
        assert sum(values.values()) == totals.loc[slide.title, "total"]


def test_notes_carry_what_does_not_fit(plan: Plan, deck: list[Slide]) -> None:
    first_track = first_slides(deck, "track")[0]
    descriptions = plan.lines.loc[plan.lines["track"] == plan.track_codes[0], "description"]
    for description in descriptions:
        assert description in first_track.notes
    assert "Fondosviluppo" in first_track.notes  # a project's budget note


def test_filtered_deck_names_the_filter_and_skips_empty_piste(plan: Plan) -> None:
    view = plan.filter(sources=["Oneri di funzionamento"])
    deck = build_deck(view, "Fonte: Oneri di funzionamento", plan.source_names)
    assert "Fonte: Oneri di funzionamento" in all_text(deck[0])
    assert all(s.footer == "Fonte: Oneri di funzionamento" for s in deck)
    tracks = first_slides(deck, "track")
    assert [s.title for s in tracks] == ["Competere nella società del rischio"]
    assert [s.title for s in first_slides(deck, "source")] == ["Oneri di funzionamento"]
    full = build_deck(plan)
    colour = next(s.accent for s in full if s.title == "Oneri di funzionamento")
    assert next(s.accent for s in deck if s.title == "Oneri di funzionamento") == colour


def test_a_plan_with_no_projects_still_makes_a_deck(plan: Plan) -> None:
    deck = build_deck(plan.filter(sources=[]), "Nessuna fonte")
    assert deck[0].kind == "title" and deck[-1].kind == "closing"
    assert any("Nessun progetto" in all_text(s) for s in deck)


def test_many_piste_drop_the_chart_rather_than_crowd_it() -> None:
    many = generate_plan(n_tracks=MAX_CHART_BARS + 2, n_projects=30, extra_sources=0)
    for slide in build_deck(many):
        assert slide.chart is None or len(slide.chart.categories) <= MAX_CHART_BARS


def test_the_deck_uses_the_plans_cards(plan: Plan, generated: Plan) -> None:
    """One card per project, in workbook order, with the workbook's fields and funding."""
    for p in (plan, generated):
        cards = facts(p).cards
        assert list(cards) == list(p.projects["id"])
        for record in p.projects.to_dict("records"):
            card = cards[record["id"]]
            assert card is p.project(record["id"])
            assert (card.title, card.status, card.track) == (
                record["title"],
                record["status"],
                record["track"],
            )
            mine = p.funding.loc[p.funding["project"] == record["id"]]
            assert [f.source for f in card.funding] == [
                s for s in p.source_names if s in set(mine["source"])
            ]


def test_a_project_without_activities_says_so_in_one_line(plan: Plan, deck: list[Slide]) -> None:
    """«Da definire» projects: their note (or «Progetto da definire») under the heading, never
    two columns of "—", and never a continued slide holding nothing else."""
    empty = [c for c in plan.cards() if not c.done and not c.planned]
    assert {c.title for c in empty} == {"Piattaforme cooperative", "Attività educative"}
    blocks = {b.heading: b for s in deck if s.kind == "track" for b in s.blocks}
    for card in empty:
        block = blocks[card.title]
        assert block.detail == f"Da definire · {card.notes}"
        assert block.columns == ()
    for slide in deck:
        for block in slide.blocks:
            lines = [line for c in block.columns for line in c.lines]
            assert not lines or set(lines) != {NONE_TEXT}, (slide.title, block.heading)
        if slide.kind == "track" and slide.continued:
            assert any(b.columns for b in slide.blocks), slide.title


def test_a_project_without_activities_or_note_is_to_be_defined() -> None:
    card = ProjectCard(
        id="P1-09",
        track="P1",
        track_title="Pista",
        group="",
        title="Nuovo progetto",
        subtitle="",
        budget_line="",
        status="In corso",
        notes="",
        funding=(Funding("Risorse interne", SourceKind.FLAG, True),),
    )
    block = project_block(card)
    assert block.detail == f"In corso · Risorse interne · {UNDEFINED_TEXT}"
    assert block.columns == ()
    long = project_block(replace(card, notes="nota lunghissima " * 300))
    pages = paginate([Block(heading="Prima"), long], body_budget("T", "S"))
    assert [b.heading for page in pages for b in page] == ["Prima", "Nuovo progetto"]


# HTML of a slide ---------------------------------------------------------------------------


def test_slide_html_escapes_text_and_shows_values(deck: list[Slide]) -> None:
    html = slide_html(deck[2], 3)
    assert "25.000\u00a0€" in html and "Importi per fonte" in html  # «€» kept with its number
    hostile = Slide(
        kind="track", title="<script>alert(1)</script>", blocks=(Block(heading="a & b"),)
    )
    out = slide_html(hostile)
    assert "<script>" not in out and "&lt;script&gt;" in out and "a &amp; b" in out
    assert "http" not in "".join(slide_html(s) for s in deck)  # nothing to fetch


def test_a_note_is_shown_without_dropping_piste(plan: Plan) -> None:
    deck = build_deck(plan, note="Versione 3 del piano, in sola lettura")
    assert "Versione 3 del piano, in sola lettura" in all_text(deck[0])
    assert all(s.footer == "Versione 3 del piano, in sola lettura" for s in deck)
    assert len(deck) == SHIPPED_SLIDES


def test_footer_text_is_cut_to_one_line() -> None:
    long = "Fonte: " + ", ".join(f"Fonte di finanziamento numero {i}" for i in range(12))
    cut = fit_line(long, 600, 18)
    assert cut.endswith("…") and text_width(cut, 18) <= 600
    assert fit_line("breve", 600, 18) == "breve"


def test_no_slide_reads_a_zero_as_a_fact(plan: Plan, deck: list[Slide]) -> None:
    """Issue 24 §1: no «Oneri di funzionamento: 0 €» line on a pista slide, no «0 €» bar."""
    for slide in deck:
        for block in slide.blocks:
            for column in block.columns:
                for line in column.lines:
                    assert not line.endswith((": 0 €", ": 0 progetti")), (slide.title, line)
        if slide.chart is not None:
            assert all(v > 0 for series in slide.chart.series for v in series.values), slide.title
    first = first_slides(deck, "track")[0]
    budget = next(c for b in first.blocks for c in b.columns if c.label == "Budget")
    assert budget.lines == ("Risorse Coop Re-Start: 20.000 €", "Risorse interne: 5 progetti")
    oneri = next(s for s in deck if s.kind == "source" and s.title == "Oneri di funzionamento")
    assert oneri.chart is not None
    assert oneri.chart.categories == ("Competere nella società del rischio",)


def test_one_meaning_per_colour_on_the_slides(plan: Plan, deck: list[Slide]) -> None:
    """Source colours only for sources, pista colours only for piste (issue 24 §1)."""
    f = facts(plan)
    track_colours, source_colours = set(f.track_colors.values()), set(f.source_colors.values())
    for slide in deck:
        chart = slide.chart
        if chart is None:
            continue
        if slide.kind in ("source", "overview"):
            assert set(chart.point_colors) <= source_colours, slide.title
            assert not set(chart.point_colors) & track_colours, slide.title


def test_the_deck_names_the_piste_first_and_in_the_matrix(plan: Plan, deck: list[Slide]) -> None:
    """Issue 24 §3: «Le piste di lavoro» after the title; the matrix names piste, not P1–P4;
    slide 4 has a «Concluso» line and the stato dots stand 3:1 on the white slide."""
    from coopplan.palette import WHITE, contrast

    tracks = deck[1]
    assert (tracks.kind, tracks.title) == ("tracks", "Le piste di lavoro")
    assert [b.heading for b in tracks.blocks] == [
        f"{i}. {plan.track_title(c)}" for i, c in enumerate(plan.track_codes, 1)
    ]
    assert tracks.blocks[0].detail == "4 filoni · 5 progetti"
    status_lines = deck[3].blocks[0].columns[0].lines
    assert status_lines[-1] == "Concluso: nessun progetto"
    assert "In corso: 67 % (12 progetti)" in status_lines
    matrix = [s for s in deck if s.kind == "matrix"]
    pistes = {row[1] for s in matrix for row in s.table.rows if row[1]}  # type: ignore[union-attr]
    assert pistes == {plan.track_title(c) for c in plan.track_codes}
    assert not any(row[1].startswith("P") and row[1][1:].isdigit() for row in matrix[0].table.rows)  # type: ignore[union-attr]
    marks = {m for s in matrix for m in s.table.marks}  # type: ignore[union-attr]
    marks |= {b.detail_color for s in deck for b in s.blocks if b.detail_color}
    assert min(contrast(m, WHITE) for m in marks) >= 3.0
    undefined = next(b for s in deck for b in s.blocks if b.detail.startswith("Da definire"))
    assert contrast(undefined.detail_color, WHITE) >= 3.0  # #BDBDBD was 1,9:1


def test_the_title_slide_prints_a_short_address() -> None:
    from coopplan.export.html import short_address

    url = "http://192.168.1.20:8501/?fonte=Oneri+di+funzionamento&stato=In+corso&stato=Da+avviare"
    assert short_address(url) == "192.168.1.20:8501 · con il filtro"
    assert short_address("http://192.168.1.20:8501/") == "192.168.1.20:8501"
    html = slide_html(Slide(kind="title", title="Piano"), 1, url)
    shown = re.search(r'class="cp-qr-url">([^<]*)<', html)
    assert shown is not None and shown.group(1) == "192.168.1.20:8501 · con il filtro"
    assert "+" not in shown.group(1) and "&amp;" not in shown.group(1)
