"""Helpers shared by tests (from test_pages.py): APP, BIG_PROJECTS, FIXED_PAGES, ONERI, ROOT, SHIPPED, all_text, assert_clean, bar_totals, big, big_plan, figures, generated, go, go_track, open_tabs, pager_labels, shipped_plan, start, workbook."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coopplan import load_plan
from coopplan.plan import Plan
from coopplan.text import shown_text
from coopplan.workbook.writer import write_workbook
from support.paths import ROOT, SHIPPED
from support.sample import generate_plan
from ui import data as ui_data
from ui import keys
from ui.nav import track_url

APP = str(ROOT / "app.py")


FIXED_PAGES = ("app_pages/panoramica.py", "app_pages/fonti.py", "app_pages/matrice.py")


ONERI = "Oneri di funzionamento"


@pytest.fixture(scope="module")
def shipped_plan() -> Plan:
    return load_plan(SHIPPED).plan


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Plan]:
    """A workbook with 5 piste and a 4th funding source, and the plan it holds."""
    plan = generate_plan(n_tracks=5, n_projects=40, extra_sources=1, seed=3)
    path = tmp_path_factory.mktemp("generated") / "piano_generato.xlsx"
    write_workbook(plan, path)
    loaded = load_plan(path)
    assert loaded.ok, loaded.problems
    return path, loaded.plan


@pytest.fixture(params=["shipped", "generated"])
def workbook(request: pytest.FixtureRequest, generated, shipped_plan, monkeypatch) -> Plan:
    """Point the dashboard at one workbook (COOPPLAN_WORKBOOK) and return its plan."""
    if request.param == "shipped":
        monkeypatch.delenv(ui_data.WORKBOOK_ENV, raising=False)
        return shipped_plan
    path, plan = generated
    monkeypatch.setenv(ui_data.WORKBOOK_ENV, str(path))
    return plan


def start(query: dict[str, str | list[str]] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query or {})
    at.run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert_clean(at)
    return at


def go_track(at: AppTest, code: str) -> AppTest:
    """Open a generated pista page. Every pista page is the same script under its own URL path,
    and AppTest.switch_page finds pages by file, so the page is chosen by its registered hash."""
    url = track_url(code)
    hashes = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == url]
    assert hashes, f"no page for pista {code} ({url})"
    at._page_hash = hashes[0]
    at.run()
    assert_clean(at)
    return at


def figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def bar_totals(figure: dict) -> dict[str, float]:
    """Sum of the bar segments per bar title (the first item of each bar's customdata)."""
    totals: dict[str, float] = {}
    for trace in figure["data"]:
        if trace.get("type") != "bar":
            continue
        for data, value in zip(trace["customdata"], trace["x"], strict=True):
            totals[data[0]] = totals.get(data[0], 0.0) + value
    return totals


def all_text(at: AppTest) -> str:
    """The page's Markdown texts as a reader sees them (escapes of data undone)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [t.value for t in at.title] + [h.value for h in at.header] + [s.value for s in at.subheader]
    )
    return shown_text("\n".join(parts))


def open_tabs(at: AppTest, plan: Plan) -> Iterator[str]:
    """Open each source's tab of «Fonti» in turn (only the open one is drawn), yielding its
    source once the page shows its one table."""
    for source in plan.source_names:
        at.session_state[keys.SOURCE_TABS] = source
        at.run()
        assert_clean(at)
        assert len(at.dataframe) == 1, source
        yield source


BIG_PROJECTS = 2000


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Plan]:
    """A generated workbook of 2.000 projects in 5 piste (big enough for every pager)."""
    plan = generate_plan(n_tracks=5, n_projects=BIG_PROJECTS, extra_sources=1, seed=11)
    path = tmp_path_factory.mktemp("big") / "piano_grande.xlsx"
    write_workbook(plan, path)
    loaded = load_plan(path)
    assert loaded.ok, loaded.problems
    return path, loaded.plan


@pytest.fixture
def big_plan(big, monkeypatch) -> Plan:
    path, plan = big
    monkeypatch.setenv(ui_data.WORKBOOK_ENV, str(path))
    return plan


def pager_labels(at: AppTest) -> list[str]:
    return [s.format_func(s.value) for s in at.selectbox if s.label == "Pagina"]
