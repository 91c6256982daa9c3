"""Helpers shared by tests (from test_versions_dashboard.py): APP, UPDATE_PAGE, coop_total, flip_a_byte, raised, session, snapshot, store."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coopplan.store.folder import Store
from coopplan.store.location import open_store
from coopplan.store.model import Version
from support.kpi_cards import kpi_cards
from support.paths import ROOT
from support.variants import COOP, as_bytes, project_with_amount, shipped, with_amount, with_year

APP = str(ROOT / "app.py")


UPDATE_PAGE = str(ROOT / "app_pages" / "aggiorna.py")


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.delenv("COOPPLAN_WORKBOOK", raising=False)
    seeded = open_store()  # the private store of tests/conftest.py
    seeded.ensure_seeded()  # what the app does at start-up
    return seeded


def session() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def coop_total(at: AppTest) -> str:
    """The overview's KPI card of the source COOP, as text ('25.000 €')."""
    found = kpi_cards(at).get(COOP)
    if found:
        return found
    raise AssertionError(f"no KPI card for {COOP}")


def raised(by: float, year: int | None = None) -> bytes:
    plan = shipped()
    project = project_with_amount(plan, COOP)
    plan = with_amount(plan, project, COOP, plan.funding_of(project)[COOP] + by)
    return as_bytes(with_year(plan, year) if year else plan)


def flip_a_byte(store: Store, version: Version) -> None:
    path = store.object_path(version.sha256)
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    os.chmod(path, 0o644)
    path.write_bytes(bytes(damaged))


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
