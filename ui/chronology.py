"""The «Cronologia» page: every published version of the plan year over time (coopplan.timeline).

The counts and the changes of a version are cached per (its content, the previous version's
content, the piste chosen): a new version costs one parse and one diff, once per server, and
going back to a filter already seen costs nothing but the drawing.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coopplan import Plan, charts, charts_spending, fmt, kinds
from coopplan.store.files import os_reason
from coopplan.store.model import StoreError, Version, VersionStore
from coopplan.timeline import NO_HISTORY, Described, Timeline, build, describe
from ui import components as ui
from ui import data
from ui.filters import Filters
from ui.page import context
from ui.safe import join, md, text
from ui.update import text_table

CACHE_ENTRIES = 512  # (version, previous, piste) triples: a few hundred bytes each


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner="Calcolo della cronologia…")
def _described(
    sha: str, previous_sha: str | None, tracks: tuple[str, ...], _store: VersionStore, _pair: tuple
) -> Described:
    """``describe`` of a version against the previous readable one, cached by their hashes and
    the piste (``_pair``: the two Version records, not hashed). None if a file cannot be read."""
    version, previous = _pair
    try:
        plan = _plan(_store, version)
        before = _plan(_store, previous) if previous is not None else None
    except (StoreError, OSError):
        return None
    return describe(plan, before, tracks)


def _plan(store: VersionStore, version: Version) -> Plan:
    """A version's plan through the dashboard's parse cache (shared with the other pages)."""
    result = data.stored_result(store, version)
    if result.plan is None:
        raise StoreError(f"La versione {version.number} non si riesce più a leggere.")
    return result.plan


def store_timeline(store: VersionStore, year: int, tracks: tuple[str, ...]) -> Timeline:
    """The timeline of ``year``, each version's part from the cache (see ``_described``)."""
    versions = store.versions(year)
    described: list[Described] = []
    previous: Version | None = None
    for version in versions:
        found = _described(
            version.sha256,
            previous.sha256 if previous else None,
            tracks,
            store,
            (version, previous),
        )
        described.append(found)
        if found is not None:
            previous = version
    return build(versions, described)


def filter_notes(filters: Filters, plan: Plan) -> list[str]:
    """What the sidebar filters do on this page, in Italian, one sentence each."""
    notes = []
    if filters.tracks:
        names = ", ".join(plan.track_title(t) for t in filters.tracks)
        notes.append(f"Pista: ogni versione conta solo i progetti di {names}.")
    if filters.sources:
        notes.append(
            "Fonte: i grafici dei totali mostrano solo " + ", ".join(filters.sources) + "; "
            "i progetti per stato li contano tutti."
        )
    if filters.statuses:
        notes.append(
            "Il filtro per stato non vale in questa pagina: il grafico per stato mostra come "
            "cambiano tutti gli stati."
        )
    return notes


def show() -> None:
    """Draw the page."""
    page = context()
    st.title("Cronologia")
    st.markdown(
        "Ogni versione pubblicata del piano, in ordine: come sono cambiati i totali per fonte e "
        "gli stati dei progetti. Passa sopra un punto per vedere chi l'ha pubblicata e che cosa "
        "è cambiato."
    )
    if data.on_one_workbook():
        st.info(text(NO_HISTORY), icon=":material/history:")
        return
    store = data.shared_store()
    year = page.plan.meta.year
    try:
        timeline = store_timeline(store, year, page.filters.tracks)
        other_years = [y for y in store.years() if y != year]
    except (OSError, StoreError) as exc:
        st.error(
            text(exc.public if isinstance(exc, StoreError) else os_reason(exc)),
            icon=":material/error:",
        )
        return
    for note in filter_notes(page.filters, page.plan):
        st.caption(md(":material/filter_alt: {note}", note=note))
    if other_years:
        st.caption(
            md(
                "Piano {year}. Per la cronologia di un altro anno ({others}) scegli il piano "
                "nella barra laterale.",
                year=year,
                others=", ".join(map(str, other_years)),
            )
        )
    if not timeline.has_history:
        st.info(text(NO_HISTORY), icon=":material/history:")
        versions_table(timeline)
        return
    if page.filters.sources:
        timeline = timeline.only_sources(page.filters.sources)
    draw_charts(timeline, page.plan)
    versions_table(timeline)
    version_details(timeline)


