"""`python -m coopplan copy`: folder → PostgreSQL → folder keeps every version, byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support.paths import ROOT
from support.pg import fresh_schema
from support.stores import snapshot, variant

from coopplan.store.folder import Store
from coopplan.store.location import open_store


def copy(source: str, target: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coopplan", "copy", source, target],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_copy_folder_to_postgresql_and_back_keeps_history_and_bytes(
    tmp_path: Path, pg_server: str
) -> None:
    folder = Store(tmp_path / "a")
    folder.ensure_seeded()
    folder.publish(variant(6000), "Maria Rossi", "Consiglio di marzo")
    folder.publish(variant(9000, year=2024), "Luca Bianchi")
    folder.restore(1, "Maria Rossi")
    url = fresh_schema(pg_server)

    there = copy(str(folder.root), url)
    assert there.returncode == 0, there.stderr
    assert "Copia finita: 4 versioni copiate" in there.stdout
    database = open_store(url)
    assert database.versions() == folder.versions()  # numbers, times, editors, notes, totals
    assert database.verify().sound

    back = copy(url, str(tmp_path / "b"))
    assert back.returncode == 0, back.stderr
    restored = Store(tmp_path / "b")
    assert restored.versions() == folder.versions()
    assert snapshot(restored.root) == snapshot(folder.root)  # manifest and workbooks identical

    again = copy(str(folder.root), url)  # the backup again: nothing new, nothing doubled
    assert again.returncode == 0 and "Copia finita: 0 versioni copiate" in again.stdout
    folder.publish(variant(7000), "Anna Verdi")
    more = copy(str(folder.root), url)  # only the new version is added
    assert "Copia finita: 1 versione copiata" in more.stdout
    assert [v.number for v in database.versions()] == [1, 2, 3, 4, 5]


def test_copy_refuses_a_target_with_another_history(tmp_path: Path, pg_server: str) -> None:
    folder = Store(tmp_path / "a")
    folder.ensure_seeded()
    folder.publish(variant(6000), "Maria Rossi")
    other = open_store(fresh_schema(pg_server))
    other.ensure_seeded()
    other.publish(variant(6500), "Luca Bianchi")
    refused = copy(str(folder.root), other.url)
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        f"Errore: L'archivio di destinazione ({other.root}) contiene già 2 versioni diverse da "
        "quelle dell'archivio di partenza: copia rifiutata."
    )
    assert [v.editor for v in other.versions()] == ["Piano fornito", "Luca Bianchi"]
