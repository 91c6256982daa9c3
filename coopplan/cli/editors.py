"""Command line: the editors of the store and its audit log.

``python -m coopplan editor add|remove|list|reset NOME`` manages who may change the plan on the
dashboard; the password is asked twice on the terminal (getpass), or read from the first line of
standard input when that is not a terminal (scripts: ``printf '%s\\n' "$PW" | …``), never taken
from the command line, where ``ps`` and the shell history would show it. Each change is written to
the audit log as done by the operating-system user («utente di sistema: mario»).

``python -m coopplan audit`` prints the audit log; ``--csv FILE`` (or ``--csv -``) exports it.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from coopplan import fmt
from coopplan.audit import audit_for, csv_text, entries
from coopplan.cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Register
from coopplan.editors import (
    Account,
    add_editor,
    editors_for,
    password_problem,
    remove_editor,
    reset_password,
    system_actor,
)
from coopplan.store import StoreError, open_store

STORE_HELP = "cartella o indirizzo postgresql:// dell'archivio (predefinito: COOPPLAN_STORE)"


class PasswordError(Exception):
    """The password could not be read or confirmed (exit code 2)."""


def add_commands(sub: argparse._SubParsersAction, command: Register) -> None:
    editor = sub.add_parser(
        "editor", help="gestisce chi può aggiornare il piano: add, remove, list, reset"
    )
    editor.add_argument(
        "action",
        choices=("add", "remove", "list", "reset"),
        help="add aggiunge, remove toglie, list elenca, reset cambia la password",
    )
    editor.add_argument("name", nargs="?", default="", help="nome dell'editor: «Maria Rossi»")
    editor.add_argument("extra", nargs="*", help=argparse.SUPPRESS)  # refused, never echoed
    editor.add_argument("--store", help=STORE_HELP)
    audit = sub.add_parser("audit", help="mostra o esporta il registro delle operazioni")
    audit.add_argument("--csv", metavar="FILE", help="esporta in CSV nel file (- per l'output)")
    audit.add_argument("--store", help=STORE_HELP)
    command("editor")(editor_command)
    command("audit")(audit_command)


def editor_command(args: argparse.Namespace) -> int:
    if args.extra:
        print("Errore: la password non si scrive nel comando (resterebbe nella cronologia della "
              "shell): il programma la chiede, oppure la legge dallo standard input. Niente è "
              "cambiato.", file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    if args.action != "list" and not args.name.strip():
        print(f"Errore: indica il nome dell'editor: editor {args.action} «Nome Cognome».",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    try:
        store = open_store(args.store, seed=None)
        editors, log = editors_for(store), audit_for(store)
        if args.action == "list":
            return _list(store.root, editors.accounts())
        if args.action == "remove":
            gone = remove_editor(editors, log, args.name, system_actor())
            print(f"Tolto l'editor «{gone.name}»: non può più accedere.")
            return EXIT_OK
        password = read_password(args.name)
        if args.action == "add":
            account = add_editor(editors, log, args.name, password, system_actor())
            print(f"Aggiunto l'editor «{account.name}»: ora può accedere e pubblicare.")
        else:
            account = reset_password(editors, log, args.name, password, system_actor())
            print(f"Cambiata la password dell'editor «{account.name}».")
        return EXIT_OK
    except PasswordError as exc:
        print(f"Errore: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"Errore: {exc.message}", file=sys.stderr)
        return EXIT_INVALID


def _list(root: object, accounts: list[Account]) -> int:
    if not accounts:
        print(f"Nessun editor nell'archivio {root}: aggiungine uno con editor add «Nome Cognome».")
        return EXIT_OK
    print(f"{fmt.count(len(accounts), 'editor', 'editor')} nell'archivio {root}:")
    for account in accounts:
        print(f"  {account.name}  (password cambiata il {fmt.date(account.changed.date())})")
    return EXIT_OK


def read_password(name: str) -> str:
    """The new password: asked twice on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"Nuova password per «{name}»: ")
        problem = password_problem(first, name)
        if problem:
            raise PasswordError(problem)
        if getpass.getpass("Ripeti la password: ") != first:
            raise PasswordError("le due password non coincidono: niente è cambiato.")
        return first
    line = sys.stdin.readline()
    if not line:
        raise PasswordError("nessuna password sullo standard input: niente è cambiato.")
    return line.rstrip("\r\n")


def audit_command(args: argparse.Namespace) -> int:
    try:
        store = open_store(args.store, seed=None)
        items = entries(audit_for(store))
    except StoreError as exc:
        print(f"Errore: {exc.message}", file=sys.stderr)
        return EXIT_INVALID
    if args.csv:
        text = csv_text(items)
        if args.csv == "-":
            sys.stdout.write(text)
        else:
            Path(args.csv).write_text(text, encoding="utf-8-sig", newline="")
            print(f"Registro delle operazioni esportato in {args.csv} "
                  f"({fmt.count(len(items), 'riga', 'righe')}).")  # fmt: skip
        return EXIT_OK
    if not items:
        print("Il registro delle operazioni è vuoto.")
    for entry in items:
        detail = f" – {entry.detail}" if entry.detail else ""
        print(f"{entry.seq:>5}  {entry.when}  {entry.event_text}: {entry.editor} "
              f"({entry.client}), {entry.outcome_text}{detail}")  # fmt: skip
    return EXIT_OK
