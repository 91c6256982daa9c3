"""Presentazione: the deck of the plan in force, one slide at a time, for the projector.

The slide number is in the URL (?slide=3) so a reload or a bookmark opens the same slide; the
sidebar filters (kept in the URL by ui.filters, drawn by app.py before every page, hidden here)
choose what the deck shows.
Sidebar and toolbar are hidden on this page only (the CSS is an element of this page).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from coopplan.export import formats
from coopplan.export.html import NARROWEST_W, css, slide_html
from coopplan.hall.sala import hall_query
from coopplan.since import with_since
from coopplan.slides import BODY_BOTTOM, CANVAS_H, build_deck
from ui import keys, phones
from ui.cache import shared
from ui.changes import against_picker, chosen_against, report_for
from ui.components import offer_files
from ui.page import context
from ui.safe import md

SLIDE_PARAM = "slide"
NAV_PX = 72  # the footer band of the 1280 x 720 canvas, where the buttons go
FILTER_PX = 21  # the filter's name in that band, in canvas units (18,5 px at 1024 x 768)

NAV, REMOTE, BANNER = (keys.css(k) for k in (keys.DECK_NAV, keys.DECK_REMOTE, keys.LEAVE_VIEW))
PAGE_CSS = f"""
<style>
{css()}
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stDecoration"], [data-testid="stStatusWidget"] {{ display: none !important; }}
[data-testid="stAppViewContainer"], [data-testid="stMain"] {{ background: #FFFFFF; }}
[data-testid="stMain"] {{ overflow: hidden !important; }}
[data-testid="stMainBlockContainer"] {{ padding: 0 !important; max-width: none !important; }}
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {{ gap: 0 !important; }}
{NAV} {{ height: calc(var(--u) * {NAV_PX}) !important; width: min(100vw, calc(var(--u) * 1280));
  margin: 0 auto; padding: 0 calc(var(--u) * 40); align-items: center !important;
  gap: calc(var(--u) * 12) !important; flex-wrap: nowrap !important; }}
{NAV} button {{ min-height: calc(var(--u) * 48); padding: 0 calc(var(--u) * 16);
  font-size: calc(var(--u) * 22); }}
{NAV} button p, {NAV} a p, {NAV} a span {{ font-size: calc(var(--u) * 22); }}
{NAV} .cp-number {{ font-size: calc(var(--u) * 24); font-weight: 700; color: #1A1A1A;
  white-space: nowrap; margin: 0 calc(var(--u) * 8); }}
/* The filter takes the room left between the buttons and wraps to two lines of 21 units
   (18,5 px at 1024x768); the title slide names it whole if it is longer still. */
{NAV} [data-testid="stElementContainer"]:has(.cp-filter) {{ flex: 1 1 0 !important;
  min-width: 0 !important; }}
{NAV} .cp-filter {{ display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2;
  overflow: hidden; font-size: calc(var(--u) * {FILTER_PX}); line-height: 1.3;
  color: #4A4A4A; }}
{REMOTE} {{ display: none !important; }}
/* No QR code when phones cannot reach the server: the reason, where the code would be. */
.cp-hall-note {{ position: fixed; top: calc(var(--u) * 430); right: calc(var(--u) * 40);
  width: calc(var(--u) * 600); margin: 0; padding: calc(var(--u) * 14); font-size: calc(var(--u) * 22);
  line-height: 1.3; background: #FFF4D6; color: #1A1A1A; border: 2px solid #6B5200;
  border-radius: 8px; z-index: 2; }}
.cp-hall-note code {{ font-size: inherit; background: none; color: #1A1A1A; }}
.cp-hall-lead {{ position: fixed; top: 0; right: 0; margin: 0; padding: 2px 10px;
  font-size: 14px; background: #1D6B2B; color: #FFFFFF; z-index: 2; }}
/* The read-only banner of ui.versions would push the slide off screen: the deck says it instead. */
[data-testid="stLayoutWrapper"]:has({BANNER}) {{ display: none !important; }}
</style>
"""


# A filter longer than this many characters does not fit the band's two lines between the buttons
# (at 1024 x 768 the band leaves it about 200 px): where the screen has height to spare (squarer
# than 16:9, e.g. 4:3), it gets a row of its own above the buttons, whole, and the slide gives up
# that height; on a 16:9 screen it stays clamped to two lines (the title slide names it whole).
FILTER_IN_BAND_CHARS = 40
FILTER_ROW_CHARS = 90  # characters a line of its own row holds (1080 units of 21-unit text)
FILTER_LINE = 27.3  # its line height, in canvas units (21 x 1.3)
FILTER_ROW_GAP = 10


def filter_row_css(footer: str) -> str:
    """CSS giving a long filter its own row above the buttons on a screen with height to spare
    (issue 24 §4: at 1024 x 768 a long filter was cut on every slide); '' for a short one."""
    if len(footer) <= FILTER_IN_BAND_CHARS:
        return ""
    lines = -(-len(footer) // FILTER_ROW_CHARS)
    band = round(NAV_PX + lines * FILTER_LINE + FILTER_ROW_GAP)
    u = "var(--u)"
    return f"""<style>
@media (max-aspect-ratio: {NARROWEST_W}/{CANVAS_H + band - NAV_PX}) {{
  .cp-slide {{ height: max(calc({u} * {BODY_BOTTOM}), calc(100vh - {u} * {band})) !important; }}
  {NAV} {{ height: calc({u} * {band}) !important; flex-wrap: wrap !important;
    align-content: center; row-gap: calc({u} * {FILTER_ROW_GAP}) !important; }}
  {NAV} [data-testid="stElementContainer"]:has(.cp-filter) {{ order: -1;
    flex: 1 0 100% !important; }}
  {NAV} > .st-key-cp_next + [data-testid="stElementContainer"] + [data-testid="stLayoutWrapper"] {{
    margin-left: auto; }}
  {NAV} .cp-filter {{ display: block; -webkit-line-clamp: none; overflow: visible; }}
}}
</style>"""


def current_number(total: int) -> int:
    """The slide in the URL, kept between 1 and ``total`` (and written back when corrected)."""
    raw = st.query_params.get(SLIDE_PARAM, "1")
    try:
        number = int(raw)
    except ValueError:
        number = 1
    number = min(max(number, 1), total)
    if raw != str(number):
        st.query_params[SLIDE_PARAM] = str(number)
    return number


def go_to(number: int) -> None:
    st.query_params[SLIDE_PARAM] = str(number)


page = context()
plan, filters, view = page.plan, page.filters, page.view
label = filters.describe(plan)
viewed = st.session_state.get(keys.VIEW_VERSION)
note = f"Versione {viewed} del piano, in sola lettura" if viewed else ""
since = report_for(plan, filters, chosen_against())  # «Dall'ultima assemblea», if any
today = dt.date.today()  # «Scadenze» counts the days from it
deck = with_since(shared(build_deck, view, label, tuple(plan.source_names), note, today), since)
total = len(deck)
number = current_number(total)

st.html(PAGE_CSS)
if deck[0].footer and (row := filter_row_css(deck[0].footer)):
    st.html(row)
phones.take_presenter_key()
against = chosen_against()
leads = phones.move_hall(deck, number, hall_query(plan, phones.hall_filter(filters, against)))
# «Segui dal telefono» on the title: «Sala», only when its address answers
qr_url = phones.phone_url_if_reachable(plan, filters, against) if number == 1 else ""
st.html(slide_html(deck[number - 1], number, qr_url))
if number == 1 and not qr_url:
    st.html(f'<p class="cp-hall-note" role="note">{phones.unreachable_html()}</p>')
if leads:
    st.html('<p class="cp-hall-lead" role="status">La sala segue questa presentazione</p>')


def download_buttons() -> None:
    """The files of the registry offered here (the deck as PowerPoint, the handout as PDF)."""
    subject = formats.Subject(
        view,
        label,
        note=note,
        since=since,
        today=today,
        order=tuple(plan.source_names),
        shown=tuple(deck),  # the deck on screen is the deck in the file
    )
    offer_files(formats.Place.PRESENTATION, subject)


with st.container(key=keys.DECK_NAV, horizontal=True, wrap=False, vertical_alignment="center"):
    st.button(  # no icon: the shortcut's badge already draws the arrow («Precedente ←»)
        "Precedente",
        on_click=go_to,
        args=(number - 1,),
        disabled=number <= 1,
        shortcut="Left",
        key="cp_prev",
    )
    st.markdown(
        md(
            '<span class="cp-number" data-testid="cp-number">{n} / {total}</span>',
            n=number,
            total=total,
        ),
        unsafe_allow_html=True,
        width="content",
    )
    st.button(
        "Successiva",
        on_click=go_to,
        args=(number + 1,),
        disabled=number >= total,
        shortcut="Right",
        key="cp_next",
    )
    if deck[0].footer:  # the filter, in the room left between the buttons
        st.markdown(
            md('<span class="cp-filter">{footer}</span>', footer=deck[0].footer),
            unsafe_allow_html=True,
            width="stretch",
        )
    else:
        st.space("stretch")
    with st.popover("Scarica", icon=":material/download:"):  # one button: the band is narrow
        download_buttons()
    with st.popover("Confronto", icon=":material/compare_arrows:"):
        against_picker()
    st.page_link("app_pages/panoramica.py", label="Esci", icon=":material/close:")

# Presenter remotes send PageDown / PageUp: two hidden buttons take those keys too.
with st.container(key=keys.DECK_REMOTE):
    st.button(
        "Successiva",
        on_click=go_to,
        args=(min(number + 1, total),),
        shortcut="PageDown",
        key="cp_next_remote",
    )
    st.button(
        "Precedente",
        on_click=go_to,
        args=(max(number - 1, 1),),
        shortcut="PageUp",
        key="cp_prev_remote",
    )
