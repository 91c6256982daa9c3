"""The versioned store of published workbooks: immutable content files and an append-only manifest.

Layout of the store folder (``COOPPLAN_STORE``, default ``store/`` in the project):

- ``objects/<sha256>.xlsx``  every published workbook, named by the hash of its bytes, never changed;
- ``manifest.jsonl``         one JSON object per line and per version, only ever appended to;
- ``manifest.lock``          the file locked (``fcntl.flock``) while a line is appended.

Crash safety: a content file is written to a temporary file in the same folder, fsynced and renamed
into place before the manifest line that names it is appended (and fsynced). A publisher killed at
any point leaves either no line (the previous version stays in force; at most an unreferenced file
remains) or a torn last line, which readers ignore. Readers never open temporary files and check
the hash of every content file they serve.

Several plans live side by side, one per plan year (from the workbook's "Piano" sheet). The shipped
``data/piano_2023.xlsx`` becomes version 1 the first time an empty store is read; it is copied,
never modified.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from coopplan import fmt
from coopplan.files import TEMP_PREFIX, atomic_write, fsync_dir, locked
from coopplan.plan import Plan
from coopplan.reader import load_plan
from coopplan.validation import Problem, summary

STORE_ENV = "COOPPLAN_STORE"
PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = PROJECT_DIR / "store"
SHIPPED_WORKBOOK = PROJECT_DIR / "data" / "piano_2023.xlsx"
SEED_EDITOR = "Piano fornito"
SEED_NOTE = "Piano iniziale fornito con l'applicazione."

DISPLAY_TIMEZONE = "Europe/Rome"  # times are stored in UTC and shown in Italian time

MANIFEST = "manifest.jsonl"
LOCK = "manifest.lock"
OBJECTS = "objects"
SUFFIX = ".xlsx"

# Test hook: COOPPLAN_STORE_PAUSE=<point> makes a publisher announce the point on stdout and sleep
# there, so a test can kill it with SIGKILL at a known moment of the write.
PAUSE_ENV = "COOPPLAN_STORE_PAUSE"
PAUSE_POINTS = ("content-temp", "before-manifest", "manifest-half")
PAUSE_SECONDS = 60.0
STALE_TEMP_SECONDS = 3600  # temp files this old were left by a killed publisher: swept away


class StoreError(Exception):
    """A refusal or a failure of the store, with an Italian message for the user."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


@dataclass(frozen=True)
class SourceTotal:
    source: str
    kind: str  # "amount" (total in euro) | "flag" (total = projects ticked)
    total: float


@dataclass(frozen=True)
class Version:
    """One line of the manifest: a published (or restored) workbook."""

    number: int
    time: dt.datetime  # aware, UTC
    editor: str
    note: str
    year: int
    sha256: str
    title: str = ""
    projects: int = 0
    totals: tuple[SourceTotal, ...] = field(default_factory=tuple)
    restored_from: int | None = None

    @property
    def local_time(self) -> dt.datetime:
        """The publication time in Italy (where the plan is edited), for display."""
        try:
            return self.time.astimezone(ZoneInfo(DISPLAY_TIMEZONE))
        except ZoneInfoNotFoundError:
            return self.time.astimezone()

    @property
    def when(self) -> str:
        """'25 nov 2026, 15:02' in Italian."""
        local = self.local_time
        return f"{fmt.date(local.date(), 'medium')}, {local:%H:%M}"

    @property
    def restored_text(self) -> str:
        """'ripristino della v. 2' for a restored version, else ''."""
        return f"ripristino della v. {self.restored_from}" if self.restored_from else ""

    @property
    def label(self) -> str:
        """'Versione 3 · 25 nov 2026, 15:02 · Maria Rossi – ripristino della v. 1'."""
        restored = f" – {self.restored_text}" if self.restored_from else ""
        return f"Versione {self.number} · {self.when} · {self.editor}{restored}"

    @property
    def file_name(self) -> str:
        """'piano_2023_v3.xlsx': the name a downloaded copy of the version gets."""
        return f"piano_{self.year}_v{self.number}{SUFFIX}"

    def totals_text(self) -> str:
        """'Risorse Coop Re-Start 25.000 €, …, Risorse interne 15 progetti'."""
        return ", ".join(
            f"{t.source} "
            + (
                fmt.money(t.total)
                if t.kind == "amount"
                else fmt.count(int(t.total), "progetto", "progetti")
            )
            for t in self.totals
        )

    def to_json(self) -> str:
        record = {
            "version": self.number,
            "time": self.time.isoformat(timespec="seconds"),
            "editor": self.editor,
            "note": self.note,
            "year": self.year,
            "sha256": self.sha256,
            "title": self.title,
            "summary": {
                "projects": self.projects,
                "totals": [
                    {"source": t.source, "kind": t.kind, "total": t.total} for t in self.totals
                ],
            },
            "restored_from": self.restored_from,
        }
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> Version:
        """Parse a manifest line; raises ValueError (or KeyError/TypeError) on a torn line."""
        record = json.loads(line)
        summary_ = record.get("summary") or {}
        sha = str(record["sha256"])
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise ValueError("bad hash")
        return cls(
            number=int(record["version"]),
            time=dt.datetime.fromisoformat(record["time"]),
            editor=str(record["editor"]),
            note=str(record.get("note") or ""),
            year=int(record["year"]),
            sha256=sha,
            title=str(record.get("title") or ""),
            projects=int(summary_.get("projects") or 0),
            totals=tuple(
                SourceTotal(str(t["source"]), str(t["kind"]), float(t["total"]))
                for t in summary_.get("totals") or []
            ),
            restored_from=(
                int(record["restored_from"]) if record.get("restored_from") is not None else None
            ),
        )


