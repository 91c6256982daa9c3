"""The versioned store: seeding, publish, restore, several years, torn lines, concurrency, kills.

The tests taking ``store`` or ``empty_store`` run against both backends: the folder and a real
PostgreSQL (tests/pg.py); ``folder_store`` tests are about the folder's own files."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.pg import execute, fresh_schema
from support.readonly import read_only
from support.stores import (  # noqa: F401 - fixtures
    CONTENT,
    ROOT,
    _after_killed_in_a_folder,
    _after_killed_in_a_transaction,
    _lost_manifest_body,
    _publish_in_child,
    _start_paused_publisher,
    add_stray,
    empty_store,
    flip_byte,
    folder_store,
    last_record,
    location,
    manifest_lines,
    remove_content,
    sha,
    snapshot,
    state,
    store,
    three_versions,
    variant,
)
from support.variants import (
    COOP,
    SHIPPED,
    as_bytes,
    project_with_amount,
    shipped,
    with_amount,
)

from coopplan.store.files import TEMP_PREFIX, locked
from coopplan.store.folder import MANIFEST, OBJECTS, PAUSE_POINTS, Store
from coopplan.store.location import open_store
from coopplan.store.model import STORE_ENV, StoreError, VersionStore
from coopplan.store.postgres import VERSIONS_TABLE, PgStore


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


def test_manifest_is_json_lines(folder_store: Store) -> None:
    store = folder_store
    store.publish(variant(6000), "Maria Rossi", "nota con «virgolette» e accenti: è")
    for line in manifest_lines(store):
        record = json.loads(line)
        assert set(record) >= {"version", "time", "editor", "note", "year", "sha256", "summary",
                               "restored_from"}  # fmt: skip
    assert (store.root / MANIFEST).stat().st_size > 0


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
