"""Every Streamlit key that more than one place relies on, and the CSS selector made from it.

A key is three things at once: the name of a value in ``st.session_state``, the class
``st-key-<key>`` Streamlit puts on a keyed element (which our CSS styles and the browser tests
select), and the handle AppTest finds a widget by. Renaming one here renames it everywhere.
Keys used by one function only stay next to it.
"""

from __future__ import annotations

# The sidebar filters (ui.filters): also the URL query parameters, ?fonte=…&pista=…&stato=…
SOURCE = "fonte"
TRACK = "pista"
STATUS = "stato"

# Which plan is shown (ui.data, ui.versions, «Aggiorna il piano», Presentazione)
VIEW_VERSION = "coopplan_view_version"  # a version shown read-only, set from «Aggiorna il piano»
YEAR = "coopplan_year"  # the plan year chosen in the sidebar (absent: the latest year)
LEAVE_VIEW = "coopplan_leave_view"  # the banner's way back; Presentazione hides its banner
SHOWN = "_coopplan_shown"  # the plan and version app.py found for this run (ui.data.current_plan)
CURRENT_TRACK = "_pista_corrente"  # the pista of the current page (ui.nav), None elsewhere

# The KPI cards (ui.components.kpi_row): numbered containers "<key>-<n>", n from 0
KPI_ROW = "cp-kpis"
KPI_CARD = "cp-kpi-card"
KPI_VALUE = "cp-kpi-value"
KPI_NOTE = "cp-kpi-note"

# Fonti di finanziamento
SOURCE_TABS = "fonti_schede"  # one tab per source; only the open one is drawn

# Panoramica
PLAN_MAP = "mappa-piano"  # the plan map's section, hidden on phones
OVERVIEW_PROJECT = "progetto_panoramica"  # the project chosen on the overview (map or list)

# Two drawings of one content, chosen by the screen's width (ui.components.CSS, PHONE_MAX_PX):
# containers "<key>-<name>"; a grid cannot show its columns at 16 px in 354 px, a list can.
PHONE_ONLY = "cp-phone"  # shown on phones only (a list of the projects)
WIDE_ONLY = "cp-wide"  # hidden on phones (the grid)

# Presentazione
DECK_NAV = "cp_nav"  # the footer band under the slide: buttons, number, downloads
DECK_REMOTE = "cp_keys"  # hidden buttons taking a presenter remote's PageDown / PageUp
TRACK_PAGES = "cp_track_pages"  # session state: this run's st.Page of every pista (ui.nav)
WAY_ON = "cp-way-on"  # the links at the end of a pista page
FILTER_LINE = "cp-filter-active"  # «Filtro attivo — …»: seen from the back of the hall


def numbered(key: str, n: int) -> str:
    """The key of the n-th element of a numbered family: numbered(KPI_CARD, 0) = 'cp-kpi-card-0'."""
    return f"{key}-{n}"


def css(key: str) -> str:
    """CSS selector of the element keyed ``key``: '.st-key-cp_nav'."""
    return f".st-key-{key}"


def hidden_holder(key: str) -> str:
    """CSS hiding the container keyed ``key`` and Streamlit's wrapper around it, which otherwise
    keeps its place in the page's gaps (17 px above the title for each script holder)."""
    return f'{css(key)}, [data-testid="stLayoutWrapper"]:has(> {css(key)}) {{ display: none; }}'


def css_any(key: str) -> str:
    """CSS selector of every element of a numbered family: '[class*="st-key-cp-kpi-card-"]'."""
    return f'[class*="st-key-{key}-"]'
