"""Copy every version from one store to another (folder ↔ PostgreSQL): the move and the backup.

Each version keeps its number, time, editor, note and totals, and its workbook is copied byte for
byte; the marks «presentata in assemblea» are copied too (checked against its hash on both sides). A target that already holds versions must hold
exactly the first versions of the source (an earlier copy): only the newer ones are added, so
running the copy again is an incremental backup. Anything else in the target is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from coopplan import fmt
from coopplan.store.model import StoreError, Version, VersionStore


@dataclass(frozen=True)
class CopyResult:
    """What ``copy_versions`` did: versions added, and versions the target already held."""

    copied: tuple[Version, ...]
    kept: int


def copy_versions(
    source: VersionStore,
    target: VersionStore,
    on_version: Callable[[Version], None] | None = None,
) -> CopyResult:
    """Copy into ``target`` every version of ``source`` it does not hold yet, oldest first
    (``on_version`` is called after each). StoreError, in Italian, when the target is damaged,
    holds versions the source does not have in the same order, or a source version's content is
    missing or altered (the versions copied before it stay: run the copy again once mended)."""
    wanted = source.versions()
    if not wanted:
        raise StoreError(f"L'archivio di partenza ({source.root}) non ha nessuna versione.")
    report = target.verify()
    if not report.sound:
        raise StoreError(
            f"L'archivio di destinazione ({target.root}) è danneggiato: copia rifiutata. "
            + " ".join(d.message for d in report.damages if d.serious)
        )
    held = list(report.versions)
    if held != wanted[: len(held)]:
        raise StoreError(
            f"L'archivio di destinazione ({target.root}) contiene già "
            f"{fmt.count(len(held), 'versione', 'versioni')} diverse da quelle dell'archivio di partenza: copia rifiutata. "
            "Scegli un archivio vuoto (o una copia precedente dello stesso archivio)."
        )
    copied: list[Version] = []
    for version in wanted[len(held) :]:
        target.add_copy(version, source.read(version))
        copied.append(version)
        if on_version is not None:
            on_version(version)
    copy_marks(source, target)
    return CopyResult(tuple(copied), len(held))


def copy_marks(source: VersionStore, target: VersionStore) -> None:
    """Give ``target`` the marks «presentata in assemblea» of ``source`` it lacks (same day and
    editor; the time of the mark becomes the copy's)."""
    held = target.marks()
    for number, mark in source.marks().items():
        if number not in held or held[number].day != mark.day:
            target.mark_presented(number, mark.day, mark.editor)
