"""What changes between two plans, in words a board member reads, and two years side by side.

``diff_plans(old, new)`` is used for the preview before publishing, for comparing any two
versions in the history, and by the command line. Projects are matched by their ID, piste by their
code, funding sources by their name, filoni by title within their pista (a filone whose title
changed while its paragraph or its place stayed is reported as renamed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from coopplan import fmt, kinds
from coopplan.kinds import MINUS as MINUS
from coopplan.plan import Funding, Plan
from coopplan.workbook.schema import META_FIELDS, PROGETTI


def signed_money(value: float) -> str:
    """2500 -> '+2.500 €', -2500 -> '−2.500 €', 0 -> '0 €'."""
    if value == 0:
        return fmt.money(0)
    return ("+" if value > 0 else MINUS) + fmt.money(abs(value))


EMPTY = "(vuoto)"  # a value that was not there, as every sentence of a change says it


@dataclass(frozen=True)
class ProjectRef:
    id: str
    title: str
    track: str

    @property
    def label(self) -> str:
        return f"{self.title} ({self.id})" if self.title else self.id


@dataclass(frozen=True)
class Change:
    """One field that changed: its name as in the workbook, before and after (as text)."""

    field: str
    old: str
    new: str
    added: tuple[str, ...] = ()  # for a list of activities: the entries that were not there


@dataclass(frozen=True)
class ProjectChange:
    project: ProjectRef
    changes: tuple[Change, ...]

    @property
    def field_names(self) -> list[str]:
        return [c.field for c in self.changes]


@dataclass(frozen=True)
class StatusChange:
    project: ProjectRef
    old: str
    new: str


@dataclass(frozen=True)
class Delta:
    """A total that changed: per source (``where`` empty) or per pista and source."""

    source: str
    kind: str  # a coopplan.kinds kind: the sum of a number source, projects ticked of a flag
    old: float
    new: float
    where: str = ""  # the pista, for differences per pista

    @property
    def difference(self) -> float:
        return self.new - self.old

    def shown(self, value: float) -> str:
        return kinds.format_total(self.kind, value)

    @property
    def shown_difference(self) -> str:
        return kinds.format_change(self.kind, self.difference)


@dataclass(frozen=True)
class SpendingChange:
    """An amount of «Consuntivo» that changed for one project and source: ``what`` is
    «Impegnato» or «Speso»."""

    project: ProjectRef
    source: str
    what: str
    old: float
    new: float

    @property
    def difference(self) -> float:
        return self.new - self.old


@dataclass(frozen=True)
class Rename:
    where: str  # the pista of a filone; the code of a pista
    old: str
    new: str


@dataclass(frozen=True)
class PlanDiff:
    meta: tuple[Change, ...] = ()
    added: tuple[ProjectRef, ...] = ()
    removed: tuple[ProjectRef, ...] = ()
    changed: tuple[ProjectChange, ...] = ()
    statuses: tuple[StatusChange, ...] = ()
    by_source: tuple[Delta, ...] = ()
    by_track: tuple[Delta, ...] = ()
    tracks_renamed: tuple[Rename, ...] = ()
    tracks_added: tuple[str, ...] = ()
    tracks_removed: tuple[str, ...] = ()
    lines_renamed: tuple[Rename, ...] = ()
    lines_added: tuple[str, ...] = ()
    lines_removed: tuple[str, ...] = ()
    lines_described: tuple[str, ...] = ()  # filoni whose paragraph changed
    sources_added: tuple[str, ...] = ()
    sources_removed: tuple[str, ...] = ()
    spending: tuple[SpendingChange, ...] = ()

    @property
    def unchanged(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def sentences(self) -> list[str]:
        """The changes as short Italian sentences (command line, summaries)."""
        if self.unchanged:
            return [NOTHING_CHANGES]
        out: list[str] = []
        out += [f"{c.field} del piano: da «{c.old}» a «{c.new}»." for c in self.meta]
        out += [
            f"Pista {r.where} rinominata: da «{r.old}» a «{r.new}»." for r in self.tracks_renamed
        ]
        out += [f"Nuova pista: {t}." for t in self.tracks_added]
        out += [f"Pista tolta: {t}." for t in self.tracks_removed]
        out += [
            f"Filone rinominato ({r.where}): da «{r.old}» a «{r.new}»." for r in self.lines_renamed
        ]
        out += [f"Nuovo filone: {t}." for t in self.lines_added]
        out += [f"Filone tolto: {t}." for t in self.lines_removed]
        out += [f"Descrizione modificata del filone {t}." for t in self.lines_described]
        out += [f"Nuova fonte di finanziamento: {s}." for s in self.sources_added]
        out += [f"Fonte di finanziamento tolta: {s}." for s in self.sources_removed]
        out += [f"Progetto aggiunto: {p.label}." for p in self.added]
        out += [f"Progetto tolto: {p.label}." for p in self.removed]
        out += [
            f"Progetto modificato: {c.project.label} – "
            f"{'; '.join(_said(f) for f in c.changes if f.field != STATUS_FIELD)}."
            for c in self.changed
            if c.field_names != [STATUS_FIELD]  # a status change has its own sentence
        ]
        out += [f"Stato di {s.project.label}: da «{s.old}» a «{s.new}»." for s in self.statuses]
        out += [
            f"{c.what} su {c.project.label} – {c.source}: {signed_money(c.difference)} "
            f"(da {fmt.money(c.old)} a {fmt.money(c.new)})."
            for c in self.spending
        ]
        return out + self.total_sentences()

    def total_sentences(self) -> list[str]:
        """The totals per source and per pista that changed: what the edits above add up to,
        not edits of their own (a summary counts them apart)."""
        out = [
            f"{d.source}: {d.shown_difference} (da {d.shown(d.old)} a {d.shown(d.new)})."
            for d in self.by_source
        ]
        return out + [
            f"{d.where} – {d.source}: {d.shown_difference} "
            f"(da {d.shown(d.old)} a {d.shown(d.new)})."
            for d in self.by_track
        ]

    def total_count(self) -> int:
        """How many of ``sentences()`` are totals (the rest are edits), without writing them."""
        return len(self.by_source) + len(self.by_track)

    def tables(self) -> list[tuple[str, pd.DataFrame]]:
        """The changes as a few small headed tables of texts (the page's preview and history);
        only the tables that have rows, none when nothing changes."""
        general = [[f"{c.field} del piano", c.old, c.new] for c in self.meta]
        general += [[f"Pista {r.where} rinominata", r.old, r.new] for r in self.tracks_renamed]
        general += [["Nuova pista", "", t] for t in self.tracks_added]
        general += [["Pista tolta", t, ""] for t in self.tracks_removed]
        general += [[f"Filone rinominato ({r.where})", r.old, r.new] for r in self.lines_renamed]
        general += [["Nuovo filone", "", t] for t in self.lines_added]
        general += [["Filone tolto", t, ""] for t in self.lines_removed]
        general += [["Descrizione del filone modificata", "", t] for t in self.lines_described]
        general += [["Nuova fonte", "", s] for s in self.sources_added]
        general += [["Fonte tolta", s, ""] for s in self.sources_removed]
        sections = [
            ("Piano, piste, filoni e fonti", ["Che cosa", "Prima", "Dopo"], general),
            (
                "Totali per fonte di finanziamento",
                ["Fonte", "Prima", "Dopo", "Differenza"],
                [
                    [d.source, d.shown(d.old), d.shown(d.new), d.shown_difference]
                    for d in self.by_source
                ],
            ),
            (
                "Budget per pista",
                ["Pista", "Fonte", "Prima", "Dopo", "Differenza"],
                [
                    [d.where, d.source, d.shown(d.old), d.shown(d.new), d.shown_difference]
                    for d in self.by_track
                ],
            ),
            (
                "Consuntivo: impegnato e speso",
                ["Progetto", "Fonte", "Voce", "Prima", "Dopo", "Differenza"],
                [
                    [
                        c.project.label,
                        c.source,
                        c.what,
                        fmt.money(c.old),
                        fmt.money(c.new),
                        signed_money(c.difference),
                    ]
                    for c in self.spending
                ],
            ),
            (
                "Progetti aggiunti e tolti",
                ["", "Progetto", "Pista"],
                [["Aggiunto", p.label, p.track] for p in self.added]
                + [["Tolto", p.label, p.track] for p in self.removed],
            ),
            (
                "Stati cambiati",
                ["Progetto", "Stato prima", "Stato dopo"],
                [[s.project.label, s.old, s.new] for s in self.statuses],
            ),
            (
                "Progetti modificati",
                ["Progetto", "Campo", "Prima", "Dopo"],
                [
                    [c.project.label, f.field, f.old, f.new]
                    for c in self.changed
                    for f in c.changes
                    if f.field != STATUS_FIELD  # a status change is listed once, above
                ],
            ),
        ]
        return [
            (title, pd.DataFrame(rows, columns=columns))
            for title, columns, rows in sections
            if rows
        ]


NOTHING_CHANGES = "Nessuna modifica: il contenuto è identico al piano di confronto."


def stale_version_date(old: Plan, new: Plan) -> bool:
    """True when ``new``'s «Data versione» is missing or not later than ``old``'s (the plan in
    force): published as it is, the header would keep saying the old date."""
    before, after = old.meta.version_date, new.meta.version_date
    return after is None or (before is not None and after <= before)


def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    """Everything that differs from ``old`` to ``new``."""
    tracks_renamed, tracks_added, tracks_removed = _tracks(old, new)
    lines_renamed, lines_added, lines_removed, lines_described = _lines(old, new)
    added, removed, changed, statuses = _projects(old, new)
    old_sources, new_sources = old.source_names, new.source_names
    return PlanDiff(
        meta=_meta(old, new),
        added=added,
        removed=removed,
        changed=changed,
        statuses=statuses,
        by_source=_by_source(old, new),
        by_track=_by_track(old, new),
        tracks_renamed=tracks_renamed,
        tracks_added=tracks_added,
        tracks_removed=tracks_removed,
        lines_renamed=lines_renamed,
        lines_added=lines_added,
        lines_removed=lines_removed,
        lines_described=lines_described,
        sources_added=tuple(s for s in new_sources if s not in old_sources),
        sources_removed=tuple(s for s in old_sources if s not in new_sources),
        spending=_spending(old, new),
    )


# Parts -------------------------------------------------------------------------------------


def _meta(old: Plan, new: Plan) -> tuple[Change, ...]:
    out = []
    for key, label in META_FIELDS.items():
        before, after = getattr(old.meta, key), getattr(new.meta, key)
        if before != after:
            out.append(Change(label, _meta_text(before), _meta_text(after)))
    return tuple(out)


def _meta_text(value: object) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.date):
        return fmt.date(value)
    return str(value)


def _tracks(old: Plan, new: Plan) -> tuple[tuple[Rename, ...], tuple[str, ...], tuple[str, ...]]:
    before = dict(zip(old.tracks["code"], old.tracks["title"], strict=True))
    after = dict(zip(new.tracks["code"], new.tracks["title"], strict=True))
    renamed = tuple(
        Rename(code, before[code], title)
        for code, title in after.items()
        if code in before and before[code] != title
    )
    added = tuple(f"{code} – {title}" for code, title in after.items() if code not in before)
    removed = tuple(f"{code} – {title}" for code, title in before.items() if code not in after)
    return renamed, added, removed


def _lines(
    old: Plan, new: Plan
) -> tuple[tuple[Rename, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    renamed: list[Rename] = []
    added: list[str] = []
    removed: list[str] = []
    described: list[str] = []
    codes = list(dict.fromkeys(list(old.track_codes) + list(new.track_codes)))
    for code in codes:
        before = _lines_of(old, code)
        after = _lines_of(new, code)
        where = new.track_title(code) if code in new.track_codes else old.track_title(code)
        for title in before.keys() & after.keys():
            if before[title][1] != after[title][1]:
                described.append(f"«{title}» ({where})")
        gone = [t for t in before if t not in after]
        new_titles = [t for t in after if t not in before]
        for old_title, new_title in _pair_renames(gone, new_titles, before, after):
            renamed.append(Rename(where, old_title, new_title))
            gone.remove(old_title)
            new_titles.remove(new_title)
        added += [f"«{t}» ({where})" for t in new_titles]
        removed += [f"«{t}» ({where})" for t in gone]
    return tuple(renamed), tuple(added), tuple(removed), tuple(described)


def _lines_of(plan: Plan, code: str) -> dict[str, tuple[int, str]]:
    """Filone title -> (position within its pista, paragraph)."""
    rows = plan.lines.loc[plan.lines["track"] == code]
    return {
        str(r["title"]): (i, str(r["description"])) for i, r in enumerate(rows.to_dict("records"))
    }


def _pair_renames(
    gone: list[str],
    new_titles: list[str],
    before: dict[str, tuple[int, str]],
    after: dict[str, tuple[int, str]],
) -> list[tuple[str, str]]:
    """Old and new titles of the same filone: same paragraph first, then same place."""
    pairs: list[tuple[str, str]] = []
    free_old, free_new = list(gone), list(new_titles)
    for same in (
        lambda a, b: before[a][1] == after[b][1] and before[a][1] != "",
        lambda a, b: before[a][0] == after[b][0],
    ):
        for old_title in list(free_old):
            match = next((n for n in free_new if same(old_title, n)), None)
            if match is not None:
                pairs.append((old_title, match))
                free_old.remove(old_title)
                free_new.remove(match)
    return pairs


PROJECT_FIELDS = tuple(c for c in PROGETTI.columns if c.key != "id")
STATUS_FIELD = PROGETTI.column("status").header
ITEM_FIELDS = {"done": "Attività realizzate", "planned": "Ipotesi di lavoro"}


def _projects(
    old: Plan, new: Plan
) -> tuple[
    tuple[ProjectRef, ...],
    tuple[ProjectRef, ...],
    tuple[ProjectChange, ...],
    tuple[StatusChange, ...],
]:
    old_ids, new_ids = _ids(old), _ids(new)
    common = set(old_ids) & set(new_ids)
    touched = _touched(old, new, old_ids, new_ids, common)
    # Only the projects that may differ are compared field by field (the others are equal):
    # the removed, the added and the touched ones, each plan restricted to them.
    old = _restricted(old, old_ids.isin(touched | (set(old_ids) - common)))
    new = _restricted(new, new_ids.isin(touched | (set(new_ids) - common)))
    before = {str(p["id"]): p for p in old.projects.to_dict("records")}
    after = {str(p["id"]): p for p in new.projects.to_dict("records")}
    added = tuple(_ref(p) for pid, p in after.items() if pid not in before)
    removed = tuple(_ref(p) for pid, p in before.items() if pid not in after)
    changed: list[ProjectChange] = []
    statuses: list[StatusChange] = []
    for pid, project in after.items():
        if pid not in before:
            continue
        changes = _project_changes(old, new, before[pid], project)
        if changes:
            changed.append(ProjectChange(_ref(project), changes))
        if before[pid]["status"] != project["status"]:
            statuses.append(StatusChange(_ref(project), before[pid]["status"], project["status"]))
    return added, removed, tuple(changed), tuple(statuses)


def _ids(plan: Plan) -> pd.Series:
    """The projects' IDs as text, one per row of ``plan.projects``."""
    return _as_text(plan.projects["id"])


def _as_text(column: pd.Series) -> pd.Series:
    """``str`` of every value, as plain Python strings (pandas' own string dtype is much slower
    to hash into sets and ``isin`` here)."""
    values = column.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) != "string":  # not all str already
        values = np.array([str(v) for v in values], dtype=object)
    return pd.Series(values, dtype=object)


