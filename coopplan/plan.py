"""The Plan: an immutable set of pandas tables, and the queries the views ask of it.

Tables (all DataFrames, one row per thing, in workbook order):
- ``tracks``:   code, title, alt_title
- ``lines``:    track, title, description                        (filoni)
- ``sources``:  name, kind (a coopplan.kinds.SourceKind value), description
- ``projects``: id, track, group, title, subtitle, budget_line, status, notes, owner
                (referente, text), due (scadenza: a datetime.date or None)
- ``items``:    project, kind ("done" | "planned"), text           (attività)
- ``funding``:  project, source, amount (float, 0 for none), flag (bool)
                one row per project x source; a source keeps a number in ``amount`` or a
                tick in ``flag`` (coopplan.kinds); a project is *funded by* a source when
                amount > 0 or flag is True.
- ``spending``: project, source, committed, spent (floats, euro), note     (consuntivo)
                one row per project x euro source written in the sheet «Consuntivo»; a plan
                whose workbook has no such row has no consuntivo (``has_spending``), which is
                not the same as a consuntivo of zero (coopplan.spending).

A project is read as one ``ProjectCard``, built here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, wraps
from typing import TypeVar

import pandas as pd

from coopplan import kinds, spending
from coopplan.workbook.schema import STATUSES

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "tracks": ("code", "title", "alt_title"),
    "lines": ("track", "title", "description"),
    "sources": ("name", "kind", "description"),
    "projects": (
        "id",
        "track",
        "group",
        "title",
        "subtitle",
        "budget_line",
        "status",
        "notes",
        "owner",
        "due",
    ),
    "items": ("project", "kind", "text"),
    "funding": ("project", "source", "amount", "flag"),
    "spending": ("project", "source", "committed", "spent", "note"),
}
_NONE_WHEN_MISSING = {("projects", "due")}  # a missing date is None, a missing text ""


Frame = TypeVar("Frame", pd.DataFrame, pd.Series)


def _kept(query: Callable[[Plan], Frame]) -> Callable[[Plan], Frame]:
    """A query of the plan computed once per Plan object (the plan never changes; the dashboard
    shares one object per version and filter among all sessions). Each caller gets a shallow
    copy: under pandas' copy-on-write, changing it never changes the one kept."""
    name = query.__name__

    @wraps(query)
    def kept(self: Plan) -> Frame:
        answers = self.__dict__.setdefault("_answers", {})
        if name not in answers:
            answers[name] = query(self)
        return answers[name].copy(deep=False)

    return kept


@dataclass(frozen=True)
class Track:
    """One pista: its code ('P1'), its title, the alternative title of its projects' section
    ('' when none) and its place in the workbook (1 for the first)."""

    code: str
    title: str
    alt_title: str
    position: int


@dataclass(frozen=True)
class Line:
    """One filone di intervento of a pista: its title and its paragraph (may be empty)."""

    track: str
    title: str
    description: str


@dataclass(frozen=True)
class Funding:
    """What one source gives one project: a number (amount sources) or a tick (flag ones)."""

    source: str
    kind: str
    value: float | bool

    @property
    def pays(self) -> bool:
        """True when the source funds the project (an amount > 0 or a tick)."""
        return kinds.pays(self.value)

    @property
    def text(self) -> str:
        """«5.000 €», «Sì», ... (coopplan.kinds.format_value)."""
        return kinds.format_value(self.kind, self.value)

    @property
    def words(self) -> str:
        """The source as a card names it: «A 5.000 €», or «C» for a tick."""
        return kinds.named_value(self.source, self.kind, self.value)


@dataclass(frozen=True)
class Spending:
    """The consuntivo of one project for one euro source: preventivo (the amount planned),
    impegnato, speso and the note that explains a large difference."""

    source: str
    planned: float
    committed: float
    spent: float
    note: str = ""


