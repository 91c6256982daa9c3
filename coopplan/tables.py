"""Tables of the plan for people: the status matrix, a pista x source summary, the projects of
a source, the problems of a workbook, the versions of the store; and pages of a long table.

Column headers are Italian; amounts stay numbers (so that sorting works) and are formatted only
at display time. How they are laid out on screen is in ui/layout.py; the files to download are
in coopplan/export/downloads.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from coopplan import kinds
from coopplan.plan import Plan
from coopplan.store.model import Version
from coopplan.workbook.problems import Problem
from coopplan.workbook.schema import PROGETTI, SHEETS, STATUSES, normalize_header

AMOUNT_HEADER = "Importo"

# Headers of the shaped tables (the workbook's own headers where the column is the same).
HEADERS: dict[str, str] = {c.key: c.header for c in PROGETTI.columns} | {
    "track_title": "Titolo pista",
    "done": "Attività realizzate",
    "planned": "Ipotesi di lavoro",
    "spent": "Speso",
    "spent_share": "% speso",
}
MATRIX_COLUMNS = ("track", "title", "status", "done", "planned")
NO_SHARE = -1.0  # «% speso» of a project without a preventivo in euro: shown «—», sorted
# below 0% (a missing value would be drawn «None» by the grid, whatever the Styler says)
SPENDING_COLUMNS = ("spent_share",)  # only for a plan with a consuntivo in euro; the euros are
# on the project's card (one more column would not fit a 1280 px projector with the sidebar)


def matrix_table(plan: Plan) -> pd.DataFrame:
    """One row per project, grouped by pista (workbook order): pista code, project, stato, how
    many items are done and planned, one column per source (amount as a number, flag as bool),
    with a consuntivo «% speso» of its euro sources (those the filter keeps; NO_SHARE for a
    project without a preventivo in euro), and the project ID last (to find the project of a selected
    row)."""
    matrix = plan.status_matrix()
    table = matrix[[*MATRIX_COLUMNS, *plan.source_names, *spending_columns(plan), "id"]]
    if spending_columns(plan):
        table = table.assign(spent_share=table["spent_share"].fillna(NO_SHARE))
    return table.rename(columns=HEADERS).reset_index(drop=True)


def spending_columns(plan: Plan) -> tuple[str, ...]:
    """The consuntivo's columns of the matrix: none without a consuntivo or a source in euro."""
    return SPENDING_COLUMNS if plan.has_spending and plan.amount_sources else ()


def money_columns(plan: Plan) -> list[str]:
    return plan.amount_sources


def flag_columns(plan: Plan) -> list[str]:
    return plan.flag_sources


# Long tables in pages ----------------------------------------------------------------------
# A big plan (thousands of projects) is shown a page of rows at a time: the server styles and
# sends only the rows shown. The shipped plan fits one page, and then nothing changes.

PAGE_SIZE = 100  # rows of the status matrix and of a source's project list per page
# The matrix order chosen before paginating: projects stay grouped by pista (workbook order),
# sorted inside their pista by the chosen column (label on screen -> column, ascending).
MATRIX_SORTS: dict[str, tuple[str | None, bool]] = {
    "Ordine del piano": (None, True),
    "Progetto (A-Z)": (HEADERS["title"], True),
    "Stato": (HEADERS["status"], True),
    "Attività realizzate (prima le più)": (HEADERS["done"], False),
    "Ipotesi di lavoro (prima le più)": (HEADERS["planned"], False),
}


