"""The dashboard side of the versioned store: which version is shown, the plan selector, the
read-only banner, and the comparison of two plan years for the overview.

``ui.data.current_plan()`` calls ``store_plan()`` (unless COOPPLAN_WORKBOOK points at one file).
Every rerun re-reads the manifest (one small file), so every open session shows a newly published
version on its next interaction; the workbook itself is parsed once per content hash.
"""

from __future__ import annotations

import hashlib
import os

import pandas as pd
import streamlit as st

from coopplan import Plan, fmt
from coopplan.diff import compare_years, signed_count, signed_money
from coopplan.files import os_reason
from coopplan.store import Store, StoreError, Version
from ui import CHOOSE, data
from ui.safe import md, table, text

VIEW_KEY = "coopplan_view_version"  # a version shown read-only, set from «Aggiorna il piano»
YEAR_KEY = "coopplan_year"  # the plan year chosen in the sidebar (absent: the latest year)


def on_one_workbook() -> bool:
    """True when COOPPLAN_WORKBOOK points the dashboard at one file (tests, demos): no store."""
    return bool(os.environ.get(data.WORKBOOK_ENV))


def version_plan(store: Store, version: Version) -> Plan:
    """The plan of a stored version, parsed once per content (cache keyed by its sha256)."""
    result = data._parse(version.sha256, store.read(version), f"piano_{version.year}.xlsx")
    return data.plan_or_stop(result)


def shown_version(store: Store, *, tell: bool = True) -> Version:
    """The version the dashboard shows: the one being viewed read-only, else the plan in force
    of the chosen year (default: the latest year). When that version is damaged or missing,
    the newest intact one of its year is shown, under an Italian error that says so."""
    versions = store.versions()
    viewed = st.session_state.get(VIEW_KEY)
    if viewed is not None:
        match = [v for v in versions if v.number == viewed]
        if match:
            try:
                store.read(match[0])
                return match[0]
            except StoreError as exc:
                if tell:
                    st.error(text(exc.message), icon=":material/error:")
        st.session_state.pop(VIEW_KEY, None)
    years = sorted({v.year for v in versions})
    year = st.session_state.get(YEAR_KEY)
    standing = store.standing(year if year in years else (years[-1] if years else None))
    if standing.shown is None:
        raise StoreError(standing.message)
    if standing.message and tell:
        st.error(text(standing.message), icon=":material/error:")
    return standing.shown


def store_plan(*, tell: bool = True) -> Plan:
    """Body of ``ui.data.current_plan()`` when the dashboard runs on the versioned store.

    At start-up of every run, an empty store gets the shipped plan as version 1
    (``Store.ensure_seeded``). If the store cannot be read, written or trusted (a read-only
    install, a wrong COOPPLAN_STORE, a lost manifest), the dashboard still shows the shipped
    plan, under an Italian error saying it may not be the plan in force, rather than nothing.
    ``tell=False``: the same plan, without showing the errors again (see ``current_plan``).
    """
    store = Store.default()
    try:
        store.ensure_seeded()
        version = shown_version(store, tell=tell)
        return version_plan(store, version)
    except (OSError, StoreError) as exc:
        reason = exc.message if isinstance(exc, StoreError) else f"{os_reason(exc)}."
        if not data.DEFAULT_WORKBOOK.is_file():
            st.error(
                md(
                    "L'archivio delle versioni del piano ({root}) non si riesce a leggere: "
                    "{reason} Controlla la cartella indicata da COOPPLAN_STORE e riavvia.",
                    root=store.root,
                    reason=reason,
                ),
                icon=":material/error:",
            )
            st.stop()
        if tell:
            st.error(
                md(
                    "L'archivio delle versioni ({root}) non si riesce a usare: {reason} "
                    "La dashboard mostra il piano fornito con l'applicazione ({name}), che può "
                    "non essere quello in vigore.",
                    root=store.root,
                    reason=reason,
                    name=data.DEFAULT_WORKBOOK.name,
                ),
                icon=":material/error:",
            )
        raw = data.DEFAULT_WORKBOOK.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        return data.plan_or_stop(data._parse(digest, raw, data.DEFAULT_WORKBOOK.name))


