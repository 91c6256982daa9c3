"""scan_sheets skips the slow XML walk of sheets without formulas or merges (benchmarks, issue 6):
the answers and the refusals must be exactly those of the full walk."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from badfiles import patched_xlsx

from coopplan.intake import IntakeError, SheetScan, _scan_sheet, scan_sheets
from coopplan.reader import load_plan

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"  # the sheet «Piano e fonti» of badfiles.valid_xlsx()


def sheet_xml(body: str, prefix: str = "") -> bytes:
    """A worksheet part whose sheetData holds ``body`` (elements written with ``prefix``)."""
    p = f"{prefix}:" if prefix else ""
    ns = f"xmlns:{prefix}" if prefix else "xmlns"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {ns}="{MAIN}">'
        f"<{p}sheetData>{body.replace('<', f'<{p}').replace(f'<{p}/', f'</{p}')}</{p}sheetData>"
        f"</{p}worksheet>"
    ).encode()


PLAIN_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>Nota: fondi &lt;f&gt;</t></is></c></row>'
FORMULA_ROW = '<row r="2"><c r="B2"><f>A1+1</f></c></row>'


@pytest.mark.parametrize("prefix", ["", "x"])
def test_formula_without_value_is_found_with_or_without_namespace_prefix(prefix: str) -> None:
    scans = scan_sheets(patched_xlsx({SHEET: sheet_xml(PLAIN_ROW + FORMULA_ROW, prefix)}))
    assert scans["Piano e fonti"] == SheetScan((), ("B2",))


@pytest.mark.parametrize("prefix", ["", "x"])
def test_sheet_without_formulas_or_merges_scans_empty(prefix: str) -> None:
    scans = scan_sheets(patched_xlsx({SHEET: sheet_xml(PLAIN_ROW, prefix)}))
    assert scans["Piano e fonti"] == SheetScan((), ())


def test_formula_tag_across_a_chunk_boundary_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    from coopplan import intake

    part = sheet_xml(PLAIN_ROW * 50 + FORMULA_ROW)
    cut = part.index(b"<f>") + 1  # the chunk ends between "<" and "f>"
    monkeypatch.setattr(intake, "SCAN_CHUNK", cut)
    assert scan_sheets(patched_xlsx({SHEET: part}))["Piano e fonti"].formulas_without_value == (
        "B2",
    )


def test_fast_path_agrees_with_the_full_walk_on_a_real_workbook(shipped_bytes: bytes) -> None:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(shipped_bytes)) as archive:
        walked = [
            _scan_sheet(archive.open(name))
            for name in sorted(archive.namelist())
            if name.startswith("xl/worksheets/sheet")
        ]
    assert sorted(scan_sheets(shipped_bytes).values(), key=repr) == sorted(walked, key=repr)


BROKEN: dict[str, Callable[[bytes], bytes]] = {
    "troncato": lambda part: part[: len(part) // 2],
    "tag sbagliato": lambda part: part.replace(b"</row>", b"</rowx>", 1),
}


@pytest.mark.parametrize("damage", list(BROKEN))
def test_malformed_sheet_without_formulas_is_still_refused_in_words(damage: str) -> None:
    data = patched_xlsx({SHEET: BROKEN[damage](sheet_xml(PLAIN_ROW * 20))})
    with pytest.raises(IntakeError, match="danneggiato"):
        scan_sheets(data)
    result = load_plan(data, name="piano.xlsx")
    assert result.plan is None
    assert "non si riesce a leggerlo" in result.errors[0].message


def test_dtd_in_a_sheet_without_formulas_is_refused_as_unsafe() -> None:
    part = sheet_xml(PLAIN_ROW).replace(b"?>", b'?><!DOCTYPE w [<!ENTITY e "x">]>', 1)
    with pytest.raises(IntakeError, match="DOCTYPE o ENTITY"):
        scan_sheets(patched_xlsx({SHEET: part}))
