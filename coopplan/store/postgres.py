"""The versioned store in PostgreSQL: the same ``VersionStore`` as the folder, for hosts whose disk
does not survive a restart. Chosen by ``COOPPLAN_STORE=postgresql://utente@host/db`` (or the
libpq keyword form ``host=… dbname=…``); the password is best left to libpq (``PGPASSWORD``,
``~/.pgpass``/``PGPASSFILE``, ``PGSERVICE``), and is never shown in any message (``root``).

Schema (created at the first write of a process, ``CREATE TABLE IF NOT EXISTS``, in the
connection's schema; reading never creates it):

- ``coopplan_objects (sha256 text PRIMARY KEY, data bytea)``: every published workbook, by hash;
- ``coopplan_versions (record jsonb, number, year, sha256)``: one row per version; ``record`` is
  the folder's manifest line (``Version.to_json``), ``number``/``year``/``sha256`` are columns
  generated from it (``number`` the primary key, ``sha256`` a foreign key to the objects).

Guarantees, as the folder's: a publish is one transaction (content and version row commit
together, or nothing does; a publisher killed mid-way is rolled back by the server); numbers are
taken as ``max + 1`` under a transaction-scoped advisory lock, so concurrent publishers get
consecutive numbers without gaps; every content read is checked against its sha256 (a row
altered in the database is told as the same damage as an altered file).

Readers never wait for a writer: they take no lock (a publish holds only the writers' advisory
lock and row locks), and a ``PgStore`` is meant to be one per process (the dashboard keeps one,
``ui.data.store``), lending its connections to every thread (``_Connections``): a publish in one
session holds one connection, the other sessions read on others; no connection is opened per page.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.pq import TransactionStatus

from coopplan import fmt
from coopplan.store.marks import Mark, read_marks
from coopplan.store.model import (
    BAD_LINE,
    ORPHAN,
    SHIPPED_WORKBOOK,
    Damage,
    StoreError,
    UnreachableStoreError,
    Version,
    checked_content,
    corrupt_damage,
    missing_damage,
)
from coopplan.store.policy import (
    NOT_READ,
    NOT_SEEDED,
    Scan,
    StoreBase,
    line_reason,
    lost_record,
    not_done,
    store_at,
    unreadable_record,
)

OBJECTS_TABLE = "coopplan_objects"
VERSIONS_TABLE = "coopplan_versions"
MARKS_TABLE = "coopplan_marks"
SCHEMA = (
    f"""CREATE TABLE IF NOT EXISTS {OBJECTS_TABLE} (
        sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{{64}}$'),
        data bytea NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} (
        record jsonb NOT NULL,
        number integer GENERATED ALWAYS AS ((record->>'version')::integer) STORED PRIMARY KEY,
        year integer GENERATED ALWAYS AS ((record->>'year')::integer) STORED NOT NULL,
        sha256 text GENERATED ALWAYS AS (record->>'sha256') STORED NOT NULL
            REFERENCES {OBJECTS_TABLE} (sha256)
    )""",
    f"""CREATE TABLE IF NOT EXISTS {MARKS_TABLE} (
        record jsonb NOT NULL,
        number integer GENERATED ALWAYS AS ((record->>'mark')::integer) STORED PRIMARY KEY
            REFERENCES {VERSIONS_TABLE} (number)
    )""",
)
TABLES = (OBJECTS_TABLE, VERSIONS_TABLE, MARKS_TABLE)
# One writer at a time per schema: a transaction-scoped advisory lock on this key.
LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.coopplan'))"
# Two processes creating the tables at once: one creates, the other waits (never the writers').
SCHEMA_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.coopplan-schema'))"
CONNECT_TIMEOUT = 10  # seconds
KEEP_IDLE = 4  # connections a store keeps open between uses (more are opened when busy)
PING_AFTER = 30.0  # seconds: an idle connection older than this is checked before it is lent
RETRY_AFTER = 5.0  # seconds: after a failed connection, fail at once instead of waiting again
SECRET_PARAMETERS = ("password", "sslpassword")


class PgStore(StoreBase):
    """A ``VersionStore`` kept in PostgreSQL at ``url`` (a ``postgresql://`` address or libpq
    keywords): the policy of ``StoreBase`` over the database's primitives. Cheap to create:
    connects at first use, then lends its connections to any thread (see ``_Connections``).
    ``seed`` and ``on_step`` as for ``StoreBase`` (``on_step`` is called inside the open
    transaction)."""

    root: str
    _register = f"della tabella {VERSIONS_TABLE}"

    def __init__(
        self,
        url: str,
        seed: Path | None = SHIPPED_WORKBOOK,
        *,
        on_step: Callable[[str], None] | None = None,
    ) -> None:
        self.url = url
        self.root = shown_location(url)  # for messages: never the password
        self.seed = seed
        self.on_step = on_step
        self._connections = _Connections(url)
        self._tables = False  # the tables are known to exist (they are never dropped by us)

    def close(self) -> None:
        """Close the idle connections (others are opened at the next use)."""
        self._connections.close()

    def exists(self) -> bool:
        """True when the database holds the store's tables (reading never creates them)."""
        with self._session(NOT_READ) as conn:
            return self._has_tables(conn)

    # Connection ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _session(self, what: str, *, create: bool = False) -> Iterator[psycopg.Connection]:
        """A connection (autocommit) lent for the block; with ``create``, the tables made first
        if this process has not seen them yet. A database failure becomes a StoreError saying
        ``what`` did not happen (``UnreachableStoreError`` when the server cannot be reached)."""
        try:
            with self._connections.borrowed() as conn:
                if create:
                    self._create_tables(conn)
                yield conn
        except psycopg.Error as exc:
            raise _failure(what, exc, self.root) from exc

    @contextlib.contextmanager
    def _writer(self, what: str) -> Iterator[_PgWriter]:
        """A write of the policy: one transaction holding the writers' lock, committed when the
        block ends, rolled back (nothing changed) on any error, or by the server if this process
        dies."""
        with self._session(what, create=True) as conn, conn.transaction():
            conn.execute(LOCK_SQL)
            yield _PgWriter(self, conn)

    def _has_content(self) -> bool:
        """Whether any version or content row exists (the tables made first, if need be)."""
        with self._session(NOT_SEEDED, create=True) as conn:
            return _holds_rows(conn)

    def _has_tables(self, conn: psycopg.Connection) -> bool:
        """Whether the store's tables exist (asked once per process until they do)."""
        if not self._tables:
            row = conn.execute(
                "SELECT bool_and(to_regclass(name) IS NOT NULL) FROM unnest(%s::text[]) name",
                (list(TABLES),),
            ).fetchone()
            self._tables = bool(row and row[0])
        return self._tables

    def _create_tables(self, conn: psycopg.Connection) -> None:
        """Create the tables unless they exist: a lookup, not a lock, once they do, so a page
        never waits for a publisher holding the writers' lock."""
        if self._has_tables(conn):
            return
        with conn.transaction():
            conn.execute(SCHEMA_LOCK_SQL)  # two first users at once: one creates, one waits
            for statement in SCHEMA:
                conn.execute(statement)
        self._tables = True

    # Reading ------------------------------------------------------------------------------

    def _scan(self) -> Scan:
        with self._session(NOT_READ) as conn:
            if not self._has_tables(conn):
                return Scan([], [], False)  # nothing written yet: an empty store
            rows = conn.execute(
                _sql("SELECT number, record::text FROM {versions} ORDER BY number")
            ).fetchall()
            objects = 0 if rows else _count_objects(conn)
        versions: list[Version] = []
        damages: list[Damage] = []
        for number, record in rows:
            try:
                versions.append(Version.from_json(record))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                where = f"Una riga della tabella {VERSIONS_TABLE}"
                state = f"è illeggibile ({line_reason(exc)})"
                damages.append(Damage(BAD_LINE, unreadable_record(where, state, number), number))
        if not rows and objects:
            damages.append(
                lost_record(
                    f"La tabella delle versioni {VERSIONS_TABLE} è vuota",
                    fmt.count(objects, "contenuto", "contenuti"),
                )
            )
        return Scan(versions, damages, bool(rows))

    def _read_checked(self, version: Version) -> tuple[bytes | None, Damage | None]:
        what = f"contenuto ({version.sha256[:12]}… nella tabella {OBJECTS_TABLE})"
        with self._session(NOT_READ) as conn:
            row = conn.execute(
                _sql("SELECT data FROM {objects} WHERE sha256 = %s"), (version.sha256,)
            ).fetchone()
        if row is None:
            return None, missing_damage(version, what)
        return checked_content(version, bytes(row[0]), what)

    def _damage(self, version: Version) -> Damage | None:
        """As ``_read_checked``, but the hash is computed by the server: every page run asks,
        and the workbook's bytes need not travel for it."""
        what = f"contenuto ({version.sha256[:12]}… nella tabella {OBJECTS_TABLE})"
        with self._session(NOT_READ) as conn:
            row = conn.execute(
                _sql("SELECT encode(sha256(data), 'hex') FROM {objects} WHERE sha256 = %s"),
                (version.sha256,),
            ).fetchone()
        if row is None:
            return missing_damage(version, what)
        return None if row[0] == version.sha256 else corrupt_damage(version, what)

    def _contents(self, scan: Scan) -> tuple[int, list[Damage]]:
        """The content rows, and each one no version names: an orphan (a publish is one
        transaction, so it never leaves one behind)."""
        with self._session(NOT_READ) as conn:
            if not self._has_tables(conn):
                return 0, []
            objects = _count_objects(conn)
            orphans = conn.execute(
                _sql(
                    "SELECT sha256 FROM {objects} o WHERE NOT EXISTS "
                    "(SELECT 1 FROM {versions} v WHERE v.sha256 = o.sha256) ORDER BY sha256"
                )
            ).fetchall()
        return objects, [
            Damage(
                ORPHAN,
                f"Il contenuto {sha} della tabella {OBJECTS_TABLE} non è nominato da nessuna "
                f"versione della tabella {VERSIONS_TABLE}: una versione è andata persa.",
            )
            for (sha,) in orphans
        ]

    def marks(self) -> dict[int, Mark]:
        """The rows of ``coopplan_marks``."""
        with self._session("I segni «presentata in assemblea» non si riescono a leggere") as conn:
            if not self._has_tables(conn):
                return {}
            rows = conn.execute(_sql("SELECT record::text FROM {marks} ORDER BY number")).fetchall()
        return read_marks(record for (record,) in rows)


