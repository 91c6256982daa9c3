"""The export registry (coopplan/export/formats.py): every format builds a file of its kind from
the shipped workbook, is named after the filter, and is offered where it says, by the command
line and the pages, which read the registry only. A throwaway format registered there, and
nowhere else, reaches the command line and the «Presentazione» page.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import shutil
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest
from support.paths import APP, SHIPPED

from coopplan import fmt, load_plan
from coopplan.cli import main
from coopplan.export import PPTX_MIME, XLSX_MIME, formats
from coopplan.export.formats import Basis, ExportFormat, Place, Subject
from coopplan.plan import Plan

ONERI = "Oneri di funzionamento"
LABEL = f"Fonte: {ONERI}"  # how the sidebar filter «Fonte» says itself
SLUG = "fonte-oneri-di-funzionamento"


@pytest.fixture(scope="module")
def plan() -> Plan:
    loaded = load_plan(SHIPPED)
    assert loaded.plan is not None
    return loaded.plan


def ids(found: ExportFormat) -> str:
    return found.key


def need(found: ExportFormat) -> None:
    """Skip (fail on CI) a format whose tool is missing here, e.g. the PDF without LibreOffice."""
    if not found.available():
        if os.environ.get("CI"):
            pytest.fail(f"{found.key}: {found.missing}")
        pytest.skip(found.missing)


def assert_kind(found: ExportFormat, data: bytes, plan: Plan) -> None:
    """``data`` is a file of the format's MIME type, made from ``plan``."""
    assert data, f"{found.key}: empty file"
    mime = found.mime
    if mime.startswith("application/vnd.openxmlformats-officedocument."):
        with zipfile.ZipFile(io.BytesIO(data)) as parts:
            assert f"{mime}.main+xml" in parts.read("[Content_Types].xml").decode()
        if mime == PPTX_MIME:
            assert Presentation(io.BytesIO(data)).core_properties.title == plan.meta.title
        if mime == XLSX_MIME:
            rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
            assert [r[0] for r in rows[1:]] == list(plan.projects["id"])
    elif mime == "application/pdf":
        assert data.startswith(b"%PDF-")
    elif mime == "application/json":
        assert json.loads(data)["plan"]["title"] == plan.meta.title
    elif mime == "text/csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        assert [r[0] for r in rows[1:]] == list(plan.projects["id"])
    elif mime == "text/html":
        page = data.decode("utf-8")
        assert page.startswith("<!DOCTYPE html>")
        assert f"<title>{html.escape(plan.meta.title, quote=False)}</title>" in page
    elif mime.startswith("text/"):
        assert data.decode("utf-8").strip()
    else:
        pytest.fail(f"{found.key}: no check for {mime}; say here how to recognise such a file")


# The registry --------------------------------------------------------------------------------


def test_each_format_is_declared_once_and_offered_somewhere() -> None:
    keys = [f.key for f in formats.FORMATS]
    assert len(keys) == len(set(keys))
    assert set(keys) >= {"json", "pptx", "pdf", "html", "xlsx", "csv"}
    for found in formats.FORMATS:
        assert found.places, found.key
        assert found.label and found.stem and found.extension and "/" in found.mime
        assert found.available() or found.missing, found.key  # a missing tool is said


@pytest.mark.parametrize("found", formats.FORMATS, ids=ids)
def test_each_format_builds_its_kind_of_file_from_the_shipped_workbook(
    found: ExportFormat, plan: Plan
) -> None:
    need(found)
    assert_kind(found, found.build(Subject(plan)), plan)


@pytest.mark.parametrize("found", formats.FORMATS, ids=ids)
def test_each_format_names_its_file_after_the_filter(found: ExportFormat) -> None:
    assert found.file_name("") == f"{found.stem}.{found.extension}"
    assert found.file_name(LABEL) == f"{found.stem}-{SLUG}.{found.extension}"


def test_a_deck_format_shows_dall_ultima_assemblea_when_given(plan: Plan) -> None:
    """The subject's deck holds the report's slides; the files of two subjects differ."""
    from coopplan.since import since_report

    earlier = plan.filter(sources=[ONERI])  # any other plan: projects «removed» since then
    report = since_report(earlier, plan, "Dall'assemblea di prova", "versione 1 → versione 2")
    told, plain = Subject(plan, since=report), Subject(plan)
    assert len(told.deck) > len(plain.deck)
    assert told.key != plain.key
    assert any("assemblea" in slide.title.lower() for slide in told.deck[1:3])


# Where each format is offered ----------------------------------------------------------------


