"""Tables for people: the status matrix as shown on screen, and the downloadable project table.

Column headers are Italian; amounts stay numbers (so that sorting works) and are formatted only
at display time. Downloads are protected against formula injection: a text cell that starts with
= + - @ (or a tab / carriage return) is written with a leading apostrophe, so that Excel and
LibreOffice show it as text instead of running it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from coopplan import fmt, kinds
from coopplan.charts import text_color_on
from coopplan.palette import status_color
from coopplan.plan import Plan
from coopplan.schema import NO, PROGETTI, STATUSES, YES
from coopplan.store import Version
from coopplan.validation import Problem

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
AMOUNT_HEADER = "Importo"

# Headers of the shaped tables (the workbook's own headers where the column is the same).
HEADERS: dict[str, str] = {c.key: c.header for c in PROGETTI.columns} | {
    "track_title": "Titolo pista",
    "done": "Attività realizzate",
    "planned": "Ipotesi di lavoro",
}
# The downloads hold counts of items, and say so (the matrix on screen shows them as numbers).
EXPORT_HEADERS: dict[str, str] = HEADERS | {
    "done": "N. attività realizzate",
    "planned": "N. ipotesi di lavoro",
}
MATRIX_COLUMNS = ("track", "title", "status", "done", "planned")
EXPORT_COLUMNS = (
    "id",
    "track",
    "track_title",
    "group",
    "title",
    "subtitle",
    "budget_line",
    "status",
    "done",
    "planned",
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def matrix_table(plan: Plan) -> pd.DataFrame:
    """One row per project, grouped by pista (workbook order): pista code, project, stato, how
    many items are done and planned, one column per source (amount as a number, flag as bool),
    and the project ID last (to find the project of a selected row)."""
    matrix = plan.status_matrix()
    table = matrix[[*MATRIX_COLUMNS, *plan.source_names, "id"]]
    return table.rename(columns=HEADERS).reset_index(drop=True)


def money_columns(plan: Plan) -> list[str]:
    return plan.amount_sources


def flag_columns(plan: Plan) -> list[str]:
    return plan.flag_sources


def status_style(status: object) -> str:
    """CSS for a stato cell: its traffic-light colour with readable text."""
    color = status_color(str(status))
    return f"background-color: {color}; color: {text_color_on(color)}; font-weight: 600"


TICK = "✓"


def money_or_blank(value: float) -> str:
    """'5.000 €', or nothing for zero (as in the printed budget table: blank = no money)."""
    return fmt.money(value) if value else ""


def tick_or_blank(value: bool) -> str:
    return TICK if value else ""


def styled_matrix(plan: Plan, table: pd.DataFrame | None = None) -> pd.io.formats.style.Styler:
    """The matrix with money as '5.000 €' (blank for none), yes/no sources as '✓' and the stato
    cells in traffic-light colours. Amounts stay numbers underneath, so sorting is numeric; the
    yes/no columns become text (a bool column would be drawn as greyed-out checkboxes).

    ``table``: the rows to show (a page of ``matrix_table``); by default the whole matrix."""
    table = (matrix_table(plan) if table is None else table).copy()
    flags = flag_columns(plan)
    table[flags] = table[flags].map(tick_or_blank)
    styler = table.style.format(money_or_blank, subset=money_columns(plan))
    styler = styler.set_properties(subset=flags, **{"text-align": "center"})
    return styler.map(status_style, subset=[HEADERS["status"]])


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
    return MATRIX_SORTS | {
        f"{name} (prima i più alti)": (name, False) for name in plan.amount_sources
    }


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


# The status matrix on screen --------------------------------------------------------------
# Column widths are estimated from the texts, so that the whole matrix fits the grid's width on a
# 1280x720 projector with the sidebar open (874 px, less the row selection column); on wider
# screens the grid stretches the columns, on a phone it scrolls inside itself.

MATRIX_FIT_PX = 830
CHAR_PX = 7  # an average character of the grid's 14 px Source Sans, rounded up
CELL_PAD_PX = 18  # the cell's padding, both sides
TITLE_PX = (180, 300)  # the project column: never narrower, no need to be wider
SHORT_LABEL_CHARS = 13  # a longer source name gets a short header (the full name in the help)
CONNECTIVES = frozenset(
    "di del dello della dei degli delle da dal dalla per e ed a al alla in con su tra fra".split()
)


@dataclass(frozen=True)
class MatrixColumn:
    name: str  # the column of matrix_table
    label: str  # its header on screen
    width: int  # in px
    help: str  # the header's tooltip: the full name, what the column counts


def text_px(text: str) -> int:
    """The width a cell needs to show ``text`` whole (an estimate on the safe side)."""
    return len(text) * CHAR_PX + CELL_PAD_PX


def short_labels(names: Sequence[str], limit: int = SHORT_LABEL_CHARS) -> dict[str, str]:
    """A short header for each source name: the name itself if short enough; else without a
    first word that other sources share ('Risorse interne' -> 'Interne'), then cut before the
    first connective ('Oneri di funzionamento' -> 'Oneri'). Two sources never read the same."""
    firsts = Counter(name.split()[0].casefold() for name in names if name.split())
    labels = {}
    for name in names:
        words = name.split()
        if len(name) > limit and len(words) > 1 and firsts[words[0].casefold()] > 1:
            words = words[1:]
        if len(" ".join(words)) > limit:
            cut = next((i for i, w in enumerate(words) if i and w.casefold() in CONNECTIVES), 0)
            words = words[:cut] or words
        label = " ".join(words)
        labels[name] = label[:1].upper() + label[1:]
    seen = Counter(labels.values())
    return {name: label if seen[label] == 1 else name for name, label in labels.items()}


def matrix_columns(plan: Plan, table: pd.DataFrame | None = None) -> list[MatrixColumn]:
    """Header, width and help of each column of the status matrix as shown (the ID is not).

    Sources keep their full name as header when the titles still get the room they need;
    otherwise long names get a short header (``short_labels``). Widths come from the rows of
    ``table`` (the page shown; by default the whole matrix).
    """
    table = matrix_table(plan) if table is None else table
    legend = "; ".join(f"{code} = {plan.track_title(code)}" for code in plan.track_codes)
    h = HEADERS
    fixed = [
        MatrixColumn(h["track"], "Pista", _widest("Pista", table[h["track"]]), legend),
        MatrixColumn(h["status"], "Stato", _widest("Stato", table[h["status"]]), ""),
        MatrixColumn(h["done"], "Realizzate", text_px("Realizzate"), h["done"]),
        MatrixColumn(h["planned"], "Ipotesi", text_px("Ipotesi"), h["planned"]),
    ]
    low, high = TITLE_PX
    needed = min(_widest("Progetto", table[h["title"]]), high)
    sources = _source_columns(plan, table, {name: name for name in plan.source_names})
    if MATRIX_FIT_PX - sum(c.width for c in fixed + sources) < needed:
        sources = _source_columns(plan, table, short_labels(plan.source_names))
    room = MATRIX_FIT_PX - sum(c.width for c in fixed + sources)
    title = MatrixColumn(h["title"], "Progetto", max(low, min(needed, room)), "")
    return [fixed[0], title, *fixed[1:], *sources]


def _source_columns(plan: Plan, table: pd.DataFrame, labels: dict[str, str]) -> list[MatrixColumn]:
    columns = []
    for name in plan.source_names:
        kind = plan.kind_of(name)
        if kinds.is_number(kind):
            shown = (kinds.format_value(kind, v) if v else "" for v in table[name])
            widest, what = max(shown, key=len, default=""), kinds.column_help(kind)
        else:
            widest, what = TICK, f"{TICK} = {kinds.column_help(kind)}"
        width = max(text_px(labels[name]), text_px(widest))
        columns.append(MatrixColumn(name, labels[name], width, f"{name}: {what}."))
    return columns


def _widest(header: str, values: pd.Series) -> int:
    return max([text_px(header), *(text_px(str(v)) for v in values)])


def export_table(plan: Plan) -> pd.DataFrame:
    """The project table to download: fixed columns, how many items are done and planned («N.
    attività realizzate», «N. ipotesi di lavoro»), notes, one column per source (amounts as
    numbers, yes/no sources as 'Sì' / 'No')."""
    matrix = plan.status_matrix().set_index("id")
    projects = plan.projects.set_index("id")
    table = pd.DataFrame(index=projects.index)
    for key in EXPORT_COLUMNS:
        if key == "id":
            continue
        source = matrix if key in matrix.columns else projects
        table[key] = source[key]
    table["notes"] = projects["notes"]
    for name in plan.source_names:
        if name in plan.number_sources:
            table[name] = matrix[name].astype(float)
        else:
            table[name] = matrix[name].map({True: YES, False: NO})
    table = table.reset_index()
    return table.rename(columns=EXPORT_HEADERS)


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet could read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _plain_number(value: object) -> object:
    """Whole floats as ints ('5000', not '5000.0'); others unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def csv_bytes(table: pd.DataFrame) -> bytes:
    """CSV for Italian spreadsheets: ';' separated, decimal comma, UTF-8 with BOM, protected."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_cell(str(c)) for c in table.columns])
    for row in table.itertuples(index=False):
        writer.writerow([_csv_value(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value: object) -> object:
    value = _plain_number(value)
    if isinstance(value, float):
        return fmt.number(value, decimals=2).replace(".", "")  # '1234,5' (no thousands dots)
    return safe_cell(value)


def xlsx_bytes(table: pd.DataFrame, money: list[str], sheet: str = "Progetti") -> bytes:
    """The table as an .xlsx: header row, money columns in euros the Italian way in any locale
    (fmt.SPREADSHEET_MONEY, as in the PPTX), text never a formula."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    header_fill = PatternFill("solid", fgColor="1F4E79")
    for c, name in enumerate(table.columns, start=1):
        cell = ws.cell(row=1, column=c, value=str(name))
        cell.data_type = "s"
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        width = max([len(str(name))] + [len(str(v)) for v in table[name].head(200)])
        ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)
    for r, row in enumerate(table.itertuples(index=False), start=2):
        for c, (name, value) in enumerate(zip(table.columns, row, strict=True), start=1):
            value = _plain_number(value)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a text starting with '=' stays text, never a formula
            if name in money:
                cell.number_format = fmt.SPREADSHEET_MONEY
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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


def problems_table(problems: Sequence[Problem], limit: int | None = None) -> pd.DataFrame:
    """The problems of a workbook as rows: Gravità, Foglio, Cella (without the sheet), Problema.

    Problems of the whole file first (no sheet: few, and one may say how many more the reader
    only counted), then errors (they block publishing), then warnings, each in the order found;
    at most ``limit`` rows (a broken file can have thousands of problems).
    """
    ordered = sorted(problems, key=lambda p: (bool(p.sheet), not p.is_error))  # stable
    shown = ordered[:limit]
    return pd.DataFrame(
        {
            "Gravità": [p.severity.value.capitalize() for p in shown],
            "Foglio": [p.sheet for p in shown],
            "Cella": [p.cell.split("!", 1)[1] if "!" in p.cell else "" for p in shown],
            "Problema": [p.message for p in shown],
        }
    )


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
