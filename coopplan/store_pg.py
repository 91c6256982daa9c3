"""The versioned store in PostgreSQL: the same ``VersionStore`` as the folder, for hosts whose disk
does not survive a restart. Chosen by ``COOPPLAN_STORE=postgresql://utente:password@host/db``.

Schema (created on first use, ``CREATE TABLE IF NOT EXISTS``, in the connection's schema):

- ``coopplan_objects (sha256 text PRIMARY KEY, data bytea)``: every published workbook, by hash;
- ``coopplan_versions (record jsonb, number, year, sha256)``: one row per version; ``record`` is
  the folder's manifest line (``Version.to_json``), ``number``/``year``/``sha256`` are columns
  generated from it (``number`` the primary key, ``sha256`` a foreign key to the objects).

Guarantees, as the folder's: a publish is one transaction (content and version row commit
together, or nothing does; a publisher killed mid-way is rolled back by the server); numbers are
taken as ``max + 1`` under a transaction-scoped advisory lock, so concurrent publishers get
consecutive numbers without gaps; every content read is checked against its sha256 (a row
altered in the database is told as the same damage as an altered file).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from coopplan import fmt
from coopplan.marks import Mark, read_marks
from coopplan.store import (
    BAD_LINE,
    NO_MANIFEST,
    ORPHAN,
    SHIPPED_WORKBOOK,
    Damage,
    Report,
    StoreBase,
    StoreError,
    Version,
    _clean_editor,
    _line_reason,
    _Scan,
    _version_for,
    checked_content,
    missing_damage,
    publishable_plan,
    refuse_bad_copy,
    refuse_older_copy,
    seed_plan,
    seed_version,
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
# One writer at a time per schema: a transaction-scoped advisory lock on this key.
LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.coopplan'))"
CONNECT_TIMEOUT = 10  # seconds
_PASSWORD = re.compile(r"(://[^:/@?]*):[^@/?]*@")


class PgStore(StoreBase):
    """A ``VersionStore`` kept in PostgreSQL at ``url``. Cheap to create: connects at first use
    and keeps one connection (used by one thread at a time). ``seed`` and ``on_step`` as for the
    folder ``Store`` (``on_step`` is called inside the open transaction)."""

    _register = f"della tabella {VERSIONS_TABLE}"

    def __init__(
        self,
        url: str,
        seed: Path | None = SHIPPED_WORKBOOK,
        *,
        on_step: Callable[[str], None] | None = None,
    ) -> None:
        self.url = url
        self.root = _PASSWORD.sub(r"\1:***@", url)  # for messages: never the password
        self.seed = seed
        self.on_step = on_step
        self._conn: psycopg.Connection | None = None
        self._guard = threading.RLock()

    def close(self) -> None:
        """Close the connection (another is opened at the next use)."""
        with self._guard:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # Connection ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _session(self, what: str) -> Iterator[psycopg.Connection]:
        """The connection (autocommit), opened and the schema created at first use. A database
        failure becomes a StoreError saying ``what`` did not happen."""
        with self._guard:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = psycopg.connect(
                        self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT
                    )
                    _create_schema(self._conn)
                yield self._conn
            except psycopg.Error as exc:
                broken = self._conn is None or self._conn.broken or self._conn.closed
                if broken:
                    self._conn = None
                raise StoreError(f"{what}: {_reason(exc, self.root)}") from exc

    @contextlib.contextmanager
    def _writing(self, what: str) -> Iterator[psycopg.Connection]:
        """One transaction holding the writers' lock: committed when the block ends, rolled
        back (nothing changed) on any error, or by the server if this process dies."""
        with self._session(what) as conn, conn.transaction():
            conn.execute(LOCK_SQL)
            yield conn

    def _step(self, point: str) -> None:
        if self.on_step is not None:
            self.on_step(point)

    # Reading ------------------------------------------------------------------------------

    def _scan(self) -> _Scan:
        with self._session("L'archivio delle versioni non si riesce a leggere") as conn:
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
                damages.append(
                    Damage(
                        BAD_LINE,
                        f"La versione {number} nella tabella {VERSIONS_TABLE} è illeggibile "
                        f"({_line_reason(exc)}): potrebbe mancare dall'elenco.",
                        number,
                    )
                )
        if not rows and objects:
            damages.append(
                Damage(
                    NO_MANIFEST,
                    f"La tabella delle versioni {VERSIONS_TABLE} è vuota, ma l'archivio contiene "
                    f"{fmt.count(objects, 'contenuto', 'contenuti')} di versioni pubblicate: "
                    "l'elenco delle versioni è perso e l'archivio non viene ricreato.",
                )
            )
        return _Scan(versions, damages, bool(rows))

    def _read_checked(self, version: Version) -> tuple[bytes | None, Damage | None]:
        what = f"contenuto ({version.sha256[:12]}… nella tabella {OBJECTS_TABLE})"
        with self._session("L'archivio delle versioni non si riesce a leggere") as conn:
            row = conn.execute(
                _sql("SELECT data FROM {objects} WHERE sha256 = %s"), (version.sha256,)
            ).fetchone()
        if row is None:
            return None, missing_damage(version, what)
        return checked_content(version, bytes(row[0]), what)

    def verify(self) -> Report:
        """Check every version row, every content against its hash, and every content that no
        version names (orphans). Writes nothing."""
        scan = self._scan()
        damages = self._version_damages(scan)
        with self._session("L'archivio delle versioni non si riesce a leggere") as conn:
            objects = _count_objects(conn)
            orphans = conn.execute(
                _sql(
                    "SELECT sha256 FROM {objects} o WHERE NOT EXISTS "
                    "(SELECT 1 FROM {versions} v WHERE v.sha256 = o.sha256) ORDER BY sha256"
                )
            ).fetchall()
        if scan.versions or not any(d.kind == NO_MANIFEST for d in damages):
            damages += [
                Damage(
                    ORPHAN,
                    f"Il contenuto {sha} della tabella {OBJECTS_TABLE} non è nominato da nessuna "
                    f"versione della tabella {VERSIONS_TABLE}: una versione è andata persa.",
                )
                for (sha,) in orphans
            ]
        return Report(self.root, tuple(scan.versions), objects, tuple(damages))

    # Writing ------------------------------------------------------------------------------

    def ensure_seeded(self) -> Version | None:
        """Make the shipped workbook version 1 of an empty store; the new version, else None.
        Never seeds a store that holds any version or content row. StoreError when the database
        cannot be reached or written."""
        what = "Il piano fornito non è stato copiato nell'archivio"
        with self._session(what) as conn:
            if _has_content(conn):
                return None
        seeded = seed_plan(self.seed)
        if seeded is None:
            return None
        data, plan = seeded
        with self._writing(what) as conn:
            if _has_content(conn):
                return None  # another process seeded it meanwhile
            sha = _insert_object(conn, data)
            version = seed_version(plan, sha)
            _insert_version(conn, version)
        return version

    def publish(self, data: bytes, editor: str, note: str = "", *, name: str = "") -> Version:
        """Validate a workbook and add it as the new version of its plan year, in one
        transaction. StoreError (nothing changed) as for the folder ``Store.publish``."""
        editor = _clean_editor(editor)
        plan = publishable_plan(data, name)
        self._refuse_if_manifest_lost("Il file non è stato pubblicato")
        self.ensure_seeded()
        with self._writing("Il file non è stato pubblicato") as conn:
            sha = _insert_object(conn, data)
            self._step("content-temp")
            self._step("before-manifest")
            return self._append(
                conn, lambda number: _version_for(plan, number, sha, editor, note.strip(), None)
            )

    def restore(self, number: int, editor: str, note: str = "") -> Version:
        """Add a new version whose content is the one of version ``number`` (refusals as for
        the folder ``Store.restore``)."""
        make = self._restoring(number, editor, note)
        with self._writing(f"La versione {number} non è stata ripristinata") as conn:
            return self._append(conn, make)

    def add_copy(self, version: Version, data: bytes) -> None:
        """Append ``version`` as it is, with its workbook ``data`` (see ``Store.add_copy``)."""
        refuse_bad_copy(version, data)
        with self._writing(f"La versione {version.number} non è stata copiata") as conn:
            refuse_older_copy(version, _last_number(conn))
            _insert_object(conn, data)
            _insert_version(conn, version)

    def mark_presented(self, number: int, day: dt.date, editor: str) -> Mark:
        """Record the mark in ``coopplan_marks`` (one row per version, replaced when marked
        again), in one transaction."""
        mark = self._new_mark(number, day, editor)
        with self._writing(f"La versione {number} non è stata segnata come presentata") as conn:
            conn.execute(
                _sql(
                    "INSERT INTO {marks} (record) VALUES (%s::jsonb) "
                    "ON CONFLICT (number) DO UPDATE SET record = EXCLUDED.record"
                ),
                (mark.to_json(),),
            )
        return mark

    def marks(self) -> dict[int, Mark]:
        """The rows of ``coopplan_marks``."""
        with self._session("I segni «presentata in assemblea» non si riescono a leggere") as conn:
            rows = conn.execute(_sql("SELECT record::text FROM {marks} ORDER BY number")).fetchall()
        return read_marks(record for (record,) in rows)

    def _append(self, conn: psycopg.Connection, make: Callable[[int], Version]) -> Version:
        """Inside the writers' transaction: number the new version after the last one."""
        version = make(_last_number(conn) + 1)
        _insert_version(conn, version)
        self._step("manifest-half")
        return version


