"""One pista: its filoni with their paragraphs, then its projects as the slides show them."""

import streamlit as st

from coopplan import Plan, charts, fmt, scope
from ui import components as ui
from ui.cache import shared
from ui.filters import filter_caption
from ui.nav import TOP_ANCHOR, current_track, way_on
from ui.page import context
from ui.safe import join, md, text

page = context()  # the heading is the pista's own, and the filters apply to its projects only
plan = page.plan
track = plan.track(current_track() or plan.track_codes[0])
code = track.code

st.title(text(track.title), anchor=TOP_ANCHOR)
st.markdown(
    md(
        "Pista {n} di {of} · {title}",
        n=track.position,
        of=len(plan.track_codes),
        title=plan.meta.title,
    )
)
# The filter caption counts this pista's projects, and comes before the filoni: on a phone
# they are long, and the caption belongs with the title the reader sees first.
mine = shared(Plan.filter, page.view, tracks=[code])
whole = shared(Plan.filter, plan, tracks=[code]) if page.filters.active else None
filter_caption(page.filters, plan, mine, whole=whole, where="della pista")

st.header("I filoni di intervento")
lines = shared(Plan.lines_of, plan, code)
if not lines:
    st.info("Per questa pista non sono indicati filoni.", icon=":material/info:")
for row_start in range(0, len(lines), 2):
    for column, line in zip(st.columns(2), lines[row_start : row_start + 2], strict=False):
        with column, st.container(border=True):
            st.markdown(md("**{title}**", title=line.title))
            if line.description:
                st.markdown(text(line.description))

if track.alt_title:
    st.header(md("I progetti — {heading}", heading=track.alt_title))
else:
    st.header("I progetti")
excluded = bool(page.filters.tracks) and code not in page.filters.tracks
page.require_projects(
    mine,
    "Questa pista è esclusa dal filtro «Pista» nella barra laterale." if excluded else None,
    caption=False,
)

ui.source_kpis(mine)
ui.status_strip(mine)
if charts.has_amounts(mine):
    budget = [
        md("{source} {total}", source=row.source, total=fmt.money(row.total))
        for row in mine.source_totals().itertuples()
        if row.source in mine.amount_sources and row.total > 0
    ]
    which = " (fonti scelte nel filtro)" if page.filters.sources else ""  # what it counts
    st.caption(md("Budget della pista" + which + ": {budget}", budget=join(budget)))
money_note = scope.euros_sentence(plan, mine)
if money_note:
    st.caption(text(money_note))
ui.project_cards(mine, plan, key=f"schede_{code}", chosen=page.filters.sources)
way_on(plan, code)  # the next pista, or back to the top: never a dead end
