"""«Dall'ultima assemblea»: what moved between the plan presented to the board and the plan in force.

``since_report(old, new, start)`` reads the existing diff (``coopplan.diff.diff_plans``) and
sorts it the way a president tells it: projects started and concluded, other stato changes,
projects added and removed, budget changes per source, new activities done. ``sentences()`` says
it in Italian sentences read aloud; ``since_slides()`` lays it out as slides (continued when long,
like every slide of ``coopplan.slides``). ``status_deltas`` and ``track_progress`` are the
overview's «In corso 12 (+3)» and the share of projects under way per pista.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from coopplan import fmt, kinds
from coopplan import slides as s
from coopplan.diff import (
    ITEM_FIELDS,
    MINUS,
    SPENDING_WORDS,
    Delta,
    ProjectRef,
    SpendingChange,
    StatusChange,
    diff_plans,
)
from coopplan.plan import Plan
from coopplan.store.marks import last_marked
from coopplan.store.model import Version, VersionStore
from coopplan.workbook.schema import STATUSES

STARTED, CONCLUDED = "In corso", "Concluso"  # the stati that mean «partito» and «concluso»
UNDER_WAY = (STARTED, CONCLUDED)
SLIDE_TITLE = "Dall'ultima assemblea"
DONE_FIELD = ITEM_FIELDS["done"]
BUDGET_LEAD = "Il budget per fonte:"
MOVES_SHOWN = 4  # projects named after a budget change; the rest counted
SPENT_LEAD = "Le spese:"
SPENT_SHOWN = 8  # projects whose speso changed named, the largest first; the rest counted


@dataclass(frozen=True)
class Move:
    """One project's value of a source before and after (a kind's value: euros, hours, a tick)."""

    title: str
    old: float | bool
    new: float | bool


@dataclass(frozen=True)
class Spent:
    """What was spent on one project from one euro source since the comparison: the speso then
    and now, and the preventivo now. ``source`` is named when the project has more than one
    euro source."""

    title: str
    source: str
    old: float
    new: float
    planned: float

    @property
    def difference(self) -> float:
        return self.new - self.old

    def sentence(self) -> str:
        """«Speso 3.000 € su Rating cooperativo: ora 4.500 € su 5.000 €»; a speso that went
        down (a correction) says so: «Speso su X corretto: 500 € in meno, ora …»."""
        where = f"{self.title} ({self.source})" if self.source else self.title
        now = f"ora {fmt.money(self.new)}"
        now += f" su {fmt.money(self.planned)}" if self.planned > 0 else ", senza preventivo"
        if self.difference > 0:
            return f"Speso {fmt.money(self.difference)} su {where}: {now}"
        return f"Speso su {where} corretto: {fmt.money(-self.difference)} in meno, {now}"


@dataclass(frozen=True)
class SinceReport:
    """What changed from the plan presented (``start``: 'Dall'assemblea del 14 marzo 2026',
    ``versions``: 'versione 3 → versione 5') to the plan shown now."""

    start: str
    versions: str
    started: tuple[ProjectRef, ...]
    concluded: tuple[ProjectRef, ...]
    other_statuses: tuple[StatusChange, ...]
    added: tuple[ProjectRef, ...]
    removed: tuple[ProjectRef, ...]
    budget: tuple[Delta, ...]
    done: tuple[tuple[ProjectRef, str], ...]  # (project, a new activity done)
    moves: tuple[tuple[Move, ...], ...] = ()  # per budget change: the projects whose value moved
    scope: str = ""  # the filter the report is restricted to ('Stato: In corso'), '' for all
    spent: tuple[Spent, ...] = ()  # speso changed per project x euro source, largest rise first

    @property
    def unchanged(self) -> bool:
        return not any(
            (
                self.started,
                self.concluded,
                self.other_statuses,
                self.added,
                self.removed,
                self.budget,
                self.done,
                self.spent,
            )
        )

    def parts(self) -> list[tuple[str, tuple[str, ...]]]:
        """(lead, its items) in the order they are told: the slide's headings and bullets. One
        part saying nothing changed when nothing did."""
        if self.unchanged:
            quiet = f"{self.among}nessun progetto ha cambiato stato e il budget è lo stesso."
            return [(quiet[:1].upper() + quiet[1:], ())]
        parts = [
            (self.started, "progetto è partito", "progetti sono partiti"),
            (self.concluded, "progetto si è concluso", "progetti si sono conclusi"),
            (self.added, "progetto è stato aggiunto", "progetti sono stati aggiunti"),
            (self.removed, "progetto è stato tolto", "progetti sono stati tolti"),
        ]
        out = [(_lead(len(refs), one, many), _titles(refs)) for refs, one, many in parts if refs]
        if self.other_statuses:
            lead = _lead(
                len(self.other_statuses),
                "progetto ha cambiato stato",
                "progetti hanno cambiato stato",
            )
            items = tuple(
                f"{c.project.title}: da «{c.old}» a «{c.new}»" for c in self.other_statuses
            )
            out.insert(len([p for p in parts[:2] if p[0]]), (lead, items))
        if self.budget:
            moves = self.moves or tuple(() for _ in self.budget)
            lines = tuple(budget_sentence(d, m) for d, m in zip(self.budget, moves, strict=True))
            out.append((BUDGET_LEAD, lines))
        if self.spent:
            out.append((SPENT_LEAD, spent_lines(self.spent)))
        if self.done:
            lead = _lead(
                len(self.done),
                "nuova attività è stata realizzata",
                "nuove attività sono state realizzate",
            )
            out.append((lead, tuple(f"{text} ({p.title})" for p, text in self.done)))
        return out

    @property
    def among(self) -> str:
        """'Tra i progetti del filtro «Stato: In corso», ' before the first words of a filtered
        report ('' for the whole plan): a sentence scoped by a filter says so."""
        return f"Tra i progetti del filtro «{self.scope}», " if self.scope else ""

    def sentences(self) -> list[str]:
        """The report as sentences a president reads aloud; the first says since when.

        'Dall'assemblea del 14 marzo 2026, 3 progetti sono partiti: A, B e C.'; each budget
        change is a sentence of its own."""
        out = []
        for lead, items in self.parts():
            if lead in (BUDGET_LEAD, SPENT_LEAD):
                out += [f"{item}." for item in items]
            elif items:
                out.append(f"{lead.rstrip(':')}: {_joined(items)}.")
            else:
                out.append(lead)
        first = out[0] if self.unchanged or not self.scope else self.among + _lower_first(out[0])
        out[0] = f"{self.start}, {_lower_first(first)}"
        return out


def since_report(
    old: Plan, new: Plan, start: str, versions: str = "", scope: str = ""
) -> SinceReport:
    """What changed from ``old`` (the plan presented) to ``new``, from the plan diff; ``scope``
    names the filter both plans are restricted to (the sentences say so)."""
    diff = diff_plans(old, new)
    started = tuple(c.project for c in diff.statuses if c.new == STARTED)
    concluded = tuple(c.project for c in diff.statuses if c.new == CONCLUDED)
    others = tuple(c for c in diff.statuses if c.new not in UNDER_WAY)
    done = [
        (change.project, text)
        for change in diff.changed
        for field in change.changes
        if field.field == DONE_FIELD
        for text in field.added
    ]
    done += _done_of_added(new, diff.added)
    return SinceReport(
        start=start,
        versions=versions,
        started=started,
        concluded=concluded,
        other_statuses=others,
        added=diff.added,
        removed=diff.removed,
        budget=diff.by_source,
        done=tuple(done),
        moves=tuple(_moves(old, new, delta) for delta in diff.by_source),
        scope=scope,
        spent=_spent(new, diff.spending) if new.has_spending else (),
    )


def _spent(new: Plan, changes: Sequence[SpendingChange]) -> tuple[Spent, ...]:
    """The speso changes of the diff with the preventivo now, the largest rise first (ties in
    the plan's order); the source named for a project with several euro sources."""
    speso = [c for c in changes if c.what == SPENDING_WORDS["spent"]]
    if not speso:
        return ()
    rows = new.spending_rows()
    planned = {
        (str(p), str(src)): float(a)
        for p, src, a in zip(rows["project"], rows["source"], rows["planned"], strict=True)
    }
    several = set(rows["project"].loc[rows["project"].duplicated()].astype(str))
    out = [
        Spent(
            title=c.project.title or c.project.id,
            source=c.source if c.project.id in several else "",
            old=c.old,
            new=c.new,
            planned=planned.get((c.project.id, c.source), 0.0),
        )
        for c in speso
    ]
    return tuple(sorted(out, key=lambda x: -x.difference))


def spent_lines(spent: Sequence[Spent]) -> tuple[str, ...]:
    """One line per project and source whose speso changed (SPENT_SHOWN at most), then how many
    more and what they add up to; the first line says the whole when there are several."""
    lines = [x.sentence() for x in spent]
    if len(lines) > SPENT_SHOWN:
        rest = spent[SPENT_SHOWN - 1 :]
        total = sum(x.difference for x in rest)
        lines = lines[: SPENT_SHOWN - 1] + [
            f"altri {fmt.count(len(rest), 'progetto', 'progetti')}, per {_more(total)}"
        ]
    if len(spent) > 1:
        total = sum(x.difference for x in spent)
        went = "salito" if total >= 0 else "sceso"
        lines.insert(0, f"In tutto lo speso è {went} di {fmt.money(abs(total))}")
    return tuple(lines)


def _more(value: float) -> str:
    """«7.000 € in più», «500 € in meno»."""
    return f"{fmt.money(abs(value))} {'in più' if value >= 0 else 'in meno'}"


def scoped(
    old: Plan,
    new: Plan,
    sources: Sequence[str] = (),
    tracks: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> tuple[Plan, Plan]:
    """Both plans restricted to a filter (empty: no restriction), as the report compares them.

    With a stato filter a project is kept when its stato then *or* now is chosen: a project
    that moved into or out of the chosen stati is told as a stato change, never as a project
    added or removed."""
    old_view = old.filter(sources=sources or None, tracks=tracks or None)
    new_view = new.filter(sources=sources or None, tracks=tracks or None)
    if not statuses:
        return old_view, new_view
    ids = {
        str(pid)
        for view in (old_view, new_view)
        for pid, status in zip(view.projects["id"], view.projects["status"], strict=True)
        if status in statuses
    }
    return _only(old_view, ids), _only(new_view, ids)


def _only(plan: Plan, ids: set[str]) -> Plan:
    """``plan`` with the projects ``ids`` only (and their activities and funding)."""
    return replace(
        plan,
        projects=plan.projects.loc[plan.projects["id"].isin(ids)].reset_index(drop=True),
        items=plan.items.loc[plan.items["project"].isin(ids)].reset_index(drop=True),
        funding=plan.funding.loc[plan.funding["project"].isin(ids)].reset_index(drop=True),
        spending=plan.spending.loc[plan.spending["project"].isin(ids)].reset_index(drop=True),
        spending_entered=plan.has_spending,
    )


def _moves(old: Plan, new: Plan, delta: Delta) -> tuple[Move, ...]:
    """The projects whose value of ``delta``'s source changed, in the new plan's order (the
    removed ones last): where the money went."""
    before, after = _values(old, delta), _values(new, delta)
    titles = {
        **dict(zip(old.projects["id"], old.projects["title"], strict=True)),
        **dict(zip(new.projects["id"], new.projects["title"], strict=True)),
    }
    nothing = kinds.kept(delta.kind, 0.0, False)
    return tuple(
        Move(str(titles.get(pid, pid)), before.get(pid, nothing), after.get(pid, nothing))
        for pid in dict.fromkeys([*after, *before])
        if before.get(pid, nothing) != after.get(pid, nothing)
    )


def _values(plan: Plan, delta: Delta) -> dict[str, float | bool]:
    """Project id -> its value of ``delta``'s source in ``plan`` (projects of the plan only)."""
    rows = plan.funding.loc[plan.funding["source"] == delta.source]
    rows = rows.loc[rows["project"].isin(set(plan.projects["id"]))]
    return {
        str(pid): kinds.kept(delta.kind, float(a), bool(f))
        for pid, a, f in zip(rows["project"], rows["amount"], rows["flag"], strict=True)
    }


def _done_of_added(plan: Plan, added: Sequence[ProjectRef]) -> list[tuple[ProjectRef, str]]:
    """The activities done of the projects added (all new since the comparison)."""
    if not added:
        return []
    items = plan.items
    done = items.loc[(items["kind"] == "done") & items["project"].isin({r.id for r in added})]
    texts: dict[str, list[str]] = {}
    for pid, text in zip(done["project"], done["text"], strict=True):
        texts.setdefault(str(pid), []).append(str(text))
    return [(ref, text) for ref in added for text in texts.get(ref.id, [])]


def budget_sentence(delta: Delta, moves: Sequence[Move] = ()) -> str:
    """A source's change said once, in its kind's words (coopplan.kinds.change_sentence), then
    where it went: 'Il budget Risorse Coop Re-Start è salito di 2.500 €, da 25.000 € a 27.500 €:
    Rating cooperativo, 5.000 → 7.500 €'."""
    said = kinds.change_sentence(delta.kind, delta.source, delta.old, delta.new)
    if not moves:
        return said
    named = [f"{m.title}, {kinds.format_move(delta.kind, m.old, m.new)}" for m in moves]
    if len(named) > MOVES_SHOWN:
        rest = len(named) - (MOVES_SHOWN - 1)
        named = named[: MOVES_SHOWN - 1] + [f"altri {fmt.count(rest, 'progetto', 'progetti')}"]
    return f"{said}: {'; '.join(named)}"


def since_slides(report: SinceReport) -> list[s.Slide]:
    """«Dall'ultima assemblea» as slides: one block per part (its lead in bold, its items as
    bullets), continued slides «(segue)» when it does not fit; the sentences in the notes."""
    blocks = tuple(
        s.Block(heading=lead, columns=(s.Column("", items),) if items else ())
        for lead, items in report.parts()
    )
    subtitle = report.start + (f" ({report.versions})" if report.versions else "")
    if report.scope:
        subtitle += f" · solo {report.scope}"
    return s._text_slides(
        kind="since",
        title=SLIDE_TITLE,
        subtitle=subtitle,
        blocks=blocks,
        notes="\n".join(report.sentences()),
    )


def with_since(deck: Sequence[s.Slide], report: SinceReport | None) -> list[s.Slide]:
    """``deck`` with the «Dall'ultima assemblea» slides after the opening slide (same footer)."""
    if report is None or not deck:
        return list(deck)
    footer = deck[0].footer
    extra = [replace(slide, footer=footer) for slide in since_slides(report)]
    return [deck[0], *extra, *deck[1:]]


# The overview ----------------------------------------------------------------------------


def status_deltas(old: Plan, new: Plan) -> dict[str, int]:
    """Stato -> projects now minus projects then, for every stato of either plan."""
    before, after = old.status_counts(), new.status_counts()
    names = list(STATUSES) + [x for x in (*after.index, *before.index) if x not in STATUSES]
    return {
        name: int(after.get(name, 0)) - int(before.get(name, 0)) for name in dict.fromkeys(names)
    }


def signed_delta(value: int) -> str:
    """3 -> '(+3)', -2 -> '(−2)', 0 -> '(=)'."""
    if value == 0:
        return "(=)"
    return f"({'+' if value > 0 else MINUS}{fmt.number(abs(value))})"


def track_progress(plan: Plan) -> pd.DataFrame:
    """Per pista (workbook order): ``track`` (code), ``title``, ``projects``, ``under_way``
    (projects «In corso» or «Concluso»), ``concluded``, ``share`` (under_way / projects, 0..1;
    0 for a pista without projects)."""
    rows = []
    projects = plan.projects
    for code in plan.track_codes:
        mine = projects.loc[projects["track"] == code, "status"]
        total = int(len(mine))
        under = int(mine.isin(UNDER_WAY).sum())
        rows.append(
            {
                "track": code,
                "title": plan.track_title(code),
                "projects": total,
                "under_way": under,
                "concluded": int((mine == CONCLUDED).sum()),
                "share": under / total if total else 0.0,
            }
        )
    return pd.DataFrame(
        rows, columns=["track", "title", "projects", "under_way", "concluded", "share"]
    )


# Helpers ---------------------------------------------------------------------------------


def _lead(n: int, singular: str, plural: str) -> str:
    """'3 progetti sono partiti:'; 'Un progetto è partito:'."""
    if n == 1:
        article = "Una" if singular.startswith("nuova") else "Un"
        return f"{article} {singular}:"
    return f"{fmt.number(n)} {plural}:"


def _lower_first(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


def _titles(refs: Sequence[ProjectRef]) -> tuple[str, ...]:
    return tuple(r.title or r.id for r in refs)


def _joined(items: Sequence[str]) -> str:
    """'A, B e C'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} e {items[-1]}"


# From the store --------------------------------------------------------------------------


def assembly_version(store: VersionStore, shown: Version) -> int | None:
    """The version presented at the most recent assembly among ``shown``'s year up to
    ``shown`` (None when none is marked)."""
    numbers = [v.number for v in store.versions(shown.year)]
    mark = last_marked(store.marks(), numbers, before=shown.number)
    return None if mark is None else mark.number


def since_start(store: VersionStore, number: int) -> tuple[str, str]:
    """How the report names version ``number``: ('Dall'assemblea del 14 marzo 2026',
    'versione 3') when it is marked, else ('Dalla versione 3 (25 novembre 2026)', 'versione 3').
    StoreError for an unknown version."""
    old = store.get(number)
    mark = store.marks().get(number)
    if mark:
        return f"Dall'assemblea del {mark.day_text}", f"versione {old.number}"
    when = fmt.date(old.local_time.date())
    return f"Dalla versione {old.number} ({when})", f"versione {old.number}"


def since_last_assembly(
    store: VersionStore, shown: Version, against: int | None = None
) -> SinceReport | None:
    """The report from version ``against`` (default: ``assembly_version``) to ``shown``; None
    when there is none to compare with. StoreError when a version cannot be read."""
    if against is None:
        against = assembly_version(store, shown)
        if against is None:
            return None
    return since_version(store, against, store.load(shown), f"versione {shown.number}")


def since_version(store: VersionStore, number: int, new: Plan, new_label: str) -> SinceReport:
    """The report from stored version ``number`` to the plan ``new`` (``new_label``: how the
    subtitle names it, 'versione 5' or a file name). StoreError when the version does not exist
    or cannot be read."""
    start, old_label = since_start(store, number)
    return since_report(store.load(number), new, start, f"{old_label} → {new_label}")
