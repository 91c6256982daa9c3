"""Source kinds: a third kind, registered in one place (the fixture below), flows through
reading, totals, charts, slides and exports; an unknown kind fails loudly."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import replace

import pandas as pd
import pytest
from pptx import Presentation
from support.variants import as_bytes, shipped

from coopplan import charts, kinds, load_plan, slides, tables
from coopplan.export.handout import handout_pptx
from coopplan.export.jsonplan import plan_from_dict, plan_to_dict
from coopplan.export.pptx import deck_to_pptx
from coopplan.kinds import Keeps, KindRules, UnknownKindError
from coopplan.plan import Plan
from coopplan.store.model import Version

HOURS = "hours"
SOURCE = "Ore di volontariato"


@pytest.fixture
def hours_kind(monkeypatch: pytest.MonkeyPatch) -> str:
    """The test-only kind: hours of work per project, summed, not money. The only place that
    says anything about it."""
    monkeypatch.setitem(
        kinds.RULES,
        HOURS,
        KindRules(
            kind=HOURS,
            label="Ore",
            keeps=Keeps.NUMBER,
            unit=("ora", "ore"),
            per_track="Ore per pista",
            about="ore di lavoro",
            column_help="ore di lavoro",
            timeline="Ore di lavoro per fonte",
        ),
    )
    return HOURS


def with_hours(plan: Plan, hours: dict[str, float]) -> Plan:
    """The plan with one more source of kind «hours» (project id -> hours)."""
    sources = pd.concat(
        [plan.sources, pd.DataFrame([{"name": SOURCE, "kind": HOURS, "description": "Ore."}])],
        ignore_index=True,
    )
    rows = [
        {"project": pid, "source": SOURCE, "amount": hours.get(pid, 0.0), "flag": False}
        for pid in plan.projects["id"]
    ]
    funding = pd.concat([plan.funding, pd.DataFrame(rows)], ignore_index=True)
    return replace(plan, sources=sources, funding=funding.astype({"amount": float, "flag": bool}))


@pytest.fixture
def hours_plan(hours_kind: str) -> Plan:
    """The shipped plan plus the hours source, written to a workbook and read back."""
    ids = list(shipped().projects["id"])
    made = with_hours(shipped(), {ids[0]: 100.0, ids[1]: 20.0})
    result = load_plan(as_bytes(made), name="ore.xlsx")
    assert result.ok and result.plan is not None, [p.message for p in result.problems]
    return result.plan


def test_a_third_kind_is_read_and_totalled_in_its_unit(hours_plan: Plan) -> None:
    plan = hours_plan
    assert plan.kind_of(SOURCE) == HOURS
    ids = list(plan.projects["id"])
    assert plan.funding_of(ids[0])[SOURCE] == 100.0
    totals = plan.source_totals().set_index("source")
    assert totals.loc[SOURCE, "total"] == 120.0 and totals.loc[SOURCE, "projects"] == 2
    assert kinds.format_total(HOURS, 120.0) == "120 ore"
    assert kinds.format_value(HOURS, 1.0) == "1 ora"
    card = plan.project(ids[0])
    assert f"{SOURCE} 100 ore" in slides.funding_words(card)
    # never counted as a tick, never added to the euros
    assert SOURCE not in plan.flag_sources and SOURCE not in plan.amount_sources
    assert SOURCE in plan.number_sources
    track_table = tables.track_source_table(plan)
    assert track_table.loc["Totale", SOURCE] == "120 ore"
    assert track_table.loc["Totale", "Risorse interne"] == "15 progetti"  # ticks unchanged


def test_a_third_kind_keeps_the_euro_charts_in_euro(hours_plan: Plan) -> None:
    before = charts.budget_by_track(shipped())
    after = charts.budget_by_track(hours_plan)
    assert [bar.name for bar in after.data] == [bar.name for bar in before.data]
    assert [bar.x for bar in after.data] == [bar.x for bar in before.data]
    names = list(charts.source_totals(hours_plan).data[0].x)
    assert SOURCE not in names and names


def test_a_third_kind_has_its_slide_and_exports(hours_plan: Plan) -> None:
    deck = slides.build_deck(hours_plan)
    mine = [s for s in deck if s.kind == "source" and s.title == SOURCE]
    assert mine, "the hours source has its own slide"
    chart = mine[0].chart
    assert chart is not None and chart.title == "Ore per pista" and not chart.money
    assert sum(chart.series[0].values) == 120.0
    assert "ore di lavoro" in mine[0].subtitle
    assert mine[0].blocks[0].heading == f"{SOURCE}: 120 ore in 2 progetti"
    project_lines = mine[0].blocks[1].columns[0].lines
    assert any(line.endswith(": 100 ore") for line in project_lines)

    pptx_text = _pptx_text(deck_to_pptx(deck))
    assert "Ore per pista" in pptx_text and f"{SOURCE}: 120 ore in 2 progetti" in pptx_text
    handout_text = _pptx_text(handout_pptx(hours_plan))
    assert "120 ore" in handout_text

    data = plan_to_dict(hours_plan)
    source = next(s for s in data["funding_sources"] if s["name"] == SOURCE)
    assert (source["kind"], source["total"], source["projects"]) == (HOURS, 120, 2)
    back = plan_from_dict(json.loads(json.dumps(data)))
    assert back.source_totals().set_index("source").loc[SOURCE, "total"] == 120.0


def test_an_unknown_kind_fails_loudly() -> None:
    with pytest.raises(UnknownKindError):
        kinds.format_total("hours", 3.0)  # not registered outside the fixture
    plan = with_hours(shipped(), {})
    with pytest.raises(UnknownKindError):
        plan.source_totals()
    with pytest.raises(UnknownKindError):
        plan.project(str(plan.projects["id"].iloc[0]))


def test_the_workbook_keeps_the_words_of_the_two_kinds() -> None:
    assert kinds.labels() == {"amount": "Importo", "flag": "Sì/No"}
    assert [str(k) for k in kinds.SourceKind] == ["amount", "flag"]
    assert kinds.format_total(kinds.SourceKind.AMOUNT, 41000) == "41.000 €"
    assert kinds.format_total(kinds.SourceKind.FLAG, 15) == "15 progetti"
    assert kinds.format_value(kinds.SourceKind.FLAG, True) == "Sì"


def _pptx_text(data: bytes) -> str:
    shown = []
    for page in Presentation(io.BytesIO(data)).slides:
        for shape in page.shapes:
            if shape.has_text_frame:
                shown.append(shape.text_frame.text)
            if shape.has_table:
                shown += [cell.text for row in shape.table.rows for cell in row.cells]
            if shape.has_chart and shape.chart.has_title:
                shown.append(shape.chart.chart_title.text_frame.text)
    return "\n".join(shown)


def test_a_third_kind_changes_are_said_in_its_words_everywhere(hours_plan: Plan) -> None:
    """Issue 20 §3: a change of the hours goes through the diff, «Dall'ultima assemblea», the
    per-pista comparison and «Cronologia» with the kind's own words and units, never as
    «I progetti con … sono passati da 100 a 140»."""
    from coopplan.diff import diff_plans
    from coopplan.since import since_report
    from coopplan.timeline import build, describe

    ids = list(hours_plan.projects["id"])
    more = with_hours(shipped(), {ids[0]: 100.0, ids[1]: 60.0})
    assert kinds.change_sentence(HOURS, SOURCE, 120, 160) == (
        f"Il totale di {SOURCE} è salito di 40 ore, da 120 ore a 160 ore"
    )
    diff = diff_plans(hours_plan, more)
    assert f"{SOURCE}: +40 ore (da 120 ore a 160 ore)." in diff.sentences()
    track = hours_plan.track_title(str(hours_plan.projects["track"].iloc[1]))
    per_track = [d for d in diff.by_track if d.source == SOURCE]
    assert [(d.shown(d.old), d.shown(d.new), d.shown_difference) for d in per_track] == [
        ("120 ore", "160 ore", "+40 ore")
    ] and track in per_track[0].where

    report = since_report(hours_plan, more, "Dall'assemblea del 14 marzo 2026")
    title = hours_plan.project(ids[1]).title
    assert report.sentences() == [
        f"Dall'assemblea del 14 marzo 2026, il totale di {SOURCE} è salito di 40 ore, "
        f"da 120 ore a 160 ore: {title}, 20 → 60 ore."
    ]

    versions = [_version(1), _version(2)]
    timeline = build(versions, [describe(hours_plan, None), describe(more, hours_plan)])
    assert timeline.kinds == ["amount", "flag", HOURS]
    assert list(timeline.of_kind(HOURS)["total"]) == [120.0, 160.0]
    assert kinds.timeline_title(HOURS) == "Ore di lavoro per fonte"
    fig = charts.timeline_totals(timeline, HOURS, {SOURCE: "#000000"})
    assert [trace.customdata[1][1] for trace in fig.data] == ["160 ore"]
    assert SOURCE not in set(timeline.amounts["source"]) | set(timeline.flags["source"])
    assert f"{SOURCE}: +40 ore (da 120 ore a 160 ore)." in timeline.changes_text(2)


def test_the_help_of_tipo_lists_every_kind(hours_kind: str) -> None:
    assert kinds.tipo_help() == (
        "Importo (somme in euro), Sì/No (risorsa indicata con una spunta) oppure Ore (ore di "
        "lavoro)."
    )


def _version(number: int) -> Version:
    when = dt.datetime(2026, 3, number, 10, tzinfo=dt.UTC)
    return Version(number=number, time=when, editor="Test", note="", year=2023, sha256="0" * 64)
