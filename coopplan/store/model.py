"""What the versioned store is made of, whatever keeps it: a version and its totals, the damage
found in a store, its standing, a verification report, the ``VersionStore`` protocol and the
store's errors; where the store lives by default. No reader and no backend here: drawing the plan
over time needs only these."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from coopplan import fmt, kinds
from coopplan.plan import Plan
from coopplan.store.marks import Mark
from coopplan.workbook.problems import Problem

STORE_ENV = "COOPPLAN_STORE"


PROJECT_DIR = Path(__file__).resolve().parents[2]


DEFAULT_ROOT = PROJECT_DIR / "store"


SHIPPED_WORKBOOK = PROJECT_DIR / "data" / "piano_2023.xlsx"


SEED_EDITOR = "Piano fornito"


SEED_NOTE = "Piano iniziale fornito con l'applicazione."


SUFFIX = ".xlsx"  # a version's file: a workbook
DISPLAY_TIMEZONE = "Europe/Rome"  # times are stored in UTC and shown in Italian time


RECOVERY = (
    "Ripristina la cartella dell'archivio da una copia di sicurezza (vedi README, «Se l'archivio "
    "è danneggiato»)"
)


_KEYWORD_FORM = re.compile(r"^[a-z_]+\s*=")  # libpq's 'host=… dbname=…' (no folder looks so)


class StoreError(Exception):
    """A refusal or a failure of the store, with an Italian message for whoever runs it
    (``message``, naming where the store is) and one for the dashboard's viewers (``public``:
    no database address, user or host; the same as ``message`` unless the backend says)."""

    def __init__(
        self, message: str, problems: list[Problem] | None = None, *, public: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        self.public = public or message


class UnreachableStoreError(StoreError):
    """The store's server cannot be reached (a database that is down): nothing was read."""


@dataclass(frozen=True)
class SourceTotal:
    source: str
    kind: str  # a coopplan.kinds kind (the total: euro, or projects ticked, ...)
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
        return ", ".join(f"{t.source} {kinds.format_total(t.kind, t.total)}" for t in self.totals)

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


MISSING = "missing"  # a version's file is not in objects/


CORRUPT = "corrupt"  # a version's file no longer matches its hash


BAD_LINE = "bad-line"  # a manifest line that is not a version record (not the last line)


TORN_LINE = "torn-line"  # the last line is incomplete and no publisher is writing it


DUPLICATE = "duplicate"  # a version number recorded twice


NO_MANIFEST = "no-manifest"  # version files present, manifest missing or empty


ORPHAN = "orphan"  # a version file that no manifest line names


LEFTOVER = "leftover"  # the torn line of an interrupted publish, its number reused: nothing lost


@dataclass(frozen=True)
class Damage:
    """One thing wrong in a store, said in Italian (``message``), with the version number or the
    manifest line (1-based) it concerns when known. ``LEFTOVER`` is a notice, not a damage."""

    kind: str
    message: str
    version: int | None = None
    line: int | None = None

    @property
    def serious(self) -> bool:
        return self.kind != LEFTOVER


@dataclass(frozen=True)
class Standing:
    """What a page shows for one plan year: the version in force (the newest recorded), the
    newest intact version (``shown``, None if none is intact), and what is damaged."""

    in_force: Version
    shown: Version | None
    damages: tuple[Damage, ...]

    @property
    def message(self) -> str:
        """The Italian sentence(s) a page must show above the plan, or '' when all is sound."""
        serious = [d for d in self.damages if d.serious]
        if not serious:
            return ""
        parts: list[str] = []
        broken = [d for d in serious if d.kind in (MISSING, CORRUPT)]
        for damage in broken:
            force = " (in vigore)" if damage.version == self.in_force.number else ""
            what = (
                "manca dall'archivio"
                if damage.kind == MISSING
                else ("è danneggiata: il suo file non corrisponde più a quello pubblicato")
            )
            parts.append(
                f"La versione {damage.version}{force} del piano {self.in_force.year} {what}."
            )
        parts += [d.message for d in serious if d.kind not in (MISSING, CORRUPT)]
        if self.shown is None:
            parts.append(f"Nessuna versione del piano {self.in_force.year} è integra.")
        elif self.shown != self.in_force:
            parts.append(
                f"Mostro la versione {self.shown.number} del {self.shown.when}, l'ultima integra, "
                f"che non è quella in vigore."
            )
        elif broken or any(d.kind in (BAD_LINE, TORN_LINE, NO_MANIFEST) for d in serious):
            parts.append(
                f"Mostro la versione {self.shown.number}: potrebbe non essere l'ultima pubblicata."
            )
        parts.append(f"{RECOVERY}.")
        return " ".join(parts)


