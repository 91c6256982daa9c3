"""The dashboard side of «Dall'ultima assemblea»: the report for the presentation (the last
version marked «presentata in assemblea», or the one chosen on the page), the overview's
«In corso 12 (+3)» and the share of projects under way per pista. The logic is in
coopplan.since; this module only finds the versions in the store and draws."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from coopplan import Plan, charts
from coopplan.since import (
    SinceReport,
    assembly_version,
    scoped,
    since_report,
    since_start,
    status_deltas,
    track_progress,
)
from coopplan.store.model import StoreError, Version
from ui import data
from ui.cache import shared
from ui.components import chart, status_strip
from ui.data import on_one_workbook, version_plan
from ui.filters import Filters
from ui.safe import text

AGAINST_PARAM = "dal"  # ?dal=3: compare with version 3 instead of the last assembly


@st.cache_data(max_entries=8, show_spinner=False)
def _report(
    old_key: str,
    new_key: str,
    start: str,
    versions: str,
    chosen: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
    scope: str,
    _old: Plan,
    _new: Plan,
) -> SinceReport:
    old, new = scoped(_old, _new, *chosen)
    return since_report(old, new, start, versions, scope)


def comparison(filters: Filters | None, against: int | None = None) -> tuple[Plan, str, str] | None:
    """The plan to compare the shown one with (filtered like it; whole for ``filters`` None),
    how the report names it ('Dall'assemblea del …') and the versions ('versione 1 → versione
    4'); None without a store, without a marked version (and none chosen), or when the
    versions cannot be read."""
    if on_one_workbook():
        return None
    store = data.shared_store()
    try:
        shown = data.version_shown(store)
        number = against if against is not None else assembly_version(store, shown)
        if number is None:
            return None
        start, old_label = since_start(store, number)
        old = version_plan(store, store.get(number))
        if filters is not None:
            old = filters.apply(old)
    except (OSError, StoreError):  # an unusable store is told by app.py; no comparison
        return None
    return old, start, f"{old_label} → versione {shown.number}"


def report_for(plan: Plan, filters: Filters, against: int | None = None) -> SinceReport | None:
    """«Dall'ultima assemblea» for the plan shown (``plan``, unfiltered), restricted to
    ``filters`` as coopplan.since.scoped does, the filter named in its sentences."""
    found = comparison(None, against)
    if found is None:
        return None
    old, start, versions = found
    scope = filters.describe(plan)
    chosen = (filters.sources, filters.tracks, filters.statuses)
    return _report(old.digest, plan.digest, start, versions, chosen, scope, old, plan)


def chosen_against() -> int | None:
    """The version chosen on the presentation page (``?dal=N``), else None."""
    raw = st.query_params.get(AGAINST_PARAM, "")
    return int(raw) if raw.isdigit() else None


def versions_to_compare() -> tuple[list[Version], dict[int, str]]:
    """The versions of the shown year before the one shown, newest first, and their marks'
    days ('14 marzo 2026')."""
    if on_one_workbook():
        return [], {}
    store = data.shared_store()
    try:
        shown = data.version_shown(store)
        older = [v for v in store.versions(shown.year) if v.number < shown.number]
        marks = {n: m.day_text for n, m in store.marks().items()}
    except (OSError, StoreError):  # an unusable store is told by app.py; no comparison
        return [], {}
    return older[::-1], marks


def against_picker() -> None:
    """On the presentation page: which version «Dall'ultima assemblea» compares with."""
    older, marks = versions_to_compare()
    if not older:
        st.caption("Non ci sono versioni precedenti con cui confrontare.")
        return
    labels = {0: "L'ultima presentata in assemblea"}
    for version in older:
        mark = f" · presentata il {marks[version.number]}" if version.number in marks else ""
        labels[version.number] = f"{version.label}{mark}"
    current = chosen_against()

    def choose() -> None:
        value = st.session_state["cp_against"]
        if value:
            st.query_params[AGAINST_PARAM] = str(value)
        else:
            st.query_params.pop(AGAINST_PARAM, None)

    st.selectbox(
        "«Dall'ultima assemblea» confronta con",
        list(labels),
        index=list(labels).index(current) if current in labels else 0,
        format_func=lambda n: labels[n],
        key="cp_against",
        on_change=choose,
    )


# The overview ----------------------------------------------------------------------------


def status_deltas_for(view: Plan, filters: Filters) -> tuple[dict[str, int], str] | None:
    """Stato -> change since the last marked version (filtered like the view), and the
    caption naming it; None when no version is marked."""
    found = comparison(filters)
    if found is None:
        return None
    old, start, versions = found
    caption = f"Tra parentesi la variazione {start[0].lower()}{start[1:]} ({versions})"
    caption += f", tra i progetti del filtro «{filters.describe(view)}»." if filters.active else "."
    return status_deltas(old, view), caption


def status_strip_since(view: Plan, filters: Filters) -> None:
    """The stato chips, with the change since the last marked version and a caption naming
    it when a version is marked."""
    since = status_deltas_for(view, filters)
    status_strip(view, since[0] if since else None)
    if since:
        st.caption(text(since[1]))


def _progress_figure(view: Plan) -> go.Figure:
    return charts.progress_by_track(track_progress(view))


def progress_by_track(view: Plan) -> None:
    """Per pista, a bar of its projects «Concluso» and «In corso» (a full green bar = done)."""
    st.subheader("Avanzamento per pista")
    st.caption(
        "Quota dei progetti di ogni pista conclusi (verde) e in corso (giallo): la barra è "
        "tutta verde solo quando la pista è conclusa."
    )
    if not len(view.projects):
        return
    chart(shared(_progress_figure, view), key="cp_progress")
