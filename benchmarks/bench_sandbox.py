"""What reading an upload in the limited child costs (coopplan.workbook.sandbox), and what a stray cell does.

    python benchmarks/bench_sandbox.py [--reps 7]

Prints: the shipped workbook read in-process and in a ready spare child (median, interleaved;
the difference is the child's overhead), the child's peak memory, how long a cold child takes
to be ready, and what the stray-cell file (Progetti!XFD20000) gives in the child. Not part of
pytest; see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from coopplan.workbook import sandbox  # noqa: E402
from coopplan.workbook.reader import load_plan  # noqa: E402

SHIPPED = ROOT / "data" / "piano_2023.xlsx"


def isolated(data: bytes) -> sandbox.Run:
    """One read in a spare child that is ready before the clock starts."""
    assert sandbox.wait_warm()
    return sandbox.call(sandbox.LOAD_TARGET, (data,), {"name": SHIPPED.name})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=7)
    reps = parser.parse_args().reps
    data = SHIPPED.read_bytes()
    inside, outside, peaks = [], [], []
    load_plan(data, name=SHIPPED.name)
    for _ in range(reps):
        start = time.perf_counter()
        load_plan(data, name=SHIPPED.name)
        inside.append(time.perf_counter() - start)
        run = isolated(data)
        assert run.ok and run.value.ok, run
        outside.append(run.seconds)
        peaks.append(run.peak_rss)
    direct, child = statistics.median(inside), statistics.median(outside)
    print(f"shipped workbook ({len(data) / 1024:.0f} KB), median of {reps}:")
    print(f"  in-process {direct * 1000:.0f} ms, in a ready child {child * 1000:.0f} ms")
    print(
        f"  overhead {(child - direct) * 1000:.0f} ms; child peak RSS {max(peaks) / 2**20:.0f} MB"
    )

    sandbox._stop_spare()
    start = time.perf_counter()
    ok = sandbox.wait_warm()
    print(f"cold child ready in {time.perf_counter() - start:.2f} s ({ok})")

    from support.variants import with_stray_value

    stray = with_stray_value("XFD20000")
    run = isolated(stray)
    print(f"stray cell XFD20000 ({len(stray) / 1024:.0f} KB): {run.seconds:.2f} s, ", end="")
    if run.ok:
        print(f"read, peak RSS {run.peak_rss / 2**20:.0f} MB, ok={run.value.ok}")
        for problem in run.value.problems[:3]:
            print(f"  {problem.cell}: {problem.message}")
    else:
        print(f"failure={run.failure} ({run.detail.splitlines()[0] if run.detail else ''})")
        print(f"  shown: {sandbox.failure_message(run)}")


if __name__ == "__main__":
    main()
