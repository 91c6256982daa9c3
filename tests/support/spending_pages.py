"""Helpers shared by tests (from test_spending_pages.py): EXAMPLE, EXAMPLE_TODAY, ROOT, SCADENZE, example, example_file, moved_to_today, tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from coopplan import load_plan
from coopplan.plan import Plan
from coopplan.text import shown_text
from coopplan.workbook.writer import write_workbook
from support.paths import ROOT
from ui import data as ui_data

EXAMPLE = ROOT / "data" / "esempio_consuntivo.xlsx"


EXAMPLE_TODAY = dt.date(2026, 12, 6)


SCADENZE = "app_pages/scadenze.py"


def moved_to_today(plan: Plan) -> Plan:
    """The example with its scadenze, assembly and version date moved so that the real today
    is, for it, 6 December 2026 (the day its figures were chosen for)."""
    shift = dt.date.today() - EXAMPLE_TODAY
    projects = plan.projects.copy()
    projects["due"] = [d + shift if d is not None else None for d in projects["due"]]
    meta = replace(
        plan.meta,
        version_date=plan.meta.version_date + shift,
        next_assembly=plan.meta.next_assembly + shift,
    )
    return replace(plan, meta=meta, projects=projects)


@pytest.fixture(scope="module")
def example_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("esempio") / "esempio.xlsx"
    write_workbook(moved_to_today(load_plan(EXAMPLE).plan), path)
    return path


@pytest.fixture
def example(example_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(ui_data.WORKBOOK_ENV, str(example_file))
    return example_file


def tables(at) -> list:  # at: an AppTest
    """The page's st.table frames as a reader sees them (escapes of data undone)."""
    out = []
    for element in at.table:
        frame = element.value.map(lambda v: shown_text(v) if isinstance(v, str) else v)
        frame.index = frame.index.map(lambda v: shown_text(v) if isinstance(v, str) else v)
        out.append(frame)
    return out
