"""Where the dashboard gets its plan: ONE function, current_plan(), cached by content."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import streamlit as st

from coopplan import LoadResult, Plan, fmt, load_plan
from coopplan.store import SHIPPED_WORKBOOK
from ui.safe import join, md

DEFAULT_WORKBOOK = SHIPPED_WORKBOOK  # the store's first version; one place names the file
WORKBOOK_ENV = "COOPPLAN_WORKBOOK"  # tests and demos point the dashboard at another workbook
MAX_PROBLEMS_SHOWN = 8


def current_plan(*, tell: bool = False) -> Plan:
    """The plan in force. Parsed once per version of the file (cache keyed by its sha256).

    When the plan cannot be read, the page shows why in Italian and stops there.
    Without COOPPLAN_WORKBOOK, the plan comes from the versioned store (ui/versions.py): the
    version in force of the chosen year, or a version viewed read-only. ``tell``: show what is
    wrong with the store (damage, the version shown instead) above the page; app.py asks it
    once per run, so the pages' own calls do not repeat it.
    """
    if not os.environ.get(WORKBOOK_ENV):
        from ui import versions  # imported here: ui.versions uses this module's cache

        return versions.store_plan(tell=tell)
    path = Path(os.environ.get(WORKBOOK_ENV) or DEFAULT_WORKBOOK)
    try:
        data = path.read_bytes()
    except OSError:
        st.error(
            md(
                "Il file del piano «{name}» non si trova o non si può leggere (cercato in "
                "{path}). Controlla che il file esista e riavvia la dashboard.",
                name=path.name,
                path=path,
            ),
            icon=":material/error:",
        )
        st.stop()
    result = _parse(hashlib.sha256(data).hexdigest(), data, path.name)
    return plan_or_stop(result)


@st.cache_data(max_entries=8, show_spinner="Lettura del piano…")
def _parse(digest: str, _data: bytes, name: str) -> LoadResult:
    """Parse a workbook; ``digest`` (its sha256) is the cache key, the bytes are not hashed."""
    return load_plan(_data, name=name)


def plan_or_stop(result: LoadResult) -> Plan:
    """The plan of a load result, or an Italian error listing what is wrong, then stop."""
    if result.ok and result.plan is not None:
        return result.plan
    lines = [md("- {problem}", problem=p) for p in result.errors[:MAX_PROBLEMS_SHOWN]]
    if len(result.errors) > MAX_PROBLEMS_SHOWN:
        lines.append(md("- … e altri {n}.", n=len(result.errors) - MAX_PROBLEMS_SHOWN))
    st.error(
        md(
            "Il piano «{name}» non si può mostrare: contiene {errors}. Correggi il file e "
            "ricaricalo.\n\n{lines}",
            name=result.name,
            errors=fmt.count(len(result.errors), "errore", "errori"),
            lines=join(lines, "\n"),
        ),
        icon=":material/error:",
    )
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises
