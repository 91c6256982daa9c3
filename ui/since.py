"""The dashboard side of «Dall'ultima assemblea»: the report for the presentation (the last
version marked «presentata in assemblea», or the one chosen on the page), the overview's
«In corso 12 (+3)» and the share of projects under way per pista. The logic is in
coopplan.since; this module only finds the versions in the store and draws."""

from __future__ import annotations

import streamlit as st

from coopplan import Plan, fmt
from coopplan.since import (
    SinceReport,
    assembly_version,
    since_report,
    since_start,
    status_deltas,
    track_progress,
)
from coopplan.store import StoreError, Version
from ui import data
from ui.cache import shared
from ui.components import status_strip
from ui.data import on_one_workbook, version_plan
from ui.filters import Filters
from ui.safe import md, text

AGAINST_PARAM = "dal"  # ?dal=3: compare with version 3 instead of the last assembly


@st.cache_data(max_entries=8, show_spinner=False)
def _report(
    old_key: str, new_key: str, start: str, versions: str, _old: Plan, _new: Plan
) -> SinceReport:
    return since_report(_old, _new, start, versions)


def comparison(filters: Filters, against: int | None = None) -> tuple[Plan, str, str] | None:
    """The plan to compare the shown one with (filtered like it), how the report names it
    ('Dall'assemblea del …') and the versions ('versione 1 → versione 4'); None without a
    store, without a marked version (and none chosen), or when the versions cannot be read."""
    if on_one_workbook():
        return None
    store = data.shared_store()
    try:
        shown = data.version_shown(store)
        number = against if against is not None else assembly_version(store, shown)
        if number is None:
            return None
        start, old_label = since_start(store, number)
        old = filters.apply(version_plan(store, store.get(number)))
    except (OSError, StoreError):  # an unusable store is told by app.py; no comparison
        return None
    return old, start, f"{old_label} → versione {shown.number}"


def report_for(view: Plan, filters: Filters, against: int | None = None) -> SinceReport | None:
    """«Dall'ultima assemblea» for the plan shown (``view``, filtered by ``filters``)."""
    found = comparison(filters, against)
    if found is None:
        return None
    old, start, versions = found
    return _report(old.digest, view.digest, start, versions, old, view)


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
    caption = f"Tra parentesi la variazione {start[0].lower()}{start[1:]} ({versions})."
    return status_deltas(old, view), caption


def status_strip_since(view: Plan, filters: Filters) -> None:
    """The stato chips, with the change since the last marked version and a caption naming
    it when a version is marked."""
    since = status_deltas_for(view, filters)
    status_strip(view, since[0] if since else None)
    if since:
        st.caption(text(since[1]))


def progress_by_track(view: Plan) -> None:
    """Per pista, a bar with the share of its projects «In corso» or «Concluso»."""
    st.subheader("Avanzamento per pista")
    st.caption("Quota dei progetti di ogni pista che sono in corso o conclusi.")
    for row in shared(track_progress, view).itertuples():
        if not row.projects:
            continue
        with st.container(key=f"cp-progress-{row.track}"):
            st.markdown(  # above the bar: st.progress cuts its text to one line
                md(
                    "**{title}**: {under} su {total} in corso o conclusi ({share} %), di cui {done}",
                    title=row.title,
                    under=fmt.number(row.under_way),
                    total=fmt.count(row.projects, "progetto", "progetti"),
                    share=fmt.number(round(row.share * 100)),
                    done=fmt.count(row.concluded, "concluso", "conclusi"),
                )
            )
            st.progress(float(row.share))
