"""The project table to download, as CSV and .xlsx for Italian spreadsheets.

Downloads are protected against formula injection: a text cell that starts with = + - @ (or a
tab / carriage return) is written with a leading apostrophe, so that Excel and LibreOffice show
it as text instead of running it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from coopplan import fmt, tables
from coopplan.export import XLSX_MIME as XLSX_MIME
from coopplan.plan import Plan
from coopplan.tables import HEADERS
from coopplan.workbook.schema import NO, YES

if TYPE_CHECKING:
    from coopplan.export.formats import Subject

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The downloads hold counts of items, and say so (the matrix on screen shows them as numbers).
EXPORT_HEADERS: dict[str, str] = HEADERS | {
    "done": "N. attività realizzate",
    "planned": "N. ipotesi di lavoro",
}
EXPORT_COLUMNS = (
    "id",
    "track",
    "track_title",
    "group",
    "title",
    "subtitle",
    "budget_line",
    "status",
    "done",
    "planned",
)

SPENDING_WORDS = {"committed": "impegnato", "spent": "speso"}
"""The consuntivo's columns of a euro source in the download: «Fonte – impegnato», «– speso»."""
SPENDING_NOTE = "Note del consuntivo"
DATE_FORMAT = "DD/MM/YYYY"


def xlsx_file(subject: Subject) -> bytes:
    """The subject's project table as .xlsx (the export format «xlsx»)."""
    return xlsx_bytes(export_table(subject.plan), tables.money_columns(subject.plan))


def csv_file(subject: Subject) -> bytes:
    """The subject's project table as CSV (the export format «csv»)."""
    return csv_bytes(export_table(subject.plan))


def export_table(plan: Plan) -> pd.DataFrame:
    """The project table to download: fixed columns, how many items are done and planned («N.
    attività realizzate», «N. ipotesi di lavoro»), notes, referente and scadenza (a date), one
    column per source (amounts as numbers, yes/no sources as 'Sì' / 'No'); with a consuntivo,
    then «Fonte – impegnato» and «Fonte – speso» per euro source. ``attrs["money"]`` names the
    columns in euro beyond the sources (``xlsx_bytes`` formats them)."""
    matrix = plan.status_matrix().set_index("id")
    projects = plan.projects.set_index("id")
    table = pd.DataFrame(index=projects.index)
    for key in EXPORT_COLUMNS:
        if key == "id":
            continue
        source = matrix if key in matrix.columns else projects
        table[key] = source[key]
    table["notes"] = projects["notes"]
    table["owner"] = projects["owner"]
    table["due"] = projects["due"]
    for name in plan.source_names:
        if name in plan.number_sources:
            table[name] = matrix[name].astype(float)
        else:
            table[name] = matrix[name].map({True: YES, False: NO})
    spent = _spending_columns(plan, table.index) if plan.has_spending else {}
    for header, values in spent.items():
        table[header] = values
    if plan.has_spending:
        table[SPENDING_NOTE] = _spending_notes(plan, table.index)
    table = table.reset_index().rename(columns=EXPORT_HEADERS)
    table.attrs["money"] = list(spent)
    return table


def _spending_columns(plan: Plan, ids: pd.Index) -> dict[str, list[float]]:
    """«Fonte – impegnato» and «Fonte – speso» per euro source, in project order (0 when the
    project has no row of «Consuntivo» for it)."""
    rows = plan.spending.groupby(["project", "source"])[list(SPENDING_WORDS)].sum()
    out: dict[str, list[float]] = {}
    for name in plan.amount_sources:
        for column, word in SPENDING_WORDS.items():
            values = rows[column].to_dict()
            out[f"{name} – {word}"] = [float(values.get((pid, name), 0.0)) for pid in ids]
    return out


def _spending_notes(plan: Plan, ids: pd.Index) -> list[str]:
    """Per project, the notes of its rows of «Consuntivo»: «Fonte: nota; ...»."""
    notes: dict[str, list[str]] = {}
    for project, source, note in plan.spending[["project", "source", "note"]].itertuples(
        index=False
    ):
        if str(note or "").strip():
            notes.setdefault(project, []).append(f"{source}: {note}")
    return ["; ".join(notes.get(pid, [])) for pid in ids]


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet could read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _plain_number(value: object) -> str | int | float | bool | dt.date | None:
    """Whole floats as ints ('5000', not '5000.0'); numbers, texts, booleans and None unchanged;
    anything else as its text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, str | int | float | bool | dt.date):
        return value
    return str(value)


def csv_bytes(table: pd.DataFrame) -> bytes:
    """CSV for Italian spreadsheets: ';' separated, decimal comma, UTF-8 with BOM, protected."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_cell(str(c)) for c in table.columns])
    for row in table.itertuples(index=False):
        writer.writerow([_csv_value(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value: object) -> object:
    value = _plain_number(value)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return fmt.number(value, decimals=2).replace(".", "")  # '1234,5' (no thousands dots)
    return safe_cell(value)


def xlsx_bytes(table: pd.DataFrame, money: list[str], sheet: str = "Progetti") -> bytes:
    """The table as an .xlsx: header row, money columns in euros the Italian way in any locale
    (fmt.SPREADSHEET_MONEY, as in the PPTX), text never a formula."""
    book = Workbook()
    ws = book.active
    assert isinstance(ws, Worksheet), "a new workbook has one worksheet"
    ws.title = sheet
    money = [*money, *table.attrs.get("money", [])]
    header_fill = PatternFill("solid", fgColor="1F4E79")
    for c, name in enumerate(table.columns, start=1):
        cell = ws.cell(row=1, column=c, value=str(name))
        cell.data_type = "s"
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        width = max([len(str(name))] + [len(str(v)) for v in table[name].head(200)])
        ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)
    for r, row in enumerate(table.itertuples(index=False), start=2):
        for c, (name, value) in enumerate(zip(table.columns, row, strict=True), start=1):
            value = _plain_number(value)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a text starting with '=' stays text, never a formula
            if name in money:
                cell.number_format = fmt.SPREADSHEET_MONEY
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
