"""What every command of ``python -m coopplan`` shares: exit codes, the Italian argument
parser, usage errors, loading the workbook named on the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from coopplan.workbook.reader import LoadResult, load_plan

EXIT_OK = 0  # done (a valid workbook, a sound store)
EXIT_INVALID = 1  # the workbook has errors, the store refused or is damaged
EXIT_USAGE = 2  # a mistake in the command line, a missing file or tool
MAX_ECHO = 200  # characters of a wrong command line repeated back to the user

Command = Callable[[argparse.Namespace], int]
Register = Callable[[str], Callable[[Command], Command]]
"""``register(name)(function)``: makes ``function`` the command ``name`` (see coopplan.cli)."""


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
    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001, ANN202 - argparse's
        return super().add_usage(usage, actions, groups, "uso: " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
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


def load_or_exit(file: str) -> LoadResult:
    """Load a workbook named on the command line.

    Raises UsageError when ``file`` is a folder or does not exist."""
    path = Path(file)
    if path.is_dir():
        raise UsageError(f"«{file}» è una cartella: indica un file .xlsx.")
    if not path.is_file():
        raise UsageError(f"il file «{file}» non esiste.")
    return load_plan(file)


def print_problems(result: LoadResult) -> None:
    """Each problem on its own line: errors on stderr, warnings on stdout."""
    for problem in result.problems:
        print(problem, file=sys.stderr if problem.is_error else sys.stdout)
