"""Processes: pages per second through nginx with 2 Streamlit processes against 1, same run.

Both configurations are ``scripts/serve.sh --processes N`` (nginx in front of each, so the proxy
costs the same), on one seeded store. Protocol sessions (the websocket client of bench_load, the
browser's own protocol) ask for page after page with no pause: the server, not the readers, sets
the pace. Each session is a websocket without cookie, so nginx spreads them by request id (as it
spreads phones, which each get their own cookie). Halfway through each run a new version is
published; the sessions must never show a mixed or an older version (bench_load.consistency).
Runs alternate 1, 2, 1, 2 ... and the medians are compared (target: 2 processes >= 1.6x).
"""

from __future__ import annotations

import asyncio
import statistics
from pathlib import Path

from bench_load import (
    OPENING,
    LoadState,
    consistency,
    new_version_bytes,
    page_paths,
    protocol_session,
    start_serve,
    stop_serve,
)
from common import Row, Settings, seeded_store

SPEEDUP_TARGET = 1.6
NO_PAUSE = (0.0, 0.0)  # page after page: the server, not the readers, sets the pace
SECTION = "Processi"


async def drive(
    url: str, store: Path, sessions: int, seconds: float, publish: bool = True
) -> LoadState:
    """``sessions`` busy sessions for ``seconds``; a new version published halfway."""
    from coopplan.store.location import open_store

    state = LoadState()
    paths = page_paths()
    tasks = [
        asyncio.create_task(protocol_session(f"w{n}", url, paths, seconds, state, NO_PAUSE))
        for n in range(sessions)
    ]
    if not publish:
        await asyncio.gather(*tasks)
        return state
    await asyncio.sleep(max(0.0, seconds / 2 - state.now()))
    await asyncio.to_thread(open_store(store).publish, new_version_bytes(), "Benchmark", "Processi")
    state.published_at = state.now()
    await asyncio.gather(*tasks)
    return state


def one_run(processes: int, folder: Path, sessions: int, seconds: float) -> tuple[float, LoadState]:
    """Pages per second (opening excluded) with ``processes`` processes, and what was seen."""
    store = seeded_store(folder)
    process, url = start_serve(processes, store, folder / f"serve-{processes}.log")
    try:
        asyncio.run(drive(url, store, sessions, 5.0, publish=False))  # every process warms up
        state = asyncio.run(drive(url, store, sessions, seconds))
    finally:
        stop_serve(process)
    pages = [v for v in state.views if v.path != OPENING]
    return len(pages) / seconds, state


def processes_rows(settings: Settings, folder: Path) -> list[Row]:
    """Pages/s with 1 and 2 processes behind nginx, alternated; no mixed versions."""
    seconds = 10.0 if settings.quick else 30.0
    rounds = 1 if settings.quick else 3
    sessions = 8 if settings.quick else 16
    rates: dict[int, list[float]] = {1: [], 2: []}
    problems: list[str] = []
    errors: list[str] = []
    for _ in range(rounds):
        for processes in (1, 2):
            rate, state = one_run(processes, folder, sessions, seconds)
            rates[processes].append(rate)
            problems += [f"{processes} processi: {p}" for p in consistency(state)]
            errors += [f"{processes} processi: {e}" for e in state.errors]
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    detail = f"{sessions} sessioni senza pausa, {seconds:.0f} s × {rounds}"
    return [
        Row(SECTION, f"pagine/s, 1 processo dietro nginx ({detail})", one, unit="/s"),
        Row(
            SECTION,
            "pagine/s, 2 processi dietro nginx",
            two,
            one,
            target=f">= {SPEEDUP_TARGET:g}x",
            passed=two / one >= SPEEDUP_TARGET,
            unit="/s",
            note="giri: "
            + ", ".join(f"{a:.1f}→{b:.1f}" for a, b in zip(rates[1], rates[2], strict=True)),
        ),
        Row(
            SECTION,
            "errori e versioni miste (1 e 2 processi)",
            float(len(problems) + len(errors)),
            target="0",
            passed=not problems and not errors,
            unit="",
            note="; ".join((errors + problems)[:3]),
        ),
    ]