class _PgWriter:
    """The policy's ``Writer`` inside one transaction holding the writers' lock."""

    def __init__(self, store: PgStore, conn: psycopg.Connection) -> None:
        self._store = store
        self._conn = conn

    def has_content(self) -> bool:
        return _holds_rows(self._conn)

    def last_number(self) -> int:
        return _scalar(self._conn, _sql("SELECT coalesce(max(number), 0) FROM {versions}"))

    def write_object(self, data: bytes) -> str:
        """Store a workbook under its hash (an altered row with that hash is mended); its hash."""
        sha = hashlib.sha256(data).hexdigest()
        self._conn.execute(
            _sql(
                "INSERT INTO {objects} (sha256, data) VALUES (%s, %s) "
                "ON CONFLICT (sha256) DO UPDATE SET data = EXCLUDED.data "
                "WHERE {objects}.data IS DISTINCT FROM EXCLUDED.data"
            ),
            (sha, data),
        )
        self._store._step("content-temp")
        self._store._step("before-manifest")
        return sha

    def append_version(self, version: Version) -> None:
        self._conn.execute(
            _sql("INSERT INTO {versions} (record) VALUES (%s::jsonb)"), (version.to_json(),)
        )
        self._store._step("manifest-half")

    def append_mark(self, mark: Mark) -> None:
        """One row per version in ``coopplan_marks``, replaced when marked again."""
        self._conn.execute(
            _sql(
                "INSERT INTO {marks} (record) VALUES (%s::jsonb) "
                "ON CONFLICT (number) DO UPDATE SET record = EXCLUDED.record"
            ),
            (mark.to_json(),),
        )


