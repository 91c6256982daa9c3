"""Presentazione: the deck of the plan in force, one slide at a time, for the projector.

The slide number is in the URL (?slide=3) so a reload or a bookmark opens the same slide; the
active filters of the dashboard (kept in the URL by ui.filters) choose what the deck shows.
Sidebar and toolbar are hidden on this page only (the CSS is an element of this page).
"""

from __future__ import annotations

import streamlit as st

from coopplan import Plan
from coopplan.export import cached_file, handout_pdf, plan_fingerprint
from coopplan.export.pdf import pdf_available
from coopplan.export.pptx import MIME as PPTX_MIME
from coopplan.export.pptx import deck_to_pptx
from coopplan.since import with_since
from coopplan.slides import Slide, build_deck
from coopplan.slides_html import css, slide_html
from ui.data import current_plan
from ui.filters import SOURCE_KEY, STATUS_KEY, TRACK_KEY, Filters, current_filters
from ui.hall import phone_url
from ui.safe import md
from ui.since import against_picker, chosen_against, report_for
from ui.versions import VIEW_KEY

SLIDE_PARAM = "slide"
NAV_PX = 72  # the footer band of the 1280 x 720 canvas, where the buttons go

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
.st-key-cp_nav {{ height: calc(var(--u) * {NAV_PX}); width: calc(var(--u) * 1280);
  margin: 0 auto; padding: 0 calc(var(--u) * 56); align-items: center !important;
  gap: calc(var(--u) * 16) !important; flex-wrap: nowrap !important; }}
.st-key-cp_nav button {{ min-height: calc(var(--u) * 48); padding: 0 calc(var(--u) * 18);
  font-size: calc(var(--u) * 22); }}
.st-key-cp_nav button p, .st-key-cp_nav a p {{ font-size: calc(var(--u) * 22); }}
.st-key-cp_nav .cp-number {{ font-size: calc(var(--u) * 24); font-weight: 700; color: #1A1A1A;
  white-space: nowrap; margin: 0 calc(var(--u) * 8); }}
.st-key-cp_nav .cp-filter {{ font-size: calc(var(--u) * 18); color: #4A4A4A; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }}
.st-key-cp_keys {{ display: none !important; }}
/* The read-only banner of ui.versions would push the slide off screen: the deck says it instead. */
[data-testid="stLayoutWrapper"]:has(.st-key-coopplan_leave_view) {{ display: none !important; }}
</style>
"""


@st.cache_data(max_entries=16, show_spinner=False)
def cached_deck(
    fingerprint: str, _plan: Plan, label: str, all_sources: tuple[str, ...], note: str
) -> list[Slide]:
    return build_deck(_plan, label, all_sources, note)


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


def active_filters(plan: Plan) -> Filters:
    """The dashboard's filters; read from the URL when the entry script has not drawn them.

    On a server that has not yet run app.py, Streamlit serves a page of pages/ directly
    (its pages-directory mode), so a bookmarked /presentazione?fonte=…&slide=3 still gets
    its filter from the URL here.
    """
    if SOURCE_KEY in st.session_state:
        return current_filters()
    params = st.query_params
    statuses = set(plan.projects["status"])
    return Filters(
        tuple(s for s in params.get_all(SOURCE_KEY) if s in plan.source_names),
        tuple(t for t in params.get_all(TRACK_KEY) if t in plan.track_codes),
        tuple(s for s in params.get_all(STATUS_KEY) if s in statuses),
    )


def go_to(number: int) -> None:
    st.query_params[SLIDE_PARAM] = str(number)


plan = current_plan()
filters = active_filters(plan)
view = filters.apply(plan)
label = filters.describe(plan)
viewed = st.session_state.get(VIEW_KEY)
note = f"Versione {viewed} del piano, in sola lettura" if viewed else ""
fingerprint = plan_fingerprint(view)
since = report_for(view, filters, chosen_against())  # «Dall'ultima assemblea», if any
deck = with_since(cached_deck(fingerprint, view, label, tuple(plan.source_names), note), since)
since_key = f"{since.start} {since.versions}" if since else ""
total = len(deck)
number = current_number(total)

st.html(PAGE_CSS)
qr_url = phone_url(filters) if number == 1 else ""  # «Segui dal telefono» on the title
st.html(slide_html(deck[number - 1], number, qr_url))

stem = "presentazione-piano"
with st.container(key="cp_nav", horizontal=True, wrap=False, vertical_alignment="center"):
    st.button(
        "Precedente",
        icon=":material/arrow_back:",
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
        icon=":material/arrow_forward:",
        on_click=go_to,
        args=(number + 1,),
        disabled=number >= total,
        shortcut="Right",
        key="cp_next",
    )
    st.space("stretch")
    if deck[0].footer:
        st.markdown(
            md('<span class="cp-filter">{footer}</span>', footer=deck[0].footer),
            unsafe_allow_html=True,
            width="content",
        )
    st.download_button(
        "PowerPoint",
        lambda: cached_file(
            ("pptx", fingerprint, label, note, since_key, *plan.source_names),
            lambda: deck_to_pptx(deck),
        ),
        file_name=f"{stem}.pptx",
        mime=PPTX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key="cp_pptx",
        help="Scarica le slide come file PowerPoint, con grafici modificabili.",
    )
    st.download_button(
        "PDF",
        lambda: cached_file(
            ("pdf", fingerprint, label, note, since_key),
            lambda: handout_pdf(view, label, note, since),
        ),
        file_name="dispensa-piano.pdf",
        mime="application/pdf",
        icon=":material/download:",
        on_click="ignore",
        key="cp_pdf",
        disabled=not pdf_available(),
        help="Scarica la dispensa: una pagina per pista e la tabella del budget."
        if pdf_available()
        else "Per il PDF serve LibreOffice (pacchetto libreoffice-impress), non installato qui.",
    )
    with st.popover("Confronto", icon=":material/compare_arrows:"):
        against_picker()
    st.page_link("pages/panoramica.py", label="Esci", icon=":material/close:")

# Presenter remotes send PageDown / PageUp: two hidden buttons take those keys too.
with st.container(key="cp_keys"):
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
