"""The diff on hand-made pairs of plans with known differences, and two years side by side."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from support.variants import (
    COOP,
    as_bytes,
    project_with_amount,
    shipped,
    with_amount,
    with_new_project,
    with_project_field,
    with_year,
    without_project,
)

from coopplan import load_plan
from coopplan.diff import MINUS, NOTHING_CHANGES, compare_years, diff_plans, signed_money


def first_track(plan) -> str:
    return plan.track_codes[0]


def test_signed_money_has_a_sign_and_italian_digits() -> None:
    assert signed_money(2500) == "+2.500 €"
    assert signed_money(-2500) == f"{MINUS}2.500 €" == "−2.500 €"
    assert signed_money(0) == "0 €"


def test_the_same_plan_changes_nothing() -> None:
    plan = shipped()
    diff = diff_plans(plan, plan)
    assert diff.unchanged
    assert diff.sentences() == [NOTHING_CHANGES]


def test_the_same_plan_through_a_workbook_changes_nothing() -> None:
    plan = shipped()
    again = load_plan(as_bytes(plan)).plan
    assert diff_plans(plan, again).unchanged


def test_an_amount_raised_by_2500_euro() -> None:
    plan = shipped()
    project = project_with_amount(plan, COOP)
    old_amount = plan.funding_of(project)[COOP]
    new = with_amount(plan, project, COOP, old_amount + 2500)
    diff = diff_plans(plan, new)
    assert [c.project.id for c in diff.changed] == [project]
    (change,) = diff.changed[0].changes
    assert change.field == COOP
    [by_source] = diff.by_source
    assert (by_source.source, by_source.shown_difference) == (COOP, "+2.500 €")
    assert by_source.shown(by_source.new) == "27.500 €"
    [by_track] = diff.by_track
    track = plan.projects.set_index("id").loc[project, "track"]
    assert by_track.where.startswith(track) and by_track.shown_difference == "+2.500 €"
    assert not (diff.added or diff.removed or diff.statuses)


def test_an_amount_lowered_shows_the_minus_sign() -> None:
    plan = shipped()
    project = project_with_amount(plan, COOP)
    old_amount = plan.funding_of(project)[COOP]
    diff = diff_plans(plan, with_amount(plan, project, COOP, old_amount - 2500))
    assert diff.by_source[0].shown_difference == "−2.500 €"
    assert any("−2.500 €" in s for s in diff.sentences())


def test_a_status_change_is_listed_with_before_and_after() -> None:
    plan = shipped()
    project = plan.projects.iloc[0]
    new_status = "Concluso" if project["status"] != "Concluso" else "In corso"
    diff = diff_plans(plan, with_project_field(plan, project["id"], "status", new_status))
    [status] = diff.statuses
    assert (status.project.id, status.old, status.new) == (
        project["id"],
        project["status"],
        new_status,
    )
    assert diff.changed[0].field_names == ["Stato"]
    assert not diff.by_source and not diff.by_track  # money did not move


def test_fields_changed_are_named_as_in_the_workbook() -> None:
    plan = shipped()
    pid = plan.projects.iloc[1]["id"]
    new = with_project_field(plan, pid, "title", "Titolo nuovo")
    new = with_project_field(new, pid, "notes", "Nota nuova")
    items = new.items.copy()
    items.loc[len(items)] = {"project": pid, "kind": "planned", "text": "Un'ipotesi in più"}
    diff = diff_plans(plan, replace(new, items=items))
    [change] = diff.changed
    assert change.field_names == ["Progetto", "Note sul budget", "Ipotesi di lavoro"]
    planned = change.changes[-1]
    assert planned.new == "Un'ipotesi in più"


def test_projects_added_and_removed() -> None:
    plan = shipped()
    gone = plan.projects.iloc[-1]["id"]
    new = with_new_project(without_project(plan, gone), "PX-99", first_track(plan), 4000)
    diff = diff_plans(plan, new)
    assert [p.id for p in diff.added] == ["PX-99"]
    assert [p.id for p in diff.removed] == [gone]
    first_amount_source = plan.amount_sources[0]
    delta = {d.source: d for d in diff.by_source}[first_amount_source]
    assert delta.difference == 4000.0 - sum(
        v for k, v in plan.funding_of(gone).items() if k == first_amount_source
    )


def test_piste_and_filoni_renamed() -> None:
    plan = shipped()
    tracks = plan.tracks.copy()
    tracks.loc[0, "title"] = "Quale ruolo vogliamo giocare"
    lines = plan.lines.copy()
    old_line = lines.loc[0, "title"]
    lines.loc[0, "title"] = "Identità e cultura cooperativa"
    other = lines.index[1]
    lines.loc[other, "description"] = "Un paragrafo riscritto."
    diff = diff_plans(plan, replace(plan, tracks=tracks, lines=lines))
    [track] = diff.tracks_renamed
    assert (track.where, track.new) == (plan.track_codes[0], "Quale ruolo vogliamo giocare")
    [line] = diff.lines_renamed
    assert (line.old, line.new) == (old_line, "Identità e cultura cooperativa")
    assert not diff.lines_added and not diff.lines_removed
    assert (
        len(diff.lines_described) == 1
        and plan.lines.loc[other, "title"] in (diff.lines_described[0])
    )
    assert any("rinominata" in s for s in diff.sentences())


def test_a_new_funding_source_and_a_new_year() -> None:
    plan = shipped()
    sources = pd.concat(
        [
            plan.sources,
            pd.DataFrame([{"name": "Fondo regionale", "kind": "amount", "description": ""}]),
        ],
        ignore_index=True,
    )
    extra = pd.DataFrame(
        [
            {"project": p, "source": "Fondo regionale", "amount": 1000.0, "flag": False}
            for p in plan.projects["id"][:3]
        ]
    )
    funding = pd.concat([plan.funding, extra], ignore_index=True)
    new = with_year(replace(plan, sources=sources, funding=funding), 2024)
    diff = diff_plans(plan, new)
    assert diff.sources_added == ("Fondo regionale",)
    assert [(c.field, c.old, c.new) for c in diff.meta] == [("Anno", "2023", "2024")]
    delta = {d.source: d for d in diff.by_source}["Fondo regionale"]
    assert delta.shown_difference == "+3.000 €"
    assert len(diff.changed) == 3
    assert all(c.field_names == ["Fondo regionale"] for c in diff.changed)


def test_two_years_side_by_side() -> None:
    plan = shipped()
    project = project_with_amount(plan, COOP)
    amount = plan.funding_of(project)[COOP]
    later = with_year(with_amount(plan, project, COOP, amount + 1000), 2024)
    by_source, by_track = compare_years([later, plan])  # any order: oldest first
    assert list(by_source.columns) == ["Fonte", "Tipo", "2023", "2024", "Variazione"]
    row = by_source.set_index("Fonte").loc[COOP]
    assert (row["2023"], row["2024"], row["Variazione"]) == (25000.0, 26000.0, 1000.0)
    assert list(by_track.columns) == ["Pista", "2023", "2024", "Variazione"]
    assert len(by_track) == len(plan.tracks)
    assert by_track["2023"].sum() == sum(
        t.total for t in plan.source_totals().itertuples() if t.kind == "amount"
    )
    assert by_track["Variazione"].sum() == 1000.0
