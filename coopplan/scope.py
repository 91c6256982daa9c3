"""What a filtered view counts, said in words that stay true under every filter.

A filter on the funding source keeps the projects paid by the chosen sources and keeps, in the
view's totals, only those sources; the projects shown may still receive euros from other
sources. These sentences say which euros a total counts («di cui …») and how many projects,
piste and filoni a count is of, so no sentence about the filtered view is false.
"""

from __future__ import annotations

from dataclasses import dataclass

from coopplan import fmt
from coopplan.plan import Plan


@dataclass(frozen=True)
class Euros:
    """The euros the shown projects receive: from the chosen sources and from the others.

    ``chosen`` / ``others``: source name -> euros (> 0 only), in source order;
    ``projects_with_others``: how many shown projects receive euros from another source."""

    chosen: dict[str, float]
    others: dict[str, float]
    projects_with_others: int

    @property
    def total(self) -> float:
        return sum(self.chosen.values()) + sum(self.others.values())


def euros(full: Plan, view: Plan) -> Euros:
    """The euros of ``view``'s projects, as ``full`` (the unfiltered plan) records them, split
    between the sources ``view`` keeps (the chosen ones) and the others."""
    shown = set(view.projects["id"])
    money = full.amount_sources
    funded = full.funded()
    paid = funded.loc[funded["project"].isin(shown) & funded["source"].isin(money)]
    sums = paid.groupby("source")["amount"].sum()
    kept = set(view.source_names)
    chosen = {s: float(sums[s]) for s in money if s in sums.index and s in kept}
    others = {s: float(sums[s]) for s in money if s in sums.index and s not in kept}
    with_others = paid.loc[~paid["source"].isin(kept), "project"].nunique()
    return Euros(chosen, others, int(with_others))


def _listed(amounts: dict[str, float]) -> str:
    return ", ".join(f"{name} {fmt.money(value)}" for name, value in amounts.items())


def euros_sentence(full: Plan, view: Plan) -> str:
    """One true sentence about the euros of the shown projects ('' when the view is not
    filtered by source, or nothing is paid in euros at all).

    E.g. «Le fonti scelte non hanno importi in euro; 5 dei 15 progetti mostrati ricevono
    25.000 € da altre fonti: Risorse Coop Re-Start 25.000 €.» or «I progetti mostrati ricevono
    66.000 €, di cui 41.000 € dalle fonti scelte (…) e 25.000 € da altre fonti (…).»"""
    if set(view.source_names) == set(full.source_names):
        return ""
    split = euros(full, view)
    shown = len(view.projects)
    if not split.others:
        if not split.chosen:
            return "I progetti mostrati non hanno importi in euro da nessuna fonte."
        return f"I progetti mostrati ricevono {fmt.money(split.total)}, tutti dalle fonti scelte."
    others = sum(split.others.values())
    if not split.chosen:
        if shown == 1:
            who = "il progetto mostrato riceve"
        else:
            of = fmt.count(shown, "progetto mostrato", "progetti mostrati")
            who = f"{fmt.number(split.projects_with_others)} dei {of} "
            who += "riceve" if split.projects_with_others == 1 else "ricevono"
        return (
            f"Le fonti scelte non hanno importi in euro; {who} {fmt.money(others)} "
            f"da altre fonti: {_listed(split.others)}."
        )
    return (
        f"I progetti mostrati ricevono {fmt.money(split.total)}, di cui "
        f"{fmt.money(sum(split.chosen.values()))} dalle fonti scelte ({_listed(split.chosen)}) "
        f"e {fmt.money(others)} da altre fonti ({_listed(split.others)})."
    )


def shown_tracks(plan: Plan) -> list[str]:
    """The codes of the piste holding at least one of ``plan``'s projects, in pista order."""
    held = set(plan.projects["track"])
    return [code for code in plan.track_codes if code in held]


def counts_sentence(plan: Plan, filtered: bool = False) -> str:
    """«4 piste, 16 filoni, 18 progetti, 40 attività»; for a filtered plan the piste counted
    are those holding a shown project, and the plan's own counts follow «su»:
    «1 progetto e 3 attività in 1 pista (su 4 piste e 16 filoni del piano)»; when the shown
    projects are in every pista, the piste are named once: «12 progetti e 30 attività in tutte
    le 4 piste del piano (16 filoni)»."""
    projects = fmt.count(len(plan.projects), "progetto", "progetti")
    items = fmt.count(len(plan.items), "attività", "attività")
    if not filtered:
        return (
            f"{fmt.count(len(plan.tracks), 'pista', 'piste')}, "
            f"{fmt.count(len(plan.lines), 'filone', 'filoni')}, {projects}, {items}"
        )
    held = len(shown_tracks(plan))
    lines = fmt.count(len(plan.lines), "filone", "filoni")
    if held == len(plan.tracks) > 1:  # every pista: said once
        return f"{projects} e {items} in tutte le {fmt.number(held)} piste del piano ({lines})"
    return (
        f"{projects} e {items} in {fmt.count(held, 'pista', 'piste')} "
        f"(su {fmt.count(len(plan.tracks), 'pista', 'piste')} e {lines} del piano)"
    )
