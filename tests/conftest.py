"""Shared fixtures: the shipped workbook, and workbooks edited cell by cell."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "piano_2023.xlsx"

Edit = Callable[[openpyxl.Workbook], None]


@pytest.fixture(autouse=True)
def _private_store(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own empty version store (COOPPLAN_STORE), never the project's store/:
    the dashboard reads the plan in force from it. A test may point it elsewhere itself."""
    monkeypatch.setenv("COOPPLAN_STORE", str(tmp_path_factory.mktemp("store")))


@pytest.fixture(autouse=True)
def _hall_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The QR codes' address is a loopback one: checking that it answers (coopplan.hall.links) sends
    nothing past 127.0.0.0/8."""
    monkeypatch.setenv("COOPPLAN_LAN_ADDRESS", "127.0.0.1")


@pytest.fixture(scope="session")
def shipped_bytes() -> bytes:
    return SHIPPED.read_bytes()


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


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The address of a throwaway PostgreSQL server for the session (see tests/pg.py)."""
    from pg import cluster

    with cluster() as url:
        yield url
