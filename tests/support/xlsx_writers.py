"""The shipped workbook rewritten the ways real spreadsheet writers write it (issue 18 §3).

A ``Recipe`` says what to change in the sheet «Progetti»: the order of rows and of cells, cells
without ``r=`` or with ``r=`` last, an ``x:`` namespace prefix, indentation, shared instead of
inline strings, amounts as formulas with their cached result, formulas whose result is the empty
string, other number formats, hidden rows; and the kinds coopplan must refuse by name: error
values, number text no program reads, merged cells. ``build`` returns the workbook and the cells
coopplan must name if it refuses. The test compares coopplan with LibreOffice on each.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from support.paths import SHIPPED

SHEET = "xl/worksheets/sheet6.xml"  # «Progetti» in the shipped workbook
AMOUNT_COLUMNS = ("I", "J")  # Risorse Coop Re-Start, Oneri di funzionamento
OPTIONAL_TEXT_COLUMNS = ("E", "H")  # Sottotitolo, Note sul budget
PLAIN_STYLES = (0, 2, 5, 7, 8)  # cellXfs of the shipped styles.xml without a date format
ERRORS = ("#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!")
ODD_NUMBERS = ("2500,5", "2 500", "1,000", "5000 €")

_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)')
_ROW = re.compile(r'<row r="(\d+)"([^>]*)>(.*?)</row>')


@dataclass(frozen=True)
class Recipe:
    row_order: tuple[int, ...] = ()  # a permutation of the data rows' positions (empty: as is)
    cells_reversed: bool = False
    drop_references: bool = False  # leave out r= where the position is implied
    reference_last: bool = False
    prefix: bool = False
    indent: bool = False
    shared_strings: bool = False
    formulas: frozenset[str] = frozenset()  # amount cells -> a formula with its cached result
    empty_text: frozenset[str] = frozenset()  # optional text cells -> ="" (cached empty)
    styles: tuple[tuple[str, int], ...] = ()  # (amount cell, style index)
    hidden_rows: frozenset[int] = frozenset()
    errors: tuple[tuple[str, str], ...] = ()  # (cell, error value): must be refused by name
    odd_numbers: tuple[tuple[str, str], ...] = ()  # (cell, text): must be refused by name
    merged: tuple[str, ...] = ()  # ranges like "E3:E4": must be refused by name

    @property
    def refused_cells(self) -> frozenset[str]:
        """Cells («Progetti!I4») coopplan must name: the spoiled ones."""
        spoiled = [cell for cell, _ in self.errors + self.odd_numbers]
        spoiled += [merge.split(":")[0] for merge in self.merged]
        return frozenset(f"Progetti!{cell}" for cell in spoiled)


@dataclass
class _Cell:
    column: str
    row: int
    attrs: str
    body: str | None
    text: str | None = field(default=None)  # inline text, when the cell holds one


def shipped_members() -> dict[str, bytes]:
    with zipfile.ZipFile(SHIPPED) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def data_rows() -> list[int]:
    """The Excel rows of «Progetti» below the header, as shipped."""
    xml = shipped_members()[SHEET].decode()
    return [int(n) for n, _, _ in _ROW.findall(xml) if int(n) > 1]


def build(recipe: Recipe) -> bytes:
    """The shipped workbook with ``recipe`` applied to «Progetti»."""
    members = shipped_members()
    xml = members[SHEET].decode()
    head, rest = xml.split("<sheetData>", 1)
    body, tail = rest.split("</sheetData>", 1)
    rows = [(int(n), attrs, _cells(inner)) for n, attrs, inner in _ROW.findall(body)]
    strings: list[str] = []
    rows = [_apply_cells(recipe, number, cells) for number, _, cells in rows]
    attrs_of = {int(n): attrs for n, attrs, _ in _ROW.findall(body)}
    if recipe.row_order:
        header, data = rows[:1], rows[1:]
        rows = header + [data[i] for i in recipe.row_order]
    written = "".join(
        _write_row(recipe, number, attrs_of[number], cells, strings) for number, cells in rows
    )
    if recipe.merged:
        merges = "".join(f'<mergeCell ref="{m}"/>' for m in recipe.merged)
        tail = f'<mergeCells count="{len(recipe.merged)}">{merges}</mergeCells>' + tail
    xml = f"{head}<sheetData>{written}</sheetData>{tail}"
    if recipe.prefix:
        xml = _prefixed(xml)
    if recipe.indent:
        xml = xml.replace("><", ">\n  <")
    members[SHEET] = xml.encode()
    if recipe.shared_strings:
        _add_shared_strings(members, strings)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _cells(inner: str) -> list[_Cell]:
    out = []
    for column, row, attrs, body in _CELL.findall(inner):
        text = re.fullmatch(r"<is><t>(.*)</t></is>", body or "")
        out.append(_Cell(column, int(row), attrs, body or None, text.group(1) if text else None))
    return out


def _apply_cells(recipe: Recipe, number: int, cells: list[_Cell]) -> tuple[int, list[_Cell]]:
    errors, odd = dict(recipe.errors), dict(recipe.odd_numbers)
    styles = dict(recipe.styles)
    for cell in cells:
        ref = f"{cell.column}{cell.row}"
        value = re.fullmatch(r"<v>(.*)</v>", cell.body or "")
        if ref in errors:
            cell.attrs, cell.body, cell.text = (
                ' s="7" t="e"',
                f"<f>1/0</f><v>{errors[ref]}</v>",
                None,
            )
        elif ref in odd:
            cell.attrs, cell.body = ' s="7"', f"<v>{escape(odd[ref])}</v>"
        elif ref in recipe.formulas and value:
            amount = float(value.group(1))
            cell.attrs = ' s="7"'
            cell.body = f"<f>{amount / 2:g}*2</f><v>{value.group(1)}</v>"
        elif ref in recipe.empty_text:
            cell.attrs, cell.body, cell.text = (
                ' s="2" t="str"',
                '<f>IF(1=1,"","x")</f><v></v>',
                None,
            )
        if ref in styles and value and ref not in errors and ref not in odd:
            cell.attrs = re.sub(r' s="\d+"', "", cell.attrs) + f' s="{styles[ref]}"'
    if recipe.cells_reversed:
        cells = cells[::-1]
    return number, cells


def _write_row(
    recipe: Recipe, number: int, attrs: str, cells: list[_Cell], strings: list[str]
) -> str:
    if number in recipe.hidden_rows:
        attrs += ' hidden="1"'
    written, previous = [], 0
    for cell in cells:
        column = _column_number(cell.column)
        implied = recipe.drop_references and not recipe.cells_reversed and column == previous + 1
        previous = column
        reference = "" if implied else f' r="{cell.column}{cell.row}"'
        cell_attrs, body = cell.attrs, cell.body
        if recipe.shared_strings and cell.text is not None:
            strings.append(cell.text)
            cell_attrs = cell_attrs.replace('t="inlineStr"', 't="s"')
            body = f"<v>{len(strings) - 1}</v>"
        attributes = cell_attrs + reference if recipe.reference_last else reference + cell_attrs
        written.append(f"<c{attributes}/>" if body is None else f"<c{attributes}>{body}</c>")
    return f'<row r="{number}"{attrs}>{"".join(written)}</row>'


def _prefixed(xml: str) -> str:
    xml = xml.replace('<worksheet xmlns="', '<x:worksheet xmlns:x="', 1)
    return re.sub(r"<(/?)([A-Za-z]+)([ >/])", r"<\1x:\2\3", xml)


def _add_shared_strings(members: dict[str, bytes], strings: list[str]) -> None:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)  # already escaped
    members["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{main}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    rel = f'<Relationship Type="{kind}" Target="sharedStrings.xml" Id="rIdSST"/>'
    members["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>", rel + "</Relationships>"
    ).encode()
    types = members["[Content_Types].xml"].decode()
    override = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    members["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number
