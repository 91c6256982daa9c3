"""The dashboard on a PostgreSQL store (COOPPLAN_STORE=postgresql://…): AppTest on app.py."""

from __future__ import annotations

import pytest
from support.pg import fresh_schema
from support.versions_pages import coop_total, raised, session

from coopplan.store.location import open_store
from coopplan.store.postgres import PgStore


def test_the_dashboard_shows_the_plan_published_into_a_postgresql_store(
    monkeypatch: pytest.MonkeyPatch, pg_server: str
) -> None:
    monkeypatch.delenv("COOPPLAN_WORKBOOK", raising=False)
    monkeypatch.setenv("COOPPLAN_STORE", fresh_schema(pg_server))
    store = open_store()
    assert isinstance(store, PgStore)
    first = session()  # the app seeds the empty database with the shipped plan
    assert coop_total(first) == "25.000 €"
    assert [v.number for v in store.versions()] == [1]
    store.publish(raised(2500), "Maria Rossi")
    first.run()
    assert coop_total(first) == "27.500 €"
    assert not first.error, [e.value for e in first.error]
