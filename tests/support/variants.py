"""Hand-made variants of the shipped plan, as Plans and as workbook bytes (store, diff, page tests).

Every helper returns a new Plan; ``as_bytes`` writes it with the core's writer, so the workbook
has exactly the shipped format.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import pandas as pd

from coopplan import Plan, load_plan
from coopplan.workbook.writer import workbook_bytes
from support.paths import SHIPPED

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


MARKER = "PAYLOAD"  # every hostile text contains it, so a test can find where it shows


def hostile_text(label: str, url: str, *, bidi: bool = True) -> str:
    """A text that would be a heading, an image, a link, a colour, a formula, HTML, bold and an
    icon if the app read it as Markdown or HTML; ``url`` is where an image or link would lead;
    U+202E (right-to-left override) is removed by the reader with a warning (not in a source's
    name, which must also match its column header in Progetti)."""
    return (
        f"# {MARKER} {label} ![x]({url}/img.png) [testo]({url}/link) :red[rosso] $x^2$ "
        f"<img src={url}/tag.png> **bold** :material/home: " + ("\u202efine" if bidi else "fine")
    )


def hostile(plan: Plan, url: str) -> Plan:
    """``plan`` with every text a reader sees (plan title and organisation, piste, filoni,
    sources, project titles, groups, subtitles, notes, budget lines, activities) made hostile;
    IDs and codes stay, so the workbook is still valid."""
    names = {
        name: hostile_text(f"fonte {i}", url, bidi=False)
        for i, name in enumerate(plan.source_names)
    }
    tracks = plan.tracks.copy()
    tracks["title"] = [hostile_text(f"pista {i}", url) for i in range(len(tracks))]
    tracks["alt_title"] = [hostile_text(f"alt {i}", url) for i in range(len(tracks))]
    lines = plan.lines.copy()
    for field in ("title", "description"):
        lines[field] = [hostile_text(f"filone {field} {i}", url) for i in range(len(lines))]
    sources = plan.sources.copy()
    sources["name"] = sources["name"].map(names)
    funding = plan.funding.copy()
    funding["source"] = funding["source"].map(names)
    projects = plan.projects.copy()
    for field in ("title", "group", "subtitle", "notes", "budget_line"):
        projects[field] = [hostile_text(f"{field} {i}", url) for i in range(len(projects))]
    items = plan.items.copy()
    items["text"] = [hostile_text(f"attività {i}", url) for i in range(len(items))]
    meta = replace(
        plan.meta,
        title=hostile_text("titolo", url),
        organization=hostile_text("organizzazione", url),
    )
    return replace(
        plan,
        meta=meta,
        tracks=tracks,
        lines=lines,
        sources=sources,
        funding=funding,
        projects=projects,
        items=items,
    )
