"""PowerPoint export and PDF handout: native charts, Italian numbers, nothing outside the slide,
and what LibreOffice actually renders (page count, every word inside its box; PNGs to look at
in artifacts/pptx/)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import ROOT, SHIPPED
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Emu

from coopplan import load_plan, slides
from coopplan.export import handout
from coopplan.export import pdf as pdf_module
from coopplan.export.handout import handout_pdf
from coopplan.export.pdf import PdfError, office_to_pdf
from coopplan.export.pptx import deck_to_pptx
from coopplan.plan import Plan, make_table
from coopplan.slides import Slide, build_deck
from tests.sample import generate_plan

ARTIFACTS = ROOT / "artifacts" / "pptx"
EMU_PER_PT = 12700
GLYPH_SLACK = 0.2  # a word's glyph box may pass its line box by this share of its height


def need_tool(name: str) -> None:
    if shutil.which(name) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: install it (scripts/install.sh --dev)")
        pytest.skip(f"{name} is missing")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(SHIPPED).plan


@pytest.fixture(scope="module")
def deck(plan: Plan) -> list[Slide]:
    return build_deck(plan)


@pytest.fixture(scope="module")
def pptx_bytes(deck: list[Slide]) -> bytes:
    return deck_to_pptx(deck)


@pytest.fixture(scope="module")
def prs(pptx_bytes: bytes) -> Presentation:
    return Presentation(io.BytesIO(pptx_bytes))


@pytest.fixture(scope="module")
def rendered(pptx_bytes: bytes) -> Path:
    """The deck through LibreOffice, as PDF, with one PNG per slide in artifacts/pptx/."""
    need_tool("soffice")
    need_tool("pdftoppm")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("slide-*.png"):
        old.unlink()
    target = ARTIFACTS / "piano.pdf"
    target.write_bytes(office_to_pdf(pptx_bytes))
    (ARTIFACTS / "piano.pptx").write_bytes(pptx_bytes)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(target), str(ARTIFACTS / "slide")], check=True
    )
    return target


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", out.stdout).group(1))


def pdf_words(path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Words of each page with their box in points (pdftotext -bbox)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out))
    pages = []
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        words = [
            (
                float(w.get("xMin")),
                float(w.get("yMin")),
                float(w.get("xMax")),
                float(w.get("yMax")),
                w.text or "",
            )
            for w in page.iter("{http://www.w3.org/1999/xhtml}word")
        ]
        pages.append(words)
    return pages


def shape_boxes(slide) -> list[tuple[float, float, float, float]]:
    return [
        (
            s.left / EMU_PER_PT,
            s.top / EMU_PER_PT,
            (s.left + s.width) / EMU_PER_PT,
            (s.top + s.height) / EMU_PER_PT,
        )
        for s in slide.shapes
    ]


def all_pptx_text(prs: Presentation) -> str:
    parts = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [c.text for row in shape.table.rows for c in row.cells]
    return "\n".join(parts)


# The file ------------------------------------------------------------------------------------


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


# What LibreOffice renders --------------------------------------------------------------------


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


CHART_LABELS_MAX_SHARE = 0.40  # of a chart's width, for its category labels
VALUE_LABEL_MARGIN_PT = 6  # a value label keeps at least this much from the chart's right edge
VALUE_WORD = re.compile(r"^(\d[\d.]*|€)$")


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


# The handout ---------------------------------------------------------------------------------


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


def long_plan() -> Plan:
    """A generated plan whose first project has 60 activities (taller than a page)."""
    plan = generate_plan(n_tracks=3, n_projects=90, extra_sources=1)
    first = plan.projects["id"].iloc[0]
    extra = [
        {
            "project": first,
            "kind": "done",
            "text": f"Attività aggiunta numero {i}, descritta in una riga",
        }
        for i in range(60)
    ]
    return replace(plan, items=make_table("items", plan.items.to_dict("records") + extra))


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


# Command line --------------------------------------------------------------------------------


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coopplan", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


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


def _frames(shape: object) -> list:
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:  # type: ignore[attr-defined]
        return [shape.text_frame]  # type: ignore[attr-defined]
    if getattr(shape, "has_table", False) and shape.has_table:  # type: ignore[attr-defined]
        return [c.text_frame for row in shape.table.rows for c in row.cells]  # type: ignore[attr-defined]
    return []


def _shape_texts(page: object) -> list[str]:
    return [frame.text for shape in page.shapes for frame in _frames(shape)]  # type: ignore[attr-defined]
