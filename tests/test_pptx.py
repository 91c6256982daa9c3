"""PowerPoint export and PDF handout: native charts, Italian numbers, nothing outside the slide,
and what LibreOffice actually renders (page count, every word inside its box; PNGs to look at
in artifacts/pptx/)."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Emu
from support.documents import (  # noqa: F401 - fixtures
    ARTIFACTS,
    CHART_LABELS_MAX_SHARE,
    EMU_PER_PT,
    GLYPH_SLACK,
    VALUE_LABEL_MARGIN_PT,
    VALUE_WORD,
    _frames,
    _shape_texts,
    all_pptx_text,
    deck,
    long_plan,
    need_tool,
    pdf_pages,
    pdf_words,
    plan,
    pptx_bytes,
    prs,
    rendered,
    run_cli,
    shape_boxes,
)
from support.paths import SHIPPED
from support.sample import generate_plan

from coopplan import slides
from coopplan.export import handout
from coopplan.export import pdf as pdf_module
from coopplan.export.handout import handout_pdf
from coopplan.export.pdf import PdfError, office_to_pdf
from coopplan.export.pptx import deck_to_pptx
from coopplan.plan import Plan
from coopplan.slides import Slide, build_deck


def test_one_pptx_slide_per_deck_slide_in_16_9(prs: Presentation, deck: list[Slide]) -> None:
    assert len(prs.slides) == len(deck)
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000))
    for page, slide in zip(prs.slides, deck, strict=True):
        title = next(s for s in page.shapes if s.has_text_frame and s.text_frame.text)
        assert title.text_frame.text == slide.title


def test_charts_are_native_with_the_plan_totals(
    prs: Presentation, deck: list[Slide], plan: Plan
) -> None:
    charted = 0
    for page, slide in zip(prs.slides, deck, strict=True):
        charts = [s.chart for s in page.shapes if s.has_chart]
        assert len(charts) == (1 if slide.chart else 0)
        assert not any(s.shape_type == 13 for s in page.shapes)  # no pictures
        if not slide.chart:
            continue
        charted += 1
        chart = charts[0]
        assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
        assert list(chart.plots[0].categories) == list(slide.chart.categories)
        assert [tuple(s.values) for s in chart.plots[0].series] == [
            s.values for s in slide.chart.series
        ]
        if slide.chart.money:
            assert '#,##0 "€"' in chart.plots[0].data_labels.number_format
    assert charted == 2 + len(plan.source_names)
    totals = plan.source_totals().set_index("source")
    overview = next(s for s in prs.slides[2].shapes if s.has_chart).chart
    assert list(overview.plots[0].series[0].values) == [
        totals.loc[n, "total"] for n in plan.amount_sources
    ]


def test_chart_colours_are_the_palette(prs: Presentation, deck: list[Slide]) -> None:
    page, slide = prs.slides[3], deck[3]  # projects per stato, traffic-light colours
    series = next(s for s in page.shapes if s.has_chart).chart.plots[0].series[0]
    colours = [
        f"#{series.points[i].format.fill.fore_color.rgb}"
        for i in range(len(slide.chart.categories))
    ]
    assert colours == [c.upper() for c in slide.chart.point_colors]


def test_text_in_italian_format(prs: Presentation) -> None:
    text = all_pptx_text(prs)
    assert "25.000 €" in text and "41.000 €" in text and "Risorse interne: 15 progetti" in text
    assert "Identità cooperativa" in text
    assert not re.search(r"\d,\d{3}", text)


def test_speaker_notes(prs: Presentation, plan: Plan) -> None:
    notes = prs.slides[4].notes_slide.notes_text_frame.text  # first pista
    description = plan.lines.loc[plan.lines["track"] == plan.track_codes[0], "description"].iloc[0]
    assert description in notes


def test_every_shape_inside_the_slide(prs: Presentation) -> None:
    width, height = prs.slide_width / EMU_PER_PT, prs.slide_height / EMU_PER_PT
    for number, page in enumerate(prs.slides, 1):
        for left, top, right, bottom in shape_boxes(page):
            assert left >= 0 and top >= 0, number
            assert right <= width + 0.5 and bottom <= height + 0.5, number


def test_generated_plan_exports(tmp_path: Path) -> None:
    plan = generate_plan(n_tracks=5, n_projects=40, extra_sources=1)
    deck = build_deck(plan)
    prs = Presentation(io.BytesIO(deck_to_pptx(deck)))
    assert len(prs.slides) == len(deck)
    assert sum(1 for p in prs.slides for s in p.shapes if s.has_chart) == 2 + 4


def test_libreoffice_renders_one_page_per_slide(rendered: Path, deck: list[Slide]) -> None:
    assert pdf_pages(rendered) == len(deck)
    assert len(list(ARTIFACTS.glob("slide-*.png"))) == len(deck)


def test_rendered_words_stay_inside_their_boxes(rendered: Path, prs: Presentation) -> None:
    """No text overflows: every word LibreOffice drew lies inside one of the slide's shapes."""
    width, height = prs.slide_width / EMU_PER_PT, prs.slide_height / EMU_PER_PT
    for number, (words, page) in enumerate(zip(pdf_words(rendered), prs.slides, strict=True), 1):
        boxes = shape_boxes(page)
        for x0, y0, x1, y1, text in words:
            assert 0 <= x0 and x1 <= width and 0 <= y0 and y1 <= height, (number, text)
            slack = max(2.0, GLYPH_SLACK * (y1 - y0))
            inside = any(
                x0 >= left - slack
                and x1 <= right + slack
                and y0 >= top - slack
                and y1 <= bottom + slack
                for left, top, right, bottom in boxes
            )
            assert inside, f"slide {number}: «{text}» outside every box"


