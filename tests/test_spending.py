"""The consuntivo (sheet «Consuntivo»), referente, scadenza and the next assembly: reading,
validation in Italian naming the cell, the figures per source and per pista, filters, what
falls due, and the example workbook."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import math

import openpyxl
import pytest
from support.paths import ROOT, SHIPPED
from support.sample import generate_plan
from support.workbooks import edited_workbook

from coopplan import load_plan, spending
from coopplan.export.jsonplan import plan_from_dict, plan_to_dict
from coopplan.plan import Plan
from coopplan.workbook.schema import SHEETS
from coopplan.workbook.writer import template_plan, workbook_bytes

EXAMPLE = ROOT / "data" / "esempio_consuntivo.xlsx"
TODAY = dt.date(2026, 12, 6)  # the example's version date is 25/11/2026, its assembly 18/12/2026
RCS, ONERI = "Risorse Coop Re-Start", "Oneri di funzionamento"


@pytest.fixture(scope="module")
def example() -> Plan:
    result = load_plan(EXAMPLE)
    assert result.ok, [str(p) for p in result.problems]
    return result.plan


@pytest.fixture(scope="module")
def shipped() -> Plan:
    return load_plan(SHIPPED).plan


def consuntivo(*rows: tuple) -> bytes:
    """The example workbook with the rows of «Consuntivo» replaced by ``rows``."""

    def edit(book: openpyxl.Workbook) -> None:
        sheet = book["Consuntivo"]
        sheet.delete_rows(2, sheet.max_row)
        for row in rows:
            sheet.append(list(row))

    return edited_workbook(edit, EXAMPLE)


def problems(data: bytes) -> list[tuple[str, bool, str]]:
    return [(p.cell, p.is_error, p.message) for p in load_plan(data).problems]


def errors(data: bytes) -> list[tuple[str, bool, str]]:
    """The errors (the example workbook has one warning of its own: Matching cooperativo)."""
    return [p for p in problems(data) if p[1]]


# The workbook ------------------------------------------------------------------------------


def test_a_plan_without_a_consuntivo_is_valid_and_says_so(shipped: Plan) -> None:
    assert not shipped.has_spending
    assert spending.spending_sentences(shipped) == ["Consuntivo non ancora inserito."]
    assert shipped.meta.next_assembly is None
    assert set(shipped.projects["owner"]) == {""}
    assert shipped.projects["due"].isna().all()
    assert plan_to_dict(shipped)["plan"]["has_spending"] is False


def test_an_empty_consuntivo_sheet_is_no_consuntivo(shipped: Plan) -> None:
    written = load_plan(workbook_bytes(shipped))
    assert written.ok and not written.problems
    assert "Consuntivo" in openpyxl.load_workbook(io.BytesIO(workbook_bytes(shipped))).sheetnames
    assert not written.plan.has_spending


def test_every_workbook_written_has_the_consuntivo_sheet_with_its_lists(shipped: Plan) -> None:
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(template_plan(shipped))))
    assert book.sheetnames == ["Leggimi"] + [s.name for s in SHEETS]
    sheet = book["Consuntivo"]
    assert [c.value for c in sheet[1]] == ["Progetto", "Fonte", "Impegnato €", "Speso €", "Nota"]
    checks = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    assert checks["A2"].formula1 == "='Progetti'!$A$2:$A$5000"
    assert checks["B2"].formula1 == "='Fonti'!$A$2:$A$5000"
    assert checks["C2"].type == "decimal" and checks["D2"].type == "decimal"
    projects = [c.value for c in book["Progetti"][1]]
    assert projects[8:10] == ["Referente", "Scadenza"]
    readme = "\n".join(str(c.value) for c in book["Leggimi"]["A"] if c.value)
    assert "Foglio «Consuntivo» (facoltativo)" in readme
    assert "Prossima assemblea" in readme


def test_the_example_reads_its_consuntivo_referenti_and_dates(example: Plan) -> None:
    assert example.meta.title.startswith("Esempio")
    assert example.meta.next_assembly == dt.date(2026, 12, 18)
    card = example.project("P1-03")
    assert (card.owner, card.due) == ("Anna Rossi", dt.date(2026, 11, 13))
    assert [(s.source, s.planned, s.committed, s.spent) for s in card.spending] == [
        (RCS, 5000.0, 5000.0, 4500.0)
    ]
    assert example.project("P4-03").spending[0].committed == 0  # planned, nothing entered yet


def test_the_example_is_the_build_of_its_script(example: Plan, shipped: Plan) -> None:
    spec = importlib.util.spec_from_file_location(
        "build_example", ROOT / "scripts" / "build_example.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = load_plan(workbook_bytes(module.example_plan(shipped))).plan
    assert rebuilt.digest == example.digest


def test_workbook_and_json_round_trips_keep_the_consuntivo() -> None:
    plan = generate_plan(n_projects=60, with_spending=True, seed=3)
    assert len(plan.spending) > 10
    back = load_plan(workbook_bytes(plan)).plan
    json_back = plan_from_dict(plan_to_dict(plan))
    for other in (back, json_back):
        for table in ("projects", "funding", "spending"):
            assert getattr(other, table).equals(getattr(plan, table)), table
        assert other.meta == plan.meta
        assert other.has_spending


def test_the_json_export_carries_the_new_fields(example: Plan) -> None:
    data = plan_to_dict(example)
    assert data["plan"]["next_assembly"] == "2026-12-18"
    sources = {s["name"]: s for s in data["funding_sources"]}
    assert (sources[RCS]["committed"], sources[RCS]["spent"]) == (17200, 13700)
    project = next(p for p in data["projects"] if p["id"] == "P2-05")
    assert project["owner"] == "Luca Ferrari" and project["due"] == "2027-01-24"
    assert project["spending"] == {
        RCS: {
            "committed": 3200,
            "spent": 3200,
            "note": "Due incontri in più richiesti dalle cooperative",
        }
    }
    assert next(p for p in data["projects"] if p["id"] == "P4-03")["spending"] == {}


# Validation --------------------------------------------------------------------------------


def test_a_valid_consuntivo_row_has_no_problem() -> None:
    assert problems(consuntivo(("P1-03", RCS, 4000, 3000, ""))) == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ("P9-99", RCS, 100, 0, ""),
            (
                "Consuntivo!A2",
                True,
                "«P9-99» non è un valore di «Progetto» valido: i valori ammessi sono P1-01, "
                "P1-02, P1-03, P1-04, P1-05, P2-01, P2-02, P2-03 … (in tutto 18).",
            ),
        ),
        (
            ("P1-03", "Fondo inventato", 100, 0, ""),
            (
                "Consuntivo!B2",
                True,
                "«Fondo inventato» non è un valore di «Fonte» valido: i valori ammessi sono "
                "Risorse Coop Re-Start, Oneri di funzionamento, Risorse interne.",
            ),
        ),
        (
            ("P1-03", "Risorse interne", 100, 0, ""),
            (
                "Consuntivo!B2",
                True,
                "La fonte «Risorse interne» è di tipo «Sì/No», non in euro: il consuntivo si "
                "scrive solo per le fonti di tipo «Importo». Scegli una fonte in euro o cancella "
                "la riga.",
            ),
        ),
        (
            ("P1-03", RCS, -500, 0, ""),
            (
                "Consuntivo!C2",
                True,
                "Impegnato €: l'importo «−500 €» è negativo: gli importi devono essere zero o "
                "positivi.",
            ),
        ),
        (
            ("P1-03", RCS, 1000, "5.000 €", ""),
            (
                "Consuntivo!D2",
                True,
                "Speso €: «5.000 €» è un testo, non un importo: scrivi solo la cifra come numero "
                "(ad esempio 5000), senza punti né simbolo €; il formato in euro lo applica il "
                "file.",
            ),
        ),
        (
            ("P1-03", RCS, 1000, 1500, ""),
            (
                "Consuntivo!D2",
                False,
                "Progetto «Rating cooperativo» (P1-03), fonte «Risorse Coop Re-Start»: lo speso "
                "(1.500 €) è più dell'impegnato (1.000 €). Di solito si paga ciò che si è "
                "impegnato: controlla le due cifre.",
            ),
        ),
        (
            ("P1-03", RCS, 6000, 2000, ""),
            (
                "Consuntivo!C2",
                False,
                "Progetto «Rating cooperativo» (P1-03), fonte «Risorse Coop Re-Start»: impegnato "
                "6.000 €, oltre il preventivo di 5.000 € del foglio Progetti. Se è giusto, spiega "
                "il perché nella colonna Nota; altrimenti correggi l'importo.",
            ),
        ),
        (
            ("P1-01", ONERI, 0, 300, "Spesa imprevista"),
            (
                "Consuntivo!D2",
                False,
                "Progetto «La Cooperazione scende in Piazza» (P1-01), fonte «Oneri di "
                "funzionamento»: lo speso (300 €) è più dell'impegnato (0 €). Di solito si paga "
                "ciò che si è impegnato: controlla le due cifre.",
            ),
        ),
    ],
)
def test_a_bad_consuntivo_cell_is_named_in_italian(row: tuple, expected: tuple) -> None:
    assert expected in problems(consuntivo(row))


def test_beyond_the_preventivo_names_both_figures_once() -> None:
    found = problems(consuntivo(("P2-05", RCS, 3200, 3000, "")))
    assert found == [
        (
            "Consuntivo!C2",
            False,
            "Progetto «Matching cooperativo» (P2-05), fonte «Risorse Coop Re-Start»: impegnato "
            "3.200 € e speso 3.000 €, oltre il preventivo di 2.500 € del foglio Progetti. Se è "
            "giusto, spiega il perché nella colonna Nota; altrimenti correggi l'importo.",
        )
    ]


def test_a_repeated_project_and_source_is_an_error_naming_the_first_row() -> None:
    found = problems(consuntivo(("P1-03", RCS, 1000, 0, ""), ("P1-03", RCS, 500, 0, "")))
    assert found == [
        (
            "Consuntivo!A3",
            True,
            "Il progetto «P1-03» con la fonte «Risorse Coop Re-Start» compare già alla riga 2: "
            "scrivi una sola riga per progetto e fonte, con le somme complessive, e cancella "
            "questa.",
        )
    ]


def test_a_scadenza_that_is_not_a_date_is_named() -> None:
    def edit(book: openpyxl.Workbook) -> None:
        book["Progetti"]["J4"] = "fine giugno"

    assert errors(edited_workbook(edit, EXAMPLE)) == [
        (
            "Progetti!J4",
            True,
            "Progetto «Rating cooperativo» (P1-03): scadenza: «fine giugno» non è una data: "
            "scrivi la data nel formato gg/mm/aaaa, ad esempio 01/03/2023.",
        )
    ]


def test_a_next_assembly_that_is_not_a_date_is_named() -> None:
    def edit(book: openpyxl.Workbook) -> None:
        book["Piano"]["B6"] = "a dicembre"

    assert errors(edited_workbook(edit, EXAMPLE)) == [
        (
            "Piano!B6",
            True,
            "Prossima assemblea: «a dicembre» non è una data: scrivi la data nel formato "
            "gg/mm/aaaa, ad esempio 01/03/2023.",
        )
    ]


# The figures -------------------------------------------------------------------------------


def test_figures_per_source(example: Plan) -> None:
    table = example.spending_by_source().set_index("source")
    rcs, oneri = table.loc[RCS], table.loc[ONERI]
    assert (rcs["planned"], rcs["committed"], rcs["spent"], rcs["remaining"]) == (
        25000,
        17200,
        13700,
        11300,
    )
    assert rcs["spent_share"] == pytest.approx(0.548)
    assert (rcs["variance"], rcs["variance_share"]) == (-7800, pytest.approx(-0.312))
    assert rcs["notes"] == (
        "La riforma del Terzo settore: Seconda edizione dei seminari rinviata; "
        "Matching cooperativo: Due incontri in più richiesti dalle cooperative"
    )
    assert (oneri["spent"], oneri["remaining"], oneri["variance"], oneri["notes"]) == (
        20500,
        20500,
        0,
        "",
    )
    shown = spending.display_table(example.spending_by_source(), "source")
    assert shown.iloc[0].tolist() == [
        RCS,
        25000.0,
        17200.0,
        13700.0,
        11300.0,
        "54,8%",
        "−7.800 €",
        "−31,2%",
        rcs["notes"],
    ]


def test_figures_per_track_add_up_to_the_sources(example: Plan) -> None:
    tracks = example.spending_by_track().set_index("track")
    assert tracks["planned"].sum() == 66000 and tracks["spent"].sum() == 34200
    assert tuple(tracks.loc["P2", ["planned", "committed", "spent"]]) == (43500, 44200, 23700)
    assert math.isnan(tracks.loc["P3", "spent_share"])  # no preventivo in euro: no share
    assert tracks.loc["P4", "variance_share"] == -1.0  # Spazi cooperativi: nothing committed


def test_sentences_a_president_reads(example: Plan) -> None:
    assert spending.spending_sentences(example) == [
        "In tutto: spesi 34.200 € su 66.000 € (51,8%), impegnati 58.200 €, restano 31.800 €.",
        "Risorse Coop Re-Start: spesi 13.700 € su 25.000 € (54,8%), impegnati 17.200 €, "
        "restano 11.300 €.",
        "Oneri di funzionamento: spesi 20.500 € su 41.000 € (50%), impegnati 41.000 €, "
        "restano 20.500 €.",
    ]


def test_large_scostamento_rule() -> None:
    assert spending.is_large(spending.variance(5500, 0, 5000), 5000)  # +10%
    assert not spending.is_large(spending.variance(4600, 0, 5000), 5000)  # −8%
    assert spending.is_large(spending.variance(0, 300, 0), 0)  # spent without a preventivo
    assert spending.variance(1000, 1500, 2000) == -500  # a payment counts as committed


def test_the_source_filter_applies_to_every_figure(example: Plan) -> None:
    view = example.filter(sources=[ONERI])
    assert view.has_spending
    assert view.spending_by_source()["source"].tolist() == [ONERI]
    assert view.spending_by_track()["spent"].sum() == 20500
    assert spending.spending_sentences(view) == [
        "Oneri di funzionamento: spesi 20.500 € su 41.000 € (50%), impegnati 41.000 €, "
        "restano 20.500 €."
    ]


def test_a_filter_that_leaves_no_row_still_has_a_consuntivo_of_zero(example: Plan) -> None:
    view = example.filter(tracks=["P3"])
    assert view.has_spending and view.spending.empty
    assert view.spending_by_source()["spent"].tolist() == [0.0, 0.0]


def test_track_and_status_filters_keep_the_matching_projects_only(example: Plan) -> None:
    view = example.filter(tracks=["P1"])
    assert view.spending_by_source().set_index("source").loc[RCS, "spent"] == 10500
    assert set(view.spending_rows()["project"]) == {"P1-03", "P1-04"}


def test_digest_tells_a_consuntivo_apart(shipped: Plan, example: Plan) -> None:
    assert shipped.digest != example.digest
    assert example.filter(tracks=["P3"]).digest != shipped.filter(tracks=["P3"]).digest


# What falls due ------------------------------------------------------------------------------


def test_what_falls_due_before_the_next_assembly_overdue_first(example: Plan) -> None:
    due = example.falling_due(TODAY)
    assert due["id"].tolist() == ["P1-01", "P1-03", "P2-02", "P1-04", "P3-03", "P2-01"]
    assert due["overdue"].tolist() == [True, True, True, True, False, False]
    table = spending.due_table(due)
    assert table.iloc[1].tolist() == [
        "Rating cooperativo",
        "Che ruolo vogliamo giocare",
        "Anna Rossi",
        "13/11/2026",
        "scaduto da 23 giorni",
        "In corso",
        "P1-03",
    ]
    assert spending.due_sentence(due.iloc[4].to_dict()) == (
        "Banca dati delle professionalità (Sara Galli): tra 4 giorni, il 10/12/2026 – Da avviare."
    )
    assert spending.horizon(example, TODAY).words == (
        "entro la prossima assemblea del 18 dicembre 2026"
    )


def test_what_falls_due_within_days_and_after_the_assembly(example: Plan) -> None:
    assert example.falling_due(TODAY, days=60)["id"].tolist()[-2:] == ["P4-03", "P2-05"]
    after = dt.date(2026, 12, 20)  # the assembly is past: the next 30 days
    assert spending.horizon(example, after).words == "nei prossimi 30 giorni"
    assert "P4-03" in set(example.falling_due(after)["id"])


def test_a_concluded_project_no_longer_falls_due(example: Plan) -> None:
    projects = example.projects.copy()
    projects.loc[projects["id"] == "P1-01", "status"] = "Concluso"
    from dataclasses import replace

    assert "P1-01" not in set(replace(example, projects=projects).falling_due(TODAY)["id"])


def test_what_falls_due_follows_the_filters(example: Plan) -> None:
    assert example.filter(tracks=["P2"]).falling_due(TODAY)["id"].tolist() == ["P2-02", "P2-01"]
    assert example.filter(statuses=["Da avviare"]).falling_due(TODAY)["id"].tolist() == [
        "P2-02",
        "P3-03",
    ]


def test_the_generated_plan_has_spending_when_asked() -> None:
    plain, spent = generate_plan(n_projects=200), generate_plan(n_projects=200, with_spending=True)
    assert not plain.has_spending and spent.has_spending
    rows = spent.spending_rows()
    assert (rows["spent"] <= rows["committed"]).all()
    assert (rows.loc[rows["committed"] > rows["planned"], "note"] != "").all()
    assert plain.projects["owner"].equals(spent.projects["owner"])


# Exports and the diff ------------------------------------------------------------------------


def hostile_example(example: Plan) -> Plan:
    from dataclasses import replace

    projects = example.projects.copy()
    projects.loc[projects["id"] == "P1-03", "owner"] = '=HYPERLINK("http://example.invalid")'
    rows = example.spending.copy()
    rows.loc[rows["project"] == "P1-03", "note"] = "+1+2 spesa"
    return replace(example, projects=projects, spending=rows)


def test_csv_and_xlsx_carry_the_consuntivo_and_stay_formula_free(example: Plan) -> None:
    from coopplan import tables
    from coopplan.export import downloads

    table = downloads.export_table(hostile_example(example))
    text = downloads.csv_bytes(table).decode("utf-8-sig").splitlines()
    header = text[0].split(";")
    assert header[11:13] == ["Referente", "Scadenza"]
    assert header[-5:] == [
        f"{RCS} – impegnato",
        f"{RCS} – speso",
        f"{ONERI} – impegnato",
        f"{ONERI} – speso",
        "Note del consuntivo",
    ]
    row = next(line for line in text if line.startswith("P1-03;"))
    assert "'=HYPERLINK" in row and ";13/11/2026;" in row
    assert row.endswith(";5000;4500;0;0;Risorse Coop Re-Start: +1+2 spesa")
    book = openpyxl.load_workbook(
        io.BytesIO(downloads.xlsx_bytes(table, tables.money_columns(example)))
    )
    sheet = book.active
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    names = [c.value for c in sheet[1]]
    p103 = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "P1-03")
    spent = p103[names.index(f"{RCS} – speso")]
    assert spent.value == 4500 and "€" in spent.number_format
    due = p103[names.index("Scadenza")]
    assert due.value == dt.datetime(2026, 11, 13) and due.number_format == "DD/MM/YYYY"


def test_a_plan_without_consuntivo_exports_no_spending_columns(shipped: Plan) -> None:
    from coopplan.export import downloads

    columns = list(downloads.export_table(shipped).columns)
    assert columns[-3:] == shipped.source_names
    assert not any("speso" in c for c in columns)


def test_the_diff_lists_spending_changes_in_euro(example: Plan) -> None:
    from dataclasses import replace

    from coopplan.diff import diff_plans

    rows = example.spending.copy()
    rows.loc[rows["project"] == "P1-03", "spent"] = 5000.0  # 4.500 € -> 5.000 €
    rows = rows.loc[rows["project"] != "P2-05"]  # its row deleted: 3.200 € -> 0 €
    later = replace(example, spending=rows.reset_index(drop=True))
    changes = diff_plans(example, later)
    assert [s for s in changes.sentences()] == [
        "Speso su Rating cooperativo (P1-03) – Risorse Coop Re-Start: +500 € "
        "(da 4.500 € a 5.000 €).",
        "Impegnato su Matching cooperativo (P2-05) – Risorse Coop Re-Start: −3.200 € "
        "(da 3.200 € a 0 €).",
        "Speso su Matching cooperativo (P2-05) – Risorse Coop Re-Start: −3.200 € "
        "(da 3.200 € a 0 €).",
    ]
    title, table = changes.tables()[0]
    assert title == "Consuntivo: impegnato e speso"
    assert table.iloc[0].tolist() == [
        "Rating cooperativo (P1-03)",
        RCS,
        "Speso",
        "4.500 €",
        "5.000 €",
        "+500 €",
    ]


def test_the_diff_names_new_referente_scadenza_and_assembly(shipped: Plan, example: Plan) -> None:
    from coopplan.diff import diff_plans

    said = diff_plans(shipped, example).sentences()
    assert "Prossima assemblea del piano: da «(vuoto)» a «18 dicembre 2026»." in said
    assert (
        "Progetto modificato: Rating cooperativo (P1-03) – Referente da «(vuoto)» a «Anna Rossi»; "
        "Scadenza da «(vuoto)» a «13/11/2026»."
    ) in said  # the values said, not only the fields (the trial)
