"""The validator on a corpus of semantically bad workbooks: message and cell of each problem."""

from __future__ import annotations

import pytest
from openpyxl.utils import get_column_letter
from support.workbooks import column_of, edited_workbook

from coopplan import load_plan
from coopplan.workbook.problems import Problem, summary


def problems_of(edit) -> list[Problem]:
    return load_plan(edited_workbook(edit), name="modificato.xlsx").problems


def only_error(problems: list[Problem]) -> Problem:
    errors = [p for p in problems if p.is_error]
    assert len(errors) == 1, [str(p) for p in problems]
    return errors[0]


def ref(book, sheet: str, header: str, row: int) -> str:
    return f"{sheet}!{get_column_letter(column_of(book[sheet], header))}{row}"


def test_shipped_workbook_has_no_problem(shipped_bytes: bytes) -> None:
    result = load_plan(shipped_bytes)
    assert result.ok
    assert result.problems == []


def test_missing_sheet_is_named() -> None:
    problem = only_error(problems_of(lambda b: b.remove(b["Fonti"])))
    assert problem.cell == "Fonti"
    assert "Manca il foglio «Fonti»" in problem.message


def test_missing_column_is_named_with_the_header_row() -> None:
    problem = only_error(problems_of(lambda b: b["Progetti"].delete_cols(7)))  # Stato
    assert problem.cell == "Progetti!1:1"
    assert "manca la colonna «Stato»" in problem.message


def test_reordered_columns_and_sloppy_headers_are_still_found(shipped_bytes: bytes) -> None:
    def shuffle(book) -> None:
        sheet = book["Progetti"]
        last = sheet.max_column + 1
        for row in range(1, sheet.max_row + 1):  # the ID column moves to the far right
            sheet.cell(row=row, column=last).value = sheet.cell(row=row, column=1).value
        sheet.delete_cols(1)
        sheet.cell(row=1, column=2).value = "  gruppo  "  # case and spacing differ
        sheet.cell(row=1, column=6).value = "STATO"

    result = load_plan(edited_workbook(shuffle))
    assert result.ok, [str(p) for p in result.problems]
    original = load_plan(shipped_bytes).plan
    assert sorted(result.plan.projects["id"]) == sorted(original.projects["id"])
    assert result.plan.source_totals()["total"].tolist() == [25000.0, 41000.0, 15.0]


def test_empty_required_cell() -> None:
    def blank_title(book) -> None:
        book["Progetti"].cell(row=5, column=column_of(book["Progetti"], "Progetto")).value = None

    problem = only_error(problems_of(blank_title))
    assert problem.cell == "Progetti!D5"
    assert "«Progetto» è vuota ma è obbligatoria" in problem.message


def test_text_in_a_money_cell_suggests_the_number() -> None:
    def text_amount(book) -> None:
        sheet = book["Progetti"]
        sheet.cell(row=4, column=column_of(sheet, "Risorse Coop Re-Start")).value = "5.000 €"

    problem = only_error(problems_of(text_amount))
    assert problem.cell == "Progetti!I4"
    assert "è un testo, non un importo" in problem.message
    assert "5000" in problem.message


def test_negative_amount() -> None:
    def negative(book) -> None:
        sheet = book["Progetti"]
        sheet.cell(row=7, column=column_of(sheet, "Oneri di funzionamento")).value = -41000

    problem = only_error(problems_of(negative))
    assert problem.cell == "Progetti!J7"
    assert "negativo" in problem.message


@pytest.mark.parametrize(
    ("header", "value", "fragment"),
    [
        ("Pista", "P9", "«P9» non è un valore di «Pista» valido"),
        ("Stato", "Sospeso", "«Sospeso» non è un valore di «Stato» valido"),
    ],
)
def test_unknown_choice_lists_the_allowed_values(header: str, value: str, fragment: str) -> None:
    def wrong(book) -> None:
        book["Progetti"].cell(row=3, column=column_of(book["Progetti"], header)).value = value

    problem = only_error(problems_of(wrong))
    assert problem.cell.startswith("Progetti!") and problem.cell.endswith("3")
    assert fragment in problem.message
    assert ("P1, P2, P3, P4" if header == "Pista" else "In corso") in problem.message