# Helpers -----------------------------------------------------------------------------------


def _sql(template: str) -> sql.Composed:
    """A query naming the store's tables through ``{objects}``/``{versions}``/``{marks}``, composed as
    identifiers by psycopg (no text of a query is ever built from data)."""
    return sql.SQL(template).format(
        objects=sql.Identifier(OBJECTS_TABLE),
        versions=sql.Identifier(VERSIONS_TABLE),
        marks=sql.Identifier(MARKS_TABLE),
    )


def _create_schema(conn: psycopg.Connection) -> None:
    with conn.transaction():
        conn.execute(LOCK_SQL)  # two first users at once: one creates, the other waits
        for statement in SCHEMA:
            conn.execute(statement)


def _scalar(conn: psycopg.Connection, query: sql.Composed) -> Any:
    """The one value of a query that always returns one row (count, max, exists)."""
    row = conn.execute(query).fetchone()
    assert row is not None, "an aggregate query returns one row"
    return row[0]


def _count_objects(conn: psycopg.Connection) -> int:
    return _scalar(conn, _sql("SELECT count(*) FROM {objects}"))


def _has_content(conn: psycopg.Connection) -> bool:
    return _scalar(
        conn, _sql("SELECT EXISTS (SELECT 1 FROM {versions}) OR EXISTS (SELECT 1 FROM {objects})")
    )


