"""The pages of the dashboard, one per pista generated from the plan."""

from __future__ import annotations

import re

import streamlit as st

from coopplan import Plan
from ui import keys
from ui.safe import text

TRACK_PAGE = "app_pages/pista.py"


def track_url(code: str) -> str:
    """'P1' -> 'pista-p1' (URL path of the pista's page)."""
    slug = re.sub(r"[^a-z0-9]+", "-", code.casefold()).strip("-")
    return f"pista-{slug or 'senza-codice'}"


def track_icon(position: int) -> str:
    """A numbered Material icon for the n-th pista (1-9), a generic one after that."""
    return f":material/counter_{position}:" if 1 <= position <= 9 else ":material/route:"


def track_pages(plan: Plan) -> list[st.Page]:
    """One page per pista, in workbook order: the same script, told its pista by URL path."""
    return [
        st.Page(
            TRACK_PAGE,
            title=text(plan.track_title(code)),  # the navigation reads it as Markdown
            icon=track_icon(i),
            url_path=track_url(code),
        )
        for i, code in enumerate(plan.track_codes, start=1)
    ]


def remember_track(plan: Plan, page: st.Page) -> None:
    """Tell app_pages/pista.py which pista the current page is (None on other pages)."""
    by_url = {track_url(code): code for code in plan.track_codes}
    st.session_state[keys.CURRENT_TRACK] = by_url.get(page.url_path)


def current_track() -> str | None:
    return st.session_state.get(keys.CURRENT_TRACK)
