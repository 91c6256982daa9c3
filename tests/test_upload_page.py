"""The page «Aggiorna il piano» with AppTest: sign-in, bad files, problems, preview, publish,
history.

The uploader is driven with ``at.file_uploader[0].set_value((name, bytes, mime))`` (streamlit
1.67's testing API has it). The store is a temporary folder (COOPPLAN_STORE) hashed file by file
before and after each refused upload.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from support.badfiles import CORPUS, build
from support.paths import SHIPPED
from support.sample import generate_plan
from support.upload_pages import (  # noqa: F401 - fixtures
    SECRET,
    bad_dir,
    button,
    fill_and_publish,
    fresh_throttle,
    modified_workbook,
    page,
    publish_is_off,
    sign_in,
    snapshot,
    store,
    table_with,
    tables_text,
    texts,
    upload,
)
from support.variants import COOP, as_bytes, shipped
from support.workbooks import column_of, edited_workbook

from coopplan.editors.accounts import SHARED_KEY_EDITOR
from coopplan.store.folder import Store
from coopplan.text import literal_md, shown_text
from coopplan.workbook import sandbox
from coopplan.workbook.preview import SHOWN_CHANGES
from ui import keys
from ui.update import SHOWN_PROBLEMS


@pytest.mark.parametrize("name", CORPUS)
def test_every_bad_file_gets_its_message_and_changes_nothing(
    name: str, store: Store, bad_dir: Path
) -> None:
    at = page()
    before = snapshot(store.root)
    bad = build(name, bad_dir)
    upload(at, bad.filename, bad.data)
    errors = texts(at.error)
    assert bad.fragment in errors, errors
    assert "Traceback" not in errors
    assert publish_is_off(at)
    assert snapshot(store.root) == before


def test_problems_are_listed_all_at_once_with_a_summary(store: Store) -> None:
    def three_errors_two_warnings(book) -> None:
        sheet = book["Progetti"]
        sheet.cell(row=3, column=column_of(sheet, COOP)).value = -100
        sheet.cell(row=4, column=column_of(sheet, "Stato")).value = "Sospeso"
        sheet.cell(row=5, column=column_of(sheet, "Progetto")).value = None
        sheet.cell(row=1, column=sheet.max_column + 1).value = "Colonna in più"
        meta = book["Piano"]
        meta.cell(row=meta.max_row + 1, column=1).value = "Responsabile"
        meta.cell(row=meta.max_row, column=2).value = "Maria"

    at = page()
    before = snapshot(store.root)
    upload(at, "piano_sbagliato.xlsx", edited_workbook(three_errors_two_warnings))
    assert "3 errori impediscono la pubblicazione, 2 avvisi." in texts(at.error)
    frame = at.table[0].value  # the problems come before the history
    assert not at.dataframe  # static tables: long messages wrap instead of being cut
    assert list(frame.columns) == ["Gravità", "Foglio", "Cella", "Problema"]
    assert len(frame) == 5
    # In the workbook's order, rows and columns as numbers, each cell named by its column.
    assert list(zip(frame["Gravità"], frame["Foglio"], frame["Cella"], strict=True)) == [
        ("Avviso", "Piano", "A6 (Campo)"),
        ("Avviso", "Progetti", "L1 (Colonna in più)"),
        ("Errore", "Progetti", f"I3 ({COOP})"),
        ("Errore", "Progetti", "G4 (Stato)"),
        ("Errore", "Progetti", "D5 (Progetto)"),
    ]
    assert publish_is_off(at)
    assert snapshot(store.root) == before


def test_thousands_of_problems_show_the_first_ones_whole_and_count_the_rest(
    store: Store,
) -> None:
    def two_errors_a_row(book) -> None:
        sheet = book["Progetti"]
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row=row, column=column_of(sheet, "Stato")).value = "Sospeso"
            sheet.cell(row=row, column=column_of(sheet, COOP)).value = -100
        sheet.cell(row=1, column=sheet.max_column + 1).value = "Colonna in più"

    at = upload(page(), "piano_rotto.xlsx", edited_workbook(two_errors_a_row))
    frame = table_with(at, "Problema").value
    assert len(frame) == SHOWN_PROBLEMS
    # The reader lists 1.000 problems and counts the others, one notice per severity: first.
    notices = [i for i, sheet in enumerate(frame["Foglio"]) if sheet == ""]
    assert notices == list(range(len(notices))) and 1 <= len(notices) <= 2
    assert all("Ci sono altri " in frame["Problema"][i] for i in notices)
    assert set(frame["Gravità"][len(notices) :]) == {"Errore"}  # errors before warnings
    stato = next(m for m in frame["Problema"] if "Sospeso" in m)
    assert "i valori ammessi sono Da definire, Da avviare, In corso, Concluso" in stato  # whole
    more = [c.value for c in at.caption if c.value.startswith("… e altri ")]
    assert more == [
        "… e altri 802 problemi: correggi quelli elencati e ricarica il file per vedere i "
        "successivi."
    ]
    assert publish_is_off(at)


def test_table_cells_show_as_written_not_as_markdown() -> None:
    hostile = "![x](http://example.invalid/a.png) [link](http://x) *a* _b_ :red[c] $d$ <b>e</b>"
    escaped = literal_md(hostile)
    assert not re.search(r"(?<!\\)[\[\]*_$<>]", escaped)  # each one escaped
    assert not re.search(r"(?<!\\):\S", escaped)  # no ':red[', no 'http:'
    assert shown_text(escaped) == hostile  # Markdown unescapes it to the text
    assert literal_md("- un trattino") == "\\- un trattino"
    assert literal_md("1. uno") == "1\\. uno"
    assert shown_text(literal_md("Coop Re-Start 25.000 €")) == "Coop Re-Start 25.000 €"


def test_warnings_alone_do_not_block(store: Store) -> None:
    def extra_column(book) -> None:
        sheet = book["Progetti"]
        sheet.cell(row=1, column=sheet.max_column + 1).value = "Colonna in più"
        sheet.cell(row=3, column=column_of(sheet, COOP)).value = 6000

    at = upload(page(), "piano.xlsx", edited_workbook(extra_column))
    assert "1 avviso: il file si può pubblicare." in texts(at.warning)
    assert not publish_is_off(at)


def test_the_same_file_says_nothing_changes(store: Store) -> None:
    at = upload(page(), "piano_2023.xlsx", (SHIPPED).read_bytes())
    assert "Nessuna modifica: il file è uguale al piano in vigore." in texts(at.info)
    assert publish_is_off(at)


def test_preview_then_publish_when_signed_in(store: Store) -> None:
    at = upload(page(), "piano_marzo.xlsx", modified_workbook(2500))
    shown = tables_text(at)
    assert "+2.500 €" in shown and "27.500 €" in shown and COOP in shown
    assert all(t.proto.hide_index for t in at.table)  # no column of row numbers («0»)
    assert store.current().number == 1  # the preview publishes nothing
    fill_and_publish(at, note="Consiglio di marzo")
    assert "Pubblicata la versione 2 del piano 2023" in texts(at.success)
    current = store.current()
    assert (current.number, current.editor, current.note) == (
        2,
        SHARED_KEY_EDITOR,  # the shared secret names nobody, and says so
        "Consiglio di marzo",
    )
    assert {t.source: t.total for t in current.totals}[COOP] == 27500.0
    assert SECRET not in texts(at.markdown) + texts(at.success) + texts(at.caption)
    assert at.file_uploader[0].value is None  # a fresh uploader for the next file


def test_without_a_secret_nobody_can_upload_and_the_page_says_how(store: Store) -> None:
    at = page(secret=None)
    assert "COOPPLAN_EDITOR_SECRET" in texts(at.info)
    assert "python -m coopplan check" in texts(at.info)  # where a file can still be checked
    assert button(at, "Accedi").disabled
    assert not at.file_uploader


def test_a_visitor_sees_the_plan_and_accedi_but_cannot_upload_restore_or_mark(
    store: Store,
) -> None:
    store.publish(modified_workbook(2500), "Maria Rossi", "Consiglio di marzo")
    at = page(signed_in=False)
    assert "**Piano 2023**: versione 2" in "\n".join(m.value for m in at.markdown)
    assert list(table_with(at, "Versione").value["Versione"]) == [2, 1]  # the history is public
    assert button(at, "Accedi") is not None
    assert not at.file_uploader  # no uploader is registered for a visitor's session
    assert button(at, "Pubblica") is None
    assert button(at, "Ripristina") is None and button(at, "Segna come presentata") is None
    assert "accedi con la password di pubblicazione" in texts(at.caption)


def test_a_wrong_secret_signs_nobody_in_and_is_not_kept(store: Store) -> None:
    at = page(signed_in=False)
    before = snapshot(store.root)
    sign_in(at, "indovina")
    assert "La password di pubblicazione non è corretta." in texts(at.error)
    assert at.text_input(key="agg_sign_in_secret").value == ""  # the guess is not drawn again
    assert not at.file_uploader
    sign_in(at, SECRET)
    assert at.file_uploader and not at.error
    assert "Hai eseguito l'accesso con la password di pubblicazione" in texts(at.caption)
    assert snapshot(store.root) == before


def test_sign_out_hides_the_uploader_and_forgets_the_file(store: Store) -> None:
    at = upload(page(), "piano.xlsx", modified_workbook())
    assert "+2.500 €" in tables_text(at)
    button(at, "Esci").click()
    at.run()
    assert not at.file_uploader and button(at, "Accedi") is not None
    assert "+2.500 €" not in tables_text(at)
    assert "agg_checked" not in at.session_state


def test_a_guessing_visitor_does_not_stop_the_secretary(store: Store) -> None:
    visitor = page(signed_in=False)
    for attempt in range(8):  # 3 compared and refused, then the visitor's session must wait
        sign_in(visitor, f"prova-{attempt}")
    assert "Troppi tentativi ravvicinati: riprova tra" in texts(visitor.error)
    assert not visitor.file_uploader
    secretary = upload(page(), "piano.xlsx", modified_workbook())  # another session
    fill_and_publish(secretary)
    assert "Pubblicata la versione 2 del piano 2023" in texts(secretary.success)
    assert store.current().number == 2


def test_a_plan_for_a_new_year_is_announced(store: Store) -> None:
    plan = shipped()
    later = replace(plan, meta=replace(plan.meta, year=2024))
    at = upload(page(), "piano_2024.xlsx", as_bytes(later))
    assert "anno nuovo (2024)" in texts(at.info)
    fill_and_publish(at)
    assert store.years() == [2023, 2024]
    at.run()
    assert [s.label for s in at.selectbox][0] == "Piano"  # the history offers the two plans


def test_downloads_are_offered(store: Store) -> None:
    at = page()
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Scarica il piano in vigore (2023)" in labels
    assert "Scarica il modello vuoto" in labels
    assert "Scarica la versione 1" in labels


def test_history_compare_view_and_restore(store: Store) -> None:
    store.publish(modified_workbook(2500), "Maria Rossi", "Consiglio di marzo")
    at = page()
    history = table_with(at, "Versione")
    assert list(history.value["Versione"]) == [2, 1]
    assert list(history.value["Totali"])[0] == store.current().totals_text()  # whole
    assert list(history.value["Stato"])[0] == "in vigore"
    assert "−2.500 €" not in tables_text(at) and "+2.500 €" in tables_text(at)  # 1 → 2

    version = next(s for s in at.selectbox if s.label == "Versione")
    version.set_value(1)
    at.run()
    button(at, "Visualizza nella dashboard").click()
    at.run()
    assert at.session_state[keys.VIEW_VERSION] == 1

    button(at, "Ripristina").click()
    at.run()
    assert "Ripristinata la versione 1: ora è in vigore come versione 3." in texts(at.success)
    current = store.current()
    assert (current.number, current.restored_from, current.editor) == (3, 1, SHARED_KEY_EDITOR)
    assert store.read(current) == store.read(1)


def test_a_check_while_others_run_says_retry_and_runs_when_asked_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    slots = threading.BoundedSemaphore(1)
    slots.acquire()  # another editor's check is running
    monkeypatch.setattr(sandbox, "_slots", slots)
    at = upload(page(), "piano.xlsx", modified_workbook())
    assert "Un altro controllo è in corso: riprova tra poco" in texts(at.warning)
    assert "+2.500 €" not in tables_text(at) and publish_is_off(at)
    slots.release()
    button(at, "Controlla di nuovo").click()
    at.run()
    assert "+2.500 €" in tables_text(at) and not publish_is_off(at)


def test_a_rewritten_plan_shows_the_first_rows_of_each_table_and_counts_the_rest(
    store: Store,
) -> None:
    generated = generate_plan(n_tracks=5, n_projects=600, seed=5)
    rewritten = replace(generated, meta=replace(generated.meta, year=2023))
    at = upload(page(), "piano_riscritto.xlsx", as_bytes(rewritten))
    moved = next(t.value for t in at.table if list(t.value.columns) == ["", "Progetto", "Pista"])
    assert len(moved) == SHOWN_CHANGES
    rest = 600 + len(shipped().projects) - SHOWN_CHANGES
    assert f"… e altre {rest} righe: scarica il file per vederle tutte." in texts(at.caption)
    assert not publish_is_off(at)  # a big change can still be published
