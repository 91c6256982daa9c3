"""The versioned store of published workbooks: immutable content files and an append-only manifest.

What a store does is the ``VersionStore`` protocol (publish, restore, the versions, their bytes,
what is shown while something is damaged, a full verification); ``Store`` keeps it in a folder,
``coopplan.store.postgres.PgStore`` in PostgreSQL. ``open_store()`` picks one from ``COOPPLAN_STORE``
(a folder, or a ``postgresql://`` address). What every backend does (publish, restore, copy,
seeding, marks, verification, their messages) is ``coopplan.store.policy.StoreBase``; this module
keeps only the folder's primitives under it: reading the manifest, reading a file, and writing
under the manifest's lock.

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
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from coopplan import fmt
from coopplan.store.files import TEMP_PREFIX, atomic_write, fsync_dir, is_locked, locked, os_reason
from coopplan.store.marks import MARKS_FILE, Mark, read_marks
from coopplan.store.model import (
    BAD_LINE,
    DUPLICATE,
    LEFTOVER,
    MISSING,
    ORPHAN,
    SHIPPED_WORKBOOK,
    SUFFIX,
    TORN_LINE,
    Damage,
    StoreError,
    Version,
    checked_content,
    missing_damage,
)
from coopplan.store.policy import (
    Scan,
    StoreBase,
    line_reason,
    lost_record,
    not_done,
    store_at,
    unreadable_record,
)

MANIFEST = "manifest.jsonl"


LOCK = "manifest.lock"


OBJECTS = "objects"


# The points of a write where a ``Store(..., on_step=...)`` hook is called (tests kill there).
PAUSE_POINTS = ("content-temp", "before-manifest", "manifest-half")


STALE_TEMP_SECONDS = 3600  # temp files this old were left by a killed publisher: swept away


_VERSION_IN_LINE = re.compile(rb'"version"\s*:\s*(\d+)')


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
        self._scans: dict[FileKey, Scan] = {}
        self._intact: dict[tuple[FileKey, str], bool] = {}

    def scan(self, key: FileKey) -> Scan | None:
        return self._scans.get(key)

    def remember_scan(self, key: FileKey, scan: Scan) -> None:
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
    """A ``VersionStore`` kept in a folder: the policy of ``StoreBase`` over the folder's
    primitives. Cheap to create; every method looks at the manifest again (re-read when its stat
    changed, see ``_scan``). ``seed`` and ``on_step`` as for ``StoreBase``; ``on_step`` is called
    with each of ``PAUSE_POINTS`` as a write reaches it."""

    root: Path

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

    def _contents(self, scan: Scan) -> tuple[int, list[Damage]]:
        """The version files in objects/, and what each file no manifest line names is."""
        busy = is_locked(self.root / LOCK)  # a publisher at work: its file is not named yet
        unnamed = [self._unnamed(path, busy, scan) for path in self._unnamed_files(scan)]
        return len(self._object_files()), unnamed

    def _unnamed_files(self, scan: Scan) -> list[Path]:
        """The version files that no manifest line names."""
        named = {version.sha256 for version in scan.versions}
        return [path for path in self._object_files() if path.stem not in named]

    def _unnamed(self, path: Path, busy: bool, scan: Scan) -> Damage:
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

    def _scan(self) -> Scan:
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

    def _read_scan(self) -> Scan:
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
                bad.append((index, line, line_reason(exc), last))
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
                    lost_record(
                        f"Il registro delle versioni {MANIFEST} {state}",
                        fmt.count(len(files), "file", "file"),
                    )
                )
        return Scan(sorted(versions, key=lambda v: v.number), damages, present)

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
        state = "è incompleta (troncata)" if last else f"è illeggibile ({reason})"
        return Damage(
            TORN_LINE if last else BAD_LINE,
            unreadable_record(
                f"La riga {index} del registro delle versioni {MANIFEST}", state, number
            ),
            number,
            index,
        )

    # Writing ----------------------------------------------------------------------------

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
    def _writer(self, what: str) -> Iterator[_FolderWriter]:
        """A write of the policy (see ``_FolderWriter``); an OS failure while writing (read-only
        folder, full disk) becomes a StoreError saying ``what`` did not happen; the write order
        leaves the store as it was."""
        try:
            with contextlib.ExitStack() as held:
                yield _FolderWriter(self, held)
        except OSError as exc:
            raise StoreError(
                not_done(
                    what,
                    f"{store_at(self.root)} non si può scrivere ({os_reason(exc)})",
                    "Controlla che la cartella esista e sia scrivibile dall'utente che fa girare "
                    "la dashboard.",
                )
            ) from exc

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

    def _sweep(self, scan: Scan) -> None:
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


class _FolderWriter:
    """The policy's ``Writer`` on a folder. A content file (named by its hash, never changed) is
    written before the manifest's lock is taken; the lock is taken at the first question about
    the record or the first line appended, and held until the write ends (``held``)."""

    def __init__(self, store: Store, held: contextlib.ExitStack) -> None:
        self._store = store
        self._held = held
        self._locked = False

    def _lock(self) -> None:
        if not self._locked:
            self._held.enter_context(locked(self._store.root / LOCK))
            self._locked = True

    def has_content(self) -> bool:
        self._lock()
        return self._store._has_content()

    def last_number(self) -> int:
        """The manifest's last number; what killed writers left behind is swept first."""
        self._lock()
        scan = self._store._scan()
        self._store._sweep(scan)
        return scan.versions[-1].number if scan.versions else 0

    def write_object(self, data: bytes) -> str:
        return self._store._write_object(data)

    def append_version(self, version: Version) -> None:
        self._lock()
        self._store._write_line(version)

    def append_mark(self, mark: Mark) -> None:
        """A line of ``marks.jsonl``, under the manifest's lock, like a manifest line (one
        write, fsync; a torn line before it stays a line of its own)."""
        self._lock()
        _append_line(self._store.root / MARKS_FILE, mark.to_json())


def _record_whole(scan: Scan) -> bool:
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