def test_lowercase_status_is_accepted_and_normalised() -> None:
    edit = lambda b: setattr(b["Progetti"]["G2"], "value", "in CORSO")  # noqa: E731
    result = load_plan(edited_workbook(edit))
    assert result.ok
    assert result.plan.projects.loc[0, "status"] == "In corso"


def test_duplicate_project_id_names_both_rows() -> None:
    def duplicate(book) -> None:
        book["Progetti"]["A3"].value = book["Progetti"]["A2"].value

    problems = problems_of(duplicate)
    dup = [p for p in problems if "ripetuto" in p.message]
    assert len(dup) == 1
    assert dup[0].cell == "Progetti!A3"
    assert "riga 2" in dup[0].message


def test_formula_without_saved_value() -> None:
    def formula(book) -> None:
        book["Progetti"]["I4"].value = "=2500*2"  # openpyxl saves no cached value

    problems = problems_of(formula)
    assert any(p.cell == "Progetti!I4" and "formula senza valore" in p.message for p in problems)


def test_merged_cells_in_data() -> None:
    problem = only_error(problems_of(lambda b: b["Attività"].merge_cells("C5:C6")))
    assert problem.cell == "Attività!C5"
    assert "C5:C6 sono unite" in problem.message


def test_amount_declared_for_a_yes_no_source() -> None:
    def amount(book) -> None:
        book["Progetti"].cell(
            row=2, column=column_of(book["Progetti"], "Risorse interne")
        ).value = 500

    problem = only_error(problems_of(amount))
    assert problem.cell == "Progetti!K2"
    assert "di tipo Sì/No" in problem.message and "500" in problem.message


def test_activity_of_an_unknown_project() -> None:
    problem = only_error(problems_of(lambda b: setattr(b["Attività"]["A2"], "value", "P9-99")))
    assert problem.cell == "Attività!A2"
    assert "«P9-99»" in problem.message


def test_source_without_its_column() -> None:
    def extra_source(book) -> None:
        book["Fonti"].append(["Fondo regionale", "Importo", "Bando 2023"])

    problem = only_error(problems_of(extra_source))
    assert problem.cell == "Progetti!1:1"
    assert "«Fondo regionale»" in problem.message


def test_every_problem_is_reported_at_once() -> None:
    def many(book) -> None:
        projects = book["Progetti"]
        projects["G2"].value = "Boh"
        projects["I3"].value = "tanti"
        projects["J4"].value = -1
        projects["K5"].value = 3
        projects["A6"].value = projects["A7"].value
        book["Filoni"]["A2"].value = "P7"

    problems = problems_of(many)
    cells = {p.cell for p in problems if p.is_error}
    assert {"Progetti!G2", "Progetti!I3", "Progetti!J4", "Progetti!K5", "Filoni!A2"} <= cells
    assert any("ripetuto" in p.message for p in problems)


def test_unknown_column_is_a_warning_that_does_not_block() -> None:
    def extra_column(book) -> None:
        sheet = book["Progetti"]
        sheet.cell(row=1, column=sheet.max_column + 1).value = "Commenti"

    result = load_plan(edited_workbook(extra_column))
    assert result.ok
    assert len(result.warnings) == 1
    assert "«Commenti»" in result.warnings[0].message


def test_a_new_source_needs_no_code_change() -> None:
    def add_source(book) -> None:
        book["Fonti"].append(["Fondo regionale", "Importo", "Bando 2023"])
        sheet = book["Progetti"]
        column = sheet.max_column + 1
        sheet.cell(row=1, column=column).value = "Fondo regionale"
        sheet.cell(row=3, column=column).value = 1234.5

    result = load_plan(edited_workbook(add_source))
    assert result.ok, [str(p) for p in result.problems]
    totals = result.plan.source_totals().set_index("source")["total"]
    assert totals["Fondo regionale"] == 1234.5
    assert result.plan.filter(sources=["Fondo regionale"]).projects["id"].tolist() == ["P1-02"]


