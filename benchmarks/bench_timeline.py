"""The «Cronologia» page on the 10,000-project plan with several published versions (AppTest).

    python benchmarks/bench_timeline.py [--versions 5] [--reps 5]

A store whose version 1 is the generated plan, then versions that each change one amount and one
stato. Measured, each against a baseline in the same run, interleaved:
- the page's first run on an empty server cache (every version parsed and diffed once), against
  reading the same versions with ``load_plan`` alone (the least a first opening must do): info;
- its run with the cache filled (the target: < 1 s), against the «Panoramica» page of the same
  store, cache filled too;
- its run with a pista filter never used before (counts and diffs redone for that pista): info;
- ``diff_plans`` of two consecutive 10,000-project versions against ``load_plan`` of one: info.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bench_pages import new_app, open_page, plan_env, timed_run
from common import Row, Settings, paired_medians, table, thousands, write_generated_plan

PAGE = "app_pages/cronologia.py"
OVERVIEW = "app_pages/panoramica.py"
COLD_REPS = 3  # a first opening parses every version: seconds each
LIMIT_S = 1.0
SIZE = 10_000


def store_with_versions(folder: Path, versions: int) -> Path:
    """A store of the generated 10,000-project plan and ``versions`` - 1 later versions."""
    from coopplan.store.folder import Store
    from coopplan.workbook.reader import load_plan
    from coopplan.workbook.writer import workbook_bytes

    workbook = write_generated_plan(SIZE, folder)
    root = folder / f"store-timeline-{time.monotonic_ns()}"
    store = Store(root, seed=workbook)
    store.ensure_seeded()
    plan = load_plan(workbook).plan
    assert plan is not None
    for number in range(2, versions + 1):
        funding = plan.funding.copy()
        first = funding.index[funding["source"] == plan.amount_sources[0]][number]
        funding.loc[first, "amount"] += 2500
        projects = plan.projects.copy()
        projects.loc[number, "status"] = "Concluso"
        plan = replace(plan, funding=funding, projects=projects)
        store.publish(workbook_bytes(plan), "Benchmark", f"Versione {number}")
    return root


def page_run(tracks: list[str]) -> float:
    """A new session switching to the page with the pista filter ``tracks``: that run's time."""
    at = new_app()
    at.run()
    at.session_state["pista"] = tracks
    at.switch_page(PAGE)
    elapsed = timed_run(at)
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    return elapsed


def read_versions(root: Path) -> None:
    """Every version of the store read with ``load_plan`` (the first opening's least work)."""
    from coopplan.store.folder import Store

    store = Store(root)
    for version in store.versions():
        store.load(version)


def cold_run() -> float:
    """The page's run on an empty server cache (as a server's first visit after a restart)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    return page_run([])


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def diff_row(root: Path, reps: int) -> Row:
    """``diff_plans`` of the last two versions vs ``load_plan`` of one (paired medians)."""
    from coopplan.diff import diff_plans
    from coopplan.store.folder import Store
    from coopplan.workbook.reader import load_plan

    store = Store(root)
    *_, before, after = store.versions()
    data = store.read(after)
    old, new = store.load(before), store.load(after)
    # A fresh copy each time: a Plan caches its project cards, a new version comes without them.
    diff, parse = paired_medians(
        lambda: diff_plans(replace(old), replace(new)), lambda: load_plan(data), reps
    )
    name = f"diff_plans, due versioni di {thousands(SIZE)} progetti vs load_plan di una"
    return Row("Scala", name, diff, parse, target="(info)")


def timeline_rows(settings: Settings, folder: Path, versions: int = 5) -> list[Row]:
    root = store_with_versions(folder, versions)
    name = f"cronologia, {thousands(SIZE)} progetti, {versions} versioni"
    cold_reps = min(settings.reps, COLD_REPS)
    with plan_env(root):
        page_run([])  # warm-up: imports, the app's first run
        read_versions(root)
        cold, reading = [], []
        for _ in range(cold_reps):
            cold.append(cold_run())  # every version parsed and diffed once
            reading.append(timed(lambda: read_versions(root)))
        page_run([])
        open_page(OVERVIEW)  # both caches filled
        warm, overview = [], []
        for _ in range(settings.reps):
            warm.append(page_run([]))
            overview.append(open_page(OVERVIEW)[1])
        track = page_run(["P1"])
    warm_value = statistics.median(warm)
    return [
        Row(
            "Scala",
            f"{name}: prima apertura vs lettura delle versioni",
            statistics.median(cold),
            statistics.median(reading),
            target="(info)",
            note=f"AppTest, mediana di {cold_reps}",
        ),
        Row("Scala", f"{name}: filtro pista nuovo", track, target="(info)", note="AppTest"),
        Row(
            "Scala",
            f"{name}: cache piena vs panoramica",
            warm_value,
            statistics.median(overview),
            target=f"< {LIMIT_S:g} s",
            passed=warm_value < LIMIT_S,
            note="AppTest",
        ),
        diff_row(root, settings.reps),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    settings = replace(Settings(), reps=args.reps)
    with tempfile.TemporaryDirectory(prefix="coopplan-bench-") as tmp:
        rows = timeline_rows(settings, Path(tmp), args.versions)
    print(table(rows))
    return 1 if any(r.passed is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
