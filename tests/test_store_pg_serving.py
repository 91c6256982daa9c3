"""The dashboard on PostgreSQL, under load and faults (issue 19 §3, issue 20 §2): one store per
process (no database connection per rerun, the tables looked up once), readers never wait for a
writer, no password (nor user or host, for viewers) ever shown, and while the database is down
the last plan this process served, or a plain sentence that none can be shown."""

from __future__ import annotations

import contextlib
import logging
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import psycopg
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support.kpi_cards import kpi_cards
from support.paths import ROOT
from support.pg import cluster, conninfo_host, execute, fresh_schema, start, stop
from support.variants import COOP, as_bytes, project_with_amount, shipped, with_amount

from coopplan.cli import main
from coopplan.store.folder import Store
from coopplan.store.location import open_store
from coopplan.store.postgres import LOCK_SQL, OBJECTS_TABLE, RETRY_AFTER, PgStore

APP = str(ROOT / "app.py")
PAGES = (
    "app_pages/panoramica.py",
    "app_pages/fonti.py",
    "app_pages/cronologia.py",
    "app_pages/presentazione.py",
    "app_pages/aggiorna.py",
)
WAIT = 5.0  # seconds a reader may take while a writer holds its transaction (it takes < 1)
T = TypeVar("T")


def raised(by: float) -> bytes:
    plan = shipped()
    project = project_with_amount(plan, COOP)
    return as_bytes(with_amount(plan, project, COOP, plan.funding_of(project)[COOP] + by))


def session(timeout: float = 60) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def coop_total(at: AppTest) -> str | None:
    return kpi_cards(at).get(COOP)


def within(seconds: float, work: Callable[[], T]) -> T:
    """``work()`` run in a thread; a failure if it has not returned within ``seconds``."""
    result: list[T] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert result, f"still waiting after {seconds} s"
    return result[0]


@pytest.fixture
def on_postgresql(monkeypatch: pytest.MonkeyPatch, pg_server: str) -> str:
    """The dashboard on its own new schema of the test server (COOPPLAN_STORE)."""
    monkeypatch.delenv("COOPPLAN_WORKBOOK", raising=False)
    url = fresh_schema(pg_server)
    monkeypatch.setenv("COOPPLAN_STORE", url)
    return url


@dataclass
class Traffic:
    """Every connection this process opens and every statement it sends."""

    connections: int = 0
    statements: list[str] = field(default_factory=list)


