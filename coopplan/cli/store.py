"""Command line of the versioned store: publish, history, restore, get, verify.

    python -m coopplan publish FILE [--editor NAME] [--note TEXT]
    python -m coopplan history [--year YEAR]
    python -m coopplan restore VERSION [--editor NAME] [--note TEXT]
    python -m coopplan get VERSION -o FILE
    python -m coopplan verify
    python -m coopplan copy FROM TO
    python -m coopplan mark VERSION --data 2026-03-14 [--editor NAME]

``copy`` copies every version (number, metadata, workbook) from one store to another, each a folder
or a ``postgresql://`` address: the move to a database and back, and the backup (see
coopplan.store.copy).

The commands that write (``publish``, ``restore``, ``mark``) first make the shipped plan version 1
of an empty store. The commands that only read (``history``, ``get``, ``verify``, and ``copy``'s
source) never create nor seed anything: a folder or database that holds no store is said to be
none (exit 1). ``verify`` exits 1 when the store is damaged (0 when sound, also with notices such
as the leftover of an interrupted publish). ``history`` says which versions are damaged or missing.

The store is the one of the dashboard (COOPPLAN_STORE, default store/), or --store DIR|URL. A
database address needs no password on the command line (where ``ps`` shows it): libpq takes it
from PGPASSWORD, ~/.pgpass (or PGPASSFILE) or a service (PGSERVICE, ``service=…``); messages never
show it. Whoever runs these commands can already write the store, so no editor secret is asked:
a write is recorded as done by the operating-system user («utente di sistema: mario»), or, with
``--editor NAME``, by that named editor once their password is checked (coopplan.cli.editors);
each write goes to the audit log. ``verify`` checks the audit log too, ``copy`` copies it and
the editors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coopplan import fmt
from coopplan.cli import editors
from coopplan.cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Command, Register
from coopplan.diff import diff_plans
from coopplan.store.copy import copy_versions
from coopplan.store.folder import OBJECTS, Store
from coopplan.store.location import open_store
from coopplan.store.marks import parse_day
from coopplan.store.model import CORRUPT, STORE_ENV, StoreError, Version, VersionStore


def add_commands(sub: argparse._SubParsersAction, command: Register) -> None:
    """Register the store's subcommands on the main parser (see coopplan.cli)."""
    publish_parser = sub.add_parser("publish", help="pubblica un .xlsx come nuova versione")
    publish_parser.add_argument("file", help="il file .xlsx da pubblicare")
    publish_parser.add_argument("--editor", help=editors.EDITOR_HELP)
    publish_parser.add_argument("--note", default="", help="nota facoltativa sulla versione")
    history_parser = sub.add_parser("history", help="elenca le versioni pubblicate")
    history_parser.add_argument("--year", type=int, help="solo il piano di quest'anno")
    restore_parser = sub.add_parser("restore", help="ripristina una versione precedente")
    restore_parser.add_argument("version", type=int, help="numero della versione da ripristinare")
    restore_parser.add_argument("--editor", help=editors.EDITOR_HELP)
    restore_parser.add_argument("--note", default="", help="nota facoltativa")
    get_parser = sub.add_parser("get", help="salva il .xlsx di una versione")
    get_parser.add_argument("version", type=int, help="numero della versione")
    get_parser.add_argument("-o", "--output", required=True, help="il file .xlsx da scrivere")
    verify_parser = sub.add_parser(
        "verify", help="controlla l'archivio: registro, file delle versioni, file orfani"
    )
    mark_parser = sub.add_parser(
        "mark", help="segna una versione come presentata in assemblea, con la data"
    )
    mark_parser.add_argument("version", type=int, help="numero della versione presentata")
    mark_parser.add_argument(
        "--data", required=True, help="giorno dell'assemblea: 2026-03-14 oppure 14/03/2026"
    )
    mark_parser.add_argument("--editor", help=editors.EDITOR_HELP)
    for parser in (
        publish_parser,
        history_parser,
        restore_parser,
        get_parser,
        verify_parser,
        mark_parser,
    ):
        parser.add_argument(
            "--store",
            help="cartella o indirizzo postgresql:// dell'archivio, senza password (predefinito: "
            "COOPPLAN_STORE; la password da PGPASSWORD, ~/.pgpass o PGSERVICE)",
        )
    copy_parser = sub.add_parser(
        "copy", help="copia tutte le versioni da un archivio a un altro (anche come backup)"
    )
    copy_parser.add_argument(
        "source", help="archivio di partenza: cartella o postgresql://… (senza password)"
    )
    copy_parser.add_argument(
        "target", help="archivio di destinazione: cartella o postgresql://… (senza password)"
    )
    command("copy")(_guard(copy))
    command("publish")(_guard(publish))
    command("history")(_guard(history))
    command("restore")(_guard(restore))
    command("get")(_guard(get))
    command("verify")(_guard(verify))
    command("mark")(_guard(mark))


