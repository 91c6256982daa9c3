"""Command line: python -m coopplan check | export | template | publish | history | restore |
get | verify | mark | copy | editor | audit.

One module per group of commands: ``plan`` (check, export, template), ``store`` (the
versioned store) and ``editors`` (who may edit, the audit log); ``common`` holds the exit codes and the Italian parser they share.

Exit codes: 0 done (a valid workbook), 1 the workbook has errors, 2 usage error or missing file.
Messages are in Italian; no traceback ever reaches the user.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from coopplan.cli import editors, plan, store
from coopplan.cli.common import EXIT_INVALID, EXIT_USAGE, Command, Parser, UsageError
from coopplan.store.files import os_reason

COMMANDS: dict[str, Command] = {}
GROUPS = (plan, store, editors)  # in the order of the help


def command(name: str) -> Callable[[Command], Command]:
    """Decorator: make the function the command ``name``."""

    def register(function: Command) -> Command:
        COMMANDS[name] = function
        return function

    return register


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command (registering each in ``COMMANDS``)."""
    parser = Parser(
        prog="python -m coopplan",
        description="Il piano di lavoro da riga di comando: controllo, esportazioni, versioni.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMANDO", parser_class=Parser)
    for group in GROUPS:
        group.add_commands(sub, command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command in ``argv`` (default: sys.argv); returns the exit code (0, 1 or 2)."""
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
