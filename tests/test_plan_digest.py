"""Plan.digest: the content key under which the dashboard shares views, figures and tables."""

from __future__ import annotations

from dataclasses import replace

from support.paths import SHIPPED

from coopplan import load_plan
from coopplan.plan import Plan


def shipped() -> Plan:
    plan = load_plan(SHIPPED).plan
    assert plan is not None
    return plan


def test_equal_content_gives_equal_digest_whatever_the_object() -> None:
    one, two = shipped(), shipped()
    assert one is not two
    assert one.digest == two.digest
    assert len(one.digest) == 64


def test_any_changed_cell_changes_the_digest() -> None:
    plan = shipped()
    funding = plan.funding.copy()
    funding.loc[0, "amount"] = funding.loc[0, "amount"] + 1
    notes = plan.projects.copy()
    notes.loc[0, "notes"] = "None"
    blank = plan.projects.copy()
    blank.loc[0, "notes"] = None
    digests = {
        plan.digest,
        replace(plan, funding=funding).digest,
        replace(plan, projects=notes).digest,
        replace(plan, projects=blank).digest,  # an empty cell is not the text "None"
        replace(plan, meta=replace(plan.meta, year=plan.meta.year + 1)).digest,
    }
    assert len(digests) == 5


def test_a_view_digest_follows_its_plan_and_its_criteria_not_their_order() -> None:
    plan = shipped()
    a = plan.filter(sources=["Risorse interne", "Oneri di funzionamento"], tracks=["P1"])
    b = plan.filter(
        tracks=(t for t in ["P1"]), sources=["Oneri di funzionamento", "Risorse interne"]
    )
    assert a.digest == b.digest
    assert list(a.projects["id"]) == list(b.projects["id"])  # a generator is read once, whole
    assert plan.filter(tracks=["P1"]).digest != a.digest
    assert plan.filter(tracks=[]).digest != plan.filter().digest != plan.digest
    other = replace(plan, funding=plan.funding.assign(amount=plan.funding["amount"] * 2))
    assert other.filter(tracks=["P1"]).digest != plan.filter(tracks=["P1"]).digest
