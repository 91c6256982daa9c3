"""Scadenze: the projects whose scadenza falls before the next assembly (or within a chosen
number of days), the overdue ones first, with referente and stato; filtered like every page."""

import datetime as dt

import streamlit as st

from coopplan import fmt, spending, tables
from ui.components import pager
from ui.page import start
from ui.safe import md, table, text

UNTIL_ASSEMBLY, WITHIN_DAYS = "Fino alla prossima assemblea", "Nei prossimi giorni"

page = start(
    "Scadenze",
    "I progetti non conclusi la cui scadenza cade prima della prossima assemblea, o entro i "
    "giorni scelti: prima quelli in ritardo.",
)
view = page.view
today = dt.date.today()
assembly = view.meta.next_assembly
choices = [UNTIL_ASSEMBLY, WITHIN_DAYS] if assembly and assembly >= today else [WITHIN_DAYS]
how = st.radio("Quali scadenze", choices, horizontal=True, key="scadenze_come")
days = None
if how == WITHIN_DAYS:
    days = int(
        st.number_input(
            "Giorni da oggi",
            min_value=0,
            max_value=730,
            value=spending.DUE_DAYS,
            step=7,
            key="scadenze_giorni",
        )
    )
horizon = spending.horizon(view, today, days)
due = spending.falling_due(view, today, horizon.until)
late = int(due["overdue"].sum())
undated = int(view.projects["due"].isna().sum())

st.markdown(
    md(
        "{late}, {coming} {words} (oggi è il {today}).",
        late=fmt.count(late, "progetto in ritardo", "progetti in ritardo"),
        coming=fmt.count(len(due) - late, "in scadenza", "in scadenza"),
        words=horizon.words,
        today=fmt.date(today),
    )
)
if due.empty:
    st.success(
        text(f"Nessun progetto in scadenza {horizon.words}."), icon=":material/event_available:"
    )
else:
    shown = spending.due_table(due)
    for heading, rows, key in (
        ("In ritardo", shown.iloc[:late], "pagina_ritardo"),
        ("In scadenza", shown.iloc[late:], "pagina_scadenza"),
    ):
        if rows.empty:
            continue
        st.subheader(text(heading))
        page_of = pager(len(rows), key=key)  # 100 rows at a time: thousands stay fast
        st.table(table(tables.page_rows(rows, page_of).set_index("Progetto")))
if undated:
    st.caption(
        text(
            f"{fmt.count(undated, 'progetto non ha', 'progetti non hanno')} una scadenza nel "
            "foglio Progetti (colonna «Scadenza»)."
        )
    )
