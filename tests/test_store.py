"""The versioned store: seeding, publish, restore, several years, torn lines, concurrency, kills.

The tests taking ``store`` or ``empty_store`` run against both backends: the folder and a real
PostgreSQL (tests/pg.py); ``folder_store`` tests are about the folder's own files."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pg import execute, fresh_schema
from readonly import read_only
from variants import COOP, SHIPPED, as_bytes, project_with_amount, shipped, with_amount, with_year

from coopplan.store.files import TEMP_PREFIX, locked
from coopplan.store.folder import MANIFEST, OBJECTS, PAUSE_POINTS, Store
from coopplan.store.location import open_store
from coopplan.store.model import STORE_ENV, StoreError, Version, VersionStore
from coopplan.store.postgres import OBJECTS_TABLE, VERSIONS_TABLE, PgStore

BACKENDS = ["folder", "postgresql"]

ROOT = Path(__file__).resolve().parents[1]


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


# Seeding and publishing ---------------------------------------------------------------------


def test_an_empty_store_is_seeded_explicitly_with_the_shipped_workbook_unchanged(
    empty_store: VersionStore,
) -> None:
    store = empty_store
    assert store.versions() == []
    if isinstance(store, Store):
        assert not store.root.exists()  # reading never writes
    before = SHIPPED.read_bytes()
    seeded = store.ensure_seeded()
    first = store.current()
    assert seeded == first
    assert first.number == 1 and first.year == 2023
    assert first.sha256 == sha(before)
    assert store.read(first) == before
    assert SHIPPED.read_bytes() == before  # the shipped file is copied, never touched
    totals = {t.source: t.total for t in first.totals}
    assert totals[COOP] == 25000.0
    assert store.ensure_seeded() is None and len(store.versions()) == 1  # seeded once


def test_publish_adds_a_version_in_force_with_its_record(store: VersionStore) -> None:
    data = variant(7500)
    version = store.publish(data, "Maria Rossi", "Consiglio di marzo")
    assert version.number == 2
    assert store.current() == version
    assert store.read(version) == data
    if isinstance(store, Store):
        assert store.object_path(sha(data)).read_bytes() == data
    record = last_record(store)
    assert record["version"] == 2 and record["editor"] == "Maria Rossi"
    assert record["note"] == "Consiglio di marzo" and record["year"] == 2023
    assert record["sha256"] == sha(data) and record["restored_from"] is None
    totals = {t["source"]: t["total"] for t in record["summary"]["totals"]}
    assert totals[COOP] == 25000.0 + 2500.0  # 5.000 € became 7.500 €
    assert record["time"].endswith("+00:00")


def test_a_workbook_with_errors_is_refused_and_nothing_is_written(store: VersionStore) -> None:
    store.versions()
    before = state(store)
    plan = shipped()
    broken = with_amount(plan, project_with_amount(plan, COOP), COOP, -5)
    with pytest.raises(StoreError) as refused:
        store.publish(as_bytes(broken), "Maria Rossi")
    assert "Il file non è stato pubblicato" in refused.value.message
    assert "1 errore impedisce la pubblicazione" in refused.value.message
    assert refused.value.problems and refused.value.problems[0].cell.startswith("Progetti!")
    with pytest.raises(StoreError, match="CSV, non una cartella di lavoro Excel"):
        store.publish(b"Progetto;Stato\nCULT;In corso\n", "Maria Rossi", name="piano.csv")
    assert state(store) == before


def test_an_editor_name_is_required(store: VersionStore) -> None:
    with pytest.raises(StoreError, match="nome di chi pubblica"):
        store.publish(variant(6000), "   ")


def test_restore_adds_a_version_pointing_to_the_old_content(store: VersionStore) -> None:
    original = store.current()
    store.publish(variant(6000), "Maria Rossi")
    restored = store.restore(original.number, "Luca Bianchi")
    assert restored.number == 3 and restored.restored_from == 1
    assert restored.sha256 == original.sha256
    assert store.current() == restored
    assert store.read(store.current()) == SHIPPED.read_bytes()
    assert [v.number for v in store.versions()] == [1, 2, 3]  # history is never rewritten
    with pytest.raises(StoreError, match="non esiste"):
        store.restore(99, "Luca Bianchi")


def test_several_years_live_side_by_side(store: VersionStore) -> None:
    next_year = store.publish(variant(9000, year=2024), "Maria Rossi")
    assert store.years() == [2023, 2024]
    assert store.current() == next_year  # the latest year by default
    assert store.current(2023).number == 1
    fixed_2023 = store.publish(variant(6000), "Maria Rossi")
    assert store.current() == next_year  # a new 2023 version does not hide 2024
    assert store.current(2023) == fixed_2023
    assert [v.number for v in store.versions(2023)] == [1, 3]
    with pytest.raises(StoreError, match="2030"):
        store.current(2030)


def test_the_store_folder_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "altrove"))
    assert open_store().root == tmp_path / "altrove"
    monkeypatch.delenv(STORE_ENV)
    assert open_store().root == ROOT / "store"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "store/manifest.jsonl"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, "the default store folder must be git-ignored"


# A damaged store stays readable -----------------------------------------------------------


def test_a_torn_last_line_is_ignored_and_the_next_line_starts_clean(
    folder_store: Store,
) -> None:
    store = folder_store
    store.publish(variant(6000), "Maria Rossi")
    whole = store.manifest_path.read_bytes()
    torn = manifest_lines(store)[-1][:40]
    store.manifest_path.write_bytes(whole + torn.encode())  # a writer killed mid-line
    assert store.current().number == 2
    third = store.publish(variant(6500), "Luca Bianchi")
    assert third.number == 3
    lines = manifest_lines(store)
    assert lines[-2] == torn and json.loads(lines[-1])["version"] == 3
    assert [v.number for v in store.versions()] == [1, 2, 3]


def three_versions(store: VersionStore) -> list[Version]:
    """The seed (v1) and two publications (v2 at 6.000 €, v3 at 7.000 €): v3 in force."""
    store.publish(variant(6000), "Maria Rossi")
    store.publish(variant(7000), "Luca Bianchi")
    return store.versions()


def test_a_deleted_newest_file_is_told_and_the_previous_version_shown_as_not_in_force(
    store: VersionStore,
) -> None:
    v1, v2, v3 = three_versions(store)
    remove_content(store, v3)
    assert store.current() == v3  # still the version in force: never silently the previous one
    standing = store.standing()
    assert (standing.in_force, standing.shown) == (v3, v2)
    assert standing.message.startswith(
        "La versione 3 (in vigore) del piano 2023 manca dall'archivio."
    )
    assert f"Mostro la versione 2 del {v2.when}, l'ultima integra, che non è quella in vigore." in (
        standing.message
    )
    assert "Ripristina la cartella dell'archivio da una copia di sicurezza" in standing.message
    with pytest.raises(
        StoreError, match=r"La versione 3 del piano 2023 manca: il suo " + CONTENT[type(store)]
    ):
        store.read(v3)
    report = store.verify()
    assert not report.sound
    assert [(d.kind, d.version) for d in report.damages] == [("missing", 3)]
    assert store.publish(variant(8000), "Maria Rossi").number == 4  # no number reused


def test_a_flipped_byte_in_the_newest_file_is_told_and_never_served(
    store: VersionStore,
) -> None:
    v1, v2, v3 = three_versions(store)
    flip_byte(store, v3)
    standing = store.standing()
    assert (standing.in_force.number, standing.shown.number) == (3, 2)
    assert standing.message.startswith(
        "La versione 3 (in vigore) del piano 2023 è danneggiata: il suo file non corrisponde più "
        "a quello pubblicato."
    )
    assert "Mostro la versione 2 del" in standing.message
    with pytest.raises(
        StoreError,
        match="La versione 3 del piano 2023 è danneggiata: il suo " + CONTENT[type(store)],
    ):
        store.read(v3)
    assert [(d.kind, d.version) for d in store.verify().damages] == [("corrupt", 3)]
    # Restoring v2 is the way out from the page: it becomes v4, intact and in force.
    restored = store.restore(2, "Maria Rossi")
    assert restored.number == 4 and store.standing().message == ""
    assert store.standing().shown == restored


@pytest.mark.parametrize("how", ["emptied", "deleted"])
def test_a_lost_manifest_with_files_is_damage_never_a_fresh_store(
    folder_store: Store, how: str
) -> None:
    store = folder_store
    _lost_manifest_body(store, how)


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


def test_a_truncated_line_in_the_middle_is_named_by_its_number(folder_store: Store) -> None:
    store = folder_store
    three_versions(store)
    lines = store.manifest_path.read_bytes().split(b"\n")
    lines[1] = lines[1][: len(lines[1]) // 2]  # version 2's line cut in half
    store.manifest_path.write_bytes(b"\n".join(lines))
    assert [v.number for v in store.versions()] == [1, 3]
    standing = store.standing()
    assert standing.shown.number == 3
    assert (
        "La riga 2 del registro delle versioni manifest.jsonl è illeggibile (JSON non valido): "
        "la versione 2 potrebbe mancare dall'elenco." in standing.message
    )
    found = [(d.kind, d.line) for d in store.verify().damages]
    assert found == [("bad-line", 2), ("orphan", None)]  # version 2's file, now named by no line


def test_a_truncated_last_line_is_told_unless_a_publisher_is_writing_it(
    folder_store: Store,
) -> None:
    store = folder_store
    three_versions(store)
    raw = store.manifest_path.read_bytes()
    store.manifest_path.write_bytes(raw[: len(raw) - 40])  # v3's line loses its end
    with locked(store.root / "manifest.lock"):  # a publisher at work: its line is not damage
        assert store.standing().message == ""
        assert store.verify().sound
    standing = store.standing()
    assert (standing.in_force.number, standing.shown.number) == (2, 2)
    assert standing.message.startswith(
        "La riga 3 del registro delle versioni manifest.jsonl è incompleta (troncata): la "
        "versione 3 potrebbe mancare dall'elenco. Mostro la versione 2: potrebbe non essere "
        "l'ultima pubblicata."
    )
    found = [(d.kind, d.line) for d in store.verify().damages]
    assert found == [("torn-line", 3), ("orphan", None)]  # version 3's file, named by no line


def test_publish_and_restore_into_a_read_only_store_say_so_and_change_nothing(
    folder_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = folder_store
    store.publish(variant(6000), "Maria Rossi")
    before = snapshot(store.root)
    read_only(monkeypatch, store.root)
    with pytest.raises(StoreError) as refused:
        store.publish(variant(8000), "Maria Rossi")
    assert refused.value.message == (
        f"Il file non è stato pubblicato: l'archivio delle versioni ({store.root}) non si può "
        "scrivere (il disco è di sola lettura). Niente è cambiato. Controlla che la cartella "
        "esista e sia scrivibile dall'utente che fa girare la dashboard."
    )
    with pytest.raises(StoreError, match="La versione 1 non è stata ripristinata: l'archivio"):
        store.restore(1, "Maria Rossi")
    monkeypatch.undo()
    assert snapshot(store.root) == before
    assert store.current().number == 2


def test_an_orphan_file_is_reported_by_verify(store: VersionStore) -> None:
    """A content no version names: in PostgreSQL (a publish is one transaction) a lost version
    row; in a folder whose record is whole, the leftover of an interrupted publish (a notice,
    not damage: see the tests of interrupted work below)."""
    three_versions(store)
    assert store.verify().sound
    start = add_stray(store, variant(9999))
    report = store.verify()
    [orphan] = report.damages
    assert orphan.message.startswith(start)
    if isinstance(store, PgStore):
        assert not report.sound and orphan.kind == "orphan"
    else:
        assert report.sound and orphan.kind == "leftover"
    assert store.standing().message == ""  # the plan in force is intact: pages stay quiet


def test_a_file_whose_line_is_gone_from_the_middle_is_damage(folder_store: Store) -> None:
    store = folder_store
    three_versions(store)
    lines = store.manifest_path.read_bytes().split(b"\n")
    store.manifest_path.write_bytes(b"\n".join(lines[:1] + lines[2:]))  # version 2's line removed
    report = store.verify()
    assert not report.sound
    assert [d.kind for d in report.damages] == ["orphan"]  # numbers 1, 3: a version is lost
    assert report.lines()[-1].startswith("L'archivio è danneggiato (1 problema). Ripristina")


def test_restoring_the_version_in_force_is_refused(store: VersionStore) -> None:
    store.publish(variant(6000), "Maria Rossi")
    before = state(store)
    with pytest.raises(StoreError) as refused:
        store.restore(2, "Maria Rossi")
    assert refused.value.message == (
        "La versione 2 è già quella in vigore del piano 2023: ripristinarla non cambierebbe niente."
    )
    assert state(store) == before


# Concurrency ------------------------------------------------------------------------------


def _publish_in_child(root: str, data: bytes, editor: str, barrier, results) -> None:
    barrier.wait()
    started = time.perf_counter()
    version = open_store(root).publish(data, editor)
    results.put((version.number, version.sha256, editor, time.perf_counter() - started))


def test_ten_parallel_publishes_land_as_ten_versions(store: VersionStore) -> None:
    """Ten processes publish ten different workbooks at the same moment on a fresh store."""
    workbooks = [variant(1000 + i) for i in range(10)]
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(10)
    results = context.Queue()
    processes = [
        context.Process(
            target=_publish_in_child,
            args=(location(store), data, f"Editor {i}", barrier, results),
        )
        for i, data in enumerate(workbooks)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    landed = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    elapsed = time.perf_counter() - started

    versions = store.versions()
    assert [v.number for v in versions] == list(range(1, 12))  # the seed + 10, no gaps, no twins
    assert versions[0].editor == "Piano fornito"
    assert {v.sha256 for v in versions[1:]} == {sha(d) for d in workbooks}
    assert sorted(v.editor for v in versions[1:]) == sorted(f"Editor {i}" for i in range(10))
    assert sorted(n for n, *_ in landed) == list(range(2, 12))
    for version in versions:
        assert sha(store.read(version)) == version.sha256
    assert store.verify().sound
    if isinstance(store, Store):
        lines = manifest_lines(store)
        assert len(lines) == 11 and all(json.loads(line) for line in lines)
        assert not list((store.root / OBJECTS).glob(f"{TEMP_PREFIX}*"))
    slowest = max(t for *_, t in landed)
    print(
        f"\n{type(store).__name__}: 10 parallel publishes: 11 versions in {elapsed:.2f} s (slowest publish {slowest:.2f} s)"
    )


# A publisher killed in the middle -----------------------------------------------------------


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


@pytest.mark.parametrize("point", PAUSE_POINTS)
def test_a_publisher_killed_mid_write_leaves_the_previous_version_in_force(
    store: VersionStore, tmp_path: Path, point: str
) -> None:
    previous = store.publish(variant(6000), "Maria Rossi")
    workbook = tmp_path / "nuovo.xlsx"
    workbook.write_bytes(variant(8000))
    started = time.perf_counter()
    process = _start_paused_publisher(store, workbook, point)
    try:
        assert store.current() == previous  # while it is writing, readers see the old version
        assert store.read(store.current()) == store.read(previous)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    assert store.current() == previous
    assert sha(store.read(store.current())) == previous.sha256
    for version in store.versions():
        assert sha(store.read(version)) == version.sha256  # nothing partial is ever served
    if isinstance(store, PgStore):
        _after_killed_in_a_transaction(store, previous)
    else:
        _after_killed_in_a_folder(store, previous, point)
    history = subprocess.run(
        [sys.executable, "-m", "coopplan", "history", "--store", location(store)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert history.returncode == 0 and "Luca Bianchi" in history.stdout
    found = [(d.kind, d.serious) for d in store.verify().damages]
    expected = {
        "content-temp": [],  # a temporary file is no version
        "before-manifest": [("leftover", False)],  # its file, never registered: nothing lost
        "manifest-half": [
            ("leftover", False),
            ("leftover", False),
        ],  # torn line (number reused), file
    }
    # In PostgreSQL the killed transaction is rolled back whole: nothing at all is left.
    assert found == ([] if isinstance(store, PgStore) else expected[point])
    print(f"\nkilled at {point}: previous version in force, {time.perf_counter() - started:.2f} s")


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


def test_manifest_is_json_lines(folder_store: Store) -> None:
    store = folder_store
    store.publish(variant(6000), "Maria Rossi", "nota con «virgolette» e accenti: è")
    for line in manifest_lines(store):
        record = json.loads(line)
        assert set(record) >= {"version", "time", "editor", "note", "year", "sha256", "summary",
                               "restored_from"}  # fmt: skip
    assert (store.root / MANIFEST).stat().st_size > 0


# PostgreSQL only ----------------------------------------------------------------------------


def test_a_postgresql_store_is_chosen_by_its_address_and_never_shows_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    addresses = (
        "postgresql://coop:segreta@db.example.org:5432/piano",
        "postgresql://coop@db.example.org:5432/piano?password=segreta",
        "postgres://coop@db.example.org:5432/piano?sslmode=require&password=segreta",
        "host=db.example.org port=5432 dbname=piano user=coop password=segreta",
        "password = 'segreta' host=db.example.org port=5432 dbname=piano user=coop",
    )
    for address in addresses:
        monkeypatch.setenv(STORE_ENV, address)
        store = open_store()
        assert isinstance(store, PgStore), address
        assert "segreta" not in str(store.root)
        assert str(store.root).startswith("PostgreSQL ")
        assert "host=db.example.org port=5432" in str(store.root) and "user=coop" in str(store.root)
    malformed = "host=db.example.org password=segreta sbagliata"  # libpq's reason quotes it
    assert PgStore(malformed).root == "PostgreSQL (indirizzo non valido)"


def test_an_unreachable_database_is_told_in_italian(tmp_path: Path) -> None:
    store = open_store(f"postgresql://coopplan@/nessuno?host={tmp_path}&connect_timeout=2")
    with pytest.raises(StoreError) as refused:
        store.current()
    assert refused.value.message.startswith(
        "L'archivio delle versioni non si riesce a leggere: l'archivio delle versioni "
    )
    assert "non è raggiungibile. Niente è cambiato. Controlla l'indirizzo in COOPPLAN_STORE" in (
        refused.value.message
    )


def test_lost_version_rows_with_contents_are_damage_never_a_fresh_store(pg_server: str) -> None:
    store = PgStore(fresh_schema(pg_server))
    store.ensure_seeded()
    three_versions(store)
    execute(store.url, f"DELETE FROM {VERSIONS_TABLE}")
    assert store.ensure_seeded() is None  # never re-seeded over the history
    with pytest.raises(StoreError) as lost:
        store.current()
    assert lost.value.message.startswith(
        f"La tabella delle versioni {VERSIONS_TABLE} è vuota, ma l'archivio contiene 3 contenuti "
        "di versioni pubblicate: l'elenco delle versioni è perso e l'archivio non viene ricreato."
    )
    with pytest.raises(StoreError, match="Il file non è stato pubblicato: La tabella"):
        store.publish(variant(8000), "Maria Rossi")
    assert [d.kind for d in store.verify().damages] == ["no-manifest"]
