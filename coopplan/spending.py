"""The consuntivo against the preventivo, and what falls due.

Per project and euro source the plan knows the preventivo (the amount of «Progetti») and, when
the workbook has a «Consuntivo», what was committed (impegnato) and paid (speso). Here they are
summed per source and per pista into the figures every view shows:

    preventivo | impegnato | speso | residuo | % speso | scostamento € | scostamento %

- residuo = preventivo − speso (what is left to pay);
- % speso = speso / preventivo (none when the preventivo is 0);
- scostamento = impegnato − preventivo, where impegnato is at least speso (a payment is a
  commitment too): over the preventivo when positive, funds not yet committed when negative;
- a scostamento is *large* when it is at least LARGE_VARIANCE of the preventivo, or when there
  is no preventivo at all (docs/decisions.md, «Consuntivo»).

A plan without a consuntivo (``Plan.has_spending`` False) has none of these figures: views say
NOT_ENTERED, never «0 € spesi».

Projects that fall due: those not concluded whose «Scadenza» comes before the next assembly (the
«Prossima assemblea» of «Piano», when it is still ahead) or within a number of days, the
overdue ones first.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from coopplan import fmt

if TYPE_CHECKING:
    from coopplan.plan import Plan

LARGE_VARIANCE = 0.10
"""A scostamento of at least this share of the preventivo is large: its note is shown beside it."""
DUE_DAYS = 30
"""Days ahead that «what falls due» looks at when no next assembly is ahead."""
DONE_STATUS = "Concluso"
"""A project in this stato no longer falls due, whatever its scadenza."""
NOT_ENTERED = "Consuntivo non ancora inserito"
"""What every view says for a plan without a consuntivo."""

FIGURES = (
    "planned",
    "committed",
    "spent",
    "remaining",
    "spent_share",
    "variance",
    "variance_share",
)
HEADERS: dict[str, str] = {
    "source": "Fonte",
    "track_title": "Pista",
    "title": "Progetto",
    "planned": "Preventivo",
    "committed": "Impegnato",
    "spent": "Speso",
    "remaining": "Residuo",
    "spent_share": "% speso",
    "variance": "Scostamento €",
    "variance_share": "Scostamento %",
    "notes": "Nota",
}
"""Italian headers of the spending tables (the money columns stay numbers)."""


# Project rows ------------------------------------------------------------------------------


def project_rows(plan: Plan) -> pd.DataFrame:
    """One row per project x euro source with a preventivo or a row of «Consuntivo»: project,
    title, track, source, planned, committed, spent, note, large (bool), in plan then source
    order. Only the plan's projects and sources (a filtered view: what the filter keeps)."""
    money = plan.amount_sources
    funding = plan.funding.loc[plan.funding["source"].isin(money), ["project", "source", "amount"]]
    spent = plan.spending.loc[plan.spending["source"].isin(money)]
    spent = spent.groupby(["project", "source"], as_index=False, sort=False).agg(
        committed=("committed", "sum"), spent=("spent", "sum"), note=("note", _first_note)
    )
    rows = funding.rename(columns={"amount": "planned"}).merge(
        spent, on=["project", "source"], how="outer"
    )
    rows[["planned", "committed", "spent"]] = rows[["planned", "committed", "spent"]].fillna(0.0)
    rows["note"] = rows["note"].fillna("")
    entered = rows.merge(spent[["project", "source"]], how="left", indicator=True)["_merge"]
    rows = rows.loc[(rows["planned"] > 0).to_numpy() | (entered == "both").to_numpy()]
    projects = plan.projects[["id", "title", "track"]].rename(columns={"id": "project"})
    projects = projects.assign(_p=range(len(projects)))
    rows = projects.merge(rows, on="project", how="inner")  # only the plan's projects
    order = {name: i for i, name in enumerate(money)}
    rows = rows.assign(_o=rows["source"].map(order))
    rows = rows.sort_values(["_p", "_o"], kind="stable").drop(columns=["_o", "_p"])
    rows["large"] = [
        is_large(variance(c, s, p), p)
        for p, c, s in rows[["planned", "committed", "spent"]].itertuples(index=False)
    ]
    return rows.reset_index(drop=True)


def _first_note(notes: pd.Series) -> str:
    return next((str(n) for n in notes if str(n or "").strip()), "")


def variance(committed: float, spent: float, planned: float) -> float:
    """Scostamento in euro: impegnato (at least speso) − preventivo."""
    return max(committed, spent) - planned


def is_large(gap: float, planned: float) -> bool:
    """True for a scostamento of at least LARGE_VARIANCE of the preventivo (any, without one)."""
    if planned <= 0:
        return gap != 0
    return abs(gap) >= LARGE_VARIANCE * planned - 1e-9


# Sums --------------------------------------------------------------------------------------


def by_source(plan: Plan) -> pd.DataFrame:
    """One row per euro source of the plan (source order, zeros included): source, then
    FIGURES, then notes (the notes of its large project rows, «Progetto: nota; ...»)."""
    return _summed(plan.spending_rows(), "source", plan.amount_sources)