# Helpers -----------------------------------------------------------------------------------


def _sql(template: str) -> sql.Composed:
    """A query naming the store's tables through ``{objects}``/``{versions}``/``{marks}``, composed as
    identifiers by psycopg (no text of a query is ever built from data)."""
    return sql.SQL(template).format(
        objects=sql.Identifier(OBJECTS_TABLE),
        versions=sql.Identifier(VERSIONS_TABLE),
        marks=sql.Identifier(MARKS_TABLE),
    )


class _Connections:
    """The connections of one store, shared by every thread of the process: ``borrowed()`` lends
    an idle one (or opens a new one) for a block and takes it back after; at most ``KEEP_IDLE``
    stay open between uses. An idle connection older than ``PING_AFTER`` is checked before it
    is lent (the server may have restarted). After a failed connection, new ones fail at once
    for ``RETRY_AFTER`` seconds, so a page does not wait ``CONNECT_TIMEOUT`` for each question
    while the database is down. (psycopg_pool would wait its timeout on every request then.)"""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._idle: list[tuple[psycopg.Connection, float]] = []  # (connection, idle since)
        self._lock = threading.Lock()
        self._down_until = 0.0

    @contextlib.contextmanager
    def borrowed(self) -> Iterator[psycopg.Connection]:
        conn = self._take() or self._open()
        try:
            yield conn
        finally:
            self._give_back(conn)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn, _ in idle:
            conn.close()

    def _take(self) -> psycopg.Connection | None:
        while True:
            with self._lock:
                if not self._idle:
                    return None
                conn, since = self._idle.pop()
            if time.monotonic() - since < PING_AFTER or _answers(conn):
                return conn
            conn.close()

    def _open(self) -> psycopg.Connection:
        if time.monotonic() < self._down_until:
            raise psycopg.OperationalError("the database was unreachable a moment ago")
        try:
            return psycopg.connect(self._conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
        except psycopg.OperationalError:
            self._down_until = time.monotonic() + RETRY_AFTER
            raise

    def _give_back(self, conn: psycopg.Connection) -> None:
        healthy = (
            not conn.closed
            and not conn.broken
            and conn.info.transaction_status == TransactionStatus.IDLE
        )
        if healthy:
            with self._lock:
                if len(self._idle) < KEEP_IDLE:
                    self._idle.append((conn, time.monotonic()))
                    return
        conn.close()


def _answers(conn: psycopg.Connection) -> bool:
    """True when an idle connection still reaches its server."""
    try:
        conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def shown_location(conninfo: str) -> str:
    """Where a database store is, for the messages of whoever runs it: the libpq parameters
    without any password («PostgreSQL user=coop dbname=piano host=db.example.org»), whatever
    form the address has (URL, ``?password=``, keywords). Viewers are shown none of it."""
    try:
        params = conninfo_to_dict(conninfo)
    except psycopg.Error:
        return "PostgreSQL (indirizzo non valido)"  # libpq's reason may quote the address
    kept = {key: value for key, value in params.items() if key not in SECRET_PARAMETERS}
    return f"PostgreSQL {make_conninfo('', **kept)}".strip()


def _scalar(conn: psycopg.Connection, query: sql.Composed) -> Any:
    """The one value of a query that always returns one row (count, max, exists)."""
    row = conn.execute(query).fetchone()
    assert row is not None, "an aggregate query returns one row"
    return row[0]


def _count_objects(conn: psycopg.Connection) -> int:
    return _scalar(conn, _sql("SELECT count(*) FROM {objects}"))


def _holds_rows(conn: psycopg.Connection) -> bool:
    return _scalar(
        conn, _sql("SELECT EXISTS (SELECT 1 FROM {versions}) OR EXISTS (SELECT 1 FROM {objects})")
    )


def _failure(what: str, exc: psycopg.Error, where: str) -> StoreError:
    """Why the database failed, in Italian: for whoever runs the store, where and what to check
    (``message``); for viewers, no address, user or host (``public``). Never libpq's own text,
    which may quote the address."""
    if isinstance(exc, psycopg.OperationalError):
        return UnreachableStoreError(
            not_done(
                what,
                f"{store_at(where)} non è raggiungibile",
                "Controlla l'indirizzo in COOPPLAN_STORE, che il server PostgreSQL sia acceso e "
                "che utente e password siano giusti.",
            ),
            public=f"{what}: {store_at()} non è raggiungibile in questo momento.",
        )
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return StoreError(
            not_done(what, f"l'utente del database non ha i permessi necessari su {where}"),
            public=not_done(what, f"{store_at()} rifiuta l'accesso"),
        )
    return StoreError(
        not_done(what, f"il database ({where}) ha rifiutato l'operazione"),
        public=not_done(what, f"{store_at()} ha rifiutato l'operazione"),
    )
