"""Commands on a workbook: check, export (the formats of coopplan.export.formats), template.

python -m coopplan check FILE
python -m coopplan export FILE [--format json|pptx|pdf|html] [-o FILE] [--dal VERSIONE]
python -m coopplan template -o FILE [--like FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
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
from coopplan.export import ExportError, formats
from coopplan.workbook.problems import summary
from coopplan.workbook.reader import LoadResult

if TYPE_CHECKING:
    from coopplan.since import SinceReport


def add_commands(sub: argparse._SubParsersAction, command: Register) -> None:
    """Register check, export and template on the main parser (see coopplan.cli)."""
    check_parser = sub.add_parser("check", help="controlla una cartella di lavoro .xlsx")
    check_parser.add_argument("file", help="il file .xlsx da controllare")
    offered = formats.offered(formats.Place.COMMAND_LINE)
    keys = [f.key for f in offered]
    export_parser = sub.add_parser("export", help=f"esporta il piano ({', '.join(keys)})")
    export_parser.add_argument("file", help="il file .xlsx del piano")
    export_parser.add_argument(
        "--format",
        choices=keys,
        default=keys[0],
        help="; ".join(f"{f.key}: {f.label}" for f in offered),
    )
    printed = [f.key for f in offered if f.printable]
    export_parser.add_argument(
        "-o", "--output", help=f"file di uscita (per {', '.join(printed)}: predefinito lo schermo)"
    )
    told = [f.key for f in offered if f.basis is formats.Basis.DECK]
    export_parser.add_argument(
        "--dal",
        type=int,
        metavar="VERSIONE",
        help=f"{', '.join(told)}: aggiunge «Dall'ultima assemblea», il confronto con questa "
        "versione dell'archivio (--store, predefinito COOPPLAN_STORE)",
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
    chosen = formats.named(args.format)
    since = _since(result, args) if chosen.basis is formats.Basis.DECK else None
    subject = formats.Subject(result.plan, since=since)
    started = time.perf_counter()
    try:
        data = chosen.build(subject)
    except ExportError as exc:  # e.g. no LibreOffice: a missing tool, like a missing file
        print(f"Errore: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if chosen.printable and not args.output:
        sys.stdout.write(data.decode("utf-8"))
        return EXIT_OK
    target = _output(args, chosen)
    target.write_bytes(data)
    seconds = fmt.number(round(time.perf_counter() - started, 2), 2)
    said = chosen.said(subject) if chosen.said else chosen.label
    print(f"Scritto {target}: {said} in {seconds} s.")
    return EXIT_OK


def _output(args: argparse.Namespace, chosen: formats.ExportFormat) -> Path:
    """``-o``, else a file named after the workbook in the current folder (never the workbook
    itself: a format with the workbook's extension gets its stem appended)."""
    if args.output:
        return Path(args.output)
    target = Path(Path(args.file).stem + "." + chosen.extension)
    if target.resolve() == Path(args.file).resolve():
        target = Path(f"{Path(args.file).stem}-{chosen.stem}.{chosen.extension}")
    return target


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