def test_rendered_charts_give_labels_a_share_and_keep_values_inside(
    rendered: Path, prs: Presentation
) -> None:
    """As LibreOffice draws them, the category labels take at most 40 % of a chart's width (they
    took half) and every value label («20.000 €», which touched the edge) ends inside the chart
    with a margin."""
    charted = 0
    for number, (words, page) in enumerate(zip(pdf_words(rendered), prs.slides, strict=True), 1):
        for frame in (shape for shape in page.shapes if shape.has_chart):
            left, top, right, bottom = shape_boxes(page)[list(page.shapes).index(frame)]
            mine = [w for w in words if left <= w[0] and w[2] <= right and top <= w[1] <= bottom]
            title_line = min(w[3] for w in mine)  # the chart's title is its first line
            body = [w for w in mine if w[1] > title_line]
            values = [w for w in body if VALUE_WORD.match(w[4])]
            labels = [w for w in body if not VALUE_WORD.match(w[4])]
            assert values and labels, (number, mine)
            widest = max(w[2] for w in labels) - left
            assert widest <= CHART_LABELS_MAX_SHARE * (right - left), (number, widest, labels)
            for word in values:
                assert word[2] <= right - VALUE_LABEL_MARGIN_PT, (number, word, right)
                assert word[0] > max(w[2] for w in labels), (number, word)  # after the labels
            charted += 1
    assert charted >= 3  # the shipped deck: overview, stati, one per amount source


def test_rendered_charts_show_italian_numbers(rendered: Path) -> None:
    words = [w[4] for page in pdf_words(rendered)[2:3] for w in page]  # «Il piano in sintesi»
    text = " ".join(words)
    assert "25.000" in text and "41.000" in text and "25,000" not in text


def test_handout_cover_piste_and_budget(plan: Plan) -> None:
    need_tool("soffice")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "dispensa.pdf"
    target.write_bytes(handout_pdf(plan))
    facts = slides.facts(plan)
    piste = sum(len(handout.track_pages(facts, c)) for c in plan.track_codes)
    assert piste <= 2 * len(plan.track_codes)  # at 10 pt a pista takes one or two pages
    assert pdf_pages(target) == 1 + piste + len(handout.budget_pages(facts))
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True).stdout
    assert "Le piste di lavoro" in text and "Le fonti di finanziamento" in text  # the cover
    assert "Budget complessivo" in text and "25.000 €" in text and "41.000 €" in text
    assert "Identità cooperativa" in text and "società del rischio" in text
    pages = Presentation(io.BytesIO(handout.handout_pptx(plan))).slides
    for number, (words, page) in enumerate(zip(pdf_words(target), pages, strict=True), 1):
        boxes = shape_boxes(page)
        for x0, y0, x1, y1, word in words:
            assert 0 <= x0 and x1 <= 842.5 and 0 <= y0 and y1 <= 595.5, word
            slack = max(2.0, GLYPH_SLACK * (y1 - y0))
            assert any(
                x0 >= left - slack
                and x1 <= right + slack
                and y0 >= top - slack
                and y1 <= bottom + slack
                for left, top, right, bottom in boxes
            ), f"page {number}: «{word}» outside every box"
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(target), str(ARTIFACTS / "dispensa")], check=True
    )


