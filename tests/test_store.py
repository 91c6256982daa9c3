"""The versioned store: seeding, publish, restore, several years, torn lines, concurrency, kills."""

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
from variants import COOP, SHIPPED, as_bytes, project_with_amount, shipped, with_amount, with_year

from coopplan.store import (
    MANIFEST,
    OBJECTS,
    PAUSE_ENV,
    PAUSE_POINTS,
    STORE_ENV,
    TEMP_PREFIX,
    Store,
    StoreError,
)

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


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store")


# Seeding and publishing ---------------------------------------------------------------------


def test_an_empty_store_starts_with_the_shipped_workbook_unchanged(store: Store) -> None:
    before = SHIPPED.read_bytes()
    first = store.current()
    assert first.number == 1 and first.year == 2023
    assert first.sha256 == sha(before)
    assert store.read(first) == before
    assert SHIPPED.read_bytes() == before  # the shipped file is copied, never touched
    totals = {t.source: t.total for t in first.totals}
    assert totals[COOP] == 25000.0
    assert len(store.versions()) == 1  # reading again does not seed twice


def test_publish_adds_a_version_in_force_with_its_record(store: Store) -> None:
    data = variant(7500)
    version = store.publish(data, "Maria Rossi", "Consiglio di marzo")
    assert version.number == 2
    assert store.current() == version
    assert store.read(version) == data
    assert store.object_path(sha(data)).read_bytes() == data
    record = json.loads(manifest_lines(store)[-1])
    assert record["version"] == 2 and record["editor"] == "Maria Rossi"
    assert record["note"] == "Consiglio di marzo" and record["year"] == 2023
    assert record["sha256"] == sha(data) and record["restored_from"] is None
    totals = {t["source"]: t["total"] for t in record["summary"]["totals"]}
    assert totals[COOP] == 25000.0 + 2500.0  # 5.000 € became 7.500 €
    assert record["time"].endswith("+00:00")


def test_a_workbook_with_errors_is_refused_and_nothing_is_written(store: Store) -> None:
    store.versions()
    before = snapshot(store.root)
    plan = shipped()
    broken = with_amount(plan, project_with_amount(plan, COOP), COOP, -5)
    with pytest.raises(StoreError) as refused:
        store.publish(as_bytes(broken), "Maria Rossi")
    assert "Il file non è stato pubblicato" in refused.value.message
    assert "1 errore impedisce la pubblicazione" in refused.value.message
    assert refused.value.problems and refused.value.problems[0].cell.startswith("Progetti!")
    with pytest.raises(StoreError, match="CSV, non una cartella di lavoro Excel"):
        store.publish(b"Progetto;Stato\nCULT;In corso\n", "Maria Rossi", name="piano.csv")
    assert snapshot(store.root) == before


def test_an_editor_name_is_required(store: Store) -> None:
    with pytest.raises(StoreError, match="nome di chi pubblica"):
        store.publish(variant(6000), "   ")


def test_restore_adds_a_version_pointing_to_the_old_content(store: Store) -> None:
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


def test_several_years_live_side_by_side(store: Store) -> None:
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
    assert Store.default().root == tmp_path / "altrove"
    monkeypatch.delenv(STORE_ENV)
    assert Store.default().root == ROOT / "store"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "store/manifest.jsonl"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, "the default store folder must be git-ignored"


# A damaged store stays readable -----------------------------------------------------------


def test_a_torn_last_line_is_ignored_and_the_next_line_starts_clean(store: Store) -> None:
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


def test_a_line_whose_file_is_missing_or_damaged_is_never_served(store: Store) -> None:
    version = store.publish(variant(6000), "Maria Rossi")
    path = store.object_path(version.sha256)
    os.chmod(path, 0o644)
    path.write_bytes(b"not the workbook")
    with pytest.raises(StoreError, match="danneggiato"):
        store.read(version)
    path.unlink()
    assert store.current().number == 1  # a line without its file does not count


# Concurrency ------------------------------------------------------------------------------


def _publish_in_child(root: str, data: bytes, editor: str, barrier, results) -> None:  # noqa: ANN001
    barrier.wait()
    started = time.perf_counter()
    version = Store(root).publish(data, editor)
    results.put((version.number, version.sha256, editor, time.perf_counter() - started))


def test_ten_parallel_publishes_land_as_ten_versions(store: Store) -> None:
    """Ten processes publish ten different workbooks at the same moment, on an empty store."""
    workbooks = [variant(1000 + i) for i in range(10)]
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(10)
    results = context.Queue()
    processes = [
        context.Process(
            target=_publish_in_child,
            args=(str(store.root), data, f"Editor {i}", barrier, results),
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
    lines = manifest_lines(store)
    assert len(lines) == 11 and all(json.loads(line) for line in lines)
    for version in versions:
        assert sha(store.read(version)) == version.sha256
    assert not list((store.root / OBJECTS).glob(f"{TEMP_PREFIX}*"))
    slowest = max(t for *_, t in landed)
    print(
        f"\n10 parallel publishes: 11 versions in {elapsed:.2f} s (slowest publish {slowest:.2f} s)"
    )


# A publisher killed in the middle -----------------------------------------------------------


def _start_paused_publisher(store: Store, workbook: Path, point: str) -> subprocess.Popen:
    env = {**os.environ, PAUSE_ENV: point, "COOPPLAN_STORE_PAUSE_SECONDS": "60"}
    command = [sys.executable, "-m", "coopplan", "publish", str(workbook), "--editor", "Killed",
               "--store", str(store.root)]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    ready, _, _ = select.select([process.stdout], [], [], 60)
    assert ready, "the publisher never reached the pause point"
    assert process.stdout.readline().decode().strip() == f"PAUSED {point}"
    return process


@pytest.mark.parametrize("point", PAUSE_POINTS)
def test_a_publisher_killed_mid_write_leaves_the_previous_version_in_force(
    store: Store, tmp_path: Path, point: str
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
    leftovers = list((store.root / OBJECTS).glob(f"{TEMP_PREFIX}*"))
    assert len(leftovers) == (1 if point == "content-temp" else 0)
    raw = store.manifest_path.read_bytes()
    assert raw.endswith(b"\n") == (point != "manifest-half")  # a torn line only if killed there

    after = store.publish(variant(8500), "Luca Bianchi")  # the store goes on working
    assert after.number == previous.number + 1
    valid = [line for line in manifest_lines(store) if _is_json(line)]
    assert [json.loads(line)["version"] for line in valid] == [1, 2, 3]
    history = subprocess.run(
        [sys.executable, "-m", "coopplan", "history", "--store", str(store.root)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert history.returncode == 0 and "Luca Bianchi" in history.stdout
    print(f"\nkilled at {point}: previous version in force, {time.perf_counter() - started:.2f} s")


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def test_manifest_is_json_lines(store: Store) -> None:
    store.publish(variant(6000), "Maria Rossi", "nota con «virgolette» e accenti: è")
    for line in manifest_lines(store):
        record = json.loads(line)
        assert set(record) >= {"version", "time", "editor", "note", "year", "sha256", "summary",
                               "restored_from"}  # fmt: skip
    assert (store.root / MANIFEST).stat().st_size > 0
