"""Differential test: coopplan reads what LibreOffice shows, or refuses naming a cell (issue 18 §3).

Hypothesis draws batches of ``Recipe``s (tests/xlsx_writers.py: the shipped workbook rewritten as
other writers write it); LibreOffice Calc converts every workbook of a batch to CSV in one run
(``soffice --headless --convert-to csv``, all sheets); for each workbook, either coopplan's plan
has exactly LibreOffice's projects, texts and amounts, or coopplan refuses it and every error
names one of the cells the recipe spoiled. A recipe that spoils nothing must be read.

Run time is bounded: ``BATCHES`` batches of ``BATCH`` workbooks (one LibreOffice start per batch);
``COOPPLAN_ORACLE_BATCHES`` raises it for a longer hunt. Batches that ever failed are kept below
as ``@example``s.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.xlsx_writers import (
    AMOUNT_COLUMNS,
    ERRORS,
    ODD_NUMBERS,
    OPTIONAL_TEXT_COLUMNS,
    PLAIN_STYLES,
    Recipe,
    build,
    data_rows,
)

from coopplan import load_plan
from coopplan.workbook.reader import LoadResult
from coopplan.workbook.schema import PROGETTI, YES_WORDS, normalize_header

BATCH = 12
BATCHES = int(os.environ.get("COOPPLAN_ORACLE_BATCHES", "3"))
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
"""Comma, double quote, UTF-8, from line 1, raw values (not as shown), every sheet to a file."""

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice Calc is installed by scripts/install.sh"
)

ROWS = data_rows()
AMOUNT_CELLS = [f"{c}{r}" for c in AMOUNT_COLUMNS for r in ROWS]
TEXT_CELLS = [f"{c}{r}" for c in OPTIONAL_TEXT_COLUMNS for r in ROWS]


def _rare(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly nothing, sometimes one: the kinds coopplan must refuse."""
    return st.one_of(st.just(()), st.just(()), strategy.map(lambda item: (item,)))


recipes = st.builds(
    Recipe,
    row_order=st.one_of(st.just(()), st.permutations(range(len(ROWS))).map(tuple)),
    cells_reversed=st.booleans(),
    drop_references=st.booleans(),
    reference_last=st.booleans(),
    prefix=st.booleans(),
    indent=st.booleans(),
    shared_strings=st.booleans(),
    formulas=st.frozensets(st.sampled_from(AMOUNT_CELLS), max_size=4),
    empty_text=st.frozensets(st.sampled_from(TEXT_CELLS), max_size=3),
    styles=st.lists(
        st.tuples(st.sampled_from(AMOUNT_CELLS), st.sampled_from(PLAIN_STYLES)), max_size=3
    ).map(tuple),
    hidden_rows=st.frozensets(st.sampled_from(ROWS), max_size=3),
    errors=_rare(st.tuples(st.sampled_from(AMOUNT_CELLS), st.sampled_from(ERRORS))),
    odd_numbers=_rare(st.tuples(st.sampled_from(AMOUNT_CELLS), st.sampled_from(ODD_NUMBERS))),
    merged=_rare(st.sampled_from(ROWS[:-1]).map(lambda r: f"E{r}:E{r + 1}")),
)

KEPT = [  # batches that once failed (regression cases)
    Recipe(drop_references=True, cells_reversed=False, prefix=True, indent=True),
    Recipe(row_order=tuple(reversed(range(len(ROWS)))), drop_references=True),
    Recipe(errors=(("I4", "#DIV/0!"),)),
    Recipe(empty_text=frozenset({"E3"}), shared_strings=True),
    Recipe(odd_numbers=(("I5", "2500,5"),)),
]


@settings(
    max_examples=BATCHES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@example(batch=KEPT)
@given(batch=st.lists(recipes, min_size=BATCH, max_size=BATCH))
def test_coopplan_reads_what_libreoffice_shows_or_names_the_cell(
    batch: list[Recipe], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("oracle")
    paths = []
    for number, recipe in enumerate(batch):
        path = folder / f"w{number}.xlsx"
        path.write_bytes(build(recipe))
        paths.append(path)
    shown = libreoffice_projects(paths, folder)
    for recipe, path in zip(batch, paths, strict=True):
        result = load_plan(path)
        check(recipe, result, shown[path.stem])


def check(recipe: Recipe, result: LoadResult, shown: list[dict[str, str]]) -> None:
    """coopplan refused naming only spoiled cells, or read exactly what LibreOffice shows."""
    if not result.ok:
        named = {problem.cell for problem in result.errors}
        assert recipe.refused_cells, (recipe, [str(p) for p in result.errors])
        assert named <= recipe.refused_cells and named, (recipe, named)
        return
    assert not recipe.refused_cells, (recipe, "read although spoiled")
    assert result.plan is not None
    ticks = [s for s in result.plan.sources["name"] if s not in result.plan.amount_sources]
    present = set(shown[0]) if shown else set()  # the shipped file predates «Referente»…
    assert coopplan_projects(result, present) == sorted_rows(as_ticks(shown, ticks)), recipe


def as_ticks(rows: list[dict[str, str]], columns: list[str]) -> list[dict[str, str]]:
    """A tick column as a flag: «Sì» (or another yes word) ticked, anything else not."""
    yes = {normalize_header(word) for word in YES_WORDS}
    return [
        {
            k: ("Sì" if normalize_header(v) in yes else "") if k in columns else v
            for k, v in r.items()
        }
        for r in rows
    ]


def coopplan_projects(result: LoadResult, present: set[str]) -> list[dict[str, str]]:
    """The plan's projects as LibreOffice's CSV writes them: one dict per project, keyed by
    the headers of «Progetti» (an optional column only when ``present`` in the file), amounts
    as numbers, ticks as «Sì» or empty."""
    plan = result.plan
    assert plan is not None
    headers = {
        column.key: column.header
        for column in PROGETTI.columns
        if column.required or column.header in present
    }
    rows = []
    for record in plan.projects.to_dict("records"):
        row = {headers[k]: _text(v) for k, v in record.items() if k in headers}
        funding = plan.funding[plan.funding["project"] == record["id"]]
        for item in funding.to_dict("records"):
            if item["source"] in plan.amount_sources:
                row[item["source"]] = _number(item["amount"])
            else:
                row[item["source"]] = "Sì" if item["flag"] else ""
        rows.append(row)
    return sorted_rows(rows)


def libreoffice_projects(paths: list[Path], folder: Path) -> dict[str, list[dict[str, str]]]:
    """Per workbook (by file stem), the rows of «Progetti» as LibreOffice Calc shows them."""
    out = folder / "csv"
    profile = folder / "profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            CSV_ALL_SHEETS,
            "--outdir",
            str(out),
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    shown = {}
    for path in paths:
        with (out / f"{path.stem}-Progetti.csv").open(encoding="utf-8", newline="") as stream:
            rows = [r for r in csv.DictReader(stream) if any(v.strip() for v in r.values())]
        shown[path.stem] = [
            {k: _number(v) if _is_number(v) else _text(v) for k, v in r.items()} for r in rows
        ]
    return shown


def sorted_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted(rows, key=lambda row: row.get("ID", ""))


def _text(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(value: object) -> str:
    return f"{float(str(value)):g}"