@pytest.fixture
def traffic(monkeypatch: pytest.MonkeyPatch) -> Traffic:
    seen = Traffic()
    connect = psycopg.Connection.connect.__func__  # type: ignore[attr-defined]
    send = psycopg.Connection.execute

    def counting(cls: type, *args: object, **kwargs: object) -> psycopg.Connection:
        seen.connections += 1
        return connect(cls, *args, **kwargs)

    def recording(self: psycopg.Connection, query: object, *args: object, **kwargs: object):
        seen.statements.append(query if isinstance(query, str) else repr(query))
        return send(self, query, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(psycopg.Connection, "connect", classmethod(counting))
    monkeypatch.setattr(psycopg, "connect", psycopg.Connection.connect)
    monkeypatch.setattr(psycopg.Connection, "execute", recording)
    return seen


# One store per process ------------------------------------------------------------------------


def test_reruns_and_other_sessions_open_no_database_connection(
    on_postgresql: str, traffic: Traffic
) -> None:
    first = session()  # seeds the empty schema with the shipped plan
    opened, sent = traffic.connections, len(traffic.statements)
    assert coop_total(first) == "25.000 €" and 1 <= opened <= 2
    assert sum("CREATE TABLE" in s for s in traffic.statements) == 3  # the tables, made once
    per_step = []
    second = session()  # another visitor: the same store, the same connections
    per_step.append(traffic.connections - opened)
    for page in PAGES:
        for at in (first, second):
            before = traffic.connections
            at.switch_page(page).run()
            assert not at.exception, (page, [e.value for e in at.exception])
            per_step.append(traffic.connections - before)
    assert per_step == [0] * len(per_step)
    later = traffic.statements[sent:]
    assert len(later) > 20  # the pages did read the store
    assert [s for s in later if "CREATE" in s] == []  # the tables made once, at the first run
    lookups = [s for s in later if "to_regclass" in s]  # the editors' tables: at their first use
    assert len(lookups) == len(set(lookups)) <= 1  # looked up once per process, never per rerun
    assert [s for s in later if "pg_advisory" in s] == []  # no reader ever takes a lock
    print(f"\nconnections: {opened} at the first run, then per rerun {per_step}")


# Readers never wait for a writer ----------------------------------------------------------------


def test_pages_load_while_a_publish_holds_the_writers_lock(on_postgresql: str) -> None:
    at = session()
    writer = psycopg.connect(on_postgresql)  # not autocommit: one open transaction
    try:
        writer.execute(LOCK_SQL)  # what a publish (or a paused copy) holds until it commits
        writer.execute(f"INSERT INTO {OBJECTS_TABLE} VALUES (%s, %s)", ("a" * 64, b"x"))
        started = time.perf_counter()
        at.run(timeout=WAIT * 3)  # a visitor's next page
        assert coop_total(at) == "25.000 €"
        st.cache_resource.clear()  # a server process started meanwhile: a new store object
        fresh = session(timeout=WAIT * 3)
        assert coop_total(fresh) == "25.000 €" and not fresh.error
        assert within(WAIT, lambda: PgStore(on_postgresql).current().number) == 1
        elapsed = time.perf_counter() - started
    finally:
        writer.rollback()
        writer.close()
    assert elapsed < WAIT
    print(
        f"\ntwo page loads and a new process's read while a writer holds the lock: {elapsed:.2f} s"
    )


def test_a_publish_paused_in_one_session_holds_no_reader_of_the_same_store(
    on_postgresql: str,
) -> None:
    store = PgStore(on_postgresql)  # the one object every session of a process shares
    store.ensure_seeded()
    reached, resume = threading.Event(), threading.Event()

    def pause(point: str) -> None:
        if point == "before-manifest":  # the content written, the transaction open
            reached.set()
            resume.wait(60)

    store.on_step = pause
    publisher = threading.Thread(target=store.publish, args=(raised(2500), "Maria Rossi"))
    publisher.start()
    try:
        assert reached.wait(60)
        assert within(WAIT, lambda: store.current().number) == 1
        assert within(WAIT, lambda: store.standing().shown).number == 1  # type: ignore[union-attr]
        assert within(WAIT, lambda: len(store.read(1))) > 0
    finally:
        resume.set()
        publisher.join(60)
    assert store.current().number == 2


# No password; the last plan served while the database is down ------------------------------------

SECRET = "Segreto-Xy7"
ROLE = "utente_riservato"


@pytest.fixture(scope="module")
def guarded_server() -> Iterator[str]:
    """A PostgreSQL server of its own that asks a password, with a role ``ROLE`` whose password is
    ``SECRET``; its address (without any password). Tests stop and start it."""
    with cluster(password="amministratore") as url:
        with_admin = url.replace("coopplan@", "coopplan:amministratore@")
        execute(with_admin, f"CREATE ROLE {ROLE} LOGIN SUPERUSER PASSWORD '{SECRET}'")
        yield url.replace("coopplan@", f"{ROLE}@")


def _address(form: str, url: str) -> str:
    """``url`` (ROLE on the guarded server, a schema) with the password in one of its forms."""
    if form == "url":
        return url.replace(f"{ROLE}@", f"{ROLE}:{SECRET}@")
    if form == "query":
        return f"{url}&password={SECRET}"
    params = psycopg.conninfo.conninfo_to_dict(url)
    return psycopg.conninfo.make_conninfo("", **params, password=SECRET)  # keyword form


def _new_schema(server: str) -> str:
    """A new schema on the guarded server; its address, without the password."""
    return fresh_schema(_address("query", server)).replace(f"&password={SECRET}", "")


def _everything(at: AppTest) -> str:
    """Every text of the page: each element's message, labels, help and values included."""
    found: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            found.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(found)


@pytest.fixture
def down(guarded_server: str) -> Iterator[Callable[[], None]]:
    """``down()`` stops the guarded server; it is started again after the test."""
    stopped: list[bool] = []

    def stop_now() -> None:
        stop(guarded_server)
        stopped.append(True)

    yield stop_now
    if stopped:
        with contextlib.suppress(subprocess.CalledProcessError):  # started again by the test
            start(guarded_server)


@pytest.mark.parametrize("form", ["url", "query", "keywords"])
def test_while_the_database_is_down_viewers_see_the_last_plan_and_no_password(
    form: str,
    guarded_server: str,
    down: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.delenv("COOPPLAN_WORKBOOK", raising=False)
    address = _address(form, _new_schema(guarded_server))
    monkeypatch.setenv("COOPPLAN_STORE", address)
    at = session()
    open_store(address).publish(raised(2500), "Maria Rossi")
    at.run()
    assert coop_total(at) == "27.500 €"
    down()
    host = conninfo_host(guarded_server)
    shown: list[str] = []
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        shown.append(_everything(at))
        if page.endswith("panoramica.py"):
            assert coop_total(at) == "27.500 €"  # the last plan served, not the shipped 25.000 €
            notice = " ".join(w.value for w in at.warning)
            assert "non è raggiungibile in questo momento: mostro la versione 2 del piano 2023" in (
                notice
            )
    other = session()  # another visitor of the same process: the same last plan
    assert coop_total(other) == "27.500 €"
    shown.append(_everything(other))
    page_text = "\n".join(shown)
    assert "non è raggiungibile" in page_text
    for private in (SECRET, ROLE, host):
        assert private not in page_text, private

    backup = tmp_path / "copia"
    commands = (
        ["verify", "--store", address],
        ["history", "--store", address],
        ["copy", address, str(backup)],
        ["copy", str(_folder_store(tmp_path)), address],
    )
    for command in commands:
        assert main(command) == 1, command
        said = capsys.readouterr()
        assert "non è raggiungibile" in said.err, (command, said)
        assert SECRET not in said.out + said.err, (command, said)
    assert SECRET not in caplog.text


def _folder_store(tmp_path: Path) -> Path:
    folder = tmp_path / "cartella"
    Store(folder).ensure_seeded()
    return folder


def test_a_process_that_served_no_plan_says_none_can_be_shown(
    guarded_server: str, down: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COOPPLAN_WORKBOOK", raising=False)
    monkeypatch.setenv("COOPPLAN_STORE", _address("url", _new_schema(guarded_server)))
    down()
    at = session()
    assert coop_total(at) is None  # not the shipped 2023 plan
    assert [e.value for e in at.error] == [
        "L'archivio delle versioni del piano non è raggiungibile in questo momento e questa "
        "dashboard non ha ancora mostrato nessuna versione: non c'è un piano da mostrare. "
        "Riprova fra qualche minuto; se il problema resta, avvisa chi gestisce la dashboard."
    ]


# The password kept off the command line ------------------------------------------------------------


def test_the_command_line_takes_the_password_from_pgpassfile_or_a_service(
    guarded_server: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    without = _new_schema(guarded_server)
    open_store(_address("query", without)).ensure_seeded()
    assert SECRET not in without
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "nessuno"))  # no password anywhere
    monkeypatch.delenv("PGPASSWORD", raising=False)
    assert main(["history", "--store", without]) == 1
    assert "utente e password siano giusti" in capsys.readouterr().err

    passfile = tmp_path / "pgpass"
    passfile.write_text(f"*:*:*:{ROLE}:{SECRET}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    assert main(["history", "--store", without]) == 0
    assert "Piano fornito" in capsys.readouterr().out

    params = psycopg.conninfo.conninfo_to_dict(without)
    services = tmp_path / "pg_service.conf"
    services.write_text(
        "[coopplan]\n" + "".join(f"{key}={value}\n" for key, value in params.items())
    )
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    monkeypatch.setenv("COOPPLAN_STORE", "service=coopplan")
    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    assert "L'archivio è integro" in out and SECRET not in out


def test_pages_return_to_the_plan_in_force_when_the_database_is_back(
    guarded_server: str, down: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COOPPLAN_WORKBOOK", raising=False)
    address = _address("url", _new_schema(guarded_server))
    monkeypatch.setenv("COOPPLAN_STORE", address)
    at = session()
    down()
    at.run()
    assert coop_total(at) == "25.000 €" and at.warning  # the last plan served, with the notice
    start(guarded_server)
    open_store(address).publish(raised(2500), "Maria Rossi")
    time.sleep(RETRY_AFTER)  # a failed connection is not retried for this long
    at.run()
    assert coop_total(at) == "27.500 €" and not at.warning and not at.error