def _guard(function: Command) -> Command:
    """Store refusals become an Italian message and exit code 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return function(args)
        except StoreError as exc:
            print(f"Errore: {exc.message}", file=sys.stderr)
            for problem in exc.problems:
                print(problem, file=sys.stderr if problem.is_error else sys.stdout)
            return EXIT_INVALID

    run.__name__ = function.__name__
    return run


def _store(args: argparse.Namespace) -> VersionStore:
    """For a command that writes: the store named by --store (else the dashboard's), seeded with
    the shipped plan if empty (created if need be)."""
    store = open_store(args.store)
    store.ensure_seeded()
    return store


def existing_store(location: str | None) -> VersionStore:
    """For a command that only reads: the store at ``location`` (None: the dashboard's),
    untouched; StoreError when there is no store there."""
    store = open_store(location, seed=None)
    if not store.exists():
        raise StoreError(not_a_store(store))
    return store


def not_a_store(store: VersionStore) -> str:
    """Why there is no store at ``store.root``, in Italian."""
    if not isinstance(store, Store):
        return (
            f"Il database ({store.root}) non contiene un archivio delle versioni: niente da "
            "leggere. Controlla l'indirizzo (--store o COOPPLAN_STORE)."
        )
    state = "non esiste" if not store.root.exists() else "non è un archivio delle versioni"
    return (
        f"La cartella «{store.root}» {state}: non contiene il registro manifest.jsonl né la "
        f"cartella {OBJECTS}/, niente da leggere. Indica la cartella dell'archivio con --store "
        f"(o con la variabile {STORE_ENV})."
    )


def _refuse_foreign_target(target: VersionStore) -> None:
    """StoreError when ``target`` is a folder holding other things than a store (a copy goes
    into a store, an empty folder or a new one)."""
    if isinstance(target, Store) and not target.exists() and target.root.exists():
        if not target.root.is_dir() or any(target.root.iterdir()):
            raise StoreError(
                f"La destinazione «{target.root}» non è un archivio delle versioni né una "
                "cartella vuota: copia rifiutata. Scegli una cartella vuota o nuova, oppure un "
                "archivio copiato prima."
            )


def publish(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"Errore: il file «{args.file}» non esiste.", file=sys.stderr)
        return EXIT_USAGE
    store = _store(args)
    data = path.read_bytes()
    version = editors.publish(store, args, data, path.name)
    print(f"Pubblicata la versione {version.number} ({describe(version)}).")
    _print_changes(store, version)
    return EXIT_OK


def history(args: argparse.Namespace) -> int:
    store = existing_store(args.store)
    versions = store.versions(args.year)
    if not versions:
        report = store.verify()
        if not report.sound:  # e.g. a lost manifest: an empty listing would be a lie
            return verify(args)
        print("Nessuna versione nell'archivio.")
        return EXIT_OK
    in_force = {store.current(year).number for year in store.years()}
    marks = store.marks()
    damaged = {d.version: d for d in store.verify().damages if d.version is not None and d.serious}
    for version in versions:
        mark = "  ← in vigore" if version.number in in_force else ""
        if version.number in damaged:
            mark += "  ← DANNEGGIATA" if damaged[version.number].kind == CORRUPT else "  ← MANCA"
        if version.number in marks:
            mark += f"  ← presentata all'assemblea del {marks[version.number].day_text}"
        print(f"{version.number:>4}  {describe(version)}{mark}")
        if version.note:
            print(f"      {version.note}")
    _warn_damage(store)
    return EXIT_OK


def verify(args: argparse.Namespace) -> int:
    """Check the whole store; print the Italian report; 1 when damaged, 0 when sound."""
    store = existing_store(args.store)
    report = store.verify()
    out = sys.stdout if report.sound else sys.stderr
    for line in report.lines():
        print(line, file=out)
    log_sound = editors.verify_log(store)
    return EXIT_OK if report.sound and log_sound else EXIT_INVALID


def copy(args: argparse.Namespace) -> int:
    """Copy every version the target does not hold yet; nothing is seeded on either side."""
    source, target = existing_store(args.source), open_store(args.target, seed=None)
    _refuse_foreign_target(target)
    result = copy_versions(
        source, target, lambda v: print(f"Copiata la versione {v.number} ({describe(v)}).")
    )
    if result.kept:
        print(
            f"Già nell'archivio di destinazione: {fmt.count(result.kept, 'versione', 'versioni')}."
        )
    editors.copy_accounts(source, target)
    copied = fmt.count(len(result.copied), "versione copiata", "versioni copiate")
    print(f"Copia finita: {copied} in {target.root}.")
    return EXIT_OK


def _warn_damage(store: VersionStore) -> None:
    """Under a listing: what is damaged, for each year (what the dashboard shows instead)."""
    for year in store.years():
        message = store.standing(year).message
        if message:
            print(f"Attenzione: {message}", file=sys.stderr)


def restore(args: argparse.Namespace) -> int:
    store = _store(args)
    version = editors.restore(store, args)
    print(
        f"Ripristinata la versione {args.version}: ora è in vigore come versione "
        f"{version.number} ({describe(version)})."
    )
    return EXIT_OK


def mark(args: argparse.Namespace) -> int:
    """Mark a version «presentata in assemblea» on the given day."""
    try:
        day = parse_day(args.data)
    except ValueError as exc:
        print(f"Errore: {exc}", file=sys.stderr)
        return EXIT_USAGE
    store = _store(args)
    done = editors.mark(store, args, day)
    print(f"Versione {done.number} segnata come presentata all'assemblea del {done.day_text}.")
    return EXIT_OK


def get(args: argparse.Namespace) -> int:
    store = existing_store(args.store)
    Path(args.output).write_bytes(store.read(args.version))
    print(f"Versione {args.version} salvata in {args.output}.")
    return EXIT_OK


def describe(version: Version) -> str:
    """'piano 2023, 25/11/26 15:02, Maria Rossi – Risorse Coop Re-Start 25.000 €, …'."""
    restored = (
        f", ripristino della versione {version.restored_from}" if version.restored_from else ""
    )
    return f"piano {version.year}, {version.when}, {version.editor}{restored} – {version.totals_text()}"


def _print_changes(store: VersionStore, version: Version) -> None:
    earlier = [v for v in store.versions(version.year) if v.number < version.number]
    if not earlier:
        print(f"È il primo piano per l'anno {version.year}.")
        return
    diff = diff_plans(store.load(earlier[-1]), store.load(version))
    print(f"Che cosa cambia rispetto alla versione {earlier[-1].number}:")
    for sentence in diff.sentences():
        print(f"  • {sentence}")
