"""Fonti di finanziamento: totals per source, per pista x source, and what each source pays."""

import streamlit as st

from coopplan import charts, tables
from ui import components as ui
from ui import keys
from ui import spending as spending_ui
from ui.cache import shared
from ui.page import start
from ui.safe import text

page = start(
    "Fonti di finanziamento",
    "Gli importi in euro si sommano; le fonti indicate con una spunta (Sì/No) si contano in "
    "progetti.",
)
plan, view = page.plan, page.view

ui.source_kpis(view)

if charts.has_amounts(view):
    st.subheader("Totale per fonte")
    ui.chart(shared(charts.source_totals, view, plan.source_names), key="totali_fonte")
    st.subheader("Per pista e per fonte")
    ui.chart(shared(charts.budget_by_track, view, plan.source_names), key="pista_fonte")
ui.totals_table(shared(tables.track_source_table, view), "fonti-totali")
spending_ui.spending_section(view)  # preventivo, impegnato, speso (issue 23)

st.subheader("I progetti di ogni fonte")
with st.container(key=f"{keys.WIDE_ONLY}-fonti-aiuto"):  # phones get a list, not rows
    st.caption("Seleziona una riga per aprire la scheda del progetto.")
tabs = st.tabs(  # only the open tab's table is built and sent: a click on a tab reruns
    [text(name) for name in view.source_names], key=keys.SOURCE_TABS, on_change="rerun"
)
for tab, source in zip(tabs, view.source_names, strict=True):
    if not tab.open:
        continue
    with tab:
        chosen = ui.source_projects(view, source)
        if chosen:
            ui.project_card(page.plan, chosen, page.filters.sources)
