"""Commands on a workbook: check, export (json, pptx, pdf), template.

python -m coopplan check FILE
python -m coopplan export FILE [--format json|pdf|pptx] [-o FILE]
python -m coopplan template -o FILE [--like FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from coopplan import fmt, kinds
from coopplan.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    Register,
    UsageError,
    load_or_exit,
    print_problems,
)
from coopplan.export.jsonplan import plan_to_dict
from coopplan.workbook.problems import summary
from coopplan.workbook.reader import LoadResult

if TYPE_CHECKING:
    from coopplan.since import SinceReport


def add_commands(sub: argparse._SubParsersAction, command: Register) -> None:
    """Register check, export and template on the main parser (see coopplan.cli)."""
    check_parser = sub.add_parser("check", help="controlla una cartella di lavoro .xlsx")
    check_parser.add_argument("file", help="il file .xlsx da controllare")
    export_parser = sub.add_parser("export", help="esporta il piano (json, pptx, pdf)")
    export_parser.add_argument("file", help="il file .xlsx del piano")
    export_parser.add_argument("--format", choices=sorted(EXPORTERS), default="json")
    export_parser.add_argument(
        "-o", "--output", help="file di uscita (per json: predefinito lo schermo)"
    )
    export_parser.add_argument(
        "--dal",
        type=int,
        metavar="VERSIONE",
        help="pptx e pdf: aggiunge «Dall'ultima assemblea», il confronto con questa versione "
        "dell'archivio (--store, predefinito COOPPLAN_STORE)",
    )
    export_parser.add_argument("--store", help="cartella o indirizzo postgresql:// dell'archivio")
    template_parser = sub.add_parser("template", help="scrive un modello vuoto del file .xlsx")
    template_parser.add_argument("-o", "--output", required=True, help="il file .xlsx da creare")
    template_parser.add_argument("--like", help="copia piste e fonti da questo piano .xlsx")
    command("check")(check)
    command("export")(export)
    command("template")(template)


def check(args: argparse.Namespace) -> int:
    result = load_or_exit(args.file)
    if not result.ok or result.plan is None:
        print(f"{args.file}: NON VALIDO – {summary(result.problems)}.", file=sys.stderr)
        print_problems(result)
        return EXIT_INVALID
    plan = result.plan
    print(f"{args.file}: valido – {plan.meta.title} ({plan.meta.organization}, {plan.meta.year}).")
    print(
        f"{fmt.count(len(plan.tracks), 'pista', 'piste')}, "
        f"{fmt.count(len(plan.lines), 'filone', 'filoni')}, "
        f"{fmt.count(len(plan.projects), 'progetto', 'progetti')}, "
        f"{fmt.count(len(plan.items), 'attività', 'attività')}."
    )
    for row in plan.source_totals().itertuples():
        print(f"  {row.source}: {kinds.format_total(row.kind, row.total)}")
    print_problems(result)
    return EXIT_OK


def export(args: argparse.Namespace) -> int:
    result = load_or_exit(args.file)
    if not result.ok or result.plan is None:
        print(
            f"{args.file}: NON VALIDO – {summary(result.problems)}; niente esportato.",
            file=sys.stderr,
        )
        print_problems(result)
        return EXIT_INVALID
    exporter = EXPORTERS[args.format]
    return exporter(result, args)


def _export_json(result: LoadResult, args: argparse.Namespace) -> int:
    assert result.plan is not None
    text = json.dumps(plan_to_dict(result.plan), ensure_ascii=False, indent=2)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"Scritto {args.output}.")
    else:
        print(text)
    return EXIT_OK


def _output(args: argparse.Namespace, suffix: str) -> Path:
    if args.output:
        return Path(args.output)
    return Path(Path(args.file).stem + suffix)


def _since(result: LoadResult, args: argparse.Namespace) -> SinceReport | None:
    """«Dall'ultima assemblea» against the store's version ``--dal`` (None without it).
    Raises UsageError for an unknown or damaged version: said, nothing written."""
    if getattr(args, "dal", None) is None:
        return None
    from coopplan.cli.store import existing_store
    from coopplan.since import since_version
    from coopplan.store.model import StoreError

    assert result.plan is not None
    try:
        store = existing_store(args.store)  # reading: never creates nor seeds a store
        return since_version(store, args.dal, result.plan, Path(args.file).name)
    except StoreError as exc:
        raise UsageError(f"{exc.message} Niente esportato.") from exc


def _export_pptx(result: LoadResult, args: argparse.Namespace) -> int:
    from coopplan.export.pptx import deck_to_pptx  # imported late: python-pptx is slow
    from coopplan.since import with_since
    from coopplan.slides import build_deck

    assert result.plan is not None
    started = time.perf_counter()
    deck = with_since(build_deck(result.plan), _since(result, args))
    data = deck_to_pptx(deck)
    target = _output(args, ".pptx")
    target.write_bytes(data)
    seconds = fmt.number(round(time.perf_counter() - started, 2), 2)
    print(f"Scritto {target}: {fmt.count(len(deck), 'slide', 'slide')} in {seconds} s.")
    return EXIT_OK


def _export_pdf(result: LoadResult, args: argparse.Namespace) -> int:
    from coopplan.export.handout import handout_pdf  # imported late: python-pptx is slow
    from coopplan.export.pdf import PdfError

    assert result.plan is not None
    started = time.perf_counter()
    try:
        data = handout_pdf(result.plan, since=_since(result, args))
    except PdfError as exc:  # e.g. no LibreOffice: a missing tool, like a missing file
        print(f"Errore: {exc}", file=sys.stderr)
        return EXIT_USAGE
    target = _output(args, ".pdf")
    target.write_bytes(data)
    seconds = fmt.number(round(time.perf_counter() - started, 1), 1)
    print(f"Scritto {target}: la dispensa del piano in {seconds} s.")
    return EXIT_OK


Exporter = Callable[[LoadResult, argparse.Namespace], int]
EXPORTERS: dict[str, Exporter] = {"json": _export_json, "pptx": _export_pptx, "pdf": _export_pdf}


def template(args: argparse.Namespace) -> int:
    from coopplan.workbook.writer import template_plan, write_workbook

    like = None
    if args.like:
        result = load_or_exit(args.like)
        if result.plan is None:
            print_problems(result)
            return EXIT_INVALID
        like = result.plan
    write_workbook(template_plan(like), args.output)
    print(f"Modello vuoto scritto in {args.output}.")
    return EXIT_OK
