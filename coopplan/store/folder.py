"""The versioned store of published workbooks: immutable content files and an append-only manifest.

What a store does is the ``VersionStore`` protocol (publish, restore, the versions, their bytes,
what is shown while something is damaged, a full verification); ``Store`` keeps it in a folder,
``coopplan.store.postgres.PgStore`` in PostgreSQL. ``open_store()`` picks one from ``COOPPLAN_STORE``
(a folder, or a ``postgresql://`` address); the reading logic both share is ``StoreBase``.

Layout of the store folder (``COOPPLAN_STORE``, default ``store/`` in the project):

- ``objects/<sha256>.xlsx``  every published workbook, named by the hash of its bytes, never changed;
- ``manifest.jsonl``         one JSON object per line and per version, only ever appended to;
- ``manifest.lock``          the file locked (``fcntl.flock``) while a line is appended.

Crash safety: a content file is written to a temporary file in the same folder, fsynced and renamed
into place before the manifest line that names it is appended (and fsynced). A publisher killed at
any point leaves either no line (the previous version stays in force; at most an unreferenced file
remains) or a torn last line. Readers never open temporary files and check the hash of every
content file they serve.

Damage is told, never hidden: a version whose file is missing or altered stays in the history and
stays the one in force; ``standing()`` names it and the newest intact version shown instead, and
``verify()`` checks every line and every file. A store whose manifest is lost while files remain
is never seeded again.

Several plans live side by side, one per plan year (from the workbook's "Piano" sheet). The shipped
``data/piano_2023.xlsx`` becomes version 1 of an empty store when ``ensure_seeded()`` is called
(the dashboard at start-up, the command line before its commands); it is copied, never modified.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from coopplan import fmt
from coopplan.plan import Plan
from coopplan.store.files import TEMP_PREFIX, atomic_write, fsync_dir, is_locked, locked, os_reason
from coopplan.store.marks import MARKS_FILE, Mark, read_marks
from coopplan.store.model import (
    BAD_LINE,
    DUPLICATE,
    LEFTOVER,
    MISSING,
    NO_MANIFEST,
    ORPHAN,
    RECOVERY,
    SEED_EDITOR,
    SEED_NOTE,
    SHIPPED_WORKBOOK,
    SUFFIX,
    TORN_LINE,
    Damage,
    Report,
    SourceTotal,
    Standing,
    StoreError,
    Version,
    _now,
    _number,
    checked_content,
    missing_damage,
)
from coopplan.workbook.problems import summary
from coopplan.workbook.reader import load_plan

MANIFEST = "manifest.jsonl"


LOCK = "manifest.lock"


OBJECTS = "objects"


# The points of a write where a ``Store(..., on_step=...)`` hook is called (tests kill there).
PAUSE_POINTS = ("content-temp", "before-manifest", "manifest-half")


STALE_TEMP_SECONDS = 3600  # temp files this old were left by a killed publisher: swept away


_VERSION_IN_LINE = re.compile(rb'"version"\s*:\s*(\d+)')


@dataclass(frozen=True)
class _Scan:
    """The manifest as read: the version records, and what is wrong with its lines."""

    versions: list[Version]
    damages: list[Damage]
    present: bool  # the manifest holds at least one non-empty line


class StoreBase:
    """What every backend shares, on top of three things each keeps its own way: ``_scan()`` (the
    version records and what is wrong with them), ``_read_checked()`` (a version's bytes, or its
    damage) and ``_register`` (how messages name where the versions are recorded)."""

    _register = "l'elenco delle versioni"  # e.g. «del registro manifest.jsonl»

    def _scan(self) -> _Scan:
        raise NotImplementedError

    def _read_checked(self, version: Version) -> tuple[bytes | None, Damage | None]:
        raise NotImplementedError

    def _damage(self, version: Version) -> Damage | None:
        """What keeps a version's content from being served, or None when it is intact."""
        return self._read_checked(version)[1]

    def _empty_message(self, scan: _Scan) -> str:
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

    def _version_damages(self, scan: _Scan) -> list[Damage]:
        """What ``verify()`` finds in the records and in every version's content."""
        damages = [d for d in scan.damages if d.kind != MISSING]
        for version in scan.versions:
            _, damage = self._read_checked(version)
            if damage is not None:
                damages.append(damage)
        return damages

    def _in_force(
        self, versions: list[Version], year: int | None, scan: _Scan | None = None
    ) -> Version:
        if not versions:
            raise StoreError(self._empty_message(scan or self._scan()))
        wanted = max(v.year for v in versions) if year is None else year
        mine = [v for v in versions if v.year == wanted]
        if not mine:
            raise StoreError(f"Non c'è nessun piano per l'anno {wanted}.")
        return max(mine, key=lambda v: v.number)

    def _new_mark(self, number: int, day: dt.date, editor: str) -> Mark:
        """The mark to record, once the version is known to exist (StoreError otherwise)."""
        editor = _clean_editor(editor)
        self.get(number)
        return Mark(number, day, editor, _now())

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


