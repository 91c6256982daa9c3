"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries, initdb into a temporary
folder, listening only on a unix socket there, stopped at the end of the session.

``COOPPLAN_TEST_PG_URL`` (a ``postgresql://`` address) uses that server instead. Without either,
the PostgreSQL tests are skipped on a developer's machine and FAIL in CI (``CI=true``).
Each test gets its own schema (``fresh_schema``): the store's tables are created in it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

URL_ENV = "COOPPLAN_TEST_PG_URL"
USER = "coopplan"


def server_binaries() -> Path | None:
    """The newest /usr/lib/postgresql/<n>/bin holding initdb and pg_ctl, if installed."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def _as_server_user(command: list[str]) -> list[str]:
    """initdb and postgres refuse root: run them as the ``postgres`` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextlib.contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster (or take COOPPLAN_TEST_PG_URL); yield its address; stop it."""
    given = os.environ.get(URL_ENV, "").strip()
    if given:
        yield given
        return
    binaries = server_binaries()
    if binaries is None:
        message = "PostgreSQL non installato (apt-get install postgresql)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}: in CI the PostgreSQL store must be tested")
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="coopplan-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    subprocess.run(
        _as_server_user(
            [str(binaries / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8",
             "--no-locale"]
        ),
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-c listen_addresses='' -c unix_socket_directories={folder} -c fsync=off"
    pg_ctl = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "log")]
    subprocess.run(
        _as_server_user([*pg_ctl, "-o", options, "-w", "start"]), check=True, capture_output=True
    )
    try:
        yield f"postgresql://{USER}@/postgres?host={folder}"
    finally:
        subprocess.run(
            _as_server_user([*pg_ctl, "-m", "immediate", "-w", "stop"]), check=False,
            capture_output=True,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def fresh_schema(url: str) -> str:
    """A new empty schema on the server; the address whose tables live in it."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{name}"


def execute(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Run one statement on the store's schema (tests alter rows to simulate damage)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []
