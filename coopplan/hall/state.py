"""The hall's shared «current slide»: which slide the president shows, seen by every process.

One small record, kept where the store is (``COOPPLAN_STORE``): a file ``sala.json`` in the
store's folder (replaced atomically, so a reader sees the old or the new record, never half), or
one row of the table ``coopplan_sala`` in the PostgreSQL store. Every process behind nginx reads
the same record, so a phone served by any of them follows the president.

The presenter key (``sala-chiave`` beside it, or a second row) is created once, at random, and
is what lets a session move the hall: ``move`` refuses any other key. Nothing here imports
streamlit; the location is given by the caller (``hall_location()`` reads the environment).
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import secrets
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from coopplan.store.model import DEFAULT_ROOT, STORE_ENV

STATE_FILE = "sala.json"
KEY_FILE = "sala-chiave"
TABLE = "coopplan_sala"
HALL_ENV = "COOPPLAN_HALL"  # overrides where the record lives (tests, a workbook-only server)
DEFAULT_DIR = DEFAULT_ROOT  # the folder store's own default
PG_TIMEOUT = 3  # seconds to connect to PostgreSQL


@dataclass(frozen=True)
class Current:
    """The slide the president shows: its number (1 = the title) and title (a phone whose deck
    differs, e.g. by the «Dall'ultima assemblea» slides, finds it by title), the deck's filter as the query
    string of «Sala» (``fonte=…&pista=…``), the plan version's digest, and when it was set (a
    Unix time; 0 when no presentation ever ran)."""

    slide: int = 1
    title: str = ""
    query: str = ""
    version: str = ""
    since: float = 0.0

    @property
    def running(self) -> bool:
        return self.since > 0

    def tag(self) -> str:
        """A short fingerprint of the record: the ETag of «Sala»'s state answer."""
        return f"{self.slide}-{int(self.since * 1000)}"


NOT_RUNNING = Current()


class HallState(Protocol):
    def read(self) -> Current: ...

    def write(self, current: Current) -> None: ...

    def key(self) -> str: ...


def hall_location(environ: dict[str, str] | None = None) -> str:
    """Where the record lives: ``COOPPLAN_HALL``, else ``COOPPLAN_STORE`` (a folder or a
    ``postgresql://`` address), else the project's ``store/`` folder."""
    env = os.environ if environ is None else environ
    return (env.get(HALL_ENV) or env.get(STORE_ENV) or "").strip() or str(DEFAULT_DIR)


def open_hall(location: str | None = None) -> HallState:
    """The shared record at ``location`` (default ``hall_location()``)."""
    where = hall_location() if location is None else location
    if where.startswith(("postgresql://", "postgres://")):
        return PgHall(where)
    return FolderHall(Path(where).expanduser())


def move(hall: HallState, key: str, current: Current) -> bool:
    """Set the hall's slide, if ``key`` is the presenter key (compared in constant time);
    False, and nothing changed, otherwise."""
    if not key or not hmac.compare_digest(key.encode(), hall.key().encode()):
        return False
    hall.write(current)
    return True


def _record(data: dict[str, Any]) -> Current:
    try:
        return Current(
            slide=max(1, int(data.get("slide", 1))),
            title=str(data.get("title", "")),
            query=str(data.get("query", "")),
            version=str(data.get("version", "")),
            since=float(data.get("since", 0.0)),
        )
    except (TypeError, ValueError):
        return NOT_RUNNING


class FolderHall:
    """The record as ``sala.json`` in a folder (created when missing)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: tuple[int, int, int, Current] | None = None  # (inode, mtime_ns, size, …)
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self.folder / STATE_FILE

    def read(self) -> Current:
        """The record (NOT_RUNNING when there is none or it cannot be read); the file is parsed
        again only when its modification time or size changed."""
        try:
            stat = self.path.stat()
        except OSError:
            return NOT_RUNNING
        cached = self._cache
        if cached and cached[:3] == (stat.st_ino, stat.st_mtime_ns, stat.st_size):
            return cached[3]
        try:
            record = _record(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return NOT_RUNNING
        self._cache = (stat.st_ino, stat.st_mtime_ns, stat.st_size, record)
        return record

    def write(self, current: Current) -> None:
        _atomic_write(self.path, json.dumps(asdict(current)).encode("utf-8"))

    def key(self) -> str:
        """The presenter key, created at random the first time (readable by the owner only)."""
        path = self.folder / KEY_FILE
        with self._lock:
            with contextlib.suppress(OSError):
                existing = path.read_text(encoding="ascii").strip()
                if existing:
                    return existing
            self.folder.mkdir(parents=True, exist_ok=True)
            fresh = secrets.token_urlsafe(18)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first: theirs wins
                time.sleep(0.05)
                return path.read_text(encoding="ascii").strip()
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(fresh)
            return fresh


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".sala-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


class PgHall:
    """The record as a row of ``coopplan_sala`` (name 'corrente'; the key in row 'chiave')."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: Any = None
        self._lock = threading.Lock()

    def _run(self, query: str, params: tuple[object, ...] = ()) -> Any:
        import psycopg  # only for a database store

        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._conn is None or self._conn.closed:
                        self._conn = psycopg.connect(
                            self.url, autocommit=True, connect_timeout=PG_TIMEOUT
                        )
                        self._conn.execute(
                            "CREATE TABLE IF NOT EXISTS coopplan_sala "
                            "(name text PRIMARY KEY, value text NOT NULL)"
                        )
                    return self._conn.execute(query, params).fetchall()
                except psycopg.OperationalError:
                    self._conn = None
                    if attempt == 2:
                        raise
        return []

    def read(self) -> Current:
        import psycopg

        try:
            rows = self._run("SELECT value FROM coopplan_sala WHERE name = 'corrente'")
        except psycopg.Error:
            return NOT_RUNNING
        return _record(json.loads(rows[0][0])) if rows else NOT_RUNNING

    def write(self, current: Current) -> None:
        self._run(
            "INSERT INTO coopplan_sala (name, value) VALUES ('corrente', %s) "
            "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value RETURNING name",
            (json.dumps(asdict(current)),),
        )

    def key(self) -> str:
        self._run(
            "INSERT INTO coopplan_sala (name, value) VALUES ('chiave', %s) "
            "ON CONFLICT (name) DO NOTHING RETURNING name",
            (secrets.token_urlsafe(18),),
        )
        rows = self._run("SELECT value FROM coopplan_sala WHERE name = 'chiave'")
        return str(rows[0][0])
