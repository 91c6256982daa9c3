"""The plan over time: every published version of a year, its totals and what changed.

A ``Snapshot`` is what one version's plan counts (totals per source, projects per stato, projects,
activities), optionally for some piste only; ``describe`` makes it together with the changes from
the previous version, in the sentences of ``coopplan.diff`` (never recomputed here). ``Timeline``
gathers them in long tables, one row per version (× source, × stato), like the Plan's own tables,
so no code needs to know a source's name. The dashboard caches ``describe`` per (version, previous
version, piste); ``store_timeline`` does the same work in one call, without a cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from coopplan import fmt, kinds
from coopplan.diff import NOTHING_CHANGES, diff_plans
from coopplan.plan import Plan
from coopplan.store.model import Version, VersionStore

VERSION_COLUMNS = (
    "number",  # the version number (global, as in the store)
    "when",  # datetime, Italian time
    "editor",
    "note",
    "restored_from",  # the version whose content came back, else None
    "label",  # 'v. 4 – ritorno alla v. 2'
    "projects",
    "done",  # activities done (Attività realizzate)
    "planned",  # ideas for work (Ipotesi di lavoro)
    "changes",  # tuple of Italian sentences: what changed from the previous version
    "edits",  # how many of them are edits (the rest: totals that follow from the edits)
    "readable",  # False when the version's file could not be read (damage): no numbers
)
SPENDING_COLUMNS = ("number", "source", "planned", "spent")
NO_HISTORY = "Non c'è ancora una cronologia: è pubblicata una sola versione."
FIRST_VERSION = "Prima versione del piano {year}."
UNREADABLE = "Il file di questa versione non si riesce a leggere: l'archivio è danneggiato."


@dataclass(frozen=True)
class Snapshot:
    """What one version's plan (filtered to some piste, or whole) counts.

    ``totals``: (source, kind, total) for every source, in the plan's order, the total as
    ``Plan.source_totals`` gives it (euros, hours, ... summed; projects ticked for a tick);
    ``statuses``: (stato, projects), in the plan's order; ``done``/``planned``: activities done /
    planned."""

    totals: tuple[tuple[str, str, float], ...]
    statuses: tuple[tuple[str, int], ...]
    projects: int
    done: int
    planned: int
    spending: tuple[tuple[str, float, float], ...] = ()  # (euro source, preventivo, speso); none
    # without a consuntivo, so a version before it has no point rather than «0 € spesi»

    @property
    def amounts(self) -> tuple[tuple[str, float], ...]:
        """(source, euros) of the money sources."""
        return tuple((s, v) for s, k, v in self.totals if kinds.is_money(k))

    @property
    def flags(self) -> tuple[tuple[str, int], ...]:
        """(source, projects ticked) of the tick sources."""
        return tuple((s, int(v)) for s, k, v in self.totals if not kinds.is_number(k))


def snapshot(plan: Plan) -> Snapshot:
    """The counts of ``plan`` (already filtered as wanted)."""
    totals = plan.source_totals()
    counted = plan.items["kind"].value_counts()
    return Snapshot(
        totals=tuple(
            (str(s), str(k), float(t))
            for s, k, t in zip(totals["source"], totals["kind"], totals["total"], strict=True)
        ),
        statuses=tuple((str(s), int(n)) for s, n in plan.status_counts().items()),
        projects=len(plan.projects),
        done=int(counted.get("done", 0)),
        planned=int(counted.get("planned", 0)),
        spending=_spending(plan),
    )


def _spending(plan: Plan) -> tuple[tuple[str, float, float], ...]:
    """(euro source, preventivo, speso) of a plan with a consuntivo; () without one."""
    if not plan.has_spending:
        return ()
    frame = plan.spending_by_source()
    return tuple(
        (str(s), float(p), float(x))
        for s, p, x in zip(frame["source"], frame["planned"], frame["spent"], strict=True)
    )


def describe(
    plan: Plan, previous: Plan | None, tracks: Sequence[str] = ()
) -> tuple[Snapshot, tuple[str, ...], int]:
    """The snapshot of ``plan``, the sentences of what changed since ``previous`` (None: the
    first version of its year) and how many of them are edits (the others are the totals that
    follow: one amount changed is one edit, not three changes), all restricted to the piste
    ``tracks`` (empty: all)."""
    shown = _on_tracks(plan, tracks)
    if previous is None:
        return snapshot(shown), (FIRST_VERSION.format(year=plan.meta.year),), 1
    changes = diff_plans(_on_tracks(previous, tracks), shown)
    said = tuple(changes.sentences())  # written once: the edits, then the totals they add up to
    return snapshot(shown), said, len(said) - changes.total_count()


def _on_tracks(plan: Plan, tracks: Sequence[str]) -> Plan:
    return plan.filter(tracks=list(tracks)) if tracks else plan


def version_label(version: Version) -> str:
    """'v. 3', or 'v. 4 – ritorno alla v. 2' for a restored version."""
    label = f"v. {version.number}"
    if version.restored_from is not None:
        label += f" – ritorno alla v. {version.restored_from}"
    return label


def restored_sentence(version: Version) -> str:
    """'Ritorno alla versione 2: il suo contenuto è di nuovo in vigore.' ('' if not restored)."""
    if version.restored_from is None:
        return ""
    return f"Ritorno alla versione {version.restored_from}: il suo contenuto è di nuovo in vigore."


@dataclass(frozen=True)
class Timeline:
    """The versions of one plan year, oldest first, in long tables.

    - ``versions``: one row per version, columns ``VERSION_COLUMNS``;
    - ``totals``: number, source, kind, total (every source: its total in its kind's unit);
    - ``statuses``: number, status, projects;
    - ``spending``: number, source, planned, spent (euro sources of the versions that have a
      consuntivo only).
    A source or stato missing from a version has no row for it (not a 0). What differs by kind
    (the chart's title, units, words) is asked of coopplan.kinds."""

    versions: pd.DataFrame
    totals: pd.DataFrame
    statuses: pd.DataFrame
    spending: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(SPENDING_COLUMNS))
    )

    @property
    def has_history(self) -> bool:
        """More than one version: something to draw over time."""
        return len(self.versions) > 1

    @property
    def kinds(self) -> list[str]:
        """The kinds with totals, in the order of coopplan.kinds.RULES: one chart each."""
        present = set(self.totals["kind"])
        return [k for k in kinds.RULES if k in present]

    def of_kind(self, kind: str) -> pd.DataFrame:
        """number, source, total of the sources of ``kind``."""
        mine = self.totals.loc[self.totals["kind"] == kind]
        return mine[["number", "source", "total"]].reset_index(drop=True)

    @property
    def amounts(self) -> pd.DataFrame:
        """number, source, euro of the money sources."""
        money = self.totals.loc[[kinds.is_money(k) for k in self.totals["kind"]]]
        return money[["number", "source", "total"]].rename(columns={"total": "euro"})

    @property
    def flags(self) -> pd.DataFrame:
        """number, source, projects of the tick sources (projects ticked)."""
        ticks = self.totals.loc[[not kinds.is_number(k) for k in self.totals["kind"]]]
        frame = ticks[["number", "source", "total"]].rename(columns={"total": "projects"})
        return frame.astype({"projects": int})

    def only_sources(self, sources: Iterable[str]) -> Timeline:
        """The same timeline with the totals of ``sources`` only (the projects per stato stay)."""
        chosen = list(sources)
        return Timeline(
            self.versions,
            self.totals.loc[self.totals["source"].isin(chosen)].reset_index(drop=True),
            self.statuses,
            self.spending.loc[self.spending["source"].isin(chosen)].reset_index(drop=True),
        )

    def changes_text(self, number: int) -> str:
        """What changed in version ``number``, one sentence a line."""
        row = self.versions.loc[self.versions["number"] == number].iloc[0]
        return "\n".join(row["changes"])


Described = tuple[Snapshot, tuple[str, ...], int] | None
"""A version's snapshot and changes (see ``describe``), or None when its file cannot be read."""


def build(versions: Sequence[Version], described: Sequence[Described]) -> Timeline:
    """The timeline of ``versions`` (oldest first) from each one's ``describe`` result."""
    rows: list[dict[str, object]] = []
    totals: list[tuple[int, str, str, float]] = []
    statuses: list[tuple[int, str, int]] = []
    spent: list[tuple[int, str, float, float]] = []
    for version, found in zip(versions, described, strict=True):
        snap, changes, edits = found if found is not None else (None, (UNREADABLE,), 1)
        restored = restored_sentence(version)
        rows.append(
            {
                "number": version.number,
                "when": version.local_time.replace(tzinfo=None),
                "editor": version.editor,
                "note": version.note,
                "restored_from": version.restored_from,
                "label": version_label(version),
                "projects": snap.projects if snap else None,
                "done": snap.done if snap else None,
                "planned": snap.planned if snap else None,
                "changes": ((restored,) if restored else ()) + tuple(changes),
                "edits": edits + (1 if restored else 0),
                "readable": snap is not None,
            }
        )
        if snap is None:
            continue
        totals += [(version.number, s, k, v) for s, k, v in snap.totals]
        statuses += [(version.number, s, v) for s, v in snap.statuses]
        spent += [(version.number, s, p, x) for s, p, x in snap.spending]
    frame = pd.DataFrame(rows, columns=list(VERSION_COLUMNS))
    frame["restored_from"] = frame["restored_from"].astype("Int64")
    for column in ("projects", "done", "planned"):
        frame[column] = frame[column].astype("Int64")
    return Timeline(
        frame,
        pd.DataFrame(totals, columns=["number", "source", "kind", "total"]),
        pd.DataFrame(statuses, columns=["number", "status", "projects"]),
        pd.DataFrame(spent, columns=list(SPENDING_COLUMNS)),
    )


def store_timeline(
    store: VersionStore,
    year: int,
    tracks: Sequence[str] = (),
    load: Callable[[Version], Plan] | None = None,
) -> Timeline:
    """The timeline of plan ``year`` in ``store``, every version loaded (``load``, default
    ``store.load``); a version that cannot be read (StoreError, OSError) gets no numbers and the
    next one is compared with the last readable one."""
    from coopplan.store.model import StoreError

    load = load or store.load
    versions = store.versions(year)
    described: list[Described] = []
    previous: Plan | None = None
    for version in versions:
        try:
            plan = load(version)
        except (StoreError, OSError):
            described.append(None)
            continue
        described.append(describe(plan, previous, tracks))
        previous = plan
    return build(versions, described)


def hover_changes(changes: Sequence[str], limit: int = 6) -> list[str]:
    """At most ``limit`` sentences of ``changes``, the rest counted ('… e altre 12 modifiche')."""
    shown = [c for c in changes if c != NOTHING_CHANGES] or list(changes[:1])
    if len(shown) <= limit:
        return shown
    rest = len(shown) - (limit - 1)
    return shown[: limit - 1] + [f"… e altre {fmt.count(rest, 'modifica', 'modifiche')}"]
