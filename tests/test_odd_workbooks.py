"""Odd but ordinary workbooks (issue 9, part 2): read right, with a message naming the cell.

A stray value far away, names saved decomposed (NFD) by a Mac, hidden and leftover sheets,
a source column that lost its row in «Fonti», and messages that read like a person wrote them.
"""

from __future__ import annotations

import pytest
from conftest import edited_workbook
from variants import with_stray_value

from coopplan import load_plan
from coopplan.reader import LoadResult

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
    def amounts(book) -> None:  # noqa: ANN001
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

    def format_rows(book) -> None:  # noqa: ANN001
        fill = PatternFill("solid", fgColor="FFFF00")
        for row in range(30, 5030):
            for column in range(1, 12):
                book["Progetti"].cell(row=row, column=column).fill = fill

    result = load_plan(edited_workbook(format_rows))
    assert result.ok and result.problems == [], describe(result)
    assert totals(result) == TOTALS
