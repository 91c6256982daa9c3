"""What a module drags in when imported: exports without the chart library, a light package.

Each check runs in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from support.paths import ROOT


def imported_by(module: str) -> set[str]:
    """The top-level names of the modules loaded by ``import module`` in a fresh interpreter."""
    code = (
        f"import importlib, json, sys; importlib.import_module({module!r}); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout))


@pytest.mark.parametrize(
    "module", ["coopplan.export.pptx", "coopplan.export.handout", "coopplan.export.downloads"]
)
def test_exports_do_not_import_the_chart_library(module: str) -> None:
    loaded = imported_by(module)
    assert module in loaded
    assert "plotly" not in loaded
    assert "coopplan.charts" not in loaded


def test_importing_the_package_loads_no_reader_until_asked() -> None:
    loaded = imported_by("coopplan")
    assert not {"pandas", "openpyxl", "coopplan.workbook.reader", "coopplan.plan"} & loaded


def test_the_package_still_offers_its_public_names() -> None:
    import coopplan
    from coopplan.plan import Plan
    from coopplan.workbook.reader import load_plan

    assert coopplan.load_plan is load_plan and coopplan.Plan is Plan
    with pytest.raises(AttributeError):
        _ = coopplan.not_a_name


def test_the_browser_slides_do_not_import_python_pptx() -> None:
    loaded = imported_by("coopplan.export.html")
    assert "pptx" not in loaded


def test_the_export_registry_loads_no_file_library_until_a_file_is_made() -> None:
    """The command line and every page read the registry: listing the formats costs no
    pandas, python-pptx, openpyxl or plotly (each build imports its module when called)."""
    loaded = imported_by("coopplan.export.formats")
    assert "coopplan.export.formats" in loaded
    assert not {"pandas", "pptx", "openpyxl", "plotly", "coopplan.charts", "streamlit"} & loaded
