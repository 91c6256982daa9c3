"""Every filter change is a step of the browser history: Back undoes it, Forward redoes it.

The sidebar filters are bound to the URL (``bind="query-params"``, ui.filters). Streamlit 1.67
writes a bound widget's new value into the URL with ``history.replaceState`` (its
``updateUrlParam``), so a filter change replaced the history entry and Back left the app.
Streamlit already does the rest: on Back/Forward (``popstate``) it reruns the script as a
"history navigation", in which a bound widget takes its value from the URL, missing
parameter = default (``SessionState._handle_query_param_binding``). So the one missing piece is
the history entry itself: a small script, run in the page (``st.html`` with
``unsafe_allow_javascript``, no iframe), wraps ``history.replaceState`` so that a URL change of
the same page whose filter parameters differ is pushed instead of replaced. Everything else
(page changes, ``?slide=N``, Streamlit re-writing the same filters differently encoded) keeps
its own behaviour. Installed once per browser tab.
"""

from __future__ import annotations

import json

import streamlit as st

from ui import keys

FILTER_PARAMS = (keys.SOURCE, keys.TRACK, keys.STATUS)
HOLDER = "cp-history"  # the container of the script, hidden by CSS (it draws nothing)

_SCRIPT = """<script>
(() => {
  if (window.coopplanFilterHistory) return;  // once per tab: the script runs on every rerun
  window.coopplanFilterHistory = true;
  const PARAMS = %s;
  const filters = (href) => {
    const query = new URL(href, window.location.href).searchParams;
    return JSON.stringify(PARAMS.map((name) => query.getAll(name)));
  };
  const replace = window.history.replaceState;
  window.history.replaceState = function (state, unused, url) {
    if (url != null) {
      const next = new URL(url, window.location.href);
      if (next.pathname === window.location.pathname
          && filters(next.href) !== filters(window.location.href)) {
        return window.history.pushState(state, unused, url);
      }
    }
    return replace.call(window.history, state, unused, url);
  };
})();
</script>"""


def script() -> str:
    """The <script> element that makes filter changes history steps, and the CSS rule hiding
    its holder (HTML text, no data)."""
    hide = f"<style>{keys.hidden_holder(HOLDER)}</style>"
    return hide + _SCRIPT % json.dumps(list(FILTER_PARAMS))


def filters_in_history() -> None:
    """Install the script in the page; drawn once per run by app.py, it takes no room."""
    with st.container(key=HOLDER):
        st.html(script(), unsafe_allow_javascript=True)
