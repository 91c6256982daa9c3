"""Segui dal telefono: a QR code of the dashboard's address (with the current filter) to show
in the hall, so that everyone can open the same view on their phone."""

from __future__ import annotations

import streamlit as st

from coopplan.export.html import qr_figure_html
from ui.hall import phone_url
from ui.page import context

url = phone_url(context().filters)
st.title("Segui dal telefono")
st.write(
    "Inquadrare il codice con la fotocamera del telefono, oppure scrivere l'indirizzo nel browser. "
    "Il telefono deve essere collegato alla stessa rete (per esempio il Wi-Fi della sala)."
)
st.html(
    "<style>.cp-phone{max-width:360px}.cp-phone img{width:100%;image-rendering:pixelated}"
    ".cp-phone figcaption{font-weight:700;text-align:center}"
    ".cp-phone .cp-qr-url{display:block;font-weight:400;word-break:break-all}</style>"
    f'<div class="cp-phone">{qr_figure_html(url, "Indirizzo", whole=True)}</div>'
)
