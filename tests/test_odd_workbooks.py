"""Odd but ordinary workbooks (issue 9, part 2): read right, with a message naming the cell.

A stray value far away, names saved decomposed (NFD) by a Mac, hidden and leftover sheets,
a source column that lost its row in «Fonti», and messages that read like a person wrote them.
"""

from __future__ import annotations

import pytest
from support.variants import with_stray_value
from support.workbooks import edited_workbook

from coopplan import load_plan
from coopplan.workbook.reader import LoadResult

TOTALS = [25000.0, 41000.0, 15.0]  # Coop Re-Start €, Oneri di funzionamento €, Risorse interne


def totals(result: LoadResult) -> list[float]:
    assert result.plan is not None, [str(p) for p in result.problems]
    return result.plan.source_totals()["total"].tolist()


def describe(result: LoadResult) -> list[str]:
    return [str(p) for p in result.problems]


# A stray value far away ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "ref"),
    [
        ("Progetti", "XFD20000"),  # 20.000 rows x 16.384 columns: once 10 GB and a dead server
        ("Progetti", "XFD4000"),
        ("Progetti", "M2"),  # just right of the table (K is the last column)
        ("Attività", "XFD20000"),
        ("Piano", "AA3"),
        ("Fonti", "XFD3"),
    ],
)
def test_a_stray_value_is_named_and_ignored_and_the_plan_is_read_right(
    sheet: str, ref: str
) -> None:
    result = load_plan(with_stray_value(ref, sheet), name="piano.xlsx")
    assert result.ok, describe(result)
    assert [p.cell for p in result.problems] == [f"{sheet}!{ref}"]
    letters = ref.rstrip("0123456789")
    assert result.problems[0].message == (
        f"Il valore «x» è fuori dalla tabella (la colonna {letters} non ha intestazione nella "
        "riga 1) e viene ignorato: se serve, spostalo in una colonna del piano, altrimenti "
        "cancellalo."
    )
    assert totals(result) == TOTALS


def test_a_stray_amount_in_progetti_is_an_error_with_its_sum() -> None:
    def amounts(book) -> None:
        book["Progetti"]["M3"].value = 3000
        book["Progetti"]["M5"].value = 2000

    result = load_plan(edited_workbook(amounts))
    assert [(p.cell, p.is_error) for p in result.problems] == [("Progetti!M3", True)]
    assert result.problems[0].message.startswith(
        "2 valori della colonna M (il primo è «3.000») sono fuori dalla tabella (la colonna M "
        "non ha intestazione nella riga 1): contiene importi per 5.000 € che non entrerebbero "
        "in nessun totale."
    )


def test_many_formatted_empty_rows_are_not_read_as_rows() -> None:
    from openpyxl.styles import PatternFill

    def format_rows(book) -> None:
        fill = PatternFill("solid", fgColor="FFFF00")
        for row in range(30, 5030):
            for column in range(1, 12):
                book["Progetti"].cell(row=row, column=column).fill = fill

    result = load_plan(edited_workbook(format_rows))
    assert result.ok and result.problems == [], describe(result)
    assert totals(result) == TOTALS


# Money never disappears silently --------------------------------------------------------------


def delete_source_row(name: str):
    def edit(book) -> None:
        sheet = book["Fonti"]
        row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == name)
        sheet.delete_rows(row)

    return edit


def test_a_column_of_amounts_without_its_source_is_an_error_naming_the_money() -> None:
    result = load_plan(edited_workbook(delete_source_row("Oneri di funzionamento")))
    assert not result.ok
    assert [(p.cell, p.is_error) for p in result.problems] == [("Progetti!J1", True)]
    assert result.problems[0].message == (
        "La colonna «Oneri di funzionamento» contiene importi per 41.000 € ma non è una fonte "
        "del foglio Fonti: quegli importi non entrerebbero in nessun totale. Aggiungi la fonte "
        "al foglio Fonti con esattamente questo nome, oppure cancella la colonna."
    )


