"""Plan -> workbook: the editable .xlsx the secretary works on, and the empty template.

Everything about the layout (sheets, headers, widths, dropdowns, help texts) comes from
coopplan.workbook.schema, so the template and the shipped workbook always match what the reader expects.
"""

from __future__ import annotations

import datetime as dt
import io
import numbers
import os
from dataclasses import replace
from typing import BinaryIO

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from coopplan import kinds
from coopplan.plan import Plan, PlanMeta
from coopplan.workbook.schema import (
    ATTIVITA,
    CONSUNTIVO,
    DATE_META,
    FILONI,
    FONTI,
    ITEM_KINDS,
    META_FIELDS,
    NO,
    PIANO,
    PISTE,
    PROGETTI,
    README_SHEET,
    SHEETS,
    SOURCE_COLUMN_WIDTH,
    YES,
    Column,
    Kind,
    Sheet,
)

DATE_FORMAT = "DD/MM/YYYY"
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=16, color="1F4E79")
WRAP = Alignment(wrap_text=True, vertical="top")
SPARE_ROWS = 500  # dropdowns reach this many rows below the data, for new rows
FIXED_TIMESTAMP = dt.datetime(2023, 1, 1)  # same bytes for the same plan (reproducible builds)

Target = str | os.PathLike[str] | BinaryIO


def write_workbook(plan: Plan, target: Target) -> None:
    """Write the plan as an editable workbook (path or binary file object)."""
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new Workbook starts with
    _readme(book.create_sheet(README_SHEET), plan)
    _meta_sheet(book.create_sheet(PIANO.name), plan.meta)
    _rows_sheet(book.create_sheet(PISTE.name), PISTE, _records(plan.tracks))
    _rows_sheet(book.create_sheet(FILONI.name), FILONI, _records(plan.lines))
    sources = [{**s, "kind": kinds.label(s["kind"])} for s in _records(plan.sources)]
    _rows_sheet(book.create_sheet(FONTI.name), FONTI, sources)
    _projects_sheet(book.create_sheet(PROGETTI.name), plan)
    items = [{**i, "kind": ITEM_KINDS[i["kind"]]} for i in _records(plan.items)]
    _rows_sheet(book.create_sheet(ATTIVITA.name), ATTIVITA, items)
    _rows_sheet(book.create_sheet(CONSUNTIVO.name), CONSUNTIVO, _records(plan.spending))
    book.properties.creator = plan.meta.organization or "coopplan"
    book.properties.title = plan.meta.title
    book.properties.created = book.properties.modified = FIXED_TIMESTAMP
    book.save(target)


def workbook_bytes(plan: Plan) -> bytes:
    buffer = io.BytesIO()
    write_workbook(plan, buffer)
    return buffer.getvalue()


def restamped_bytes(plan: Plan, version_date: dt.date) -> bytes:
    """The workbook of ``plan`` with «Data versione» set to ``version_date`` (the page offers
    today's date when an upload's date is not newer than the version in force). The workbook
    is written afresh from the plan (same sheets as every workbook of coopplan.workbook.writer)."""
    return workbook_bytes(replace(plan, meta=replace(plan.meta, version_date=version_date)))


def template_plan(like: Plan | None = None) -> Plan:
    """An empty plan; with ``like``, it keeps that plan's piste and funding sources."""
    meta = PlanMeta(title="", organization="", year=dt.date.today().year, version_date=None)
    if like is None:
        return Plan(meta=meta)
    return Plan(meta=meta, tracks=like.tracks, sources=like.sources)


# Sheets ------------------------------------------------------------------------------------


def _readme(ws: Worksheet, plan: Plan) -> None:
    """The 'Leggimi' sheet: how to edit the workbook, generated from the schema."""
    lines: list[tuple[str, bool]] = [
        (f"Come compilare questo file{' – ' + plan.meta.title if plan.meta.title else ''}", True),
        ("", False),
        (
            "Questo file contiene il piano di lavoro. Modificalo in Excel o LibreOffice e caricalo "
            "nella pagina «Aggiorna il piano» della dashboard: prima della pubblicazione viene "
            "controllato e ti viene mostrato che cosa cambia.",
            False,
        ),
        (
            "Regole generali: non rinominare i fogli né le intestazioni delle colonne; una riga per "
            "elemento; non unire celle; scrivi valori, non formule; usa gli elenchi a discesa dove "
            "ci sono. Le righe vuote vengono ignorate.",
            False,
        ),
        (
            "Per aggiungere una fonte di finanziamento: aggiungi una riga nel foglio Fonti e una "
            "colonna con lo stesso nome nel foglio Progetti.",
            False,
        ),
        (
            "Il consuntivo (quanto è stato impegnato e speso) è facoltativo: finché il foglio "
            "Consuntivo non ha righe, la dashboard dice «Consuntivo non ancora inserito». Le "
            "colonne Referente e Scadenza dei progetti e il campo Prossima assemblea del piano "
            "servono alla pagina «Scadenze».",
            False,
        ),
        ("", False),
    ]
    for sheet in SHEETS:
        optional = " (facoltativo)" if sheet.optional else ""
        lines.append((f"Foglio «{sheet.name}»{optional}: {sheet.help}", True))
        for column in sheet.columns:
            need = "obbligatoria" if column.required else "facoltativa"
            allowed = f" Valori: {', '.join(column.choices)}." if column.choices else ""
            lines.append(
                (
                    f"  • {column.header} ({column.kind.value}, {need}): {column.help}{allowed}",
                    False,
                )
            )
        lines.append(("", False))
    for number, (text, bold) in enumerate(lines, start=1):
        cell = ws.cell(row=number, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            cell.font = TITLE_FONT if number == 1 else Font(bold=True)
    ws.column_dimensions["A"].width = 120


def _meta_sheet(ws: Worksheet, meta: PlanMeta) -> None:
    values = {
        "title": meta.title,
        "organization": meta.organization,
        "year": meta.year,
        "version_date": meta.version_date,
        "next_assembly": meta.next_assembly,
    }
    records = [{"field": META_FIELDS[k], "value": v} for k, v in values.items()]
    _rows_sheet(ws, PIANO, records)
    for key in DATE_META:
        date_row = list(values).index(key) + 2
        ws.cell(row=date_row, column=2).number_format = DATE_FORMAT
        ws.cell(row=date_row, column=2).alignment = Alignment(horizontal="left")
    year_row = list(values).index("year") + 2
    ws.cell(row=year_row, column=2).alignment = Alignment(horizontal="left")


def _rows_sheet(ws: Worksheet, sheet: Sheet, records: list[dict]) -> None:
    _header(ws, [(c.header, c.width) for c in sheet.columns])
    for r, record in enumerate(records, start=2):
        for c, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=r, column=c, value=_cell_value(record.get(column.key)))
            if column.width >= 40:
                cell.alignment = WRAP
    for c, column in enumerate(sheet.columns, start=1):
        _dropdown(ws, column, c, len(records))
        _typed_column(ws, column, c, len(records))


