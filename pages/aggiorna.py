"""Pagina «Aggiorna il piano»: carica, controlla, confronta, pubblica; storico delle versioni.

A thin shell over coopplan.store (versions), coopplan.reader (checks), coopplan.diff (what
changes) and coopplan.access (the editor secret). Nothing is written to the store until the editor
presses «Pubblica» (or «Ripristina») with the right secret.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from coopplan.access import NOT_CONFIGURED_MESSAGE, Gate, configured_secret
from coopplan.diff import PlanDiff, diff_plans
from coopplan.plan import Plan
from coopplan.reader import LoadResult, load_plan
from coopplan.schema import MAX_UPLOAD_MB
from coopplan.store import Store, StoreError, Version
from coopplan.validation import summary
from coopplan.writer import template_plan, workbook_bytes
from ui import versions as versions_ui
from ui.boot import through_app

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FLASH = "agg_flash"  # a success message shown once, after the rerun that follows a publish
NONCE = "agg_upload_nonce"  # bumped after a publish, so the uploader starts empty again
CHECKED = "agg_checked"  # (sha256 of the upload, its LoadResult): checked once per file


# Data (cached by content) ----------------------------------------------------------------


@st.cache_data(max_entries=4, show_spinner=False)
def template_for(root: str, sha256: str, number: int) -> bytes:
    """An empty workbook with the piste and sources of a version, its dropdowns and Leggimi."""
    return workbook_bytes(template_plan(Store(root).load(number)))


def plan_of_version(store: Store, version: Version) -> Plan:
    return versions_ui.version_plan(store, version)  # shared with the dashboard's cache


def check_upload(data: bytes, name: str) -> LoadResult:
    """Read and validate an upload once per distinct file (reruns reuse the result)."""
    digest = hashlib.sha256(data).hexdigest()
    cached = st.session_state.get(CHECKED)
    if cached and cached[0] == digest:
        return cached[1]
    with st.spinner("Controllo del file…"):
        result = load_plan(data, name=name)
    st.session_state[CHECKED] = (digest, result)
    return result


def editor_gate(store: Store) -> Gate:
    return Gate(store.root, configured_secret(st.secrets))


# Display helpers ---------------------------------------------------------------------------


def italian_uploader() -> None:
    """Streamlit writes "Upload" and "10MB per file" in English: say it in Italian instead."""
    button = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p'
    hint = '[data-testid="stFileUploaderDropzoneInstructions"] span'
    st.markdown(
        f"<style>{button}, {hint} {{font-size: 0;}}"
        f'{button}::after {{content: "Scegli il file"; font-size: 1rem;}}'
        f'{hint}::after {{content: "oppure trascinalo qui (al massimo {MAX_UPLOAD_MB} MB)";'
        " font-size: 0.875rem;}</style>",
        unsafe_allow_html=True,
    )


def version_label(version: Version) -> str:
    restored = f" – ripristino della v. {version.restored_from}" if version.restored_from else ""
    return f"Versione {version.number} · {version.when} · {version.editor}{restored}"


def show_problems(result: LoadResult) -> None:
    """Every problem at once: a summary line, then a table (severity, sheet, cell, message)."""
    if result.plan is None and len(result.problems) == 1 and not result.problems[0].sheet:
        st.error(result.problems[0].message)  # a malformed file: one clear sentence
        return
    line = summary(result.problems)
    if result.errors:
        st.error(f"{line}.")
    elif result.warnings:
        st.warning(f"{line}: il file si può pubblicare.")
    else:
        st.success("Il file è valido: nessun problema trovato.")
    if result.problems:
        table = pd.DataFrame(
            {
                "Gravità": [p.severity.value.capitalize() for p in result.problems],
                "Foglio": [p.sheet for p in result.problems],
                "Cella": [
                    p.cell.split("!", 1)[1] if "!" in p.cell else "" for p in result.problems
                ],
                "Problema": [p.message for p in result.problems],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")


def show_diff(diff: PlanDiff, nothing: str) -> None:
    """The changes as a few small tables; ``nothing`` when the two plans are the same."""
    if diff.unchanged:
        st.info(nothing)
        return
    general = _general_rows(diff)
    if general:
        st.markdown("**Piano, piste, filoni e fonti**")
        st.table(pd.DataFrame(general, columns=["Che cosa", "Prima", "Dopo"]))
    if diff.by_source:
        st.markdown("**Totali per fonte di finanziamento**")
        rows = [
            [d.source, d.shown(d.old), d.shown(d.new), d.shown_difference] for d in diff.by_source
        ]
        st.table(pd.DataFrame(rows, columns=["Fonte", "Prima", "Dopo", "Differenza"]))
    if diff.by_track:
        st.markdown("**Budget per pista**")
        rows = [
            [d.where, d.source, d.shown(d.old), d.shown(d.new), d.shown_difference]
            for d in diff.by_track
        ]
        st.table(pd.DataFrame(rows, columns=["Pista", "Fonte", "Prima", "Dopo", "Differenza"]))
    if diff.added or diff.removed:
        st.markdown("**Progetti aggiunti e tolti**")
        rows = [["Aggiunto", p.label, p.track] for p in diff.added]
        rows += [["Tolto", p.label, p.track] for p in diff.removed]
        st.table(pd.DataFrame(rows, columns=["", "Progetto", "Pista"]))
    if diff.statuses:
        st.markdown("**Stati cambiati**")
        rows = [[s.project.label, s.old, s.new] for s in diff.statuses]
        st.table(pd.DataFrame(rows, columns=["Progetto", "Stato prima", "Stato dopo"]))
    if diff.changed:
        st.markdown("**Progetti modificati**")
        rows = [
            [change.project.label, c.field, c.old, c.new]
            for change in diff.changed
            for c in change.changes
        ]
        st.table(pd.DataFrame(rows, columns=["Progetto", "Campo", "Prima", "Dopo"]))


def _general_rows(diff: PlanDiff) -> list[list[str]]:
    rows = [[f"{c.field} del piano", c.old, c.new] for c in diff.meta]
    rows += [[f"Pista {r.where} rinominata", r.old, r.new] for r in diff.tracks_renamed]
    rows += [["Nuova pista", "", t] for t in diff.tracks_added]
    rows += [["Pista tolta", t, ""] for t in diff.tracks_removed]
    rows += [[f"Filone rinominato ({r.where})", r.old, r.new] for r in diff.lines_renamed]
    rows += [["Nuovo filone", "", t] for t in diff.lines_added]
    rows += [["Filone tolto", t, ""] for t in diff.lines_removed]
    rows += [["Descrizione del filone modificata", "", t] for t in diff.lines_described]
    rows += [["Nuova fonte", "", s] for s in diff.sources_added]
    rows += [["Fonte tolta", s, ""] for s in diff.sources_removed]
    return rows


# Sections ----------------------------------------------------------------------------------


def in_force_section(store: Store, versions: list[Version]) -> None:
    st.subheader("Il piano in vigore")
    years = sorted({v.year for v in versions}, reverse=True)
    for year in years:
        current = store.current(year)
        st.markdown(
            f"**Piano {year}**: versione {current.number}, pubblicata il {current.when} "
            f"da {current.editor}. {current.totals_text()}."
        )
    newest = store.current()
    left, right = st.columns(2)
    left.download_button(
        f"Scarica il piano in vigore ({newest.year})",
        data=store.read(newest),
        file_name=f"piano_{newest.year}_v{newest.number}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        key="agg_download_current",
    )
    right.download_button(
        "Scarica il modello vuoto",
        data=template_for(str(store.root), newest.sha256, newest.number),
        file_name="modello_piano_vuoto.xlsx",
        mime=XLSX_MIME,
        icon=":material/draft:",
        help="Un file vuoto con gli stessi fogli, elenchi a discesa e il foglio «Leggimi».",
        key="agg_download_template",
    )


def upload_section(store: Store, gate: Gate) -> None:
    st.subheader("Carica il file aggiornato")
    st.caption(
        f"Un file .xlsx di al massimo {MAX_UPLOAD_MB} MB. Viene controllato e ti viene mostrato "
        "che cosa cambia: finché non premi «Pubblica» non cambia niente per nessuno."
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
            f"È il piano di un anno nuovo ({plan.meta.year}): sarà pubblicato come piano a sé, "
            "accanto a quelli già presenti."
        )
        unchanged = False
    else:
        current = store.current(plan.meta.year)
        diff = diff_plans(plan_of_version(store, current), plan)
        st.caption(f"Rispetto al piano {plan.meta.year} in vigore ({version_label(current)}).")
        show_diff(diff, "Nessuna modifica: il file è uguale al piano in vigore.")
        unchanged = diff.unchanged
    publish_form(store, gate, data, uploaded.name, blocked=unchanged)


def publish_form(store: Store, gate: Gate, data: bytes, name: str, *, blocked: bool) -> None:
    st.markdown("#### Pubblica")
    if not gate.configured:
        st.info(NOT_CONFIGURED_MESSAGE)
    elif blocked:
        st.info("Non c'è niente da pubblicare: il contenuto è lo stesso del piano in vigore.")
    disabled = blocked or not gate.configured
    with st.form("agg_publish", clear_on_submit=True, enter_to_submit=False):
        editor = st.text_input(
            "Il tuo nome",
            value=st.session_state.get("agg_editor", ""),
            disabled=disabled,
            key="agg_publish_editor",
        )
        note = st.text_area(
            "Nota (facoltativa)",
            placeholder="Es. Consiglio del 14 marzo",
            disabled=disabled,
            key="agg_publish_note",
        )
        secret = st.text_input(
            "Password di pubblicazione",
            type="password",
            disabled=disabled,
            key="agg_publish_secret",
        )
        pressed = st.form_submit_button("Pubblica", type="primary", disabled=disabled)
    if not pressed or disabled:
        return
    verdict = gate.check(secret)
    if not verdict.ok:
        st.error(verdict.message)
        return
    try:
        version = store.publish(data, editor, note, name=name)
    except StoreError as exc:
        st.error(exc.message)
        return
    st.session_state["agg_editor"] = version.editor
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1
    st.session_state[FLASH] = (
        f"Pubblicata la versione {version.number} del piano {version.year}: da ora tutti "
        "vedono questa versione."
    )
    st.session_state.pop(CHECKED, None)
    st.rerun()


def history_section(store: Store, gate: Gate, versions: list[Version]) -> None:
    st.subheader("Storico delle versioni")
    years = sorted({v.year for v in versions}, reverse=True)
    year = years[0]
    if len(years) > 1:
        year = st.selectbox(
            "Piano", years, format_func=lambda y: f"Piano {y}", key="agg_history_year"
        )
    mine = [v for v in versions if v.year == year]
    in_force = store.current(year).number
    table = pd.DataFrame(
        {
            "Versione": [v.number for v in mine],
            "Pubblicata il": [v.when for v in mine],
            "Da": [v.editor for v in mine],
            "Stato": [
                "in vigore"
                if v.number == in_force
                else (f"ripristino della v. {v.restored_from}" if v.restored_from else "")
                for v in mine
            ],
            "Nota": [v.note for v in mine],
            "Totali": [v.totals_text() for v in mine],
        }
    ).iloc[::-1]
    st.dataframe(table, hide_index=True, width="stretch")

    by_number = {v.number: v for v in mine}
    numbers = [v.number for v in reversed(mine)]
    chosen = by_number[
        st.selectbox(
            "Versione",
            numbers,
            format_func=lambda n: version_label(by_number[n]),
            key=f"agg_chosen_{year}_{len(mine)}",  # a new version resets the choice to it
        )
    ]
    view, download = st.columns(2)
    if view.button(
        "Visualizza nella dashboard",
        icon=":material/visibility:",
        key="agg_view",
        on_click=lambda: st.session_state.update({versions_ui.VIEW_KEY: chosen.number}),
    ):
        st.success(
            f"In questa sessione la dashboard mostra la versione {chosen.number} in sola lettura: "
            "aprila dal menu; il riquadro in cima alle pagine riporta al piano in vigore."
        )
    download.download_button(
        f"Scarica la versione {chosen.number}",
        data=store.read(chosen),
        file_name=f"piano_{chosen.year}_v{chosen.number}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        key="agg_download_chosen",
    )
    restore_form(store, gate, chosen, in_force)
    compare_section(store, mine)


def restore_form(store: Store, gate: Gate, chosen: Version, in_force: int) -> None:
    with st.expander(f"Ripristina la versione {chosen.number}"):
        st.caption(
            "Il ripristino aggiunge una nuova versione con il contenuto di quella scelta: lo "
            "storico resta intero."
        )
        if not gate.configured:
            st.info("Il ripristino è disattivato: manca la password di pubblicazione (vedi sopra).")
        disabled = not gate.configured or chosen.number == in_force
        if chosen.number == in_force and gate.configured:
            st.info("Questa è già la versione in vigore.")
        with st.form(f"agg_restore_{chosen.number}", clear_on_submit=True, enter_to_submit=False):
            editor = st.text_input(
                "Il tuo nome",
                value=st.session_state.get("agg_editor", ""),
                disabled=disabled,
                key="agg_restore_editor",
            )
            secret = st.text_input(
                "Password di pubblicazione",
                type="password",
                disabled=disabled,
                key="agg_restore_secret",
            )
            pressed = st.form_submit_button("Ripristina", disabled=disabled)
        if not pressed or disabled:
            return
        verdict = gate.check(secret)
        if not verdict.ok:
            st.error(verdict.message)
            return
        try:
            version = store.restore(chosen.number, editor)
        except StoreError as exc:
            st.error(exc.message)
            return
        st.session_state["agg_editor"] = version.editor
        st.session_state[FLASH] = (
            f"Ripristinata la versione {chosen.number}: ora è in vigore come versione "
            f"{version.number}."
        )
        st.rerun()


def compare_section(store: Store, mine: list[Version]) -> None:
    if len(mine) < 2:
        return
    st.markdown("#### Confronta due versioni")
    by_number = {v.number: v for v in mine}
    numbers = [v.number for v in mine]
    left, right = st.columns(2)
    old = left.selectbox(
        "Versione di partenza",
        numbers,
        index=len(numbers) - 2,
        format_func=lambda n: version_label(by_number[n]),
        key=f"agg_compare_old_{mine[0].year}_{len(mine)}",
    )
    new = right.selectbox(
        "Versione di arrivo",
        numbers,
        index=len(numbers) - 1,
        format_func=lambda n: version_label(by_number[n]),
        key=f"agg_compare_new_{mine[0].year}_{len(mine)}",
    )
    diff = diff_plans(
        plan_of_version(store, by_number[old]), plan_of_version(store, by_number[new])
    )
    show_diff(diff, f"Nessuna differenza tra la versione {old} e la versione {new}.")


# Page --------------------------------------------------------------------------------------


def main() -> None:
    through_app()  # first, before anything is drawn (see ui/boot.py)
    st.title("Aggiorna il piano")
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(flash)
    store = Store.default()
    try:
        versions = store.versions()
    except OSError:
        st.error(
            f"L'archivio delle versioni ({store.root}) non si riesce a leggere: controlla che la "
            "cartella esista e sia scrivibile."
        )
        return
    if not versions:
        st.warning("L'archivio è vuoto: pubblica il primo piano caricando il file qui sotto.")
    gate = editor_gate(store)
    if versions:
        in_force_section(store, versions)
    upload_section(store, gate)
    if versions:
        history_section(store, gate, versions)


main()