FileKey = tuple[str, int, int, int, int]  # path, inode, size, mtime_ns, ctime_ns


def file_key(path: Path) -> FileKey | None:
    """What changes when a file is written, replaced or touched (None: it cannot be stat'ed).
    Any write changes the change time (ctime), which no program can set back."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (str(path), info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


class _Seen:
    """What this process already read of folder stores, by file stat: manifests found sound
    and version files found intact. Bounded (``LIMIT`` entries each, then forgotten at once);
    shared by threads (each update is one dict operation under the GIL)."""

    LIMIT = 256

    def __init__(self) -> None:
        self._scans: dict[FileKey, _Scan] = {}
        self._intact: dict[tuple[FileKey, str], bool] = {}

    def scan(self, key: FileKey) -> _Scan | None:
        return self._scans.get(key)

    def remember_scan(self, key: FileKey, scan: _Scan) -> None:
        if len(self._scans) >= self.LIMIT:
            self._scans.clear()
        self._scans[key] = scan

    def intact(self, key: FileKey, sha256: str) -> bool:
        return (key, sha256) in self._intact

    def remember_intact(self, key: FileKey, sha256: str) -> None:
        if len(self._intact) >= self.LIMIT:
            self._intact.clear()
        self._intact[(key, sha256)] = True


_SEEN = _Seen()


class Store(StoreBase):
    """A ``VersionStore`` kept in a folder. Cheap to create; every method looks at the manifest
    again (re-read when its stat changed, see ``_scan``).

    ``seed`` is the workbook ``ensure_seeded()`` copies into an empty store (None: never seed).
    ``on_step`` (tests only) is called with each of ``PAUSE_POINTS`` as a publish reaches it, so
    a test can stop or kill the publisher at a known moment of the write.
    """

    _register = f"del registro {MANIFEST}"

    def __init__(
        self,
        root: str | os.PathLike[str],
        seed: Path | None = SHIPPED_WORKBOOK,
        *,
        on_step: Callable[[str], None] | None = None,
    ) -> None:
        self.root = Path(root)
        self.seed = seed
        self.on_step = on_step

    def exists(self) -> bool:
        """True when the folder holds a manifest or a folder of version files."""
        return self.manifest_path.is_file() or (self.root / OBJECTS).is_dir()

    # Paths ------------------------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def object_path(self, sha256: str) -> Path:
        return self.root / OBJECTS / f"{sha256}{SUFFIX}"

    def _object_files(self) -> list[Path]:
        """The version files in objects/ (temporary files excluded)."""
        folder = self.root / OBJECTS
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.glob(f"*{SUFFIX}") if not p.name.startswith(TEMP_PREFIX))

    def verify(self) -> Report:
        """Check every manifest line, every version file against its hash, and every file in
        objects/ that no line names (orphans). Writes nothing."""
        scan = self._scan()
        damages = self._version_damages(scan)
        files = self._object_files()
        if not any(d.kind == NO_MANIFEST for d in damages):
            busy = is_locked(self.root / LOCK)  # a publisher at work: its file is not named yet
            damages += [self._unnamed(path, busy, scan) for path in self._unnamed_files(scan)]
        return Report(self.root, tuple(scan.versions), len(files), tuple(damages))

    def _unnamed_files(self, scan: _Scan) -> list[Path]:
        """The version files that no manifest line names."""
        named = {version.sha256 for version in scan.versions}
        return [path for path in self._object_files() if path.stem not in named]

    def _unnamed(self, path: Path, busy: bool, scan: _Scan) -> Damage:
        """What a file no line names is: a write in progress, the leftover of an interrupted one
        (the record is whole: nothing recorded was lost), or the sign of a lost line."""
        start = (
            f"Il file {OBJECTS}/{path.name} non è nominato da nessuna riga del registro {MANIFEST}"
        )
        if busy:
            return Damage(LEFTOVER, f"{start}: una pubblicazione è in corso.")
        if _record_whole(scan):
            return Damage(
                LEFTOVER,
                f"{start}: è il resto di una pubblicazione o di una copia interrotta prima di "
                "registrarsi. Nessuna versione registrata è persa: la prossima pubblicazione o "
                "copia lo riusa o lo toglie.",
            )
        return Damage(
            ORPHAN,
            f"{start}: una riga è andata persa, oppure una pubblicazione è stata interrotta "
            "prima di registrarsi.",
        )

    def _read_checked(self, version: Version) -> tuple[bytes | None, Damage | None]:
        """The bytes of a version's file, or the damage that keeps it from being served."""
        relative = f"{OBJECTS}/{version.sha256}{SUFFIX}"
        try:
            data = self.object_path(version.sha256).read_bytes()
        except FileNotFoundError:
            return None, missing_damage(version, f"file {relative}")
        except OSError as exc:
            return None, Damage(
                MISSING,
                f"La versione {version.number} del piano {version.year} non si può leggere: "
                f"il suo file {relative} non si apre ({os_reason(exc)}).",
                version.number,
            )
        return checked_content(version, data, f"file {relative}")

    def _damage(self, version: Version) -> Damage | None:
        """As StoreBase, but a file found intact is not read and hashed again while its stat
        (inode, size, modification and change times) is unchanged: every page run asks."""
        path = self.object_path(version.sha256)
        key = file_key(path)
        if key is not None and _SEEN.intact(key, version.sha256):
            return None
        damage = self._read_checked(version)[1]
        if damage is None and key is not None and file_key(path) == key:
            _SEEN.remember_intact(key, version.sha256)
        return damage

    def _scan(self) -> _Scan:
        """The manifest read (``_read_scan``), or the last reading of it while its stat is
        unchanged and that reading found nothing wrong: every page run asks."""
        key = file_key(self.manifest_path)
        if key is not None:
            known = _SEEN.scan(key)
            if known is not None:
                return known
        scan = self._read_scan()
        if key is not None and not scan.damages and file_key(self.manifest_path) == key:
            _SEEN.remember_scan(key, scan)
        return scan

    def _read_scan(self) -> _Scan:
        """Read the manifest: every complete version record; every line that is not one, by
        number; a lost manifest while version files remain. A torn last line while a publisher
        holds the lock is a write in progress, ignored."""
        try:
            raw = self.manifest_path.read_bytes()
        except FileNotFoundError:
            raw = b""
        versions: list[Version] = []
        damages: list[Damage] = []
        where: dict[int, int] = {}  # version number -> its line
        bad: list[tuple[int, bytes, str, bool]] = []  # line, text, reason, is the torn last one
        lines = raw.split(b"\n")
        for index, line in enumerate(lines, 1):
            if not line.strip():
                continue
            last = index == len(lines)  # no newline after it
            try:
                version = Version.from_json(line.decode("utf-8"))
            except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError) as exc:
                bad.append((index, line, _line_reason(exc), last))
                continue
            if version.number in where:
                damages.append(
                    Damage(
                        DUPLICATE,
                        f"Riga {index} del registro {MANIFEST}: la versione {version.number} "
                        f"è già registrata alla riga {where[version.number]}; vale la prima.",
                        version.number,
                        index,
                    )
                )
                continue
            where[version.number] = index
            versions.append(version)
        for index, line, reason, last in bad:
            damages.append(self._bad_line(index, line, reason, last, where))
        present = any(line.strip() for line in lines)
        if not versions and not present:
            files = self._object_files()
            if files:
                state = "manca" if not self.manifest_path.exists() else "è vuoto"
                damages.append(
                    Damage(
                        NO_MANIFEST,
                        f"Il registro delle versioni {MANIFEST} {state}, ma l'archivio contiene "
                        f"{fmt.count(len(files), 'file', 'file')} di versioni pubblicate: "
                        "l'elenco delle versioni è perso e l'archivio non viene ricreato.",
                    )
                )
        return _Scan(sorted(versions, key=lambda v: v.number), damages, present)

    def _bad_line(
        self, index: int, line: bytes, reason: str, last: bool, where: dict[int, int]
    ) -> Damage:
        found = _VERSION_IN_LINE.search(line)
        number = int(found[1]) if found else None
        if last and is_locked(self.root / LOCK):
            return Damage(
                LEFTOVER,
                f"Riga {index} del registro {MANIFEST}: una pubblicazione è in corso.",
                number,
                index,
            )
        if number is not None and where.get(number, 0) > index:
            return Damage(
                LEFTOVER,
                f"Riga {index} del registro {MANIFEST}: resto di una pubblicazione interrotta "
                f"(la versione {number} è registrata per intero alla riga {where[number]}); "
                "nessun dato perso.",
                number,
                index,
            )
        which = f"la versione {number}" if number is not None else "una versione"
        state = "è incompleta (troncata)" if last else f"è illeggibile ({reason})"
        return Damage(
            TORN_LINE if last else BAD_LINE,
            f"La riga {index} del registro delle versioni {MANIFEST} {state}: {which} "
            "potrebbe mancare dall'elenco.",
            number,
            index,
        )

    # Writing ----------------------------------------------------------------------------

    def ensure_seeded(self) -> Version | None:
        """Make the shipped workbook version 1 of an empty store; the new version, else None.

        Never seeds a store that holds version files (its manifest is lost: that is damage,
        told by ``standing()``/``verify()``), nor without a valid ``seed``. Raises StoreError
        when the folder cannot be written."""
        if self._has_content():
            return None
        seeded = seed_plan(self.seed)
        if seeded is None:
            return None
        data, plan = seeded
        with self._writing("Il piano fornito non è stato copiato nell'archivio"):
            with locked(self.root / LOCK):
                if self._has_content():
                    return None  # another process seeded it meanwhile
                sha = self._write_object(data)
                version = seed_version(plan, sha)
                self._write_line(version)
        return version

    def publish(self, data: bytes, editor: str, note: str = "", *, name: str = "") -> Version:
        """Validate a workbook and add it as the new version of its plan year.

        ``name`` is the file's name as the user knows it, for the messages. StoreError (nothing
        changed) for an invalid workbook, a store whose manifest is lost, or a folder that cannot
        be written. An empty store gets the shipped plan as version 1 first (``ensure_seeded``)."""
        editor = _clean_editor(editor)
        plan = publishable_plan(data, name)
        self._refuse_if_manifest_lost("Il file non è stato pubblicato")
        self.ensure_seeded()  # into an empty store, the shipped plan first: it stays version 1
        with self._writing("Il file non è stato pubblicato"):
            sha = self._write_object(data)
            return self._append(
                lambda number: _version_for(plan, number, sha, editor, note.strip(), None)
            )

    def restore(self, number: int, editor: str, note: str = "") -> Version:
        """Add a new version whose content is the one of version ``number``. Refused (StoreError)
        for the version already in force of its year (it would add a copy, changing nothing),
        a damaged one, or a folder that cannot be written."""
        make = self._restoring(number, editor, note)
        with self._writing(f"La versione {number} non è stata ripristinata"):
            return self._append(make)

    def add_copy(self, version: Version, data: bytes) -> None:
        """Append ``version`` as it is (number, time, editor…) with its workbook ``data``: what
        ``coopplan.store.copy`` does. StoreError when the bytes do not match its hash or the
        store already reaches that number."""
        refuse_bad_copy(version, data)
        with self._writing(f"La versione {version.number} non è stata copiata"):
            with locked(self.root / LOCK):
                scan = self._scan()
                self._sweep(scan)
                entries = scan.versions
                refuse_older_copy(version, entries[-1].number if entries else 0)
                self._write_object(data)
                self._write_line(version)

    def mark_presented(self, number: int, day: dt.date, editor: str) -> Mark:
        """Append a line to ``marks.jsonl`` under the manifest's lock, like a manifest line
        (one write, fsync; a torn line before it stays a line of its own)."""
        mark = self._new_mark(number, day, editor)
        with self._writing(f"La versione {number} non è stata segnata come presentata"):
            with locked(self.root / LOCK):
                _append_line(self.root / MARKS_FILE, mark.to_json())
        return mark

    def marks(self) -> dict[int, Mark]:
        """The marks of ``marks.jsonl`` (none when the file does not exist)."""
        try:
            raw = (self.root / MARKS_FILE).read_bytes()
        except FileNotFoundError:
            return {}
        return read_marks(raw.decode("utf-8", errors="replace").splitlines())

    def _has_content(self) -> bool:
        """True when the manifest has a line or objects/ holds a version file."""
        try:
            if self.manifest_path.stat().st_size > 0:
                return True
        except FileNotFoundError:
            pass
        return bool(self._object_files())

    @contextlib.contextmanager
    def _writing(self, what: str) -> Iterator[None]:
        """Turn an OS failure while writing (read-only folder, full disk) into a StoreError
        saying ``what`` did not happen; the write order leaves the store as it was."""
        try:
            yield
        except OSError as exc:
            raise StoreError(
                f"{what}: l'archivio delle versioni ({self.root}) non si può scrivere "
                f"({os_reason(exc)}). Niente è cambiato. Controlla che la cartella esista e sia "
                "scrivibile dall'utente che fa girare la dashboard."
            ) from exc

    def _append(self, make: Callable[[int], Version]) -> Version:
        """Under the lock: number the new version after the last one and append its line."""
        with locked(self.root / LOCK):
            scan = self._scan()
            self._sweep(scan)
            entries = scan.versions
            number = (entries[-1].number if entries else 0) + 1
            version = make(number)
            self._write_line(version)
        return version

    def _step(self, point: str) -> None:
        if self.on_step is not None:
            self.on_step(point)

    def _write_object(self, data: bytes) -> str:
        """Write a content file atomically (see coopplan.store.files); its hash."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.object_path(sha)
        folder = target.parent
        folder.mkdir(parents=True, exist_ok=True)
        if target.is_file() and _sha_of(target) == sha:
            return sha  # same bytes published before: content-addressed, nothing to write
        atomic_write(target, data, mode=0o444, before_replace=lambda: self._step("content-temp"))
        self._step("before-manifest")
        return sha

    def _write_line(self, version: Version) -> None:
        """Append one manifest line (caller holds the lock) and fsync it."""
        path = self.manifest_path
        created = not path.exists()
        line = (version.to_json() + "\n").encode("utf-8")
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and not _ends_with_newline(path, size):
                line = b"\n" + line  # a torn line before us stays a line of its own
            if self.on_step is not None:  # tests: a line half written when killed
                half = len(line) // 2
                os.write(fd, line[:half])
                os.fsync(fd)
                self._step("manifest-half")
                line = line[half:]
            _write_all(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.root)

    def _sweep(self, scan: _Scan) -> None:
        """Under the lock: remove what killed publishers and copies left behind, never a recent
        file (a publisher writes its file before it takes the lock): temporary files, and
        version files no line names while the record is whole (``_record_whole``)."""
        limit = time.time() - STALE_TEMP_SECONDS
        leftovers = list((self.root / OBJECTS).glob(f"{TEMP_PREFIX}*"))
        if _record_whole(scan):
            leftovers += self._unnamed_files(scan)
        for path in leftovers:
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < limit:
                    path.unlink()


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
        raise StoreError(f"Il file non è stato pubblicato. {reason}", result.problems)
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
            f"La versione {version.number} non è stata copiata: il contenuto non corrisponde "
            "alla versione."
        )


def refuse_older_copy(version: Version, last: int) -> None:
    """StoreError unless ``version`` comes after ``last``, the store's highest number."""
    if version.number <= last:
        raise StoreError(
            f"La versione {version.number} non è stata copiata: l'archivio di destinazione "
            f"arriva già alla versione {last}."
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


def _record_whole(scan: _Scan) -> bool:
    """True when no recorded version can be missing: every line is sound (a torn line whose
    number was reused is a leftover, not a loss) and the numbers run 1, 2, … without a gap.
    A file no line names is then the leftover of an interrupted write, not a lost version.
    (Only a last line cut off exactly at its start could still hide: see docs/decisions.md.)"""
    numbers = [version.number for version in scan.versions]
    serious = any(damage.serious for damage in scan.damages)
    return bool(numbers) and not serious and numbers == list(range(1, len(numbers) + 1))


def _sha_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ends_with_newline(path: Path, size: int) -> bool:
    with open(path, "rb") as handle:
        handle.seek(size - 1)
        return handle.read(1) == b"\n"


def _append_line(path: Path, text: str) -> None:
    """Append ``text`` as one line to ``path`` in one write and fsync it (caller holds the
    lock); a torn line left before it is ended first, so it never swallows this one."""
    created = not path.exists()
    line = (text + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size and not _ends_with_newline(path, size):
            line = b"\n" + line
        _write_all(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _line_reason(exc: Exception) -> str:
    """Why a manifest line is not a version record, in Italian."""
    if isinstance(exc, KeyError):
        return f"manca il campo «{exc.args[0]}»"
    if isinstance(exc, UnicodeDecodeError):
        return "caratteri non validi"
    if isinstance(exc, json.JSONDecodeError):
        return "JSON non valido"
    return "valori non validi"
