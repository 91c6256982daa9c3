"""Plan <-> JSON-ready dict (the export contract documented in docs/formato-json.md).

The same shape is the source of the shipped workbook (data/source/piano_2023.json), so the
transcription of the slides is reviewed as text and turned into .xlsx by the writer.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from coopplan import kinds
from coopplan.plan import TABLE_COLUMNS, Plan, PlanMeta

if TYPE_CHECKING:
    from coopplan.export.formats import Subject


def json_file(subject: Subject) -> bytes:
    """The plan as UTF-8 JSON text (the export format «json»)."""
    text = json.dumps(plan_to_dict(subject.plan), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    totals = plan.source_totals().set_index("source")
    spent = plan.spending_by_source().set_index("source") if plan.has_spending else None
    return {
        "plan": {
            "title": plan.meta.title,
            "organization": plan.meta.organization,
            "year": plan.meta.year,
            "version_date": _iso(plan.meta.version_date),
            "next_assembly": _iso(plan.meta.next_assembly),
            "has_spending": plan.has_spending,
        },
        "funding_sources": [
            {
                "name": s["name"],
                "kind": s["kind"],
                "description": s["description"],
                "total": _number(totals.loc[s["name"], "total"]),
                "projects": int(totals.loc[s["name"], "projects"]),
                **_source_spending(spent, s["name"]),
            }
            for s in plan.sources.to_dict("records")
        ],
        "tracks": [
            {
                "code": t["code"],
                "title": t["title"],
                "alt_title": t["alt_title"],
                "lines_of_work": [
                    {"title": line["title"], "description": line["description"]}
                    for line in plan.lines.loc[plan.lines["track"] == t["code"]].to_dict("records")
                ],
            }
            for t in plan.tracks.to_dict("records")
        ],
        "projects": [_project(plan, p) for p in plan.projects.to_dict("records")],
    }


def _project(plan: Plan, project: dict[str, Any]) -> dict[str, Any]:
    card = plan.project(project["id"])
    funding = {
        f.source: (_number(f.value) if not isinstance(f.value, bool) else f.value)
        for f in card.funding
    }
    return {
        "id": project["id"],
        "track": project["track"],
        "group": project["group"],
        "title": project["title"],
        "subtitle": project["subtitle"],
        "budget_line": project["budget_line"],
        "status": project["status"],
        "done": list(card.done),
        "planned": list(card.planned),
        "funding": funding,
        "notes": project["notes"],
        "owner": project["owner"],
        "due": _iso(project["due"]),
        "spending": {
            s.source: {"committed": _number(s.committed), "spent": _number(s.spent), "note": s.note}
            for s in _entered(plan, project["id"])
        },
    }


def _entered(plan: Plan, project_id: str) -> list[Any]:
    """The rows of «Consuntivo» of a project (not the zeros of a source planned without one)."""
    rows = plan.spending.loc[plan.spending["project"] == project_id, "source"]
    return [s for s in plan.project(project_id).spending if s.source in set(rows)]


def _source_spending(spent: Any, name: str) -> dict[str, Any]:
    """A euro source's committed and spent totals, when the plan has a consuntivo."""
    if spent is None or name not in spent.index:
        return {}
    return {
        "committed": _number(spent.loc[name, "committed"]),
        "spent": _number(spent.loc[name, "spent"]),
    }


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


def _number(value: float) -> int | float:
    """Whole euros as int in JSON (25000, not 25000.0)."""
    return int(value) if float(value).is_integer() else float(value)


def plan_from_dict(data: dict[str, Any]) -> Plan:
    """Build a Plan from the export shape (extra keys ignored, optional keys default to '')."""
    meta = data["plan"]
    version = meta.get("version_date")
    sources = [
        {"name": s["name"], "kind": s["kind"], "description": s.get("description", "")}
        for s in data["funding_sources"]
    ]
    source_kinds = {s["name"]: s["kind"] for s in sources}
    tracks, lines, projects, items, funding, spending = [], [], [], [], [], []
    for track in data["tracks"]:
        tracks.append(
            {
                "code": track["code"],
                "title": track["title"],
                "alt_title": track.get("alt_title", ""),
            }
        )
        for line in track.get("lines_of_work", []):
            lines.append(
                {
                    "track": track["code"],
                    "title": line["title"],
                    "description": line.get("description", ""),
                }
            )
    for p in data["projects"]:
        projects.append({c: p.get(c, "") or "" for c in TABLE_COLUMNS["projects"]})
        projects[-1]["due"] = _date(p.get("due"))
        for name, given_spending in (p.get("spending") or {}).items():
            spending.append(
                {
                    "project": p["id"],
                    "source": name,
                    "committed": float(given_spending.get("committed", 0) or 0),
                    "spent": float(given_spending.get("spent", 0) or 0),
                    "note": given_spending.get("note", "") or "",
                }
            )
        items += [{"project": p["id"], "kind": "done", "text": t} for t in p.get("done", [])]
        items += [{"project": p["id"], "kind": "planned", "text": t} for t in p.get("planned", [])]
        given = p.get("funding", {})
        for name, kind in source_kinds.items():
            amount, flag = kinds.row_values(kind, given.get(name))
            funding.append({"project": p["id"], "source": name, "amount": amount, "flag": flag})
    return Plan.from_records(
        PlanMeta(
            title=meta["title"],
            organization=meta["organization"],
            year=int(meta["year"]),
            version_date=_date(version),
            next_assembly=_date(meta.get("next_assembly")),
        ),
        tracks=tracks,
        lines=lines,
        sources=sources,
        projects=projects,
        items=items,
        funding=funding,
        spending=spending,
    )


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None
