"""The pages of the dashboard, one per pista generated from the plan."""

from __future__ import annotations

import re

import streamlit as st

from coopplan import Plan
from ui import keys
from ui.safe import md, text

TRACK_PAGE = "app_pages/pista.py"
TOP_ANCHOR = "inizio"  # the pista page's title, where «Torna all'inizio» leads
APP_TITLE = "Piano di lavoro"  # after every page's name in the browser's tab and bookmarks


def track_url(code: str) -> str:
    """'P1' -> 'pista-p1' (URL path of the pista's page)."""
    slug = re.sub(r"[^a-z0-9]+", "-", code.casefold()).strip("-")
    return f"pista-{slug or 'senza-codice'}"


def track_icon(position: int) -> str:
    """A numbered Material icon for the n-th pista (1-9), a generic one after that."""
    return f":material/counter_{position}:" if 1 <= position <= 9 else ":material/route:"


def track_pages(plan: Plan) -> list[st.Page]:
    """One page per pista, in workbook order: the same script, told its pista by URL path (kept
    for this run, so a pista page can link the next one: ``way_on``)."""
    pages = [
        st.Page(
            TRACK_PAGE,
            title=text(plan.track_title(code)),  # the navigation reads it as Markdown
            icon=track_icon(i),
            url_path=track_url(code),
        )
        for i, code in enumerate(plan.track_codes, start=1)
    ]
    st.session_state[keys.TRACK_PAGES] = pages
    return pages


def remember_track(plan: Plan, page: st.Page) -> None:
    """Tell app_pages/pista.py which pista the current page is (None on other pages)."""
    by_url = {track_url(code): code for code in plan.track_codes}
    st.session_state[keys.CURRENT_TRACK] = by_url.get(page.url_path)


def current_track() -> str | None:
    return st.session_state.get(keys.CURRENT_TRACK)


def browser_title(plan: Plan, page: st.Page) -> str:
    """«Panoramica · Piano di lavoro», «Tessere connessioni · Piano di lavoro»: each page's own
    name in the tab and the bookmark (the pista's title as written, not its Markdown-escaped
    navigation label)."""
    by_url = {track_url(code): code for code in plan.track_codes}
    code = by_url.get(page.url_path)
    name = plan.track_title(code) if code else page.title
    return f"{name} · {APP_TITLE}"


def way_on(plan: Plan, code: str) -> None:
    """The end of a pista page: a link to the next pista (after the last, to the overview),
    keeping the filters, and one back to the top of the page (issue 24 §4)."""
    pages = st.session_state.get(keys.TRACK_PAGES) or []
    position = plan.track_codes.index(code)
    query = {k: st.query_params.get_all(k) for k in (keys.SOURCE, keys.TRACK, keys.STATUS)}
    query = {k: v for k, v in query.items() if v}
    st.divider()
    with st.container(horizontal=True, key=keys.WAY_ON):
        if position + 1 < len(pages):
            following = plan.track_codes[position + 1]
            st.page_link(
                pages[position + 1],
                label=text(f"Pista successiva: {plan.track_title(following)}"),
                icon=":material/arrow_forward:",
                query_params=query,
            )
        else:
            st.page_link(
                "app_pages/panoramica.py",
                label="Torna alla panoramica",
                icon=":material/dashboard:",
                query_params=query,
            )
        st.markdown(
            md(
                "[:material/arrow_upward: Torna all'inizio della pagina](#{anchor})",
                anchor=TOP_ANCHOR,
            )
        )
