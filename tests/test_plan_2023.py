"""The shipped workbook against the seed (the text of the plan's slides)."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from support.paths import ROOT, SHIPPED

from coopplan import load_plan
from coopplan.export.jsonplan import plan_from_dict
from coopplan.plan import Plan
from coopplan.workbook.schema import SHEETS
from coopplan.workbook.writer import workbook_bytes

SEED = ROOT.parent / "shared" / "seeds" / "000_cb94bfd1dbc4c475.txt"
SOURCE_JSON = ROOT / "data" / "source" / "piano_2023.json"

BUDGET_TABLE = {  # the slide "BUDGET COMPLESSIVO 2023", line by line
    "COOP. SCENDE IN PIAZZA": (0, 0),
    "STORIE ORD. COOPERAZIONE": (0, 0),
    "RATING COOPERATIVO": (5000, 0),
    "TERZO SETTORE": (15000, 0),
    "IMPRESA SOCIALE": (0, 0),
    "UFFICIO CREDITO&FINANZA": (0, 41000),
    "TEMPORARY MANAGER": (0, 0),
    "PENSARE DIGITALE": (0, 0),
    "ADEGUATI ASSETTI": (0, 0),
    "MATCHING COOPERATIVO": (2500, 0),
    "FORMAZIONE IMPR./MANAG.": (0, 0),
    "FORMAZIONE NUOVE COMP.": (0, 0),
    "BANCA DATI PROFESSION.": (0, 0),
    "SVILUPPO CER": (0, 0),
    "SPAZI COOPERATIVI": (2500, 0),
}


@pytest.fixture(scope="module")
def plan() -> Plan:
    result = load_plan(SHIPPED)
    assert result.ok, [str(p) for p in result.problems]
    return result.plan


def squash(text: str) -> str:
    """Text compared across line wraps, case, accents ("IDENTITA'" = "Identità") and punctuation."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


def test_metadata(plan: Plan) -> None:
    assert plan.meta.organization == "Confcooperative Milano e dei Navigli"
    assert plan.meta.year == 2023
    assert "Coop Re-Start" in plan.meta.title
    assert plan.meta.version_date is not None


def test_four_tracks_in_the_seed_order(plan: Plan) -> None:
    assert plan.tracks["title"].tolist() == [
        "Che ruolo vogliamo giocare",
        "Competere nella società del rischio",
        "Curare le risorse umane",
        "Tessere connessioni",
    ]
    assert plan.tracks.set_index("code").loc["P3", "alt_title"] == "Curare le persone"


def test_sixteen_lines_with_their_full_paragraphs(plan: Plan) -> None:
    assert plan.lines.groupby("track").size().tolist() == [4, 4, 4, 4]
    seed = squash(SEED.read_text(encoding="utf-8"))
    for line in plan.lines.itertuples():
        assert squash(line.title) in seed
        assert len(line.description) > 80
        assert squash(line.description) in seed, line.title


def test_a_pista_and_its_filoni_asked_by_code(plan: Plan) -> None:
    track = plan.track("P3")
    assert (track.code, track.title, track.alt_title) == (
        "P3",
        "Curare le risorse umane",
        "Curare le persone",
    )
    lines = plan.lines_of("P3")
    assert [line.title for line in lines] == plan.lines.loc[
        plan.lines["track"] == "P3", "title"
    ].tolist()
    assert len(lines) == 4 and all(line.track == "P3" for line in lines)
    assert plan.lines_of("nessuna") == []
    with pytest.raises(KeyError):
        plan.track("nessuna")


def test_every_item_comes_from_the_seed(plan: Plan) -> None:
    seed = squash(SEED.read_text(encoding="utf-8"))
    assert len(plan.items) >= 40
    for item in plan.items.itertuples():
        words = squash(item.text).split()
        # each item's first six words stand in the seed in this order (wraps and case aside)
        assert " ".join(words[:6]) in seed, item.text


def test_projects_and_their_kinds_of_items(plan: Plan) -> None:
    assert len(plan.projects) == 18
    assert plan.projects.groupby("track").size().tolist() == [5, 5, 4, 4]
    to_define = plan.projects.loc[plan.projects["status"] == "Da definire", "title"]
    assert sorted(to_define) == ["Attività educative", "Piattaforme cooperative"]
    card = plan.project(
        plan.projects.loc[plan.projects["budget_line"] == "UFFICIO CREDITO&FINANZA", "id"].item()
    )
    assert len(card.done) == 3 and len(card.planned) == 3
    assert "Distacco di personale" in card.notes


