"""Exports of the plan, each declared once in the registry ``formats`` (key, label, extension,
MIME type, file stem, build, where offered): the plan as JSON (``jsonplan``), the deck as
PowerPoint (``pptx``), the handout as PDF (``handout``, through ``pdf``), the slides as HTML for
the browser (``html``), the project table as .xlsx and CSV (``downloads``); here, the file names
and the cache of the files built.

Importing the package is light (no python-pptx): import the module of the export you need.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["PPTX_MIME", "XLSX_MIME", "ExportError", "cached_file", "file_stem"]

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

STEM_CHARS = 80  # a download's name stays readable in a folder listing

FILES_KEPT = 8
_files: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
_files_lock = threading.Lock()


class ExportError(RuntimeError):
    """A file could not be made; the message is Italian and says what to do."""


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


def file_stem(base: str, filter_label: str = "") -> str:
    """A download's name without extension, naming the filter that made it: ("presentazione-
    piano", "Fonte: Oneri di funzionamento") -> 'presentazione-piano-fonte-oneri-di-
    funzionamento'; ASCII letters, digits and dashes only, cut at a dash after STEM_CHARS."""
    if not filter_label:
        return base
    plain = unicodedata.normalize("NFKD", filter_label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    stem = f"{base}-{slug}" if slug else base
    if len(stem) > STEM_CHARS:
        stem = stem[:STEM_CHARS].rsplit("-", 1)[0]
    return stem
