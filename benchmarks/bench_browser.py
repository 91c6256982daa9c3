"""Headless Chromium against real Streamlit servers started here: the dashboard, a hello-world
app and a minimal plotly app, all in the same run and with the same server settings."""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from common import ROOT, SHIPPED, Row, Settings, dashboard_env, ratio_row, seeded_store, thousands

sys.path.insert(0, str(ROOT / "tests"))  # the Chromium settings the browser tests use
from support.browser import CHROMIUM, CHROMIUM_ARGS, free_ports, wait_healthy

from ui import keys

UNAVAILABLE = "manca Chromium (/usr/bin/chromium) o playwright: bash scripts/install.sh --dev"
NUMBERS_LIMIT = 1.2  # KPI numbers visible / hello-world visible
CHART_LIMIT = 2.5  # first chart drawn / hello-world visible
RERUN_LIMIT = 1.5  # chart updated after a filter change / same in the minimal plotly app
TIMEOUT_MS = 60_000

KPI_SELECTOR = keys.css_any(keys.KPI_VALUE) + " p"  # ui/components.kpi_row
HELLO_TEXT = "Ciao dal benchmark"
CHART_DRAWN_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].some(gd =>
    gd.querySelector('.main-svg .trace, .main-svg .slice, .main-svg .point'))"""
CHART_PRINT_JS = """() => { const gd = document.querySelector('.js-plotly-plot .main-svg');
    return gd ? gd.innerHTML : ''; }"""

HELLO_APP = f"""
import streamlit as st

st.write({HELLO_TEXT!r})
"""

PLOTLY_APP = """
import plotly.graph_objects as go
import streamlit as st

TRACKS = {tracks!r}
with st.sidebar:
    chosen = st.multiselect("Pista", TRACKS, key="pista")
shown = chosen or TRACKS
values = [(i + 1) * 1000 for i, t in enumerate(TRACKS) if t in shown]
st.title("Grafico minimo")
st.metric("Totale", f"{{sum(values)}} €")
st.plotly_chart(go.Figure(go.Bar(x=values, y=[t for t in TRACKS if t in shown], orientation="h")))
"""


def available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return CHROMIUM.exists()


# Servers ------------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mb(self) -> float:
        """Resident memory of the server process (VmRSS), in MB."""
        return rss_mb(self.pid)


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS from /proc/PID/status), in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@contextlib.contextmanager
def streamlit_server(
    script: Path, log_dir: Path, env: dict[str, str | None] | None = None
) -> Iterator[Server]:
    """``streamlit run script`` on a free loopback port, from the project folder (so every app
    gets the same .streamlit/config.toml); stopped (by its pid) on exit."""
    port = free_ports()
    log = log_dir / f"{script.stem}-{port}.log"
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
    ]  # fmt: skip
    full_env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_healthy(server.url, server.process, log=server.log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Measures -----------------------------------------------------------------------------------


def cold_load(browser, url: str, ready: list[tuple[str, str]]) -> dict[str, float]:
    """Seconds from navigation start (new context: empty cache) until each ``ready`` condition
    holds; a condition is ("selector", css) or ("js", function)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        out = {}
        for kind, what in ready:
            if kind == "selector":
                page.wait_for_selector(what, state="visible", timeout=TIMEOUT_MS)
            else:
                page.wait_for_function(what, timeout=TIMEOUT_MS)
            out[what] = time.perf_counter() - start
        return out
    finally:
        context.close()


