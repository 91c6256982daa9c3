"""Page runs under Streamlit's AppTest: each page on a big plan, and reruns after a filter change
against the same rerun of a trivial page (a multiselect and st.write)."""

from __future__ import annotations

import contextlib
import itertools
import os
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

from common import (
    ROOT,
    SHIPPED,
    Row,
    Settings,
    dashboard_env,
    limit_row,
    ratio_row,
    seeded_store,
    thousands,
)

APP = ROOT / "app.py"
PAGE_LIMIT_S = 1.0  # each page's run on the 10,000-project plan
SEEN_LIMIT = 3.0  # page rerun after a filter already used / the trivial page's (issue 11)
NEW_LIMIT = 6.0  # page rerun after a filter never used, and a page switch / the trivial page's
SCALE_REPS = 5  # a page of 10,000 projects may take seconds: the minimum of repetitions
TIMEOUT_S = 120.0
TRACK_KEY, STATUS_KEY = "pista", "stato"  # the sidebar filters' keys (ui/filters.py)

TRIVIAL_APP = """
import streamlit as st

with st.sidebar:
    tracks = st.multiselect("Pista", {tracks!r}, key="pista")
    statuses = st.multiselect("Stato", {statuses!r}, key="stato")
st.write("Scelti:", tracks, statuses)
"""


@contextlib.contextmanager
def plan_env(store: Path) -> Iterator[None]:
    """Point the dashboard (run in this process by AppTest) at ``store`` for the block."""
    changes = dashboard_env(store)
    saved = {key: os.environ.get(key) for key in changes}
    try:
        for key, value in changes.items():
            _set_env(key, value)
        yield
    finally:
        for key, value in saved.items():
            _set_env(key, value)


def _set_env(key: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(key, None)
    else:
        os.environ[key] = value


def page_files() -> list[str]:
    """The pages the dashboard registers, as paths relative to app.py (the default page first).

    Found by asking a fresh AppTest session to switch to each file of app_pages/ (no run needed)."""
    global _PAGES
    if _PAGES is None:
        at = new_app()
        at.run()
        found = []
        for path in sorted((ROOT / "app_pages").glob("*.py")):
            try:
                at.switch_page(f"app_pages/{path.name}")
            except ValueError:
                continue  # a file the navigation does not (yet) register
            found.append(f"app_pages/{path.name}")
        found.sort(key=lambda name: name != "app_pages/panoramica.py")
        _PAGES = found
    return _PAGES


_PAGES: list[str] | None = None


def new_app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)


def checked(at, what: str):
    """The AppTest, after making sure its last run raised nothing."""
    if at.exception:
        raise RuntimeError(f"{what}: {at.exception[0].message}")
    return at


def timed_run(at) -> float:
    start = time.perf_counter()
    at.run()
    return time.perf_counter() - start


def open_page(page: str) -> tuple[object, float]:
    """A new session showing ``page``, and the time of the run that drew it (a switch to the page
    after the first run, or that first run for the default page)."""
    at = new_app()
    first = timed_run(at)
    checked(at, "pagina iniziale")
    if page == page_files()[0]:
        return at, first
    at.switch_page(page)
    elapsed = timed_run(at)
    checked(at, page)
    return at, elapsed


def scale_pages(settings: Settings, plans: dict[int, Path], folder: Path) -> list[Row]:
    """Each page's AppTest run on the generated plans (the parse cached, as on a server)."""
    rows = []
    for size, path in sorted(plans.items()):
        with plan_env(seeded_store(folder, path)):
            for page in page_files():
                open_page(page)  # warm-up: parses the plan once, fills caches
                times = [open_page(page)[1] for _ in range(min(settings.reps, SCALE_REPS))]
                name = f"pagina {Path(page).stem}, {thousands(size)} progetti"
                value = statistics.median(times)
                if size == max(plans):
                    rows.append(limit_row("Scala", name, value, PAGE_LIMIT_S, note="AppTest"))
                else:
                    rows.append(Row("Scala", name, value, target="(info)", note="AppTest"))
    return rows


SPENDING_SIZE = 10_000  # projects of the plan with a consuntivo (issue 23)


def spending_pages(settings: Settings, folder: Path) -> list[Row]:
    """Each page on the 10,000-project plan with a «Consuntivo» (about 4 in 5 funded euro rows;
    its scadenze in 2024, so thousands are overdue), against the same page on the same plan
    without one (the baseline); the target is the absolute PAGE_LIMIT_S."""
    from common import write_generated_plan

    timed = {}
    for with_spending in (False, True):
        path = write_generated_plan(SPENDING_SIZE, folder, with_spending=with_spending)
        with plan_env(seeded_store(folder, path)):
            for page in page_files():
                open_page(page)  # warm-up: parses the plan once, fills caches
                times = [open_page(page)[1] for _ in range(min(settings.reps, SCALE_REPS))]
                timed[(page, with_spending)] = statistics.median(times)
    rows = []
    for page in page_files():
        value, base = timed[(page, True)], timed[(page, False)]
        name = f"pagina {Path(page).stem}, {thousands(SPENDING_SIZE)} progetti con consuntivo"
        rows.append(
            Row(
                "Consuntivo",
                name,
                value,
                base,
                f"< {PAGE_LIMIT_S:g} s",
                value < PAGE_LIMIT_S,
                note="AppTest; base: lo stesso piano senza consuntivo",
            )
        )
    return rows


