"""One pista: its filoni with their paragraphs, then its projects as the slides show them."""

import streamlit as st

from coopplan import charts, fmt
from ui import components as ui
from ui.boot import through_app
from ui.data import current_plan
from ui.filters import current_filters, filter_caption, no_match_message
from ui.nav import current_track

through_app()  # first, before anything is drawn (see ui/boot.py)
plan = current_plan()
code = current_track() or plan.track_codes[0]
filters = current_filters()
view = filters.apply(plan)
position = plan.track_codes.index(code) + 1
track = plan.tracks.loc[plan.tracks["code"] == code].iloc[0]

st.title(str(track["title"]))
st.markdown(f"Pista {position} di {len(plan.track_codes)} · {plan.meta.title}")

st.header("I filoni di intervento")
lines = plan.lines.loc[plan.lines["track"] == code]
if lines.empty:
    st.info("Per questa pista non sono indicati filoni.", icon=":material/info:")
for row_start in range(0, len(lines), 2):
    for column, line in zip(
        st.columns(2), lines.iloc[row_start : row_start + 2].itertuples(), strict=False
    ):
        with column, st.container(border=True):
            st.markdown(f"**{line.title}**")
            if line.description:
                st.markdown(line.description)

heading = str(track["alt_title"] or track["title"])
st.header(f"I progetti — {heading}" if track["alt_title"] else "I progetti")
filter_caption(filters, plan, view)
mine = view.filter(tracks=[code])
if mine.is_empty:
    if filters.tracks and code not in filters.tracks:
        st.info(
            "Questa pista è esclusa dal filtro «Pista» nella barra laterale.",
            icon=":material/filter_alt_off:",
        )
    else:
        no_match_message(filters, plan)
    st.stop()

ui.source_kpis(mine)
ui.status_strip(mine)
if charts.has_amounts(mine):
    st.caption(
        "Budget della pista: "
        + " · ".join(
            f"{row.source} {fmt.money(row.total)}"
            for row in mine.source_totals().itertuples()
            if row.kind == "amount" and row.total > 0
        )
    )
for project_id in mine.projects["id"]:
    ui.project_card(mine, str(project_id))