def test_budget_table_line_by_line(plan: Plan) -> None:
    matrix = plan.status_matrix().set_index("budget_line")
    lines = [b for b in plan.projects["budget_line"] if b]
    assert lines == list(BUDGET_TABLE)  # 15 lines, in the table's order
    for line, (restart, oneri) in BUDGET_TABLE.items():
        assert matrix.loc[line, "Risorse Coop Re-Start"] == restart, line
        assert matrix.loc[line, "Oneri di funzionamento"] == oneri, line
        assert bool(matrix.loc[line, "Risorse interne"]), line


def test_totals_per_source_and_per_track(plan: Plan) -> None:
    totals = plan.source_totals().set_index("source")
    assert totals.loc["Risorse Coop Re-Start", "total"] == 25000
    assert totals.loc["Oneri di funzionamento", "total"] == 41000
    assert totals.loc["Risorse interne", "total"] == 15  # ticked lines, not money
    by_track = plan.amount_by_track().pivot(index="track", columns="source", values="amount")
    assert by_track["Risorse Coop Re-Start"].tolist() == [20000, 2500, 0, 2500]
    assert by_track["Oneri di funzionamento"].tolist() == [0, 41000, 0, 0]


def test_statuses_follow_the_documented_rule(plan: Plan) -> None:
    matrix = plan.status_matrix()
    for row in matrix.itertuples():
        expected = {
            (False, False): "Da definire",
            (False, True): "Da avviare",
            (True, True): "In corso",
            (True, False): "Concluso",
        }[(row.done > 0, row.planned > 0)]
        assert row.status == expected, row.title


def test_workbook_is_the_build_of_its_transcription(plan: Plan) -> None:
    """data/piano_2023.xlsx must be regenerated whenever the JSON transcription changes."""
    source = plan_from_dict(json.loads(SOURCE_JSON.read_text(encoding="utf-8")))
    rebuilt = load_plan(workbook_bytes(source)).plan
    for table in ("tracks", "lines", "sources", "projects", "items", "funding"):
        assert getattr(rebuilt, table).equals(getattr(plan, table)), table
    assert rebuilt.meta == plan.meta


def test_workbook_is_editable_by_the_secretary() -> None:
    book = openpyxl.load_workbook(SHIPPED)
    # The shipped file predates the optional «Consuntivo» (it stays as transcribed, byte for
    # byte); a workbook written today has every sheet (test_spending.py).
    assert book.sheetnames == ["Leggimi"] + [s.name for s in SHEETS if not s.optional]
    projects = book["Progetti"]
    assert projects.freeze_panes == "A2"
    assert projects["A1"].font.bold
    lists = {dv.formula1 for dv in projects.data_validations.dataValidation if dv.type == "list"}
    assert '"Da definire,Da avviare,In corso,Concluso"' in lists
    assert '"Sì,No"' in lists
    assert any("Piste" in f for f in lists)
    assert projects["I4"].value == 5000 and "€" in projects["I4"].number_format
    assert all(projects.column_dimensions[c].width >= 8 for c in "ABCDEFGHIJK")
    assert "Leggimi" in book.sheetnames and book["Leggimi"]["A1"].value.startswith("Come compilare")


def test_transcription_decisions_are_written_down() -> None:
    decisions = (ROOT / "docs" / "trascrizione.md").read_text(encoding="utf-8")
    for topic in ("GIOCARRE", "Curare le persone", "Da definire"):
        assert topic in decisions


def test_shipped_file_is_not_touched_by_loading(tmp_path: Path) -> None:
    before = SHIPPED.read_bytes()
    load_plan(SHIPPED)
    assert SHIPPED.read_bytes() == before


def test_format_doc_is_generated_from_the_schema() -> None:
    """docs/formato.md must be rebuilt (scripts/build_workbook.py --docs) when the schema changes."""
    from coopplan.workbook.formatdoc import format_markdown

    assert (ROOT / "docs" / "formato.md").read_text(encoding="utf-8") == format_markdown()
