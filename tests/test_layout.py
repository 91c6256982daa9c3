"""The core's layout by stage: no import cycle (not even one hidden inside a function), a chart
that loads neither the reader nor a store backend, and no streamlit anywhere in the core.

See docs/contributing.md («Where a change goes») for the map these tests keep true.
"""

from __future__ import annotations

import ast
import graphlib
import subprocess
import sys
from pathlib import Path

from support.paths import ROOT

CORE = ROOT / "coopplan"


def module_name(path: Path) -> str:
    """coopplan/store/model.py -> 'coopplan.store.model'; a package's __init__ -> the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


CORE_MODULES = {module_name(path): path for path in sorted(CORE.rglob("*.py"))}


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """The lines inside ``if TYPE_CHECKING:`` blocks (imports there run only for the checker)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def _targets(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The coopplan modules an import statement loads (``from package import module`` names the
    module: a package's ``__init__`` importing its own modules is no cycle)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        submodules = [f"{base}.{alias.name}" for alias in node.names]
        names = [name if name in CORE_MODULES else base for name in submodules]
    return [name for name in names if name in CORE_MODULES]


def _lazy_target(node: ast.Call) -> list[str]:
    """The module of a builder the export registry imports when called: ``lazy("module", …)``
    (coopplan/export/formats.py) is an import too."""
    named = getattr(node.func, "id", "") == "lazy" and node.args
    first = node.args[0] if named else None
    if isinstance(first, ast.Constant) and first.value in CORE_MODULES:
        return [first.value]
    return []


def import_graph() -> dict[str, set[str]]:
    """Module -> the coopplan modules it imports anywhere in its body, functions included."""
    graph: dict[str, set[str]] = {}
    for name, path in CORE_MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_lines(tree)
        edges: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and node.lineno not in skip:
                edges.update(_targets(node))
            elif isinstance(node, ast.Call):
                edges.update(_lazy_target(node))
        graph[name] = edges - {name}
    return graph


def test_the_core_has_no_import_cycle_even_inside_functions() -> None:
    graph = import_graph()
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None
    assert set(order) == set(graph)


def test_the_graph_sees_imports_inside_functions() -> None:
    """The graph is worth something only if a late import counts: the CLI imports the store
    inside a function (only ``export --dal`` reads it), the export registry names its builders
    with ``lazy("coopplan.export.pptx", …)`` (python-pptx is slow to load), and both edges are
    seen."""
    graph = import_graph()
    assert "coopplan.cli.store" in graph["coopplan.cli.plan"]
    assert "coopplan.export.pptx" in graph["coopplan.export.formats"]


def loaded_by(module: str) -> set[str]:
    """The modules loaded by ``import module`` in a fresh interpreter."""
    code = f"import importlib, sys; importlib.import_module({module!r}); print('\\n'.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


def test_drawing_a_chart_loads_neither_the_reader_nor_a_store_backend() -> None:
    loaded = loaded_by("coopplan.charts")
    assert "coopplan.charts" in loaded and "coopplan.timeline" in loaded
    backends = {
        "coopplan.workbook.reader",
        "coopplan.workbook.sheetxml",
        "coopplan.store.folder",
        "coopplan.store.postgres",
        "coopplan.store.location",
        "psycopg",
        "python_calamine",
    }
    assert not backends & loaded


def test_no_core_module_loads_streamlit() -> None:
    modules = sorted(CORE_MODULES)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    if name != 'coopplan.__main__':\n"
        "        importlib.import_module(name)\n"
        "print('\\n'.join(sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(done.stdout.split())
    assert "coopplan.store.postgres" in loaded  # every module was imported
    assert not {name for name in loaded if name.split(".")[0] == "streamlit"}


def test_tests_share_helpers_through_the_support_package_only() -> None:
    """A test module imports helpers from ``tests/support/``, never from another test module or
    a conftest (whose fixtures pytest provides by name)."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if "node_modules" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            leaves = [name.rpartition(".")[2] for name in names]
            if any(leaf.startswith("test_") or leaf == "conftest" for leaf in leaves):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
