"""python -m coopplan, run as a user runs it: exit codes, Italian output, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import ROOT, SHIPPED
from support.workbooks import edited_workbook


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coopplan", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_shipped_workbook_exits_0_with_a_summary() -> None:
    done = run("check", str(SHIPPED))
    assert done.returncode == 0, done.stderr
    assert "valido" in done.stdout
    assert "Risorse Coop Re-Start: 25.000 €" in done.stdout
    assert "Oneri di funzionamento: 41.000 €" in done.stdout
    assert "Risorse interne: 15 progetti" in done.stdout


def test_check_bad_workbook_exits_1_with_every_problem(tmp_path: Path) -> None:
    def two_errors(book) -> None:
        book["Progetti"]["G2"].value = "Boh"
        book["Progetti"]["J4"].value = -5

    bad = tmp_path / "sbagliato.xlsx"
    bad.write_bytes(edited_workbook(two_errors))
    done = run("check", str(bad))
    assert done.returncode == 1
    assert "2 errori impediscono la pubblicazione" in done.stderr
    assert "Progetti!G2" in done.stderr and "Progetti!J4" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize("content", [b"", b"id;nome\n1;a\n", b"\xd0\xcf\x11\xe0" + b"\0" * 600])
def test_check_malformed_files_exit_1_in_words(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "piano.xlsx"
    bad.write_bytes(content)
    done = run("check", str(bad))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip()


@pytest.mark.parametrize("args", [("check",), ("check", "non-esiste.xlsx"), ("boh",), ()])
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert done.stderr.startswith("Errore:")
    assert "Traceback" not in done.stderr


def test_export_json_totals() -> None:
    done = run("export", str(SHIPPED), "--format", "json")
    assert done.returncode == 0, done.stderr
    exported = json.loads(done.stdout)
    totals = {s["name"]: s["total"] for s in exported["funding_sources"]}
    assert totals["Risorse Coop Re-Start"] == 25000
    assert totals["Oneri di funzionamento"] == 41000
    assert len(exported["projects"]) == 18


def test_template_writes_an_empty_workbook_that_checks(tmp_path: Path) -> None:
    target = tmp_path / "modello.xlsx"
    done = run("template", "-o", str(target), "--like", str(SHIPPED))
    assert done.returncode == 0, done.stderr
    checked = run("check", str(target))
    assert "Traceback" not in checked.stderr
    assert "«Titolo»" in checked.stderr  # the template asks for the plan's title, nothing more


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("export", str(SHIPPED), "--format", "json", "-o", "/non/esiste/piano.json"),
            "la cartella non esiste",
        ),
        (("export", str(SHIPPED), "--format", "json", "-o", str(ROOT)), "è una cartella"),
        (("check", str(ROOT)), "è una cartella: indica un file .xlsx"),
        (("restore", "abc"), "numero non valido"),
    ],
)
def test_file_and_argument_mistakes_are_explained_in_italian(
    args: tuple[str, ...], said: str
) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert said in done.stderr
    assert "Traceback" not in done.stderr and "Error:" not in done.stderr


def test_a_flood_of_arguments_is_not_echoed_back() -> None:
    done = run("check", *[f"file{i}.xlsx" for i in range(3000)])
    assert done.returncode == 2
    assert len(done.stderr) < 400
