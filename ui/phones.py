"""The hall in the dashboard: the «Sala» address phones open (with the filter), whether phones
can reach it, the one spelling of the pista in addresses, and the presenter moving the hall."""

from __future__ import annotations

import html
import time

import streamlit as st

from coopplan import Plan
from coopplan.hall import state as hallstate
from coopplan.hall.links import SALA_PATH, SERVE_COMMAND, hall_url, reachable, serving_port
from coopplan.hall.sala import HallFilter, hall_query
from coopplan.slides import Slide
from ui import keys
from ui.filters import Filters
from ui.safe import Md, md

PRESENTER_PARAM = "conduce"  # ?conduce=KEY: this session moves the hall (the key is printed
# at start on the laptop's terminal, ui/server.py)
PRESENTER = "_coopplan_presenter_key"
LAST_MOVE = "_coopplan_hall_moved"


def hall_filter(filters: Filters, against: int | None = None) -> HallFilter:
    return HallFilter(filters.sources, filters.tracks, filters.statuses, against)


def phone_url(plan: Plan, filters: Filters, against: int | None = None) -> str:
    """«Sala» as the hall reaches it (coopplan.hall.links), with ``filters``; the port is env PORT
    (nginx's, under scripts/serve.sh) else this Streamlit server's."""
    port = serving_port(fallback=int(st.get_option("server.port")))
    return hall_url(hall_query(plan, hall_filter(filters, against)), port=port, path=SALA_PATH)


UNREACHABLE = (
    "I telefoni non possono aprire questa dashboard: è avviata solo per questo computer "
    "(indirizzo localhost), perciò qui non c'è il codice QR. Per servirla alla sala "
    "avviarla con"
)


def unreachable_html() -> str:
    """Italian, for where the QR code would be: why phones cannot open it, and what to run."""
    return f"{UNREACHABLE} <code>{html.escape(SERVE_COMMAND)}</code>."


def phone_url_if_reachable(plan: Plan, filters: Filters, against: int | None = None) -> str:
    """``phone_url`` when its address answers (a QR code never leads nowhere), else ''."""
    url = phone_url(plan, filters, against)
    return url if reachable(url) else ""


def one_spelling(plan: Plan) -> None:
    """``?pista=P3`` (old links, old QR codes) becomes ``?pista=<title>``, the dashboard's own
    spelling, before the filters read the address."""
    values = st.query_params.get_all(keys.TRACK)
    fixed = [plan.track_title(v) if v in plan.track_codes else v for v in values]
    if fixed != values:  # before the filter widget exists (it reads the address when made)
        st.query_params[keys.TRACK] = fixed
        st.rerun()  # after st.navigation: the same page again


def take_presenter_key() -> None:
    """``?conduce=KEY`` with the right key makes this session the presenter (the key stays in
    the session, and leaves the address at once)."""
    offered = st.query_params.get(PRESENTER_PARAM)
    if offered is None:
        return
    del st.query_params[PRESENTER_PARAM]
    hall = hallstate.open_hall()
    if offered == hall.key():
        st.session_state[PRESENTER] = offered


def is_presenter() -> bool:
    return bool(st.session_state.get(PRESENTER))


def move_hall(deck: list[Slide], number: int, query: str) -> bool:
    """Tell the hall the slide shown, if this session is the presenter (only on a change)."""
    key = st.session_state.get(PRESENTER)
    if not key:
        return False
    slide = deck[number - 1]
    record = (number, slide.title, query)
    if st.session_state.get(LAST_MOVE) == record:
        return True
    current = hallstate.Current(number, slide.title, query, "", time.time())
    if hallstate.move(hallstate.open_hall(), key, current):
        st.session_state[LAST_MOVE] = record
        return True
    st.session_state.pop(PRESENTER, None)  # the key changed (another store): no longer presenter
    return False


def phone_menu(pages: list[st.Page], current: st.Page) -> None:
    """On a phone (narrow screens only: ui.components hides it elsewhere), a labelled menu of the
    pages at the top of every page: Streamlit folds its own navigation into the sidebar there,
    behind an unlabelled button. One popover per page (its key names the page), so the menu is
    closed on the page a choice opens."""
    with st.container(key=f"{keys.PHONE_ONLY}-menu"):
        with st.popover("Pagine", icon=":material/menu:", key=f"cp_menu_{current.url_path}"):
            for item in pages:
                # titles made by the code, or by ui.safe.text (nav.track_pages): already Markdown
                st.page_link(page=item, label=md("{title}", title=Md(item.title)))
