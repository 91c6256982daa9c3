"""tests.sample: generated plans are valid, reproducible, fast and survive the workbook."""

from __future__ import annotations

import pandas as pd
import pytest
from support.sample import generate_plan

from coopplan import load_plan
from coopplan.plan import TABLE_COLUMNS
from coopplan.workbook.schema import STATUSES
from coopplan.workbook.writer import workbook_bytes


def test_shape_of_a_generated_plan() -> None:
    plan = generate_plan(n_tracks=5, n_projects=40, extra_sources=1, seed=0)
    assert plan.track_codes == ["P1", "P2", "P3", "P4", "P5"]
    assert len(plan.projects) == 40 and plan.projects["id"].is_unique
    assert len(plan.source_names) == 4
    assert plan.amount_sources and plan.flag_sources
    assert set(plan.projects["track"]) == set(plan.track_codes)
    assert set(plan.projects["status"]) <= set(STATUSES)
    assert len(plan.funding) == 40 * 4
    for name in plan.source_names:  # every source pays for something: every filter shows data
        assert not plan.filter(sources=[name]).is_empty
    for table, columns in TABLE_COLUMNS.items():
        assert tuple(getattr(plan, table).columns) == columns


def test_same_seed_same_plan_other_seed_other_plan() -> None:
    a, b = generate_plan(seed=7), generate_plan(seed=7)
    pd.testing.assert_frame_equal(a.funding, b.funding)
    pd.testing.assert_frame_equal(a.projects, b.projects)
    assert not generate_plan(seed=8).funding.equals(a.funding)


def test_a_generated_plan_round_trips_through_the_workbook() -> None:
    plan = generate_plan(n_tracks=5, n_projects=25, extra_sources=2, seed=1)
    loaded = load_plan(workbook_bytes(plan), name="generato.xlsx")
    assert loaded.ok, loaded.problems
    for table in TABLE_COLUMNS:
        pd.testing.assert_frame_equal(getattr(loaded.plan, table), getattr(plan, table))


def test_ten_thousand_projects_are_generated() -> None:
    # the time it takes: benchmarks/bench_core.py generation (section "scale")
    plan = generate_plan(n_tracks=8, n_projects=10_000, extra_sources=1, seed=0)
    assert len(plan.projects) == 10_000 and plan.projects["id"].is_unique


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        generate_plan(n_tracks=0)