def test_messages_are_italian_sentences(shipped_bytes: bytes) -> None:
    def many(book) -> None:
        book["Progetti"]["G2"].value = "Boh"
        book["Progetti"]["I3"].value = "tanti"

    problems = problems_of(many)
    assert len(problems) == 2
    for problem in problems:
        assert problem.message.endswith(".")
        assert " non " in problem.message or " è " in problem.message  # Italian prose
        assert "Traceback" not in problem.message and "Error" not in problem.message


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "listed"),
    [
        ("Attività", "B2", "Fatta", "Realizzata, Ipotesi di lavoro"),
        ("Fonti", "B2", "Euro", "Importo, Sì/No"),
    ],
)
def test_wrong_kind_lists_the_labels_the_user_can_write(
    sheet: str, cell: str, value: str, listed: str
) -> None:
    problem = only_error(problems_of(lambda b: setattr(b[sheet][cell], "value", value)))
    assert problem.cell == f"{sheet}!{cell}"
    assert f"i valori ammessi sono {listed}." in problem.message
    assert "done" not in problem.message and "amount" not in problem.message


def test_a_long_list_of_allowed_values_is_cut_in_the_message() -> None:
    problem = only_error(problems_of(lambda b: setattr(b["Attività"]["A2"], "value", "P9-99")))
    assert "P1-01, P1-02" in problem.message
    assert "(in tutto 18)" in problem.message
    assert "P4-04" not in problem.message


def test_a_mistake_on_every_row_is_listed_up_to_a_cap_and_counted() -> None:
    from coopplan.workbook.reader import MAX_PROBLEMS

    def repeat(book) -> None:
        sheet = book["Attività"]
        for row in range(2, MAX_PROBLEMS + 300):
            sheet.cell(row=row, column=1).value = "P0-00"
            sheet.cell(row=row, column=2).value = "Realizzata"
            sheet.cell(row=row, column=3).value = "Riga ripetuta"

    problems = problems_of(repeat)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1].is_error
    assert "altri 298 errori oltre ai 1.000 problemi elencati" in problems[-1].message
    assert summary(problems) == "1.298 errori impediscono la pubblicazione"


def test_too_many_filled_cells_are_refused_before_reading_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from coopplan.workbook import reader

    monkeypatch.setattr(reader, "MAX_CELLS_PER_SHEET", 150)  # «Progetti» has 185 filled cells
    problem = only_error(problems_of(lambda b: None))
    assert problem.cell == "Progetti"
    assert "contiene 185 celle piene: il massimo è 150" in problem.message


def test_a_value_far_below_the_table_is_read_as_its_own_row() -> None:
    def far(book) -> None:
        book["Filoni"].cell(row=50_005, column=1).value = "P1"

    problem = only_error(problems_of(far))
    assert problem.cell == "Filoni!B50005"
    assert "«Filone» è vuota ma è obbligatoria" in problem.message


def test_empty_metadata_value_and_missing_metadata_row_get_their_own_advice() -> None:
    def blank_title_drop_year(book) -> None:
        sheet = book["Piano"]
        sheet["B2"].value = None  # Titolo, row present, value empty
        sheet.delete_rows(4)  # Anno, row gone

    problems = {p.cell: p.message for p in problems_of(blank_title_drop_year)}
    assert "è vuoto: scrivi il suo valore nella colonna Valore" in problems["Piano!B2"]
    assert problems["Piano!A5"] == (  # the first free row of «Piano», column Campo
        "Manca il campo «Anno» del piano: scrivi «Anno» in questa cella della colonna Campo e "
        "il suo valore accanto, nella colonna Valore."
    )
