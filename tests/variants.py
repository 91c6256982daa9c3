"""Hand-made variants of the shipped plan, as Plans and as workbook bytes (store, diff, page tests).

Every helper returns a new Plan; ``as_bytes`` writes it with the core's writer, so the workbook
has exactly the shipped format.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import pandas as pd

from coopplan import Plan, load_plan
from coopplan.writer import workbook_bytes

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "piano_2023.xlsx"
COOP = "Risorse Coop Re-Start"  # amount source of the shipped plan (read from data in asserts)


@cache
def shipped() -> Plan:
    result = load_plan(SHIPPED)
    assert result.ok and result.plan is not None
    return result.plan


def as_bytes(plan: Plan) -> bytes:
    return workbook_bytes(plan)


def with_amount(plan: Plan, project: str, source: str, amount: float) -> Plan:
    funding = plan.funding.copy()
    mask = (funding["project"] == project) & (funding["source"] == source)
    assert mask.sum() == 1, (project, source)
    funding.loc[mask, "amount"] = float(amount)
    return replace(plan, funding=funding)


def with_project_field(plan: Plan, project: str, field: str, value: str) -> Plan:
    projects = plan.projects.copy()
    mask = projects["id"] == project
    assert mask.sum() == 1, project
    projects.loc[mask, field] = value
    return replace(plan, projects=projects)


def with_year(plan: Plan, year: int) -> Plan:
    return replace(plan, meta=replace(plan.meta, year=year))


def without_project(plan: Plan, project: str) -> Plan:
    keep = plan.projects["id"] != project
    return replace(
        plan,
        projects=plan.projects.loc[keep].reset_index(drop=True),
        items=plan.items.loc[plan.items["project"] != project].reset_index(drop=True),
        funding=plan.funding.loc[plan.funding["project"] != project].reset_index(drop=True),
    )


def with_new_project(plan: Plan, project_id: str, track: str, amount: float = 0.0) -> Plan:
    record = {
        "id": project_id,
        "track": track,
        "group": "NUOVO",
        "title": "Progetto nuovo",
        "subtitle": "",
        "budget_line": "",
        "status": "Da avviare",
        "notes": "",
    }
    projects = pd.concat([plan.projects, pd.DataFrame([record], dtype=object)], ignore_index=True)
    rows = [
        {
            "project": project_id,
            "source": name,
            "amount": amount if kind == "amount" and name == plan.amount_sources[0] else 0.0,
            "flag": False,
        }
        for name, kind in zip(plan.sources["name"], plan.sources["kind"], strict=True)
    ]
    funding = pd.concat(
        [plan.funding, pd.DataFrame(rows).astype({"amount": float, "flag": bool})],
        ignore_index=True,
    )
    return replace(plan, projects=projects, funding=funding)


def project_with_amount(plan: Plan, source: str) -> str:
    """The ID of the first project that the amount source pays for."""
    funded = plan.funded()
    return str(funded.loc[funded["source"] == source, "project"].iloc[0])


def with_stray_value(ref: str, sheet: str = "Progetti", value: str = "x") -> bytes:
    """The shipped workbook with one stray ``value`` in ``sheet!ref`` (e.g. "XFD20000"): a 22 KB
    file whose declared dimension reaches the sheet's last column (issue 9, "a stray value far
    away"). Written with openpyxl, as Excel would save it."""
    from io import BytesIO

    from openpyxl import load_workbook

    workbook = load_workbook(SHIPPED)
    workbook[sheet][ref] = value
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
