"""Load: sessions clicking through the dashboard while a new version is published.

Two kinds of session, all on loopback against one server started here:

- protocol sessions: a websocket client speaking the browser's own Streamlit protocol (the
  BackMsg/ForwardMsg protobufs the page sends and receives: open, then "run this page"), so the
  server carries a real session for each without a Chromium per session eating the 2 cores;
- a few real Chromium sessions (Playwright contexts of one browser) that click the sidebar links
  and wait until the page is drawn (URL of the page, script finished, no stale element).

Each session opens the dashboard, then goes to another page, reads what it shows, waits a moment
(someone reading, 1-3 s) and goes on. A third of the way in, the sessions beyond
``rss_sessions`` join; halfway, a new version of the plan (another date, other amounts) is
published into the server's store through the store API.

Checked: no error (exception, error box, JavaScript error, timeout); each view shows ONE version
(the date in the header and the first KPI of the overview come from the same workbook: one date
never appears with two different totals); no session goes back to the old version after seeing
the new one; the new version is seen; the server's resident memory (VmRSS) with
``rss_sessions`` sessions open.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from bench_browser import CHROMIUM, CHROMIUM_ARGS, rss_mb, streamlit_server
from common import ROOT, SHIPPED, Row, Settings, dashboard_env, limit_row, seeded_store

RSS_LIMIT_MB = 400.0  # per server process (issue 11)
P50_LIMIT_S = 0.5  # a page after a click, over all sessions (issue 11)
P95_LIMIT_S = 1.5
TIMEOUT_S = 60.0
THINK_S = (1.0, 3.0)  # pause between clicks: someone reading the page
NEW_VERSION_DATE = dt.date(2031, 12, 31)  # the published version is recognisable by its date
EXTRA_AMOUNT = 12_345.0  # added to one amount of the published version: another total
PRESENTATION = "/presentazione"  # sidebar hidden there (app_pages/presentazione.py): «Esci» instead
OPENING = "(apertura)"
KPI_VALUE = re.compile(r"^\*\*(.+?)\*\*(.*)$", re.S)  # ui/components.kpi_row: **25\.000** €
MARKDOWN_ESCAPE = re.compile(r"\\(.)")

READY_JS = """(path) => {
  const app = document.querySelector('[data-testid="stApp"]');
  return location.pathname === path && app &&
    app.getAttribute('data-test-script-state') === 'notRunning' &&
    !document.querySelector('[data-stale="true"]');
}"""
SEEN_JS = """() => {
  const header = [...document.querySelectorAll('[data-testid="stMarkdownContainer"] p')]
    .map(p => p.textContent).find(t => t.includes('Versione del')) || null;
  const kpi = document.querySelector('[class*="st-key-cp-kpi-value-"] p');
  const errors = [...document.querySelectorAll(
      '[data-testid="stException"], [data-testid="stAlertContainer"][role="alert"]')]
    .map(e => e.textContent.trim().slice(0, 160));
  return {header: header, kpi: kpi ? kpi.textContent.trim() : null, errors: errors};
}"""


@dataclass
class View:
    session: str  # "w3" (protocol) or "b1" (browser)
    path: str
    seconds: float
    at: float  # seconds since the start of the test
    date: str | None
    kpi: str | None


@dataclass
class LoadState:
    started: float = field(default_factory=time.perf_counter)
    views: list[View] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    open_sessions: int = 0
    published_at: float | None = None

    def now(self) -> float:
        return time.perf_counter() - self.started

    def note(self, session: str, path: str, seconds: float, seen: dict) -> None:
        """One view of a page: its errors, and the version it showed."""
        for error in seen["errors"]:
            self.errors.append(f"sessione {session} su {path}: {error}")
        overview = path in ("/", OPENING)
        self.views.append(
            View(
                session,
                path,
                seconds,
                self.now(),
                version_date(seen["header"]),
                same_text(seen["kpi"]) if overview and seen["kpi"] else None,
            )
        )

    def fail(self, session: str, path: str, exc: BaseException) -> None:
        self.errors.append(f"sessione {session} su {path}: {type(exc).__name__}: {exc}"[:300])


def same_text(text: str) -> str:
    """Text without any whitespace: what the page and the protocol show compare equal."""
    return "".join(text.split())


def version_date(header: str | None) -> str | None:
    if not header or "Versione del" not in header:
        return None
    return header.split("Versione del", 1)[1].split("·")[0].strip()


def new_version_bytes() -> bytes:
    """The shipped plan with another version date and one amount raised: a distinct version."""
    from coopplan.workbook.reader import load_plan
    from coopplan.workbook.writer import workbook_bytes

    plan = load_plan(SHIPPED).plan
    assert plan is not None
    funding = plan.funding.copy()
    first = funding.index[funding["source"].isin(set(plan.amount_sources))][0]
    funding.loc[first, "amount"] = float(funding.loc[first, "amount"]) + EXTRA_AMOUNT
    meta = replace(plan.meta, version_date=NEW_VERSION_DATE)
    return workbook_bytes(replace(plan, meta=meta, funding=funding))


# Protocol sessions ----------------------------------------------------------------------------


class ProtocolSession:
    """One dashboard session over the Streamlit websocket, held as the browser page holds it."""

    def __init__(self, websocket) -> None:
        self.websocket = websocket
        self.pages: dict[str, str] = {}  # URL path -> page script hash (from st.navigation)

    async def run(self, page_hash: str = "") -> dict:
        """Ask for a run of a page ("" = the default page); read it until the script ends."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = BackMsg()
        message.rerun_script.query_string = ""
        message.rerun_script.page_script_hash = page_hash
        await self.websocket.send(message.SerializeToString())
        seen = empty_seen()
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.websocket.recv())
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                read_element(forward.delta.new_element, seen)
            elif kind == "navigation":
                self.pages = {
                    "/" + page.url_pathname: page.page_script_hash
                    for page in forward.navigation.app_pages
                }
            elif kind == "page_not_found":
                seen["errors"].append("pagina non trovata")
            elif kind == "script_finished":
                if forward.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    seen = empty_seen()  # st.rerun(): the page is drawn again
                    continue
                if forward.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    seen["errors"].append("errore di compilazione dello script")
                return seen


