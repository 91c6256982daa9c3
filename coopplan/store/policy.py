"""The store's policy, written once for every backend (issue 20 §2): what publish, restore, copy,
seeding, marks and ``verify`` do, in which order, what they refuse, and every Italian sentence they
say, over a few primitives each backend keeps its own way:

- ``_scan()``: the version records and what is wrong with them (``Scan``);
- ``_read_checked(version)``: a version's bytes, or the damage that keeps them from being served
  (``_damage`` may answer the same question more cheaply);
- ``_has_content()``: a quick look, without the writers' lock, whether anything was ever written;
- ``_writer(what)``: a write inside the writers' lock (a folder's ``manifest.lock``, a PostgreSQL
  transaction), yielding a ``Writer``; a failure of the storage becomes a ``StoreError`` saying
  ``what`` did not happen and that nothing changed;
- ``_contents(scan)``: how many contents the store holds, and the damage of those no record names;
- ``marks()``, ``exists()``, and ``_register`` (how sentences name where versions are recorded).

The guarantees the policy relies on: a content is written, named by its hash, before the record
that names it (``Writer.write_object`` then ``Writer.append_version``); the number of a new version
is taken inside the lock as the last one + 1 (no gap, no number twice); a store that holds anything
is never seeded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from coopplan.plan import Plan
from coopplan.store.marks import Mark
from coopplan.store.model import (
    MISSING,
    NO_MANIFEST,
    RECOVERY,
    SEED_EDITOR,
    SEED_NOTE,
    SHIPPED_WORKBOOK,
    SUFFIX,
    Damage,
    Report,
    SourceTotal,
    Standing,
    StoreError,
    Version,
    _now,
    _number,
)
from coopplan.workbook.problems import summary
from coopplan.workbook.reader import load_plan

# What did not happen, said before why (``StoreError`` messages of the writes) ----------------

NOT_PUBLISHED = "Il file non è stato pubblicato"


NOT_SEEDED = "Il piano fornito non è stato copiato nell'archivio"


NOT_READ = "L'archivio delle versioni non si riesce a leggere"


def not_restored(number: int) -> str:
    return f"La versione {number} non è stata ripristinata"


def not_copied(number: int) -> str:
    return f"La versione {number} non è stata copiata"


def not_marked(number: int) -> str:
    return f"La versione {number} non è stata segnata come presentata"


def store_at(where: Path | str = "") -> str:
    """'l'archivio delle versioni (/srv/piano)', or without the place (for viewers)."""
    return f"l'archivio delle versioni ({where})" if where else "l'archivio delle versioni"


def not_done(what: str, why: str, advice: str = "") -> str:
    """'Il file non è stato pubblicato: <why>. Niente è cambiato. <advice>'."""
    return f"{what}: {why}. Niente è cambiato. {advice}".strip()


# Damage a backend finds in its records, said the same way by each ---------------------------


def lost_record(record: str, held: str) -> Damage:
    """The record of versions is gone (``record``: 'Il registro delle versioni manifest.jsonl
    manca') while contents remain (``held``: '3 file'): damage, never a fresh store."""
    return Damage(
        NO_MANIFEST,
        f"{record}, ma l'archivio contiene {held} di versioni pubblicate: l'elenco delle versioni "
        "è perso e l'archivio non viene ricreato.",
    )


def unreadable_record(where: str, state: str, number: int | None) -> str:
    """'<where> <state>: la versione 3 potrebbe mancare dall'elenco.'"""
    which = f"la versione {number}" if number is not None else "una versione"
    return f"{where} {state}: {which} potrebbe mancare dall'elenco."


def line_reason(exc: Exception) -> str:
    """Why a record is not a version record, in Italian."""
    if isinstance(exc, KeyError):
        return f"manca il campo «{exc.args[0]}»"
    if isinstance(exc, UnicodeDecodeError):
        return "caratteri non validi"
    if isinstance(exc, json.JSONDecodeError):
        return "JSON non valido"
    return "valori non validi"


@dataclass(frozen=True)
class Scan:
    """The record of versions as read: the version records, and what is wrong with them."""

    versions: list[Version]
    damages: list[Damage]
    present: bool  # the record holds at least one entry (readable or not)


