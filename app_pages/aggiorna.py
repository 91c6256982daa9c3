"""Pagina «Aggiorna il piano»: carica, controlla, confronta, pubblica; storico delle versioni.

A thin shell over coopplan.store (versions), coopplan.reader (checks), coopplan.diff (what
changes) and coopplan.access (the editor secret); its pieces (tables, pickers, forms) are in
ui/update.py. Nothing is written to the store until the editor presses «Pubblica» (or
«Ripristina») with the right secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import streamlit as st

from coopplan import fmt
from coopplan.access import NOT_CONFIGURED_MESSAGE, Gate, configured_secret
from coopplan.diff import diff_plans, stale_version_date
from coopplan.downloads import XLSX_MIME
from coopplan.plan import Plan
from coopplan.reader import LoadResult
from coopplan.sandbox import load_plan_isolated, warm
from coopplan.schema import MAX_UPLOAD_MB
from coopplan.store import StoreError, UnreachableStoreError, Version, VersionStore
from coopplan.tables import history_table
from coopplan.writer import restamped_bytes, template_plan, workbook_bytes
from ui import CHOOSE, keys
from ui.cache import shared
from ui.data import shared_store, version_plan, where
from ui.page import context
from ui.safe import md, text
from ui.update import (
    FLASH,
    choose_version,
    download_version,
    italian_uploader,
    mark_form,
    mark_text,
    presented_caption,
    show_diff,
    show_problems,
    signed_form,
    text_table,
    write_to_store,
)

NONCE = "agg_upload_nonce"  # bumped after a publish, so the uploader starts empty again
CHECKED = "agg_checked"  # (sha256 of the upload, its LoadResult): checked once per file
TODAY_DATE = "agg_today_date"  # the checkbox «Usa la data di oggi» of a stale «Data versione»


# Data (cached by content) ----------------------------------------------------------------


@st.cache_data(max_entries=4, show_spinner=False)
def template_for(_store: VersionStore, sha256: str, number: int) -> bytes:
    """An empty workbook with the piste and sources of a version, its dropdowns and Leggimi
    (cached by content: ``_store``, folder or database, is not part of the key)."""
    return workbook_bytes(template_plan(_store.load(number)))


def check_upload(data: bytes, name: str) -> LoadResult:
    """Read and validate an upload once per distinct file (reruns reuse the result), in a
    limited child process: a file that would exhaust memory or time, or crash the parser,
    gets one Italian sentence and the server carries on (coopplan.sandbox)."""
    digest = hashlib.sha256(data).hexdigest()
    cached = st.session_state.get(CHECKED)
    if cached and cached[0] == digest:
        return cached[1]
    with st.spinner("Controllo del file…"):
        result = load_plan_isolated(data, name)
    st.session_state[CHECKED] = (digest, result)
    return result


def editor_gate() -> Gate:
    return Gate(configured_secret(st.secrets))


# Sections ----------------------------------------------------------------------------------


def in_force_section(store: VersionStore, versions: list[Version]) -> None:
    st.subheader("Il piano in vigore")
    for year in sorted({v.year for v in versions}, reverse=True):
        current = store.current(year)
        st.markdown(
            md(
                "**Piano {year}**: versione {number}, pubblicata il {when} da {editor}. {totals}.",
                year=year,
                number=current.number,
                when=current.when,
                editor=current.editor,
                totals=current.totals_text(),
            )
        )
    newest = store.current()
    intact = store.standing().shown or store.versions()[0]  # the template needs a readable one
    left, right = st.columns(2)
    download_version(
        left, f"Scarica il piano in vigore ({newest.year})", store, newest, "agg_download_current"
    )
    right.download_button(
        "Scarica il modello vuoto",
        data=lambda: template_for(store, intact.sha256, intact.number),  # built when clicked
        file_name="modello_piano_vuoto.xlsx",
        on_click="ignore",
        mime=XLSX_MIME,
        icon=":material/draft:",
        help="Un file vuoto con gli stessi fogli, elenchi a discesa e il foglio «Leggimi».",
        key="agg_download_template",
    )


def upload_section(store: VersionStore, gate: Gate) -> None:
    st.subheader("Carica il file aggiornato")
    warm()  # a reading process ready (imports done) before the file arrives
    st.caption(
        md(
            "Un file .xlsx di al massimo {mb} MB. Viene controllato e ti viene mostrato che cosa "
            "cambia: finché non premi «Pubblica» non cambia niente per nessuno.",
            mb=MAX_UPLOAD_MB,
        )
    )
    italian_uploader()
    uploaded = st.file_uploader(
        "File del piano (.xlsx)",
        # No ``type=``: a .xls, .ods or .csv must reach the core and get its clear sentence
        # instead of the uploader's own English refusal.
        max_upload_size=MAX_UPLOAD_MB,
        key=f"agg_upload_{st.session_state.get(NONCE, 0)}",
    )
    if uploaded is None:
        return
    data = uploaded.getvalue()
    result = check_upload(data, uploaded.name)
    show_problems(result)
    if not result.ok or result.plan is None:
        st.info("Correggi il file e caricalo di nuovo: il piano in vigore non è cambiato.")
        return
    plan = result.plan
    st.markdown("#### Che cosa cambia")
    if plan.meta.year not in store.years():
        st.info(
            md(
                "È il piano di un anno nuovo ({year}): sarà pubblicato come piano a sé, accanto "
                "a quelli già presenti.",
                year=plan.meta.year,
            )
        )
        unchanged = False
    else:
        standing = store.standing(plan.meta.year)  # a damaged version in force: the last intact
        current = standing.shown or standing.in_force
        diff = diff_plans(version_plan(store, current), plan)
        what = "in vigore" if current == standing.in_force else "ultimo integro"
        st.caption(
            md(
                "Rispetto al piano {year} {what} ({label}).",
                year=plan.meta.year,
                what=what,
                label=current.label,
            )
        )
        show_diff(diff, "Nessuna modifica: il file è uguale al piano in vigore.")
        unchanged = diff.unchanged
        if not unchanged:
            data = version_date_check(version_plan(store, current), plan, data)
    publish_form(store, gate, data, uploaded.name, blocked=unchanged)


def version_date_check(in_force: Plan, plan: Plan, data: bytes) -> bytes:
    """Warn when the file's «Data versione» is not newer than the version in force's, and offer
    today's date; return the bytes to publish (rewritten with today's date when accepted)."""
    if not stale_version_date(in_force, plan):
        return data
    today = dt.date.today()
    given = plan.meta.version_date
    st.warning(
        md(
            "La «Data versione» del file ({given}) non è successiva a quella del piano in "
            "vigore ({before}): dopo la pubblicazione le pagine direbbero ancora «Versione del "
            "{before}».",
            given=fmt.date(given) if given else "vuota",
            before=fmt.date(in_force.meta.version_date) or "non indicata",
        ),
        icon=":material/event_busy:",
    )
    use_today = st.checkbox(
        md("Usa la data di oggi ({today}) come «Data versione»", today=fmt.date(today)),
        value=True,
        key=TODAY_DATE,
        help="Il file pubblicato avrà la data di oggi nel foglio «Piano»; il resto non cambia.",
    )
    return restamped_bytes(plan, today) if use_today else data


def publish_form(store: VersionStore, gate: Gate, data: bytes, name: str, *, blocked: bool) -> None:
    st.markdown("#### Pubblica")
    if not gate.configured:
        st.info(text(NOT_CONFIGURED_MESSAGE))
    elif blocked:
        st.info("Non c'è niente da pubblicare: il contenuto è lo stesso del piano in vigore.")
    disabled = blocked or not gate.configured
    signed = signed_form(
        "agg_publish",
        "agg_publish",
        "Pubblica",
        disabled=disabled,
        with_note=True,
        primary=True,
        assembly="optional",
    )
    if signed is None:
        return

    def publish() -> Version:
        version = store.publish(data, signed.editor, signed.note, name=name)
        if signed.assembly:
            store.mark_presented(version.number, signed.assembly, signed.editor)
        st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1  # an empty uploader next
        st.session_state.pop(CHECKED, None)
        return version

    write_to_store(
        gate,
        signed,
        publish,
        lambda version: (
            f"Pubblicata la versione {version.number} del piano {version.year}: da ora tutti "
            "vedono questa versione."
            + (f" {mark_text(version.number, signed.assembly)}" if signed.assembly else "")
        ),
    )


def history_section(store: VersionStore, gate: Gate, versions: list[Version]) -> None:
    st.subheader("Storico delle versioni")
    years = sorted({v.year for v in versions}, reverse=True)
    year = years[0]
    if len(years) > 1:
        year = st.selectbox(
            "Piano",
            years,
            format_func=lambda y: f"Piano {y}",
            key="agg_history_year",
            placeholder=CHOOSE,
        )
    mine = [v for v in versions if v.year == year]
    in_force = store.current(year).number
    text_table(history_table(mine, in_force), phone_key="storico")  # notes and totals whole
    presented_caption(store, mine)

    # A new version resets the choice to it (the key names how many there are).
    chosen = choose_version(st, "Versione", mine[::-1], 0, f"agg_chosen_{year}_{len(mine)}")
    view, download = st.columns(2)
    if view.button(
        "Visualizza nella dashboard",
        icon=":material/visibility:",
        key="agg_view",
        on_click=lambda: st.session_state.update({keys.VIEW_VERSION: chosen.number}),
    ):
        st.success(
            md(
                "In questa sessione la dashboard mostra la versione {n} in sola lettura: aprila "
                "dal menu; il riquadro in cima alle pagine riporta al piano in vigore.",
                n=chosen.number,
            )
        )
    download_version(
        download, f"Scarica la versione {chosen.number}", store, chosen, "agg_download_chosen"
    )
    restore_form(store, gate, chosen, in_force)
    mark_form(store, gate, chosen)
    compare_section(store, mine)


def restore_form(store: VersionStore, gate: Gate, chosen: Version, in_force: int) -> None:
    with st.expander(md("Ripristina la versione {n}", n=chosen.number)):
        st.caption(
            "Il ripristino aggiunge una nuova versione con il contenuto di quella scelta: lo "
            "storico resta intero."
        )
        if not gate.configured:
            st.info("Il ripristino è disattivato: manca la password di pubblicazione (vedi sopra).")
        elif chosen.number == in_force:
            st.info("Questa è già la versione in vigore.")
        disabled = not gate.configured or chosen.number == in_force
        signed = signed_form(
            f"agg_restore_{chosen.number}", "agg_restore", "Ripristina", disabled=disabled
        )
        if signed is None:
            return
        write_to_store(
            gate,
            signed,
            lambda: store.restore(chosen.number, signed.editor),
            lambda version: (
                f"Ripristinata la versione {chosen.number}: ora è in vigore come versione "
                f"{version.number}."
            ),
        )


def compare_section(store: VersionStore, mine: list[Version]) -> None:
    """Two published versions side by side: its own section, apart from the upload's preview."""
    if len(mine) < 2:
        return
    st.divider()
    st.subheader("Confronta due versioni", anchor="confronta")
    st.caption("Le differenze tra due versioni già pubblicate dello storico, non il file caricato.")
    left, right = st.columns(2)
    keys = f"{mine[0].year}_{len(mine)}"
    old = choose_version(
        left, "Versione di partenza", mine, len(mine) - 2, f"agg_compare_old_{keys}"
    )
    new = choose_version(
        right, "Versione di arrivo", mine, len(mine) - 1, f"agg_compare_new_{keys}"
    )
    try:
        diff = shared(diff_plans, version_plan(store, old), version_plan(store, new))
    except StoreError as exc:  # a damaged version: said, not compared
        st.warning(text(exc.public))
        return
    show_diff(diff, f"Nessuna differenza tra la versione {old.number} e la versione {new.number}.")


# Page --------------------------------------------------------------------------------------


def main() -> None:
    context()  # the same opening as every page; this one draws the store, not the plan
    st.title("Aggiorna il piano")
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(text(flash))
    store = shared_store()
    try:
        store.ensure_seeded()  # as app.py does: this page may be the first one a server runs
        versions = store.versions()
    except UnreachableStoreError:
        st.error(
            "L'archivio delle versioni non è raggiungibile in questo momento: per ora non si può "
            "pubblicare né ripristinare una versione. Riprova fra qualche minuto."
        )
        return
    except (OSError, StoreError):
        st.error(
            md(
                "L'archivio delle versioni{where} non si riesce a leggere: controlla che la "
                "cartella esista e sia scrivibile.",
                where=where(store),
            )
        )
        return
    if not versions and store.verify().sound:  # a lost manifest is told above the page
        st.warning("L'archivio è vuoto: pubblica il primo piano caricando il file qui sotto.")
    gate = editor_gate()
    if versions:
        in_force_section(store, versions)
    upload_section(store, gate)
    if versions:
        history_section(store, gate, versions)


main()
