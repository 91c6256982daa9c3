"""Pagina «Aggiorna il piano»: carica, controlla, confronta, pubblica; storico delle versioni.

A thin shell over coopplan.store (versions), coopplan.workbook.preview (checks and what changes, run in
the limited child of coopplan.workbook.sandbox) and ui/editor.py (who is signed in); its pieces (tables,
pickers, forms) are in ui/update.py. A visitor sees the plan in force, the history and «Accedi»;
only a signed-in editor can upload a file (ui/uploads.py refuses it otherwise), see what it
changes, and publish, restore or mark a version.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import streamlit as st

from coopplan import fmt
from coopplan.diff import diff_plans
from coopplan.editors.accounts import Actor, mark_as, publish_as, restore_as
from coopplan.editors.backends import audit_for
from coopplan.export.downloads import XLSX_MIME
from coopplan.store.model import StoreError, UnreachableStoreError, Version, VersionStore
from coopplan.tables import history_table
from coopplan.workbook.preview import Against, Comparison, UploadPreview
from coopplan.workbook.sandbox import PREVIEW_LIMITS, preview_isolated, restamp_isolated, warm
from coopplan.workbook.schema import MAX_UPLOAD_MB
from coopplan.workbook.writer import template_plan, workbook_bytes
from ui import CHOOSE, keys, uploads
from ui.cache import shared
from ui.data import shared_store, version_plan, where
from ui.editor import Editor, current, how_to_sign_in, sign_in_form, signed_in_bar
from ui.page import context
from ui.safe import md, text
from ui.signin import audit_section
from ui.update import (
    AT_HISTORY,
    AT_UPLOAD,
    choose_version,
    download_version,
    italian_uploader,
    mark_form,
    mark_text,
    presented_caption,
    show_changes,
    show_diff,
    show_flash,
    show_problems,
    signed_form,
    text_table,
    write_to_store,
)

NONCE = "agg_upload_nonce"  # bumped after a publish, so the uploader starts empty again
CHECKED = "agg_checked"  # (key of the upload and the versions compared, its UploadPreview)
TODAY_DATE = "agg_today_date"  # the checkbox «Usa la data di oggi» of a stale «Data versione»


# Data (cached by content) ----------------------------------------------------------------


@st.cache_data(max_entries=4, show_spinner=False)
def template_for(_store: VersionStore, sha256: str, number: int) -> bytes:
    """An empty workbook with the piste and sources of a version, its dropdowns and Leggimi
    (cached by content: ``_store``, folder or database, is not part of the key)."""
    return workbook_bytes(template_plan(_store.load(number)))


def check_upload(store: VersionStore, data: bytes, name: str) -> UploadPreview:
    """Check an upload and compare it with the version of its year, once per distinct file and
    versions in force (reruns reuse the preview; only the latest is kept), in a limited child
    process: a file that would exhaust memory or time, or crash the parser, gets one Italian
    sentence and the server carries on (coopplan.workbook.sandbox). A check that could not start because
    others are running is not kept: the next run tries again."""
    stored = standing_versions(store)
    key = hashlib.sha256(data).hexdigest() + "".join(f" {v.sha256}" for v in stored.values())
    cached = st.session_state.get(CHECKED)
    if cached and cached[0] == key:
        return cached[1]
    st.session_state.pop(CHECKED, None)  # the previous file's preview goes before the next
    with st.spinner("Controllo del file…"):
        preview = preview_isolated(data, name, against(store, stored))
    if not preview.retry:
        st.session_state[CHECKED] = (key, preview)
    return preview


def standing_versions(store: VersionStore) -> dict[int, Version]:
    """For each year, the version an upload is compared with: the one in force, or the last
    intact one when that is damaged (none when no version of the year is intact)."""
    shown = {}
    for year in store.years():
        standing = store.standing(year)
        version = standing.shown or standing.in_force
        if version is not None:
            shown[year] = version
    return shown


def against(store: VersionStore, stored: dict[int, Version]) -> dict[int, Against]:
    """The workbooks of ``stored`` for the child (read here, parsed there)."""
    out = {}
    for year, version in stored.items():
        try:
            data = store.read(version)
        except StoreError:
            continue  # damaged since: compared with nothing, as a year with no version
        in_force = version == store.standing(year).in_force
        out[year] = Against(year, version.label, data, in_force)
    return out


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


def upload_section(store: VersionStore, editor: Editor | None) -> None:
    st.subheader("Carica il file aggiornato")
    if editor is None:
        how = how_to_sign_in(store)
        st.caption(
            md(
                "Caricare un file, vedere che cosa cambia e pubblicarlo è riservato a chi "
                "aggiorna il piano: accedi {how}.",
                how=how,
            )
        )
        sign_in_form(store)
        return
    signed_in_bar(store, editor, forget=(CHECKED, TODAY_DATE))
    warm(PREVIEW_LIMITS)  # a reading process ready (imports done) before the file arrives
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
    show_flash(AT_UPLOAD)  # «Pubblicata la versione …» where «Pubblica» was
    if uploaded is None:
        st.session_state.pop(CHECKED, None)  # a removed file: its preview goes too
        return
    data = uploaded.getvalue()
    preview = check_upload(store, data, uploaded.name)
    if preview.retry:
        st.warning(text(preview.unreadable), icon=":material/hourglass_top:")
        st.button("Controlla di nuovo", icon=":material/refresh:", key="agg_check_again")
        return
    show_problems(preview)
    if not preview.ok:
        st.info("Correggi il file e caricalo di nuovo: il piano in vigore non è cambiato.")
        return
    st.markdown("#### Che cosa cambia")
    comparison = preview.comparison
    if comparison is None:
        st.info(
            md(
                "È il piano di un anno nuovo ({year}): sarà pubblicato come piano a sé, accanto "
                "a quelli già presenti.",
                year=preview.year,
            )
        )
        publish_form(store, data, uploaded.name, blocked=False, today=False)
        return
    what = "in vigore" if comparison.in_force else "ultimo integro"
    st.caption(
        md(
            "Rispetto al piano {year} {what} ({label}).",
            year=comparison.year,
            what=what,
            label=comparison.label,
        )
    )
    show_changes(comparison.tables, "Nessuna modifica: il file è uguale al piano in vigore.")
    today = not comparison.unchanged and version_date_check(comparison)
    publish_form(store, data, uploaded.name, blocked=comparison.unchanged, today=today)


def version_date_check(comparison: Comparison) -> bool:
    """Warn when the file's «Data versione» is not newer than the version in force's, and offer
    today's date; True when the file is to be published with today's date (rewritten then)."""
    if not comparison.stale_date:
        return False
    today = dt.date.today()
    given = comparison.given_date
    st.warning(
        md(
            "La «Data versione» del file ({given}) non è successiva a quella del piano in "
            "vigore ({before}): dopo la pubblicazione le pagine direbbero ancora «Versione del "
            "{before}».",
            given=fmt.date(given) if given else "vuota",
            before=fmt.date(comparison.before_date) or "non indicata",
        ),
        icon=":material/event_busy:",
    )
    return st.checkbox(
        md("Usa la data di oggi ({today}) come «Data versione»", today=fmt.date(today)),
        value=True,
        key=TODAY_DATE,
        help="Il file pubblicato avrà la data di oggi nel foglio «Piano»; il resto non cambia.",
    )


def publish_form(
    store: VersionStore, data: bytes, name: str, *, blocked: bool, today: bool
) -> None:
    """«Pubblica»: the file as uploaded, or (``today``) written again with today's «Data
    versione» in the limited child first."""
    st.markdown("#### Pubblica")
    if blocked:
        st.info("Non c'è niente da pubblicare: il contenuto è lo stesso del piano in vigore.")
    signed = signed_form(
        "agg_publish",
        "agg_publish",
        "Pubblica",
        disabled=blocked,
        with_note=True,
        primary=True,
        assembly="optional",
    )
    if signed is None:
        return
    if today:
        with st.spinner("Scrittura della data di oggi nel file…"):
            stamped = restamp_isolated(data, name, dt.date.today())
        if isinstance(stamped, str):
            st.error(text(stamped))
            return
        data = stamped

    def publish(who: Actor) -> Version:
        log = audit_for(store)
        version = publish_as(store, log, who, data, signed.note, name=name)
        if signed.assembly:
            mark_as(store, log, who, version.number, signed.assembly)
        st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1  # an empty uploader next
        st.session_state.pop(CHECKED, None)
        uploads.release(uploads.session_id())  # the published file leaves the server's memory
        return version

    write_to_store(
        store,
        publish,
        lambda version: (
            f"Pubblicata la versione {version.number} del piano {version.year}: da ora tutti "
            "vedono questa versione."
            + (f" {mark_text(version.number, signed.assembly)}" if signed.assembly else "")
        ),
        AT_UPLOAD,
    )


def history_section(store: VersionStore, editor: Editor | None, versions: list[Version]) -> None:
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
    show_flash(AT_HISTORY)  # «Ripristinata …», «… segnata come presentata …» by their forms
    if editor is None:
        st.caption(
            "Per ripristinare una versione o segnarla come presentata in assemblea, accedi (sopra)."
        )
    else:
        restore_form(store, chosen, in_force)
        mark_form(store, chosen)
    compare_section(store, mine)


def restore_form(store: VersionStore, chosen: Version, in_force: int) -> None:
    with st.expander(md("Ripristina la versione {n}", n=chosen.number)):
        st.caption(
            "Il ripristino aggiunge una nuova versione con il contenuto di quella scelta: lo "
            "storico resta intero."
        )
        if chosen.number == in_force:
            st.info("Questa è già la versione in vigore.")
        disabled = chosen.number == in_force
        signed = signed_form(
            f"agg_restore_{chosen.number}", "agg_restore", "Ripristina", disabled=disabled
        )
        if signed is None:
            return
        write_to_store(
            store,
            lambda who: restore_as(store, audit_for(store), who, chosen.number),
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
    uploads.guard()  # app.py does it too; this page may run alone (AppTest, a direct script)
    editor = current(store)
    if versions:
        in_force_section(store, versions)
    upload_section(store, editor)
    if versions:
        history_section(store, editor, versions)
    if editor is not None:
        st.divider()
        audit_section(store)
    show_flash(None)  # a message whose place was not drawn this time: at the foot, in view


main()
