"""Problems found in a workbook: severity, where (as Excel shows it) and an Italian message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from openpyxl.utils import get_column_letter

from coopplan import fmt


class Severity(StrEnum):
    ERROR = "errore"  # blocks publishing
    WARNING = "avviso"  # informs


@dataclass(frozen=True)
class Problem:
    severity: Severity
    message: str  # Italian: what is wrong and how to fix it
    sheet: str = ""
    row: int | None = None  # 1-based, as in Excel
    column: int | None = None  # 1-based, as in Excel
    count: int = 1  # how many problems this stands for (a notice for the unlisted ones: many)

    @property
    def cell(self) -> str:
        """'Progetti!F7', 'Progetti!1:1' (a row), 'Progetti!F:F' (a column), 'Progetti' or ''."""
        if not self.sheet:
            return ""
        letter = get_column_letter(self.column) if self.column else ""
        if self.row and letter:
            return f"{self.sheet}!{letter}{self.row}"
        if self.row:
            return f"{self.sheet}!{self.row}:{self.row}"  # a whole row, as Excel writes it
        if letter:
            return f"{self.sheet}!{letter}:{letter}"
        return self.sheet

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.cell}: " if self.cell else ""
        return f"{self.severity.value.upper()} {where}{self.message}"


def error(
    message: str, sheet: str = "", row: int | None = None, column: int | None = None
) -> Problem:
    return Problem(Severity.ERROR, message, sheet, row, column)


def warning(
    message: str, sheet: str = "", row: int | None = None, column: int | None = None
) -> Problem:
    return Problem(Severity.WARNING, message, sheet, row, column)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.is_error for p in problems)


def summary(problems: list[Problem]) -> str:
    """'3 errori impediscono la pubblicazione, 2 avvisi' (Italian, for the page and the CLI)."""
    errors = sum(p.count for p in problems if p.is_error)
    warnings = sum(p.count for p in problems if not p.is_error)
    if not problems:
        return "Nessun problema trovato."
    parts = []
    if errors:
        verb = "impedisce" if errors == 1 else "impediscono"
        parts.append(f"{fmt.count(errors, 'errore', 'errori')} {verb} la pubblicazione")
    if warnings:
        parts.append(fmt.count(warnings, "avviso", "avvisi"))
    return ", ".join(parts)
