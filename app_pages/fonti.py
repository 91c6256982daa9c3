"""Fonti di finanziamento: totals per source, per pista x source, and what each source pays."""

import streamlit as st

from coopplan import charts, tables
from ui import components as ui
from ui import keys
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
    ui.chart(charts.source_totals(view, plan.source_names), key="totali_fonte")
    st.subheader("Per pista e per fonte")
    ui.chart(charts.budget_by_track(view, plan.source_names), key="pista_fonte")
ui.totals_table(tables.track_source_table(view))

st.subheader("I progetti di ogni fonte")
with st.container(key=f"{keys.WIDE_ONLY}-fonti-aiuto"):  # phones get a list, not rows
    st.caption("Seleziona una riga per aprire la scheda del progetto.")
for tab, source in zip(
    st.tabs([text(name) for name in view.source_names]), view.source_names, strict=True
):
    with tab:
        chosen = ui.source_projects(view, source)
        if chosen:
            ui.project_card(page.plan, chosen, page.filters.sources)
