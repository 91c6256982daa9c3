"""Helpers shared by tests (from test_pptx.py): ARTIFACTS, CHART_LABELS_MAX_SHARE, EMU_PER_PT, GLYPH_SLACK, VALUE_LABEL_MARGIN_PT, VALUE_WORD, all_pptx_text, deck, long_plan, need_tool, pdf_pages, pdf_words, plan, pptx_bytes, prs, rendered, run_cli, shape_boxes."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pptx import Presentation

from coopplan import load_plan
from coopplan.export.pdf import office_to_pdf
from coopplan.export.pptx import deck_to_pptx
from coopplan.plan import Plan, make_table
from coopplan.slides import Slide, build_deck
from support.paths import ROOT, SHIPPED
from support.sample import generate_plan

ARTIFACTS = ROOT / "artifacts" / "pptx"


EMU_PER_PT = 12700


GLYPH_SLACK = 0.2  # a word's glyph box may pass its line box by this share of its height


def need_tool(name: str) -> None:
    if shutil.which(name) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: install it (scripts/install.sh --dev)")
        pytest.skip(f"{name} is missing")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(SHIPPED).plan


@pytest.fixture(scope="module")
def deck(plan: Plan) -> list[Slide]:
    return build_deck(plan)


@pytest.fixture(scope="module")
def pptx_bytes(deck: list[Slide]) -> bytes:
    return deck_to_pptx(deck)


@pytest.fixture(scope="module")
def prs(pptx_bytes: bytes) -> Presentation:
    return Presentation(io.BytesIO(pptx_bytes))


@pytest.fixture(scope="module")
def rendered(pptx_bytes: bytes) -> Path:
    """The deck through LibreOffice, as PDF, with one PNG per slide in artifacts/pptx/."""
    need_tool("soffice")
    need_tool("pdftoppm")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("slide-*.png"):
        old.unlink()
    target = ARTIFACTS / "piano.pdf"
    target.write_bytes(office_to_pdf(pptx_bytes))
    (ARTIFACTS / "piano.pptx").write_bytes(pptx_bytes)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(target), str(ARTIFACTS / "slide")], check=True
    )
    return target


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", out.stdout).group(1))


def pdf_words(path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Words of each page with their box in points (pdftotext -bbox)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out))
    pages = []
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        words = [
            (
                float(w.get("xMin")),
                float(w.get("yMin")),
                float(w.get("xMax")),
                float(w.get("yMax")),
                w.text or "",
            )
            for w in page.iter("{http://www.w3.org/1999/xhtml}word")
        ]
        pages.append(words)
    return pages


def shape_boxes(slide) -> list[tuple[float, float, float, float]]:
    return [
        (
            s.left / EMU_PER_PT,
            s.top / EMU_PER_PT,
            (s.left + s.width) / EMU_PER_PT,
            (s.top + s.height) / EMU_PER_PT,
        )
        for s in slide.shapes
    ]


def all_pptx_text(prs: Presentation) -> str:
    parts = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [c.text for row in shape.table.rows for c in row.cells]
    return "\n".join(parts)


CHART_LABELS_MAX_SHARE = 0.40  # of a chart's width, for its category labels


VALUE_LABEL_MARGIN_PT = 6  # a value label keeps at least this much from the chart's right edge


VALUE_WORD = re.compile(r"^(\d[\d.]*|€)$")


def long_plan() -> Plan:
    """A generated plan whose first project has 60 activities (taller than a page)."""
    plan = generate_plan(n_tracks=3, n_projects=90, extra_sources=1)
    first = plan.projects["id"].iloc[0]
    extra = [
        {
            "project": first,
            "kind": "done",
            "text": f"Attività aggiunta numero {i}, descritta in una riga",
        }
        for i in range(60)
    ]
    return replace(plan, items=make_table("items", plan.items.to_dict("records") + extra))


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coopplan", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _frames(shape: object) -> list:
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:  # type: ignore[attr-defined]
        return [shape.text_frame]  # type: ignore[attr-defined]
    if getattr(shape, "has_table", False) and shape.has_table:  # type: ignore[attr-defined]
        return [c.text_frame for row in shape.table.rows for c in row.cells]  # type: ignore[attr-defined]
    return []


def _shape_texts(page: object) -> list[str]:
    return [frame.text for shape in page.shapes for frame in _frames(shape)]  # type: ignore[attr-defined]
