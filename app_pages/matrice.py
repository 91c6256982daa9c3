"""Matrice di stato: one row per project, grouped by pista, traffic-light stato, each source."""

import streamlit as st

from ui import components as ui
from ui.page import start

page = start(
    "Matrice di stato",
    "Un progetto per riga, raggruppati per pista; il filtro «Stato» è tra i «Filtri» della barra "
    "laterale (sul telefono si apre con il pulsante in alto a sinistra).",
)
view = page.view

ui.status_strip(view)
chosen = ui.matrix(view)
if chosen:
    ui.project_card(page.plan, chosen, page.filters.sources)

st.subheader("Stato dei progetti per pista")
ui.status_by_track(view)  # HTML, no Plotly: the page stays light on a phone
