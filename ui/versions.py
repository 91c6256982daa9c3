"""The widgets that choose which plan the dashboard shows: the plan-year selector, the read-only
banner, and the comparison of two plan years for the overview.

Every plan they show comes from ui/data.py (which never imports this module). Every rerun
looks at the store's record of versions again (the folder store re-reads its manifest when the
file's stat changed), so every open session shows a newly published version on its next
interaction; the workbook itself is parsed once per content hash.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coopplan import fmt, kinds
from coopplan.diff import compare_years, signed_money
from ui import CHOOSE, data, keys
from ui.safe import md, table


def plan_selector() -> None:
    """In the sidebar, a choice of plan year when the store holds more than one (default: latest)."""
    years = data.stored_years()
    if len(years) < 2:
        return
    chosen = st.session_state.get(keys.YEAR)
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
            on_change=lambda: st.session_state.update({keys.YEAR: st.session_state[key]}),
        )


def version_banner() -> None:
    """Above every page, while an older version is viewed: say so, and offer the way back."""
    viewed = data.viewed_version()
    if viewed is None:
        return
    version, in_force = viewed
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
            key=keys.LEAVE_VIEW,
            on_click=lambda: st.session_state.pop(keys.VIEW_VERSION, None),
        )


def year_comparison() -> None:
    """Overview section: two plan years side by side (totals per source and per pista).

    Shown only when the store holds more than one year.
    """
    years = data.stored_years()
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
    plans = data.year_plans((older, newer))  # a damaged version is told above every page
    if plans is None:
        st.info("Il confronto non è disponibile: un piano non ha nessuna versione integra.")
        return
    by_source, by_track = compare_years(plans)
    st.markdown("**Totali per fonte di finanziamento**")
    st.table(table(_shown_sources(by_source)), hide_index=True)
    st.markdown("**Budget per pista** (tutte le fonti in euro)")
    st.table(table(_shown_money(by_track, "Pista")))


def _shown_sources(frame: pd.DataFrame) -> pd.DataFrame:
    years = [c for c in frame.columns if c not in ("Fonte", "Tipo", "Variazione")]
    rows = []
    kind_of = {label: kind for kind, label in kinds.labels().items()}
    for record in frame.to_dict("records"):
        kind = kind_of[record["Tipo"]]
        row = {"Fonte": record["Fonte"]}
        for year in years:
            row[year] = kinds.format_total(kind, float(record[year]))
        if "Variazione" in record:
            row["Variazione"] = kinds.format_change(kind, float(record["Variazione"]))
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
