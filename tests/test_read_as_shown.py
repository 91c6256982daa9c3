"""coopplan reads what Excel and LibreOffice show, or refuses naming the cell (issue 18).

Each test writes the shipped workbook's XML the way another writer would (an error value cached
by a formula, rows out of order, cells without references, a namespace prefix, odd number text,
invisible characters, a title row, a part stored twice) and asserts the values a user would see,
or the Italian message naming the sheet and the cell.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from support.as_shown import (
    ARRANGEMENTS,
    COOP,
    FONTI,
    I4,
    ONERI,
    PIANO,
    PROGETTI,
    errors,
    members,
    rewritten,
    total,
)
from support.paths import ROOT, SHIPPED

from coopplan import load_plan
from coopplan.workbook.schema import normalize_header


def test_the_shipped_parts_are_where_the_tests_edit_them() -> None:
    parts = members()
    assert I4.encode() in parts[PROGETTI]
    assert b"<t>Anno</t>" in parts[PIANO]
    assert COOP.encode() in parts[FONTI]
    shipped = load_plan(SHIPPED)
    assert shipped.ok and total(shipped, COOP) == 25000 and total(shipped, ONERI) == 41000


@pytest.mark.parametrize(
    ("shown", "meaning"),
    [
        ("#DIV/0!", "divisione per zero"),
        ("#N/A", "valore non disponibile"),
        ("#REF!", "riferimento a una cella che non esiste più"),
        ("#VALUE!", "valore del tipo sbagliato"),
        ("#NAME?", "nome di funzione o di intervallo sconosciuto"),
        ("#NUM!", "numero non valido"),
        ("#NULL!", "intersezione vuota"),
    ],
)
def test_an_error_value_is_an_error_naming_the_cell_and_the_error(shown: str, meaning: str) -> None:
    cell = f'<c r="I4" s="7" t="e"><f>A1/0</f><v>{shown}</v></c>'
    result = load_plan(rewritten(PROGETTI, lambda xml: xml.replace(I4, cell)))
    assert not result.ok
    [(where, message)] = errors(result)
    assert where == "Progetti!I4"
    assert message.startswith(
        f"Progetto «Rating cooperativo» (P1-03): la cella I4 mostra l'errore {shown} ({meaning}"
    )


def test_an_error_value_outside_the_table_is_named_and_ignored() -> None:
    cell = '<c r="M4" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    result = load_plan(rewritten(PROGETTI, lambda xml: xml.replace(I4, I4 + cell)))
    assert result.ok and total(result, COOP) == 25000
    assert [(p.cell, p.is_error) for p in result.problems] == [("Progetti!M4", False)]
    assert "mostra l'errore #DIV/0! (divisione per zero)" in result.problems[0].message


@pytest.mark.parametrize("arrangement", ARRANGEMENTS)
def test_every_arrangement_of_rows_and_cells_reads_all_18_projects(arrangement: str) -> None:
    result = load_plan(rewritten(PROGETTI, ARRANGEMENTS[arrangement]))
    shipped = load_plan(SHIPPED)
    assert result.ok, errors(result)
    assert result.plan is not None and shipped.plan is not None
    assert len(result.plan.projects) == 18
    assert sorted(result.plan.projects["id"]) == sorted(shipped.plan.projects["id"])
    assert (total(result, COOP), total(result, ONERI)) == (25000, 41000)
    by_id = result.plan.projects.set_index("id").sort_index()
    assert by_id.equals(shipped.plan.projects.set_index("id").sort_index())


@pytest.mark.parametrize("text", ["2500,5", "2 500", "2,500", "2.500,00", "5000€", "INF", ""])
def test_odd_number_text_in_the_file_is_named_with_what_it_holds(text: str) -> None:
    cell = f'<c r="I4" s="7"><v>{text}</v></c>'
    result = load_plan(rewritten(PROGETTI, lambda xml: xml.replace(I4, cell)))
    if not text:  # <v></v> without a formula: an empty cell, as both programs show it
        assert result.ok and total(result, COOP) == 20000
        return
    [(where, message)] = errors(result)
    assert where == "Progetti!I4"
    assert f"la cella I4 contiene «{text}» salvato come numero, ma non è un numero" in message


def test_odd_number_text_gives_no_unexpected_error_in_the_cli(tmp_path) -> None:
    path = tmp_path / "virgola.xlsx"
    path.write_bytes(
        rewritten(PROGETTI, lambda xml: xml.replace(I4, '<c r="I4" s="7"><v>2500,5</v></c>'))
    )
    run = subprocess.run(
        [sys.executable, "-m", "coopplan", "check", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 1
    assert "Errore imprevisto" not in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "I4" in run.stdout + run.stderr
    assert "«2500,5» salvato come numero" in run.stdout + run.stderr


def test_an_error_value_fails_the_cli_check_naming_the_cell(tmp_path) -> None:
    path = tmp_path / "errore.xlsx"
    cell = '<c r="I4" s="7" t="e"><f>A1/0</f><v>#DIV/0!</v></c>'
    path.write_bytes(rewritten(PROGETTI, lambda xml: xml.replace(I4, cell)))
    run = subprocess.run(
        [sys.executable, "-m", "coopplan", "check", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1
    assert "I4" in output and "mostra l'errore #DIV/0! (divisione per zero)" in output
    assert "nessun problema" not in output


def test_a_cell_written_twice_is_refused_by_name() -> None:
    twice = I4 + '<c r="I4" s="7" t="n"><v>9000</v></c>'
    result = load_plan(rewritten(PROGETTI, lambda xml: xml.replace(I4, twice)))
    [(where, message)] = errors(result)
    assert where == "Progetti!I4" and "compare due volte nel file" in message


def test_a_formula_whose_result_is_empty_text_is_an_empty_cell() -> None:
    cell = '<c r="I4" s="7" t="str"><f>IF(1=1,"","x")</f><v></v></c>'
    result = load_plan(rewritten(PROGETTI, lambda xml: xml.replace(I4, cell)))
    assert result.ok, errors(result)
    assert total(result, COOP) == 20000  # the cell shows nothing: Rating cooperativo has 0 €


def test_a_formula_saved_without_its_result_is_still_refused() -> None:
    cell = '<c r="I4" s="7"><f>2500*2</f><v></v></c>'
    result = load_plan(rewritten(PROGETTI, lambda xml: xml.replace(I4, cell)))
    [(where, message)] = errors(result)
    assert where == "Progetti!I4" and "formula senza valore calcolato" in message


def test_a_cached_formula_result_is_read() -> None:
    cell = '<c r="I4" s="7"><f>2500*2</f><v>5000</v></c>'
    result = load_plan(rewritten(PROGETTI, lambda xml: xml.replace(I4, cell)))
    assert result.ok and total(result, COOP) == 25000


@pytest.mark.parametrize(
    "header",
    [
        f"{COOP}\u200b",  # zero-width space after the name
        f"\ufeff{COOP}",  # a byte-order mark before it
        "Risorse Coop\u00a0Re-Start",  # a non-breaking space
        "Risorse Coop Re\u2011Start",  # a non-breaking hyphen
        "Risorse Coop Re-\u00adStart",  # a soft hyphen
        "Risorse\nCoop Re-Start",  # a line break (Alt+Invio)
    ],
    ids=["ZWSP", "BOM", "NBSP", "NB-hyphen", "SHY", "line break"],
)
def test_an_invisible_character_in_a_source_header_matches_as_the_eye_reads(header: str) -> None:
    result = load_plan(
        rewritten(PROGETTI, lambda xml: xml.replace(f"<t>{COOP}</t>", f"<t>{header}</t>", 1))
    )
    assert result.ok, errors(result)
    assert (total(result, COOP), total(result, ONERI)) == (25000, 41000)


def test_an_invisible_character_in_a_source_name_is_named_and_removed() -> None:
    result = load_plan(
        rewritten(FONTI, lambda xml: xml.replace(f"<t>{COOP}</t>", f"<t>{COOP}\u200b</t>", 1))
    )
    assert result.ok, errors(result)
    assert result.plan is not None and COOP in result.plan.amount_sources
    assert total(result, COOP) == 25000
    [warning] = result.warnings
    assert warning.cell.startswith("Fonti!A") and "U+200B" in warning.message


def test_an_id_with_invisible_characters_keeps_its_activities_and_money() -> None:
    result = load_plan(
        rewritten(PROGETTI, lambda xml: xml.replace("<t>P1-03</t>", "<t>P1\u20110\u200b3</t>", 1))
    )
    shipped = load_plan(SHIPPED)
    assert result.ok, errors(result)
    assert result.plan is not None and shipped.plan is not None
    items = result.plan.items["project"].map(normalize_header).value_counts()
    assert items["p1-03"] == (shipped.plan.items["project"] == "P1-03").sum() > 0
    assert total(result, COOP) == 25000


@pytest.mark.parametrize("year", ["23", "20233", "1899"])
def test_an_implausible_year_is_an_error(year: str) -> None:
    result = load_plan(
        rewritten(
            PIANO, lambda xml: re.sub(r'(<c r="B4"[^>]*>)<v>2023</v>', rf"\g<1><v>{year}</v>", xml)
        )
    )
    [(where, message)] = errors(result)
    assert where == "Piano!B4"
    assert message.startswith(f"Anno: «{year}» non è un anno plausibile per il piano")


def test_a_version_date_before_the_year_or_far_ahead_warns() -> None:
    def dated(serial: int) -> bytes:
        return rewritten(
            PIANO,
            lambda xml: re.sub(r'(<c r="B5"[^>]*>)<v>[0-9.]+</v>', rf"\g<1><v>{serial}</v>", xml),
        )

    before = load_plan(dated(44562))  # 01/01/2022
    assert before.ok
    assert [w.cell for w in before.warnings] == ["Piano!B5"]
    assert "il 01/01/2022 è precedente all'anno del piano (2023)" in before.warnings[0].message
    future = load_plan(dated(73051))  # 01/01/2100
    assert future.ok
    assert "il 01/01/2100 è nel futuro" in future.warnings[0].message


def test_a_title_row_above_the_header_gives_one_message_and_the_plan() -> None:
    def title_row(xml: str) -> str:
        xml = re.sub(r'<row r="(\d+)"', lambda m: f'<row r="{int(m.group(1)) + 1}"', xml)
        xml = re.sub(
            r'<c r="([A-Z]+)(\d+)"', lambda m: f'<c r="{m.group(1)}{int(m.group(2)) + 1}"', xml
        )
        title = (
            '<row r="1"><c r="A1" t="inlineStr"><is><t>Progetti del piano 2023</t></is></c></row>'
        )
        return xml.replace("<sheetData>", "<sheetData>" + title)

    result = load_plan(rewritten(PROGETTI, title_row))
    assert result.ok, errors(result)
    assert result.plan is not None and len(result.plan.projects) == 18
    assert total(result, COOP) == 25000
    [warning] = result.warnings
    assert warning.cell == "Progetti!1:1"
    assert warning.message.startswith(
        "Le intestazioni del foglio «Progetti» sono nella riga 2, non nella riga 1"
    )


@pytest.mark.parametrize(
    "twin", ["xl\\worksheets\\sheet6.xml", "/xl/worksheets/sheet6.xml", "XL/Worksheets/Sheet6.xml"]
)
def test_a_part_stored_twice_is_refused_as_damaged_naming_it(twin: str) -> None:
    data = rewritten(
        PROGETTI,
        lambda xml: xml.replace(I4, '<c r="I4" s="7" t="n"><v>9000</v></c>'),
        extra=((twin, members()[PROGETTI]),),
    )
    result = load_plan(data)
    assert result.plan is None
    [message] = [p.message for p in result.problems]
    assert "è danneggiato: contiene due volte la parte interna" in message
    assert "sheet6.xml" in message.lower()
