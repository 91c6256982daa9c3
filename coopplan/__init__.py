"""coopplan: the core of the work-plan dashboard (no streamlit here).

Importing the package is light: ``Plan``, ``load_plan`` and the other names below are imported
from their module on first use (``from coopplan import load_plan`` loads the reader then).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coopplan.plan import Plan, PlanMeta
    from coopplan.workbook.problems import Problem, Severity
    from coopplan.workbook.reader import LoadResult, load_plan

_HOMES = {
    "LoadResult": "coopplan.workbook.reader",
    "load_plan": "coopplan.workbook.reader",
    "Plan": "coopplan.plan",
    "PlanMeta": "coopplan.plan",
    "Problem": "coopplan.workbook.problems",
    "Severity": "coopplan.workbook.problems",
}

__all__ = ["LoadResult", "Plan", "PlanMeta", "Problem", "Severity", "load_plan"]


def __getattr__(name: str) -> object:
    """The public names of ``__all__``, imported from their module when first asked for."""
    if name not in _HOMES:
        raise AttributeError(f"module 'coopplan' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