class Store:
    """A folder of versions. Cheap to create; every method re-reads the manifest."""

    def __init__(self, root: str | os.PathLike[str], seed: Path | None = SHIPPED_WORKBOOK) -> None:
        self.root = Path(root)
        self.seed = seed

    @classmethod
    def default(cls) -> Store:
        """The store named by COOPPLAN_STORE, else the git-ignored ``store/`` of the project."""
        configured = os.environ.get(STORE_ENV, "").strip()
        return cls(Path(configured).expanduser() if configured else DEFAULT_ROOT)

    # Paths ------------------------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def object_path(self, sha256: str) -> Path:
        return self.root / OBJECTS / f"{sha256}{SUFFIX}"

    # Reading ----------------------------------------------------------------------------

    def stamp(self) -> tuple[int, int]:
        """(size, mtime in ns) of the manifest: changes whenever a version is added. Cheap."""
        try:
            info = self.manifest_path.stat()
        except FileNotFoundError:
            return (0, 0)
        return (info.st_size, info.st_mtime_ns)

    def versions(self, year: int | None = None) -> list[Version]:
        """Every version (of one plan year, if given), oldest first."""
        entries = self._entries()
        if not entries and self._seed_if_empty():
            entries = self._entries()
        return [v for v in entries if year is None or v.year == year]

    def years(self) -> list[int]:
        """The plan years in the store, ascending."""
        return sorted({v.year for v in self.versions()})

    def current(self, year: int | None = None) -> Version:
        """The version in force: the latest of the given year, or of the latest year."""
        versions = self.versions()
        if not versions:
            raise StoreError("Non c'è ancora nessun piano pubblicato.")
        wanted = max(v.year for v in versions) if year is None else year
        mine = [v for v in versions if v.year == wanted]
        if not mine:
            raise StoreError(f"Non c'è nessun piano per l'anno {wanted}.")
        return max(mine, key=lambda v: v.number)

    def get(self, number: int) -> Version:
        for version in self.versions():
            if version.number == number:
                return version
        raise StoreError(f"La versione {number} non esiste.")

    def read(self, version: Version | int) -> bytes:
        """The workbook bytes of a version, checked against its hash."""
        if isinstance(version, int):
            version = self.get(version)
        try:
            data = self.object_path(version.sha256).read_bytes()
        except FileNotFoundError as exc:
            raise StoreError(
                f"Il file della versione {version.number} manca dall'archivio."
            ) from exc
        if hashlib.sha256(data).hexdigest() != version.sha256:
            raise StoreError(f"Il file della versione {version.number} risulta danneggiato.")
        return data

    def load(self, version: Version | int) -> Plan:
        """The plan of a version (it was valid when published)."""
        result = load_plan(self.read(version), name=f"versione-{_number(version)}{SUFFIX}")
        if result.plan is None:
            raise StoreError(f"La versione {_number(version)} non si riesce più a leggere.")
        return result.plan

    def _entries(self) -> list[Version]:
        """Complete, well-formed manifest lines whose content file exists; torn lines skipped."""
        try:
            raw = self.manifest_path.read_bytes()
        except FileNotFoundError:
            return []
        out: list[Version] = []
        seen: set[int] = set()
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            try:
                version = Version.from_json(line.decode("utf-8"))
            except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError):
                continue  # a torn or foreign line: never trusted, never fatal
            if version.number in seen or not self.object_path(version.sha256).is_file():
                continue
            seen.add(version.number)
            out.append(version)
        return sorted(out, key=lambda v: v.number)

    # Writing ----------------------------------------------------------------------------

    def publish(self, data: bytes, editor: str, note: str = "", *, name: str = "") -> Version:
        """Validate a workbook and add it as the new version of its plan year.

        ``name`` is the file's name as the user knows it, for the messages.
        """
        editor = _clean_editor(editor)
        result = load_plan(data, name=name)
        if not result.ok or result.plan is None:
            errors = result.errors
            if result.plan is None and len(errors) == 1 and not errors[0].sheet:
                reason = errors[0].message  # not a workbook at all: its one clear sentence
            else:
                reason = f"{summary(result.problems)}."
            raise StoreError(f"Il file non è stato pubblicato. {reason}", result.problems)
        plan = result.plan
        self.versions()  # seed the shipped plan first, so it stays version 1
        sha = self._write_object(data)
        return self._append(
            lambda number: _version_for(plan, number, sha, editor, note.strip(), None)
        )

    def restore(self, number: int, editor: str, note: str = "") -> Version:
        """Add a new version whose content is the one of version ``number``."""
        editor = _clean_editor(editor)
        old = self.get(number)
        self.read(old)  # the content must still be there and intact
        text = note.strip() or f"Ripristino della versione {old.number}."
        return self._append(
            lambda new: Version(
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
        )

    def _seed_if_empty(self) -> bool:
        """Make the shipped workbook version 1 of an empty store. True if the store changed."""
        if self.seed is None or not Path(self.seed).is_file():
            return False
        data = Path(self.seed).read_bytes()
        result = load_plan(data, name=Path(self.seed).name)
        if not result.ok or result.plan is None:
            return False
        with locked(self.root / LOCK):
            if self._entries():
                return True  # another process seeded it meanwhile
            sha = self._write_object(data)
            version = _version_for(result.plan, 1, sha, SEED_EDITOR, SEED_NOTE, None)
            self._write_line(version)
        return True

    def _append(self, make: Callable[[int], Version]) -> Version:
        """Under the lock: number the new version after the last one and append its line."""
        with locked(self.root / LOCK):
            self._sweep_temp()
            entries = self._entries()
            number = (entries[-1].number if entries else 0) + 1
            version = make(number)
            self._write_line(version)
        return version

    def _write_object(self, data: bytes) -> str:
        """Write a content file atomically (see coopplan.files); its hash."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.object_path(sha)
        folder = target.parent
        folder.mkdir(parents=True, exist_ok=True)
        if target.is_file() and _sha_of(target) == sha:
            return sha  # same bytes published before: content-addressed, nothing to write
        atomic_write(target, data, mode=0o444, before_replace=lambda: _pause("content-temp"))
        _pause("before-manifest")
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
            if os.environ.get(PAUSE_ENV) == "manifest-half":
                half = len(line) // 2
                os.write(fd, line[:half])
                os.fsync(fd)
                _pause("manifest-half")
                line = line[half:]
            _write_all(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.root)

    def _sweep_temp(self) -> None:
        """Remove temporary files a killed publisher left behind (never a recent one)."""
        limit = time.time() - STALE_TEMP_SECONDS
        for temp in (self.root / OBJECTS).glob(f"{TEMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                if temp.stat().st_mtime < limit:
                    temp.unlink()


# Helpers -----------------------------------------------------------------------------------


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _number(version: Version | int) -> int:
    return version if isinstance(version, int) else version.number


def _sha_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ends_with_newline(path: Path, size: int) -> bool:
    with open(path, "rb") as handle:
        handle.seek(size - 1)
        return handle.read(1) == b"\n"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _pause(point: str) -> None:
    """The test hook (see PAUSE_ENV); does nothing unless the variable names this point."""
    if os.environ.get(PAUSE_ENV) != point:
        return
    print(f"PAUSED {point}", flush=True)
    sys.stdout.flush()
    time.sleep(float(os.environ.get("COOPPLAN_STORE_PAUSE_SECONDS", PAUSE_SECONDS)))