def open_filter(page, label: str = "Pista") -> None:
    """Open the sidebar multiselect called ``label``."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text=label
    )
    box.locator("input").click()
    page.wait_for_selector('[role="option"]', timeout=TIMEOUT_MS)


def chart_rerun(page, option: str) -> float:
    """Pick ``option`` in the open sidebar filter; seconds until the first chart is redrawn."""
    before = page.evaluate(CHART_PRINT_JS)
    start = time.perf_counter()
    page.locator('[role="option"]').filter(has_text=option).first.click()
    page.wait_for_function(
        f"""() => {{ const now = ({CHART_PRINT_JS})(); return now && now !== {before!r}; }}""",
        timeout=TIMEOUT_MS,
        polling="raf",
    )
    elapsed = time.perf_counter() - start
    page.keyboard.press("Escape")
    return elapsed


def clear_filter(page, option: str) -> None:
    """Remove ``option`` from the sidebar filter (its tag's ×) and wait for the redraw."""
    before = page.evaluate(CHART_PRINT_JS)
    page.locator(f'[data-testid="stSidebar"] button[aria-label="Remove {option}"]:visible').click()
    page.wait_for_function(
        f"""() => {{ const now = ({CHART_PRINT_JS})(); return now && now !== {before!r}; }}""",
        timeout=TIMEOUT_MS,
    )


def rerun_times(browser, url: str, options: list[str], reps: int) -> list[float]:
    """Chart redraw times after picking a pista in the sidebar (then clearing it), warm page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(url, timeout=TIMEOUT_MS)
        page.wait_for_function(CHART_DRAWN_JS, timeout=TIMEOUT_MS)
        times = []
        for index in range(reps + 1):  # the first one is the warm-up
            open_filter(page)
            option = options[index % len(options)]
            elapsed = chart_rerun(page, option)
            if index:
                times.append(elapsed)
            clear_filter(page, option)
        return times
    finally:
        context.close()


def browser(settings: Settings, folder: Path) -> list[Row]:
    from coopplan.workbook.reader import load_plan

    plan = load_plan(SHIPPED).plan
    assert plan is not None
    titles = [plan.track_title(code) for code in plan.track_codes]
    hello = folder / "hello_app.py"
    hello.write_text(HELLO_APP)
    minimal = folder / "plotly_app.py"
    minimal.write_text(PLOTLY_APP.format(tracks=titles))
    store = seeded_store(folder)
    reps = settings.reps
    with (
        streamlit_server(ROOT / "app.py", folder, dashboard_env(store)) as app,
        streamlit_server(hello, folder) as hello_server,
        streamlit_server(minimal, folder) as plotly_server,
        chromium() as chrome,
    ):
        hello_ready = [("selector", f"text={HELLO_TEXT}")]
        app_ready = [("selector", KPI_SELECTOR), ("js", CHART_DRAWN_JS)]
        plotly_ready = [("js", CHART_DRAWN_JS)]
        cold_load(chrome, hello_server.url, hello_ready)  # warm-up: servers and browser
        cold_load(chrome, app.url, app_ready)
        cold_load(chrome, plotly_server.url, plotly_ready)
        hello_t, numbers_t, chart_t, plotly_t = [], [], [], []
        for _ in range(reps):
            hello_t.append(cold_load(chrome, hello_server.url, hello_ready)[f"text={HELLO_TEXT}"])
            times = cold_load(chrome, app.url, app_ready)
            numbers_t.append(times[KPI_SELECTOR])
            chart_t.append(times[CHART_DRAWN_JS])
            plotly_t.append(cold_load(chrome, plotly_server.url, plotly_ready)[CHART_DRAWN_JS])
        hello_s = statistics.median(hello_t)
        rows = [
            ratio_row(
                "Browser",
                "apertura: numeri KPI visibili vs hello world",
                statistics.median(numbers_t),
                hello_s,
                NUMBERS_LIMIT,
                note=f"mediana di {reps}, contesto nuovo",
            ),
            ratio_row(
                "Browser",
                "apertura: primo grafico disegnato vs hello world",
                statistics.median(chart_t),
                hello_s,
                CHART_LIMIT,
            ),
            Row(
                "Browser",
                "apertura: app plotly minima vs hello world",
                statistics.median(plotly_t),
                hello_s,
                target="(info)",
            ),
        ]
        app_rerun: list[float] = []
        base_rerun: list[float] = []
        for _ in range(2):  # alternate the two apps, so that both see the same machine load
            app_rerun += rerun_times(chrome, app.url, titles, max(reps // 2, 3))
            base_rerun += rerun_times(chrome, plotly_server.url, titles, max(reps // 2, 3))
        rows.append(
            ratio_row(
                "Browser",
                "filtro in barra laterale: grafico aggiornato vs app plotly minima",
                statistics.median(app_rerun),
                statistics.median(base_rerun),
                RERUN_LIMIT,
                note=f"mediana di {len(app_rerun)}",
            )
        )
    shutil.rmtree(store, ignore_errors=True)
    return rows


GRID_JS = """() => { const grid = document.querySelector('[data-testid="stDataFrame"]');
    return !!(grid && grid.querySelector('canvas') && grid.getBoundingClientRect().height > 100); }"""


def big_matrix(settings: Settings, plan: Path, size: int, folder: Path) -> list[Row]:
    """The status matrix of a big plan in a real browser: cold load until the grid is drawn
    (st.dataframe: a canvas grid that draws only the visible rows, so scrolling stays cheap)."""
    store = seeded_store(folder, plan)
    reps = min(settings.reps, 5)
    with (
        streamlit_server(ROOT / "app.py", folder, dashboard_env(store)) as app,
        chromium() as chrome,
    ):
        url = f"{app.url}/matrice"
        cold_load(chrome, url, [("js", GRID_JS)])  # warm-up: the server parses the plan
        loads = [cold_load(chrome, url, [("js", GRID_JS)])[GRID_JS] for _ in range(reps)]
    shutil.rmtree(store, ignore_errors=True)
    name = f"matrice, {thousands(size)} progetti"
    return [
        Row(
            "Scala",
            f"{name}: apertura nel browser fino alla griglia",
            statistics.median(loads),
            target="(info)",
            note="griglia a canvas (st.dataframe): disegna solo le righe visibili",
        ),
    ]