def test_handout_continues_long_piste_and_budget_on_more_pages() -> None:
    plan = long_plan()
    facts = slides.facts(plan)
    code = plan.track_codes[0]
    pages = handout.track_pages(facts, code)
    assert len(pages) > 1 and pages[1].title.endswith("(segue)") and not pages[1].filoni
    header = handout.row_height(handout.header_row(handout.PROJECT_HEADERS), handout.PROJECT_WIDTHS)
    for page in pages:
        top = handout.track_body_top(page.filoni)
        used = sum(handout.row_height(r, handout.PROJECT_WIDTHS) for r in page.rows)
        assert top + header + used <= handout.BOTTOM, page.title
    done = [line for page in pages for row in page.rows for line in row[2].lines]
    first = facts.projects_of(code)[0]
    expected = ["• " + t for t in first.done]
    assert done[: len(expected)] == expected  # every activity once, in order, across the split
    budget = handout.budget_pages(facts)
    assert len(budget) > 1 and budget[1][3]  # continued
    assert sum(len(p[1]) for p in budget) == len(plan.projects) + 1  # + the total row


def test_missing_libreoffice_is_said_in_italian(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)
    with pytest.raises(PdfError, match="LibreOffice"):
        office_to_pdf(b"x")


def test_cli_exports_pptx_and_pdf(tmp_path: Path, deck: list[Slide]) -> None:
    out = run_cli("export", str(SHIPPED), "--format", "pptx", "-o", "piano.pptx", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert f"{len(deck)} slide" in out.stdout
    assert len(Presentation(str(tmp_path / "piano.pptx")).slides) == len(deck)
    need_tool("soffice")
    out = run_cli("export", str(SHIPPED), "--format", "pdf", "-o", "piano.pdf", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "piano.pdf").read_bytes().startswith(b"%PDF")


def test_downloads_under_a_filter_are_named_after_it_and_say_it(plan: Plan) -> None:
    """Issue 24 §3: the files of a filtered deck are named after the filter and say it."""
    from coopplan.export import file_stem

    label = "Fonte: Oneri di funzionamento"
    assert file_stem("presentazione-piano", label) == (
        "presentazione-piano-fonte-oneri-di-funzionamento"
    )
    assert file_stem("dispensa-piano", "") == "dispensa-piano"
    assert file_stem("progetti", "Pista: Curare le risorse umane · Stato: Da avviare") == (
        "progetti-pista-curare-le-risorse-umane-stato-da-avviare"
    )
    view = plan.filter(sources=["Oneri di funzionamento"])
    prs = Presentation(io.BytesIO(deck_to_pptx(build_deck(view, label, plan.source_names))))
    assert prs.core_properties.subject == label


def test_the_handout_has_a_cover_10_pt_text_and_says_its_filter(plan: Plan) -> None:
    """Issue 24 §3: a cover with the plan in short, body text of at least 10 pt, and under a
    filter the file says which one, with no «Budget complessivo» page."""
    label = "Fonte: Oneri di funzionamento"
    view = plan.filter(sources=["Oneri di funzionamento"])
    pages = Presentation(io.BytesIO(handout.handout_pptx(view, label))).slides
    texts = ["\n".join(_shape_texts(page)) for page in pages]
    cover = texts[0]
    assert plan.meta.title in cover
    assert f"Filtro: {label}. La dispensa mostra solo i progetti scelti." in cover
    assert "Oneri di funzionamento: 41.000 € in 1 progetto" in cover
    assert "Competere nella società del rischio (1 progetto)" in cover
    assert "Budget complessivo" not in "\n".join(texts)
    assert "Budget dei progetti scelti dal filtro" in texts[-1]
    sizes = {
        run.font.size.pt
        for page in pages
        for shape in page.shapes
        for frame in _frames(shape)
        for paragraph in frame.paragraphs
        for run in paragraph.runs
        if run.text.strip() and run.font.size is not None
    }
    assert sizes and min(sizes) >= 10, sorted(sizes)


def test_the_handout_pdf_is_titled_with_the_plan_and_its_filter(plan: Plan, tmp_path: Path) -> None:
    """A file browser or a screen reader showed no title for the handout (pdfinfo: none)."""
    need_tool("pdfinfo")
    target = tmp_path / "dispensa.pdf"
    target.write_bytes(handout_pdf(plan, "Fonte: Oneri di funzionamento"))
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True)
    assert f"Title:           {plan.meta.title} · Fonte: Oneri di funzionamento" in info.stdout