def filter_values(plan_path: Path) -> tuple[list[str], list[str]]:
    from coopplan.workbook.reader import load_plan

    plan = load_plan(plan_path).plan
    assert plan is not None
    statuses = list(dict.fromkeys(plan.projects["status"]))
    return plan.track_codes, statuses


def filter_choices(tracks: list[str], statuses: list[str]) -> Iterator[tuple[list, list]]:
    """Distinct (pista, stato) selections, never the same twice: every rerun is a new filter."""
    track_sets = [list(c) for n in (1, 2) for c in itertools.combinations(tracks, n)]
    status_sets = [[]] + [[s] for s in statuses]
    for statuses_chosen in status_sets:
        for tracks_chosen in track_sets:
            yield tracks_chosen, statuses_chosen


def set_filters(at, tracks: list, statuses: list) -> None:
    """Change the sidebar filters as a click would. Through the session state: under AppTest,
    sidebar widgets drawn by an st.navigation entry script vanish from the element tree after
    the first rerun (Streamlit 1.67), so they cannot be clicked a second time."""
    at.session_state[TRACK_KEY] = tracks
    at.session_state[STATUS_KEY] = statuses


def page_switches(settings: Settings, at, trivial, page: str) -> tuple[list, list]:
    """Times of switching to ``page`` from another page (both seen before, the filters kept),
    and of the trivial page's rerun in the same rounds; the first round is the warm-up."""
    pages = page_files()
    other = pages[1] if page == pages[0] else pages[0]
    times, base = [], []
    for index in range(settings.reps + 1):
        at.switch_page(other)
        checked(at, other).run()
        at.switch_page(page)
        elapsed = timed_run(at)
        checked(at, f"passaggio a {page}")
        trivial_elapsed = timed_run(trivial)
        if index:
            times.append(elapsed)
            base.append(trivial_elapsed)
    return times, base


def reruns(settings: Settings, folder: Path) -> list[Row]:
    """Each page's rerun after a sidebar filter change, against the trivial page's same rerun.

    Two cases: a filter never seen before (nothing cached for it), and a filter seen before
    (going back to a previous choice), the one the target is about."""
    from streamlit.testing.v1 import AppTest

    tracks, statuses = filter_values(SHIPPED)
    trivial_path = folder / "trivial_app.py"
    trivial_path.write_text(TRIVIAL_APP.format(tracks=tracks, statuses=statuses))
    rows = []
    with plan_env(seeded_store(folder)):
        for page in page_files():
            at, _ = open_page(page)
            trivial = AppTest.from_file(str(trivial_path), default_timeout=TIMEOUT_S)
            trivial.run()
            fresh = filter_choices(tracks, statuses)
            new_times, new_base, seen_times, seen_base = [], [], [], []
            seen = [next(fresh), next(fresh)]
            for index in range(settings.reps + 1):  # the first round is the warm-up
                choice = next(fresh)
                for app, out, base in ((at, new_times, False), (trivial, new_base, True)):
                    set_filters(app, *choice)
                    elapsed = timed_run(app)
                    checked(app, f"{page} dopo un filtro nuovo" if not base else "pagina banale")
                    if index:
                        out.append(elapsed)
                for turn in range(2):  # back and forth between two filters already seen
                    for app, out in ((at, seen_times), (trivial, seen_base)):
                        set_filters(app, *seen[turn])
                        elapsed = timed_run(app)
                        checked(app, page)
                        if index:
                            out.append(elapsed)
            switch_times, switch_base = page_switches(settings, at, trivial, page)
            name = Path(page).stem
            rows.append(
                ratio_row(
                    "Rerun",
                    f"{name}: passaggio da un'altra pagina vs pagina banale",
                    statistics.median(switch_times),
                    statistics.median(switch_base),
                    NEW_LIMIT,
                    note="AppTest",
                )
            )
            rows.append(
                ratio_row(
                    "Rerun",
                    f"{name}: filtro già usato vs pagina banale",
                    statistics.median(seen_times),
                    statistics.median(seen_base),
                    SEEN_LIMIT,
                    note="AppTest",
                )
            )
            rows.append(
                ratio_row(
                    "Rerun",
                    f"{name}: filtro nuovo vs pagina banale",
                    statistics.median(new_times),
                    statistics.median(new_base),
                    NEW_LIMIT,
                    note="AppTest",
                )
            )
    return rows
