"""Interrupted work and commands that only read (issue 19 §4): a copy or a publish killed between
writing a version's file and its manifest line leaves a leftover that ``verify`` tells apart
from damage (a notice, exit 0, no advice to restore a backup), that the next write removes
once it is old, and that does not stop ``copy`` from resuming; ``history``, ``get`` and
``verify`` never create a store, and say so of a folder that is not one."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from support.variants import COOP, as_bytes, project_with_amount, shipped, with_amount

from coopplan.cli import main
from coopplan.store.folder import MANIFEST, OBJECTS, STALE_TEMP_SECONDS, Store


def raised(by: float) -> bytes:
    plan = shipped()
    project = project_with_amount(plan, COOP)
    return as_bytes(with_amount(plan, project, COOP, plan.funding_of(project)[COOP] + by))


@pytest.fixture
def source(tmp_path: Path) -> Store:
    """A folder store with versions 1 (the shipped plan) to 4."""
    store = Store(tmp_path / "archivio")
    for by in (1000, 2000, 3000):
        store.publish(raised(by), "Maria Rossi")
    return store


def _killed_after_the_file(target: Store, version_data: bytes) -> Path:
    """What a copy or publish killed between the file and its manifest line leaves: the file."""
    path = target.object_path(hashlib.sha256(version_data).hexdigest())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(version_data)
    path.chmod(0o444)
    return path


def _age(path: Path) -> None:
    old = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(path, (old, old))


def test_a_copy_killed_after_a_file_resumes_and_verify_tells_no_damage(
    source: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "backup"
    assert main(["copy", str(source.root), str(backup)]) == 0
    source.publish(raised(4000), "Luca Bianchi")  # version 5, not yet in the backup
    leftover = _killed_after_the_file(Store(backup), source.read(5))  # the next copy, killed
    capsys.readouterr()

    assert main(["verify", "--store", str(backup)]) == 0
    said = capsys.readouterr()
    assert said.err == ""
    assert f"Nota: Il file {OBJECTS}/{leftover.name} non è nominato da nessuna riga" in said.out
    assert "copia interrotta prima di registrarsi. Nessuna versione registrata è persa" in (
        said.out
    )
    assert "L'archivio è integro" in said.out and "Ripristina" not in said.out

    assert main(["copy", str(source.root), str(backup)]) == 0  # resumes: no hand deletion
    assert "Copiata la versione 5" in capsys.readouterr().out
    assert [v.number for v in Store(backup).versions()] == [1, 2, 3, 4, 5]
    report = Store(backup).verify()
    assert report.sound and report.damages == ()  # the leftover became version 5's file


def test_an_interrupted_publish_is_a_notice_and_the_next_publish_removes_it(
    source: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    leftover = _killed_after_the_file(source, raised(9999))  # a publish killed, never recorded
    assert main(["verify", "--store", str(source.root)]) == 0
    out = capsys.readouterr().out
    assert "pubblicazione o di una copia interrotta" in out and "Ripristina" not in out
    assert main(["history", "--store", str(source.root)]) == 0
    assert "DANNEGGIATA" not in capsys.readouterr().out
    source.publish(raised(5000), "Luca Bianchi")
    assert leftover.exists()  # a recent file may be a publisher's about to be recorded: kept
    _age(leftover)
    source.publish(raised(6000), "Luca Bianchi")
    assert not leftover.exists()  # an old leftover is removed under the lock
    assert source.verify().damages == ()


def test_a_leftover_is_damage_when_a_line_may_be_lost(
    source: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = source.manifest_path.read_bytes().split(b"\n")
    source.manifest_path.write_bytes(b"\n".join(lines[:2] + lines[3:]))  # version 3's line gone
    assert main(["verify", "--store", str(source.root)]) == 1
    err = capsys.readouterr().err
    assert "una riga è andata persa" in err and "L'archivio è danneggiato" in err
    for path in (source.root / OBJECTS).iterdir():
        _age(path)  # version 3's file among them, named by no line now
    source.publish(raised(5000), "Luca Bianchi")
    assert len(list((source.root / OBJECTS).iterdir())) == 5  # never removed: may be a version


@pytest.mark.parametrize("command", ["history", "verify", "get"])
def test_commands_that_read_never_create_a_store(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty, missing = tmp_path / "vuota", tmp_path / "manca"
    empty.mkdir()
    (empty / "appunti.txt").write_text("non è un archivio")
    extra = ["1", "-o", str(tmp_path / "v1.xlsx")] if command == "get" else []
    for folder in (empty, missing):
        assert main([command, *extra, "--store", str(folder)]) == 1
        err = capsys.readouterr().err
        state = "non esiste" if folder == missing else "non è un archivio delle versioni"
        assert err.startswith(f"Errore: La cartella «{folder}» {state}: non contiene il registro")
    assert sorted(p.name for p in empty.iterdir()) == ["appunti.txt"]  # nothing written
    assert not missing.exists()
    assert not (tmp_path / "v1.xlsx").exists()


def test_verify_of_the_root_folder_is_not_an_intact_store(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["verify", "--store", "/"]) == 1
    said = capsys.readouterr()
    assert "integro" not in said.out + said.err
    assert "La cartella «/» non è un archivio delle versioni" in said.err


def test_copy_needs_a_store_to_read_and_never_fills_a_foreign_folder(
    source: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["copy", str(tmp_path / "manca"), str(tmp_path / "dest")]) == 1
    assert "non esiste" in capsys.readouterr().err
    assert not (tmp_path / "dest").exists()
    foreign = tmp_path / "documenti"
    foreign.mkdir()
    (foreign / "lettera.txt").write_text("ciao")
    assert main(["copy", str(source.root), str(foreign)]) == 1
    assert "non è un archivio delle versioni né una cartella vuota" in capsys.readouterr().err
    assert sorted(p.name for p in foreign.iterdir()) == ["lettera.txt"]
    assert not (foreign / MANIFEST).exists()
