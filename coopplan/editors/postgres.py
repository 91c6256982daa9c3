"""Editors and the audit log of a PostgreSQL store (see coopplan.editors.accounts, coopplan.editors.audit).

Tables, created at the first write (``CREATE … IF NOT EXISTS`` under their own advisory lock),
in the connection's schema, beside the store's:

- ``coopplan_editors (key text PRIMARY KEY, record jsonb)``: one row per editor (name, scrypt
  hash, times), ``key`` the name as compared (``editors.account_key``);
- ``coopplan_audit (position bigint PRIMARY KEY, line text)``: one row per entry, ``line`` the
  very text of the folder's ``audit.jsonl`` line (text, not jsonb, so its sha256 link holds);
  appended under an advisory lock (position = max + 1); triggers refuse UPDATE, DELETE and
  TRUNCATE, so the log is append-only for anyone but a database owner who drops them.

Reading never creates a table: a store with none has no editors and an empty log.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from coopplan.editors.accounts import Account, account_key, missing_editor, refuse_put
from coopplan.editors.audit import Action, Entry, next_entry
from coopplan.store.model import StoreError

ABSENT_SECONDS = 30.0
"""How long tables found absent are believed absent without asking again."""

EDITORS_TABLE = "coopplan_editors"
AUDIT_TABLE = "coopplan_audit"
CONNECT_TIMEOUT = 10  # seconds
SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.coopplan-accounts'))"
AUDIT_LOCK = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.coopplan-audit'))"
SCHEMA = (
    f"""CREATE TABLE IF NOT EXISTS {EDITORS_TABLE} (
        key text PRIMARY KEY,
        record jsonb NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
        position bigint PRIMARY KEY,
        line text NOT NULL
    )""",
    f"""CREATE OR REPLACE FUNCTION {AUDIT_TABLE}_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{AUDIT_TABLE} is append-only';
        END $$""",
    f"""CREATE OR REPLACE TRIGGER {AUDIT_TABLE}_no_change BEFORE UPDATE OR DELETE
        ON {AUDIT_TABLE} FOR EACH ROW EXECUTE FUNCTION {AUDIT_TABLE}_append_only()""",
    f"""CREATE OR REPLACE TRIGGER {AUDIT_TABLE}_no_truncate BEFORE TRUNCATE
        ON {AUDIT_TABLE} FOR EACH STATEMENT EXECUTE FUNCTION {AUDIT_TABLE}_append_only()""",
)


class _Database:
    """The store's database: connections borrowed from the ``PgStore``'s own (one set per
    process, see coopplan.store.postgres), or opened per operation for a bare address; the tables made
    at the first write."""

    def __init__(self, url: str, shown: str, lender: Any = None) -> None:
        self.url = url
        self.shown = shown  # where, for messages (no password)
        self.lender = lender  # the PgStore's _Connections, if any
        self._tables = False
        self._absent_until = 0.0  # until then, the tables are known to be absent

    def _connection(self) -> contextlib.AbstractContextManager[psycopg.Connection]:
        if self.lender is not None:
            return self.lender.borrowed()
        return psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)

    @contextlib.contextmanager
    def session(self, what: str, *, create: bool = False) -> Iterator[psycopg.Connection]:
        try:
            with self._connection() as conn:
                if create and not self._tables:
                    with conn.transaction():
                        conn.execute(SCHEMA_LOCK)
                        for statement in SCHEMA:
                            conn.execute(statement)
                    self._tables = True
                yield conn
        except psycopg.Error as exc:
            raise StoreError(
                f"{what}: il database dell'archivio ({self.shown}) non risponde o ha rifiutato "
                "l'operazione. Niente è cambiato."
            ) from exc

    def has(self, conn: psycopg.Connection, table: str) -> bool:
        """Whether the tables exist. Present: remembered for good (never dropped); absent:
        remembered ABSENT_SECONDS, so a page run asks the database nothing (an editor added
        from another process is seen within that time)."""
        del table  # both tables are made at once
        if self._tables:
            return True
        if time.monotonic() < self._absent_until:
            return False
        row = conn.execute(
            "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
            (EDITORS_TABLE, AUDIT_TABLE),
        ).fetchone()
        self._tables = bool(row and row[0])  # both are made together, and never dropped
        if not self._tables:
            self._absent_until = time.monotonic() + ABSENT_SECONDS
        return self._tables


def _database(store: Any) -> _Database:
    """One per store object, kept on it: the tables are looked up once per process."""
    held = getattr(store, "_accounts_db", None)
    if isinstance(held, _Database):
        return held
    made = _Database(str(store.url), str(store.root), getattr(store, "_connections", None))
    with contextlib.suppress(AttributeError):
        store._accounts_db = made
    return made


def _q(template: str) -> sql.Composed:
    return sql.SQL(template).format(
        editors=sql.Identifier(EDITORS_TABLE), audit=sql.Identifier(AUDIT_TABLE)
    )


class PgEditors:
    """The editors of a PostgreSQL store (``coopplan_editors``)."""

    def __init__(self, database: _Database) -> None:
        self.db = database

    @classmethod
    def for_store(cls, store: Any) -> PgEditors:
        return cls(_database(store))

    def accounts(self) -> list[Account]:
        with self.db.session("L'elenco degli editor non si riesce a leggere") as conn:
            if not self.db.has(conn, EDITORS_TABLE):
                return []
            rows = conn.execute(_q("SELECT record FROM {editors} ORDER BY key")).fetchall()
        return [Account.from_record(record) for (record,) in rows]

    def get(self, name: str) -> Account | None:
        with self.db.session("L'elenco degli editor non si riesce a leggere") as conn:
            if not self.db.has(conn, EDITORS_TABLE):
                return None
            row = conn.execute(
                _q("SELECT record FROM {editors} WHERE key = %s"), (account_key(name),)
            ).fetchone()
        return Account.from_record(row[0]) if row else None

    def put(self, account: Account, *, new: bool) -> None:
        what = "L'editor non è stato salvato"
        with self.db.session(what, create=True) as conn, conn.transaction():
            row = conn.execute(
                _q("SELECT record FROM {editors} WHERE key = %s FOR UPDATE"), (account.key,)
            ).fetchone()
            refuse_put(Account.from_record(row[0]) if row else None, account, new=new)
            conn.execute(
                _q(
                    "INSERT INTO {editors} (key, record) VALUES (%s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET record = EXCLUDED.record"
                ),
                (account.key, Jsonb(account.record())),
            )

    def delete(self, name: str) -> Account:
        with self.db.session("L'editor non è stato tolto", create=True) as conn:
            row = conn.execute(
                _q("DELETE FROM {editors} WHERE key = %s RETURNING record"), (account_key(name),)
            ).fetchone()
        if row is None:
            raise missing_editor(name)
        return Account.from_record(row[0])


class PgAudit:
    """The audit log of a PostgreSQL store (``coopplan_audit``)."""

    where = f"la tabella {AUDIT_TABLE}"

    def __init__(self, database: _Database) -> None:
        self.db = database

    @classmethod
    def for_store(cls, store: Any) -> PgAudit:
        return cls(_database(store))

    def record(self, action: Action) -> Entry:
        what = "L'operazione non è stata registrata nel registro delle operazioni"
        with self.db.session(what, create=True) as conn, conn.transaction():
            conn.execute(AUDIT_LOCK)
            row = conn.execute(
                _q("SELECT position, line FROM {audit} ORDER BY position DESC LIMIT 1")
            ).fetchone()
            position, last = (int(row[0]), str(row[1])) if row else (0, None)
            entry = next_entry(action, _last_entry(conn, last))
            conn.execute(
                _q("INSERT INTO {audit} (position, line) VALUES (%s, %s)"),
                (position + 1, entry.line),
            )
        return entry

    def lines(self) -> list[str]:
        with self.db.session("Il registro delle operazioni non si riesce a leggere") as conn:
            if not self.db.has(conn, AUDIT_TABLE):
                return []
            rows = conn.execute(_q("SELECT line FROM {audit} ORDER BY position")).fetchall()
        return [str(line) for (line,) in rows]

    def append_lines(self, lines: Sequence[str]) -> None:
        what = "Il registro delle operazioni non è stato copiato"
        with self.db.session(what, create=True) as conn, conn.transaction():
            conn.execute(AUDIT_LOCK)
            row = conn.execute(_q("SELECT coalesce(max(position), 0) FROM {audit}")).fetchone()
            position = int(row[0]) if row else 0
            for offset, line in enumerate(lines, start=1):
                conn.execute(
                    _q("INSERT INTO {audit} (position, line) VALUES (%s, %s)"),
                    (position + offset, line),
                )

    def busy(self) -> bool:
        return False  # a write is one transaction: nobody sees it half done


def _last_entry(conn: psycopg.Connection, last: str | None) -> str | None:
    """The last line that is an entry (lines copied as they were may include a bad one)."""
    if last is None:
        return None
    try:
        Entry.from_line(last)
    except (ValueError, KeyError, TypeError, AttributeError):
        for (line,) in conn.execute(_q("SELECT line FROM {audit} ORDER BY position DESC")):
            with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
                Entry.from_line(line)
                return str(line)
        return None
    return last
