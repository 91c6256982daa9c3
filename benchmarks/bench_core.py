"""Reading and scale of the core: load + validate against a bare pandas read of the same file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from common import (
    SHIPPED,
    Row,
    Settings,
    limit_row,
    median_time,
    paired_medians,
    ratio_row,
    thousands,
)
from support.sample import generate_plan

from coopplan.workbook.reader import load_plan

READ_LIMIT = 1.5  # load_plan / pd.read_excel on the shipped workbook
SCALE_LIMIT_S = 2.0  # load + validate of 10,000 projects
SCALE_TARGET_SIZE = 10_000
GENERATE_LIMIT_S = 3.0  # generate_plan of 10,000 projects (test data for the scale runs)


def bare_read(path: Path) -> object:
    return pd.read_excel(path, sheet_name=None, engine="calamine")


def checked_load(path: Path) -> None:
    result = load_plan(path)
    if not result.ok:
        raise RuntimeError(f"{path.name} non è valido: {result.errors[:3]}")


def reading(settings: Settings) -> list[Row]:
    """load_plan of the shipped workbook against pd.read_excel(calamine) of it."""
    reps = max(settings.reps * 3, 5)  # a few ms each: more repetitions, cheap
    ours, bare = paired_medians(
        lambda: checked_load(SHIPPED), lambda: bare_read(SHIPPED), reps, warmup=3
    )
    return [
        ratio_row(
            "Lettura",
            f"load_plan({SHIPPED.name}) vs pd.read_excel",
            ours,
            bare,
            READ_LIMIT,
            note=f"mediana di {reps}",
        )
    ]


def scale_loading(settings: Settings, plans: dict[int, Path]) -> list[Row]:
    """load_plan of generated plans; the 10,000-project one must take < 2 s."""
    rows = []
    for size, path in sorted(plans.items()):
        ours, bare = paired_medians(
            lambda p=path: checked_load(p), lambda p=path: bare_read(p), settings.reps
        )
        name = f"load_plan, {thousands(size)} progetti"
        if size == SCALE_TARGET_SIZE:
            row = limit_row("Scala", name, ours, SCALE_LIMIT_S)
        else:
            row = Row("Scala", name, ours, target="(info)")
        row.baseline = bare  # shown for context: the bare pandas read of the same file
        rows.append(row)
    return rows


def generation(settings: Settings) -> list[Row]:
    """generate_plan of 10,000 projects, the test data of the scale runs: < 3 s."""
    seconds = median_time(
        lambda: generate_plan(n_tracks=8, n_projects=SCALE_TARGET_SIZE, extra_sources=1, seed=0),
        settings.reps,
    )
    name = f"generate_plan, {thousands(SCALE_TARGET_SIZE)} progetti"
    return [limit_row("Scala", name, seconds, GENERATE_LIMIT_S, note=f"mediana di {settings.reps}")]
