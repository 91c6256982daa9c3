"""Helpers shared by tests (from test_store.py): BACKENDS, CONTENT, PAUSED_PUBLISHER, ROOT, add_stray, empty_store, flip_byte, folder_store, last_record, location, manifest_lines, remove_content, sha, snapshot, state, store, three_versions, variant."""

from __future__ import annotations

import hashlib
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coopplan.store.files import TEMP_PREFIX
from coopplan.store.folder import OBJECTS, Store
from coopplan.store.location import open_store
from coopplan.store.model import StoreError, Version, VersionStore
from coopplan.store.postgres import OBJECTS_TABLE, VERSIONS_TABLE, PgStore
from support.paths import ROOT
from support.pg import execute, fresh_schema
from support.variants import (
    COOP,
    as_bytes,
    project_with_amount,
    shipped,
    with_amount,
    with_year,
)

BACKENDS = ["folder", "postgresql"]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under folder (byte-for-byte comparison)."""
    return {
        str(p.relative_to(folder)): sha(p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def variant(amount: float, year: int | None = None) -> bytes:
    plan = shipped()
    plan = with_amount(plan, project_with_amount(plan, COOP), COOP, amount)
    return as_bytes(with_year(plan, year) if year else plan)


def manifest_lines(store: Store) -> list[str]:
    return store.manifest_path.read_text(encoding="utf-8").splitlines()


@pytest.fixture(params=BACKENDS)
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> VersionStore:
    """An empty store: a folder, or a fresh schema of the test PostgreSQL server."""
    if request.param == "folder":
        return Store(tmp_path / "store")
    return PgStore(fresh_schema(request.getfixturevalue("pg_server")))


@pytest.fixture
def store(empty_store: VersionStore) -> VersionStore:
    """A store seeded with the shipped workbook (what the app and the CLI do at start-up)."""
    empty_store.ensure_seeded()
    return empty_store


@pytest.fixture
def folder_store(tmp_path: Path) -> Store:
    """A seeded folder store, for the tests of its files."""
    seeded = Store(tmp_path / "store")
    seeded.ensure_seeded()
    return seeded


def location(store: VersionStore) -> str:
    """What COOPPLAN_STORE / --store / open_store() take to reach this store."""
    return store.url if isinstance(store, PgStore) else str(store.root)


def state(store: VersionStore) -> object:
    """Everything the store holds, to compare before and after (files, or table rows)."""
    if isinstance(store, PgStore):
        return (
            execute(store.url, f"SELECT number, record::text FROM {VERSIONS_TABLE} ORDER BY 1"),
            execute(store.url, f"SELECT sha256, sha256(data) FROM {OBJECTS_TABLE} ORDER BY 1"),
        )
    return snapshot(store.root)


def last_record(store: VersionStore) -> dict:
    """The newest version's record as stored (manifest line, or jsonb row)."""
    if isinstance(store, PgStore):
        [(text,)] = execute(
            store.url, f"SELECT record::text FROM {VERSIONS_TABLE} ORDER BY number DESC LIMIT 1"
        )
        return json.loads(text)
    return json.loads(manifest_lines(store)[-1])


def remove_content(store: VersionStore, version: Version) -> None:
    """Lose a version's workbook (a deleted file; a deleted row, bypassing the foreign key)."""
    if isinstance(store, PgStore):
        execute(
            store.url,
            f"ALTER TABLE {VERSIONS_TABLE} DROP CONSTRAINT {VERSIONS_TABLE}_sha256_fkey;"
            f"DELETE FROM {OBJECTS_TABLE} WHERE sha256 = '{version.sha256}'",
        )
    else:
        store.object_path(version.sha256).unlink()


