"""The benchmark suite of issue 6: speed, scale and load, each figure against its baseline.

    python benchmarks/run.py                      everything (about 6 minutes)
    python benchmarks/run.py --quick              a smoke run (fewer repetitions, small plans)
    python benchmarks/run.py --only reading,scale some sections
    python benchmarks/run.py --markdown out.md    also write the table as Markdown

Sections: reading, scale, timeline («Cronologia», 10,000 projects x 5 versions), spending
(every page at 10,000 projects with a consuntivo), rerun, browser, load, processes (nginx, 1 vs
2 processes), hall («Sala»: bytes a phone downloads; 300 phones following the president through
scripts/serve.sh, 1 and 2 processes; --quick: 30 phones). Prints a table (value, baseline, ratio,
target, PASS/FAIL) and exits 1 if a target is missed. Not part of pytest. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from common import Row, Settings, machine, skipped, table, write_generated_plan

SECTIONS = (
    "reading",
    "scale",
    "timeline",
    "spending",
    "rerun",
    "browser",
    "load",
    "processes",
    "hall",
)
TITLES = {
    "reading": "Lettura",
    "scale": "Scala",
    "timeline": "Scala",
    "spending": "Consuntivo",
    "rerun": "Rerun",
    "browser": "Browser",
    "load": "Carico",
    "processes": "Processi",
    "hall": "Sala",
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run, among {', '.join(SECTIONS)}",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: quick, not meaningful")
    parser.add_argument("--reps", type=int, help="repetitions after the warm-up (full run: >= 5)")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    return args


def run_section(name: str, work: Callable[[], list[Row]]) -> list[Row]:
    """A section's rows; a crash becomes one FAIL row instead of ending the run."""
    started = time.perf_counter()
    print(f"[{name}] ...", file=sys.stderr, flush=True)
    try:
        rows = work()
    except Exception as exc:  # noqa: BLE001 - report and go on with the other sections
        traceback.print_exc()
        rows = [Row(TITLES[name], "errore durante la misura", None, passed=False, note=repr(exc))]
        rows[0].value = 0.0
    print(f"[{name}] {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings.make(args.quick, args.reps)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="coopplan-bench-") as tmp:
        folder = Path(tmp)
        plans: dict[int, Path] = {}
        if "scale" in args.sections:
            print("[setup] generating plans ...", file=sys.stderr, flush=True)
            plans = {n: write_generated_plan(n, folder) for n in settings.scale_sizes}
        for name in args.sections:
            rows += run_section(name, lambda n=name: SECTION_WORK[n](settings, plans, folder))
    header = f"coopplan benchmarks — {machine()}" + (
        " — QUICK (non indicativo)" if args.quick else ""
    )
    print(header)
    print(table(rows))
    if args.markdown:
        args.markdown.write_text(f"{header}\n\n{table(rows, markdown=True)}\n", encoding="utf-8")
    failed = [r for r in rows if r.passed is False]
    return 1 if failed else 0


def _reading(settings: Settings, plans: dict[int, Path], folder: Path) -> list[Row]:
    import bench_core

    return bench_core.reading(settings)


def _scale(settings: Settings, plans: dict[int, Path], folder: Path) -> list[Row]:
    import bench_browser
    import bench_core
    import bench_pages

    rows = bench_core.generation(settings)
    rows += bench_core.scale_loading(settings, plans)
    rows += bench_pages.scale_pages(settings, plans, folder)
    biggest = max(plans)
    if bench_browser.available():
        rows += bench_browser.big_matrix(settings, plans[biggest], biggest, folder)
    return rows


def _timeline(settings: Settings, plans: dict[int, Path], folder: Path) -> list[Row]:
    import bench_timeline

    return bench_timeline.timeline_rows(settings, folder)


def _spending(settings: Settings, plans: dict[int, Path], folder: Path) -> list[Row]:
    import bench_pages

    return bench_pages.spending_pages(settings, folder)


def _rerun(settings: Settings, plans: dict[int, Path], folder: Path) -> list[Row]:
    import bench_pages

    return bench_pages.reruns(settings, folder)


def _browser(settings: Settings, plans: dict[int, Path], folder: Path) -> list[Row]:
    import bench_browser

    if not bench_browser.available():
        return [skipped("Browser", "tutte le misure", bench_browser.UNAVAILABLE)]
    return bench_browser.browser(settings, folder)


def _load(settings: Settings, plans: dict[int, Path], folder: Path) -> list[Row]:
    import bench_browser
    import bench_load

    if not bench_browser.available():
        return [skipped("Carico", "tutte le misure", bench_browser.UNAVAILABLE)]
    rows = bench_load.load(settings, folder) + bench_load.load(settings, folder, processes=2)
    return rows + _load_on_postgresql(settings, folder)


def _load_on_postgresql(settings: Settings, folder: Path) -> list[Row]:
    """The same load with 2 processes on a PostgreSQL store (a throwaway local cluster, as the
    tests start it): the store's connections are shared per process (ui.data.shared_store)."""
    import bench_load
    from support import pg

    if pg.server_binaries() is None:
        return [skipped("Carico", "archivio PostgreSQL", "PostgreSQL non è installato")]
    with pg.cluster() as url:
        return bench_load.load(settings, folder, processes=2, database=pg.fresh_schema(url))


def _processes(settings: Settings, plans: dict[int, Path], folder: Path) -> list[Row]:
    import bench_processes

    return bench_processes.processes_rows(settings, folder)


def _hall(settings: Settings, plans: dict[int, Path], folder: Path) -> list[Row]:
    import bench_browser
    import bench_hall

    if not bench_browser.available():
        return [skipped("Sala", "tutte le misure", bench_browser.UNAVAILABLE)]
    return bench_hall.hall(settings, folder)


SECTION_WORK: dict[str, Callable[[Settings, dict[int, Path], Path], list[Row]]] = {
    "reading": _reading,
    "scale": _scale,
    "timeline": _timeline,
    "spending": _spending,
    "rerun": _rerun,
    "browser": _browser,
    "load": _load,
    "processes": _processes,
    "hall": _hall,
}


if __name__ == "__main__":
    sys.exit(main())