@dataclass(frozen=True)
class ProjectCard:
    """One project as every view shows it: its fields, its items, its funding by source
    (every source of the plan, in source order), its track's title."""

    id: str
    track: str
    track_title: str
    group: str
    title: str
    subtitle: str
    budget_line: str
    status: str
    notes: str
    done: tuple[str, ...] = ()
    planned: tuple[str, ...] = ()
    funding: tuple[Funding, ...] = ()
    owner: str = ""  # referente
    due: dt.date | None = None  # scadenza
    spending: tuple[Spending, ...] = ()  # the consuntivo of its euro sources (none: not entered)

    def value(self, source: str) -> float | bool | None:
        """The source's value for this project; None for a source not in the plan."""
        return next((f.value for f in self.funding if f.source == source), None)

    def paying(self) -> tuple[Funding, ...]:
        """The sources that fund the project, in source order."""
        return tuple(f for f in self.funding if f.pays)

    def funding_values(self) -> dict[str, float | bool]:
        """Source name -> value, in source order."""
        return {f.source: f.value for f in self.funding}


_CARD_FIELDS = ("id", "track", "group", "title", "subtitle", "budget_line", "status", "notes")


@dataclass(frozen=True)
class PlanMeta:
    title: str
    organization: str
    year: int
    version_date: dt.date | None
    next_assembly: dt.date | None = None  # «Prossima assemblea»: what falls due looks up to it


def make_table(name: str, records: list[dict] | None = None) -> pd.DataFrame:
    """A table of the plan from records (dicts; extra keys dropped), with its canonical dtypes."""
    columns = list(TABLE_COLUMNS[name])
    missing = {c: None if (name, c) in _NONE_WHEN_MISSING else "" for c in columns}
    rows = [{c: _given(r.get(c), missing[c]) for c in columns} for r in records or []]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    if name == "funding":
        frame = frame.astype({"amount": float, "flag": bool})
    if name == "spending":
        frame = frame.astype({"committed": float, "spent": float})
    return frame


def _given(value: object, missing: object) -> object:
    return missing if value is None or value == "" else value


def empty_table(name: str) -> pd.DataFrame:
    return make_table(name)


