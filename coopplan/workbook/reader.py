"""Workbook -> Plan: safe intake, every cell as the spreadsheet programs show it (sheetxml),
and validation of every cell.

All problems are collected, never raised: the caller gets a LoadResult with the plan (when the
file could be read at all) and every problem found, each with its sheet, row and column.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, TypeGuard

from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    get_column_letter,
)

from coopplan import fmt, kinds
from coopplan.plan import Plan, PlanMeta
from coopplan.text import clean, removed_characters
from coopplan.workbook import cells, intake, sheetxml
from coopplan.workbook.problems import Problem, Severity, error, has_errors, warning
from coopplan.workbook.schema import (
    ATTIVITA,
    CONSUNTIVO,
    DATE_META,
    FILONI,
    FONTI,
    ITEM_KINDS,
    MAX_CELLS_PER_SHEET,
    META_FIELDS,
    META_MAX_CHARS,
    OPTIONAL_META,
    PIANO,
    PISTE,
    PROGETTI,
    README_SHEET,
    SHEETS,
    STATUSES,
    Column,
    Kind,
    Sheet,
    normalize_header,
)

Source = str | os.PathLike[str] | bytes | BinaryIO

HEADER_SEARCH_ROWS = 5
PLAN_YEARS = (2000, 2099)  # the years a plan may have (inclusive)
FUTURE_DAYS = 31  # a version dated later than this many days after today is warned about
MAX_PROBLEMS = 1000  # listed in full; beyond it only counted  # the header is the first non-empty row among the first few


@dataclass(frozen=True)
class LoadResult:
    plan: Plan | None  # None when the file could not be read as a plan at all
    problems: list[Problem] = field(default_factory=list)
    name: str = ""
    # sheet -> column number (1-based) -> its header, as schema.py names it (a source column:
    # as written); what names a problem's cell: «I5 (Referente)»
    headers: dict[str, dict[int, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the plan exists and no problem blocks it (warnings allowed)."""
        return self.plan is not None and not has_errors(self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def load_plan(source: Source, *, name: str | None = None) -> LoadResult:
    """Read and validate a workbook from a path, bytes or a binary file object."""
    try:
        data, shown_name = intake.read_source(source, name=name)
        intake.check_workbook_bytes(data, shown_name)
    except intake.IntakeError as exc:
        return LoadResult(None, [error(exc.message)], name or "")
    return load_plan_bytes(data, shown_name)


def load_plan_bytes(data: bytes, name: str = "") -> LoadResult:
    """Parse bytes that passed the intake checks (``coopplan.workbook.intake.check_workbook_bytes``).

    Every cell is read by ``coopplan.workbook.sheetxml`` as Excel and LibreOffice show it; a cell that
    cannot be (an error value such as ``#DIV/0!``, number text no program reads) is an error
    naming its sheet, row and column."""
    try:
        book = sheetxml.Book(data)
        return _Reader(book).read(name)
    except sheetxml.BookError:
        message = (
            "Il file sembra un .xlsx ma non si riesce a leggerlo: aprilo in Excel o LibreOffice, "
            "salvalo di nuovo come .xlsx e riprova."
        )
        return LoadResult(None, [error(message)], name)


class _Reader:
    """One pass over a parsed workbook, collecting problems as it builds the tables."""

    def __init__(self, book: sheetxml.Book) -> None:
        self.book = book
        self.problems = _CappedProblems()
        self.sheet_names = {normalize_header(n): n for n in book.sheet_names}
        self.merged_cover: dict[str, set[tuple[int, int | None]]] = {}
        self.sheet_cells: dict[str, sheetxml.SheetCells] = {}
        self.headers: dict[str, dict[int, str]] = {}

    # Entry point ---------------------------------------------------------------------------

    def read(self, name: str) -> LoadResult:
        self._check_sheet_list()
        found = {sheet.name: self._grid(sheet) for sheet in SHEETS if self._present(sheet)}
        grids = {sheet: grid for sheet, grid in found.items() if grid is not None}
        required = {sheet.name for sheet in SHEETS if not sheet.optional}
        if len(grids) < len(found) or not required <= set(grids):
            return LoadResult(None, self.problems, name, self.headers)
        self.grids: dict[str, _Grid] = grids
        meta = self._meta(grids[PIANO.name])
        tracks = self._table(PISTE, grids[PISTE.name])
        track_codes = self._unique(PISTE, tracks, "code", "il codice della pista")
        track_choices = None if grids[PISTE.name].broken else _choices(track_codes)
        lines = self._table(FILONI, grids[FILONI.name], {"track": track_choices})
        sources = self._table(
            FONTI, grids[FONTI.name], {"kind": _choices(kinds.labels(), aliases=kinds.aliases())}
        )
        source_names = self._unique(FONTI, sources, "name", "il nome della fonte")
        projects, funding = self._projects(grids[PROGETTI.name], track_choices, sources)
        project_ids = self._unique(PROGETTI, projects, "id", "l'ID del progetto")
        project_choices = None if grids[PROGETTI.name].broken else _choices(project_ids)
        items = self._table(
            ATTIVITA,
            grids[ATTIVITA.name],
            {"project": project_choices, "kind": _choices(ITEM_KINDS, aliases=_ITEM_ALIASES)},
        )
        spending = self._consuntivo(
            project_choices,
            None if grids[FONTI.name].broken else _choices(source_names),
            sources,
            projects,
            funding,
        )
        self._check_cells()
        self._warn_empty(tracks, lines, source_names, projects)
        self._name_projects(grids[PROGETTI.name], projects)
        self.problems.close()
        plan = Plan.from_records(
            meta,
            tracks=tracks,
            lines=lines,
            sources=sources,
            projects=projects,
            items=items,
            funding=funding,
            spending=spending,
        )
        return LoadResult(plan, self.problems, name, self.headers)

    # Sheets and headers -------------------------------------------------------------------

    def _check_sheet_list(self) -> None:
        """Hidden data sheets, leftover copies («Progetti (2)») and sheets that are not part
        of the plan: which one is read and which one is ignored, said in words. A hidden
        data sheet read while its visible copy is ignored is an error: the secretary most
        likely edited the copy, and publishing would publish the old data."""
        data = {normalize_header(s.name) for s in SHEETS}
        sheets = {m.name: m.state for m in self.book.sheets}
        read = {normalize_header(n): n for n in sheets if normalize_header(n) in data}
        for sheet, visible in sheets.items():
            key = normalize_header(sheet)
            original = _copy_of(sheet)
            if key in data:
                if visible != VISIBLE:
                    self.problems.append(self._hidden_data_sheet(sheet, visible, sheets))
            elif original in data and original in read:
                if sheets[read[original]] == VISIBLE:
                    self.problems.append(
                        warning(
                            f"Il foglio «{sheet}» sembra una copia del foglio "
                            f"«{read[original]}» e viene ignorato: i dati letti sono quelli di "
                            f"«{read[original]}». Se la copia è quella aggiornata, cancella "
                            f"«{read[original]}» e rinomina la copia «{read[original]}».",
                            sheet,
                        )
                    )
            elif key != normalize_header(README_SHEET):
                hidden = _hidden_words(visible)
                self.problems.append(
                    warning(
                        f"Il foglio «{sheet}»{hidden and ' (' + hidden + ')'} non fa parte "
                        "del piano e viene ignorato.",
                        sheet,
                    )
                )

    def _hidden_data_sheet(self, sheet: str, visible: object, sheets: dict) -> Problem:
        copies = [
            n for n, v in sheets.items() if _copy_of(n) == normalize_header(sheet) and v == VISIBLE
        ]
        hidden = _hidden_words(visible)
        if copies:
            ignored = ", ".join(f"«{c}»" for c in copies)
            return error(
                f"Il foglio «{sheet}» è {hidden}: è quello che viene letto, mentre il foglio "
                f"visibile {ignored} viene ignorato. Se hai aggiornato {ignored}, cancella il "
                f"foglio nascosto «{sheet}» e rinomina la copia «{sheet}»; altrimenti "
                f"cancella {ignored} e scopri «{sheet}».",
                sheet,
            )
        return warning(
            f"Il foglio «{sheet}» è {hidden} ma viene letto lo stesso: controlla che sia "
            "quello giusto (in Excel: clic destro su una linguetta, «Scopri»).",
            sheet,
        )

    def _present(self, sheet: Sheet) -> bool:
        """A required sheet is always looked for (its absence is an error); an optional one
        only when the workbook has it."""
        return not sheet.optional or normalize_header(sheet.name) in self.sheet_names

    def _grid(self, sheet: Sheet) -> _Grid | None:
        actual = self.sheet_names.get(normalize_header(sheet.name))
        if actual is None:
            self.problems.append(
                error(
                    f"Manca il foglio «{sheet.name}»: aggiungilo copiandolo dal modello vuoto "
                    "(pagina «Aggiorna il piano»), oppure correggi il nome del foglio.",
                    sheet.name,
                )
            )
            return None
        sheet_cells = self.book.cells(actual, MAX_CELLS_PER_SHEET)
        if sheet_cells.truncated:  # stopped collecting: the sheet is never built
            self.problems.append(
                error(
                    f"Il foglio «{actual}» contiene {fmt.number(sheet_cells.count)} celle "
                    f"piene: il massimo è {fmt.number(MAX_CELLS_PER_SHEET)}. Cancella le righe "
                    "e le colonne che non fanno parte del piano e salva di nuovo.",
                    actual,
                )
            )
            return None
        self.sheet_cells[actual] = sheet_cells
        self.merged_cover[actual] = _covered(tuple(sheet_cells.merged))
        by_row = _by_row(sheet_cells.values)
        header_row, header = self._header(sheet, actual, by_row)
        positions = {normalize_header(h): i for i, h in enumerate(header) if _filled(h)}
        named = {normalize_header(c.header): c.header for c in sheet.columns}
        self.headers[actual] = {
            i + 1: named.get(normalize_header(h), str(h).strip())
            for i, h in enumerate(header)
            if _filled(h)
        }
        width = max(positions.values(), default=-1) + 1
        rows = [(n, [cells_of.get(c, "") for c in range(1, width + 1)]) for n, cells_of in by_row]
        grid = _Grid(actual, rows, header_row, header, positions)
        self._warn_faults(grid, sheet_cells.faults)
        self._warn_strays(grid, sheet_cells.values)
        for column in sheet.columns:
            if column.required and normalize_header(column.header) not in positions:
                self.problems.append(
                    error(
                        f"Nel foglio «{actual}» manca la colonna «{column.header}»: aggiungila "
                        f"nella riga delle intestazioni (riga {header_row}).",
                        actual,
                        header_row,
                    )
                )
                grid.broken = True
        return grid

    def _header(
        self, sheet: Sheet, actual: str, by_row: list[tuple[int, dict[int, object]]]
    ) -> tuple[int, list]:
        """(row, cells from column A) of the header: among the first HEADER_SEARCH_ROWS rows,
        the one naming most of the sheet's columns (the first non-empty row if none does).
        Rows above it (a title) are said once, in one warning."""
        candidates = [(n, row) for n, row in by_row if n <= HEADER_SEARCH_ROWS]
        if not candidates:
            return 1, []
        expected = {normalize_header(c.header) for c in sheet.columns}
        scores = [
            sum(normalize_header(v) in expected for v in row.values()) for _, row in candidates
        ]
        best = max(range(len(candidates)), key=lambda i: (scores[i], -i)) if any(scores) else 0
        number, row = candidates[best]
        if best:
            above = candidates[0]
            first = next(v for v in above[1].values() if _filled(v))
            self.problems.append(
                warning(
                    f"Le intestazioni del foglio «{actual}» sono nella riga {number}, non nella "
                    f"riga {above[0]}: le righe sopra (la prima contiene {cells.show(first)}) "
                    "vengono ignorate. Se sono un titolo, puoi lasciarle; per togliere questo "
                    "avviso, cancellale.",
                    actual,
                    above[0],
                )
            )
        return number, [row.get(c, "") for c in range(1, max(row, default=0) + 1)]

    def _warn_faults(self, grid: _Grid, faults: list[sheetxml.CellFault]) -> None:
        """A cell that cannot be read as the spreadsheet programs show it: an error inside the
        table (a total could be wrong), a warning outside it (it is ignored anyway)."""
        table = {i + 1 for i in grid.positions.values()}
        for fault in faults:
            inside = fault.column in table or fault.row <= grid.header_row
            what = f"La cella {fault.ref} {fault.message}."
            if inside:
                self.problems.append(error(what, grid.name, fault.row, fault.column))
            else:
                self.problems.append(
                    warning(
                        f"{what} È fuori dalla tabella e viene ignorata.",
                        grid.name,
                        fault.row,
                        fault.column,
                    )
                )

    def _warn_strays(self, grid: _Grid, values: dict[tuple[int, int], object]) -> None:
        """One problem per column of values outside the table (no header above them): a
        number in «Progetti» is an error (an amount that no total would count), text a
        warning."""
        header_columns = {i + 1 for i in grid.positions.values()}
        strays: dict[int, list[tuple[int, object]]] = {}
        for (number, column), value in sorted(values.items()):
            if number > grid.header_row and column not in header_columns and _filled(value):
                strays.setdefault(column, []).append((number, value))
        for column, found in sorted(strays.items()):
            self.problems.append(self._stray(grid, column, found))

    def _stray(self, grid: _Grid, column: int, found: list[tuple[int, object]]) -> Problem:
        row, value = found[0]
        letter = get_column_letter(column)
        amounts = [float(v) for _, v in found if _is_amount(v)]
        if len(found) == 1:
            what = f"Il valore {cells.show(value)} è fuori dalla tabella"
        else:
            what = (
                f"{fmt.count(len(found), 'valore', 'valori')} della colonna {letter} (il primo "
                f"è {cells.show(value)}) sono fuori dalla tabella"
            )
        where = f"(la colonna {letter} non ha intestazione nella riga {grid.header_row})"
        if amounts and normalize_header(grid.name) == normalize_header(PROGETTI.name):
            total = fmt.money(sum(amounts))
            return error(
                f"{what} {where}: contiene importi per {total} che non entrerebbero in nessun "
                "totale. Scrivi l'intestazione della fonte sopra la colonna (e aggiungi la "
                "fonte al foglio Fonti), oppure cancella i valori.",
                grid.name,
                row,
                column,
            )
        return warning(
            f"{what} {where} e viene ignorato: se serve, spostalo in una colonna del piano, "
            "altrimenti cancellalo."
            if len(found) == 1
            else f"{what} {where} e vengono ignorati: se servono, spostali in una colonna del "
            "piano, altrimenti cancellali.",
            grid.name,
            row,
            column,
        )

    def _table(
        self, sheet: Sheet, grid: _Grid, choices: dict[str, cells.Choices | None] | None = None
    ) -> list[dict]:
        """The rows of a sheet as dicts keyed by column key; one problem per bad cell."""
        if grid.broken:
            return []
        choices = choices or {}
        layout = [  # per column, once per sheet: where it is and what it accepts
            (column, grid.positions.get(normalize_header(column.header)), choices.get(column.key))
            for column in sheet.columns
        ]
        out = []
        for excel_row, row in grid.data_rows():
            record: dict = {"_row": excel_row}
            for column, index, allowed in layout:
                value = row[index] if index is not None and index < len(row) else ""
                record[column.key] = self._cell(column, value, grid.name, excel_row, index, allowed)
            out.append(record)
        return out

    def _cell(
        self,
        column: Column,
        value: object,
        sheet: str,
        row: int,
        index: int | None,
        allowed: cells.Choices | None,
    ) -> object:
        col = index + 1 if index is not None else None
        if cells.is_empty(value):
            if column.required and (row, col) not in self.merged_cover.get(sheet, ()):
                self.problems.append(
                    error(
                        f"La cella «{column.header}» è vuota ma è obbligatoria: "
                        f"{column.help[0].lower()}{column.help[1:]}",
                        sheet,
                        row,
                        col,
                    )
                )
            return _EMPTY.get(column.kind, "")
        if column.choices_from and allowed is None:
            return cells.parse_text(value)  # the sheet it refers to is broken: said already
        try:
            if column.kind is Kind.CHOICE:
                what = f"un valore di «{column.header}»"
                return cells.parse_choice(value, allowed or _choices(column.choices), what)
            if column.kind is Kind.MONEY:
                return cells.parse_money(value)
            if column.kind is Kind.DATE:
                return cells.parse_date(value)
            return self._text(value, column.max_chars, sheet, row, col)
        except cells.CellError as exc:
            message = _capital(exc.message)
            if column.kind in (Kind.MONEY, Kind.DATE):
                message = f"{column.header}: {exc.message}"
            self.problems.append(error(message, sheet, row, col))
            return None if column.kind in (Kind.MONEY, Kind.DATE) else cells.parse_text(value)

    def _text(self, value: object, limit: int, sheet: str, row: int | None, col: int | None) -> str:
        """A text cell, without invisible characters (a warning names them) and with a warning
        when it is longer than ``limit`` characters (0: no limit)."""
        text = cells.parse_text(value)
        removed = removed_characters(text)
        if removed:
            text = clean(text)
            self.problems.append(
                warning(
                    f"Il testo contiene caratteri invisibili ({', '.join(removed)}) che possono "
                    "cambiare come appare: sono stati tolti. Riscrivi il testo nella cella.",
                    sheet,
                    row,
                    col,
                )
            )
        if limit and len(text) > limit:
            self.problems.append(
                warning(
                    f"Il testo è lungo {fmt.number(len(text))} caratteri: oltre "
                    f"{fmt.number(limit)} non sta per intero sullo schermo o nella slide. "
                    "Accorcialo.",
                    sheet,
                    row,
                    col,
                )
            )
        return text

    def _unique(self, sheet: Sheet, records: list[dict], key: str, what: str) -> list[str]:
        """The distinct non-empty values of a key column, flagging every repeat."""
        seen: dict[str, int] = {}
        first: dict[str, str] = {}  # normalized -> as first written
        for record in records:
            value = record[key]
            if not value:
                continue
            if normalize_header(value) in first:
                column = self._column_index(sheet, key)
                self.problems.append(
                    error(
                        f"{_capital(what)} «{value}» è ripetuto (compare già alla riga "
                        f"{seen[first[normalize_header(value)]]}): ogni valore deve essere "
                        "unico.",
                        sheet.name,
                        record["_row"],
                        column,
                    )
                )
            else:
                seen[value] = record["_row"]
                first[normalize_header(value)] = value
        return list(seen)

    def _column_index(self, sheet: Sheet, key: str) -> int | None:
        grid = self.grids[sheet.name]
        header = normalize_header(sheet.column(key).header)
        if header not in grid.positions:
            return None
        return grid.positions[header] + 1

    # Special sheets -----------------------------------------------------------------------

    def _meta(self, grid: _Grid) -> PlanMeta:
        values: dict[str, tuple[object, int | None, int | None]] = {}
        labels = {normalize_header(label): key for key, label in META_FIELDS.items()}
        if not grid.broken:
            field_col = grid.positions[normalize_header(PIANO.column("field").header)]
            value_col = grid.positions[normalize_header(PIANO.column("value").header)]
            for excel_row, row in grid.data_rows():
                label = row[field_col] if field_col < len(row) else ""
                key = labels.get(normalize_header(label))
                value = row[value_col] if value_col < len(row) else ""
                if key is None:
                    self.problems.append(
                        warning(
                            f"Il campo {cells.show(label)} non è tra quelli previsti "
                            f"({', '.join(META_FIELDS.values())}) e viene ignorato.",
                            grid.name,
                            excel_row,
                            field_col + 1,
                        )
                    )
                    continue
                values[key] = (value, excel_row, value_col + 1)
        parsed: dict[str, object] = {}
        parsers: dict[str, Callable[[object], object]] = {
            "title": cells.parse_text,
            "organization": cells.parse_text,
            "year": cells.parse_int,
        }
        parsers.update(dict.fromkeys(DATE_META, cells.parse_date))
        free_row = max((n for n, _ in grid.data_rows()), default=grid.header_row) + 1
        for key, label in META_FIELDS.items():
            value, at_row, at_col = values.get(key, ("", None, None))
            if key not in values and key not in OPTIONAL_META and not grid.broken:
                at_row, at_col = free_row, self._column_index(PIANO, "field")  # where to add it
                free_row += 1
            if cells.is_empty(value):
                if key not in OPTIONAL_META and not grid.broken:
                    message = (
                        f"Il campo «{label}» del piano è vuoto: scrivi il suo valore nella "
                        "colonna Valore."
                        if key in values
                        else f"Manca il campo «{label}» del piano: scrivi «{label}» in questa "
                        "cella della colonna Campo e il suo valore accanto, nella colonna Valore."
                    )
                    self.problems.append(error(message, grid.name, at_row, at_col))
                parsed[key] = None
                continue
            try:
                parsed[key] = (
                    self._text(value, META_MAX_CHARS, grid.name, at_row, at_col)
                    if parsers[key] is cells.parse_text
                    else parsers[key](value)
                )
            except cells.CellError as exc:
                self.problems.append(error(f"{label}: {exc.message}", grid.name, at_row, at_col))
                parsed[key] = None
        self._check_dates(parsed, values, grid.name)
        return PlanMeta(
            title=str(parsed["title"] or ""),
            organization=str(parsed["organization"] or ""),
            year=int(parsed["year"] or 0),  # type: ignore[call-overload]
            version_date=parsed["version_date"],  # type: ignore[arg-type]
            next_assembly=parsed["next_assembly"],  # type: ignore[arg-type]
        )

    def _check_dates(self, parsed: dict[str, object], at: dict, sheet: str) -> None:
        """A plan year must be one a plan can have (an error: «23» or «20233» would be
        offered as a new plan); a version date before the plan's year, or more than
        FUTURE_DAYS after today, is most likely mistyped (a warning)."""
        year, date = parsed.get("year"), parsed.get("version_date")
        if isinstance(year, int) and not PLAN_YEARS[0] <= year <= PLAN_YEARS[1]:
            _, row, col = at.get("year", ("", None, None))
            self.problems.append(
                error(
                    f"Anno: «{year}» non è un anno plausibile per il "
                    f"piano (da {PLAN_YEARS[0]} a {PLAN_YEARS[1]}): scrivi l'anno con quattro "
                    "cifre, ad esempio 2023.",
                    sheet,
                    row,
                    col,
                )
            )
            parsed["year"] = None
            return
        if not isinstance(date, dt.date) or not isinstance(year, int):
            return
        _, row, col = at.get("version_date", ("", None, None))
        shown = date.strftime("%d/%m/%Y")
        if date.year < year:
            self.problems.append(
                warning(
                    f"Data versione: il {shown} è precedente all'anno del piano ({year}). "
                    "Controlla la data e l'anno.",
                    sheet,
                    row,
                    col,
                )
            )
        elif date > dt.date.today() + dt.timedelta(days=FUTURE_DAYS):
            self.problems.append(
                warning(
                    f"Data versione: il {shown} è nel futuro (oggi è il "
                    f"{dt.date.today().strftime('%d/%m/%Y')}). Controlla la data.",
                    sheet,
                    row,
                    col,
                )
            )

    def _projects(
        self, grid: _Grid, track_choices: cells.Choices | None, sources: list[dict]
    ) -> tuple[list[dict], list[dict]]:
        """Projects and, from the source columns, one funding row per project x source."""
        projects = self._table(
            PROGETTI,
            grid,
            {"track": track_choices, "status": _choices(STATUSES)},
        )
        if grid.broken:
            return projects, []
        source_columns = self._source_columns(grid, sources)
        funding = []
        for record, (excel_row, row) in zip(projects, grid.data_rows(), strict=True):
            for source, index in source_columns:
                value = row[index] if index < len(row) else ""
                funding.append(
                    self._funding_cell(record["id"], source, value, grid.name, excel_row, index + 1)
                )
        return projects, funding

    def _source_columns(self, grid: _Grid, sources: list[dict]) -> list[tuple[dict, int]]:
        fixed = {normalize_header(c.header) for c in PROGETTI.columns}
        found = []
        for source in sources:
            if not source["name"]:
                continue
            index = grid.positions.get(normalize_header(source["name"]))
            if index is None:
                self.problems.append(
                    error(
                        f"La fonte «{source['name']}» del foglio Fonti non ha una colonna nel "
                        "foglio Progetti: aggiungi una colonna con esattamente questo nome.",
                        grid.name,
                        grid.header_row,
                    )
                )
                continue
            found.append((source, index))
        known = fixed | {normalize_header(s["name"]) for s in sources}
        for header_text, index in grid.positions.items():
            if header_text not in known:
                self.problems.append(self._unknown_column(grid, index))
        return found

    def _unknown_column(self, grid: _Grid, index: int) -> Problem:
        """A column of «Progetti» that is neither fixed nor a source: an error if it holds
        amounts (money no total would count: e.g. a source deleted from «Fonti» while its
        column stays), a warning if it holds only text (e.g. «Telefono»)."""
        header = grid.header[index]
        amounts = [
            float(row[index])
            for _, row in grid.data_rows()
            if index < len(row) and _is_amount(row[index])
        ]
        if amounts:
            return error(
                f"La colonna {cells.show(header)} contiene importi per "
                f"{fmt.money(sum(amounts))} ma non è una fonte del foglio Fonti: quegli importi "
                "non entrerebbero in nessun totale. Aggiungi la fonte al foglio Fonti con "
                "esattamente questo nome, oppure cancella la colonna.",
                grid.name,
                grid.header_row,
                index + 1,
            )
        return warning(
            f"La colonna {cells.show(header)} non è una colonna prevista né una fonte del "
            "foglio Fonti e viene ignorata: se è una nuova fonte, aggiungila al foglio Fonti.",
            grid.name,
            grid.header_row,
            index + 1,
        )

    def _funding_cell(
        self, project: str, source: dict, value: object, sheet: str, row: int, col: int
    ) -> dict:
        amount, flag = 0.0, False
        if not kinds.is_known(source["kind"]):
            return {"project": project, "source": source["name"], "amount": amount, "flag": flag}
        try:  # a source whose kind is wrong is already reported on the sheet Fonti
            amount, flag = cells.parse_cell(source["kind"], value, source["name"])
        except cells.CellError as exc:
            self.problems.append(error(_capital(exc.message), sheet, row, col))
        return {"project": project, "source": source["name"], "amount": amount, "flag": flag}

    # The consuntivo -------------------------------------------------------------------------

    def _consuntivo(
        self,
        project_choices: cells.Choices | None,
        source_choices: cells.Choices | None,
        sources: list[dict],
        projects: list[dict],
        funding: list[dict],
    ) -> list[dict]:
        """The rows of the optional sheet «Consuntivo» (none without it), each checked against
        the plan: a known project and a source in euro, once per project x source; a warning
        when speso exceeds impegnato or either exceeds the preventivo."""
        grid = self.grids.get(CONSUNTIVO.name)
        if grid is None:
            return []
        choices = {"project": project_choices, "source": source_choices}
        records = self._table(CONSUNTIVO, grid, choices)
        source_kinds = {s["name"]: s["kind"] for s in sources if s["name"]}
        names = {p["id"]: _project_name(p) for p in projects if p["id"]}
        planned = {(f["project"], f["source"]): f["amount"] for f in funding}
        seen: dict[tuple[str, str], int] = {}
        kept = []
        for record in records:
            project, source = record["project"], record["source"]
            if project not in names or source not in source_kinds:
                continue  # an unknown or empty project or source: said by _table already
            if not self._euro_source(grid, record, source, source_kinds[source]):
                continue
            if (project, source) in seen:
                self._repeated_spending(grid, record, seen[(project, source)])
                continue
            seen[(project, source)] = record["_row"]
            committed, spent = record["committed"], record["spent"]
            if committed is None or spent is None:
                continue  # text or a negative number in an amount: an error already
            where = f"{names[project]}, fonte «{source}»"
            self._check_amounts(grid, record, where, planned.get((project, source), 0.0))
            kept.append(
                {
                    "project": project,
                    "source": source,
                    "committed": committed,
                    "spent": spent,
                    "note": record["note"],
                }
            )
        return kept

    def _euro_source(self, grid: _Grid, record: dict, source: str, kind: object) -> bool:
        if kinds.is_known(kind) and kinds.is_money(str(kind)):
            return True
        label = kinds.label(str(kind)) if kinds.is_known(kind) else str(kind)
        self.problems.append(
            error(
                f"La fonte «{source}» è di tipo «{label}», non in euro: il consuntivo si scrive "
                "solo per le fonti di tipo «Importo». Scegli una fonte in euro o cancella la riga.",
                grid.name,
                record["_row"],
                self._column_index(CONSUNTIVO, "source"),
            )
        )
        return False

    def _repeated_spending(self, grid: _Grid, record: dict, first: int) -> None:
        self.problems.append(
            error(
                f"Il progetto «{record['project']}» con la fonte «{record['source']}» compare "
                f"già alla riga {first}: scrivi una sola riga per progetto e fonte, con le somme "
                "complessive, e cancella questa.",
                grid.name,
                record["_row"],
                self._column_index(CONSUNTIVO, "project"),
            )
        )

    def _check_amounts(self, grid: _Grid, record: dict, where: str, planned: float) -> None:
        """Warnings: speso beyond impegnato; impegnato or speso beyond the preventivo (both
        figures named, in the cell of the amount)."""
        committed, spent, row = record["committed"], record["spent"], record["_row"]
        if spent > committed:
            self.problems.append(
                warning(
                    f"{where}: lo speso ({fmt.money(spent)}) è più dell'impegnato "
                    f"({fmt.money(committed)}). Di solito si paga ciò che si è impegnato: "
                    "controlla le due cifre.",
                    grid.name,
                    row,
                    self._column_index(CONSUNTIVO, "spent"),
                )
            )
        over = [
            (key, f"{word} {fmt.money(record[key])}")
            for key, word in (("committed", "impegnato"), ("spent", "speso"))
            if record[key] > planned
        ]
        if over:
            said = " e ".join(words for _, words in over)
            self.problems.append(
                warning(
                    f"{where}: {said}, oltre il preventivo di {fmt.money(planned)} del foglio "
                    "Progetti. Se è giusto, spiega il perché nella colonna Nota; altrimenti "
                    "correggi l'importo.",
                    grid.name,
                    row,
                    self._column_index(CONSUNTIVO, over[0][0]),
                )
            )

    # Whole-workbook checks ----------------------------------------------------------------

    def _name_projects(self, grid: _Grid, projects: list[dict]) -> None:
        """Put the project's title and ID before each problem in a cell of its row of
        «Progetti», so that a reader need not look the row up to know which project it is."""
        names = {p["_row"]: _project_name(p) for p in projects if _project_name(p)}
        table = {i + 1 for i in grid.positions.values()}
        for at, problem in enumerate(self.problems):
            if problem.sheet == grid.name and problem.row in names and problem.column in table:
                message = (
                    f"{names[problem.row]}: {problem.message[:1].lower()}{problem.message[1:]}"
                )
                self.problems[at] = dataclasses.replace(problem, message=message)

    def _check_cells(self) -> None:
        """Formulas without a saved value and merged cells, in the data sheets."""
        for sheet_name, scan in self.sheet_cells.items():
            for row, col in scan.formulas_without_value:
                self.problems.append(
                    error(
                        "La cella contiene una formula senza valore calcolato: apri il file in "
                        "Excel o LibreOffice, lascia che ricalcoli e salvalo di nuovo (oppure "
                        "scrivi il valore al posto della formula).",
                        sheet_name,
                        row,
                        col,
                    )
                )
            for merged in scan.merged:
                row, col = _split_ref(merged.split(":")[0])
                self.problems.append(
                    error(
                        f"Le celle {merged} sono unite: nei fogli dei dati ogni valore va in una "
                        "cella sola. Seleziona le celle e scegli «Dividi celle».",
                        sheet_name,
                        row,
                        col,
                    )
                )

    def _warn_empty(
        self, tracks: list[dict], lines: list[dict], sources: list[str], projects: list[dict]
    ) -> None:
        if not projects and not has_errors(self.problems):
            self.problems.append(
                warning("Il foglio Progetti non contiene progetti.", PROGETTI.name)
            )
        if not sources and not has_errors(self.problems):
            self.problems.append(warning("Il foglio Fonti non contiene fonti.", FONTI.name))
        with_lines = {line["track"] for line in lines}
        for track in tracks:
            if track["code"] and track["code"] not in with_lines:
                self.problems.append(
                    warning(
                        f"La pista «{track['code']}» non ha filoni nel foglio Filoni.",
                        PISTE.name,
                        track["_row"],
                    )
                )


class _CappedProblems(list[Problem]):
    """A list of problems that keeps the first MAX_PROBLEMS and counts the rest.

    A workbook with a mistake repeated on every row would otherwise produce hundreds of
    thousands of messages: nobody reads them, and they cost time and memory.
    """

    def __init__(self) -> None:
        super().__init__()
        self.dropped = {Severity.ERROR: 0, Severity.WARNING: 0}

    def append(self, problem: Problem) -> None:
        if len(self) < MAX_PROBLEMS:
            super().append(problem)
        else:
            self.dropped[problem.severity] += 1

    def close(self) -> None:
        """One notice per severity for what was not listed, standing for that many problems."""
        words = {Severity.ERROR: ("errore", "errori"), Severity.WARNING: ("avviso", "avvisi")}
        for severity, dropped in self.dropped.items():
            if dropped:
                what = fmt.count(dropped, *words[severity])
                super().append(
                    Problem(
                        severity,
                        f"Ci sono altri {what} oltre ai {fmt.number(MAX_PROBLEMS)} problemi "
                        "elencati: correggi questi (spesso hanno la stessa causa) e controlla "
                        "di nuovo il file.",
                        count=dropped,
                    )
                )
            self.dropped[severity] = 0


@dataclass
class _Grid:
    """A sheet's non-empty rows (Excel row number, cells from column A up to the last header),
    where its header is, and its columns."""

    name: str
    rows: list[tuple[int, list]]
    header_row: int  # 1-based, as in Excel
    header: list
    positions: dict[str, int]  # normalized header -> 0-based column index
    broken: bool = False

    def data_rows(self) -> list[tuple[int, list]]:
        """(Excel row number, cells) for every non-empty row below the header."""
        return [(n, row) for n, row in self.rows if n > self.header_row and any(map(_filled, row))]


_EMPTY: dict[Kind, object] = {Kind.MONEY: 0.0, Kind.DATE: None}
"""What an empty cell of a column of this kind reads as ("" for the others)."""

_ITEM_ALIASES = {"realizzate": "done", "realizzato": "done", "ipotesi": "planned"}


def _choices(
    values: dict[str, str] | list[str] | tuple[str, ...], aliases: dict[str, str] | None = None
) -> cells.Choices:
    """The allowed values of a column.

    A dict maps canonical keys to labels (e.g. {"done": "Realizzata"}): the key, the label and
    the aliases are accepted, the key is stored and the labels are what messages list.
    A list accepts, stores and lists its values.
    """
    if isinstance(values, dict):
        lookup = {normalize_header(key): key for key in values}
        lookup.update({normalize_header(a): key for a, key in (aliases or {}).items()})
        lookup.update({normalize_header(label): key for key, label in values.items()})
        return cells.Choices(lookup, tuple(values.values()))
    return cells.Choices({normalize_header(v): v for v in values}, tuple(values))


def _covered(ranges: tuple[str, ...]) -> set[tuple[int, int | None]]:
    """(row, column) of the cells hidden under a merge (all but the top-left one)."""
    hidden: set[tuple[int, int | None]] = set()
    for merged in ranges:
        first, _, last = merged.partition(":")
        (top, left), (bottom, right) = _split_ref(first), _split_ref(last or first)
        hidden |= {(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)}
        hidden.discard((top, left))
    return hidden


def _filled(value: object) -> bool:
    return not (value is None or (isinstance(value, str) and not value.strip()))


_COPY = re.compile(r"^(?:copia di\s+)?(.+?)(?:\s*\(\d+\)|_\d+)?$", re.IGNORECASE)


def _copy_of(sheet: str) -> str:
    """The normalized name a sheet is a copy of, as Excel («Progetti (2)»), LibreOffice
    («Progetti_2») or a person («Copia di Progetti») names copies; "" if not a copy."""
    match = _COPY.match(sheet.strip())
    original = normalize_header(match.group(1)) if match else ""
    return original if original != normalize_header(sheet) else ""


VISIBLE = "visible"  # a sheet's state in xl/workbook.xml (ECMA-376 §18.18.68 ST_SheetState)


def _hidden_words(state: object) -> str:
    """How a sheet is hidden, in words ("" when visible)."""
    if state == "veryHidden":
        return "nascosto in modo da non comparire nemmeno tra i fogli da scoprire"
    if state == "hidden":
        return "nascosto"
    return ""


def _project_name(project: dict) -> str:
    """'Progetto «Sportello» (P1-02)', 'Progetto P1-02' or '' (no title, no ID)."""
    title, project_id = project.get("title") or "", project.get("id") or ""
    if title and project_id:
        return f"Progetto «{title}» ({project_id})"
    return f"Progetto «{title}»" if title else f"Progetto {project_id}" if project_id else ""


def _is_amount(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _by_row(values: dict[tuple[int, int], object]) -> list[tuple[int, dict[int, object]]]:
    """(row, {column: value}) of the rows holding a filled value, top to bottom, whatever
    order the file wrote them in."""
    rows: dict[int, dict[int, object]] = {}
    for (row, column), value in values.items():
        if _filled(value):
            rows.setdefault(row, {})[column] = value
    return sorted(rows.items())


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _split_ref(ref: str) -> tuple[int, int]:
    letters, row = coordinate_from_string(ref.replace("$", ""))
    return row, column_index_from_string(letters)