def draw_charts(timeline: Timeline, plan: Plan) -> None:
    """Totals per source, one chart per kind (euro, projects ticked, …: titles and units from
    coopplan.kinds), then projects per stato, over the versions."""
    colors = charts.source_colors(plan, _all_sources(timeline, plan))
    for kind in timeline.kinds:
        st.subheader(text(kinds.timeline_title(kind)))
        ui.chart(charts.timeline_totals(timeline, kind, colors), key=f"cronologia_{kind}")
    draw_spending(timeline, colors)
    st.subheader("Progetti per stato")
    ui.chart(charts.timeline_statuses(timeline), key="cronologia_stati")


def draw_spending(timeline: Timeline, colors: dict[str, str]) -> None:
    """«Speso e preventivo» over the versions that have a consuntivo (nothing before the first)."""
    if timeline.spending.empty:
        return
    st.subheader("Speso e preventivo")
    dated = set(timeline.spending["number"])
    missing = [str(n) for n in timeline.versions["number"] if n not in dated]
    note = "Per ogni fonte in euro lo speso (linea piena) e il preventivo (linea punteggiata)."
    if missing:
        note += (
            f" Le versioni senza consuntivo ({', '.join('v. ' + n for n in missing)}) non "
            "hanno punti: «Consuntivo non ancora inserito»."
        )
    st.caption(text(note))
    ui.chart(charts_spending.timeline_spending(timeline, colors), key="cronologia_speso")


def _all_sources(timeline: Timeline, plan: Plan) -> list[str]:
    """The plan's sources first (their usual colours), then those only older versions had."""
    older = list(timeline.totals["source"])
    return list(dict.fromkeys(plan.source_names + older))


def versions_table(timeline: Timeline) -> None:
    """One row per version: who, when, the note, projects and activities, the first change."""
    st.subheader("Le versioni")
    frame = timeline.versions
    shown = pd.DataFrame(
        {
            "Versione": frame["label"],
            "Data": [f"{fmt.date(w.date(), 'medium')}, {w:%H:%M}" for w in frame["when"]],
            "Pubblicata da": frame["editor"],
            "Nota": frame["note"],
            "Progetti": frame["projects"],
            "Attività realizzate": frame["done"],
            "Modifiche": [
                _short(changes, int(edits))
                for changes, edits in zip(frame["changes"], frame["edits"], strict=True)
            ],
        }
    )
    # a static table: a grid cut «Prima versione de…» at 1280 px (issue 24 §4); a list on phones
    text_table(shown, phone_key="cronologia-versioni")


def _short(changes: tuple[str, ...], edits: int) -> str:
    """The first change and how many more edits: the totals that follow from them are no
    changes of their own (one amount changed read «e altre 2 modifiche»)."""
    if not changes:
        return ""
    if edits <= 1:
        return changes[0]
    return f"{changes[0]} (e altre {fmt.count(edits - 1, 'modifica', 'modifiche')})"


def version_details(timeline: Timeline) -> None:
    """A version chosen in a list: who published it, its note, everything that changed."""
    frame = timeline.versions
    numbers = [int(n) for n in frame["number"]]
    labels = dict(zip(numbers, frame["label"], strict=True))
    chosen = st.selectbox(
        "Che cosa è cambiato nella versione",
        list(reversed(numbers)),
        format_func=lambda n: labels[n],
        key="cronologia_dettaglio",
    )
    row = frame.loc[frame["number"] == chosen].iloc[0]
    st.markdown(
        md(
            "**{label}** · pubblicata da {editor}{note}",
            label=row["label"],
            editor=row["editor"],
            note=md(" · «{note}»", note=row["note"]) if row["note"] else "",
        )
    )
    st.markdown(join([md("- {c}", c=c) for c in row["changes"]], "\n"))
