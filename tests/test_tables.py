"""coopplan.tables: the status matrix, and the downloads protected against formula injection."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import openpyxl
import pytest
from support.paths import SHIPPED
from support.sample import generate_plan

from coopplan import load_plan, tables
from coopplan.export import downloads
from coopplan.plan import Plan
from ui import layout


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(SHIPPED).plan


def hostile(plan: Plan) -> Plan:
    """The plan with texts that a spreadsheet would run as formulas."""
    projects = plan.projects.copy()
    projects.loc[0, "title"] = '=HYPERLINK("http://example.invalid","clic")'
    projects.loc[1, "title"] = "+1+2"
    projects.loc[2, "notes"] = "-2+3"
    projects.loc[3, "notes"] = "@SUM(A1:A2)"
    projects.loc[4, "group"] = "\t=1+1"
    projects.loc[5, "subtitle"] = "\r=1+1"
    return dataclasses.replace(plan, projects=projects)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the accents right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_matrix_one_row_per_project_grouped_by_pista(plan: Plan) -> None:
    table = tables.matrix_table(plan)
    assert len(table) == len(plan.projects) == 18
    assert list(table["ID"]) == list(plan.projects["id"])
    assert list(table["Pista"]) == sorted(table["Pista"], key=plan.track_codes.index)
    assert table.loc[table["ID"] == "P2-01", "Oneri di funzionamento"].item() == 41000.0
    assert table["Risorse interne"].dtype == bool
    assert table.loc[
        table["ID"] == "P1-03", ["Attività realizzate", "Ipotesi di lavoro"]
    ].values.tolist() == [[1, 2]]


def test_matrix_display_formats_money_and_ticks_but_keeps_numbers(plan: Plan) -> None:
    styler = layout.styled_matrix(plan)
    html = styler.to_html()
    assert "41.000 €" in html and "15.000 €" in html and layout.TICK in html
    assert ">0 €<" not in html  # zero is left blank, as in the printed budget table
    assert styler.data["Oneri di funzionamento"].dtype == float  # sorting sees numbers


def test_csv_download_has_every_project_and_sources(plan: Plan) -> None:
    rows = read_csv(downloads.csv_bytes(downloads.export_table(plan)))
    header, body = rows[0], rows[1:]
    assert len(body) == len(plan.projects)
    assert header[:3] == ["ID", "Pista", "Titolo pista"]
    assert header[-3:] == plan.source_names
    row = dict(zip(header, next(r for r in body if r[0] == "P2-01"), strict=True))
    assert row["Oneri di funzionamento"] == "41000"
    assert row["Risorse interne"] == "Sì"


def test_csv_download_neutralises_formulas(plan: Plan) -> None:
    rows = read_csv(downloads.csv_bytes(downloads.export_table(hostile(plan))))
    cells = [cell for row in rows for cell in row]
    for dangerous in ("=HYPERLINK", "+1+2", "-2+3", "@SUM", "\t=1+1", "\r=1+1"):
        assert not any(cell.startswith(dangerous) for cell in cells), dangerous
        assert any(cell == "'" + dangerous or cell.startswith("'" + dangerous) for cell in cells)
    assert downloads.safe_cell("P1-01") == "P1-01"
    assert downloads.safe_cell(-5.0) == -5.0  # numbers stay numbers


def test_xlsx_download_keeps_formula_text_as_text(plan: Plan, tmp_path: Path) -> None:
    table = downloads.export_table(hostile(plan))
    path = tmp_path / "progetti.xlsx"
    path.write_bytes(downloads.xlsx_bytes(table, tables.money_columns(plan)))
    sheet = openpyxl.load_workbook(path).active
    values = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in values if c.data_type == "f"]
    titles = [c.value for c in values if isinstance(c.value, str)]
    assert '=HYPERLINK("http://example.invalid","clic")' in titles
    header = [c.value for c in sheet[1]]
    oneri = header.index("Oneri di funzionamento") + 1
    cell = next(r[oneri - 1] for r in sheet.iter_rows(min_row=2) if r[0].value == "P2-01")
    assert cell.value == 41000 and "€" in cell.number_format


def test_downloads_name_counts_as_counts_and_money_the_italian_way(
    plan: Plan, tmp_path: Path
) -> None:
    table = downloads.export_table(plan)
    assert "Attività realizzate" not in table.columns and "Ipotesi di lavoro" not in table.columns
    rows = read_csv(downloads.csv_bytes(table))
    row = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == "P1-03"), strict=True))
    assert (row["N. attività realizzate"], row["N. ipotesi di lavoro"]) == ("1", "2")
    assert row["Risorse Coop Re-Start"] == "5000"  # the CSV keeps plain numbers
    path = tmp_path / "progetti.xlsx"
    path.write_bytes(downloads.xlsx_bytes(table, tables.money_columns(plan)))
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    for name in plan.amount_sources:  # '25.000 €' in Excel and LibreOffice of any locale
        column = header.index(name)
        formats = {r[column].number_format for r in sheet.iter_rows(min_row=2)}
        assert formats == {'[$-410]#,##0 "€"'}, name
    done = header.index("N. attività realizzate")
    assert {r[done].number_format for r in sheet.iter_rows(min_row=2)} == {"General"}


def test_problems_table_shows_file_problems_first_then_cells_in_sheet_row_column_order() -> None:
    from coopplan.workbook.problems import error, warning

    problems = [
        warning("Colonna in più", "Progetti", 1, 12),
        error("Valore non valido", "Progetti", 3, 7),
        warning("Riga vuota", "Attività", 9),
        error("Ci sono altri 4.923 problemi oltre ai 1.000 elencati"),
        error("Importo negativo", "Progetti", 12, 9),
        error("Importo negativo", "Progetti", 5, 27),
        error("Importo negativo", "Progetti", 5, 9),
        warning("Titolo lungo", "Piste", 2, 2),
    ]
    headers = {"Progetti": {7: "Stato", 9: "Budget", 12: "Colonna in più"}}
    table = tables.problems_table(problems, headers=headers)
    assert list(table["Problema"]) == [
        "Ci sono altri 4.923 problemi oltre ai 1.000 elencati",
        "Titolo lungo",  # «Piste» comes before «Progetti» in the workbook
        "Colonna in più",
        "Valore non valido",
        "Importo negativo",
        "Importo negativo",
        "Importo negativo",
        "Riga vuota",
    ]
    assert list(table["Cella"]) == [
        "",
        "B2",  # no header known: the cell alone
        "L1 (Colonna in più)",
        "G3 (Stato)",
        "I5 (Budget)",  # row 5 before row 12
        "AA5",  # column I before AA
        "I12 (Budget)",
        "9:9",
    ]


def test_problems_table_keeps_the_errors_when_it_stops_at_the_limit() -> None:
    from coopplan.workbook.problems import error, warning

    problems = [warning(f"Avviso {n}", "Progetti", n, 3) for n in range(2, 6)]
    problems += [error("Negativo", "Progetti", 40, 9), error("Ci sono altri 10 problemi")]
    table = tables.problems_table(problems, limit=3)
    assert list(table["Problema"]) == ["Ci sono altri 10 problemi", "Avviso 2", "Negativo"]


def test_track_source_table_counts_flags_and_sums_money(plan: Plan) -> None:
    table = tables.track_source_table(plan)
    assert list(table.index) == [plan.track_title(c) for c in plan.track_codes] + ["Totale"]
    assert table.loc["Totale"].tolist() == ["25.000 €", "41.000 €", "15 progetti"]
    assert table.loc["Curare le risorse umane", "Risorse interne"] == "3 progetti"


def test_filtered_downloads_hold_only_the_filtered_projects(plan: Plan) -> None:
    view = plan.filter(sources=["Oneri di funzionamento"])
    rows = read_csv(downloads.csv_bytes(downloads.export_table(view)))
    assert [r[0] for r in rows[1:]] == ["P2-01"]
    assert rows[0][-1] == "Oneri di funzionamento"  # totals restricted to the chosen source


def test_tables_work_on_a_generated_plan_with_more_sources() -> None:
    five = generate_plan(n_tracks=5, n_projects=60, extra_sources=2, seed=4)
    assert len(tables.matrix_table(five)) == 60
    # 11 fixed columns, Referente and Scadenza, one per source
    assert len(downloads.export_table(five).columns) == 13 + len(five.source_names)
    assert len(tables.track_source_table(five)) == 6


def test_matrix_columns_fit_a_projector_with_the_sidebar_open(plan: Plan) -> None:
    columns = layout.matrix_columns(plan)
    assert sum(c.width for c in columns) <= layout.MATRIX_FIT_PX
    assert "ID" not in [c.name for c in columns]  # the internal ID is not shown
    labels = {c.name: c.label for c in columns}
    assert labels["Oneri di funzionamento"] == "Oneri"
    assert labels["Risorse Coop Re-Start"] == "Coop Re-Start"
    assert labels["Risorse interne"] == "Interne"
    helps = {c.name: c.help for c in columns}
    assert all(name in helps[name] for name in plan.source_names)  # the full name, on hover
    money = next(c for c in columns if c.name == "Oneri di funzionamento")
    assert money.width >= layout.text_px("41.000 €")  # the widest amount shows whole
    title = next(c for c in columns if c.name == "Progetto")
    assert title.width == max(c.width for c in columns)  # the titles get the most room


def test_short_source_labels_stay_distinct() -> None:
    names = ["Fondo regionale per le imprese", "Fondo regionale per il lavoro", "Quote"]
    labels = layout.short_labels(names)
    assert len(set(labels.values())) == len(names)
    assert labels["Quote"] == "Quote"


def test_pages_of_rows_and_matrix_sorts_keep_the_piste_in_order() -> None:
    big = generate_plan(n_tracks=3, n_projects=250, extra_sources=0, seed=5)
    table = tables.matrix_table(big)
    assert tables.page_count(len(table)) == 3
    assert tables.page_count(0) == 1
    assert len(tables.page_rows(table, 3)) == 50
    assert list(tables.page_rows(table, 99)["ID"]) == list(table["ID"][200:])  # clamped
    for choice in tables.matrix_sorts(big):
        ordered = tables.sort_matrix(table, big, choice)
        assert sorted(ordered["ID"]) == sorted(table["ID"])
        ranks = ordered["Pista"].map(big.track_codes.index)
        assert ranks.is_monotonic_increasing, choice  # grouping by pista preserved
    by_status = tables.sort_matrix(table, big, "Stato")
    for _, rows in by_status.groupby("Pista"):
        order = rows["Stato"].map(list(tables.STATUSES).index)
        assert order.is_monotonic_increasing
