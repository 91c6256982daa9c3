"""«Segui dal telefono»: the address of the current view for phones in the hall, and its QR code."""

from __future__ import annotations

import streamlit as st

from coopplan.hall import hall_url, serving_port
from ui import keys
from ui.filters import Filters


def phone_url(filters: Filters) -> str:
    """The dashboard's address as the hall reaches it (coopplan.hall), with ``filters``; the port
    is env PORT (nginx's, under scripts/serve.sh) else this Streamlit server's."""
    query = {
        keys.SOURCE: filters.sources,
        keys.TRACK: filters.tracks,
        keys.STATUS: filters.statuses,
    }
    port = serving_port(fallback=int(st.get_option("server.port")))
    return hall_url(query, port=port)