@dataclass(frozen=True)
class Offered:
    """A download button's file as Streamlit keeps it until the click."""

    file_name: str | None
    mime: str | None
    make: Callable[[], object]


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Offered]]:
    """Every file a download button of the run offers (Streamlit defers the callable)."""
    seen: list[Offered] = []
    real = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kw) -> str:
        seen.append(Offered(file_name, mimetype, data_callable))
        return real(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    yield seen


def filtered_page(page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["fonte"] = ONERI
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def assert_offered(at: AppTest, seen: list[Offered], place: Place, plan: Plan) -> None:
    """The page offers the place's formats, in the registry's order, named after the filter,
    each file of its kind."""
    expected = formats.offered(place)
    where = at.sidebar if place is Place.SIDEBAR else at.main
    assert [b.proto.label for b in where.get("download_button")] == [f.label for f in expected]
    by_name = {x.file_name: x for x in seen}
    for found in expected:
        offered = by_name[found.file_name(LABEL)]  # the filter is in the file's name
        assert offered.mime == found.mime
        if found.available():
            data = offered.make()
            assert isinstance(data, bytes)
            assert_kind(found, data, plan.filter(sources=[ONERI]))


def test_the_presentazione_page_offers_the_deck_formats_named_after_the_filter(
    downloads: list[Offered], plan: Plan
) -> None:
    at = filtered_page("app_pages/presentazione.py")
    assert [f.key for f in formats.offered(Place.PRESENTATION)] == ["pptx", "pdf"]
    assert_offered(at, downloads, Place.PRESENTATION, plan)


def test_the_sidebar_offers_the_project_table_named_after_the_filter(
    downloads: list[Offered], plan: Plan
) -> None:
    at = filtered_page("app_pages/panoramica.py")
    assert [f.key for f in formats.offered(Place.SIDEBAR)] == ["xlsx", "csv"]
    assert [b.proto.label for b in at.sidebar.get("download_button")] == [
        f.label for f in formats.offered(Place.SIDEBAR)
    ]
    assert_offered(at, downloads, Place.SIDEBAR, plan)


@pytest.mark.parametrize("found", formats.offered(Place.COMMAND_LINE), ids=ids)
def test_the_command_line_writes_each_of_its_formats(
    found: ExportFormat, plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    need(found)
    target = tmp_path / f"uscita.{found.extension}"
    assert main(["export", str(SHIPPED), "--format", found.key, "-o", str(target)]) == 0
    assert capsys.readouterr().out.startswith(f"Scritto {target}: ")
    assert_kind(found, target.read_bytes(), plan)


def test_the_command_line_offers_the_registry_s_formats_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    shown = capsys.readouterr().out
    keys = [f.key for f in formats.offered(Place.COMMAND_LINE)]
    assert "{" + ",".join(keys) + "}" in shown
    assert main(["export", str(SHIPPED), "--format", "xlsx"]) == 2  # the sidebar's only
    assert "scelta non valida" in capsys.readouterr().err


# A new format: one module and one line in the registry -------------------------------------


def summary_text(subject: Subject) -> bytes:
    """The throwaway format's module: the plan in one line of text."""
    plan = subject.plan
    return f"{plan.meta.title}: {fmt.count(len(plan.projects), 'progetto', 'progetti')}.\n".encode()


SUMMARY = ExportFormat(
    "txt",
    "Sintesi (.txt)",
    "txt",
    "text/plain",
    "sintesi-piano",
    Basis.PLAN,
    summary_text,
    frozenset({Place.COMMAND_LINE, Place.PRESENTATION}),
)


@pytest.fixture
def with_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one line a new format adds to the registry; nothing else is touched."""
    monkeypatch.setattr(formats, "FORMATS", (*formats.FORMATS, SUMMARY))


@pytest.mark.usefixtures("with_summary")
def test_a_format_added_to_the_registry_reaches_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], plan: Plan
) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    assert "txt: Sintesi (.txt)" in capsys.readouterr().out
    target = tmp_path / "sintesi.txt"
    assert main(["export", str(SHIPPED), "--format", "txt", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == f"{plan.meta.title}: 18 progetti.\n"


@pytest.mark.usefixtures("with_summary")
def test_a_format_added_to_the_registry_is_offered_by_the_presentazione_page(
    downloads: list[Offered], plan: Plan
) -> None:
    at = filtered_page("app_pages/presentazione.py")
    assert [b.proto.label for b in at.main.get("download_button")] == [
        "PowerPoint",
        "PDF",
        "Sintesi (.txt)",
    ]
    [offered] = [x for x in downloads if x.file_name == f"sintesi-piano-{SLUG}.txt"]
    assert offered.mime == "text/plain"
    assert offered.make() == f"{plan.meta.title}: 1 progetto.\n".encode()  # the filtered view


def test_the_command_line_never_writes_over_the_workbook_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without -o the file is named after the workbook; a format with the workbook's own
    extension gets its stem too, so the workbook stays as it was."""
    table = replace(formats.named("xlsx"), places=frozenset({Place.COMMAND_LINE}))
    monkeypatch.setattr(formats, "FORMATS", (table,))
    workbook = tmp_path / "piano.xlsx"
    shutil.copy(SHIPPED, workbook)
    monkeypatch.chdir(tmp_path)
    assert main(["export", "piano.xlsx", "--format", "xlsx"]) == 0
    assert workbook.read_bytes() == SHIPPED.read_bytes()
    assert (tmp_path / "piano-progetti.xlsx").is_file()
    assert "Scritto piano-progetti.xlsx" in capsys.readouterr().out