def empty_seen() -> dict:
    return {"header": None, "kpi": None, "errors": []}


def read_element(element, seen: dict) -> None:
    from streamlit.proto.Alert_pb2 import Alert

    kind = element.WhichOneof("type")
    if kind == "markdown":
        body = element.markdown.body
        if seen["header"] is None and "Versione del" in body:
            seen["header"] = body
        match = KPI_VALUE.search(body)
        if seen["kpi"] is None and match:
            seen["kpi"] = same_text(MARKDOWN_ESCAPE.sub(r"\1", match.group(1) + match.group(2)))
    elif kind == "exception":
        seen["errors"].append(f"eccezione: {element.exception.message[:120]}")
    elif kind == "alert" and element.alert.format == Alert.ERROR:
        seen["errors"].append(f"errore: {element.alert.body[:120]}")


async def protocol_session(
    name: str,
    url: str,
    paths: list[str],
    stop_at: float,
    state: LoadState,
    think: tuple[float, float] = THINK_S,
) -> None:
    """One session of the Streamlit protocol: open, then another page after ``think`` seconds
    of reading (drawn uniformly; (0, 0): page after page, the server sets the pace) until
    ``stop_at`` (seconds of the run). Every view and error goes into ``state``."""
    import websockets

    rng = random.Random(name)
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    current = OPENING
    state.open_sessions += 1
    try:
        async with websockets.connect(stream, subprotocols=["streamlit"], max_size=None) as ws:
            session = ProtocolSession(ws)
            start = time.perf_counter()
            seen = await asyncio.wait_for(session.run(), TIMEOUT_S)
            state.note(name, OPENING, time.perf_counter() - start, seen)
            current = "/"
            while state.now() < stop_at:
                await asyncio.sleep(rng.uniform(*think))
                target = rng.choice([p for p in paths if p != current and p in session.pages])
                start = time.perf_counter()
                seen = await asyncio.wait_for(session.run(session.pages[target]), TIMEOUT_S)
                state.note(name, target, time.perf_counter() - start, seen)
                current = target
    except Exception as exc:  # noqa: BLE001 - a timeout or a drop is an error of the run
        state.fail(name, current, exc)
    finally:
        state.open_sessions -= 1