class Writer(Protocol):
    """What the policy writes with, inside the writers' lock of one backend (``_writer``)."""

    def has_content(self) -> bool:
        """True when the store holds any version record or content."""
        ...

    def last_number(self) -> int:
        """The highest version number recorded (0 for none)."""
        ...

    def write_object(self, data: bytes) -> str:
        """Keep ``data`` under its sha256 (once: content-addressed); the hash."""
        ...

    def append_version(self, version: Version) -> None:
        """Record ``version`` after the last one."""
        ...

    def append_mark(self, mark: Mark) -> None:
        """Record ``mark`` (replacing an earlier mark of the same version)."""
        ...


class StoreBase:
    """The ``VersionStore`` every backend is: the policy, over the backend's primitives (see the
    module's docstring). ``seed`` is the workbook ``ensure_seeded()`` copies into an empty store
    (None: never seed); ``on_step`` (tests only) is called at each of the backend's pause points
    of a write, so a test can stop or kill a publisher there."""

    root: Path | str
    seed: Path | None = SHIPPED_WORKBOOK
    on_step: Callable[[str], None] | None = None
    _register = "l'elenco delle versioni"  # e.g. «del registro manifest.jsonl»

    # Primitives ---------------------------------------------------------------------------------

    def _scan(self) -> Scan:
        raise NotImplementedError

    def _read_checked(self, version: Version) -> tuple[bytes | None, Damage | None]:
        raise NotImplementedError

    def _has_content(self) -> bool:
        raise NotImplementedError

    def _writer(self, what: str) -> contextlib.AbstractContextManager[Writer]:
        raise NotImplementedError

    def _contents(self, scan: Scan) -> tuple[int, list[Damage]]:
        raise NotImplementedError

    def _damage(self, version: Version) -> Damage | None:
        """What keeps a version's content from being served, or None when it is intact."""
        return self._read_checked(version)[1]

    def _step(self, point: str) -> None:
        if self.on_step is not None:
            self.on_step(point)

    # Reading ------------------------------------------------------------------------------------

    def _empty_message(self, scan: Scan) -> str:
        """Why no version is recorded: the record lost, unreadable, or simply nothing published."""
        lost = [d for d in scan.damages if d.kind == NO_MANIFEST]
        if lost:
            return f"{lost[0].message} {RECOVERY}."
        if scan.present:
            return (
                f"Nessuna riga {self._register} è leggibile: l'archivio è danneggiato. {RECOVERY}."
            )
        return "Non c'è ancora nessun piano pubblicato."

    def versions(self, year: int | None = None) -> list[Version]:
        """Every version recorded (of one plan year, if given), oldest first. Versions whose
        file is missing or damaged are listed too: see ``standing()`` and ``verify()``."""
        return [v for v in self._scan().versions if year is None or v.year == year]

    def years(self) -> list[int]:
        """The plan years in the store, ascending."""
        return sorted({v.year for v in self.versions()})

    def current(self, year: int | None = None) -> Version:
        """The version in force: the latest of the given year, or of the latest year."""
        return self._in_force(self.versions(), year)

    def get(self, number: int) -> Version:
        for version in self.versions():
            if version.number == number:
                return version
        raise StoreError(f"La versione {number} non esiste.")

    def read(self, version: Version | int) -> bytes:
        """The workbook bytes of a version, checked against its hash (StoreError otherwise)."""
        if isinstance(version, int):
            version = self.get(version)
        data, damage = self._read_checked(version)
        if damage is not None:
            raise StoreError(f"{damage.message} {RECOVERY}.")
        assert data is not None
        return data

    def load(self, version: Version | int) -> Plan:
        """The plan of a version (it was valid when published)."""
        result = load_plan(self.read(version), name=f"versione-{_number(version)}{SUFFIX}")
        if result.plan is None:
            raise StoreError(f"La versione {_number(version)} non si riesce più a leggere.")
        return result.plan

    def standing(self, year: int | None = None) -> Standing:
        """The version in force of ``year`` (default: the latest year), the newest intact
        version of that year to show, and every damage a reader must be told about: the
        versions skipped, unreadable manifest lines. Reads and hashes the newest files until one
        is intact. StoreError when no version is recorded (see ``_empty_message``)."""
        scan = self._scan()
        in_force = self._in_force(scan.versions, year, scan)
        mine = sorted(
            (v for v in scan.versions if v.year == in_force.year), key=lambda v: -v.number
        )
        skipped: list[Damage] = []
        shown = None
        for version in mine:
            damage = self._damage(version)
            if damage is None:
                shown = version
                break
            skipped.append(damage)
        lines = [d for d in scan.damages if d.kind != MISSING]
        return Standing(in_force, shown, tuple(skipped + lines))

    def verify(self) -> Report:
        """Check every record, every version's content against its hash, and every content that
        no record names (unless the record itself is lost). Writes nothing."""
        scan = self._scan()
        damages = self._version_damages(scan)
        count, unnamed = self._contents(scan)
        if not any(d.kind == NO_MANIFEST for d in damages):
            damages += unnamed
        return Report(self.root, tuple(scan.versions), count, tuple(damages))

    def _version_damages(self, scan: Scan) -> list[Damage]:
        """What ``verify()`` finds in the records and in every version's content."""
        damages = [d for d in scan.damages if d.kind != MISSING]
        for version in scan.versions:
            _, damage = self._read_checked(version)
            if damage is not None:
                damages.append(damage)
        return damages

    def _in_force(
        self, versions: list[Version], year: int | None, scan: Scan | None = None
    ) -> Version:
        if not versions:
            raise StoreError(self._empty_message(scan or self._scan()))
        wanted = max(v.year for v in versions) if year is None else year
        mine = [v for v in versions if v.year == wanted]
        if not mine:
            raise StoreError(f"Non c'è nessun piano per l'anno {wanted}.")
        return max(mine, key=lambda v: v.number)

    # Writing ------------------------------------------------------------------------------------

    def ensure_seeded(self) -> Version | None:
        """Make the shipped workbook version 1 of an empty store; the new version, else None.

        Never seeds a store that holds any version record or content (its record may be lost:
        that is damage, told by ``standing()``/``verify()``), nor without a valid ``seed``.
        StoreError when the store cannot be written."""
        if self._has_content():
            return None
        seeded = seed_plan(self.seed)
        if seeded is None:
            return None
        data, plan = seeded
        with self._writer(NOT_SEEDED) as writer:
            if writer.has_content():
                return None  # another process seeded it meanwhile
            version = seed_version(plan, writer.write_object(data))
            writer.append_version(version)
        return version

    def publish(self, data: bytes, editor: str, note: str = "", *, name: str = "") -> Version:
        """Validate a workbook and add it as the new version of its plan year.

        ``name`` is the file's name as the user knows it, for the messages. StoreError (nothing
        changed) for an invalid workbook, a store whose record is lost, or a store that cannot
        be written. An empty store gets the shipped plan as version 1 first (``ensure_seeded``)."""
        editor = _clean_editor(editor)
        plan = publishable_plan(data, name)
        self._refuse_if_manifest_lost(NOT_PUBLISHED)
        self.ensure_seeded()  # into an empty store, the shipped plan first: it stays version 1
        with self._writer(NOT_PUBLISHED) as writer:
            sha = writer.write_object(data)
            return _append(
                writer, lambda number: _version_for(plan, number, sha, editor, note.strip(), None)
            )

    def restore(self, number: int, editor: str, note: str = "") -> Version:
        """Add a new version whose content is the one of version ``number``. Refused (StoreError)
        for the version already in force of its year (it would add a copy, changing nothing),
        a damaged one, or a store that cannot be written."""
        make = self._restoring(number, editor, note)
        with self._writer(not_restored(number)) as writer:
            return _append(writer, make)

    def add_copy(self, version: Version, data: bytes) -> None:
        """Append ``version`` as it is (number, time, editor…) with its workbook ``data``: what
        ``coopplan.store.copy`` does. StoreError when the bytes do not match its hash or the
        store already reaches that number."""
        refuse_bad_copy(version, data)
        with self._writer(not_copied(version.number)) as writer:
            refuse_older_copy(version, writer.last_number())
            writer.write_object(data)
            writer.append_version(version)

    def mark_presented(self, number: int, day: dt.date, editor: str) -> Mark:
        """Record that version ``number`` was presented to the assembly of ``day`` (marking it
        again replaces the day). StoreError for an unknown version or a store not writable."""
        editor = _clean_editor(editor)
        self.get(number)
        mark = Mark(number, day, editor, _now())
        with self._writer(not_marked(number)) as writer:
            writer.append_mark(mark)
        return mark

    def _refuse_if_manifest_lost(self, what: str) -> None:
        scan = self._scan()
        lost = [d for d in scan.damages if d.kind == NO_MANIFEST]
        if lost:
            raise StoreError(f"{what}: {lost[0].message} {RECOVERY}.")

    def _restoring(self, number: int, editor: str, note: str) -> Callable[[int], Version]:
        """Check that version ``number`` may be restored (see ``restore``); the maker of the new
        version, given its number."""
        editor = _clean_editor(editor)
        old = self.get(number)
        in_force = self.current(old.year)
        if in_force.number == old.number:
            raise StoreError(
                f"La versione {old.number} è già quella in vigore del piano {old.year}: "
                "ripristinarla non cambierebbe niente."
            )
        self.read(old)  # the content must still be there and intact
        text = note.strip() or f"Ripristino della versione {old.number}."
        return lambda new: Version(
            number=new,
            time=_now(),
            editor=editor,
            note=text,
            year=old.year,
            sha256=old.sha256,
            title=old.title,
            projects=old.projects,
            totals=old.totals,
            restored_from=old.number,
        )


