"""Load: browser sessions clicking through the dashboard while a new version is published.

One headless Chromium, one context (cookie jar, cache, websocket) per session, all driven from
one asyncio loop. Each session opens the dashboard, then clicks a sidebar link to another page,
waits until the page is drawn (URL of the page, script finished, no stale element), reads what
it shows, waits a moment (someone reading, 1-3 s), and clicks on. Halfway through, a new version
of the plan (another date, other amounts) is published into the server's store.

Checked: no error (exception, error box, JavaScript error, timeout); each view shows ONE version
(the date in the header and the first KPI of the overview belong to the same workbook: one date
never appears with two different totals); a session never goes back to the old version after
seeing the new one; and the server's resident memory with ``rss_sessions`` sessions open.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench_browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server
from common import ROOT, SHIPPED, Row, Settings, dashboard_env, seeded_store

RSS_LIMIT_MB = 300.0
NAV_TIMEOUT_MS = 60_000
THINK_S = (1.0, 3.0)  # pause between clicks: someone reading the page
NEW_VERSION_DATE = dt.date(2031, 12, 31)  # the published version is recognisable by its date
EXTRA_AMOUNT = 12_345.0  # added to one amount of the published version: another total

PRESENTATION = "/presentazione"  # sidebar hidden (pages/presentazione.py)
READY_JS = """(path) => {
  const app = document.querySelector('[data-testid="stApp"]');
  return location.pathname === path && app &&
    app.getAttribute('data-test-script-state') === 'notRunning' &&
    !document.querySelector('[data-stale="true"]');
}"""
SEEN_JS = """() => {
  const text = (el) => el ? el.textContent.trim() : null;
  const header = [...document.querySelectorAll('[data-testid="stMarkdownContainer"] p')]
    .map(p => p.textContent).find(t => t.includes('Versione del')) || null;
  const errors = [...document.querySelectorAll(
      '[data-testid="stException"], [data-testid="stAlertContainer"][role="alert"]')]
    .map(e => e.textContent.trim().slice(0, 160));
  return {header: header, kpi: text(document.querySelector('.cp-kpi-value')), errors: errors};
}"""


@dataclass
class View:
    session: int
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


def new_version_bytes() -> bytes:
    """The shipped plan with another version date and one amount raised: a distinct version."""
    from dataclasses import replace

    from coopplan.reader import load_plan
    from coopplan.writer import workbook_bytes

    plan = load_plan(SHIPPED).plan
    assert plan is not None
    funding = plan.funding.copy()
    amount_sources = set(plan.amount_sources)
    first = funding.index[funding["source"].isin(amount_sources)][0]
    funding.loc[first, "amount"] = float(funding.loc[first, "amount"]) + EXTRA_AMOUNT
    meta = replace(plan.meta, version_date=NEW_VERSION_DATE)
    return workbook_bytes(replace(plan, meta=meta, funding=funding))


def version_date(header: str | None) -> str | None:
    if not header or "Versione del" not in header:
        return None
    return header.split("Versione del", 1)[1].strip().split("·")[0].strip()


async def session(
    number: int, browser, url: str, paths: list[str], stop_at: float, state: LoadState
) -> None:  # noqa: ANN001
    rng = random.Random(number)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.on("pageerror", lambda exc: state.errors.append(f"sessione {number}: JS {exc}"))
    state.open_sessions += 1
    current = "/"
    try:
        start = time.perf_counter()
        await page.goto(url, timeout=NAV_TIMEOUT_MS)
        await page.wait_for_function(READY_JS, arg=current, timeout=NAV_TIMEOUT_MS)
        await record(page, number, current, time.perf_counter() - start, state, first=True)
        while state.now() < stop_at:
            await asyncio.sleep(rng.uniform(*THINK_S))
            if current == PRESENTATION:  # no sidebar there: its own «Esci» link
                target = "/"
                link = page.get_by_role("link", name="Esci").first
            else:
                target = rng.choice([p for p in paths if p != current])
                link = page.locator(f'[data-testid="stSidebarNavLink"][href$="{target}"]').first
            start = time.perf_counter()
            await link.click(timeout=NAV_TIMEOUT_MS)
            await page.wait_for_function(READY_JS, arg=target, timeout=NAV_TIMEOUT_MS)
            await record(page, number, target, time.perf_counter() - start, state)
            current = target
    except Exception as exc:  # noqa: BLE001 - a timeout or a crash is an error of the test
        state.errors.append(f"sessione {number} su {current}: {type(exc).__name__}: {exc}"[:300])
    finally:
        state.open_sessions -= 1
        await context.close()


async def record(
    page, number: int, path: str, seconds: float, state: LoadState, first: bool = False
) -> None:  # noqa: ANN001
    seen = await page.evaluate(SEEN_JS)
    for error in seen["errors"]:
        state.errors.append(f"sessione {number} su {path}: {error}")
    view = View(
        session=number,
        path=path if not first else "(apertura)",
        seconds=seconds,
        at=state.now(),
        date=version_date(seen["header"]),
        kpi=seen["kpi"] if path == "/" else None,
    )
    state.views.append(view)


async def warm_up(browser, url: str) -> None:  # noqa: ANN001
    """One visit before the clock starts: the server parses the plan, the browser starts."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(url, timeout=NAV_TIMEOUT_MS)
    await page.wait_for_function(READY_JS, arg="/", timeout=NAV_TIMEOUT_MS)
    await context.close()


