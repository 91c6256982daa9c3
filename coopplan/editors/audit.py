"""The audit log: who signed in, failed to, published, restored, marked a version or changed the
editors, when, from where, with what outcome. Append-only, in the store (both backends), copied
by ``python -m coopplan copy``, checked by ``verify``, exported by ``python -m coopplan audit``.

One entry is one line of JSON (``Entry.line``), the same text in both backends: the folder store
appends it to ``audit.jsonl`` (one write + fsync under ``audit.lock``, like a manifest line), the
PostgreSQL store inserts it into ``coopplan_audit`` (see ``coopplan.editors.postgres``), where a
trigger refuses any update or delete. Each line carries its number (``seq``) and the sha256 of
the line before it (``prev``): a line altered, removed or inserted in the middle breaks the chain
and ``verify`` names it. (Cutting lines off the end leaves no trace in the log itself: the copy
made by ``copy``, kept elsewhere, is the witness.)

No password or secret is ever written: an entry holds an event name, a verified editor name (or
the operating-system user, said as such), an address, an outcome and a short detail (a version
number, the name of an editor added); a failed sign-in under a name that is not an editor's is
recorded as «nome sconosciuto», since people type their password into the name field.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from coopplan import fmt
from coopplan.store.files import fsync_dir, is_locked, locked, os_reason
from coopplan.store.model import (
    LEFTOVER,
    Damage,
    StoreError,
)

AUDIT_FILE = "audit.jsonl"
AUDIT_LOCK = "audit.lock"
CLI_CLIENT = "riga di comando"  # the client of an event from python -m coopplan
SYSTEM_USER = "utente di sistema: "  # the prefix of an editor who is an OS user (CLI)
UNKNOWN_NAME = "nome sconosciuto"  # a failed sign-in under a name that is no editor's
AUDIT_BAD = "audit-bad-line"  # a line of the log that is not an entry
AUDIT_CHAIN = "audit-chain"  # a line whose number or link does not follow the one before
TAIL_CHUNK = 64 * 1024  # bytes read from the end of audit.jsonl to find the last entry


class Event(StrEnum):
    SIGN_IN = "sign-in"
    SIGN_OUT = "sign-out"
    PUBLISH = "publish"
    RESTORE = "restore"
    MARK = "mark"
    EDITOR_ADD = "editor-add"
    EDITOR_REMOVE = "editor-remove"
    EDITOR_RESET = "editor-reset"


EVENT_WORDS = {
    Event.SIGN_IN: "Accesso",
    Event.SIGN_OUT: "Uscita",
    Event.PUBLISH: "Pubblicazione",
    Event.RESTORE: "Ripristino",
    Event.MARK: "Segno «presentata in assemblea»",
    Event.EDITOR_ADD: "Editor aggiunto",
    Event.EDITOR_REMOVE: "Editor tolto",
    Event.EDITOR_RESET: "Password di un editor cambiata",
}


class Result(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # a wrong password (or a name that is no editor's)
    WAIT = "wait"  # refused without comparing: too many wrong guesses
    REFUSED = "refused"  # the store refused the write (invalid file, version in force…)
    EXPIRED = "expired"  # a session ended by the idle timeout


RESULT_WORDS = {
    Result.OK: "riuscito",
    Result.WRONG: "nome o password sbagliati",
    Result.WAIT: "rifiutato: troppi tentativi",
    Result.REFUSED: "rifiutato",
    Result.EXPIRED: "sessione scaduta",
}


@dataclass(frozen=True)
class Action:
    """What happened, before the log numbers and links it."""

    event: Event
    editor: str  # the verified editor, «utente di sistema: mario», or UNKNOWN_NAME
    client: str  # the client address, or CLI_CLIENT
    outcome: Result = Result.OK
    detail: str = ""  # «versione 3», the name of an editor added… never a secret


@dataclass(frozen=True)
class Entry:
    """One line of the log."""

    seq: int
    time: dt.datetime  # aware, UTC
    event: str
    editor: str
    client: str
    outcome: str
    detail: str
    prev: str  # sha256 (hex) of the line before, "" for the first

    @property
    def line(self) -> str:
        record = {
            "seq": self.seq,
            "time": self.time.isoformat(timespec="seconds"),
            "event": self.event,
            "editor": self.editor,
            "client": self.client,
            "outcome": self.outcome,
            "detail": self.detail,
            "prev": self.prev,
        }
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_line(cls, line: str) -> Entry:
        """Parse a line; ValueError/KeyError/TypeError for a torn or foreign one."""
        record = json.loads(line)
        time = dt.datetime.fromisoformat(record["time"])
        if time.tzinfo is None:
            raise ValueError("time without zone")
        return cls(
            seq=int(record["seq"]),
            time=time,
            event=str(record["event"]),
            editor=str(record["editor"]),
            client=str(record["client"]),
            outcome=str(record["outcome"]),
            detail=str(record.get("detail") or ""),
            prev=str(record["prev"]),
        )

    @property
    def when(self) -> str:
        """'25 nov 2026, 15:02:07' in Italian time."""
        from coopplan.store.model import DISPLAY_TIMEZONE  # one zone for every time shown

        with contextlib.suppress(Exception):
            from zoneinfo import ZoneInfo

            local = self.time.astimezone(ZoneInfo(DISPLAY_TIMEZONE))
            return f"{fmt.date(local.date(), 'medium')}, {local:%H:%M:%S}"
        return self.time.isoformat(timespec="seconds")

    @property
    def event_text(self) -> str:
        known = self.event in Event._value2member_map_
        return EVENT_WORDS[Event(self.event)] if known else self.event

    @property
    def outcome_text(self) -> str:
        return (
            RESULT_WORDS[Result(self.outcome)]
            if self.outcome in Result._value2member_map_
            else self.outcome
        )


def digest(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def next_entry(action: Action, last_line: str | None, now: dt.datetime | None = None) -> Entry:
    """The entry recording ``action`` after ``last_line`` (the log's last entry, None if empty)."""
    seq = Entry.from_line(last_line).seq + 1 if last_line else 1
    return Entry(
        seq=seq,
        time=now or dt.datetime.now(dt.UTC).replace(microsecond=0),
        event=str(action.event),
        editor=action.editor,
        client=action.client,
        outcome=str(action.outcome),
        detail=action.detail,
        prev=digest(last_line) if last_line else "",
    )


class AuditLog(Protocol):
    """Where a store keeps its audit log."""

    @property
    def where(self) -> str:
        """The log's place, for messages («audit.jsonl», «la tabella coopplan_audit»)."""
        ...

    def record(self, action: Action) -> Entry:
        """Append ``action`` as the next entry; StoreError (Italian) when it cannot be written."""
        ...

    def lines(self) -> list[str]:
        """Every line of the log, oldest first, as written (torn or altered ones too)."""
        ...

    def append_lines(self, lines: Sequence[str]) -> None:
        """Append lines copied from another log, as they are (``copy_audit``)."""
        ...

    def busy(self) -> bool:
        """True while a writer is appending (a torn last line may be in progress)."""
        ...


def entries(log: AuditLog) -> list[Entry]:
    """The readable entries, oldest first (damaged lines are told by ``check``)."""
    out: list[Entry] = []
    for line in log.lines():
        with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
            out.append(Entry.from_line(line))
    return out


def check(log: AuditLog) -> list[Damage]:
    """What is wrong with the log: unreadable lines, lines whose number or link to the line
    before does not follow (altered, removed or inserted). A torn last line is a notice (one
    entry not completely written), or a write in progress while the lock is held."""
    lines = log.lines()
    damages: list[Damage] = []
    prev, expected = "", 1
    for index, line in enumerate(lines, start=1):
        try:
            entry = Entry.from_line(line)
        except (ValueError, KeyError, TypeError, AttributeError):
            damages.append(_bad_line(log, index, last=index == len(lines)))
            continue
        if entry.seq != expected or entry.prev != prev:
            damages.append(
                Damage(
                    AUDIT_CHAIN,
                    f"Registro delle operazioni ({log.where}), riga {index}: non segue la riga "
                    "precedente (numero o collegamento diversi): una riga è stata tolta, "
                    "cambiata o aggiunta.",
                    line=index,
                )
            )
        prev, expected = digest(line), entry.seq + 1
    return damages


def _bad_line(log: AuditLog, index: int, *, last: bool) -> Damage:
    where = f"Registro delle operazioni ({log.where}), riga {index}"
    if last and log.busy():
        return Damage(LEFTOVER, f"{where}: una scrittura è in corso.", line=index)
    if last:
        return Damage(
            LEFTOVER,
            f"{where}: scrittura interrotta, l'ultima operazione potrebbe non essere registrata.",
            line=index,
        )
    return Damage(AUDIT_BAD, f"{where}: illeggibile (riga danneggiata o cambiata).", line=index)


def report_lines(log: AuditLog, damages: Sequence[Damage]) -> list[str]:
    """The log's part of ``verify``'s report, in Italian."""
    count = len(log.lines())
    out = [f"Registro delle operazioni ({log.where}): {fmt.count(count, 'riga', 'righe')}."]
    out += [f"{'DANNO' if d.serious else 'Nota'}: {d.message}" for d in damages]
    if not any(d.serious for d in damages):
        out.append("Il registro delle operazioni è integro.")
    return out


def copy_audit(source: AuditLog, target: AuditLog) -> int:
    """Give ``target`` the lines of ``source`` it lacks; the number of lines added. The target
    must hold the first lines of the source (a copy made before), else StoreError."""
    wanted, held = source.lines(), target.lines()
    if held != wanted[: len(held)]:
        raise StoreError(
            f"Il registro delle operazioni di destinazione ({target.where}) contiene righe "
            "diverse da quelle del registro di partenza: non è stato copiato."
        )
    missing = wanted[len(held) :]
    if missing:
        target.append_lines(missing)
    return len(missing)


CSV_HEADER = (
    "N.",
    "Quando (ora italiana)",
    "Operazione",
    "Editor",
    "Indirizzo",
    "Esito",
    "Dettaglio",
)


def csv_text(items: Iterable[Entry]) -> str:
    """The entries as CSV (comma separated, UTF-8), with Italian headings and words. A cell
    that a spreadsheet would take for a formula gets a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for entry in items:
        writer.writerow(
            [
                _cell(x)
                for x in (
                    str(entry.seq),
                    entry.when,
                    entry.event_text,
                    entry.editor,
                    entry.client,
                    entry.outcome_text,
                    entry.detail,
                )
            ]
        )
    return out.getvalue()


def table_rows(items: Iterable[Entry]) -> list[dict[str, str]]:
    """The entries as rows for a page's table, newest first."""
    return [
        dict(zip(CSV_HEADER, (str(e.seq), e.when, e.event_text, e.editor, e.client,
                             e.outcome_text, e.detail), strict=True))
        for e in reversed(list(items))
    ]  # fmt: skip


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# The folder store's log ------------------------------------------------------------------


class FolderAudit:
    """The log of a folder store: ``audit.jsonl`` in the store folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.path = self.root / AUDIT_FILE
        self.where = AUDIT_FILE

    def record(self, action: Action) -> Entry:
        try:
            with locked(self.root / AUDIT_LOCK):
                entry = next_entry(action, _last_entry_line(self.path))
                _append(self.path, [entry.line])
        except OSError as exc:
            raise StoreError(
                f"Il registro delle operazioni ({self.path}) non si può scrivere "
                f"({os_reason(exc)}). Controlla che la cartella dell'archivio sia scrivibile."
            ) from exc
        return entry

    def lines(self) -> list[str]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        return [line for line in raw.decode("utf-8", errors="replace").splitlines() if line]

    def append_lines(self, lines: Sequence[str]) -> None:
        with locked(self.root / AUDIT_LOCK):
            _append(self.path, list(lines))

    def busy(self) -> bool:
        return is_locked(self.root / AUDIT_LOCK)


def _last_entry_line(path: Path) -> str | None:
    """The last line of the log that is an entry (a torn line after it is skipped), reading
    only the end of the file (all of it only when the end holds no entry); None if none."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        size = handle.seek(0, os.SEEK_END)
        start = max(0, size - TAIL_CHUNK)
        handle.seek(start)
        lines = handle.read().split(b"\n")
        if start:
            lines = lines[1:]  # the first may be cut by the seek
        found = _last_entry(lines)
        if found is None and start:
            handle.seek(0)
            found = _last_entry(handle.read().split(b"\n"))
    return found


def _last_entry(lines: list[bytes]) -> str | None:
    for raw in reversed(lines):
        text = raw.decode("utf-8", errors="replace")
        with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
            Entry.from_line(text)
            return text
    return None


def _append(path: Path, lines: list[str]) -> None:
    """Append ``lines`` in one write and fsync (caller holds the lock); a torn line left before
    them is ended first, so it never swallows them."""
    created = not path.exists()
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)