@dataclass(frozen=True)
class Plan:
    meta: PlanMeta
    tracks: pd.DataFrame = field(default_factory=lambda: empty_table("tracks"))
    lines: pd.DataFrame = field(default_factory=lambda: empty_table("lines"))
    sources: pd.DataFrame = field(default_factory=lambda: empty_table("sources"))
    projects: pd.DataFrame = field(default_factory=lambda: empty_table("projects"))
    items: pd.DataFrame = field(default_factory=lambda: empty_table("items"))
    funding: pd.DataFrame = field(default_factory=lambda: empty_table("funding"))
    spending: pd.DataFrame = field(default_factory=lambda: empty_table("spending"))
    filtered: bool = False  # True for a view made by filter(): its tracks and lines stay whole
    spending_entered: bool | None = None  # None: the spending table says (a view keeps its plan's)

    @classmethod
    def from_records(cls, meta: PlanMeta, **tables: list[dict]) -> Plan:
        """A plan from lists of dicts, one list per table name of TABLE_COLUMNS."""
        return cls(
            meta=meta, **{name: make_table(name, tables.get(name)) for name in TABLE_COLUMNS}
        )

    # Names ------------------------------------------------------------------------------

    @property
    def source_names(self) -> list[str]:
        return list(self.sources["name"])

    @cached_property
    def _source_kinds(self) -> list[tuple[str, str]]:
        return list(zip(self.sources["name"], self.sources["kind"], strict=True))

    def kind_of(self, source: str) -> str:
        """The kind of a source of the plan (KeyError for an unknown name)."""
        return dict(self._source_kinds)[source]

    @property
    def amount_sources(self) -> list[str]:
        """The sources in euro."""
        return kinds.names_of(self._source_kinds, money=True)

    @property
    def number_sources(self) -> list[str]:
        """The sources that keep a number per project (euro, and any other quantity)."""
        return kinds.names_of(self._source_kinds)

    @property
    def flag_sources(self) -> list[str]:
        """The sources that keep a tick per project (totals count projects)."""
        return [n for n, k in self._source_kinds if not kinds.is_number(k)]

    @property
    def track_codes(self) -> list[str]:
        return list(self.tracks["code"])

    @cached_property
    def _track_titles(self) -> dict[str, str]:
        return dict(zip(self.tracks["code"], self.tracks["title"], strict=True))

    def track_title(self, code: str) -> str:
        return str(self._track_titles.get(code, code))

    def track(self, code: str) -> Track:
        """The pista with this code; KeyError for an unknown code."""
        codes = self.track_codes
        if code not in codes:
            raise KeyError(code)
        row = self.tracks.iloc[codes.index(code)]
        return Track(
            code=code,
            title=str(row["title"]),
            alt_title=str(row["alt_title"] or ""),
            position=codes.index(code) + 1,
        )

    def lines_of(self, code: str) -> list[Line]:
        """The filoni of the pista with this code, in workbook order (empty for none)."""
        rows = self.lines.loc[self.lines["track"] == code, ["track", "title", "description"]]
        return [
            Line(track=str(t), title=str(title), description=str(d or ""))
            for t, title, d in rows.itertuples(index=False)
        ]

    @cached_property
    def _cards(self) -> dict[str, ProjectCard]:
        """Every project's card, built in one pass over each table (a page may show thousands)."""
        items: dict[str, dict[str, list[str]]] = {}
        for project, kind, text in self.items[["project", "kind", "text"]].itertuples(index=False):
            items.setdefault(project, {"done": [], "planned": []}).setdefault(kind, []).append(text)
        source_kinds = dict(self._source_kinds)
        order = {name: i for i, name in enumerate(source_kinds)}
        funding: dict[str, list[Funding]] = {}
        rows = self.funding[["project", "source", "amount", "flag"]].itertuples(index=False)
        for project, source, amount, flag in sorted(rows, key=lambda r: order.get(r[1], 0)):
            if source in source_kinds:
                kind = source_kinds[source]
                value = kinds.kept(kind, amount, flag)
                funding.setdefault(project, []).append(Funding(source, kind, value))
        spending = self._card_spending(funding) if self.has_spending else {}
        cards: dict[str, ProjectCard] = {}
        for record in self.projects.to_dict("records"):
            pid = str(record["id"])
            mine = items.get(pid, {})
            cards[pid] = ProjectCard(
                **{c: str(record[c] if record[c] is not None else "") for c in _CARD_FIELDS},
                track_title=self.track_title(str(record["track"])),
                done=tuple(mine.get("done", ())),
                planned=tuple(mine.get("planned", ())),
                funding=tuple(funding.get(pid, ())),
                owner=str(record["owner"] or ""),
                due=record["due"] if isinstance(record["due"], dt.date) else None,
                spending=tuple(spending.get(pid, ())),
            )
        return cards

    def _card_spending(self, funding: dict[str, list[Funding]]) -> dict[str, list[Spending]]:
        """Per project, a Spending for each euro source that plans an amount for it or has a
        row of «Consuntivo», in source order."""
        money = set(self.amount_sources)
        entered = {
            (p, s): (float(c), float(sp), str(n or ""))
            for p, s, c, sp, n in self.spending[
                ["project", "source", "committed", "spent", "note"]
            ].itertuples(index=False)
        }
        out: dict[str, list[Spending]] = {}
        for project, given in funding.items():
            for f in given:
                if f.source not in money:
                    continue
                committed, spent, note = entered.get((project, f.source), (0.0, 0.0, ""))
                planned = float(f.value)
                if planned or (project, f.source) in entered:
                    out.setdefault(project, []).append(
                        Spending(f.source, planned, committed, spent, note)
                    )
        return out

    def project(self, project_id: str) -> ProjectCard:
        """One project as a card (KeyError for an unknown id)."""
        return self._cards[project_id]

    def cards(self) -> list[ProjectCard]:
        """Every project's card, in workbook order."""
        return list(self._cards.values())

    def funding_of(self, project_id: str) -> dict[str, float | bool]:
        """Source name -> amount (amount sources) or flag (flag sources), in source order."""
        return self._cards[project_id].funding_values()

    # Filters ----------------------------------------------------------------------------

    @_kept
    def funded(self) -> pd.DataFrame:
        """The funding rows where a source actually pays (amount > 0 or a tick)."""
        f = self.funding
        return f.loc[(f["amount"] > 0) | f["flag"]]

    def filter(
        self,
        sources: Iterable[str] | None = None,
        tracks: Iterable[str] | None = None,
        statuses: Iterable[str] | None = None,
    ) -> Plan:
        """A plan restricted to projects matching every given criterion.

        ``sources``: projects funded by at least one of them; the funding and the sources
        tables keep only the chosen sources, so totals show what those sources pay.
        ``None`` means no restriction; an empty list matches nothing.
        """
        criteria = [None if c is None else sorted(c) for c in (sources, tracks, statuses)]
        sources, tracks, statuses = criteria
        projects = self.projects
        funding = self.funding
        sources_table = self.sources
        if sources is not None:
            chosen = list(sources)
            funded = self.funded()
            paid = set(funded.loc[funded["source"].isin(chosen), "project"])
            projects = projects.loc[projects["id"].isin(paid)]
            funding = funding.loc[funding["source"].isin(chosen)]
            sources_table = sources_table.loc[sources_table["name"].isin(chosen)]
        if tracks is not None:
            projects = projects.loc[projects["track"].isin(list(tracks))]
        if statuses is not None:
            projects = projects.loc[projects["status"].isin(list(statuses))]
        ids = set(projects["id"])
        spending = self.spending
        if sources is not None:
            spending = spending.loc[spending["source"].isin(list(sources))]
        view = replace(
            self,
            filtered=True,
            spending_entered=self.has_spending,
            spending=spending.loc[spending["project"].isin(ids)].reset_index(drop=True),
            projects=projects.reset_index(drop=True),
            sources=sources_table.reset_index(drop=True),
            items=self.items.loc[self.items["project"].isin(ids)].reset_index(drop=True),
            funding=funding.loc[funding["project"].isin(ids)].reset_index(drop=True),
        )
        # The view's content follows from the plan's and the criteria: its digest too, without
        # hashing its tables again (the cached_property's slot, filled ahead).
        key = f"{self.digest}|{criteria!r}".encode()
        view.__dict__["digest"] = hashlib.sha256(key).hexdigest()
        return view

    @cached_property
    def digest(self) -> str:
        """A sha256 (64 hex digits) of the plan's content: its meta and every table, cell by cell.

        Equal content, equal digest, whatever object holds it: the key under which the dashboard
        shares a plan's filtered views, figures and tables among sessions (docs/decisions.md,
        «Prestazioni»). Computed once per Plan object; a filtered view gets its digest from its
        plan's and the criteria (``filter``), without hashing its tables.
        """
        digest = hashlib.sha256(repr((self.meta, self.filtered, self.has_spending)).encode())
        for name in TABLE_COLUMNS:
            frame: pd.DataFrame = getattr(self, name)
            digest.update(repr((name, list(frame.columns), list(frame.dtypes))).encode())
            digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
            digest.update(frame.isna().to_numpy().tobytes())  # None apart from the text "None"
        return digest.hexdigest()

    @property
    def is_empty(self) -> bool:
        return self.projects.empty

    @property
    def has_spending(self) -> bool:
        """True when the workbook has a consuntivo (a row of «Consuntivo»). A filtered view keeps
        its plan's answer: a filter that leaves no row still shows zeros, not «not entered»."""
        if self.spending_entered is not None:
            return self.spending_entered
        return not self.spending.empty

    # Totals -----------------------------------------------------------------------------

    @_kept
    def source_totals(self) -> pd.DataFrame:
        """Per source: kind, total (the sum of a number source, the projects ticked of a flag
        source), projects funded (all sources)."""
        funded = self.funded()
        rows = []
        for name, kind in self._source_kinds:
            mine = funded.loc[funded["source"] == name]
            total = float(mine["amount"].sum()) if kinds.is_number(kind) else float(len(mine))
            rows.append({"source": name, "kind": kind, "total": total, "projects": int(len(mine))})
        return pd.DataFrame(rows, columns=["source", "kind", "total", "projects"])

    @_kept
    def amount_by_track(self) -> pd.DataFrame:
        """Sums per track x number source (all tracks, zeros included), long format: column
        ``amount``; filter on ``amount_sources`` for the euros only."""
        amounts = self.funding.loc[self.funding["source"].isin(self.number_sources)]
        merged = amounts.merge(
            self.projects[["id", "track"]], left_on="project", right_on="id", how="inner"
        )
        grid = pd.MultiIndex.from_product(
            [self.track_codes, self.number_sources], names=["track", "source"]
        )
        summed = merged.groupby(["track", "source"])["amount"].sum()
        out = summed.reindex(grid, fill_value=0.0).reset_index()
        out["track_title"] = out["track"].map(self.track_title)
        return out

    @_kept
    def flags_by_track(self) -> pd.DataFrame:
        """Projects ticked per track x flag source (counts), long format."""
        flags = self.funding.loc[
            self.funding["source"].isin(self.flag_sources) & self.funding["flag"]
        ]
        merged = flags.merge(self.projects[["id", "track"]], left_on="project", right_on="id")
        grid = pd.MultiIndex.from_product(
            [self.track_codes, self.flag_sources], names=["track", "source"]
        )
        counted = merged.groupby(["track", "source"]).size()
        out = counted.reindex(grid, fill_value=0).rename("projects").reset_index()
        out["track_title"] = out["track"].map(self.track_title)
        return out

    @_kept
    def status_counts(self) -> pd.Series:
        """Projects per status, in the order of STATUSES (unknown statuses last)."""
        counts = self.projects["status"].value_counts()
        order = [s for s in STATUSES if s in counts.index] + [
            s for s in counts.index if s not in STATUSES
        ]
        return counts.reindex(order).astype(int)

    @_kept
    def status_matrix(self) -> pd.DataFrame:
        """One row per project: track, group, title, status, items done/planned, each source.

        Number sources hold the number (float), flag sources a bool.
        """
        counts = self.items.groupby(["project", "kind"]).size().unstack(fill_value=0)
        matrix = self.projects[["id", "track", "group", "title", "budget_line", "status"]].copy()
        matrix["done"] = matrix["id"].map(counts.get("done", pd.Series(dtype=int))).fillna(0)
        matrix["planned"] = matrix["id"].map(counts.get("planned", pd.Series(dtype=int))).fillna(0)
        matrix[["done", "planned"]] = matrix[["done", "planned"]].astype(int)
        wide_amount = self.funding.pivot_table(
            index="project", columns="source", values="amount", aggfunc="sum"
        )
        wide_flag = self.funding.pivot_table(
            index="project", columns="source", values="flag", aggfunc="max"
        )
        for name, kind in self._source_kinds:
            if kinds.is_number(kind):
                col = wide_amount.get(name, pd.Series(dtype=float))
                matrix[name] = matrix["id"].map(col).fillna(0.0).astype(float)
            else:
                col = wide_flag.get(name, pd.Series(dtype=bool))
                matrix[name] = matrix["id"].map(col).fillna(False).astype(bool)
        matrix["track_title"] = matrix["track"].map(self.track_title)
        matrix["spent"], matrix["spent_share"] = self._spent_per_project(matrix["id"])
        return matrix.reset_index(drop=True)

    def _spent_per_project(self, ids: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Per project, the speso of its euro sources in the plan (a filtered view: the chosen
        ones) and its share of their preventivo; NaN for a project with none of them, and for
        every project of a plan without a consuntivo (never «0 € spesi»)."""
        nothing = pd.Series(math.nan, index=ids.index, dtype=float)
        if not self.has_spending:
            return nothing, nothing.copy()
        sums = self.spending_rows().groupby("project")[["planned", "spent"]].sum()
        spent = ids.map(sums["spent"]).astype(float)
        planned = ids.map(sums["planned"]).astype(float)
        return spent, (spent / planned.where(planned > 0)).astype(float)

    # Consuntivo and what falls due (coopplan.spending) --------------------------------------

    @_kept
    def spending_rows(self) -> pd.DataFrame:
        """Project x euro source rows of preventivo, impegnato, speso, note (``project_rows``)."""
        return spending.project_rows(self)

    @_kept
    def spending_by_source(self) -> pd.DataFrame:
        """Per euro source: preventivo, impegnato, speso, residuo, % speso, scostamento."""
        return spending.by_source(self)

    @_kept
    def spending_by_track(self) -> pd.DataFrame:
        """Per pista, every euro source together: the same figures as ``spending_by_source``."""
        return spending.by_track(self)

    def falling_due(self, today: dt.date, days: int | None = None) -> pd.DataFrame:
        """The projects not concluded whose scadenza falls before the next assembly (or within
        ``days`` days), overdue first (``coopplan.spending.falling_due``)."""
        return spending.falling_due(self, today, spending.horizon(self, today, days).until)
