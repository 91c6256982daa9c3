"""Versions «presentata in assemblea»: the mark the secretary puts on a version shown to the board.

A mark names a version number and the day of the assembly (plus who marked it and when). Both
stores keep them (``VersionStore.mark_presented`` / ``marks``): the folder store in its own
append-only ``marks.jsonl`` (one JSON object per line, written like a manifest line), PostgreSQL
in the table ``coopplan_marks``. Marking a version again replaces its date (the last mark wins).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from coopplan import fmt

MARKS_FILE = "marks.jsonl"


@dataclass(frozen=True)
class Mark:
    """Version ``number`` was presented to the assembly of ``day``; ``editor`` marked it at
    ``time`` (aware, UTC)."""

    number: int
    day: dt.date
    editor: str
    time: dt.datetime

    @property
    def day_text(self) -> str:
        """'14 marzo 2026'."""
        return fmt.date(self.day, "long")

    @property
    def assembly(self) -> str:
        """'l'assemblea del 14 marzo 2026'."""
        return f"l'assemblea del {self.day_text}"

    def to_json(self) -> str:
        record = {
            "mark": self.number,
            "day": self.day.isoformat(),
            "editor": self.editor,
            "time": self.time.isoformat(timespec="seconds"),
        }
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> Mark:
        """Parse a mark line; ValueError/KeyError/TypeError for a torn or foreign line."""
        record = json.loads(line)
        return cls(
            number=int(record["mark"]),
            day=dt.date.fromisoformat(record["day"]),
            editor=str(record["editor"]),
            time=dt.datetime.fromisoformat(record["time"]),
        )


def read_marks(lines: Iterable[str]) -> dict[int, Mark]:
    """Version number -> its latest mark, from mark lines in the order written. Lines that are
    not a complete mark (a torn last line) are skipped: at most that one mark is lost."""
    marks: dict[int, Mark] = {}
    for line in lines:
        try:
            mark = Mark.from_json(line)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        marks[mark.number] = mark
    return marks


def last_marked(
    marks: Mapping[int, Mark], numbers: Iterable[int], before: int | None = None
) -> Mark | None:
    """The mark of the most recent assembly among versions ``numbers`` (e.g. one plan year's),
    only versions up to ``before`` when given; the latest day wins, then the highest number.
    None when none of them is marked."""
    chosen = [marks[n] for n in numbers if n in marks and (before is None or n <= before)]
    return max(chosen, key=lambda m: (m.day, m.number), default=None)


def parse_day(text: str) -> dt.date:
    """'2026-03-14' or '14/03/2026' -> a date; ValueError with an Italian message otherwise."""
    text = text.strip()
    for form in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise ValueError(f"la data «{text}» non è valida: scrivila come 2026-03-14 oppure 14/03/2026.")
