"""Time and peak memory the intake needs to refuse each bad file of tests/badfiles.py, and
the reader needs to read each odd-but-valid workbook (a stray value far away, many formatted
empty rows: issue 9).

Usage: python benchmarks/bad_files.py [--odd] [CACHE_DIR]   (--odd: only the odd workbooks)

Each file is judged in a fresh interpreter (so peak RSS is that file's, not the whole run's):
read_source(path) then check_workbook_bytes, once for the time and peak RSS, once more under
tracemalloc for the peak of Python-level allocations (zlib's buffers included). The last row,
a valid workbook, is accepted and then scanned with scan_sheets, as a reference. The odd
workbooks (ODD) go through load_plan whole and must be read ("letto", no error).
Requirement: every bad file refused in < 10 s and < 400 MB; every odd workbook read in < 5 s
and < 400 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.badfiles import BENCHMARK_ONLY, CORPUS, EXTRA, build, valid_xlsx  # noqa: E402
from support.variants import SHIPPED, with_stray_value  # noqa: E402

from coopplan.workbook.intake import IntakeError, check_workbook_bytes, read_source, scan_sheets  # noqa: E402
from coopplan.workbook.reader import load_plan  # noqa: E402

LIMIT_SECONDS = 10.0
LIMIT_ODD_SECONDS = 5.0
LIMIT_MB = 400.0
VALID = "valid_xlsx"


def _formatted_rows(rows: int = 20_000) -> bytes:
    """The shipped workbook with «Progetti» filled in yellow down to row ``rows`` (every cell
    of the table's columns formatted, none with a value)."""
    from io import BytesIO

    from openpyxl import load_workbook
    from openpyxl.styles import PatternFill

    workbook = load_workbook(SHIPPED)
    sheet = workbook["Progetti"]
    fill = PatternFill("solid", fgColor="FFFF00")
    for row in range(sheet.max_row + 1, rows + 1):
        for column in range(1, sheet.max_column + 1):
            sheet.cell(row=row, column=column).fill = fill
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ODD = {
    "stray_XFD4000": lambda: with_stray_value("XFD4000"),
    "stray_XFD20000": lambda: with_stray_value("XFD20000"),
    "stray_M2": lambda: with_stray_value("M2"),
    "stray_attivita_XFD20000": lambda: with_stray_value("XFD20000", "Attività"),
    "formatted_rows_20000": _formatted_rows,
}
"""Odd but valid workbooks (issue 9): read by load_plan, not refused."""


@dataclass(frozen=True)
class Measure:
    name: str
    outcome: str  # "rifiutato" or "accettato"
    seconds: float
    peak_rss_mb: float  # whole process, interpreter and imports included
    baseline_rss_mb: float  # the same process before reading the file
    traced_peak_mb: float  # tracemalloc peak during the check


def _status_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (peak resident) of this process, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak_rss() -> None:
    """Make VmHWM start again from the current RSS (Linux >= 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


def _judge(path: Path, name: str = "") -> str:
    """Read and check the file like the app does; scan it if it is accepted (an odd
    workbook: read it whole)."""
    if name in ODD:
        return "letto" if load_plan(path).ok else "rifiutato"
    try:
        data, name = read_source(path)
        check_workbook_bytes(data, name)
    except IntakeError:
        return "rifiutato"
    scan_sheets(data)
    return "accettato"


def measure_one(name: str, path: Path) -> Measure:
    """Run in the child process."""
    _reset_peak_rss()
    baseline = _status_mb("VmRSS")
    started = time.perf_counter()
    outcome = _judge(path, name)
    seconds = time.perf_counter() - started
    peak = _status_mb("VmHWM")
    tracemalloc.start()
    _judge(path, name)
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return Measure(name, outcome, seconds, peak, baseline, traced_peak)


def measure_in_child(name: str, path: Path) -> Measure:
    command = [sys.executable, __file__, "--one", name, str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return Measure(**json.loads(result.stdout))


def corpus_files(cache: Path, odd_only: bool = False) -> list[tuple[str, Path]]:
    """(name, path) of every bad file, the odd workbooks and the valid reference workbook
    (only the odd workbooks with odd_only)."""
    files = []
    for name in [] if odd_only else CORPUS + EXTRA + BENCHMARK_ONLY:
        bad = build(name, cache)
        folder = cache / name
        folder.mkdir(exist_ok=True)
        path = folder / bad.filename
        if not path.exists():
            path.write_bytes(bad.data)
        files.append((name, path))
    for name, make in ODD.items():
        path = cache / f"{name}.xlsx"
        if not path.exists():
            path.write_bytes(make())
        files.append((name, path))
    valid = cache / "valida.xlsx"
    valid.write_bytes(valid_xlsx())
    return [*files, (VALID, valid)]


def print_table(measures: list[Measure]) -> None:
    header = f"{'file':<26} {'esito':<10} {'secondi':>8} {'RSS max MB':>10} "
    print(header + f"{'di cui file MB':>14} {'tracemalloc MB':>14}")
    for m in measures:
        print(
            f"{m.name:<26} {m.outcome:<10} {m.seconds:>8.3f} {m.peak_rss_mb:>10.1f} "
            f"{m.peak_rss_mb - m.baseline_rss_mb:>14.1f} {m.traced_peak_mb:>14.1f}"
        )
    bad = [m for m in measures if m.name != VALID and m.name not in ODD]
    if not bad:
        return
    slowest = max(bad, key=lambda m: m.seconds)
    heaviest = max(bad, key=lambda m: m.peak_rss_mb)
    print(f"\nPiù lento: {slowest.name} ({slowest.seconds:.3f} s, limite {LIMIT_SECONDS:.0f} s)")
    print(f"Più pesante: {heaviest.name} ({heaviest.peak_rss_mb:.1f} MB, limite {LIMIT_MB:.0f} MB)")


def failures(measures: list[Measure]) -> list[str]:
    problems = []
    for m in measures:
        expected = "accettato" if m.name == VALID else "letto" if m.name in ODD else "rifiutato"
        if m.outcome != expected:
            problems.append(f"{m.name}: {m.outcome}, atteso {expected}")
        seconds = LIMIT_ODD_SECONDS if m.name in ODD else LIMIT_SECONDS
        if m.seconds >= seconds or m.peak_rss_mb >= LIMIT_MB:
            problems.append(f"{m.name}: oltre i limiti di tempo o memoria")
    return problems


def main(cache: Path, odd_only: bool = False) -> int:
    cache.mkdir(parents=True, exist_ok=True)
    files = corpus_files(cache, odd_only)
    measures = [measure_in_child(name, path) for name, path in files]
    print_table(measures)
    problems = failures(measures)
    for problem in problems:
        print("PROBLEMA:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure_one(sys.argv[2], Path(sys.argv[3])).__dict__))
        sys.exit(0)
    default_cache = Path(tempfile.gettempdir()) / "coopplan-badfiles"
    odd_only = "--odd" in sys.argv[1:]
    arguments = [a for a in sys.argv[1:] if a != "--odd"]
    sys.exit(main(Path(arguments[0]) if arguments else default_cache, odd_only))