def by_track(plan: Plan) -> pd.DataFrame:
    """One row per pista (workbook order), every euro source of the plan together: track,
    track_title, then FIGURES and notes."""
    out = _summed(plan.spending_rows(), "track", plan.track_codes)
    out.insert(1, "track_title", out["track"].map(plan.track_title))
    return out


def total(plan: Plan) -> dict[str, float]:
    """The FIGURES of every euro source together (NaN shares when there is no preventivo)."""
    rows = plan.spending_rows()
    return _figures(
        float(rows["planned"].sum()), float(rows["committed"].sum()), float(rows["spent"].sum())
    )


def _summed(rows: pd.DataFrame, key: str, keys: list[str]) -> pd.DataFrame:
    sums = rows.groupby(key)[["planned", "committed", "spent"]].sum()
    out = []
    for name in keys:
        planned, committed, spent = (
            (float(v) for v in sums.loc[name]) if name in sums.index else (0.0, 0.0, 0.0)
        )
        mine = rows.loc[(rows[key] == name) & rows["large"] & (rows["note"] != "")]
        notes = "; ".join(f"{t}: {n}" for t, n in zip(mine["title"], mine["note"], strict=True))
        out.append({key: name, **_figures(planned, committed, spent), "notes": notes})
    return pd.DataFrame(out, columns=[key, *FIGURES, "notes"])


def _figures(planned: float, committed: float, spent: float) -> dict[str, float]:
    gap = variance(committed, spent, planned)
    return {
        "planned": planned,
        "committed": committed,
        "spent": spent,
        "remaining": planned - spent,
        "spent_share": spent / planned if planned else math.nan,
        "variance": gap,
        "variance_share": gap / planned if planned else math.nan,
    }


# Words -------------------------------------------------------------------------------------


def percent(share: float) -> str:
    """0.36 -> «36%», 0.125 -> «12,5%»; «—» for no share (no preventivo)."""
    if share is None or math.isnan(share):
        return "—"
    return f"{fmt.number(round(share * 100, 1))}%"


def signed_percent(share: float) -> str:
    """+12% / −5% / 0%; «—» for no share."""
    if share is None or math.isnan(share):
        return "—"
    value = round(share * 100, 1)
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{fmt.number(abs(value))}%"


def signed_money(value: float) -> str:
    """+2.500 € / −2.500 € / 0 €."""
    if value == 0:
        return fmt.money(0)
    return ("+" if value > 0 else "−") + fmt.money(abs(value))