def _touched(
    old: Plan, new: Plan, old_ids: pd.Series, new_ids: pd.Series, common: set[str]
) -> set[str]:
    """The IDs in both plans whose project may differ: a superset of those with a change.

    Found with whole-table comparisons (no per-project Python work): a field whose value or
    text differs, a funding row or an activity not found identical in the other plan, a source
    whose kind changed. Repeated IDs in a plan: every common ID (the exact comparison decides).
    """
    if old_ids.duplicated().any() or new_ids.duplicated().any():
        return set(common)
    touched = _fields_touched(old, new, old_ids, new_ids, common)
    touched |= _rows_touched(old.funding, new.funding, ["source", "amount", "flag"])
    touched |= _rows_touched(old.items, new.items, ["kind", "text"])
    touched |= _kinds_touched(old, new)
    return touched & common


def _fields_touched(
    old: Plan, new: Plan, old_ids: pd.Series, new_ids: pd.Series, common: set[str]
) -> set[str]:
    """Common IDs whose project fields differ by value, by text or by emptiness."""
    keys = new_ids.loc[new_ids.isin(common)].to_numpy()
    at_old = pd.Index(old_ids).get_indexer(keys)
    at_new = pd.Index(new_ids).get_indexer(keys)
    differs = np.zeros(len(keys), dtype=bool)
    for column in dict.fromkeys([c.key for c in PROJECT_FIELDS] + ["status"]):
        x = old.projects[column].to_numpy(dtype=object)[at_old]
        y = new.projects[column].to_numpy(dtype=object)[at_new]
        empty_x, empty_y = pd.isna(x), pd.isna(y)
        values = ~(x == y)
        if column != "status":  # two empty cells read alike; a status compares as it is
            values &= ~(empty_x & empty_y)
        differs |= values | (empty_x != empty_y) | (x.astype(str) != y.astype(str))
    return set(keys[differs])


