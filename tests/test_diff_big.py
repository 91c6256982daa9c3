"""The diff on a generated 10,000-project plan with a few known edits finds exactly those edits
(the vectorised search for changed projects must neither miss one nor invent one)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from support.sample import generate_plan

from coopplan import fmt
from coopplan.diff import STATUS_FIELD, diff_plans
from coopplan.plan import Plan

SIZE = 10_000


def edited(plan: Plan) -> tuple[Plan, dict[str, str]]:
    """``plan`` with five edits: a stato changed, +2.500 € to one source of one project, a new
    project, a project removed, an activity done added. Returns the plan and the IDs involved."""
    ids = list(plan.projects["id"])
    ids = {
        "status": ids[100],
        "amount": ids[2_000],
        "removed": ids[5_000],
        "activity": ids[9_000],
        "added": "NUOVO-1",
    }
    source = plan.amount_sources[0]
    projects = plan.projects.copy()
    at = projects.index[projects["id"] == ids["status"]][0]
    projects.loc[at, "status"] = (
        "Concluso" if projects.loc[at, "status"] != "Concluso" else "In corso"
    )
    new_row = projects.iloc[[0]].assign(id=ids["added"], title="Progetto nuovo")
    projects = pd.concat([projects, new_row], ignore_index=True)
    projects = projects.loc[projects["id"] != ids["removed"]].reset_index(drop=True)

    funding = plan.funding.copy()
    row = funding.index[(funding["project"] == ids["amount"]) & (funding["source"] == source)][0]
    funding.loc[row, "amount"] += 2500
    copied = funding.loc[funding["project"] == ids["status"]].assign(project=ids["added"])
    funding = pd.concat([funding, copied], ignore_index=True)
    funding = funding.loc[funding["project"] != ids["removed"]].reset_index(drop=True)

    items = plan.items.loc[plan.items["project"] != ids["removed"]]
    activity = pd.DataFrame([{"project": ids["activity"], "kind": "done", "text": "Convegno"}])
    items = pd.concat([items, activity], ignore_index=True)
    return replace(plan, projects=projects, funding=funding, items=items), ids


def test_a_big_plan_with_five_known_edits_shows_exactly_those() -> None:
    plan = generate_plan(n_tracks=5, n_projects=SIZE, seed=14)
    new, ids = edited(plan)
    source = plan.amount_sources[0]
    before_amount = plan.funding_of(ids["amount"])[source]

    diff = diff_plans(plan, new)

    assert [p.id for p in diff.added] == [ids["added"]]
    assert [p.id for p in diff.removed] == [ids["removed"]]
    [status] = diff.statuses
    assert status.project.id == ids["status"]
    assert (status.old, status.new) == (
        plan.project(ids["status"]).status,
        new.project(ids["status"]).status,
    )
    changed = {c.project.id: c.changes for c in diff.changed}
    assert list(changed) == [ids["status"], ids["amount"], ids["activity"]]
    assert [c.field for c in changed[ids["status"]]] == [STATUS_FIELD]
    [amount] = changed[ids["amount"]]
    assert (amount.field, amount.old, amount.new) == (
        source,
        fmt.money(before_amount),
        fmt.money(before_amount + 2500),
    )
    [activity] = changed[ids["activity"]]
    assert (activity.field, activity.old, activity.new) == ("Attività realizzate", "—", "Convegno")


def test_a_big_plan_against_itself_changes_nothing() -> None:
    plan = generate_plan(n_tracks=5, n_projects=SIZE, seed=14)
    reordered = replace(
        plan,
        funding=plan.funding.sample(frac=1, random_state=1),
        projects=plan.projects.iloc[::-1].reset_index(drop=True),
    )
    assert diff_plans(plan, reordered).unchanged
