"""Make a first visit to any page's URL use the app's navigation, even right after a restart.

Streamlit 1.67 decides once per server process whether the app is a legacy "pages/ folder" app:
it says yes when a pages/ folder sits next to app.py, until app.py calls st.navigation. So the
first visit after a restart to, say, a bookmarked /fonti?fonte=… ran pages/fonti.py alone,
without the sidebar filters, the theme CSS or the generated pista pages (AppTest does the same on
every run, as it resets the flag). Every page calls ``through_app()`` first (the plan's pages
through ``ui.page.start``/``context``): it clears the flag and, if it was set, reruns; the rerun
goes through app.py and its st.navigation.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx


def through_app() -> None:
    """Call first in every page script."""
    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    if get_script_run_ctx() is not None:
        st.rerun()
