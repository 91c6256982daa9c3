"""The pieces of the page «Aggiorna il piano»: problems and changes as tables, version pickers
and downloads, and the forms a signed-in editor (ui/editor.py) publishes, restores and marks with.

The sections of the page are in app_pages/aggiorna.py; the work is done in coopplan (store, diff,
tables, access).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Literal

import pandas as pd
import streamlit as st

from coopplan import fmt
from coopplan.diff import PlanDiff
from coopplan.editors.accounts import Actor, mark_as
from coopplan.editors.backends import audit_for
from coopplan.export.downloads import XLSX_MIME
from coopplan.store.model import StoreError, Version, VersionStore
from coopplan.workbook.preview import SHOWN_PROBLEMS as SHOWN_PROBLEMS
from coopplan.workbook.preview import Table, UploadPreview, shown_tables
from coopplan.workbook.schema import MAX_UPLOAD_MB
from ui import CHOOSE, editor, keys
from ui.safe import join, md, table, text

FLASH = "agg_flash"  # (place, message): a success shown once, after the rerun that follows a write
FLASH_BOX = "agg-flash"  # the container of that message, scrolled into view (``show_flash``)
AT_UPLOAD = "upload"  # places of a flash: under the uploader, after «Pubblica»
AT_HISTORY = "history"  # under the version chosen in the history, after a restore or a mark
FLASH_SCROLL_MS = 2500  # how long the message is brought back into view while the page settles
SCROLL_AFTER_ROWS = 20  # a longer table scrolls inside a box of TABLE_HEIGHT_PX, header kept
TABLE_HEIGHT_PX = 640
SIGN_IN_FIRST = "Accedi di nuovo per pubblicare: in questa sessione non risulta un accesso."


def italian_uploader() -> None:
    """Streamlit writes "Upload" and "10MB per file" in English: say it in Italian instead."""
    button = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p'
    hint = '[data-testid="stFileUploaderDropzoneInstructions"] span'
    st.html(
        f"<style>{button}, {hint} {{font-size: 0;}}"
        f'{button}::after {{content: "Scegli il file"; font-size: 1rem;}}'
        f'{hint}::after {{content: "oppure trascinalo qui (al massimo {MAX_UPLOAD_MB} MB)";'
        " font-size: 0.875rem;}</style>"
    )


def show_problems(preview: UploadPreview) -> None:
    """Every problem at once: a summary line, then a table (severity, sheet, cell, message) of
    the first SHOWN_PROBLEMS."""
    if preview.unreadable:
        st.error(text(preview.unreadable))  # a malformed file: one clear sentence
        return
    line = preview.summary
    if preview.errors:
        st.error(md("{line}.", line=line))
    elif preview.warnings:
        st.warning(md("{line}: il file si può pubblicare.", line=line))
    else:
        st.success("Il file è valido: nessun problema trovato.")
    if preview.problem_count:
        text_table(preview.problems)
        rest = preview.problem_count - len(preview.problems)
        if rest > 0:
            others = "un altro problema" if rest == 1 else f"altri {fmt.number(rest)} problemi"
            st.caption(
                md(
                    "… e {others}: correggi quelli elencati e ricarica il file per vedere i "
                    "successivi.",
                    others=others,
                )
            )


def text_table(frame: pd.DataFrame, phone_key: str = "") -> None:
    """A static table whose texts wrap and show whole (an st.dataframe cuts long cells); its
    cells are shown as written, not as Markdown. Past SCROLL_AFTER_ROWS it scrolls inside
    itself with the header kept in view.

    ``phone_key``: on a phone the rows are shown as a list instead (``phone_rows``), in
    containers keyed from it (the table would scroll sideways in a box a keyboard cannot reach:
    axe «scrollable-region-focusable»)."""
    height: int | Literal["content"] = (
        "content" if len(frame) <= SCROLL_AFTER_ROWS else TABLE_HEIGHT_PX
    )
    if phone_key:
        with st.container(key=f"{keys.PHONE_ONLY}-{phone_key}"):
            phone_rows(frame)
    with st.container(key=f"{keys.WIDE_ONLY}-{phone_key}") if phone_key else nullcontext():
        st.table(
            table(frame),
            hide_index=True,
            height=height,
        )


def phone_rows(frame: pd.DataFrame, *, named: bool = True) -> None:
    """Each row of ``frame`` as a short block for a phone: its first column in bold as a
    heading («Versione 2»; without its header unless ``named``: «Totale», not «Pista Totale»),
    then «Colonna: valore» for every other filled cell, one a line."""
    first, *others = frame.columns
    for _, row in frame.iterrows():
        header = first if named else ""
        lines = [md("**{header}{value}**", header=f"{header} " if header else "", value=row[first])]
        lines += [
            md("{header}: {value}", header=h, value=row[h]) for h in others if str(row[h]).strip()
        ]
        with st.container(border=True):
            st.markdown(join(lines, "  \n"))


def show_diff(diff: PlanDiff, nothing: str) -> None:
    """The changes as a few small tables; ``nothing`` when the two plans are the same."""
    show_changes(shown_tables(diff), nothing)


def show_changes(tables: Sequence[Table], nothing: str) -> None:
    """Tables of changes, each at most SHOWN_CHANGES rows, saying how many more it had;
    ``nothing`` when there are none."""
    if not tables:
        st.info(text(nothing))
    for shown in tables:
        st.markdown(md("**{title}**", title=shown.title))
        st.table(table(shown.frame), hide_index=True)
        rest = shown.rows - len(shown.frame)
        if rest > 0:
            st.caption(
                md(
                    "… e altre {rest} righe: scarica il file per vederle tutte.",
                    rest=fmt.number(rest),
                )
            )


def download_version(
    where,  # noqa: ANN001 - st or a column
    label: str,
    store: VersionStore,
    version: Version,
    key: str,
) -> None:
    """A button that downloads the workbook of ``version``; turned off, saying why, when the
    version's file is missing or damaged."""
    try:
        data = store.read(version)
    except StoreError as exc:
        where.button(
            text(label), disabled=True, help=text(exc.public), icon=":material/block:", key=key
        )
        return
    where.download_button(
        text(label),
        data=data,
        file_name=version.file_name,
        mime=XLSX_MIME,
        icon=":material/download:",
        key=key,
    )


