"""What sessions share (ui/cache.py, ui/data.py): built once per plan content, never changed by a
page, bounded in memory."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from support.paths import ROOT, SHIPPED

from coopplan import charts, load_plan
from coopplan.plan import TABLE_COLUMNS, Plan
from ui import cache
from ui import data as ui_data
from ui.filters import Filters

PAGES = sorted(f"app_pages/{p.name}" for p in (ROOT / "app_pages").glob("*.py"))
CALLS: list[int] = []


def counted(n: int) -> int:
    """A module-level function for the cache, counting its calls."""
    CALLS.append(n)
    return n


def shipped() -> Plan:
    plan = load_plan(SHIPPED).plan
    assert plan is not None
    return plan


def test_pages_never_change_what_every_session_shares() -> None:
    for query in ({}, {"fonte": "Risorse interne"}, {"pista": "P2", "stato": "In corso"}):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params.update(query)
        at.run()
        for page in PAGES:
            at.switch_page(page).run()
            assert not at.exception, (page, query, [e.value for e in at.exception])
    data = SHIPPED.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    kept = ui_data._parse(digest, lambda: pytest.fail("parsed again"), SHIPPED.name).plan
    assert kept is not None
    fresh = shipped()
    assert Plan.digest.func(kept) == kept.digest == fresh.digest  # its tables, cell by cell
    chosen = Filters(sources=("Risorse interne",))
    view = chosen.apply(kept)
    expected = fresh.filter(sources=["Risorse interne"])
    for name in TABLE_COLUMNS:
        pd.testing.assert_frame_equal(getattr(view, name), getattr(expected, name))
    drawn = cache.shared(charts.budget_by_track, view, kept.source_names)
    assert drawn.to_dict() == charts.budget_by_track(expected, fresh.source_names).to_dict()


def test_equal_content_shares_one_result_and_other_content_gets_its_own() -> None:
    one, two = shipped(), shipped()
    assert one is not two
    first = cache.shared(charts.status_by_track, one)
    assert cache.shared(charts.status_by_track, two) is first
    projects = one.projects.copy()
    projects.loc[0, "status"] = "Concluso"
    changed = replace(one, projects=projects)
    assert changed.digest != one.digest
    assert cache.shared(charts.status_by_track, changed) is not first


def test_a_filtered_view_is_keyed_by_its_plan_and_its_criteria() -> None:
    plan = shipped()
    views = [
        Filters(sources=("Risorse interne",)).apply(plan),
        Filters(sources=("Risorse interne",), tracks=("P1",)).apply(plan),
        Filters(tracks=("P1",)).apply(plan),
    ]
    assert len({v.digest for v in views}) == 3
    assert Filters(sources=("Risorse interne",)).apply(shipped()) is views[0]


def test_the_cache_forgets_the_least_recently_used_past_its_bound() -> None:
    CALLS.clear()
    for n in range(cache.SHARED_ENTRIES + 1):
        cache.shared(counted, n)
    assert len(CALLS) == cache.SHARED_ENTRIES + 1
    cache.shared(counted, cache.SHARED_ENTRIES)  # the newest: still kept
    assert len(CALLS) == cache.SHARED_ENTRIES + 1
    cache.shared(counted, 0)  # the oldest: forgotten, computed again
    assert len(CALLS) == cache.SHARED_ENTRIES + 2