def _rows_touched(old: pd.DataFrame, new: pd.DataFrame, columns: list[str]) -> set[str]:
    """Projects whose rows (``columns``, in order within project and first column) are not all
    found identical in the other table; a missing text counts as a difference."""
    frames = []
    for table in (old, new):
        frame = table[columns].copy()
        frame["project"] = _as_text(table["project"]).to_numpy()
        frame["nth"] = frame.groupby(["project", columns[0]], sort=False, dropna=False).cumcount()
        frames.append(frame)
    both = pd.concat(frames, ignore_index=True)
    # A row is unique within its table (project, first column, nth): twice means in both.
    alone = ~both.duplicated(keep=False).to_numpy()
    if "text" in columns:
        alone |= both["text"].isna().to_numpy()
    return set(both.loc[alone, "project"])


def _kinds_touched(old: Plan, new: Plan) -> set[str]:
    """Projects with funding from a source that is only in one plan or changed kind."""
    before, after = _kinds_of(old), _kinds_of(new)
    moved = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    return {
        str(p)
        for table in (old.funding, new.funding)
        for p in table.loc[table["source"].isin(moved), "project"]
    }


def _kinds_of(plan: Plan) -> dict[str, str]:
    """Source name -> kind, as a project card reads them."""
    return dict(zip(plan.sources["name"], plan.sources["kind"], strict=True))