def plan_selector() -> None:
    """In the sidebar, a choice of plan year when the store holds more than one (default: latest)."""
    if on_one_workbook():
        return
    try:
        years = sorted(Store.default().years(), reverse=True)
    except (OSError, StoreError):
        return
    if len(years) < 2:
        return
    chosen = st.session_state.get(YEAR_KEY)
    # The key names the years offered: when a new year appears, a fresh widget starts on the
    # year chosen so far, or on the newest if none was chosen.
    key = "coopplan_year_" + "_".join(map(str, years))
    with st.sidebar:
        st.selectbox(
            "Piano",
            years,
            index=years.index(chosen) if chosen in years else 0,
            format_func=lambda y: f"Piano {y}",
            key=key,
            placeholder=CHOOSE,
            on_change=lambda: st.session_state.update({YEAR_KEY: st.session_state[key]}),
        )


def version_banner() -> None:
    """Above every page, while an older version is viewed: say so, and offer the way back."""
    viewed = st.session_state.get(VIEW_KEY)
    if viewed is None or on_one_workbook():
        return
    store = Store.default()
    try:
        version = store.get(viewed)
        in_force = store.current(version.year)
    except (OSError, StoreError):
        st.session_state.pop(VIEW_KEY, None)
        return
    with st.container(border=True):
        st.warning(
            md(
                "**Sola lettura**: stai guardando la versione {number} del piano {year}, "
                "pubblicata il {when} da {editor}. Il piano in vigore è la versione {in_force}.",
                number=version.number,
                year=version.year,
                when=version.when,
                editor=version.editor,
                in_force=in_force.number,
            ),
            icon=":material/history:",
        )
        st.button(
            "Torna al piano in vigore",
            key="coopplan_leave_view",
            on_click=lambda: st.session_state.pop(VIEW_KEY, None),
        )


def year_comparison() -> None:
    """Overview section: two plan years side by side (totals per source and per pista).

    Shown only when the store holds more than one year.
    """
    if on_one_workbook():
        return
    store = Store.default()
    try:
        years = sorted(store.years(), reverse=True)
    except (OSError, StoreError):
        return
    if len(years) < 2:
        return
    st.subheader("Confronto tra anni")
    left, right = st.columns(2)
    newer = left.selectbox(
        "Anno",
        years,
        index=0,
        format_func=lambda y: f"Piano {y}",
        key="coopplan_cmp_new",
        placeholder=CHOOSE,
    )
    older = right.selectbox(
        "a confronto con",
        [y for y in years if y != newer],
        format_func=lambda y: f"Piano {y}",
        key="coopplan_cmp_old",
        placeholder=CHOOSE,
    )
    try:  # the newest intact version of each year (a damaged one is told above every page)
        shown = [store.standing(y).shown for y in (older, newer)]
    except StoreError:
        shown = [None]
    if None in shown:
        st.info("Il confronto non è disponibile: un piano non ha nessuna versione integra.")
        return
    plans = [version_plan(store, v) for v in shown if v is not None]
    by_source, by_track = compare_years(plans)
    st.markdown("**Totali per fonte di finanziamento**")
    st.table(table(_shown_sources(by_source)))
    st.markdown("**Budget per pista** (tutte le fonti in euro)")
    st.table(table(_shown_money(by_track, "Pista")))


def _shown_sources(frame: pd.DataFrame) -> pd.DataFrame:
    years = [c for c in frame.columns if c not in ("Fonte", "Tipo", "Variazione")]
    rows = []
    for record in frame.to_dict("records"):
        money = record["Tipo"] == "Importo"
        row = {"Fonte": record["Fonte"]}
        for year in years:
            value = float(record[year])
            row[year] = fmt.money(value) if money else fmt.count(int(value), "progetto", "progetti")
        if "Variazione" in record:
            change = float(record["Variazione"])
            row["Variazione"] = (
                signed_money(change) if money else signed_count(int(change), "progetto", "progetti")
            )
        rows.append(row)
    return pd.DataFrame(rows).set_index("Fonte")


def _shown_money(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    shown = frame.copy()
    for column in shown.columns:
        if column == label:
            continue
        render = signed_money if column == "Variazione" else fmt.money
        shown[column] = [render(float(v)) for v in frame[column]]
    return shown.set_index(label)
