"""A year told in versions, for «Dall'ultima assemblea» (core, pages, exports, browser).

Version 1 is the shipped plan, presented at the assembly of 14 March 2026. Version 2 starts
«Temporary manager» (Da avviare → In corso), gives Risorse Coop Re-Start 2.500 € more, adds a
project and a new activity done; version 3 wrongly removes a project; version 4 restores
version 2. So since the assembly: one project started, +2.500 €, one project added, one
activity done — and nothing removed (the restore undid it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from coopplan import Plan
from coopplan.store.model import VersionStore
from support.variants import (
    COOP,
    as_bytes,
    project_with_amount,
    shipped,
    with_amount,
    with_new_project,
    with_project_field,
    without_project,
)

ASSEMBLY = dt.date(2026, 3, 14)
STARTED_ID, STARTED_TITLE = "P2-02", "Temporary manager"
NEW_ID, NEW_TITLE = "P2-99", "Progetto nuovo"
NEW_DONE = "Primo sportello di consulenza aperto a Lodi"
REMOVED_BY_MISTAKE = "P1-05"
EXTRA = 2500.0


def second_plan() -> Plan:
    plan = shipped()
    plan = with_project_field(plan, STARTED_ID, "status", "In corso")
    funded = project_with_amount(plan, COOP)
    amount = float(
        plan.funding.loc[
            (plan.funding["project"] == funded) & (plan.funding["source"] == COOP), "amount"
        ].iloc[0]
    )
    plan = with_amount(plan, funded, COOP, amount + EXTRA)
    plan = with_new_project(plan, NEW_ID, "P2")
    done = pd.DataFrame([{"project": STARTED_ID, "kind": "done", "text": NEW_DONE}])
    return replace(plan, items=pd.concat([plan.items, done], ignore_index=True))


def publish_story(store: VersionStore) -> None:
    """Versions 1-4 as told above, version 1 marked as presented on ``ASSEMBLY``."""
    store.ensure_seeded()
    store.mark_presented(1, ASSEMBLY, "Segreteria")
    second = second_plan()
    v2 = store.publish(as_bytes(second), "Maria Rossi", "Dopo il consiglio")
    store.publish(as_bytes(without_project(second, REMOVED_BY_MISTAKE)), "Maria Rossi", "Errore")
    store.restore(v2.number, "Maria Rossi")