def _restricted(plan: Plan, rows: pd.Series) -> Plan:
    """``plan`` with only the projects of ``rows`` (a boolean mask on its projects), their
    activities and funding: its cards are built for those only."""
    projects = plan.projects.loc[rows.to_numpy()]
    ids = set(_as_text(projects["id"]))
    return replace(
        plan,
        projects=projects,
        items=plan.items.loc[_as_text(plan.items["project"]).isin(ids).to_numpy()],
        funding=plan.funding.loc[_as_text(plan.funding["project"]).isin(ids).to_numpy()],
    )


SAID_WHOLE = 60  # characters: a change this short is said with its values, else by its field


def _said(change: Change) -> str:
    """«Risorse Coop Re-Start da «5.000 €» a «7.500 €»»: where the money went, said in the
    sentence (a summary of a version showed the field's name only); a long text or a list of
    activities by its field's name alone (its values are in the tables)."""
    if change.field in ITEM_FIELDS.values() or len(change.old) + len(change.new) > SAID_WHOLE:
        return change.field
    return f"{change.field} da «{change.old or EMPTY}» a «{change.new or EMPTY}»"


def _ref(project: dict) -> ProjectRef:
    return ProjectRef(str(project["id"]), str(project["title"]), str(project["track"]))


def _project_changes(old: Plan, new: Plan, before: dict, after: dict) -> tuple[Change, ...]:
    out = [
        Change(c.header, _text(before[c.key]), _text(after[c.key]))
        for c in PROJECT_FIELDS
        if _text(before[c.key]) != _text(after[c.key])
    ]
    old_card, new_card = old.project(str(before["id"])), new.project(str(after["id"]))
    old_funding = {f.source: f for f in old_card.funding}
    new_funding = {f.source: f for f in new_card.funding}
    for source in dict.fromkeys(list(old_funding) + list(new_funding)):
        was, now = _funding_text(old_funding.get(source)), _funding_text(new_funding.get(source))
        if was != now:
            out.append(Change(source, was, now))
    for kind, label in ITEM_FIELDS.items():
        a, b = list(getattr(old_card, kind)), list(getattr(new_card, kind))
        if a == b:
            continue
        gone, came = [t for t in a if t not in b], [t for t in b if t not in a]
        if not gone and not came:
            out.append(Change(label, "stesse voci", "in un altro ordine"))
        else:
            out.append(Change(label, "; ".join(gone) or "—", "; ".join(came) or "—", tuple(came)))
    return tuple(out)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


