"""Segui dal telefono: a QR code of «Sala» (with the current filter) to show in the hall, so that
everyone can follow the presentation on their phone; only when phones can reach its address."""

from __future__ import annotations

import streamlit as st

from coopplan.export.html import qr_figure_html
from coopplan.hall.links import SERVE_COMMAND, reachable
from ui import phones
from ui.page import context
from ui.safe import md

page = context()
url = phones.phone_url(page.plan, page.filters)
st.title("Segui dal telefono")
if reachable(url):
    st.write(
        "Inquadrare il codice con la fotocamera del telefono, oppure scrivere l'indirizzo nel "
        "browser: si apre «Sala», le slide della presentazione che seguono il presidente. "
        "Il telefono deve essere collegato alla stessa rete (per esempio il Wi-Fi della sala)."
    )
    st.html(
        "<style>.cp-phone{max-width:360px}.cp-phone img{width:100%;image-rendering:pixelated}"
        ".cp-phone figcaption{font-weight:700;text-align:center}"
        ".cp-phone .cp-qr-url{display:block;font-weight:400;word-break:break-all}</style>"
        f'<div class="cp-phone">{qr_figure_html(url, "Indirizzo", whole=True)}</div>'
    )
else:
    st.warning(
        md("{note} `" + SERVE_COMMAND + "`.", note=phones.UNREACHABLE), icon=":material/wifi_off:"
    )