# Browser sessions -----------------------------------------------------------------------------


async def browser_session(
    name: str, browser, url: str, paths: list[str], stop_at: float, state: LoadState
) -> None:
    rng = random.Random(name)
    timeout_ms = TIMEOUT_S * 1000
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.on("pageerror", lambda exc: state.errors.append(f"sessione {name}: JavaScript: {exc}"))
    state.open_sessions += 1
    current = OPENING
    try:
        start = time.perf_counter()
        await page.goto(url, timeout=timeout_ms)
        await page.wait_for_function(READY_JS, arg="/", timeout=timeout_ms)
        await page.wait_for_selector('[class*="st-key-cp-kpi-value-"] p', timeout=timeout_ms)
        state.note(name, OPENING, time.perf_counter() - start, await page.evaluate(SEEN_JS))
        current = "/"
        while state.now() < stop_at:
            await asyncio.sleep(rng.uniform(*THINK_S))
            if current == PRESENTATION:
                target, link = "/", page.get_by_role("link", name="Esci").first
            else:
                target = rng.choice([p for p in paths if p != current])
                link = page.locator(f'[data-testid="stSidebarNavLink"][href$="{target}"]').first
            start = time.perf_counter()
            await link.click(timeout=timeout_ms)
            await page.wait_for_function(READY_JS, arg=target, timeout=timeout_ms)
            state.note(name, target, time.perf_counter() - start, await page.evaluate(SEEN_JS))
            current = target
    except Exception as exc:  # noqa: BLE001 - a timeout or a crash is an error of the run
        state.fail(name, current, exc)
    finally:
        state.open_sessions -= 1
        await context.close()


async def warm_up(browser, url: str) -> None:
    """One visit before the clock starts: the server parses the plan, the browser starts."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(url, timeout=TIMEOUT_S * 1000)
    await page.wait_for_function(READY_JS, arg="/", timeout=TIMEOUT_S * 1000)
    await context.close()


# The run --------------------------------------------------------------------------------------


async def drive(
    settings: Settings, url: str, paths: list[str], store: Path | str, state: LoadState
):
    from playwright.async_api import async_playwright

    from coopplan.store.location import open_store

    duration = settings.load_seconds
    browsers = min(settings.load_browsers, settings.load_sessions)
    async with async_playwright() as playwright:
        chrome = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            await warm_up(chrome, url)
            state.started = time.perf_counter()
            tasks = []
            for number in range(settings.load_sessions):
                if number == settings.rss_sessions:  # the others join a third of the way in
                    await asyncio.sleep(max(0.0, duration / 3 - state.now()))
                if number < browsers:
                    work = browser_session(f"b{number}", chrome, url, paths, duration, state)
                else:
                    work = protocol_session(f"w{number}", url, paths, duration, state)
                tasks.append(asyncio.create_task(work))
                await asyncio.sleep(0.2)
            await asyncio.sleep(max(0.0, duration / 2 - state.now()))
            data = new_version_bytes()
            await asyncio.to_thread(open_store(store).publish, data, "Benchmark", "Prova di carico")
            state.published_at = state.now()
            await asyncio.gather(*tasks)
        finally:
            await chrome.close()


def sample_rss(
    pids: Callable[[], list[int]], state: LoadState, stop: threading.Event, out: list
) -> None:
    """Every 0.5 s: (open sessions, the largest VmRSS of the server processes, MB)."""
    while not stop.is_set():
        try:
            out.append((state.open_sessions, max(rss_mb(pid) for pid in pids())))
        except (OSError, ValueError):
            return
        stop.wait(0.5)


def page_paths() -> list[str]:
    """URL paths of the dashboard's pages (one per pista of the shipped plan)."""
    from coopplan.workbook.reader import load_plan
    from ui.nav import track_url

    plan = load_plan(SHIPPED).plan
    assert plan is not None
    others = sorted(p.stem for p in (ROOT / "app_pages").glob("*.py"))
    others = [n for n in others if n not in ("pista", "panoramica")]
    return ["/"] + [f"/{track_url(c)}" for c in plan.track_codes] + [f"/{n}" for n in others]


