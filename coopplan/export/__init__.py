"""Exports of the plan: the deck as PowerPoint (``pptx``), the handout as PDF (``handout``,
through ``pdf``), a slide as HTML for the browser (``html``); and the cache of the files built.

Importing the package is light (no python-pptx): import the module of the export you need.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

import pandas as pd

from coopplan.plan import TABLE_COLUMNS, Plan

__all__ = ["cached_file", "plan_fingerprint"]

FILES_KEPT = 8
_files: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
_files_lock = threading.Lock()


def plan_fingerprint(plan: Plan) -> str:
    """A digest of the plan's content (meta and every table): a cache key per plan version."""
    digest = hashlib.sha256(repr(plan.meta).encode())
    for name in TABLE_COLUMNS:
        table = getattr(plan, name)
        digest.update(repr(list(table.columns)).encode())
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def cached_file(key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
    """``make()`` once per key (e.g. kind, plan fingerprint, filter); the last few are kept."""
    with _files_lock:
        if key in _files:
            _files.move_to_end(key)
            return _files[key]
    data = make()
    with _files_lock:
        _files[key] = data
        while len(_files) > FILES_KEPT:
            _files.popitem(last=False)
    return data
