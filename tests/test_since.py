"""«Dall'ultima assemblea»: the report from the diff, its sentences and slides, the exports (PPTX
text, PDF text) and the command line's --dal, on a story of versions with known changes."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation
from support.since_story import (
    ASSEMBLY,
    NEW_DONE,
    NEW_TITLE,
    STARTED_TITLE,
    publish_story,
    second_plan,
)
from support.variants import as_bytes, shipped

from coopplan.cli import main
from coopplan.export.pptx import deck_to_pptx
from coopplan.since import (
    SLIDE_TITLE,
    since_last_assembly,
    since_report,
    since_slides,
    status_deltas,
    track_progress,
    with_since,
)
from coopplan.slides import BODY_BOTTOM, build_deck, paginate
from coopplan.store.folder import Store

START = "Dall'assemblea del 14 marzo 2026"
STARTED = f"{START}, un progetto è partito: {STARTED_TITLE}."
BUDGET = (  # the rise said once, and where it went
    "Il budget Risorse Coop Re-Start è salito di 2.500 €, da 25.000 € a 27.500 €: "
    "Rating cooperativo, 5.000 → 7.500 €."
)
ADDED = f"Un progetto è stato aggiunto: {NEW_TITLE}."
DONE = f"Una nuova attività è stata realizzata: {NEW_DONE} ({STARTED_TITLE})."


@pytest.fixture
def story(tmp_path: Path) -> Store:
    store = Store(tmp_path / "store")
    publish_story(store)
    return store


def test_the_story_since_the_marked_assembly_is_told_in_sentences(story: Store) -> None:
    in_force = story.current()
    assert in_force.number == 4 and in_force.restored_from == 2
    report = since_last_assembly(story, in_force)
    assert report is not None
    assert report.sentences() == [STARTED, ADDED, BUDGET, DONE]  # nothing removed: restored
    assert report.versions == "versione 1 → versione 4"


def test_a_version_chosen_instead_of_the_mark_and_none_without_marks(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    store.ensure_seeded()
    v2 = store.publish(as_bytes(second_plan()), "Maria Rossi")
    assert since_last_assembly(store, v2) is None  # nothing marked: no slide
    report = since_last_assembly(store, v2, against=1)
    assert report is not None and report.start.startswith("Dalla versione 1 (")
    assert since_last_assembly(store, v2, against=2).sentences() == [
        "Dalla versione 2 ("
        + report.start.split("(")[1]
        + ", nessun progetto ha cambiato stato e il budget è lo stesso."
    ]


def test_stato_back_and_a_removed_project_and_a_cut_are_said_too() -> None:
    old = second_plan()
    new = shipped()  # the story backwards
    report = since_report(old, new, START)
    text = " ".join(report.sentences())
    assert (
        f"{START}, un progetto ha cambiato stato: {STARTED_TITLE}: da «In corso» a «Da avviare»."
        in text
    )
    assert f"Un progetto è stato tolto: {NEW_TITLE}." in text
    assert (
        "è sceso di 2.500 €, da 27.500 € a 25.000 €: Rating cooperativo, 7.500 → 5.000 €." in text
    )
    assert "−2.500 €" not in text  # the fall said once


def test_the_slide_comes_after_the_opening_and_continues_when_long() -> None:
    plan = second_plan()
    old = replace(
        plan, projects=plan.projects.assign(status="Da avviare"), items=plan.items.iloc[:0]
    )
    long_report = since_report(old, plan, START, "versione 1 → versione 9")
    deck = with_since(build_deck(plan), long_report)
    kinds = [s.kind for s in deck]
    assert kinds[0] == "title" and kinds[1] == "since" and kinds.count("since") >= 2
    since = [s for s in deck if s.kind == "since"]
    assert since[0].title == SLIDE_TITLE and since[1].title == f"{SLIDE_TITLE} (segue)"
    assert since[0].subtitle == f"{START} (versione 1 → versione 9)"
    for slide in since:  # every part fits its slide: nothing drawn under the footer band
        assert len(paginate(slide.blocks, BODY_BOTTOM)) == 1
    shown = [line for s in since for b in s.blocks for c in b.columns for line in c.lines]
    assert shown == [item for _, items in long_report.parts() for item in items]  # none lost


def test_the_pptx_has_the_sentences_as_native_text(story: Store) -> None:
    report = since_last_assembly(story, story.current())
    data = deck_to_pptx(with_since(build_deck(story.load(4)), report))
    slide = Presentation(io.BytesIO(data)).slides[1]
    text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert SLIDE_TITLE in text and f"{START} (versione 1 → versione 4)" in text
    for words in (STARTED_TITLE, NEW_TITLE, BUDGET.rstrip("."), f"{NEW_DONE} ({STARTED_TITLE})"):
        assert words in text
    notes = slide.notes_slide.notes_text_frame.text
    assert STARTED in notes and BUDGET in notes


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice non installato")
def test_cli_export_dal_puts_the_slide_in_pptx_and_the_page_in_the_pdf(
    story: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = tmp_path / "piano.xlsx"
    workbook.write_bytes(story.read(4))
    deck, handout = tmp_path / "deck.pptx", tmp_path / "dispensa.pdf"
    root = str(story.root)
    common = ["--dal", "1", "--store", root]
    assert main(["export", str(workbook), "--format", "pptx", "-o", str(deck), *common]) == 0
    slide = Presentation(str(deck)).slides[1]
    text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert f"{START} (versione 1 → piano.xlsx)" in text and BUDGET.rstrip(".") in text
    assert main(["export", str(workbook), "--format", "pdf", "-o", str(handout), *common]) == 0
    words = " ".join(pdf_text(handout).split())
    assert SLIDE_TITLE in words and BUDGET.rstrip(".") in words and NEW_DONE in words
    assert words.index(SLIDE_TITLE) < words.index("Pista 1")  # the first page
    capsys.readouterr()
    assert main(["export", str(workbook), "--format", "pptx", "--dal", "9", "--store", root]) == 2
    assert "La versione 9 non esiste. Niente esportato." in capsys.readouterr().err


def test_status_deltas_and_track_progress(story: Store) -> None:
    old, new = story.load(1), story.load(4)
    deltas = status_deltas(old, new)
    assert deltas["In corso"] == 1 and deltas["Da avviare"] == 0  # one started, one added
    assert deltas["Concluso"] == 0 and deltas["Da definire"] == 0
    progress = track_progress(new).set_index("track")
    p2 = new.projects.loc[new.projects["track"] == "P2", "status"]
    assert progress.loc["P2", "projects"] == len(p2)
    assert progress.loc["P2", "under_way"] == int(p2.isin(["In corso", "Concluso"]).sum())
    assert progress.loc["P2", "share"] == pytest.approx(progress.loc["P2", "under_way"] / len(p2))
    assert isinstance(track_progress(new), pd.DataFrame)
    assert ASSEMBLY.year == 2026


def test_a_filtered_report_says_it_is_scoped_in_its_own_words() -> None:
    """Issue 24 §1: under a stato filter the report names the filter; a project that moved
    into the chosen stato is told as started, never as added."""
    from coopplan.since import scoped

    old, new = scoped(shipped(), second_plan(), statuses=["Concluso"])
    quiet = since_report(old, new, START, scope="Stato: Concluso")
    assert quiet.sentences() == [
        f"{START}, tra i progetti del filtro «Stato: Concluso», nessun progetto ha cambiato "
        "stato e il budget è lo stesso."
    ]
    old, new = scoped(shipped(), second_plan(), statuses=["In corso"])
    report = since_report(old, new, START, scope="Stato: In corso")
    said = report.sentences()
    assert said[0] == (
        f"{START}, tra i progetti del filtro «Stato: In corso», un progetto è partito: "
        f"{STARTED_TITLE}."
    )
    assert not report.added and BUDGET in said
    slide = since_slides(report)[0]
    assert slide.subtitle.endswith("· solo Stato: In corso")