def consistency(state: LoadState) -> list[str]:
    """What is wrong with the versions the sessions saw (nothing, hopefully)."""
    problems = []
    totals: dict[str, set[str]] = {}
    for view in state.views:
        if view.date and view.kpi:
            totals.setdefault(view.date, set()).add(view.kpi)
    for date, kpis in totals.items():
        if len(kpis) > 1:
            problems.append(f"la versione del {date} mostrata con totali diversi: {sorted(kpis)}")
    published = state.published_at or float("inf")
    before = [v.date for v in state.views if v.date and v.at < published]
    old = before[0] if before else None
    if len({v.date for v in state.views if v.date}) > 2:
        problems.append("più di due versioni viste")
    sessions = sorted({v.session for v in state.views})
    for name in sessions:
        seen_new = False
        for view in (v for v in state.views if v.session == name):
            if view.date and view.date != old:
                seen_new = True
            elif view.date == old and seen_new:
                problems.append(f"la sessione {name} è tornata alla versione precedente")
                break
    later = [v for v in state.views if v.date and v.at > published + 5]
    if later and all(v.date == old for v in later):
        problems.append("nessuna sessione ha visto la nuova versione dopo la pubblicazione")
    if state.published_at is None:
        problems.append("la nuova versione non è stata pubblicata")
    return problems


def load(
    settings: Settings, folder: Path, processes: int = 1, database: str | None = None
) -> list[Row]:
    """The load scenario against one ``streamlit run`` (``processes`` = 1), or against
    ``scripts/serve.sh --processes N`` (nginx in front of N processes, the hall's setup); on a
    folder store, or on the PostgreSQL store at ``database`` (a ``postgresql://`` address whose
    schema is empty: seeded here with the shipped plan, as the dashboard does)."""
    store = seeded_database(database) if database else seeded_store(folder)
    state = LoadState()
    rss: list[tuple[int, float]] = []
    with serving(processes, store, folder) as (url, pids):
        stop = threading.Event()
        sampler = threading.Thread(target=sample_rss, args=(pids, state, stop, rss), daemon=True)
        sampler.start()
        try:
            asyncio.run(drive(settings, url, page_paths(), store, state))
        finally:
            stop.set()
            sampler.join()
    if os.environ.get("BENCH_DEBUG"):
        for view in state.views:
            print(view, file=sys.stderr)
    return rows(settings, state, rss, processes, on_database=bool(database))


@contextlib.contextmanager
def serving(
    processes: int, store: Path | str, folder: Path
) -> Iterator[tuple[str, Callable[[], list[int]]]]:
    """(the URL, a function giving the server processes' PIDs) for the duration of the block."""
    if processes == 1:
        with streamlit_server(ROOT / "app.py", folder, dashboard_env(store)) as server:
            yield server.url, lambda: [server.pid]
        return
    process, url = start_serve(processes, store, folder / f"serve-load-{processes}.log")
    try:
        yield url, lambda: streamlit_pids(process.pid)
    finally:
        stop_serve(process)


def streamlit_pids(root: int) -> list[int]:
    """The Streamlit processes started under ``root`` (scripts/serve.sh), from /proc."""
    children: dict[int, list[int]] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            if "streamlit" in commands.get(child, ""):
                found.append(child)
    return found