@dataclass(frozen=True)
class Report:
    """The result of ``verify()``: every version recorded, every file count, every damage."""

    root: Path | str
    versions: tuple[Version, ...]
    files: int
    damages: tuple[Damage, ...]

    @property
    def sound(self) -> bool:
        return not any(d.serious for d in self.damages)

    def lines(self) -> list[str]:
        """The report in Italian, one line each: a heading, the damages, what to do."""
        head = (
            f"Archivio {self.root}: {fmt.count(len(self.versions), 'versione', 'versioni')} "
            f"nel registro, {fmt.count(self.files, 'file', 'file')} di versioni."
        )
        serious = [d for d in self.damages if d.serious]
        notices = [d for d in self.damages if not d.serious]
        out = [head]
        out += [f"DANNO: {d.message}" for d in serious]
        out += [f"Nota: {d.message}" for d in notices]
        if serious:
            out.append(
                f"L'archivio è danneggiato ({fmt.count(len(serious), 'problema', 'problemi')}). "
                f"{RECOVERY}."
            )
        else:
            out.append("L'archivio è integro: ogni riga del registro e ogni file sono a posto.")
        return out


class VersionStore(Protocol):
    """What a store of plan versions does, whatever keeps it (a folder, later a database).

    Version numbers are global and never reused on purpose; the version in force of a year is its
    highest-numbered one. Refusals and failures raise ``StoreError`` with an Italian message.
    ``root`` says where the store is, for messages (a folder, or a database address without
    its password).
    """

    @property
    def root(self) -> Path | str:
        """Where the store is, for messages."""
        ...

    def exists(self) -> bool:
        """True when there is a store here (commands that only read refuse anything else)."""
        ...

    def ensure_seeded(self) -> Version | None:
        """Make the shipped workbook version 1 of an empty store; the new version, else None.
        A store that holds any version file is never seeded (its manifest may be lost)."""
        ...

    def versions(self, year: int | None = None) -> list[Version]:
        """Every version recorded (of one year, if given), oldest first, damaged ones included."""
        ...

    def years(self) -> list[int]:
        """The plan years recorded, ascending."""
        ...

    def current(self, year: int | None = None) -> Version:
        """The version in force of ``year`` (default: the latest year), intact or not."""
        ...

    def get(self, number: int) -> Version:
        """The version with this number; StoreError if none."""
        ...

    def read(self, version: Version | int) -> bytes:
        """The workbook bytes of a version, checked; StoreError if missing or altered."""
        ...

    def load(self, version: Version | int) -> Plan:
        """The plan of a version; StoreError if its file cannot be read."""
        ...

    def standing(self, year: int | None = None) -> Standing:
        """The version in force of ``year``, the newest intact one to show, and the damages."""
        ...

    def verify(self) -> Report:
        """Check every manifest line and every version file (hash, missing, orphans)."""
        ...

    def publish(self, data: bytes, editor: str, note: str = "", *, name: str = "") -> Version:
        """Validate a workbook and add it as the new version in force of its year."""
        ...

    def restore(self, number: int, editor: str, note: str = "") -> Version:
        """Add a new version with the content of version ``number`` (not the one in force)."""
        ...

    def add_copy(self, version: Version, data: bytes) -> None:
        """Append a version copied from another store, as it is (see ``coopplan.store.copy``)."""
        ...

    def mark_presented(self, number: int, day: dt.date, editor: str) -> Mark:
        """Record that version ``number`` was presented to the assembly of ``day`` (marking it
        again replaces the day). StoreError for an unknown version or a store not writable."""
        ...

    def marks(self) -> dict[int, Mark]:
        """Version number -> its mark «presentata in assemblea», for the marked versions."""
        ...


def is_database_url(location: str) -> bool:
    """True for a PostgreSQL address: ``postgresql://…``, ``postgres://…`` or libpq keywords
    (``host=db dbname=piano``, ``service=coopplan``)."""
    return location.startswith(("postgresql://", "postgres://")) or bool(
        _KEYWORD_FORM.match(location)
    )


def missing_damage(version: Version, what: str) -> Damage:
    """The damage of a version whose content (``what``: 'file objects/….xlsx') is not there."""
    return Damage(
        MISSING,
        f"La versione {version.number} del piano {version.year} manca: il suo {what} non è "
        "nell'archivio.",
        version.number,
    )


def checked_content(version: Version, data: bytes, what: str) -> tuple[bytes | None, Damage | None]:
    """``data`` if its sha256 is the version's, else the damage naming ``what`` was altered."""
    if hashlib.sha256(data).hexdigest() != version.sha256:
        return None, corrupt_damage(version, what)
    return data, None


def corrupt_damage(version: Version, what: str) -> Damage:
    """The damage of a version whose content (``what``) no longer matches its hash."""
    return Damage(
        CORRUPT,
        f"La versione {version.number} del piano {version.year} è danneggiata: il suo "
        f"{what} non corrisponde più a quello pubblicato.",
        version.number,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _number(version: Version | int) -> int:
    return version if isinstance(version, int) else version.number
