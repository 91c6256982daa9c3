"""Plan -> workbook -> plan gives the same plan, for generated plans; and the JSON contract."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopplan import load_plan
from coopplan.export.jsonplan import plan_from_dict, plan_to_dict
from coopplan.plan import Plan
from coopplan.workbook.cells import EMPTY_MARKS
from coopplan.workbook.schema import PROGETTI, STATUSES, normalize_header
from coopplan.workbook.writer import template_plan, workbook_bytes

ALPHABET = st.characters(
    whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters=" .,'&()€àèéìòùÀÈ-/?"
)
FIXED_HEADERS = {normalize_header(c.header) for c in PROGETTI.columns}


def words(min_size: int = 1, max_size: int = 30) -> st.SearchStrategy[str]:
    return (
        st.text(ALPHABET, min_size=min_size, max_size=max_size)
        .map(lambda s: " ".join(s.split()))
        .filter(lambda s: s not in EMPTY_MARKS and s[0] not in "-")
    )


def distinct(strategy: st.SearchStrategy[str], size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(strategy, min_size=size, max_size=size, unique_by=normalize_header)


@st.composite
def plan_dicts(draw: st.DrawFn) -> dict:
    codes = draw(distinct(words(1, 6), draw(st.integers(1, 5))))
    names = draw(
        distinct(
            words(3, 20).filter(lambda n: normalize_header(n) not in FIXED_HEADERS),
            draw(st.integers(1, 4)),
        )
    )
    kinds = draw(
        st.lists(st.sampled_from(["amount", "flag"]), min_size=len(names), max_size=len(names))
    )
    sources = [
        {"name": n, "kind": k, "description": draw(st.just("") | words())}
        for n, k in zip(names, kinds, strict=True)
    ]
    amounts = st.integers(0, 10_000_000).map(lambda cents: cents / 100)
    projects = []
    for number in range(draw(st.integers(0, 12))):
        funding = {
            s["name"]: draw(st.booleans()) if s["kind"] == "flag" else draw(amounts)
            for s in sources
        }
        projects.append(
            {
                "id": f"X-{number:03d}",
                "track": draw(st.sampled_from(codes)),
                "group": draw(words()),
                "title": draw(words()),
                "subtitle": draw(st.just("") | words()),
                "budget_line": draw(st.just("") | words()),
                "status": draw(st.sampled_from(STATUSES)),
                "done": draw(st.lists(words(), max_size=3)),
                "planned": draw(st.lists(words(), max_size=3)),
                "funding": funding,
                "notes": draw(st.just("") | words()),
            }
        )
    return {
        "plan": {
            "title": draw(words()),
            "organization": draw(words()),
            "year": draw(st.integers(2000, 2100)),
            "version_date": draw(st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1))).isoformat(),
        },
        "funding_sources": sources,
        "tracks": [
            {
                "code": c,
                "title": draw(words()),
                "alt_title": draw(st.just("") | words()),
                "lines_of_work": [
                    {"title": draw(words()), "description": draw(words(0, 80))}
                    for _ in range(draw(st.integers(0, 3)))
                ],
            }
            for c in codes
        ],
        "projects": projects,
    }


def assert_same_plan(a: Plan, b: Plan) -> None:
    assert a.meta == b.meta
    for table in ("tracks", "lines", "sources", "projects", "items", "funding"):
        left, right = getattr(a, table), getattr(b, table)
        assert left.reset_index(drop=True).equals(right.reset_index(drop=True)), (
            table,
            left,
            right,
        )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan_dicts())
def test_workbook_round_trip(data: dict) -> None:
    plan = plan_from_dict(data)
    result = load_plan(workbook_bytes(plan))
    assert result.ok, [str(p) for p in result.problems]
    assert_same_plan(plan, result.plan)


@settings(max_examples=40, deadline=None)
@given(plan_dicts())
def test_json_round_trip(data: dict) -> None:
    plan = plan_from_dict(data)
    assert_same_plan(plan, plan_from_dict(plan_to_dict(plan)))


def test_json_contract_on_the_shipped_plan(shipped_bytes: bytes) -> None:
    exported = plan_to_dict(load_plan(shipped_bytes).plan)
    assert set(exported) >= {"plan", "funding_sources", "tracks", "projects"}
    assert set(exported["plan"]) >= {"title", "organization", "year", "version_date"}
    totals = {s["name"]: s["total"] for s in exported["funding_sources"]}
    assert totals == {
        "Risorse Coop Re-Start": 25000,
        "Oneri di funzionamento": 41000,
        "Risorse interne": 15,
    }
    assert {s["kind"] for s in exported["funding_sources"]} == {"amount", "flag"}
    project = exported["projects"][0]
    assert set(project) >= {
        "id",
        "track",
        "group",
        "title",
        "budget_line",
        "status",
        "done",
        "planned",
        "funding",
        "notes",
    }
    assert project["track"] in {t["code"] for t in exported["tracks"]}
    assert project["funding"]["Risorse interne"] is True
    assert all(len(t["lines_of_work"]) == 4 for t in exported["tracks"])


def test_template_is_an_empty_plan_in_the_same_format(shipped_bytes: bytes) -> None:
    plan = load_plan(shipped_bytes).plan
    result = load_plan(workbook_bytes(template_plan(plan)))
    assert result.plan is not None
    assert result.plan.projects.empty
    assert result.plan.source_names == plan.source_names
    assert not result.errors or all(
        "Titolo" in p.message or "Organizzazione" in p.message for p in result.errors
    )
