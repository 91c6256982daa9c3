"""Time and peak memory the intake needs to refuse each bad file of tests/badfiles.py.

Usage: python benchmarks/bad_files.py [CACHE_DIR]

Each file is judged in a fresh interpreter (so peak RSS is that file's, not the whole run's):
read_source(path) then check_workbook_bytes, once for the time and peak RSS, once more under
tracemalloc for the peak of Python-level allocations (zlib's buffers included). The last row,
a valid workbook, is accepted and then scanned with scan_sheets, as a reference.
Requirement: every bad file refused in < 10 s and < 400 MB.
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

from badfiles import BENCHMARK_ONLY, CORPUS, EXTRA, build, valid_xlsx  # noqa: E402

from coopplan.intake import IntakeError, check_workbook_bytes, read_source, scan_sheets  # noqa: E402

LIMIT_SECONDS = 10.0
LIMIT_MB = 400.0
VALID = "valid_xlsx"


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


def _judge(path: Path) -> str:
    """Read and check the file like the app does; scan it if it is accepted."""
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
    outcome = _judge(path)
    seconds = time.perf_counter() - started
    peak = _status_mb("VmHWM")
    tracemalloc.start()
    _judge(path)
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return Measure(name, outcome, seconds, peak, baseline, traced_peak)


def measure_in_child(name: str, path: Path) -> Measure:
    command = [sys.executable, __file__, "--one", name, str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return Measure(**json.loads(result.stdout))


def corpus_files(cache: Path) -> list[tuple[str, Path]]:
    """(name, path) of every bad file, plus the valid reference workbook."""
    files = []
    for name in CORPUS + EXTRA + BENCHMARK_ONLY:
        bad = build(name, cache)
        folder = cache / name
        folder.mkdir(exist_ok=True)
        path = folder / bad.filename
        if not path.exists():
            path.write_bytes(bad.data)
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
    bad = [m for m in measures if m.name != VALID]
    slowest = max(bad, key=lambda m: m.seconds)
    heaviest = max(bad, key=lambda m: m.peak_rss_mb)
    print(f"\nPiù lento: {slowest.name} ({slowest.seconds:.3f} s, limite {LIMIT_SECONDS:.0f} s)")
    print(f"Più pesante: {heaviest.name} ({heaviest.peak_rss_mb:.1f} MB, limite {LIMIT_MB:.0f} MB)")


def failures(measures: list[Measure]) -> list[str]:
    problems = []
    for m in measures:
        expected = "accettato" if m.name == VALID else "rifiutato"
        if m.outcome != expected:
            problems.append(f"{m.name}: {m.outcome}, atteso {expected}")
        if m.seconds >= LIMIT_SECONDS or m.peak_rss_mb >= LIMIT_MB:
            problems.append(f"{m.name}: oltre i limiti di tempo o memoria")
    return problems


def main(cache: Path) -> int:
    cache.mkdir(parents=True, exist_ok=True)
    measures = [measure_in_child(name, path) for name, path in corpus_files(cache)]
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
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default_cache))
