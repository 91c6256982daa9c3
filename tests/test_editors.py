"""Named editors and the audit log, on both backends (a folder and a real PostgreSQL, tests/pg.py):
passwords kept only as scrypt hashes, sign-in slowed per session, client and account-from-client
(never per account alone), every attempt and write in an append-only, chained log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import ROOT
from support.pg import execute, fresh_schema
from support.stores import variant

from coopplan.editors import audit
from coopplan.editors.access import Guesser, Policy, Throttle
from coopplan.editors.accounts import (
    EDITORS_FILE,
    Actor,
    Outcome,
    SignIn,
    SignInResult,
    add_editor,
    copy_editors,
    mark_as,
    publish_as,
    remove_editor,
    reset_password,
    system_actor,
    verify_password,
)
from coopplan.editors.audit import AUDIT_FILE, Event, Result, check, copy_audit, entries
from coopplan.editors.backends import audit_for, editors_for
from coopplan.store.folder import Store
from coopplan.store.model import StoreError, VersionStore
from coopplan.store.postgres import PgStore

MARIA, LUCA = "Maria Rossi", "Luca Bianchi"
MARIA_PW, LUCA_PW = "mela-verde-2026!", "pera-gialla-2026?"
ADMIN = Actor("utente di sistema: admin")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["folder", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> VersionStore:
    if request.param == "folder":
        made: VersionStore = Store(tmp_path / "store")
    else:
        made = PgStore(fresh_schema(request.getfixturevalue("pg_server")))
    made.ensure_seeded()
    return made


@pytest.fixture
def two_editors(store: VersionStore) -> VersionStore:
    for name, password in ((MARIA, MARIA_PW), (LUCA, LUCA_PW)):
        add_editor(editors_for(store), audit_for(store), name, password, ADMIN)
    return store


def sign_in(store: VersionStore, throttle: Throttle, clock: Clock) -> SignIn:
    return SignIn(editors_for(store), audit_for(store), throttle, clock)


def test_a_password_is_kept_only_as_a_salted_scrypt_hash(two_editors: VersionStore) -> None:
    accounts = editors_for(two_editors).accounts()
    assert [a.name for a in accounts] == [LUCA, MARIA]
    maria = editors_for(two_editors).get("  maria   ROSSI ")  # as the eye reads it
    assert maria is not None and maria.password_hash.startswith("scrypt$32768$8$1$")
    assert verify_password(MARIA_PW, maria.password_hash)
    assert not verify_password(LUCA_PW, maria.password_hash)
    assert maria.password_hash != accounts[0].password_hash
    if isinstance(two_editors, Store):
        text = (two_editors.root / EDITORS_FILE).read_text(encoding="utf-8")
        assert oct((two_editors.root / EDITORS_FILE).stat().st_mode & 0o777) == "0o600"
    else:
        text = str(execute(two_editors.url, "SELECT record::text FROM coopplan_editors"))
    assert MARIA_PW not in text and LUCA_PW not in text and "mela" not in text


def test_bad_names_and_short_passwords_are_refused_in_italian(store: VersionStore) -> None:
    editors, log = editors_for(store), audit_for(store)
    with pytest.raises(StoreError, match="almeno 12 caratteri"):
        add_editor(editors, log, MARIA, "corta", ADMIN)
    with pytest.raises(StoreError, match="non può essere il nome di un editor"):
        add_editor(editors, log, "utente di sistema: root", MARIA_PW, ADMIN)
    add_editor(editors, log, MARIA, MARIA_PW, ADMIN)
    with pytest.raises(StoreError, match="C'è già un editor di nome «Maria Rossi»"):
        add_editor(editors, log, "maria rossi", LUCA_PW, ADMIN)
    with pytest.raises(StoreError, match="Non c'è nessun editor di nome «Nessuno»"):
        remove_editor(editors, log, "Nessuno", ADMIN)


def test_two_editors_publish_and_each_version_names_the_right_one(
    two_editors: VersionStore,
) -> None:
    throttle, clock = Throttle(Policy()), Clock()
    gate = sign_in(two_editors, throttle, clock)
    maria = gate.check("maria rossi", MARIA_PW, Guesser("s-maria", "198.51.100.20"))
    luca = gate.check(LUCA, LUCA_PW, Guesser("s-luca", "198.51.100.30"))
    assert (
        maria.ok and maria.editor == MARIA and maria.message == "Accesso eseguito come Maria Rossi."
    )
    assert luca.ok and luca.editor == LUCA
    log = audit_for(two_editors)
    first = publish_as(two_editors, log, Actor(maria.editor, "198.51.100.20"), variant(1000.0))
    second = publish_as(two_editors, log, Actor(luca.editor, "198.51.100.30"), variant(2000.0))
    assert [(v.number, v.editor) for v in two_editors.versions()[-2:]] == [
        (first.number, MARIA),
        (second.number, LUCA),
    ]
    mark_as(two_editors, log, Actor(maria.editor, "198.51.100.20"), first.number,
            dt.date(2026, 3, 14))  # fmt: skip
    assert two_editors.marks()[first.number].editor == MARIA
    events = [(e.event, e.editor, e.client, e.outcome, e.detail) for e in entries(log)]
    assert events == [
        ("editor-add", ADMIN.name, "riga di comando", "ok", MARIA),
        ("editor-add", ADMIN.name, "riga di comando", "ok", LUCA),
        ("sign-in", MARIA, "198.51.100.20", "ok", ""),
        ("sign-in", LUCA, "198.51.100.30", "ok", ""),
        ("publish", MARIA, "198.51.100.20", "ok", f"versione {first.number}"),
        ("publish", LUCA, "198.51.100.30", "ok", f"versione {second.number}"),
        ("mark", MARIA, "198.51.100.20", "ok",
         f"versione {first.number}, l'assemblea del 14 marzo 2026"),
    ]  # fmt: skip
    assert check(log) == []


def test_a_refused_publish_is_logged_with_its_editor(two_editors: VersionStore) -> None:
    log = audit_for(two_editors)
    with pytest.raises(StoreError):
        publish_as(two_editors, log, Actor(MARIA, "198.51.100.20"), b"non un xlsx", name="x.xlsx")
    last = entries(log)[-1]
    assert (last.event, last.editor, last.outcome) == ("publish", MARIA, "refused")
    assert last.detail.startswith("x.xlsx: Il file non è stato pubblicato")


def test_a_removed_editor_cannot_sign_in(two_editors: VersionStore) -> None:
    gate = sign_in(two_editors, Throttle(Policy()), Clock())
    who = Guesser("s-luca", "198.51.100.30")
    assert gate.check(LUCA, LUCA_PW, who).ok
    remove_editor(editors_for(two_editors), audit_for(two_editors), LUCA, ADMIN)
    refused = gate.check(LUCA, LUCA_PW, who)
    assert refused.outcome is Outcome.WRONG and refused.message == "Nome o password non corretti."
    last = entries(audit_for(two_editors))[-2:]
    assert [(e.event, e.editor, e.outcome, e.detail) for e in last] == [
        ("editor-remove", ADMIN.name, "ok", LUCA),
        ("sign-in", "nome sconosciuto", "wrong", ""),
    ]


def test_a_reset_password_replaces_the_old_one(two_editors: VersionStore) -> None:
    gate = sign_in(two_editors, Throttle(Policy()), Clock())
    reset_password(
        editors_for(two_editors), audit_for(two_editors), MARIA, "nuova-password-77", ADMIN
    )
    assert not gate.check(MARIA, MARIA_PW, Guesser("a", "198.51.100.1")).ok
    assert gate.check(MARIA, "nuova-password-77", Guesser("b", "198.51.100.2")).ok


def test_fifty_wrong_passwords_from_one_client_stop_neither_editor_elsewhere(
    two_editors: VersionStore,
) -> None:
    """A visitor guesses Maria's password 50 times (new browser sessions, one address): its
    client is slowed down, and told when to retry; Luca, and Maria herself, from their own
    computers, sign in at once."""
    throttle, clock = Throttle(Policy()), Clock()
    gate = sign_in(two_editors, throttle, clock)
    outcomes = []
    for attempt in range(50):
        result = gate.check(
            MARIA, f"tentativo-{attempt:04d}", Guesser(f"v{attempt}", "203.0.113.7")
        )
        outcomes.append(result.outcome)
        clock.now += 1.0
    # compared at 0, 1, 2 s, then Maria-from-this-client waits 5, 10, 20, 40 s: at 7, 17, 37 s
    assert [i for i, o in enumerate(outcomes) if o is Outcome.WRONG] == [0, 1, 2, 7, 17, 37]
    assert outcomes[-1] is Outcome.WAIT
    waited = gate.check(MARIA, MARIA_PW, Guesser("v-last", "203.0.113.7"))
    assert waited.outcome is Outcome.WAIT  # even the right password waits on that client
    assert waited.message == "Troppi tentativi ravvicinati: riprova tra 27 secondi."
    assert gate.check(LUCA, LUCA_PW, Guesser("s-luca", "198.51.100.30")).ok
    assert gate.check(MARIA, MARIA_PW, Guesser("s-maria", "198.51.100.20")).ok
    logged = [e for e in entries(audit_for(two_editors)) if e.event == "sign-in"]
    assert [e.outcome for e in logged[:50]].count("wrong") == 6
    assert all(e.editor == MARIA and e.client == "203.0.113.7" for e in logged[:-2])
    assert [(e.editor, e.outcome) for e in logged[-2:]] == [(LUCA, "ok"), (MARIA, "ok")]


def test_the_account_is_slowed_per_client_and_the_session_cannot_dodge_it(
    two_editors: VersionStore,
) -> None:
    """Wrong guesses on one account from one client, each from a new session, grow a wait for
    that account from that client (not for another account from it, nor for it elsewhere)."""
    throttle, clock = Throttle(Policy(client_failures=1000)), Clock()
    gate = sign_in(two_editors, throttle, clock)
    for attempt in range(3):
        gate.check(MARIA, f"sbagliata-{attempt:06d}", Guesser(f"n{attempt}", "203.0.113.9"))
    third = gate.check(MARIA, MARIA_PW, Guesser("nuova", "203.0.113.9"))
    assert third.outcome is Outcome.WAIT and third.wait == pytest.approx(5.0)
    assert gate.check(LUCA, LUCA_PW, Guesser("nuova-2", "203.0.113.9")).ok
    assert gate.check(MARIA, MARIA_PW, Guesser("casa", "198.51.100.20")).ok
    clock.now += 5.0
    assert gate.check(MARIA, MARIA_PW, Guesser("nuova", "203.0.113.9")).ok


def test_no_password_is_ever_written_to_the_log(two_editors: VersionStore) -> None:
    gate = sign_in(two_editors, Throttle(Policy()), Clock())
    gate.check("mela-verde-2026!", MARIA_PW, Guesser("x", "203.0.113.1"))  # swapped fields
    gate.check(MARIA, "segreto-sbagliato", Guesser("y", "203.0.113.1"))
    lines = "\n".join(audit_for(two_editors).lines())
    for secret in (MARIA_PW, LUCA_PW, "segreto-sbagliato"):
        assert secret not in lines
    assert entries(audit_for(two_editors))[-2].editor == "nome sconosciuto"


def test_an_altered_or_removed_line_breaks_the_chain(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    store.ensure_seeded()
    log = audit_for(store)
    for name in ("Anna Verdi", "Bruno Neri", "Carla Blu"):
        add_editor(editors_for(store), log, name, "una-password-lunga", ADMIN)
    assert check(log) == []
    path = store.root / AUDIT_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], lines[2]]) + "\n", encoding="utf-8")
    damages = check(log)
    assert [d.message for d in damages] == [
        "Registro delle operazioni (audit.jsonl), riga 2: non segue la riga precedente (numero "
        "o collegamento diversi): una riga è stata tolta, cambiata o aggiunta."
    ]
    altered = lines[1].replace("Bruno Neri", "Bruno Nero")
    path.write_text("\n".join([lines[0], altered, lines[2]]) + "\n", encoding="utf-8")
    assert [d.line for d in check(log)] == [3]


def test_a_torn_last_line_is_a_notice_and_the_next_entry_follows_the_last_whole_one(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "store")
    log = audit_for(store)
    add_editor(editors_for(store), log, "Anna Verdi", "una-password-lunga", ADMIN)
    with (store.root / AUDIT_FILE).open("a", encoding="utf-8") as handle:
        handle.write('{"seq":2,"time":"2026-')
    [torn] = check(log)
    assert not torn.serious and "scrittura interrotta" in torn.message
    add_editor(editors_for(store), log, "Bruno Neri", "una-password-lunga", ADMIN)
    damages = check(log)
    assert [d.serious for d in damages] == [True]  # a bad line in the middle is damage
    assert [e.seq for e in entries(log)] == [1, 2]


def test_the_database_log_refuses_update_and_delete(pg_server: str) -> None:
    store = PgStore(fresh_schema(pg_server))
    add_editor(editors_for(store), audit_for(store), MARIA, MARIA_PW, ADMIN)
    for statement in (
        "UPDATE coopplan_audit SET line = 'x'",
        "DELETE FROM coopplan_audit",
        "TRUNCATE coopplan_audit",
    ):
        with pytest.raises(Exception, match="append-only"):
            execute(store.url, statement)
    assert len(audit_for(store).lines()) == 1


@pytest.mark.parametrize("direction", ["folder-to-pg", "pg-to-folder"])
def test_the_log_and_the_editors_are_copied_between_backends(
    direction: str, tmp_path: Path, pg_server: str
) -> None:
    folder: VersionStore = Store(tmp_path / "store")
    database: VersionStore = PgStore(fresh_schema(pg_server))
    source, target = (folder, database) if direction == "folder-to-pg" else (database, folder)
    source.ensure_seeded()
    add_editor(editors_for(source), audit_for(source), MARIA, MARIA_PW, ADMIN)
    publish_as(source, audit_for(source), Actor(MARIA, "198.51.100.20"), variant(1000.0))
    assert copy_audit(audit_for(source), audit_for(target)) == 2
    assert copy_editors(editors_for(source), editors_for(target)) == 1
    assert audit_for(target).lines() == audit_for(source).lines()
    assert check(audit_for(target)) == []
    copied = editors_for(target).get(MARIA)
    assert copied is not None and verify_password(MARIA_PW, copied.password_hash)
    gate = sign_in(source, Throttle(Policy()), Clock())
    assert gate.check(MARIA, MARIA_PW, Guesser("s", "198.51.100.20")).ok
    assert copy_audit(audit_for(source), audit_for(target)) == 1  # incremental: the sign-in
    assert check(audit_for(target)) == []
    assert [e.seq for e in entries(audit_for(target))] == [1, 2, 3]


def test_csv_export_has_italian_headings_and_no_formula(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    log = audit_for(store)
    log.record(audit.Action(Event.SIGN_IN, '=HYPERLINK("x")', "203.0.113.5", Result.WRONG))
    rows = list(csv.reader(io.StringIO(audit.csv_text(entries(log)))))
    assert rows[0] == [
        "N.", "Quando (ora italiana)", "Operazione", "Editor", "Indirizzo", "Esito", "Dettaglio"
    ]  # fmt: skip
    assert rows[1][2:6] == [
        "Accesso",
        '\'=HYPERLINK("x")',
        "203.0.113.5",
        "nome o password sbagliati",
    ]


def run_cli(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coopplan", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**os.environ, "USER": "mario", "LOGNAME": "mario", **(env or {})},
    )  # fmt: skip


@pytest.mark.parametrize("backend", ["folder", "postgresql"])
def test_the_command_line_manages_editors_with_the_password_on_stdin(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    where = (
        str(tmp_path / "store")
        if backend == "folder"
        else fresh_schema(request.getfixturevalue("pg_server"))
    )
    added = run_cli("editor", "add", MARIA, "--store", where, stdin=MARIA_PW + "\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout == "Aggiunto l'editor «Maria Rossi»: ora può accedere e pubblicare.\n"
    short = run_cli("editor", "add", LUCA, "--store", where, stdin="breve\n")
    assert (short.returncode, short.stderr) == (
        1,
        "Errore: La password deve avere almeno 12 caratteri.\n",
    )
    listed = run_cli("editor", "list", "--store", where)
    assert listed.stdout.splitlines()[1].startswith("  Maria Rossi  (password cambiata il ")
    assert (
        run_cli("editor", "reset", MARIA, "--store", where, stdin="altra-password-1\n").returncode
        == 0
    )
    removed = run_cli("editor", "remove", "maria rossi", "--store", where)
    assert removed.stdout == "Tolto l'editor «Maria Rossi»: non può più accedere.\n"
    exported = run_cli("audit", "--csv", "-", "--store", where)
    rows = list(csv.reader(io.StringIO(exported.stdout)))
    assert [(r[2], r[3], r[4], r[6]) for r in rows[1:]] == [
        ("Editor aggiunto", "utente di sistema: mario", "riga di comando", MARIA),
        ("Password di un editor cambiata", "utente di sistema: mario", "riga di comando", MARIA),
        ("Editor tolto", "utente di sistema: mario", "riga di comando", MARIA),
    ]
    for secret in (MARIA_PW, "altra-password-1"):
        assert secret not in exported.stdout + added.stdout + added.stderr


def test_editors_added_first_make_a_store_the_other_commands_read(tmp_path: Path) -> None:
    """The installation guide adds the editors before the dashboard ever ran: the folder made
    by «editor add» was then «non è un archivio delle versioni» for history and verify."""
    where = str(tmp_path / "store")
    assert run_cli("editor", "add", MARIA, "--store", where, stdin=MARIA_PW + "\n").returncode == 0
    history = run_cli("history", "--store", where)
    assert history.returncode == 0, history.stderr
    assert "Piano fornito" in history.stdout
    verified = run_cli("verify", "--store", where)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    logged = run_cli("audit", "--store", where).stdout  # «esito: riuscito», not «Uscita…, riuscito»
    assert "Editor aggiunto: utente di sistema: mario (riga di comando), esito: riuscito" in logged


def test_the_command_line_takes_no_password_from_its_arguments(tmp_path: Path) -> None:
    result = run_cli("editor", "add", MARIA, MARIA_PW, "--store", str(tmp_path / "s"))
    assert result.returncode == 2
    assert MARIA_PW not in result.stderr  # not even echoed back
    assert result.stderr.startswith("Errore: la password non si scrive nel comando")
    assert not (tmp_path / "s" / EDITORS_FILE).exists()


def test_system_actor_says_it_is_the_operating_system_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "mario")
    monkeypatch.setenv("USER", "mario")
    assert system_actor() == Actor("utente di sistema: mario", "riga di comando")
    assert json.dumps(system_actor().name)


def test_a_long_wait_says_the_time_to_retry() -> None:
    at = dt.datetime(2026, 3, 14, 15, 42, tzinfo=dt.UTC)
    assert SignInResult(Outcome.WAIT, wait=900.0, retry_at=at).message == (
        "Troppi tentativi ravvicinati: riprova tra 15 minuti (alle 15:42)."
    )
    assert SignInResult(Outcome.WRONG, wait=5.0, retry_at=at).message == (
        "Nome o password non corretti. Per sicurezza, puoi riprovare tra 5 secondi."
    )
