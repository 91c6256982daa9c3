"""coopplan.workbook.sheetxml: every cell the sheet XML holds, placed and typed as the spreadsheet
programs do (ECMA-376 Part 1 §18.3.1), or a fault naming it; merges and formulas saved without
their result; malformed or DTD-bearing parts refused."""

from __future__ import annotations

import datetime as dt

import pytest
from support.badfiles import patched_xlsx
from support.paths import SHIPPED
from support.variants import with_stray_value

from coopplan.workbook.reader import load_plan
from coopplan.workbook.sheetxml import Book, BookError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"  # the sheet «Piano e fonti» of badfiles.valid_xlsx()


def sheet_xml(body: str, prefix: str = "", tail: str = "") -> bytes:
    """A worksheet part whose sheetData holds ``body`` (elements written with ``prefix``)."""
    p = f"{prefix}:" if prefix else ""
    ns = f"xmlns:{prefix}" if prefix else "xmlns"
    inner = (body + tail).replace("<", f"<{p}").replace(f"<{p}/", f"</{p}")
    return (
        (
            f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {ns}="{MAIN}">'
            f"<{p}sheetData>{inner}</{p}sheetData></{p}worksheet>"
        )
        .replace(f"</{p}sheetData>{tail.replace('<', f'<{p}')}", f"</{p}sheetData>")
        .encode()
    )


def cells(body: str, prefix: str = "", limit: int = 1000):
    return Book(patched_xlsx({SHEET: sheet_xml(body, prefix)})).cells("Piano e fonti", limit)


PLAIN_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>Nota: fondi &lt;f&gt;</t></is></c></row>'
FORMULA_ROW = '<row r="2"><c r="B2"><f>A1+1</f></c></row>'


@pytest.mark.parametrize("prefix", ["", "x"])
def test_a_formula_without_value_is_found_with_or_without_a_namespace_prefix(prefix: str) -> None:
    found = cells(PLAIN_ROW + FORMULA_ROW, prefix)
    assert found.formulas_without_value == [(2, 2)]
    assert found.values == {(1, 1): "Nota: fondi <f>"}


def test_cells_without_reference_follow_the_previous_cell_and_row() -> None:
    found = cells(
        '<row r="2"><c><v>1</v></c><c><f>A2+1</f><v>2</v></c><c><f>B2+1</f></c></row>'
        '<row><c r="B3"><f t="shared" ref="B3:B4" si="0">A2</f><v/></c>'
        '<c><f t="shared" si="0"/><v>3</v></c></row>'
    )
    assert found.values == {(2, 1): 1.0, (2, 2): 2.0, (3, 3): 3.0}
    assert found.formulas_without_value == [(2, 3), (3, 2)]


def test_merged_ranges_are_listed() -> None:
    part = sheet_xml(PLAIN_ROW).replace(
        b"</sheetData>",
        b'</sheetData><mergeCells count="2"><mergeCell ref="A10:B10"/>'
        b'<mergeCell ref="D1:D4"/></mergeCells>',
    )
    found = Book(patched_xlsx({SHEET: part})).cells("Piano e fonti", 10)
    assert found.merged == ["A10:B10", "D1:D4"]


def test_values_by_type_as_the_programs_show_them() -> None:
    found = cells(
        '<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="str"><v>testo</v></c>'
        '<c r="C1" t="d"><v>2023-03-15</v></c><c r="D1"><v>-1.5E3</v></c>'
        '<c r="E1" t="inlineStr"><is><r><t>Rating </t></r><r><rPr/><t>coop</t></r>'
        "<rPh><t>x</t></rPh></is></c></row>"
    )
    assert found.values == {
        (1, 1): True,
        (1, 2): "testo",
        (1, 3): dt.date(2023, 3, 15),
        (1, 4): -1500.0,
        (1, 5): "Rating coop",
    }


def test_shared_strings_and_date_formats_of_the_shipped_workbook() -> None:
    book = Book(SHIPPED.read_bytes())
    piano = book.cells("Piano", 100).values
    assert piano[(4, 2)] == 2023.0
    assert isinstance(piano[(5, 2)], dt.date)  # «Data versione»: a serial shown as a date


def test_a_value_far_away_is_read_cell_by_cell_and_counted() -> None:
    book = Book(with_stray_value("XFD20000"))
    far = book.cells("Progetti", 10_000)
    shipped = Book(SHIPPED.read_bytes()).cells("Progetti", 10_000)
    assert far.values[(20000, 16384)] == "x"
    assert far.count == shipped.count + 1


def test_past_the_limit_the_sheet_is_marked_truncated() -> None:
    found = cells(
        "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 12)), limit=10
    )
    assert found.truncated and found.count == 11


BROKEN = {
    "troncato": lambda part: part[: len(part) // 2],
    "tag sbagliato": lambda part: part.replace(b"</row>", b"</rowx>", 1),
}


@pytest.mark.parametrize("damage", list(BROKEN))
def test_a_malformed_sheet_is_refused_in_words_even_one_the_plan_does_not_read(damage: str) -> None:
    data = patched_xlsx({SHEET: BROKEN[damage](sheet_xml(PLAIN_ROW * 20))})
    with pytest.raises(BookError):
        Book(data)
    result = load_plan(data, name="piano.xlsx")
    assert result.plan is None
    assert "non si riesce a leggerlo" in result.errors[0].message


def test_a_dtd_in_a_sheet_is_refused() -> None:
    part = sheet_xml(PLAIN_ROW).replace(b"?>", b'?><!DOCTYPE w [<!ENTITY e "x">]>', 1)
    result = load_plan(patched_xlsx({SHEET: part}), name="piano.xlsx")
    assert result.plan is None
    assert "DOCTYPE o ENTITY" in result.errors[0].message
