"""Matrice di stato: one row per project, grouped by pista, traffic-light stato, each source."""

import streamlit as st

from coopplan import charts
from ui import components as ui
from ui.boot import through_app
from ui.data import current_plan
from ui.filters import current_filters, filter_caption, no_match_message

through_app()  # first, before anything is drawn (see ui/boot.py)
plan = current_plan()
filters = current_filters()
view = filters.apply(plan)

st.title("Matrice di stato")
st.markdown(
    "Un progetto per riga, raggruppati per pista. Clic su un'intestazione per ordinare, su una "
    "riga per aprire la scheda; il filtro «Stato» è nella barra laterale."
)
filter_caption(filters, plan, view)
if view.is_empty:
    no_match_message(filters, plan)
    st.stop()

ui.status_strip(view)
chosen = ui.matrix(view)
if chosen:
    ui.project_card(view, chosen)

st.subheader("Stato dei progetti per pista")
ui.chart(charts.status_by_track(view), key="stato_pista")