def _projects_sheet(ws: Worksheet, plan: Plan) -> None:
    fixed = PROGETTI.columns
    sources = _records(plan.sources)
    _header(
        ws,
        [(c.header, c.width) for c in fixed] + [(s["name"], SOURCE_COLUMN_WIDTH) for s in sources],
    )
    funding = plan.funding.set_index(["project", "source"])
    for r, project in enumerate(_records(plan.projects), start=2):
        for c, column in enumerate(fixed, start=1):
            ws.cell(row=r, column=c, value=_cell_value(project.get(column.key))).alignment = WRAP
        for c, source in enumerate(sources, start=len(fixed) + 1):
            key = (project["id"], source["name"])
            row = funding.loc[key] if key in funding.index else None
            cell = ws.cell(row=r, column=c)
            amount, flag = (row["amount"], row["flag"]) if row is not None else (0.0, False)
            cell.value = kinds.workbook_value(source["kind"], float(amount), bool(flag))
            number_format = kinds.workbook_format(source["kind"])
            if number_format:
                cell.number_format = number_format
            else:
                cell.alignment = Alignment(horizontal="center")
    count = len(plan.projects)
    for c, column in enumerate(fixed, start=1):
        _dropdown(ws, column, c, count)
        _typed_column(ws, column, c, count)
    for c, source in enumerate(sources, start=len(fixed) + 1):
        letter = get_column_letter(c)
        last = count + SPARE_ROWS + 1
        number_format = kinds.workbook_format(source["kind"])
        if number_format is None:
            _add_list(ws, f'"{YES},{NO}"', f"{letter}2:{letter}{last}", source["name"])
        else:
            for row in range(count + 2, last + 1):
                ws.cell(row=row, column=c).number_format = number_format
            money = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
            money.error = "Scrivi un importo in euro, zero o positivo (solo la cifra)."
            money.errorTitle = source["name"]
            money.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(money)


# Helpers -----------------------------------------------------------------------------------


def _header(ws: Worksheet, columns: list[tuple[str, int]]) -> None:
    for c, (title, width) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=c, value=title)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 32
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"


def _dropdown(ws: Worksheet, column: Column, index: int, count: int) -> None:
    if column.kind is not Kind.CHOICE:
        return
    letter = get_column_letter(index)
    cells = f"{letter}2:{letter}{count + SPARE_ROWS + 1}"
    if column.choices_from:
        sheet_name, key = column.choices_from.split(".")
        sheet = next(s for s in SHEETS if s.name == sheet_name)
        source_letter = get_column_letter([c.key for c in sheet.columns].index(key) + 1)
        ref = f"{quote_sheetname(sheet_name)}!${source_letter}$2:${source_letter}$5000"
        _add_list(ws, f"={ref}", cells, column.header)
    else:
        _add_list(ws, '"' + ",".join(column.choices) + '"', cells, column.header)


def _typed_column(ws: Worksheet, column: Column, index: int, count: int) -> None:
    """Money and date columns: the Italian number format down to the spare rows, and a check
    that Excel and LibreOffice make while typing (an amount zero or positive, a date)."""
    if column.kind not in (Kind.MONEY, Kind.DATE):
        return
    letter = get_column_letter(index)
    last = count + SPARE_ROWS + 1
    shown = kinds.WORKBOOK_MONEY if column.kind is Kind.MONEY else DATE_FORMAT
    for row in range(2, last + 1):
        ws.cell(row=row, column=index).number_format = shown
    if column.kind is Kind.MONEY:
        check = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        check.error = "Scrivi un importo in euro, zero o positivo (solo la cifra)."
    else:
        check = DataValidation(type="date", operator="greaterThan", formula1="1")
        check.error = "Scrivi una data nel formato gg/mm/aaaa, ad esempio 30/06/2023."
    check.allow_blank = True
    check.errorTitle = column.header
    check.add(f"{letter}2:{letter}{last}")
    ws.add_data_validation(check)


def _add_list(ws: Worksheet, formula: str, cells: str, title: str) -> None:
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.error = "Scegli un valore dall'elenco."
    validation.errorTitle = title
    validation.add(cells)
    ws.add_data_validation(validation)


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


def _cell_value(value: object) -> str | int | float | dt.date | None:
    """A plan value as openpyxl stores it: blank (None, NaN, "") as an empty cell."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool | dt.date):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return str(value)
