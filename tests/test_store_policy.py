"""The store's policy is written once (issue 20 §2): no backend module defines a write operation of
its own, and no Italian sentence of the store is written in two of its modules. What the policy
does on each backend is tried by tests/test_store.py, which runs every store test on both."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from support.paths import ROOT

from coopplan.store.folder import Store
from coopplan.store.policy import StoreBase
from coopplan.store.postgres import PgStore

STORE = ROOT / "coopplan" / "store"
POLICY_OPERATIONS = ("ensure_seeded", "publish", "restore", "add_copy", "mark_presented", "verify")
# Where the operations may be written: the policy, and the protocol that declares them.
NOT_BACKENDS = ("policy.py", "model.py")
SQL = re.compile(r"\b(SELECT|INSERT|CREATE|FROM|WHERE|UPDATE)\b")


def test_no_backend_module_writes_an_operation_of_the_policy_itself() -> None:
    defined = [
        f"{path.name}: {node.name}"
        for path in sorted(STORE.glob("*.py"))
        if path.name not in NOT_BACKENDS
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name in POLICY_OPERATIONS
    ]
    assert defined == []
    for backend in (Store, PgStore):
        assert issubclass(backend, StoreBase)
        for name in POLICY_OPERATIONS:
            assert getattr(backend, name) is getattr(StoreBase, name), (backend, name)


def test_every_italian_sentence_of_the_store_is_written_in_one_module() -> None:
    where: dict[str, set[str]] = defaultdict(set)
    for path in sorted(STORE.glob("*.py")):
        for fragment in _message_fragments(path):
            where[fragment].add(path.name)
    twice = {text: sorted(files) for text, files in where.items() if len(files) > 1}
    contained = {
        short: sorted(where[short] | where[long])
        for short in where
        for long in where
        if short != long and short in long and where[short] != where[long]
    }
    assert twice == {} and contained == {}


def _message_fragments(path: Path) -> set[str]:
    """The text of each string literal of ``path`` between its ``{…}`` fields, normalised, when
    it has 3 words or more; docstrings and SQL left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(_docstring(node)) for node in ast.walk(tree)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings:
                continue
            for piece in re.split(r"[{}]", node.value):
                text = " ".join(piece.split()).strip(" :.,()")
                if len(text.split()) >= 3 and not SQL.search(text):
                    found.add(text)
    return found


def _docstring(node: ast.AST) -> ast.Constant | None:
    """The docstring of a module, class or function, as a node; None for any other node."""
    if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    first = node.body[0] if node.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        return first.value
    return None