def display_table(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """A ``by_source`` or ``by_track`` frame as the screen shows it: the key column ``label``
    first, money as numbers, the shares and the scostamento as text, the notes last."""
    out = pd.DataFrame({HEADERS[label]: frame[label].to_numpy()})
    for column in ("planned", "committed", "spent", "remaining"):
        out[HEADERS[column]] = frame[column].astype(float).to_numpy()
    out[HEADERS["spent_share"]] = [percent(v) for v in frame["spent_share"]]
    out[HEADERS["variance"]] = [signed_money(v) for v in frame["variance"]]
    out[HEADERS["variance_share"]] = [signed_percent(v) for v in frame["variance_share"]]
    out[HEADERS["notes"]] = frame["notes"].to_numpy()
    return out


def source_sentence(row: dict) -> str:
    """What a president reads aloud for one source: «Risorse Coop Re-Start: spesi 13.700 € su
    25.000 € (54,8%), impegnati 17.200 €, restano 11.300 €.» (the impegnato only when it is more
    than the speso; «oltre il preventivo di …» when the speso passes it)."""
    said = f"{row['source']}: spesi {fmt.money(row['spent'])}"
    if row["planned"] > 0:
        said += f" su {fmt.money(row['planned'])} ({percent(row['spent_share'])})"
    else:
        said += " senza preventivo"
    if row["committed"] > row["spent"]:
        said += f", impegnati {fmt.money(row['committed'])}"
    if row["planned"] <= 0:
        return said + "."
    if row["remaining"] < 0:
        return said + f", oltre il preventivo di {fmt.money(-row['remaining'])}."
    return said + f", restano {fmt.money(row['remaining'])}."


def spending_sentences(plan: Plan) -> list[str]:
    """One sentence per euro source, the whole first («In tutto: …») when there are several;
    [NOT_ENTERED] for a plan without a consuntivo."""
    if not plan.has_spending:
        return [f"{NOT_ENTERED}."]
    rows = plan.spending_by_source().to_dict("records")
    said = [source_sentence(row) for row in rows]
    if len(rows) > 1:
        said.insert(0, source_sentence({"source": WHOLE, **total(plan)}))
    return said


WHOLE = "In tutto"
"""How a sentence names every euro source together."""


def summary_table(plan: Plan, by: str = "source") -> pd.DataFrame:
    """The figures per source (``by="source"``) or per pista (``"track_title"``) as people read
    them, every cell a text (money the Italian way), then a «Totale» row."""
    frame = plan.spending_by_source() if by == "source" else plan.spending_by_track()
    shown = display_table(frame, by)
    whole = total(plan)
    shown.loc[len(shown)] = [
        "Totale",
        *(whole[c] for c in ("planned", "committed", "spent", "remaining")),
        percent(whole["spent_share"]),
        signed_money(whole["variance"]),
        signed_percent(whole["variance_share"]),
        "",
    ]
    for column in ("planned", "committed", "spent", "remaining"):
        shown[HEADERS[column]] = [fmt.money(float(v)) for v in shown[HEADERS[column]]]
    return shown


# What falls due ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Horizon:
    """Up to which day (inclusive) «what falls due» looks, and why, in words."""

    until: dt.date
    words: str  # «entro la prossima assemblea del 15 settembre 2023» / «nei prossimi 30 giorni»


def horizon(plan: Plan, today: dt.date, days: int | None = None) -> Horizon:
    """The next assembly when it is still ahead and ``days`` is None; else ``days`` (DUE_DAYS
    when None) from today."""
    assembly = plan.meta.next_assembly
    if days is None and assembly is not None and assembly >= today:
        return Horizon(assembly, f"entro la prossima assemblea del {fmt.date(assembly)}")
    ahead = DUE_DAYS if days is None else max(0, days)
    return Horizon(
        today + dt.timedelta(days=ahead), f"nei prossimi {fmt.count(ahead, 'giorno', 'giorni')}"
    )


DUE_COLUMNS = ("id", "title", "track", "track_title", "owner", "due", "status", "days", "overdue")


def falling_due(plan: Plan, today: dt.date, until: dt.date) -> pd.DataFrame:
    """The projects not concluded whose scadenza is on or before ``until``: overdue ones (before
    ``today``) first, then by date, ties in plan order. ``days``: days left (negative: late)."""
    projects = plan.projects
    dated = projects.loc[[isinstance(d, dt.date) for d in projects["due"]]]
    dated = dated.loc[(dated["status"] != DONE_STATUS).to_numpy()]
    dated = dated.loc[[d <= until for d in dated["due"]]]
    out = pd.DataFrame(
        {
            "id": dated["id"].to_numpy(),
            "title": dated["title"].to_numpy(),
            "track": dated["track"].to_numpy(),
            "track_title": dated["track"].map(plan.track_title).to_numpy(),
            "owner": dated["owner"].to_numpy(),
            "due": dated["due"].to_numpy(),
            "status": dated["status"].to_numpy(),
            "days": [(d - today).days for d in dated["due"]],
        },
        columns=list(DUE_COLUMNS),
    )
    out["overdue"] = out["days"] < 0
    out["days"] = out["days"].astype(int)
    return out.sort_values(["days"], kind="stable").reset_index(drop=True)


def when_words(days: int) -> str:
    """«scaduto da 3 giorni», «scade oggi», «tra 12 giorni»."""
    if days < 0:
        return f"scaduto da {fmt.count(-days, 'giorno', 'giorni')}"
    if days == 0:
        return "scade oggi"
    return f"tra {fmt.count(days, 'giorno', 'giorni')}"


DUE_HEADERS: dict[str, str] = {
    "title": "Progetto",
    "track_title": "Pista",
    "owner": "Referente",
    "due": "Scadenza",
    "when": "Quando",
    "status": "Stato",
    "id": "ID",
}


def due_table(due: pd.DataFrame) -> pd.DataFrame:
    """``falling_due`` as the screen shows it: Progetto, Pista, Referente, Scadenza (dd/mm/yyyy),
    Quando («scaduto da 3 giorni»), Stato, ID."""
    return pd.DataFrame(
        {
            DUE_HEADERS["title"]: due["title"].to_numpy(),
            DUE_HEADERS["track_title"]: due["track_title"].to_numpy(),
            DUE_HEADERS["owner"]: [o or "—" for o in due["owner"]],
            DUE_HEADERS["due"]: [d.strftime("%d/%m/%Y") for d in due["due"]],
            DUE_HEADERS["when"]: [when_words(int(d)) for d in due["days"]],
            DUE_HEADERS["status"]: due["status"].to_numpy(),
            DUE_HEADERS["id"]: due["id"].to_numpy(),
        }
    )


def others(count: int) -> str:
    """«un altro progetto», «altri 6.036 progetti»: the rest of a list cut short."""
    return "un altro progetto" if count == 1 else f"altri {fmt.number(count)} progetti"


def due_sentence(row: dict) -> str:
    """«Rating cooperativo (Anna Rossi): scaduto da 3 giorni, il 12/06/2023 – In corso.»"""
    who = f" ({row['owner']})" if row["owner"] else ""
    return (
        f"{row['title']}{who}: {when_words(int(row['days']))}, il "
        f"{row['due'].strftime('%d/%m/%Y')} – {row['status']}."
    )
