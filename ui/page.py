"""How a dashboard page begins: the plan, the sidebar filters, the heading.

Every page starts with ``page = start(title, intro)`` (or ``context()`` when it draws
its own heading) and then uses ``page.plan`` (the whole plan), ``page.filters`` (the sidebar
choice) and ``page.view`` (the plan as filtered).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from coopplan import Plan
from ui.components import plan_header
from ui.data import current_plan, published_on
from ui.filters import Filters, current_filters, filter_caption, no_match_message
from ui.safe import text


@dataclass(frozen=True)
class PageContext:
    plan: Plan  # the plan in force (or the version viewed), unfiltered
    filters: Filters  # the sidebar filters
    view: Plan  # the plan with the filters applied

    def require_projects(
        self, shown: Plan | None = None, empty_note: str | None = None, caption: bool = True
    ) -> None:
        """Say that the view is filtered (unless ``caption`` is False: the page said it); if
        ``shown`` (default: the view) has no project, say why (``empty_note``, else which
        filters leave nothing) and stop the page there."""
        if caption:
            filter_caption(self.filters, self.plan, self.view)
        if not (self.view if shown is None else shown).is_empty:
            return
        if empty_note:
            st.info(text(empty_note), icon=":material/filter_alt_off:")
        else:
            no_match_message(self.filters, self.plan)
        st.stop()


def context() -> PageContext:
    """The plan, the filters and the filtered view, drawing nothing but a plan error.

    The first line of a page that draws its own heading (pista, Presentazione, Segui dal
    telefono, Aggiorna il piano); app.py has already drawn the filters this reads.
    """
    plan = current_plan()
    filters = current_filters()
    return PageContext(plan, filters, filters.apply(plan))


def start(title: str | None = None, intro: str = "") -> PageContext:
    """The usual first line of a page: context(), the title (None: the plan's own header) and
    the intro, the filter caption; a view without projects says so and stops the page."""
    page = context()
    if title is None:
        plan_header(page.plan, published=published_on())
    else:
        st.title(text(title))
    if intro:
        st.markdown(text(intro))
    page.require_projects()
    return page