def _append(writer: Writer, make: Callable[[int], Version]) -> Version:
    """Inside the writers' lock: number the new version after the last one and record it."""
    version = make(writer.last_number() + 1)
    writer.append_version(version)
    return version


def publishable_plan(data: bytes, name: str) -> Plan:
    """The plan of a workbook about to be published; StoreError (with the problems, in Italian)
    when it is not a valid workbook."""
    result = load_plan(data, name=name)
    if not result.ok or result.plan is None:
        errors = result.errors
        if result.plan is None and len(errors) == 1 and not errors[0].sheet:
            reason = errors[0].message  # not a workbook at all: its one clear sentence
        else:
            reason = f"{summary(result.problems)}."
        raise StoreError(f"{NOT_PUBLISHED}. {reason}", result.problems)
    return result.plan


def seed_plan(seed: Path | None) -> tuple[bytes, Plan] | None:
    """The bytes and plan of the workbook an empty store is seeded with; None when there is none
    or it is not valid (a store is then never seeded)."""
    if seed is None or not Path(seed).is_file():
        return None
    data = Path(seed).read_bytes()
    result = load_plan(data, name=Path(seed).name)
    if not result.ok or result.plan is None:
        return None
    return data, result.plan


def refuse_bad_copy(version: Version, data: bytes) -> None:
    """StoreError unless ``data`` is the content of ``version`` (its sha256)."""
    if hashlib.sha256(data).hexdigest() != version.sha256:
        raise StoreError(
            f"{not_copied(version.number)}: il contenuto non corrisponde alla versione."
        )


