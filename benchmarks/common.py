"""Shared pieces of the benchmark suite: timing, result rows, the table, generated plans.

Every figure is measured in the same run as its baseline, the two interleaved (A, B, A, B, ...)
after a warm-up, so that a busy machine slows both alike and the ratio stays meaningful.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, ROOT / "tests"):  # the package, and the test helpers (tests/support/)
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

SHIPPED = ROOT / "data" / "piano_2023.xlsx"
LOOPBACK_HALL = "127.0.0.1"  # the address in the QR codes while benchmarking


@dataclass(frozen=True)
class Settings:
    """How hard to measure. ``quick`` is a smoke run: fewer repetitions, smaller plans."""

    quick: bool = False
    reps: int = 7  # repetitions after the warm-up (medians of at least 5 in a full run)
    scale_sizes: tuple[int, ...] = (1_000, 10_000)
    load_seconds: float = 60.0
    load_sessions: int = 30
    rss_sessions: int = 20
    load_browsers: int = 2  # of the load sessions, real Chromium ones (the others: protocol)

    @classmethod
    def make(cls, quick: bool, reps: int | None) -> Settings:
        if quick:
            return cls(
                quick=True,
                reps=reps or 3,
                scale_sizes=(1_000,),
                load_seconds=24.0,
                load_sessions=5,
                rss_sessions=3,
                load_browsers=1,
            )
        return cls(reps=max(reps or cls.reps, 5))


@dataclass
class Row:
    """One line of the table. ``value`` and ``baseline`` in seconds unless ``unit`` says else."""

    section: str
    name: str
    value: float | None
    baseline: float | None = None
    target: str = ""  # e.g. "<= 1.5x" or "< 2 s"
    passed: bool | None = None  # None: informational, no target
    unit: str = "s"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "SKIP"
        if self.passed is None:
            return ""
        return "PASS" if self.passed else "FAIL"


def ratio_row(
    section: str, name: str, value: float, baseline: float, limit: float, note: str = ""
) -> Row:
    """A row whose target is value/baseline <= limit."""
    return Row(
        section, name, value, baseline, f"<= {limit:g}x", value / baseline <= limit, note=note
    )


def limit_row(section: str, name: str, value: float, limit: float, note: str = "") -> Row:
    """A row whose target is an absolute time: value < limit seconds."""
    return Row(section, name, value, None, f"< {limit:g} s", value < limit, note=note)


def skipped(section: str, name: str, why: str) -> Row:
    return Row(section, name, None, note=why)


# Timing -------------------------------------------------------------------------------------


def median_time(fn: Callable[[], object], reps: int, warmup: int = 1) -> float:
    """Median wall time of ``fn`` over ``reps`` calls, after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_medians(
    measured: Callable[[], object], baseline: Callable[[], object], reps: int, warmup: int = 1
) -> tuple[float, float]:
    """Medians of ``measured`` and ``baseline``, interleaved call by call after a warm-up."""
    for _ in range(warmup):
        measured()
        baseline()
    a: list[float] = []
    b: list[float] = []
    for _ in range(reps):
        for fn, out in ((measured, a), (baseline, b)):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


# Plans --------------------------------------------------------------------------------------


def write_generated_plan(n_projects: int, folder: Path, with_spending: bool = False) -> Path:
    """A generated plan of ``n_projects`` projects written as a workbook (not timed); with
    ``with_spending``, with a «Consuntivo» for about four in five funded euro rows."""
    from support.sample import generate_plan

    from coopplan.workbook.writer import write_workbook

    path = folder / f"piano_{n_projects}{'_consuntivo' if with_spending else ''}.xlsx"
    if not path.exists():
        plan = generate_plan(
            n_tracks=5, n_projects=n_projects, seed=n_projects, with_spending=with_spending
        )
        write_workbook(plan, path)
    return path


def seeded_store(folder: Path, workbook: Path = SHIPPED) -> Path:
    """A new version store (the dashboard's production path) whose version 1 is ``workbook``."""
    from coopplan.store.folder import Store

    root = folder / f"store-{workbook.stem}-{time.monotonic_ns()}"
    Store(root, seed=workbook).ensure_seeded()
    return root


def dashboard_env(store: Path | str) -> dict[str, str | None]:
    """Environment that points the dashboard at ``store`` (None: variable removed), with the
    QR codes' address on loopback: the check that phones can reach it then connects to
    127.0.0.1 only, and «Segui dal telefono» shows its code instead of «I telefoni non possono
    aprire questa dashboard» (right for a server on localhost, counted as an error page)."""
    return {
        "COOPPLAN_STORE": str(store),
        "COOPPLAN_WORKBOOK": None,
        "COOPPLAN_LAN_ADDRESS": LOOPBACK_HALL,
    }


# Reporting ----------------------------------------------------------------------------------


def machine() -> str:
    """nproc, RAM, CPU model, Python and the date: the context of the figures."""
    ram = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            kib = int(meminfo.readline().split()[1])
        ram = f"{kib / 1024**2:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            cpu = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                "",
            )
    except OSError:
        pass
    parts = [
        f"{os.cpu_count()} CPU" + (f" ({cpu})" if cpu else ""),
        ram,
        f"Python {platform.python_version()}",
        platform.system(),
        dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    ]
    return ", ".join(p for p in parts if p)


def thousands(n: int) -> str:
    """10000 -> '10.000' (Italian grouping)."""
    return f"{n:,}".replace(",", ".")


def show(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "/s":
        return f"{value:.1f}/s"
    return f"{value:g} {unit}".strip()


def table(rows: list[Row], markdown: bool = False) -> str:
    """The results as an aligned text table, or as a Markdown table."""
    header = ["Sezione", "Misura", "Valore", "Riferimento", "Rapporto", "Obiettivo", "Esito"]
    lines = [
        [
            r.section,
            r.name,
            show(r.value, r.unit),
            show(r.baseline, r.unit) if r.baseline is not None else "",
            f"{r.ratio:.2f}x" if r.ratio is not None else "",
            r.target,
            " ".join(part for part in (r.verdict, f"({r.note})" if r.note else "") if part),
        ]
        for r in rows
    ]
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(cell.replace("|", "/") for cell in line) + " |" for line in lines]
        return "\n".join(out)
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=False)]
    widths[-1] = 0  # the verdict column carries notes: no padding
    fmt = "  ".join(f"{{:{w}}}" for w in widths)
    out = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*line) for line in lines]
    return "\n".join(line.rstrip() for line in out)