SPENDING_WORDS = {"committed": "Impegnato", "spent": "Speso"}


def _spending(old: Plan, new: Plan) -> tuple[SpendingChange, ...]:
    """Every impegnato and speso of «Consuntivo» that differs (a row missing on one side reads
    as 0 €), in the new plan's project order; whole-table, for plans of any size."""
    keys = ["project", "source"]
    before = old.spending.groupby(keys, sort=False)[list(SPENDING_WORDS)].sum()
    after = new.spending.groupby(keys, sort=False)[list(SPENDING_WORDS)].sum()
    both = before.add_suffix("_old").join(after.add_suffix("_new"), how="outer").fillna(0.0)
    names = {str(p["id"]): p for p in old.projects[["id", "title", "track"]].to_dict("records")}
    names |= {str(p["id"]): p for p in new.projects[["id", "title", "track"]].to_dict("records")}
    order = {pid: i for i, pid in enumerate(names)}
    out: list[tuple[int, SpendingChange]] = []
    for column, what in SPENDING_WORDS.items():
        moved = both.loc[both[f"{column}_old"] != both[f"{column}_new"]]
        olds, news = moved[f"{column}_old"].to_numpy(), moved[f"{column}_new"].to_numpy()
        for (project, source), was, now in zip(moved.index, olds, news, strict=True):
            ref = _ref(names.get(str(project), {"id": project, "title": "", "track": ""}))
            change = SpendingChange(ref, str(source), what, float(was), float(now))
            out.append((order.get(str(project), len(order)), change))
    out.sort(key=lambda pair: (pair[0], pair[1].source, pair[1].what != "Impegnato"))
    return tuple(change for _, change in out)


