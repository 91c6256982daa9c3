"""The sidebar filters: funding source, pista, stato. Kept in the URL so a view can be shared.

Each filter is a multiselect bound to a query parameter (``?fonte=…&pista=…&stato=…``): the URL
always shows the current filter, a bookmarked URL restores it, and because the widgets live in
the entry script (app.py) they are the same on every page. Nothing chosen = no restriction.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from coopplan import Plan, fmt
from coopplan.workbook.schema import STATUSES
from ui import keys
from ui.cache import shared
from ui.safe import md

SOURCE_LABEL = "Fonte di finanziamento"


@dataclass(frozen=True)
class Filters:
    sources: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.sources or self.tracks or self.statuses)

    def apply(self, plan: Plan) -> Plan:
        """Plan.filter with 'nothing chosen' meaning 'everything'; the view is built once per
        (plan, filters) and shared by every session (ui/cache.py)."""
        return shared(
            Plan.filter,
            plan,
            sources=self.sources or None,
            tracks=self.tracks or None,
            statuses=self.statuses or None,
        )

    def describe(self, plan: Plan) -> str:
        """'Fonte: Oneri di funzionamento · Stato: In corso' for the caption above the content."""
        parts = []
        if self.sources:
            parts.append("Fonte: " + ", ".join(self.sources))
        if self.tracks:
            parts.append("Pista: " + ", ".join(plan.track_title(t) for t in self.tracks))
        if self.statuses:
            parts.append("Stato: " + ", ".join(self.statuses))
        return " · ".join(parts)


def sidebar_filters(plan: Plan) -> Filters:
    """Draw the filters in the sidebar and return the current choice."""
    statuses = [s for s in STATUSES if s in set(plan.projects["status"])]
    with st.sidebar:
        st.markdown("#### :material/filter_alt: Filtri")
        sources = st.multiselect(
            SOURCE_LABEL,
            plan.source_names,
            key=keys.SOURCE,
            bind="query-params",
            select_all=False,  # its "Select all" entry is in English
            wrap=True,
            placeholder="Tutte le fonti",
            help="Mostra solo i progetti pagati da almeno una delle fonti scelte; i totali "
            "comprendono solo quelle fonti.",
        )
        tracks = st.multiselect(
            "Pista",
            plan.track_codes,
            format_func=plan.track_title,
            key=keys.TRACK,
            bind="query-params",
            select_all=False,  # its "Select all" entry is in English
            wrap=True,
            placeholder="Tutte le piste",
        )
        chosen_statuses = st.multiselect(
            "Stato",
            statuses,
            key=keys.STATUS,
            bind="query-params",
            select_all=False,  # its "Select all" entry is in English
            wrap=True,
            placeholder="Tutti gli stati",
        )
    return Filters(tuple(sources), tuple(tracks), tuple(chosen_statuses))


def current_filters() -> Filters:
    """The filters as last drawn by the entry script (for pages, after sidebar_filters ran)."""
    state = st.session_state
    return Filters(
        tuple(state.get(keys.SOURCE) or ()),
        tuple(state.get(keys.TRACK) or ()),
        tuple(state.get(keys.STATUS) or ()),
    )


def no_match_message(filters: Filters, plan: Plan) -> None:
    """The clear message shown instead of an empty chart or table."""
    which = md(" ({filters})", filters=filters.describe(plan)) if filters.active else ""
    st.info(
        md(
            "Nessun progetto corrisponde ai filtri scelti{which}. Togli qualche filtro nella "
            "barra laterale per vedere di nuovo i progetti.",
            which=which,
        ),
        icon=":material/filter_alt_off:",
    )


def filter_caption(
    filters: Filters, plan: Plan, shown: Plan, whole: Plan | None = None, where: str = ""
) -> None:
    """One line saying the view is filtered, and how many projects it shows: of the plan, or of
    ``whole`` (e.g. one pista's projects, ``where`` = "della pista") when given."""
    if not filters.active:
        return
    total = len((whole if whole is not None else plan).projects)
    with st.container(key=keys.FILTER_LINE):  # a band, not small grey print (ui/components.CSS)
        _filter_line(filters, plan, shown, total, where)


def _filter_line(filters: Filters, plan: Plan, shown: Plan, total: int, where: str) -> None:
    st.caption(
        md(
            ":material/filter_alt: Filtro attivo — {filters}: {shown} di {total}{where}.",
            filters=filters.describe(plan),
            shown=fmt.number(len(shown.projects)),
            total=fmt.count(total, "progetto", "progetti"),
            where=md(" {where}", where=where) if where else "",
        )
    )
