"""coopplan dashboard: page setup, the plan, the sidebar filters and the navigation.

Streamlit runs this file as the script of every browser session (``__name__ == "__main__"``:
``dashboard()``). ``streamlit run app.py`` first imports it to find ``app`` (an ``st.App``):
the same Streamlit server, on the same port, plus «Sala» for the phones in the hall and gzip
for Streamlit's own JavaScript and CSS (ui/server.py).
"""

from pathlib import Path

import streamlit as st


def dashboard() -> None:
    from ui import (
        browser_back,
        components,
        data,
        filters,
        italian,
        nav,
        oidc,
        phones,
        uploads,
        versions,
    )

    uploads.guard()  # Streamlit's upload endpoint: editors only, one file a session (idempotent)
    st.set_page_config(
        page_title=nav.APP_TITLE,
        page_icon=str(Path(__file__).parent / "ui" / "assets" / "favicon.png"),
        layout="wide",
        initial_sidebar_state="auto",
    )
    components.inject_css()
    italian.streamlit_in_italian()  # Streamlit's own English words, before any can show
    versions.plan_selector()
    plan = data.current_plan(tell=True)  # store damage is told here, on every page

    update = st.Page(
        "app_pages/aggiorna.py", title="Aggiorna il piano", icon=":material/upload_file:"
    )
    pages = [
        st.Page(
            "app_pages/panoramica.py", title="Panoramica", icon=":material/dashboard:", default=True
        ),
        *nav.track_pages(plan),
        st.Page("app_pages/fonti.py", title="Fonti di finanziamento", icon=":material/euro:"),
        st.Page("app_pages/matrice.py", title="Matrice di stato", icon=":material/grid_view:"),
        st.Page(
            "app_pages/scadenze.py",
            title="Scadenze",
            icon=":material/event_upcoming:",
            url_path="scadenze",
        ),
        st.Page(
            "app_pages/cronologia.py",
            title="Cronologia",
            icon=":material/timeline:",
            url_path="cronologia",
        ),
        st.Page("app_pages/presentazione.py", title="Presentazione", icon=":material/slideshow:"),
        st.Page("app_pages/telefono.py", title="Segui dal telefono", icon=":material/qr_code_2:"),
        update,
    ]
    page = st.navigation(pages)
    if page is pages[0] and oidc.back_from_provider():  # Streamlit lands home after st.login
        st.switch_page(update)  # «Aggiorna il piano», where the sign-in began
    phones.one_spelling(plan)  # ?pista=P3 (old links, old QR codes) -> the pista's title
    phones.phone_menu(pages, page)  # on a phone, the pages one tap away under «Pagine»
    versions.version_banner()
    nav.remember_track(plan, page)
    st.set_page_config(page_title=nav.browser_title(plan, page))  # one title per page (issue 24 §4)
    chosen = filters.sidebar_filters(plan)
    browser_back.filters_in_history()  # Back/Forward undo/redo a filter change
    components.sidebar_downloads(chosen.apply(plan))
    page.run()


if __name__ == "__main__":
    dashboard()
else:  # imported by `streamlit run app.py` (or an ASGI server): the server itself
    from ui import server

    app = st.App(
        __file__, routes=server.routes(), middleware=server.middleware(), lifespan=server.lifespan
    )
