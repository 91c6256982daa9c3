"""The «Cronologia» page on the 10,000-project plan with several published versions (AppTest).

    python benchmarks/bench_timeline.py [--versions 5] [--reps 5]

A store whose version 1 is the generated plan, then versions that each change one amount and one
stato. Measured: the page's first run on a fresh server cache (every version parsed and diffed
once: info), its run with the cache filled (the target: < 1 s), and its run with a pista filter
never used before (the counts and diffs of every version redone for that pista: info).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench_pages import new_app, plan_env, timed_run
from common import Row, Settings, limit_row, table, thousands, write_generated_plan

PAGE = "app_pages/cronologia.py"
LIMIT_S = 1.0
SIZE = 10_000


def store_with_versions(folder: Path, versions: int) -> Path:
    """A store of the generated 10,000-project plan and ``versions`` - 1 later versions."""
    from coopplan.reader import load_plan
    from coopplan.store import Store
    from coopplan.writer import workbook_bytes

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


def timeline_rows(settings: Settings, folder: Path, versions: int = 5) -> list[Row]:
    root = store_with_versions(folder, versions)
    name = f"cronologia, {thousands(SIZE)} progetti, {versions} versioni"
    with plan_env(root):
        cold = page_run([])  # every version parsed and diffed once (a server's first visit)
        warm = [page_run([]) for _ in range(settings.reps)]
        track = page_run(["P1"])
    return [
        Row("Scala", f"{name}: prima apertura", cold, target="(info)", note="AppTest"),
        Row("Scala", f"{name}: filtro pista nuovo", track, target="(info)", note="AppTest"),
        limit_row("Scala", f"{name}: cache piena", statistics.median(warm), LIMIT_S, "AppTest"),
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