def refuse_older_copy(version: Version, last: int) -> None:
    """StoreError unless ``version`` comes after ``last``, the store's highest number."""
    if version.number <= last:
        raise StoreError(
            f"{not_copied(version.number)}: l'archivio di destinazione arriva già alla "
            f"versione {last}."
        )


def seed_version(plan: Plan, sha: str) -> Version:
    """Version 1 of an empty store: the shipped plan."""
    return _version_for(plan, 1, sha, SEED_EDITOR, SEED_NOTE, None)


def _version_for(
    plan: Plan, number: int, sha: str, editor: str, note: str, restored_from: int | None
) -> Version:
    totals = tuple(
        SourceTotal(str(row.source), str(row.kind), float(row.total))
        for row in plan.source_totals().itertuples()
    )
    return Version(
        number=number,
        time=_now(),
        editor=editor,
        note=note,
        year=plan.meta.year,
        sha256=sha,
        title=plan.meta.title,
        projects=len(plan.projects),
        totals=totals,
        restored_from=restored_from,
    )


def _clean_editor(editor: str) -> str:
    name = " ".join(str(editor or "").split())
    if not name:
        raise StoreError("Indica il nome di chi pubblica.")
    if len(name) > 100:
        raise StoreError("Il nome di chi pubblica è troppo lungo (al massimo 100 caratteri).")
    return name
