"""Exports of the plan: the deck as PowerPoint (``pptx``), the handout as PDF (``handout``,
through ``pdf``), a slide as HTML for the browser (``html``); and the cache of the files built.

Importing the package is light (no python-pptx): import the module of the export you need.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["cached_file"]

FILES_KEPT = 8
_files: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
_files_lock = threading.Lock()


def cached_file(key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
    """``make()`` once per key (e.g. kind, ``Plan.digest``, filter); the last few are kept."""
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
