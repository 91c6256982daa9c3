"""Exports of the plan for assemblies: the deck as PowerPoint, the handout as PDF.

``cli_exporters()`` plugs them into ``python -m coopplan export FILE --format pptx|pdf``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from coopplan import fmt
from coopplan.export.handout import handout_pdf
from coopplan.export.pdf import PdfError
from coopplan.export.pptx import deck_to_pptx
from coopplan.plan import TABLE_COLUMNS, Plan
from coopplan.reader import LoadResult
from coopplan.since import SinceReport, with_since
from coopplan.slides import build_deck

EXIT_OK, EXIT_FAILED = 0, 2

__all__ = [
    "PdfError",
    "cached_file",
    "cli_exporters",
    "deck_pptx",
    "handout_pdf",
    "plan_fingerprint",
]

FILES_KEPT = 8
_files: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
_files_lock = threading.Lock()


def deck_pptx(plan: Plan, filter_label: str = "") -> bytes:
    """The presentation of ``plan`` as .pptx bytes (the same slides as the browser)."""
    return deck_to_pptx(build_deck(plan, filter_label))


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


def cli_exporters() -> dict[str, Callable[[LoadResult, argparse.Namespace], int]]:
    return {"pptx": _export_pptx, "pdf": _export_pdf}


def _output(result: LoadResult, args: argparse.Namespace, suffix: str) -> Path:
    if args.output:
        return Path(args.output)
    return Path(Path(args.file).stem + suffix)


def _since(result: LoadResult, args: argparse.Namespace) -> SinceReport | None:
    """«Dall'ultima assemblea» against the store's version ``--dal`` (None without it)."""
    if getattr(args, "dal", None) is None:
        return None
    from coopplan.cli import UsageError
    from coopplan.since import since_version
    from coopplan.store import StoreError, open_store

    assert result.plan is not None
    try:
        store = open_store(args.store)
        store.ensure_seeded()
        return since_version(store, args.dal, result.plan, Path(args.file).name)
    except StoreError as exc:  # an unknown or damaged version: said, nothing written
        raise UsageError(f"{exc.message} Niente esportato.") from exc


def _export_pptx(result: LoadResult, args: argparse.Namespace) -> int:
    assert result.plan is not None
    started = time.perf_counter()
    deck = with_since(build_deck(result.plan), _since(result, args))
    data = deck_to_pptx(deck)
    target = _output(result, args, ".pptx")
    target.write_bytes(data)
    seconds = fmt.number(round(time.perf_counter() - started, 2), 2)
    print(f"Scritto {target}: {fmt.count(len(deck), 'slide', 'slide')} in {seconds} s.")
    return EXIT_OK


def _export_pdf(result: LoadResult, args: argparse.Namespace) -> int:
    assert result.plan is not None
    started = time.perf_counter()
    try:
        data = handout_pdf(result.plan, since=_since(result, args))
    except PdfError as exc:
        print(f"Errore: {exc}", file=sys.stderr)
        return EXIT_FAILED
    target = _output(result, args, ".pdf")
    target.write_bytes(data)
    seconds = fmt.number(round(time.perf_counter() - started, 1), 1)
    print(f"Scritto {target}: la dispensa del piano in {seconds} s.")
    return EXIT_OK
