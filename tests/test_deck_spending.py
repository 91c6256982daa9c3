"""The assembly deck steers the plan (issue 23): the «Spese» slide (per source what was spent of
its preventivo and what is left, in sentences read aloud, beside native bars) and «Scadenze»
(what falls due before the next assembly, overdue first, with referente), in the browser, the
PowerPoint and the PDF handout; «Dall'ultima assemblea» says what was spent; «Cronologia» holds
speso against preventivo per version. On the example workbook and on the shipped plan, which
has no consuntivo and no scadenza."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from dataclasses import replace

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from support.documents import ARTIFACTS, need_tool, pdf_words, shape_boxes
from support.paths import ROOT, SHIPPED

from coopplan import load_plan, slides
from coopplan.export import handout
from coopplan.export.html import slide_html
from coopplan.export.pdf import office_to_pdf
from coopplan.export.pptx import deck_to_pptx
from coopplan.palette import SPENT_COLOR
from coopplan.plan import Plan
from coopplan.since import scoped, since_report, since_slides
from coopplan.timeline import describe

EXAMPLE = ROOT / "data" / "esempio_consuntivo.xlsx"
TODAY = dt.date(2026, 12, 6)  # the example's figures were chosen for this day
RCS, ONERI = "Risorse Coop Re-Start", "Oneri di funzionamento"
SPOKEN = [
    "In tutto: spesi 34.200 € su 66.000 € (51,8%), impegnati 58.200 €, restano 31.800 €.",
    "Risorse Coop Re-Start: spesi 13.700 € su 25.000 € (54,8%), impegnati 17.200 €, "
    "restano 11.300 €.",
    "Oneri di funzionamento: spesi 20.500 € su 41.000 € (50%), impegnati 41.000 €, "
    "restano 20.500 €.",
]
DUE_ROWS = [
    ("La Cooperazione scende in Piazza", "Paolo Ricci", "26/10/2026", "scaduto da 41 giorni"),
    ("Rating cooperativo", "Anna Rossi", "13/11/2026", "scaduto da 23 giorni"),
    ("Temporary manager", "Giulia Colombo", "29/11/2026", "scaduto da 7 giorni"),
    ("La riforma del Terzo settore", "Marco Bianchi", "04/12/2026", "scaduto da 2 giorni"),
    ("Banca dati delle professionalità", "Sara Galli", "10/12/2026", "tra 4 giorni"),
    ("Ufficio Credito&Finanza", "Ufficio Credito", "15/12/2026", "tra 9 giorni"),
]


@pytest.fixture(scope="module")
def example() -> Plan:
    result = load_plan(EXAMPLE)
    assert result.ok
    return result.plan


@pytest.fixture(scope="module")
def shipped() -> Plan:
    return load_plan(SHIPPED).plan


@pytest.fixture(scope="module")
def deck(example: Plan) -> list[slides.Slide]:
    return slides.build_deck(example, today=TODAY)


def of_kind(deck: list[slides.Slide], kind: str) -> list[slides.Slide]:
    return [s for s in deck if s.kind == kind]


def lines_of(slide: slides.Slide) -> list[str]:
    return [
        text
        for b in slide.blocks
        for text in [b.heading, *(line for c in b.columns for line in c.lines)]
        if text
    ]


def pptx_texts(data: bytes) -> list[list[str]]:
    """Per slide (or handout page), the texts of its boxes and table cells (none empty)."""
    out = []
    for page in Presentation(io.BytesIO(data)).slides:
        texts = []
        for shape in page.shapes:
            if shape.has_text_frame:
                texts += [p.text for p in shape.text_frame.paragraphs if p.text]
            if shape.has_table:
                texts += [c.text for row in shape.table.rows for c in row.cells]
        out.append(texts)
    return out


# The deck ------------------------------------------------------------------------------------


def test_the_spese_slide_says_per_source_what_was_spent_and_what_is_left(
    deck: list[slides.Slide],
) -> None:
    [slide] = of_kind(deck, "spending")
    assert slide.title == "Spese" and slide.subtitle == "Consuntivo al 25 novembre 2026"
    assert lines_of(slide) == SPOKEN
    chart = slide.chart
    assert chart is not None and chart.money
    assert chart.categories == (RCS, ONERI)
    assert chart.values == {"Preventivo": (25000.0, 41000.0), "Speso": (13700.0, 20500.0)}
    assert "La riforma del Terzo settore: Seconda edizione dei seminari rinviata" in slide.notes
    # after the sources, before the matrix
    kinds = [s.kind for s in deck]
    assert kinds.index("spending") == len(kinds) - 1 - kinds[::-1].index("source") + 1
    assert kinds.index("spending") < kinds.index("matrix")


def test_the_scadenze_slide_lists_the_overdue_first_with_referente(
    deck: list[slides.Slide],
) -> None:
    [slide] = of_kind(deck, "due")
    assert slide.title == "Scadenze"
    assert slide.subtitle == "Entro la prossima assemblea del 18 dicembre 2026"
    assert slide.table is not None
    assert slide.table.headers == ("Progetto", "Referente", "Scadenza", "Quando", "Stato")
    assert [r[:4] for r in slide.table.rows] == DUE_ROWS
    assert slide.notes.splitlines()[:2] == [
        "Oggi è il 6 dicembre 2026: 4 progetti in ritardo, 2 in scadenza entro la prossima "
        "assemblea del 18 dicembre 2026.",
        "La Cooperazione scende in Piazza (Paolo Ricci): scaduto da 41 giorni, il 26/10/2026 "
        "– In corso.",
    ]
    assert slides.table_height(slide.table) <= slides.body_budget(slide.title, slide.subtitle)
    assert deck[-2] is slide  # the last word before «Grazie»


def test_a_plan_without_consuntivo_or_scadenze_has_neither_slide(shipped: Plan) -> None:
    deck = slides.build_deck(shipped, today=TODAY)
    assert not of_kind(deck, "spending") and not of_kind(deck, "due")
    text = "\n".join(
        "\n".join([s.title, s.notes, *lines_of(s)] + [c for r in s.table.rows for c in r])
        if s.table
        else "\n".join([s.title, s.notes, *lines_of(s)])
        for s in deck
    )
    assert "spesi" not in text and "Speso" not in text  # never «0 € spesi»


def test_nothing_due_means_no_scadenze_slide(example: Plan) -> None:
    done = example.projects.assign(status="Concluso")
    deck = slides.build_deck(replace(example, projects=done), today=TODAY)
    assert not of_kind(deck, "due")
    assert of_kind(deck, "spending")  # the consuntivo stays


def test_the_source_filter_applies_to_the_spese_slide(example: Plan) -> None:
    view = example.filter(sources=[ONERI])
    deck = slides.build_deck(view, f"Fonte: {ONERI}", example.source_names, today=TODAY)
    [slide] = of_kind(deck, "spending")
    assert lines_of(slide) == [SPOKEN[2]]  # one source: no «In tutto»
    assert slide.chart is not None and slide.chart.categories == (ONERI,)
    [due] = of_kind(deck, "due")
    assert [r[0] for r in due.table.rows] == ["Ufficio Credito&Finanza"]


def test_the_browser_slide_writes_every_bar_with_its_name(deck: list[slides.Slide]) -> None:
    [slide] = of_kind(deck, "spending")
    html = slide_html(slide, 7).replace("\u00a0", " ")  # a non-breaking space reads as a space
    for said in ("Preventivo 25.000 €", "Speso 13.700 €", "Preventivo 41.000 €", "Speso 20.500 €"):
        assert said in html
    assert "Risorse Coop Re-Start: spesi 13.700 € su 25.000 € (54,8%)" in html
    assert SPENT_COLOR in html
    due = slide_html(of_kind(deck, "due")[0], 30)
    assert "Rating cooperativo" in due and "scaduto da 23 giorni" in due and "Anna Rossi" in due


# PowerPoint ----------------------------------------------------------------------------------


def test_the_powerpoint_has_the_sentences_and_an_editable_chart(
    deck: list[slides.Slide],
) -> None:
    data = deck_to_pptx(deck)
    pages = Presentation(io.BytesIO(data)).slides
    texts = pptx_texts(data)
    number = [s.kind for s in deck].index("spending")
    for sentence in SPOKEN:
        assert sentence in texts[number]
    [frame] = [s for s in pages[number].shapes if s.has_chart]
    chart = frame.chart
    assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED and chart.has_legend
    assert [s.name for s in chart.plots[0].series] == ["Preventivo", "Speso"]
    assert [tuple(s.values) for s in chart.plots[0].series] == [(25000, 41000), (13700, 20500)]
    assert list(chart.plots[0].categories) == [RCS, ONERI]
    due = texts[[s.kind for s in deck].index("due")]
    assert "Scadenze" in due and "Entro la prossima assemblea del 18 dicembre 2026" in due
    for row in DUE_ROWS:
        assert all(cell in due for cell in row)


# The handout ---------------------------------------------------------------------------------


def test_the_handout_pdf_has_the_spese_and_scadenze_pages(example: Plan) -> None:
    need_tool("soffice")
    need_tool("pdftotext")
    data = handout.handout_pptx(example, today=TODAY)
    texts = pptx_texts(data)
    spese, scadenze = texts[-2], texts[-1]
    assert spese[:2] == ["Spese", "Consuntivo al 25 novembre 2026"]
    assert spese[2:5] == SPOKEN
    assert ["Risorse Coop Re-Start", "25.000 €", "17.200 €", "13.700 €", "11.300 €", "54,8%"] == (
        spese[spese.index(RCS, 5) : spese.index(RCS, 5) + 6]
    )
    assert scadenze[:3] == [
        "Scadenze",
        "Entro la prossima assemblea del 18 dicembre 2026",
        "Oggi, 6 dicembre 2026: 4 progetti in ritardo, 2 in scadenza.",
    ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "dispensa-consuntivo.pdf"
    target.write_bytes(office_to_pdf(data))
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    for sentence in SPOKEN:
        assert sentence in flat
    assert "Rating cooperativo" in flat and "scaduto da 23 giorni" in flat
    assert "Anna Rossi" in flat
    pages = Presentation(io.BytesIO(data)).slides
    words = pdf_words(target)
    assert len(words) == len(pages)
    for number in (len(pages) - 1, len(pages)):  # every word of the two pages in a box
        boxes = shape_boxes(pages[number - 1])
        for x0, y0, x1, y1, word in words[number - 1]:
            slack = max(2.0, 0.2 * (y1 - y0))
            assert any(
                x0 >= left - slack
                and x1 <= right + slack
                and y0 >= top - slack
                and y1 <= bottom + slack
                for left, top, right, bottom in boxes
            ), f"page {number}: «{word}» outside every box"


def test_the_handout_of_a_plan_without_consuntivo_has_no_spese_page(shipped: Plan) -> None:
    texts = pptx_texts(handout.handout_pptx(shipped, today=TODAY))
    assert not any(page[:1] == ["Spese"] for page in texts)
    assert not any(page[:1] == ["Scadenze"] for page in texts)
    assert "Budget complessivo" in texts[-1]


# «Dall'ultima assemblea» and «Cronologia» ----------------------------------------------------


def spent_before(plan: Plan) -> Plan:
    """The example as it was at the assembly: 3.000 € less spent on Rating cooperativo (P1-03),
    500 € more on Ufficio Credito&Finanza (P2-01, later corrected)."""
    rows = plan.spending.copy()
    rows.loc[rows["project"] == "P1-03", "spent"] -= 3000
    rows.loc[rows["project"] == "P2-01", "spent"] += 500
    return replace(plan, spending=rows)


def test_since_the_assembly_says_what_was_spent(example: Plan) -> None:
    report = since_report(spent_before(example), example, "Dall'assemblea del 14 marzo 2026")
    assert report.parts() == [
        (
            "Le spese:",
            (
                "In tutto lo speso è salito di 2.500 €",
                "Speso 3.000 € su Rating cooperativo: ora 4.500 € su 5.000 €",
                "Speso su Ufficio Credito&Finanza corretto: 500 € in meno, ora 20.500 € su "
                "41.000 €",
            ),
        )
    ]
    assert report.sentences()[1] == "Speso 3.000 € su Rating cooperativo: ora 4.500 € su 5.000 €."
    [slide] = since_slides(report)
    assert "Speso 3.000 € su Rating cooperativo: ora 4.500 € su 5.000 €" in lines_of(slide)


def test_since_the_assembly_under_a_source_filter_tells_that_source_only(example: Plan) -> None:
    old, new = scoped(spent_before(example), example, sources=[RCS])
    report = since_report(old, new, "Dall'assemblea", scope=f"Fonte: {RCS}")
    assert report.sentences() == [
        f"Dall'assemblea, tra i progetti del filtro «Fonte: {RCS}», "
        "speso 3.000 € su Rating cooperativo: ora 4.500 € su 5.000 €."
    ]


def test_nothing_spent_is_said_for_a_plan_without_consuntivo(shipped: Plan) -> None:
    report = since_report(shipped, shipped, "Dall'assemblea")
    assert report.unchanged and not report.spent
    assert "spes" not in " ".join(report.sentences()).lower()


def test_the_timeline_keeps_speso_and_preventivo_per_version(example: Plan, shipped: Plan) -> None:
    snap, _, _ = describe(example, spent_before(example))
    assert snap.spending == ((RCS, 25000.0, 13700.0), (ONERI, 41000.0, 20500.0))
    old, _, _ = describe(spent_before(example), None)
    assert old.spending == ((RCS, 25000.0, 10700.0), (ONERI, 41000.0, 21000.0))
    none, _, _ = describe(shipped, None)
    assert none.spending == ()  # no point rather than «0 € spesi»
    piste, _, _ = describe(example, None, ("P2",))
    assert piste.spending == ((RCS, 2500.0, 3200.0), (ONERI, 41000.0, 20500.0))  # P2: 23.700 €