def sample_rss(server, state: LoadState, stop: threading.Event, out: list) -> None:  # noqa: ANN001
    while not stop.is_set():
        try:
            out.append((state.open_sessions, server.rss_mb()))
        except OSError:
            return
        stop.wait(0.5)


async def drive(settings: Settings, url: str, paths: list[str], store: Path, state: LoadState):
    from playwright.async_api import async_playwright

    from coopplan.store import Store

    duration = settings.load_seconds
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            await warm_up(browser, url)
            state.started = time.perf_counter()
            tasks = []
            # First rss_sessions sessions, staggered; the others join after a third of the run.
            for number in range(settings.load_sessions):
                if number == settings.rss_sessions:
                    await asyncio.sleep(max(0.0, duration / 3 - state.now()))
                tasks.append(
                    asyncio.create_task(session(number, browser, url, paths, duration, state))
                )
                await asyncio.sleep(0.3)
            await asyncio.sleep(max(0.0, duration / 2 - state.now()))
            data = new_version_bytes()
            await asyncio.to_thread(Store(store).publish, data, "Benchmark", "Prova di carico")
            state.published_at = state.now()
            await asyncio.gather(*tasks)
        finally:
            await browser.close()


def page_paths() -> list[str]:
    """URL paths of the dashboard's pages, from the shipped plan (one per pista)."""
    from coopplan.reader import load_plan
    from ui.nav import track_url

    plan = load_plan(SHIPPED).plan
    assert plan is not None
    names = [p.stem for p in (ROOT / "pages").glob("*.py") if p.stem != "pista"]
    return (
        ["/"]
        + [f"/{track_url(c)}" for c in plan.track_codes]
        + [f"/{n}" for n in sorted(names) if n != "panoramica"]
    )


def consistency(state: LoadState) -> list[str]:
    """Problems with what the sessions saw: mixed versions, going back, never seeing the new."""
    problems = []
    totals: dict[str, set[str]] = {}
    for view in state.views:
        if view.date and view.kpi:
            totals.setdefault(view.date, set()).add(view.kpi)
    for date, kpis in totals.items():
        if len(kpis) > 1:
            problems.append(f"la versione del {date} mostrata con totali diversi: {sorted(kpis)}")
    dates = {v.date for v in state.views if v.date}
    if len(dates) > 2:
        problems.append(f"più di due versioni viste: {sorted(dates)}")
    by_session: dict[int, list[View]] = {}
    for view in state.views:
        by_session.setdefault(view.session, []).append(view)
    first_dates = [v.date for v in state.views if v.date and v.at < (state.published_at or 0)]
    old = first_dates[0] if first_dates else None
    for number, views in by_session.items():
        seen_new = False
        for view in views:
            if view.date and view.date != old:
                seen_new = True
            elif view.date == old and seen_new:
                problems.append(f"la sessione {number} è tornata alla versione precedente")
                break
    after = [v for v in state.views if state.published_at and v.at > state.published_at + 5]
    if after and not any(v.date and v.date != old for v in after):
        problems.append("nessuna sessione ha visto la nuova versione dopo la pubblicazione")
    return problems


def load(settings: Settings, folder: Path) -> list[Row]:
    store = seeded_store(folder)
    paths = [p for p in page_paths() if p != "/aggiorna"] + ["/aggiorna"]
    state = LoadState()
    rss: list[tuple[int, float]] = []
    with streamlit_server(ROOT / "app.py", folder, dashboard_env(store)) as server:
        stop = threading.Event()
        sampler = threading.Thread(target=sample_rss, args=(server, state, stop, rss), daemon=True)
        state.started = time.perf_counter()
        sampler.start()
        try:
            asyncio.run(drive(settings, server.url, paths, store, state))
        finally:
            stop.set()
            sampler.join()
    clicks = [v.seconds for v in state.views if v.path != "(apertura)"]
    opens = [v.seconds for v in state.views if v.path == "(apertura)"]
    mixed = consistency(state)
    if os.environ.get("BENCH_DEBUG"):
        for view in state.views:
            print(view, file=sys.stderr)
        print("published at", state.published_at, file=sys.stderr)
    rss_small = max((mb for n, mb in rss if n <= settings.rss_sessions), default=0.0)
    rss_all = max((mb for _, mb in rss), default=0.0)
    n = settings.load_sessions
    section = "Carico"
    rows = [
        Row(
            section,
            f"{n} sessioni, {settings.load_seconds:.0f} s: errori",
            float(len(state.errors)),
            target="0",
            passed=not state.errors,
            unit="",
            note="; ".join(state.errors[:3]),
        ),
        Row(
            section,
            "versioni coerenti (mai un misto, mai indietro)",
            float(len(mixed)),
            target="0 problemi",
            passed=not mixed,
            unit="",
            note="; ".join(mixed[:3])
            or f"{len({v.date for v in state.views if v.date})} versioni viste",
        ),
        Row(
            section,
            f"latenza pagina p50 ({len(clicks)} clic)",
            percentile(clicks, 50),
            target="(info)",
        ),
        Row(section, "latenza pagina p95", percentile(clicks, 95), target="(info)"),
        Row(section, "apertura (goto) p50", percentile(opens, 50), target="(info)"),
        Row(
            section,
            f"RSS del server con {settings.rss_sessions} sessioni",
            rss_small,
            target=f"<= {RSS_LIMIT_MB:.0f} MB",
            passed=rss_small <= RSS_LIMIT_MB,
            unit="MB",
        ),
        Row(section, f"RSS del server con {n} sessioni", rss_all, target="(info)", unit="MB"),
    ]
    return rows


def percentile(values: list[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]
