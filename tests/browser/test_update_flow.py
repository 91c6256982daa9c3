"""The update flow in a real browser: upload, preview, publish, seen by another session; bad file.

Starts ``streamlit run app.py`` as a user would (conftest.start_streamlit), with a temporary
store (COOPPLAN_STORE) and an editor secret (COOPPLAN_EDITOR_SECRET). Two browser contexts play
the secretary (page «Aggiorna il piano») and a board member (the overview). Screenshots go to
artifacts/update_flow/.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from support.badfiles import build
from support.browser_update import (  # noqa: F401 - fixtures
    SECRET,
    _choose,
    _go_overview,
    _shows_whole,
    coop_kpi,
    open_visitor,
    server,
    settled,
    shot,
    shots,
    sign_in,
)
from support.variants import COOP, as_bytes, project_with_amount, shipped, with_amount
from support.workbooks import column_of, edited_workbook

from coopplan import fmt
from coopplan.store.folder import Store

pytestmark = pytest.mark.browser


def test_publish_then_seen_by_another_session_and_a_bad_file_changes_nothing(
    server: tuple[str, Store],
    chromium,
    shots: Path,
    tmp_path: Path,
) -> None:
    url, store = server
    outside: list[str] = []
    plan = shipped()
    project = project_with_amount(plan, COOP)
    modified = tmp_path / "piano_marzo.xlsx"
    modified.write_bytes(
        as_bytes(with_amount(plan, project, COOP, plan.funding_of(project)[COOP] + 2500))
    )

    board_context, board = open_visitor(chromium, url, outside)
    assert coop_kpi(board) == "25.000 €"
    shot(board, shots / "01_panoramica_prima.png")

    secretary_context, secretary = open_visitor(chromium, f"{url}/aggiorna", outside)
    secretary.get_by_role("heading", name="Aggiorna il piano").wait_for()
    assert secretary.locator('input[type="file"]').count() == 0  # a visitor until «Accedi»
    sign_in(secretary, SECRET)
    secretary.locator('input[type="file"]').set_input_files(str(modified))
    secretary.get_by_text("Che cosa cambia").wait_for()
    secretary.get_by_text("+2.500 €").first.wait_for()
    settled(secretary)
    shot(secretary, shots / "02_anteprima.png")
    assert store.current().number == 1  # the preview changed nothing

    secretary.get_by_label("Nota (facoltativa)").fill("Consiglio di marzo")
    secretary.get_by_role("button", name="Pubblica").click()
    secretary.get_by_text("Pubblicata la versione 2 del piano 2023").wait_for()
    settled(secretary)
    shot(secretary, shots / "03_pubblicato.png")
    assert store.current().number == 2
    assert SECRET not in secretary.content()
    _shows_whole(secretary, store.current().totals_text())  # the history's «Totali»

    _go_overview(board)
    assert coop_kpi(board) == "27.500 €"
    shot(board, shots / "04_panoramica_dopo.png")

    bad = build("csv", tmp_path)
    bad_path = tmp_path / bad.filename
    bad_path.write_bytes(bad.data)
    secretary.locator('input[type="file"]').set_input_files(str(bad_path))
    message = secretary.locator('[data-testid="stAlertContentError"]').filter(has_text=bad.fragment)
    message.first.wait_for()
    settled(secretary)
    assert secretary.get_by_role("button", name="Pubblica").count() == 0
    assert "Traceback" not in secretary.content()
    shot(secretary, shots / "05_file_sbagliato.png")

    def bad_stato(book) -> None:
        sheet = book["Progetti"]
        sheet.cell(row=3, column=column_of(sheet, "Stato")).value = "Sospeso"

    broken = tmp_path / "piano_con_errori.xlsx"
    broken.write_bytes(edited_workbook(bad_stato))
    secretary.locator('input[type="file"]').set_input_files(str(broken))
    secretary.get_by_text("1 errore impedisce la pubblicazione").wait_for()
    settled(secretary)
    # The whole message, with how to fix it, not cut at the width of a grid column.
    _shows_whole(
        secretary,
        "«Sospeso» non è un valore di «Stato» valido: i valori ammessi sono Da definire, "
        "Da avviare, In corso, Concluso.",
    )
    assert secretary.get_by_role("button", name="Pubblica").count() == 0
    shot(secretary, shots / "05b_problemi_nel_file.png")

    _go_overview(board)
    assert coop_kpi(board) == "27.500 €"
    assert [v.number for v in store.versions()] == [1, 2]
    shot(board, shots / "06_panoramica_invariata.png")

    # Back to the previous version: restoring adds version 3 with the content of version 1.
    _choose(secretary, "Versione", re.compile(r"^Versione 1 ·"))
    secretary.get_by_text("Ripristina la versione 1").click()
    secretary.get_by_role("button", name="Ripristina", exact=True).click()
    secretary.get_by_text("Ripristinata la versione 1: ora è in vigore come versione 3.").wait_for()
    settled(secretary)
    shot(secretary, shots / "07_ripristino.png")
    assert (store.current().number, store.current().restored_from) == (3, 1)
    _go_overview(board)
    assert coop_kpi(board) == "25.000 €"

    # Any version can be looked at, read-only, with a way back to the plan in force.
    _choose(secretary, "Versione", re.compile(r"^Versione 2 ·"))
    secretary.get_by_role("button", name="Visualizza nella dashboard").click()
    secretary.get_by_text("Sola lettura", exact=True).first.wait_for()
    secretary.get_by_role("link", name="Panoramica").click()
    settled(secretary)
    assert coop_kpi(secretary) == "27.500 €"
    shot(secretary, shots / "08_versione_in_sola_lettura.png")
    secretary.get_by_role("button", name="Torna al piano in vigore").click()
    settled(secretary)
    assert coop_kpi(secretary) == "25.000 €"
    assert secretary.get_by_text("Sola lettura", exact=True).count() == 0
    assert not outside, outside

    secretary_context.close()
    board_context.close()


def test_a_second_year_brings_the_plan_selector_and_the_comparison(
    server: tuple[str, Store],
    chromium,
    shots: Path,
) -> None:
    url, store = server
    plan = shipped()
    project = project_with_amount(plan, COOP)
    later = with_amount(plan, project, COOP, plan.funding_of(project)[COOP] + 10000)
    store.publish(as_bytes(replace(later, meta=replace(later.meta, year=2024))), "Maria Rossi")
    in_force_2023 = {t.source: t.total for t in store.current(2023).totals}[COOP]

    outside: list[str] = []
    context, board = open_visitor(chromium, url, outside)
    assert coop_kpi(board) == fmt.money(in_force_2023 + 10000)  # the newest year by default
    board.get_by_role("heading", name="Confronto tra anni").wait_for()
    tables = board.locator('[data-testid="stTable"]')
    tables.filter(has_text="+10.000 €").first.wait_for()  # totals per source and per pista
    assert tables.filter(has_text="+10.000 €").count() == 2
    shot(board, shots / "09_due_anni.png")
    _choose(board, "Piano", re.compile("^Piano 2023$"))
    assert coop_kpi(board) == fmt.money(in_force_2023)
    assert not outside, outside
    context.close()
