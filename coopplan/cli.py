"""Command line: python -m coopplan check | export | template | publish | history | restore |
get | verify.

Exit codes: 0 done (a valid workbook), 1 the workbook has errors, 2 usage error or missing file.
Messages are in Italian; no traceback ever reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from coopplan import fmt
from coopplan.files import os_reason
from coopplan.jsonplan import plan_to_dict
from coopplan.reader import LoadResult, load_plan
from coopplan.validation import summary

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
MAX_ECHO = 200  # characters of a wrong command line repeated back to the user


class UsageError(Exception):
    """A mistake in the command line itself (exit code 2)."""


_ARGPARSE_WORDS = {
    "the following arguments are required": "mancano gli argomenti",
    "unrecognized arguments": "argomenti non riconosciuti",
    "invalid choice": "scelta non valida",
    "choose from": "scegli tra",
    "expected one argument": "serve un valore",
    "invalid int value": "numero non valido",
    "argument ": "argomento ",
}


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001, ANN201
        return super().add_usage(usage, actions, groups, "uso: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse that speaks Italian and raises instead of exiting, so main() decides."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "argomenti"
        self._optionals.title = "opzioni"
        self.add_argument("-h", "--help", action="help", help="mostra questo aiuto ed esce")

    def error(self, message: str) -> NoReturn:
        for english, italian in _ARGPARSE_WORDS.items():
            message = message.replace(english, italian)
        if len(message) > MAX_ECHO:
            message = message[:MAX_ECHO] + "…"
        raise UsageError(f"comando non valido ({message}). Usa --help per l'elenco dei comandi.")


Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Command] = {}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m coopplan",
        description="Il piano di lavoro da riga di comando: controllo, esportazioni, versioni.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMANDO", parser_class=_Parser)
    check = sub.add_parser("check", help="controlla una cartella di lavoro .xlsx")
    check.add_argument("file", help="il file .xlsx da controllare")
    export = sub.add_parser("export", help="esporta il piano (json, pptx, pdf)")
    export.add_argument("file", help="il file .xlsx del piano")
    export.add_argument("--format", choices=_export_formats(), default="json")
    export.add_argument("-o", "--output", help="file di uscita (per json: predefinito lo schermo)")
    export.add_argument(
        "--dal",
        type=int,
        metavar="VERSIONE",
        help="pptx e pdf: aggiunge «Dall'ultima assemblea», il confronto con questa versione "
        "dell'archivio (--store, predefinito COOPPLAN_STORE)",
    )
    export.add_argument("--store", help="cartella o indirizzo postgresql:// dell'archivio")
    template = sub.add_parser("template", help="scrive un modello vuoto del file .xlsx")
    template.add_argument("-o", "--output", required=True, help="il file .xlsx da creare")
    template.add_argument("--like", help="copia piste e fonti da questo piano .xlsx")
    _add_store_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if not args.command:
            raise UsageError("indica un comando: check, export, template… (usa --help).")
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"Errore: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_USAGE
    except OSError as exc:  # writing an output file, or reading one we could not open
        where = f" «{exc.filename}»" if exc.filename else ""
        print(f"Errore: impossibile usare il file{where}: {os_reason(exc)}.", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - last resort: words, never a traceback
        print(
            f"Errore imprevisto: {type(exc).__name__}. Il file non è stato modificato.",
            file=sys.stderr,
        )
        return EXIT_INVALID


def command(name: str) -> Callable[[Command], Command]:
    def register(function: Command) -> Command:
        COMMANDS[name] = function
        return function

    return register


def load_or_exit(file: str) -> LoadResult:
    """Load a workbook named on the command line; a missing file is a usage error."""
    path = Path(file)
    if path.is_dir():
        raise UsageError(f"«{file}» è una cartella: indica un file .xlsx.")
    if not path.is_file():
        raise UsageError(f"il file «{file}» non esiste.")
    return load_plan(file)


def print_problems(result: LoadResult) -> None:
    for problem in result.problems:
        print(problem, file=sys.stderr if problem.is_error else sys.stdout)


@command("check")
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
        shown = (
            fmt.money(row.total)
            if row.kind == "amount"
            else fmt.count(int(row.total), "progetto", "progetti")
        )
        print(f"  {row.source}: {shown}")
    print_problems(result)
    return EXIT_OK


@command("export")
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


Exporter = Callable[[LoadResult, argparse.Namespace], int]
EXPORTERS: dict[str, Exporter] = {"json": _export_json}


def _export_formats() -> list[str]:
    _register_optional_exporters()
    return sorted(EXPORTERS)


def _register_optional_exporters() -> None:
    """Exporters that live in their own package register here (pptx, pdf)."""
    from coopplan.export import cli_exporters  # imported late: python-pptx is slow to import

    EXPORTERS.update(cli_exporters())


@command("template")
def template(args: argparse.Namespace) -> int:
    from coopplan.writer import template_plan, write_workbook

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


def _add_store_commands(sub: argparse._SubParsersAction) -> None:
    """publish / history / restore live with the versioned store."""
    from coopplan.store_cli import add_commands

    add_commands(sub, command)