def choose_version(
    where,  # noqa: ANN001 - st or a column
    label: str,
    versions: list[Version],
    index: int,
    key: str,
) -> Version:
    """A selectbox over ``versions`` (in the given order), labelled as the history shows them."""
    by_number = {v.number: v for v in versions}
    number = where.selectbox(
        label,
        list(by_number),
        index=index,
        format_func=lambda n: by_number[n].label,
        key=key,
        placeholder=CHOOSE,
    )
    return by_number[number]


@dataclass(frozen=True)
class Signed:
    """What the editor typed in a publishing form (who they are is the session's, not typed)."""

    note: str
    assembly: dt.date | None = None  # «presentata in assemblea il …», when ticked / asked


def signed_form(
    form: str,
    fields: str,
    button: str,
    *,
    disabled: bool,
    with_note: bool = False,
    primary: bool = False,
    assembly: str = "",
) -> Signed | None:
    """A form asking a note if ``with_note`` and the day of an assembly (``assembly``:
    "optional", a tick and a date; "required", a date); widget keys start with ``fields``. What
    was typed once the button is pressed, else None. Only a signed-in editor sees it: the
    session is the credential and names who writes (no name is typed)."""
    with st.form(form, clear_on_submit=False, enter_to_submit=False):
        note = ""
        if with_note:
            note = st.text_area(
                "Nota (facoltativa)",
                placeholder="Es. Consiglio del 14 marzo",
                disabled=disabled,
                key=f"{fields}_note",
            )
        day = assembly_fields(fields, assembly, disabled) if assembly else None
        pressed = st.form_submit_button(
            text(button),
            type="primary" if primary else "secondary",
            disabled=disabled,
        )
    return Signed(note, day) if pressed and not disabled else None


def assembly_fields(fields: str, assembly: str, disabled: bool) -> dt.date | None:
    """Inside a form: the day of the assembly («optional»: only when the box is ticked)."""
    ticked = True
    if assembly == "optional":
        ticked = st.checkbox(
            "Presentata in assemblea il …", disabled=disabled, key=f"{fields}_presented"
        )
    day = st.date_input(
        "Data dell'assemblea",
        value=dt.date.today(),
        format="DD/MM/YYYY",
        disabled=disabled,
        key=f"{fields}_assembly",
    )
    return day if ticked else None