def test_a_text_column_without_a_source_stays_a_warning() -> None:
    def add_contact(book) -> None:  # «Referente» is a column of the plan since issue 23
        sheet = book["Progetti"]
        column = sheet.max_column + 1
        sheet.cell(row=1, column=column).value = "Telefono del referente"
        sheet.cell(row=2, column=column).value = "Anna Rossi, interno 12"

    result = load_plan(edited_workbook(add_contact))
    assert result.ok
    assert [(p.cell, p.is_error) for p in result.problems] == [("Progetti!L1", False)]
    assert "«Telefono del referente» non è una colonna prevista" in result.problems[0].message
    assert totals(result) == TOTALS


# Unicode: names saved decomposed (NFD) by a Mac ------------------------------------------------


def nfd(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text  # the test means something only with an accented letter
    return decomposed


def test_names_saved_decomposed_are_matched_and_kept_as_written() -> None:
    def mac(book) -> None:
        book["Attività"].title = nfd("Attività")  # sheet name
        fonti, projects = book["Fonti"], book["Progetti"]
        fonti["A3"].value = "Attività istituzionali"  # source name, NFC in «Fonti»
        projects["J1"].value = nfd("Attività istituzionali")  # its header in «Progetti», NFD
        fonti["B4"].value = nfd("Sì/No")  # a choice
        projects["K2"].value = nfd("Sì")  # a yes/no value
        projects["A2"].value = "P1-01-Città"  # an ID, NFC in «Progetti»...
        activities = book[nfd("Attività")]
        for row in range(2, activities.max_row + 1):
            if activities.cell(row, 1).value == "P1-01":
                activities.cell(row, 1).value = nfd("P1-01-Città")  # ...and NFD in «Attività»

    result = load_plan(edited_workbook(mac))
    assert result.ok and result.problems == [], describe(result)
    plan = result.plan
    assert totals(result) == TOTALS
    assert plan.sources["name"].tolist()[1] == "Attività istituzionali"  # as written in Fonti
    assert "P1-01-Città" in set(plan.items["project"])
    funding = plan.funding.set_index(["project", "source"])
    assert bool(funding.loc[("P1-01-Città", "Risorse interne"), "flag"])  # the NFD «Sì»
    assert plan.sources["kind"].tolist()[2] == "flag"  # the NFD «Sì/No»


def test_a_decomposed_duplicate_id_is_a_duplicate() -> None:
    def twice(book) -> None:
        book["Progetti"]["A2"].value = "Città-1"
        book["Progetti"]["A3"].value = nfd("Città-1")

    result = load_plan(edited_workbook(twice))
    assert [p.cell for p in result.errors][:1] == ["Progetti!A3"]
    assert "è ripetuto (compare già alla riga 2)" in result.errors[0].message


# Hidden and leftover sheets --------------------------------------------------------------------


def test_a_hidden_sheet_read_while_its_edited_copy_is_ignored_is_an_error() -> None:
    def edit_a_copy(book) -> None:
        copy = book.copy_worksheet(book["Progetti"])
        copy.title = "Progetti (2)"
        copy["J7"].value = 50_000  # the edit: 41.000 € -> 50.000 €, in the copy
        book["Progetti"].sheet_state = "hidden"

    result = load_plan(edited_workbook(edit_a_copy))
    assert not result.ok
    assert [(p.cell, p.is_error) for p in result.problems] == [("Progetti", True)]
    assert result.problems[0].message == (
        "Il foglio «Progetti» è nascosto: è quello che viene letto, mentre il foglio visibile "
        "«Progetti (2)» viene ignorato. Se hai aggiornato «Progetti (2)», cancella il foglio "
        "nascosto «Progetti» e rinomina la copia «Progetti»; altrimenti cancella "
        "«Progetti (2)» e scopri «Progetti»."
    )


def test_a_visible_copy_next_to_the_sheet_is_named_as_ignored() -> None:
    def copy(book) -> None:
        book.copy_worksheet(book["Fonti"]).title = "Fonti_2"

    result = load_plan(edited_workbook(copy))
    assert result.ok
    assert [p.cell for p in result.problems] == ["Fonti_2"]
    assert result.problems[0].message.startswith(
        "Il foglio «Fonti_2» sembra una copia del foglio «Fonti» e viene ignorato"
    )
    assert totals(result) == TOTALS


def test_a_hidden_data_sheet_alone_is_read_with_a_warning() -> None:
    result = load_plan(edited_workbook(lambda b: setattr(b["Piste"], "sheet_state", "hidden")))
    assert result.ok
    assert [str(p) for p in result.problems] == [
        "AVVISO Piste: Il foglio «Piste» è nascosto ma viene letto lo stesso: controlla che "
        "sia quello giusto (in Excel: clic destro su una linguetta, «Scopri»)."
    ]


def test_unknown_and_very_hidden_sheets_are_named_as_ignored() -> None:
    def extra(book) -> None:
        book.create_sheet("Appunti")["A1"].value = "da chiedere al consiglio"
        book.create_sheet("Vecchi conti").sheet_state = "veryHidden"

    result = load_plan(edited_workbook(extra))
    assert result.ok
    assert [str(p) for p in result.problems] == [
        "AVVISO Appunti: Il foglio «Appunti» non fa parte del piano e viene ignorato.",
        "AVVISO Vecchi conti: Il foglio «Vecchi conti» (nascosto in modo da non comparire "
        "nemmeno tra i fogli da scoprire) non fa parte del piano e viene ignorato.",
    ]


# Messages read like a person wrote them --------------------------------------------------------


def only(result: LoadResult) -> str:
    assert len(result.problems) == 1, describe(result)
    return str(result.problems[0])


def test_a_negative_amount_is_written_the_italian_way_with_the_project() -> None:
    result = load_plan(edited_workbook(lambda b: setattr(b["Progetti"]["J7"], "value", -5000)))
    assert only(result) == (
        "ERRORE Progetti!J7: Progetto «Ufficio Credito&Finanza» (P2-01): l'importo «−5.000 €» "
        "è negativo: gli importi devono essere zero o positivi."
    )


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("5.000 €", "5000"),
        ("5\u00a0000", "5000"),  # a non-breaking space, as pasted from a web page or a PDF
        ("5\u202f000 €", "5000"),  # a narrow one, as macOS writes thousands
        ("1.234,50", "1234,5"),  # the decimal comma, as typed in an Italian spreadsheet
    ],
)
def test_text_in_a_money_cell_suggests_the_number_to_type_without_spaces(
    typed: str, suggested: str
) -> None:
    result = load_plan(edited_workbook(lambda b: setattr(b["Progetti"]["I4"], "value", typed)))
    assert only(result) == (
        f"ERRORE Progetti!I4: Progetto «Rating cooperativo» (P1-03): «{typed}» è un testo, non "
        f"un importo: scrivi solo la cifra come numero (ad esempio {suggested}), senza punti né "
        "simbolo €; il formato in euro lo applica il file."
    )


def test_an_amount_in_a_yes_no_source_is_shown_as_money() -> None:
    result = load_plan(edited_workbook(lambda b: setattr(b["Progetti"]["K2"], "value", 1500)))
    assert only(result) == (
        "ERRORE Progetti!K2: Progetto «La Cooperazione scende in Piazza» (P1-01): la fonte "
        "«Risorse interne» è di tipo Sì/No, ma la cella contiene l'importo «1.500 €»: scrivi Sì "
        "o No, oppure cambia il tipo della fonte in «Importo» nel foglio Fonti."
    )


def test_a_number_where_a_choice_is_expected_is_shown_the_italian_way() -> None:
    result = load_plan(edited_workbook(lambda b: setattr(b["Progetti"]["G4"], "value", 3.5)))
    assert only(result).startswith(
        "ERRORE Progetti!G4: Progetto «Rating cooperativo» (P1-03): «3,5» non è un valore di "
        "«Stato» valido"
    )
