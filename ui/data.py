"""Where the dashboard gets its plans: current_plan() for the pages, cached by content.

All plan loading of the shell is here: one workbook (COOPPLAN_WORKBOOK) or the versioned store,
the version shown (in force, or viewed read-only), a stored version's plan, and the store
guard (an unreadable store gives no years, no viewed version). The widgets that choose what is
shown (year selector, read-only banner, year comparison) are in ui/versions.py.

The store is one object per process (``shared_store()``), shared by every session: on
PostgreSQL its connections are reused and its tables checked once, never per page. While a
database store cannot be reached, pages show the last plan this process served (``_served``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from coopplan import LoadResult, Plan, fmt, load_plan
from coopplan.store.files import os_reason
from coopplan.store.folder import Store
from coopplan.store.location import open_store
from coopplan.store.model import (
    SHIPPED_WORKBOOK,
    STORE_ENV,
    StoreError,
    UnreachableStoreError,
    Version,
    VersionStore,
)
from ui import keys
from ui.safe import Md, join, md, text

DEFAULT_WORKBOOK = SHIPPED_WORKBOOK  # the store's first version; one place names the file
WORKBOOK_ENV = "COOPPLAN_WORKBOOK"  # tests and demos point the dashboard at another workbook
MAX_PROBLEMS_SHOWN = 8


@dataclass(frozen=True)
class Shown:
    """What the dashboard shows in this run: the plan, and its stored version (None on one
    workbook, or when the store failed and the shipped plan is shown)."""

    plan: Plan
    version: Version | None = None


def current_plan(*, tell: bool = False) -> Plan:
    """The plan in force. Parsed once per version of the file (cache keyed by its sha256).

    When the plan cannot be read, the page shows why in Italian and stops there.
    Without COOPPLAN_WORKBOOK, the plan comes from the versioned store (``store_plan``): the
    version in force of the chosen year, or a version viewed read-only. ``tell``: show what is
    wrong with the store (damage, the version shown instead) above the page; app.py asks it
    once per run and keeps the answer in the session state, so the pages' own calls neither
    repeat the message nor look the store up again.
    """
    if not tell:
        kept = st.session_state.get(keys.SHOWN)
        if isinstance(kept, Shown):
            return kept.plan
    shown = _find_shown(tell=tell)
    if tell:
        st.session_state[keys.SHOWN] = shown
    return shown.plan


def _find_shown(*, tell: bool) -> Shown:
    if not on_one_workbook():
        return store_plan(tell=tell)
    path = Path(os.environ.get(WORKBOOK_ENV) or DEFAULT_WORKBOOK)
    try:
        data = path.read_bytes()
    except OSError:
        st.error(
            md(
                "Il file del piano «{name}» non si trova o non si può leggere (cercato in "
                "{path}). Controlla che il file esista e riavvia la dashboard.",
                name=path.name,
                path=path,
            ),
            icon=":material/error:",
        )
        st.stop()
    return Shown(parsed(hashlib.sha256(data).hexdigest(), lambda: data, path.name))


@st.cache_resource(max_entries=8, show_spinner="Lettura del piano…")
def _parse(digest: str, _read: Callable[[], bytes], name: str) -> LoadResult:
    """Parse a workbook; ``digest`` (its sha256) is the cache key; ``_read`` gives the bytes,
    called only when that content is not parsed yet. The result (a frozen plan) is shared by
    every session, never copied (docs/decisions.md, «Prestazioni»)."""
    return load_plan(_read(), name=name)


def parsed(digest: str, read: Callable[[], bytes], name: str) -> Plan:
    """The plan of the workbook whose sha256 is ``digest`` (``read`` gives its bytes, asked only
    the first time), or an Italian error and a stop when it is not a valid plan."""
    return plan_or_stop(_parse(digest, read, name))


def plan_or_stop(result: LoadResult) -> Plan:
    """The plan of a load result, or an Italian error listing what is wrong, then stop."""
    if result.ok and result.plan is not None:
        return result.plan
    lines = [md("- {problem}", problem=p) for p in result.errors[:MAX_PROBLEMS_SHOWN]]
    if len(result.errors) > MAX_PROBLEMS_SHOWN:
        lines.append(md("- … e altri {n}.", n=len(result.errors) - MAX_PROBLEMS_SHOWN))
    st.error(
        md(
            "Il piano «{name}» non si può mostrare: contiene {errors}. Correggi il file e "
            "ricaricalo.\n\n{lines}",
            name=result.name,
            errors=fmt.count(len(result.errors), "errore", "errori"),
            lines=join(lines, "\n"),
        ),
        icon=":material/error:",
    )
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


@st.cache_resource(max_entries=8, show_spinner=False)
def _store_at(location: str) -> VersionStore:
    return open_store(location or None)


def shared_store() -> VersionStore:
    """The version store of this process (COOPPLAN_STORE, else the project's store/): one
    object per location, shared by every session and rerun (``st.cache_resource``)."""
    return _store_at(os.environ.get(STORE_ENV, "").strip())


class _Served:
    """The last plan this process showed from a store, kept for when the store is unreachable."""

    def __init__(self) -> None:
        self.shown: Shown | None = None


@st.cache_resource(max_entries=8, show_spinner=False)
def _served(location: str) -> _Served:
    return _Served()


def _last_served() -> _Served:
    return _served(os.environ.get(STORE_ENV, "").strip())


def where(store: VersionStore) -> Md:
    """' (/srv/coopplan/store)' for a folder store, to put after «L'archivio delle versioni»;
    nothing for a database (viewers are never shown its address, user or host)."""
    return md(" ({root})", root=store.root) if isinstance(store, Store) else Md("")


def on_one_workbook() -> bool:
    """True when COOPPLAN_WORKBOOK points the dashboard at one file (tests, demos): no store."""
    return bool(os.environ.get(WORKBOOK_ENV))


def version_plan(store: VersionStore, version: Version) -> Plan:
    """The plan of a stored version, or an Italian error and a stop (``stored_result``)."""
    return plan_or_stop(stored_result(store, version))


def stored_result(store: VersionStore, version: Version) -> LoadResult:
    """The load result of a stored version, parsed once per content (cache keyed by its
    sha256); its file is read and checked against the hash only when that content is not
    parsed yet (StoreError then if it is damaged)."""
    return _parse(version.sha256, lambda: store.read(version), f"piano_{version.year}.xlsx")


def published_on() -> dt.date | None:
    """The day the version shown was published (local time); None on one workbook (no store)
    or when the store cannot say (its error is told elsewhere)."""
    if on_one_workbook():
        return None
    try:
        return version_shown(shared_store()).time.astimezone().date()
    except (OSError, StoreError):
        return None


def version_shown(store: VersionStore) -> Version:
    """The version shown in this run: the one app.py found (``current_plan(tell=True)``), else
    looked up (``shown_version``). Raises as ``shown_version``; StoreError on one workbook or
    when app.py fell back to the shipped plan."""
    kept = st.session_state.get(keys.SHOWN)
    if isinstance(kept, Shown):
        if kept.version is None:
            raise StoreError("Nessuna versione dell'archivio è mostrata.")
        return kept.version
    return shown_version(store, tell=False)


def shown_version(store: VersionStore, *, tell: bool = True) -> Version:
    """The version the dashboard shows: the one being viewed read-only, else the plan in force
    of the chosen year (default: the latest year). When that version is damaged or missing,
    the newest intact one of its year is shown, under an Italian error that says so.

    Raises StoreError when the year has no intact version; OSError when the store is unreadable.
    """
    versions = store.versions()
    viewed = st.session_state.get(keys.VIEW_VERSION)
    if viewed is not None:
        match = [v for v in versions if v.number == viewed]
        if match:
            try:
                store.read(match[0])
                return match[0]
            except StoreError as exc:
                if tell:
                    st.error(text(exc.public), icon=":material/error:")
        st.session_state.pop(keys.VIEW_VERSION, None)
    years = sorted({v.year for v in versions})
    year = st.session_state.get(keys.YEAR)
    standing = store.standing(year if year in years else (years[-1] if years else None))
    if standing.shown is None:
        raise StoreError(standing.message)
    if standing.message and tell:
        st.error(text(standing.message), icon=":material/error:")
    return standing.shown


def store_plan(*, tell: bool = True) -> Shown:
    """Body of ``current_plan()`` when the dashboard runs on the versioned store.

    At start-up of every run, an empty store gets the shipped plan as version 1
    (``Store.ensure_seeded``). While the store's server cannot be reached (a database that is
    down), the last plan this process served is shown under a notice, or the page says that none
    can be shown (``_unreachable``). If the store cannot be read, written or trusted otherwise (a
    read-only install, a wrong COOPPLAN_STORE, a lost manifest), the dashboard still shows the
    shipped plan, under an Italian error saying it may not be the plan in force, rather than
    nothing. ``tell=False``: the same plan, without showing the errors again (see
    ``current_plan``).
    """
    store = shared_store()
    try:
        store.ensure_seeded()
        version = shown_version(store, tell=tell)
        shown = Shown(version_plan(store, version), version)
    except UnreachableStoreError:
        return _unreachable(tell=tell)
    except (OSError, StoreError) as exc:
        return _shipped_instead(store, exc, tell=tell)
    _last_served().shown = shown
    return shown


def _unreachable(*, tell: bool) -> Shown:
    """While the store cannot be reached: the last plan this process served, under a notice;
    without one, a plain sentence and a stop. Never the address, user or host of the store."""
    kept = _last_served().shown
    if kept is None or kept.version is None:
        st.error(
            "L'archivio delle versioni del piano non è raggiungibile in questo momento e questa "
            "dashboard non ha ancora mostrato nessuna versione: non c'è un piano da mostrare. "
            "Riprova fra qualche minuto; se il problema resta, avvisa chi gestisce la dashboard.",
            icon=":material/cloud_off:",
        )
        st.stop()
    if tell:
        st.warning(
            md(
                "L'archivio delle versioni del piano non è raggiungibile in questo momento: "
                "mostro la versione {number} del piano {year} (pubblicata il {when}), l'ultima "
                "che questa dashboard ha mostrato. Potrebbe non essere quella in vigore: "
                "riprova fra qualche minuto.",
                number=kept.version.number,
                year=kept.version.year,
                when=kept.version.when,
            ),
            icon=":material/cloud_off:",
        )
    return kept


def _shipped_instead(store: VersionStore, exc: OSError | StoreError, *, tell: bool) -> Shown:
    """The shipped plan, under an error saying why the store could not be used."""
    reason = exc.public if isinstance(exc, StoreError) else f"{os_reason(exc)}."
    if not DEFAULT_WORKBOOK.is_file():
        st.error(
            md(
                "L'archivio delle versioni del piano{where} non si riesce a leggere: "
                "{reason} Controlla la cartella indicata da COOPPLAN_STORE e riavvia.",
                where=where(store),
                reason=reason,
            ),
            icon=":material/error:",
        )
        st.stop()
    if tell:
        st.error(
            md(
                "L'archivio delle versioni{where} non si riesce a usare: {reason} "
                "La dashboard mostra il piano fornito con l'applicazione ({name}), che può "
                "non essere quello in vigore.",
                where=where(store),
                reason=reason,
                name=DEFAULT_WORKBOOK.name,
            ),
            icon=":material/error:",
        )
    raw = DEFAULT_WORKBOOK.read_bytes()
    return Shown(parsed(hashlib.sha256(raw).hexdigest(), lambda: raw, DEFAULT_WORKBOOK.name))


def stored_years() -> list[int]:
    """The plan years in the store, newest first; none on one workbook or an unreadable store
    (whose damage ``current_plan(tell=True)`` tells above the page)."""
    if on_one_workbook():
        return []
    try:
        return sorted(shared_store().years(), reverse=True)
    except (OSError, StoreError):
        return []


def viewed_version() -> tuple[Version, Version] | None:
    """(the version viewed read-only, the one in force of its year), or None when none is viewed
    or it can no longer be read (then the view is left)."""
    viewed = st.session_state.get(keys.VIEW_VERSION)
    if viewed is None or on_one_workbook():
        return None
    store = shared_store()
    try:
        version = store.get(viewed)
        return version, store.current(version.year)
    except (OSError, StoreError):
        st.session_state.pop(keys.VIEW_VERSION, None)
        return None


def year_plans(years: tuple[int, ...]) -> list[Plan] | None:
    """The plan of the newest intact version of each year, in order; None when a year has no
    intact version (or the store cannot be read)."""
    store = shared_store()
    try:
        shown = [store.standing(year).shown for year in years]
        if None in shown:
            return None
        return [version_plan(store, v) for v in shown if v is not None]
    except (OSError, StoreError):
        return None
