"""The consuntivo and what falls due on screen (figures from coopplan.spending).

Pages call ``spending_section`` (table and chart per source or per pista, or «Consuntivo non
ancora inserito»), ``due_link`` (the overview's one click to «Scadenze») and the project card
calls ``card_extras`` (referente, scadenza, the card's consuntivo).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from coopplan import charts_spending, fmt, spending
from coopplan.charts import PLOTLY_CONFIG
from coopplan.plan import Plan, ProjectCard
from ui.cache import shared
from ui.safe import join, md, table, text

NOT_ENTERED_HELP = (
    "Consuntivo non ancora inserito: quando il foglio «Consuntivo» del file del piano avrà le "
    "somme impegnate e spese, qui compariranno speso, residuo e scostamenti."
)


def spending_table(view: Plan, by: str) -> pd.DataFrame:
    """The figures per source (``by="source"``) or per pista (``"track_title"``) as the screen
    shows them: money written the Italian way, then a «Totale» row."""
    shown = spending.summary_table(view, by)
    return shown.set_index(shown.columns[0])


def spending_section(view: Plan, by: str = "source") -> None:
    """«Speso e impegnato»: the bullet chart and the table, or NOT_ENTERED said once."""
    st.subheader("Speso e impegnato")
    if not view.has_spending:
        st.info(text(NOT_ENTERED_HELP), icon=":material/pending_actions:")
        return
    if not view.amount_sources:
        st.info(text("I progetti mostrati non hanno fonti in euro."), icon=":material/info:")
        return
    st.caption(
        text(
            "Scostamento: impegnato (almeno lo speso) meno preventivo. La nota del consuntivo "
            f"compare accanto agli scostamenti di almeno il "
            f"{spending.percent(spending.LARGE_VARIANCE)} del preventivo."
        )
    )
    figure = (
        charts_spending.spending_by_source if by == "source" else charts_spending.spending_by_track
    )
    st.plotly_chart(
        shared(figure, view),
        config=PLOTLY_CONFIG,
        theme=None,
        key=f"speso_{by}",
    )
    st.table(table(shared(spending_table, view, by)))


def due_link(view: Plan, today: dt.date | None = None) -> None:
    """One click from the overview to «Scadenze», saying how many are late and due."""
    due = view.falling_due(today or dt.date.today())
    late = int(due["overdue"].sum())
    label = (
        f"Scadenze: {fmt.count(late, 'progetto in ritardo', 'progetti in ritardo')}, "
        f"{fmt.count(len(due) - late, 'in scadenza', 'in scadenza')}"
    )
    st.page_link("app_pages/scadenze.py", label=text(label), icon=":material/event_upcoming:")


def card_extras(plan: Plan, card: ProjectCard, today: dt.date | None = None) -> None:
    """Under a project card: referente and scadenza, then its consuntivo per euro source."""
    today = today or dt.date.today()
    people = []
    if card.owner:
        people.append(md("**Referente:** {owner}", owner=card.owner))
    if card.due:
        days = (card.due - today).days
        when = spending.when_words(days) if card.status != spending.DONE_STATUS else "concluso"
        people.append(
            md("**Scadenza:** {date} ({when})", date=card.due.strftime("%d/%m/%Y"), when=when)
        )
    if people:
        st.markdown(join(people))
    if not plan.has_spending:
        if card.paying():
            st.caption(text(spending.NOT_ENTERED))
        return
    for given in card.spending:
        share = spending.percent(given.spent / given.planned) if given.planned else "—"
        gap = spending.variance(given.committed, given.spent, given.planned)
        line = md(
            "**{source}**: speso {spent} di {planned} ({share}), impegnato {committed}, "
            "scostamento {gap}",
            source=given.source,
            spent=fmt.money(given.spent),
            planned=fmt.money(given.planned),
            share=share,
            committed=fmt.money(given.committed),
            gap=spending.signed_money(gap),
        )
        if given.note and spending.is_large(gap, given.planned):
            line = md("{line} — *{note}*", line=line, note=given.note)
        st.markdown(md("{line}", line=line))