def _last_number(conn: psycopg.Connection) -> int:
    return _scalar(conn, _sql("SELECT coalesce(max(number), 0) FROM {versions}"))


def _insert_object(conn: psycopg.Connection, data: bytes) -> str:
    """Store a workbook under its hash (an altered row with that hash is mended); its hash."""
    sha = hashlib.sha256(data).hexdigest()
    conn.execute(
        _sql(
            "INSERT INTO {objects} (sha256, data) VALUES (%s, %s) "
            "ON CONFLICT (sha256) DO UPDATE SET data = EXCLUDED.data "
            "WHERE {objects}.data IS DISTINCT FROM EXCLUDED.data"
        ),
        (sha, data),
    )
    return sha


def _insert_version(conn: psycopg.Connection, version: Version) -> None:
    conn.execute(_sql("INSERT INTO {versions} (record) VALUES (%s::jsonb)"), (version.to_json(),))


def _reason(exc: psycopg.Error, where: str) -> str:
    """Why the database failed, in Italian, with what to check."""
    if isinstance(exc, psycopg.OperationalError):
        return (
            f"l'archivio delle versioni ({where}) non è raggiungibile. Niente è cambiato. "
            "Controlla l'indirizzo in COOPPLAN_STORE, che il server PostgreSQL sia acceso e che "
            "utente e password siano giusti."
        )
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return f"l'utente del database non ha i permessi necessari su {where}. Niente è cambiato."
    return f"il database ({where}) ha rifiutato l'operazione. Niente è cambiato."
