"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries, initdb into a temporary
folder, listening only on a unix socket there, stopped at the end of the session (under
pytest-xdist, one cluster per worker that runs PostgreSQL tests: nothing is shared between them).

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
def cluster(password: str | None = None) -> Iterator[str]:
    """Start a cluster (or take COOPPLAN_TEST_PG_URL); yield its address; stop it. With
    ``password``, a cluster of its own whose user ``coopplan`` must give it (scram-sha-256),
    and an address without it (libpq must find it: PGPASSWORD, PGPASSFILE, a service)."""
    given = os.environ.get(URL_ENV, "").strip()
    if given and password is None:
        yield given
        return
    binaries = server_binaries()
    if binaries is None:
        message = "PostgreSQL non installato (apt-get install postgresql)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="coopplan-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    auth = ["--auth=trust"]
    if password is not None:
        secret = folder / "pwfile"
        secret.write_text(password + "\n")
        if os.geteuid() == 0:
            shutil.chown(secret, "postgres", "postgres")
        auth = ["--auth=scram-sha-256", f"--pwfile={secret}"]
    subprocess.run(
        _as_server_user(
            [str(binaries / "initdb"), "-D", str(folder / "data"), "-U", USER, *auth, "-E",
             "UTF8", "--no-locale"]
        ),
        check=True, capture_output=True,
    )  # fmt: skip
    url = f"postgresql://{USER}@/postgres?host={folder}"
    start(url)
    try:
        yield url
    finally:
        stop(url)
        shutil.rmtree(folder, ignore_errors=True)


def _pg_ctl(url: str) -> list[str]:
    """pg_ctl for the cluster this module started at ``url`` (its folder is the socket's)."""
    folder = Path(conninfo_host(url))
    binaries = server_binaries()
    assert binaries is not None
    return [str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log")]


def conninfo_host(url: str) -> str:
    from psycopg.conninfo import conninfo_to_dict

    return str(conninfo_to_dict(url)["host"])


def start(url: str) -> None:
    """Start (again) the cluster started by ``cluster()`` at ``url``."""
    folder = conninfo_host(url)
    options = f"-c listen_addresses='' -c unix_socket_directories={folder} -c fsync=off"
    subprocess.run(
        _as_server_user([*_pg_ctl(url), "-o", options, "-w", "start"]),
        check=True,
        capture_output=True,
    )


def stop(url: str) -> None:
    """Stop the cluster started by ``cluster()`` at ``url`` at once (its clients are cut)."""
    subprocess.run(
        _as_server_user([*_pg_ctl(url), "-m", "immediate", "-w", "stop"]),
        check=False,
        capture_output=True,
    )


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
