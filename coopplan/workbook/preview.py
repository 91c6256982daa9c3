"""What an editor sees of an uploaded workbook before publishing it, worked out as one bounded task:
its problems, and what changes against the version of the file's year that the page shows.

``preview_upload`` is meant to run in the limited child of coopplan.workbook.sandbox
(``coopplan.workbook.sandbox.preview_isolated``): reading the upload, reading the version it is compared
with, the diff and its tables never run in the server, and what comes back is small whatever the
file: the first SHOWN_PROBLEMS problems, the first SHOWN_CHANGES rows of each table of changes,
and how many there were. ``restamp`` (the workbook written again with today's «Data versione»)
runs there too, when the editor publishes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from coopplan.diff import PlanDiff, diff_plans, stale_version_date
from coopplan.plan import Plan
from coopplan.tables import problems_table
from coopplan.workbook.problems import summary
from coopplan.workbook.reader import LoadResult, load_plan
from coopplan.workbook.writer import restamped_bytes

SHOWN_PROBLEMS = 200  # a broken file can have hundreds of thousands: the first ones are enough
SHOWN_CHANGES = 200  # rows of each table of changes (a rewritten plan can change 280,000 cells)


@dataclass(frozen=True)
class Against:
    """A stored version an upload of its year is compared with: its workbook and its label.
    ``in_force`` is False when it is the last intact version (the one in force is damaged)."""

    year: int
    label: str
    data: bytes
    in_force: bool = True


@dataclass(frozen=True)
class Table:
    """A table of changes cut to its first SHOWN_CHANGES rows; ``rows``: how many it had."""

    title: str
    frame: pd.DataFrame
    rows: int


@dataclass(frozen=True)
class Comparison:
    """What changes from the stored version ``label`` of ``year`` to the upload."""

    year: int
    label: str
    in_force: bool
    tables: tuple[Table, ...] = ()
    stale_date: bool = False  # the upload's «Data versione» is not later than the stored one's
    given_date: dt.date | None = None  # the upload's «Data versione»
    before_date: dt.date | None = None  # the stored version's

    @property
    def unchanged(self) -> bool:
        return not self.tables


@dataclass(frozen=True)
class UploadPreview:
    """The outcome of checking one upload. ``unreadable``: the one sentence when the file could
    not be read as a plan at all (or the check could not run); ``retry`` when the check did not
    run because others were running (nothing is wrong with the file)."""

    name: str
    unreadable: str = ""
    retry: bool = False
    summary: str = ""
    errors: bool = False
    warnings: bool = False
    problems: pd.DataFrame = field(default_factory=pd.DataFrame)
    problem_count: int = 0
    year: int | None = None
    comparison: Comparison | None = None  # None for a year with no version yet, or not read

    @property
    def ok(self) -> bool:
        """The file was read and no problem blocks publishing it."""
        return self.year is not None and not self.errors


def preview_upload(data: bytes, name: str, against: dict[int, Against]) -> UploadPreview:
    """Read and check ``data``; when it can be published and ``against`` holds a version of its
    year, what changes from that version. Everything returned is bounded (see the module)."""
    result = load_plan(data, name=name)
    plan = result.plan
    if plan is None and len(result.problems) == 1 and not result.problems[0].sheet:
        return UploadPreview(name, unreadable=result.problems[0].message)
    preview = UploadPreview(
        name,
        summary=summary(result.problems),
        errors=bool(result.errors),
        warnings=bool(result.warnings),
        problems=problems_table(result.problems, SHOWN_PROBLEMS, result.headers),
        problem_count=len(result.problems),
        year=plan.meta.year if plan is not None else None,
    )
    if not result.ok or plan is None or plan.meta.year not in against:
        return preview
    return _with_comparison(preview, plan, against[plan.meta.year])


def _with_comparison(preview: UploadPreview, plan: Plan, stored: Against) -> UploadPreview:
    old = load_plan(stored.data, name=f"piano_{stored.year}.xlsx")
    if old.plan is None:  # a stored version hashed right always reads: never seen
        raise ValueError(f"stored version {stored.label} unreadable")
    diff = diff_plans(old.plan, plan)
    comparison = Comparison(
        stored.year,
        stored.label,
        stored.in_force,
        tables=shown_tables(diff),
        stale_date=not diff.unchanged and stale_version_date(old.plan, plan),
        given_date=plan.meta.version_date,
        before_date=old.plan.meta.version_date,
    )
    return replace(preview, comparison=comparison)


def shown_tables(diff: PlanDiff) -> tuple[Table, ...]:
    """The tables of ``diff`` (PlanDiff.tables), each cut to its first SHOWN_CHANGES rows."""
    return tuple(
        Table(title, frame.head(SHOWN_CHANGES).reset_index(drop=True), len(frame))
        for title, frame in diff.tables()
    )


def restamp(data: bytes, name: str, day: dt.date) -> bytes:
    """The workbook ``data`` written again with «Data versione» ``day`` (coopplan.workbook.writer)."""
    result: LoadResult = load_plan(data, name=name)
    if result.plan is None:
        raise ValueError("the workbook no longer reads")
    return restamped_bytes(result.plan, day)
