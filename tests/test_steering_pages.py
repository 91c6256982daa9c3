"""The consuntivo where the board steers (AppTest, issue 23): the status matrix's «Speso» and
«% speso» with the source filter, the presentation's «Spese», «Scadenze» and «Dall'ultima
assemblea» slides, and «Cronologia»'s speso against preventivo over the versions."""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.pages import go, start
from support.paths import ROOT
from support.spending_pages import EXAMPLE, example, example_file, moved_to_today  # noqa: F401
from support.variants import as_bytes

from coopplan import load_plan
from coopplan.plan import Plan
from coopplan.store.folder import Store
from coopplan.store.location import open_store
from coopplan.tables import NO_SHARE

APP = str(ROOT / "app.py")
MATRICE, PRESENTAZIONE, CRONOLOGIA = (
    f"app_pages/{name}.py" for name in ("matrice", "presentazione", "cronologia")
)
RCS, ONERI = "Risorse Coop Re-Start", "Oneri di funzionamento"


def matrix_frame(at: AppTest):
    [grid] = [d for d in at.dataframe if "Stato" in d.value.columns]
    return grid.value.set_index("Progetto")


def test_the_matrix_shows_what_each_project_spent(example: Path) -> None:
    frame = matrix_frame(go(start(), MATRICE))
    assert list(frame.columns[-2:]) == ["% speso", "ID"]
    assert frame.loc["Rating cooperativo", "% speso"] == pytest.approx(0.9)  # 4.500 of 5.000 €
    assert frame.loc["La riforma del Terzo settore", "% speso"] == pytest.approx(0.4)
    assert frame.loc["Ufficio Credito&Finanza", "% speso"] == pytest.approx(0.5)
    assert frame.loc["Impresa sociale", "% speso"] == NO_SHARE  # no source in euro: «—»


def test_the_source_filter_applies_to_the_matrix_spending(example: Path) -> None:
    at = go(start({"fonte": RCS}), MATRICE)
    frame = matrix_frame(at)
    assert ONERI not in frame.columns
    assert frame.loc["Rating cooperativo", "% speso"] == pytest.approx(0.9)
    assert "Ufficio Credito&Finanza" not in frame.index  # paid by Oneri only
    help_texts = " ".join(str(c.get("help", "")) for c in _column_config(at).values())
    assert f"fonti in euro: {RCS};" in help_texts


def _column_config(at: AppTest) -> dict:
    [grid] = [d for d in at.dataframe if "Stato" in d.value.columns]
    return json.loads(grid.proto.columns)


def test_the_matrix_of_a_plan_without_consuntivo_has_no_speso() -> None:
    frame = matrix_frame(go(start(), MATRICE))  # the shipped plan
    assert "% speso" not in frame.columns


# The presentation, «Dall'ultima assemblea» and «Cronologia» on a store ------------------------


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.delenv("COOPPLAN_WORKBOOK", raising=False)
    return open_store()  # the private store of tests/conftest.py


def spent_before(plan: Plan) -> Plan:
    """The example as presented at the assembly: 3.000 € less spent on Rating cooperativo."""
    rows = plan.spending.copy()
    rows.loc[rows["project"] == "P1-03", "spent"] -= 3000
    return replace(plan, spending=rows)


def publish_spending(store: Store) -> None:
    """v1 the shipped plan (no consuntivo), v2 the example before (marked as presented), v3
    the example now; dates moved so that today is the example's day."""
    store.ensure_seeded()
    now = moved_to_today(load_plan(EXAMPLE).plan)
    before = store.publish(as_bytes(spent_before(now)), "Maria Rossi", "Prima dell'assemblea")
    store.mark_presented(before.number, dt.date.today() - dt.timedelta(days=20), "Segreteria")
    store.publish(as_bytes(now), "Maria Rossi", "Consuntivo aggiornato")


def slide_texts(at: AppTest) -> str:
    return html.unescape("\n".join(str(h.proto.body) for h in at.get("html")))


def open_slide(at: AppTest, number: int) -> str:
    at.query_params["slide"] = str(number)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return slide_texts(at).replace("\u00a0", " ")  # a non-breaking space reads as a space


def test_the_presentation_tells_spending_since_the_assembly_and_what_falls_due(
    store: Store,
) -> None:
    publish_spending(store)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PRESENTAZIONE)
    since = open_slide(at, 2)
    assert "Dall'ultima assemblea" in since
    assert "Speso 3.000 € su Rating cooperativo: ora 4.500 € su 5.000 €" in since
    total = _total(at)
    seen = {n: open_slide(at, n) for n in range(3, total + 1)}
    [spese] = [t for t in seen.values() if 'data-kind="spending"' in t]
    assert "Risorse Coop Re-Start: spesi 13.700 € su 25.000 € (54,8%)" in spese
    assert "Preventivo 25.000 €" in spese and "Speso 13.700 €" in spese
    [due] = [t for t in seen.values() if 'data-kind="due"' in t]
    assert "Rating cooperativo" in due and "Anna Rossi" in due and "scaduto da 23 giorni" in due
    numbers = [n for n, t in seen.items() if 'data-kind="due"' in t or 'data-kind="spending"' in t]
    assert 'data-kind="spending"' in seen[numbers[0]]  # «Spese» first, «Scadenze» near the end
    assert numbers[-1] == total - 1


def _total(at: AppTest) -> int:
    number = next(m.value for m in at.markdown if "cp-number" in m.value)
    return int(number.split("/")[1].split("<")[0].strip())


def test_the_presentation_of_a_plan_without_consuntivo_has_no_spese_slide(
    store: Store,
) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PRESENTAZIONE).run()
    texts = [open_slide(at, n) for n in range(1, _total(at) + 1)]
    assert not any('data-kind="spending"' in t or 'data-kind="due"' in t for t in texts)
    assert not any("spesi" in t for t in texts)


def test_the_history_draws_speso_against_preventivo(store: Store) -> None:
    publish_spending(store)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(CRONOLOGIA).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Speso e preventivo" in [s.value for s in at.subheader]
    captions = " ".join(c.value for c in at.caption)
    assert "Le versioni senza consuntivo (v. 1) non hanno punti" in captions
    [figure] = [
        f
        for f in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
        if any("– speso" in str(t.get("name")) for t in f["data"])
    ]
    lines = {t["name"]: (t["x"], t["y"]) for t in figure["data"]}
    assert lines[f"{RCS} – speso"] == ([2, 3], [10700.0, 13700.0])
    assert lines[f"{RCS} – preventivo"] == ([2, 3], [25000.0, 25000.0])
    assert lines[f"{ONERI} – speso"] == ([2, 3], [20500.0, 20500.0])
    filtered = AppTest.from_file(APP, default_timeout=120)
    filtered.run()
    filtered.session_state["fonte"] = [ONERI]  # the sidebar's source filter
    filtered.switch_page(CRONOLOGIA).run()
    [figure] = [
        f
        for f in (json.loads(c.proto.spec) for c in filtered.get("plotly_chart"))
        if any("– speso" in str(t.get("name")) for t in f["data"])
    ]
    assert {t["name"] for t in figure["data"]} == {f"{ONERI} – speso", f"{ONERI} – preventivo"}