def page_count(rows: int, size: int = PAGE_SIZE) -> int:
    """How many pages of ``size`` rows ``rows`` rows fill (at least one)."""
    return max(1, -(-rows // size))


def page_rows(table: pd.DataFrame, page: int, size: int = PAGE_SIZE) -> pd.DataFrame:
    """Rows of page ``page`` (1-based; out of range is clamped to the first or last page)."""
    page = min(max(page, 1), page_count(len(table), size))
    return table.iloc[(page - 1) * size : page * size]


def matrix_sorts(plan: Plan) -> dict[str, tuple[str | None, bool]]:
    """The sort choices of the matrix: the fixed ones, then each amount source (largest first)."""
    spent = {"% speso (prima i più alti)": (HEADERS["spent_share"], False)}
    return (
        MATRIX_SORTS
        | {f"{name} (prima i più alti)": (name, False) for name in plan.amount_sources}
        | (spent if spending_columns(plan) else {})
    )


def sort_matrix(table: pd.DataFrame, plan: Plan, choice: str) -> pd.DataFrame:
    """``matrix_table`` sorted by ``choice`` (a key of ``matrix_sorts``) inside each pista; the
    piste keep the workbook order. Stati sort in their traffic-light order, ties keep the plan's."""
    column, ascending = matrix_sorts(plan).get(choice, (None, True))
    if column is None:
        return table
    track_rank = {code: i for i, code in enumerate(plan.track_codes)}
    keys = table[column]
    if column == HEADERS["status"]:
        status_rank = {status: i for i, status in enumerate(STATUSES)}
        keys = keys.map(lambda s: status_rank.get(s, len(status_rank)))
    elif column == HEADERS["title"]:
        keys = keys.astype(str).str.casefold()
    order = pd.DataFrame(
        {"track": table[HEADERS["track"]].map(track_rank).to_numpy(), "key": keys.to_numpy()}
    ).sort_values(["track", "key"], ascending=[True, ascending], kind="stable")
    return table.iloc[order.index].reset_index(drop=True)


def track_source_table(plan: Plan) -> pd.DataFrame:
    """Piste x sources, as text: euros for amount sources, 'n progetti' for yes/no sources,
    with a closing 'Totale' row. Index: pista titles."""
    amounts = plan.amount_by_track()
    flags = plan.flags_by_track()
    table = pd.DataFrame(index=plan.track_codes)
    for name in plan.source_names:
        kind = plan.kind_of(name)
        if name in plan.number_sources:
            values = amounts.loc[amounts["source"] == name].set_index("track")["amount"]
        else:
            values = flags.loc[flags["source"] == name].set_index("track")["projects"]
        table[name] = [kinds.format_total(kind, values.get(c, 0)) for c in plan.track_codes]
    table.index = [plan.track_title(code) for code in plan.track_codes]
    totals = plan.source_totals().set_index("source")
    table.loc["Totale"] = [
        kinds.format_total(plan.kind_of(name), totals.loc[name, "total"])
        for name in plan.source_names
    ]
    table.index.name = "Pista"
    return table


def source_projects(plan: Plan, source: str) -> pd.DataFrame:
    """The projects a source pays for: project, pista, stato, amount (amount sources), ID."""
    funded = plan.funded()
    rows = funded.loc[funded["source"] == source].set_index("project")
    projects = plan.projects.loc[plan.projects["id"].isin(rows.index)]
    table = pd.DataFrame(
        {
            HEADERS["title"]: projects["title"].to_numpy(),
            HEADERS["track"]: projects["track"].map(plan.track_title).to_numpy(),
            HEADERS["status"]: projects["status"].to_numpy(),
        }
    )
    if source in plan.amount_sources:
        table[AMOUNT_HEADER] = rows.loc[projects["id"], "amount"].to_numpy(dtype=float)
    table[HEADERS["id"]] = projects["id"].to_numpy()
    return table


def problems_table(
    problems: Sequence[Problem],
    limit: int | None = None,
    headers: Mapping[str, Mapping[int, str]] | None = None,
) -> pd.DataFrame:
    """The problems of a workbook as rows: Gravità, Foglio, Cella (without the sheet, with its
    column's name from ``headers``: «I5 (Referente)»), Problema.

    Which are shown: problems of the whole file first (no sheet: few, and one may say how many
    more the reader only counted), then errors (they block publishing), then warnings; at most
    ``limit`` rows (a broken file can have thousands of problems). How they are shown: the whole
    file's first, then by sheet in workbook order, row and column as numbers (row 5 before row
    12, column B before AA), errors first in one cell.
    """
    chosen = sorted(problems, key=lambda p: (bool(p.sheet), not p.is_error))[:limit]  # stable
    shown = sorted(chosen, key=_place)
    return pd.DataFrame(
        {
            "Gravità": [p.severity.value.capitalize() for p in shown],
            "Foglio": [p.sheet for p in shown],
            "Cella": [_cell_named(p, headers or {}) for p in shown],
            "Problema": [p.message for p in shown],
        }
    )


_SHEET_RANK = {normalize_header(sheet.name): n for n, sheet in enumerate(SHEETS)}


def _place(problem: Problem) -> tuple[bool, int, str, int, int, bool]:
    """Where a problem is, for sorting: the file first, then sheet, row, column, severity."""
    rank = _SHEET_RANK.get(normalize_header(problem.sheet), len(SHEETS))
    row, column = problem.row or 0, problem.column or 0
    return (bool(problem.sheet), rank, problem.sheet, row, column, not problem.is_error)


def _cell_named(problem: Problem, headers: Mapping[str, Mapping[int, str]]) -> str:
    """'I5 (Referente)', 'F:F (Stato)', '9:9', '' (the cell without its sheet)."""
    cell = problem.cell.split("!", 1)[1] if "!" in problem.cell else ""
    name = headers.get(problem.sheet, {}).get(problem.column or 0, "")
    return f"{cell} ({name})" if cell and name else cell


def history_table(versions: list[Version], in_force: int) -> pd.DataFrame:
    """The versions of one plan year, newest first, the one in force (number ``in_force``) and
    the restores marked in the «Stato» column."""
    newest_first = versions[::-1]
    return pd.DataFrame(
        {
            "Versione": [v.number for v in newest_first],
            "Pubblicata il": [v.when for v in newest_first],
            "Da": [v.editor for v in newest_first],
            "Stato": [
                "in vigore" if v.number == in_force else v.restored_text for v in newest_first
            ],
            "Nota": [v.note for v in newest_first],
            "Totali": [v.totals_text() for v in newest_first],
        }
    )
