"""Helpers shared by tests (from test_timeline.py): amounts_of, first_started, history, publish_history, statuses_of, whole."""

from __future__ import annotations

import pytest

from coopplan.store.folder import Store
from coopplan.timeline import Timeline, store_timeline
from support.variants import (
    COOP,
    as_bytes,
    project_with_amount,
    shipped,
    with_amount,
    with_new_project,
    with_project_field,
)


def first_started(plan) -> str:
    """A project of the shipped plan that is «Da avviare» (read from the data)."""
    projects = plan.projects
    return str(projects.loc[projects["status"] == "Da avviare", "id"].iloc[0])


def publish_history(store: Store) -> dict[str, object]:
    """v1 shipped; v2 a project goes «In corso»; v3 +2.500 € to COOP; v4 a new project;
    v5 back to v2. Returns what was changed, for the asserts."""
    store.ensure_seeded()
    plan = shipped()
    moved = first_started(plan)
    v2 = with_project_field(plan, moved, "status", "In corso")
    store.publish(as_bytes(v2), "Maria Rossi", "Avviato un progetto")
    paid = project_with_amount(v2, COOP)
    v3 = with_amount(v2, paid, COOP, v2.funding_of(paid)[COOP] + 2500)
    store.publish(as_bytes(v3), "Luca Bianchi", "Più fondi")
    track = v3.track_codes[0]
    v4 = with_new_project(v3, "NUOVO-1", track)
    store.publish(as_bytes(v4), "Maria Rossi")
    store.restore(2, "Anna Verdi", "Torniamo alla versione approvata")
    return {"moved": moved, "track": track, "plan": plan}


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, dict[str, object]]:
    """One history for the module's tests (publishing and reading workbooks takes seconds)."""
    store = Store(tmp_path_factory.mktemp("history"))
    return store, publish_history(store)


@pytest.fixture(scope="module")
def whole(history) -> Timeline:
    return store_timeline(history[0], 2023)


def amounts_of(timeline: Timeline, source: str) -> list[float]:
    mine = timeline.amounts.loc[timeline.amounts["source"] == source]
    return mine["euro"].tolist()


def statuses_of(timeline: Timeline, number: int) -> dict[str, int]:
    mine = timeline.statuses.loc[timeline.statuses["number"] == number]
    return dict(zip(mine["status"], mine["projects"], strict=True))
