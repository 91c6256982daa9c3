"""Marks «presentata in assemblea» in both stores (folder and PostgreSQL), and the CLI `mark`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support.stores import empty_store, store, variant  # noqa: F401 - fixtures over both backends

from coopplan.cli import main
from coopplan.store.copy import copy_versions
from coopplan.store.folder import Store
from coopplan.store.marks import MARKS_FILE, last_marked
from coopplan.store.model import StoreError, VersionStore

MARCH_14 = dt.date(2026, 3, 14)


def test_a_mark_is_kept_with_its_day_and_editor(store: VersionStore) -> None:
    second = store.publish(variant(30000), "Maria Rossi")
    assert store.marks() == {}
    mark = store.mark_presented(second.number, MARCH_14, "  Anna   Bianchi ")
    assert (mark.number, mark.day, mark.editor) == (second.number, MARCH_14, "Anna Bianchi")
    assert store.marks() == {second.number: mark}
    assert mark.assembly == "l'assemblea del 14 marzo 2026"


def test_marking_again_replaces_the_day_and_the_latest_assembly_wins(store: VersionStore) -> None:
    second = store.publish(variant(30000), "Maria Rossi")
    store.mark_presented(1, dt.date(2026, 1, 10), "Anna")
    store.mark_presented(second.number, dt.date(2025, 12, 1), "Anna")
    assert last_marked(store.marks(), [1, second.number]).number == 1
    store.mark_presented(second.number, dt.date(2026, 2, 1), "Anna")
    marks = store.marks()
    assert marks[second.number].day == dt.date(2026, 2, 1)
    assert last_marked(marks, [1, second.number]).number == second.number
    assert last_marked(marks, [1, second.number], before=1).number == 1


def test_an_unknown_version_or_no_name_is_refused_and_nothing_is_marked(
    store: VersionStore,
) -> None:
    with pytest.raises(StoreError, match="La versione 9 non esiste"):
        store.mark_presented(9, MARCH_14, "Anna")
    with pytest.raises(StoreError, match="Indica il nome"):
        store.mark_presented(1, MARCH_14, " ")
    assert store.marks() == {}


def test_a_torn_mark_line_loses_only_itself_and_the_next_mark_starts_clean(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    store.ensure_seeded()
    store.mark_presented(1, MARCH_14, "Anna")
    path = store.root / MARKS_FILE
    with open(path, "ab") as handle:
        handle.write(b'{"mark":1,"day":"2026-04')  # a writer killed mid-line
    assert store.marks()[1].day == MARCH_14
    store.mark_presented(1, dt.date(2026, 5, 2), "Anna")
    assert store.marks()[1].day == dt.date(2026, 5, 2)
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3


def test_cli_mark_records_the_day_and_refuses_a_bad_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(tmp_path / "store")
    assert main(["mark", "1", "--data", "2026-03-14", "--store", root]) == 0
    out = capsys.readouterr().out
    assert "Versione 1 segnata come presentata all'assemblea del 14 marzo 2026" in out
    assert Store(root).marks()[1].day == MARCH_14
    assert main(["mark", "1", "--data", "14 marzo", "--store", root]) == 2
    assert "la data «14 marzo» non è valida" in capsys.readouterr().err
    assert main(["mark", "7", "--data", "14/03/2026", "--store", root]) == 1
    assert "La versione 7 non esiste" in capsys.readouterr().err
    main(["history", "--store", root])
    assert "presentata all'assemblea del 14 marzo 2026" in capsys.readouterr().out


def test_copy_keeps_the_marks(store: VersionStore, tmp_path: Path) -> None:
    store.publish(variant(30000), "Maria Rossi")
    store.mark_presented(2, MARCH_14, "Anna")
    target = Store(tmp_path / "copia", seed=None)
    copy_versions(store, target)
    copied = target.marks()[2]
    assert (copied.day, copied.editor) == (MARCH_14, "Anna")
    copy_versions(store, target)  # again: an incremental backup, the mark not doubled
    assert len((target.root / MARKS_FILE).read_text(encoding="utf-8").splitlines()) == 1
