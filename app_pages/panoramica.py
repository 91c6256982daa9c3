"""Panoramica: the plan at a glance — totals per source, projects per stato, budget per pista,
and a map of the plan from which a project's card opens."""

import streamlit as st

from coopplan import charts, scope
from ui import components as ui
from ui import keys
from ui import spending as spending_ui
from ui.cache import shared
from ui.changes import progress_by_track, status_strip_since
from ui.page import start
from ui.safe import text
from ui.versions import year_comparison

page = start()  # the plan's own header: title, organisation, year, version date
plan, view = page.plan, page.view

# Numbers first: they show while the chart library is still loading.
ui.source_kpis(view)
status_strip_since(view, page.filters)  # «In corso 12 (+3)» since the last assembly
spending_ui.due_link(view)  # one click to «Scadenze» (issue 23)

st.subheader("Budget per pista e per fonte")
money_note = scope.euros_sentence(plan, view)  # what the euros count under a source filter
if charts.has_amounts(view):
    ui.chart(shared(charts.budget_by_track, view, plan.source_names), key="budget_pista")
    if money_note:
        st.caption(text(money_note))
else:
    st.info(
        text(money_note or "I progetti mostrati non hanno importi in euro."),
        icon=":material/info:",
    )
ui.flag_sources_note(view)
spending_ui.spending_section(view, by="track_title")  # issue 23

with st.container(key=keys.PLAN_MAP):  # hidden on phones (too small to read): the list stays
    st.subheader("La mappa del piano")
    if ui.map_shows_projects(view):
        st.caption(
            "Ogni riquadro è un progetto, nella riga della sua pista: clic per aprire la scheda."
        )
    else:
        st.caption(
            "Ogni riquadro è una pista, con il numero dei suoi progetti (troppi per un riquadro "
            "ciascuno): scegli un progetto qui sotto per aprire la scheda."
        )
    ui.plan_map(view, picker_key=keys.OVERVIEW_PROJECT)
chosen = ui.project_picker(view, key=keys.OVERVIEW_PROJECT)
if chosen:
    ui.project_card(plan, chosen, page.filters.sources)

progress_by_track(view)
year_comparison()  # two plan years side by side, when the store holds more than one