def start_serve(
    processes: int, store: Path | str, log: Path, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """scripts/serve.sh --processes N on loopback; returns once every process answers."""
    from support.browser import free_ports, wait_healthy

    port = free_ports(processes + 1)
    served = {k: v for k, v in dashboard_env(store).items() if v is not None}
    env = {**os.environ, "PORT": str(port), "COOPPLAN_ADDRESS": "127.0.0.1", **served}
    env.update(extra_env or {})
    env.pop("COOPPLAN_WORKBOOK", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "serve.sh"), "--processes", str(processes)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        for upstream in [port + i for i in range(1, processes + 1)] + [port]:
            wait_healthy(f"http://127.0.0.1:{upstream}", process, seconds=180, log=log)
    except RuntimeError:
        stop_serve(process)
        raise
    return process, f"http://127.0.0.1:{port}"


def stop_serve(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def seeded_database(database: str) -> str:
    """The PostgreSQL store at ``database``, seeded with the shipped plan (version 1)."""
    from coopplan.store.location import open_store

    open_store(database).ensure_seeded()
    return database


def rows(
    settings: Settings,
    state: LoadState,
    rss: list[tuple[int, float]],
    processes: int = 1,
    *,
    on_database: bool = False,
) -> list[Row]:
    def latencies(kind: str) -> list[float]:
        return [v.seconds for v in state.views if v.path != OPENING and v.session.startswith(kind)]

    mixed = consistency(state)
    dates = {v.date for v in state.views if v.date}
    rss_small = max((mb for n, mb in rss if n <= settings.rss_sessions), default=0.0)
    rss_all = max((mb for _, mb in rss), default=0.0)
    browsers = min(settings.load_browsers, settings.load_sessions)
    protocol, chrome = latencies("w"), latencies("b")
    clicks = protocol + chrome
    opening = [v.seconds for v in state.views if v.path == OPENING]
    setup = "1 processo" if processes == 1 else f"{processes} processi dietro nginx"
    setup += ", archivio PostgreSQL" if on_database else ""
    total = (
        f"{setup}, {settings.load_sessions} sessioni ({browsers} Chromium), "
        f"{settings.load_seconds:.0f} s"
    )
    p50, p95 = pct(clicks, 50), pct(clicks, 95)
    section = "Carico"
    return [
        Row(
            section,
            f"{total}: errori",
            float(len(state.errors)),
            target="0",
            passed=not state.errors,
            unit="",
            note="; ".join(state.errors[:3]),
        ),
        Row(
            section,
            f"{setup}: versioni coerenti (mai un misto, mai indietro)",
            float(len(mixed)),
            target="0 problemi",
            passed=not mixed,
            unit="",
            note="; ".join(mixed[:3]) or f"{len(dates)} versioni viste: {', '.join(sorted(dates))}",
        ),
        limit_row(section, f"{setup}: pagina p50 ({len(clicks)} clic)", p50, P50_LIMIT_S),
        limit_row(section, f"{setup}: pagina p95", p95, P95_LIMIT_S),
        Row(section, f"{setup}: pagina p95, protocollo", pct(protocol, 95), target="(info)"),
        Row(section, f"{setup}: pagina p95, Chromium", pct(chrome, 95), target="(info)"),
        Row(section, f"{setup}: apertura p50", pct(opening, 50), target="(info)"),
        Row(
            section,
            f"{setup}: pagine servite al secondo",
            len(state.views) / settings.load_seconds,
            target="(info)",
            unit="/s",
        ),
        Row(
            section,
            f"{setup}: RSS per processo con {settings.rss_sessions} sessioni",
            rss_small,
            target=f"<= {RSS_LIMIT_MB:.0f} MB",
            passed=rss_small <= RSS_LIMIT_MB,
            unit="MB",
        ),
        Row(
            section,
            f"{setup}: RSS per processo con {settings.load_sessions} sessioni",
            rss_all,
            target=f"<= {RSS_LIMIT_MB:.0f} MB",
            passed=rss_all <= RSS_LIMIT_MB,
            unit="MB",
        ),
    ]


def pct(values: list[float], q: int) -> float | None:
    """The q-th percentile (None without values)."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]