def _funding_text(given: Funding | None) -> str:
    return "(nessuna colonna)" if given is None else given.text


def _by_source(old: Plan, new: Plan) -> tuple[Delta, ...]:
    before = _totals(old)
    after = _totals(new)
    out = []
    for source in dict.fromkeys(list(before) + list(after)):
        kind = (after.get(source) or before[source])[0]
        a = before.get(source, (kind, 0.0))[1]
        b = after.get(source, (kind, 0.0))[1]
        if a != b:
            out.append(Delta(source, kind, a, b))
    return tuple(out)


def _totals(plan: Plan) -> dict[str, tuple[str, float]]:
    return {str(r.source): (str(r.kind), float(r.total)) for r in plan.source_totals().itertuples()}


def _by_track(old: Plan, new: Plan) -> tuple[Delta, ...]:
    """Per pista and number source (euros, hours, ...), the totals that changed, each in its
    source's kind (coopplan.kinds says its unit)."""
    before = _track_amounts(old)
    after = _track_amounts(new)
    titles = {
        **dict(zip(old.tracks["code"], old.tracks["title"], strict=True)),
        **dict(zip(new.tracks["code"], new.tracks["title"], strict=True)),
    }
    out = []
    for key in dict.fromkeys(list(before) + list(after)):
        (a, kind), (b, _) = before.get(key, (0.0, "")), after.get(key, (0.0, ""))
        if a != b:
            code, source = key
            kind = kind or after[key][1]
            out.append(Delta(source, kind, a, b, f"{code} {titles.get(code, '')}".strip()))
    return tuple(out)


