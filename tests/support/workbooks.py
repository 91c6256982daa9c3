"""Workbooks edited cell by cell from the shipped one (openpyxl), for tests of what a change shows."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl

from support.paths import SHIPPED

Edit = Callable[[openpyxl.Workbook], None]


def edited_workbook(edit: Edit, base: Path = SHIPPED) -> bytes:
    """The shipped workbook with ``edit`` applied through openpyxl, as bytes."""
    book = openpyxl.load_workbook(base)
    edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def column_of(sheet: openpyxl.worksheet.worksheet.Worksheet, header: str) -> int:
    """1-based index of the column whose header is ``header`` (row 1)."""
    for cell in sheet[1]:
        if cell.value == header:
            return cell.column
    raise KeyError(header)
