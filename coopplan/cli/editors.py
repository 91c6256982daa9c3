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
import datetime as dt
import getpass
import os
import sys
from pathlib import Path

from coopplan import fmt
from coopplan.cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Register
from coopplan.editors.access import Guesser
from coopplan.editors.accounts import (
    Account,
    Actor,
    SignIn,
    add_editor,
    copy_editors,
    mark_as,
    password_problem,
    publish_as,
    remove_editor,
    reset_password,
    restore_as,
    system_actor,
)
from coopplan.editors.audit import (
    CLI_CLIENT,
    check,
    copy_audit,
    csv_text,
    entries,
    report_lines,
)
from coopplan.editors.backends import audit_for, editors_for
from coopplan.store.location import open_store
from coopplan.store.marks import Mark
from coopplan.store.model import StoreError, Version, VersionStore

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
        store = (
            open_store(args.store, seed=None) if args.action == "list" else open_store(args.store)
        )
        if args.action != "list":  # a store made for its editors is a store: the plan first
            store.ensure_seeded()
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


def read_password(name: str, *, confirm: bool = True) -> str:
    """A password: asked on a terminal (a new one twice, checked against the rules), else the
    first line of standard input."""
    if sys.stdin.isatty():
        if not confirm:
            return getpass.getpass(f"Password di «{name}»: ")
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
              f"({entry.client}), esito: {entry.outcome_text}{detail}")  # fmt: skip
    return EXIT_OK


# What the store's commands use ---------------------------------------------------------------

EDITOR_HELP = (
    "accedi come questo editor (la password viene chiesta, o letta dallo standard input); "
    "senza: l'operazione porta il nome dell'utente di sistema"
)


def cli_actor(store: VersionStore, name: str | None) -> Actor:
    """Who a write of the command line is recorded as: the editor ``name`` once their password
    is checked (SignInError otherwise), else the operating-system user, said as such."""
    if not name:
        return system_actor()
    try:
        password = read_password(name, confirm=False)
    except PasswordError as exc:
        raise StoreError(f"Accesso come «{name}» non riuscito: {exc}") from exc
    result = SignIn(editors_for(store), audit_for(store)).check(
        name, password, Guesser(f"cli-{os.getpid()}", CLI_CLIENT)
    )
    if not result.ok:
        raise StoreError(f"Accesso come «{name}» non riuscito. {result.message}")
    return Actor(result.editor, CLI_CLIENT)


def publish(store: VersionStore, args: argparse.Namespace, data: bytes, name: str) -> Version:
    return publish_as(store, audit_for(store), cli_actor(store, args.editor), data, args.note, name)


def restore(store: VersionStore, args: argparse.Namespace) -> Version:
    actor = cli_actor(store, args.editor)
    return restore_as(store, audit_for(store), actor, args.version, args.note)


def mark(store: VersionStore, args: argparse.Namespace, day: dt.date) -> Mark:
    return mark_as(store, audit_for(store), cli_actor(store, args.editor), args.version, day)


def verify_log(store: VersionStore) -> bool:
    """Check the audit log and print its part of the report; True when sound."""
    log = audit_for(store)
    damages = check(log)
    sound = not any(d.serious for d in damages)
    for line in report_lines(log, damages):
        print(line, file=sys.stdout if sound else sys.stderr)
    return sound


def copy_accounts(source: VersionStore, target: VersionStore) -> None:
    """Copy the audit log and the editors the target lacks, saying how many."""
    lines = copy_audit(audit_for(source), audit_for(target))
    added = copy_editors(editors_for(source), editors_for(target))
    print(
        f"Registro delle operazioni: {fmt.count(lines, 'riga copiata', 'righe copiate')}; "
        f"editor: {fmt.count(added, 'copiato', 'copiati')}."
    )