def _track_amounts(plan: Plan) -> dict[tuple[str, str], tuple[float, str]]:
    """(track, number source) -> (its sum, the source's kind)."""
    frame = plan.amount_by_track()
    frame = frame.loc[frame["source"].isin(plan.number_sources)]
    return {
        (str(r.track), str(r.source)): (float(r.amount), plan.kind_of(str(r.source)))
        for r in frame.itertuples(index=False)
    }


# Years side by side ------------------------------------------------------------------------


def compare_years(plans: Sequence[Plan]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Totals per source and per pista of several plans (one column per year, oldest first).

    Per source: columns "Fonte", "Tipo" ("Importo" | "Sì/No"), one per year (euro, or projects
    ticked for yes/no sources). Per pista: "Pista", one column per year (euro, all amount sources).
    With exactly two years a last column "Variazione" holds the difference (newest − oldest).
    Piste are matched by code, sources by name; something missing in a year counts as 0.
    """
    ordered = sorted(plans, key=lambda p: p.meta.year)
    years = [str(p.meta.year) for p in ordered]
    source_rows: dict[str, dict[str, object]] = {}
    track_rows: dict[str, dict[str, object]] = {}
    for plan, year in zip(ordered, years, strict=True):
        for row in plan.source_totals().itertuples():
            entry = source_rows.setdefault(
                str(row.source), {"Fonte": row.source, "Tipo": kinds.label(str(row.kind))}
            )
            entry[year] = float(row.total)
        money = plan.amount_by_track()
        money = money.loc[money["source"].isin(plan.amount_sources)]
        amounts = money.groupby("track", sort=False)["amount"].sum()
        for code in plan.track_codes:
            entry = track_rows.setdefault(code, {})
            entry["Pista"] = f"{code} – {plan.track_title(code)}"
            entry[year] = float(amounts.get(code, 0.0))
    by_source = pd.DataFrame(list(source_rows.values()), columns=["Fonte", "Tipo", *years])
    by_track = pd.DataFrame(list(track_rows.values()), columns=["Pista", *years])
    for frame in (by_source, by_track):
        frame[years] = frame[years].fillna(0.0).astype(float)
        if len(years) == 2:
            frame["Variazione"] = frame[years[1]] - frame[years[0]]
    return by_source, by_track