def flip_byte(store: VersionStore, version: Version) -> None:
    """Flip one bit in the middle of a version's stored workbook."""
    damaged = bytearray(store.read(version))
    damaged[len(damaged) // 2] ^= 0x01
    if isinstance(store, PgStore):
        execute(
            store.url,
            f"UPDATE {OBJECTS_TABLE} SET data = %s WHERE sha256 = %s",
            (bytes(damaged), version.sha256),
        )
    else:
        path = store.object_path(version.sha256)
        os.chmod(path, 0o644)
        path.write_bytes(bytes(damaged))


def add_stray(store: VersionStore, data: bytes) -> str:
    """Put a workbook in the store's contents that no version names; the start of the orphan
    message expected for it."""
    if isinstance(store, PgStore):
        execute(store.url, f"INSERT INTO {OBJECTS_TABLE} VALUES (%s, %s)", (sha(data), data))
        return f"Il contenuto {sha(data)} della tabella {OBJECTS_TABLE} non è nominato"
    store.object_path(sha(data)).write_bytes(data)
    return f"Il file objects/{sha(data)}.xlsx non è nominato"


# How each backend names a version's content in its damage messages.
CONTENT = {Store: r"file objects/", PgStore: r"contenuto \([0-9a-f]{12}… nella tabella "}


def three_versions(store: VersionStore) -> list[Version]:
    """The seed (v1) and two publications (v2 at 6.000 €, v3 at 7.000 €): v3 in force."""
    store.publish(variant(6000), "Maria Rossi")
    store.publish(variant(7000), "Luca Bianchi")
    return store.versions()


def _lost_manifest_body(store: Store, how: str) -> None:
    three_versions(store)
    if how == "emptied":
        store.manifest_path.write_bytes(b"")
    else:
        store.manifest_path.unlink()
    before = snapshot(store.root)
    assert store.versions() == []
    assert store.ensure_seeded() is None  # never re-seeded over the history
    state = "è vuoto" if how == "emptied" else "manca"
    with pytest.raises(StoreError) as lost:
        store.current()
    assert lost.value.message.startswith(
        f"Il registro delle versioni manifest.jsonl {state}, ma l'archivio contiene 3 file di "
        "versioni pubblicate: l'elenco delle versioni è perso e l'archivio non viene ricreato."
    )
    with pytest.raises(StoreError, match="Il file non è stato pubblicato: Il registro"):
        store.publish(variant(8000), "Maria Rossi")
    assert snapshot(store.root) == before
    report = store.verify()
    assert [d.kind for d in report.damages] == ["no-manifest"] and not report.sound


def _publish_in_child(root: str, data: bytes, editor: str, barrier, results) -> None:
    barrier.wait()
    started = time.perf_counter()
    version = open_store(root).publish(data, editor)
    results.put((version.number, version.sha256, editor, time.perf_counter() - started))


# A publisher whose store pauses at POINT (the on_step hook), announcing it on stdout.
PAUSED_PUBLISHER = """
import sys, time
from pathlib import Path
from coopplan.store.location import open_store
from coopplan.store.postgres import PgStore

root, workbook, point = sys.argv[1:4]


def pause(reached):
    if reached == point:
        print("PAUSED " + reached, flush=True)
        time.sleep(60)


store = open_store(root)
store.on_step = pause
store.publish(Path(workbook).read_bytes(), "Killed")
"""


def _start_paused_publisher(store: VersionStore, workbook: Path, point: str) -> subprocess.Popen:
    command = [sys.executable, "-c", PAUSED_PUBLISHER, location(store), str(workbook), point]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ready, _, _ = select.select([process.stdout], [], [], 60)
    assert ready, "the publisher never reached the pause point"
    assert process.stdout.readline().decode().strip() == f"PAUSED {point}"
    return process


def _after_killed_in_a_folder(store: Store, previous: Version, point: str) -> None:
    leftovers = list((store.root / OBJECTS).glob(f"{TEMP_PREFIX}*"))
    assert len(leftovers) == (1 if point == "content-temp" else 0)
    raw = store.manifest_path.read_bytes()
    assert raw.endswith(b"\n") == (point != "manifest-half")  # a torn line only if killed there
    told = store.standing().message  # a torn last line cannot be told from a damaged one
    assert told.startswith("La riga 3 del registro") if point == "manifest-half" else told == ""
    after = store.publish(variant(8500), "Luca Bianchi")  # the store goes on working
    assert after.number == previous.number + 1
    valid = [line for line in manifest_lines(store) if _is_json(line)]
    assert [json.loads(line)["version"] for line in valid] == [1, 2, 3]


def _after_killed_in_a_transaction(store: PgStore, previous: Version) -> None:
    assert store.standing().message == ""
    assert execute(store.url, f"SELECT count(*) FROM {OBJECTS_TABLE}") == [(2,)]  # rolled back
    after = store.publish(variant(8500), "Luca Bianchi")  # the store goes on working
    assert after.number == previous.number + 1  # the killed publisher's number is not lost


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True