def write_to_store(
    store: VersionStore,
    write: Callable[[Actor], Version],
    done: Callable[[Version], str],
    place: str = AT_HISTORY,
) -> None:
    """For a signed-in editor still allowed to, ``write`` a version as them (the verified
    ``Actor``); then rerun showing ``done(version)`` once, at ``place`` (``show_flash``). A
    refusal of the store is shown as an error and nothing is written."""
    if not editor.signed_in():  # signed out in the meantime (another tab): nothing written
        st.error(text(SIGN_IN_FIRST))
        return
    who = editor.actor(store)
    if who is None:  # removed, or the shared secret retired, meanwhile (said): nothing written
        return
    try:
        version = write(who)
    except StoreError as exc:
        st.error(text(exc.public))
        return
    st.session_state[FLASH] = (place, done(version))
    st.rerun()


# Brings the message into view (centred) until it is, for FLASH_SCROLL_MS while the rerun
# replaces the page around it, unless the reader scrolls or types meanwhile.
_SCROLL_SCRIPT = """<script>
(() => {
  const started = performance.now();
  let moved = false;
  const stop = () => { moved = true; };
  for (const kind of ['wheel', 'touchstart', 'keydown']) {
    window.addEventListener(kind, stop, {once: true, capture: true});
  }
  const step = () => {
    if (moved || performance.now() - started > %(ms)d) return;
    const box = document.querySelector('.st-key-%(key)s');
    if (box) {
      const r = box.getBoundingClientRect();
      if (r.top < 0 || r.bottom > window.innerHeight) {
        box.scrollIntoView({block: 'center', behavior: 'instant'});
      }
    }
    setTimeout(step, 100);
  };
  step();
})(); /* %(nonce)s */
</script>"""


def show_flash(place: str | None) -> None:
    """The success message of the write just done, if it belongs at ``place`` (None: any place,
    for the foot of the page), next to where the secretary pressed the button, and scrolled into
    view: at the top of the page it was off screen (issue 24 §2)."""
    flash = st.session_state.get(FLASH)
    if not flash or (place is not None and flash[0] != place):
        return
    del st.session_state[FLASH]
    with st.container(key=FLASH_BOX):
        st.success(text(flash[1]))
    with st.container(key=f"{FLASH_BOX}-script"):
        script = _SCROLL_SCRIPT % {"ms": FLASH_SCROLL_MS, "key": FLASH_BOX, "nonce": time.time()}
        st.html(
            f"<style>{keys.hidden_holder(f'{FLASH_BOX}-script')}</style>{script}",
            unsafe_allow_javascript=True,
        )


def mark_text(number: int, day: dt.date) -> str:
    """'La versione 3 è segnata come presentata all'assemblea del 14 marzo 2026.'"""
    return (
        f"La versione {number} è segnata come presentata all'assemblea del {fmt.date(day, 'long')}."
    )


def presented_caption(store: VersionStore, mine: list[Version]) -> None:
    """Under the history: which versions were presented in assembly, and when."""
    marks = store.marks()
    shown = [
        f"versione {v.number} il {marks[v.number].day_text}" for v in mine if v.number in marks
    ]
    if shown:
        st.caption(text("Presentate in assemblea: " + "; ".join(shown) + "."))


def mark_form(store: VersionStore, chosen: Version) -> None:
    """Mark the chosen version «presentata in assemblea» (again: the day is replaced)."""
    with st.expander(md("Segna la versione {n} come presentata in assemblea", n=chosen.number)):
        st.caption(
            "La presentazione confronta il piano in vigore con l'ultima versione presentata "
            "in assemblea (la slide «Dall'ultima assemblea»)."
        )
        signed = signed_form(
            f"agg_mark_{chosen.number}",
            "agg_mark",
            "Segna come presentata",
            disabled=False,
            assembly="required",
        )
        if signed is None or signed.assembly is None:
            return
        day = signed.assembly

        def mark(who: Actor) -> Version:
            mark_as(store, audit_for(store), who, chosen.number, day)
            return chosen

        write_to_store(store, mark, lambda version: mark_text(version.number, day), AT_HISTORY)
