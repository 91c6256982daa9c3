"""The assembly hall at its real size (issue 22 §5): bytes a phone downloads, and the whole
assembly played against scripts/serve.sh.

- ``page_bytes``: a phone's first open (390x844, a fresh Chromium context, empty cache) of
  «Panoramica», «Matrice» and «Sala», in one process (``streamlit run app.py``) and behind nginx
  (serve.sh), bytes on the wire as Chromium's network accounting counts them
  (``encodedDataLength`` of every answer, headers included, plus websocket frames); baseline:
  the same server with Streamlit's bundles uncompressed (COOPPLAN_STATIC_GZIP=0).
- ``assembly``: N phones (asyncio + httpx, each from its own 127.0.0.x address) open «Sala»
  spread over the first 60 s and follow the president, who changes slide every 5 s (the
  presenter's write of the shared record, coopplan.hall.state); 10 board members use the
  Streamlit pages meanwhile (bench_load's protocol sessions, in a process of their own); the
  secretary publishes once half-way. Measured: follow latency (the record's time -> the phone's
  answer), first open, the board's pages, errors, phones that see an older or mixed version
  after the publish, bytes per phone, server RSS (Streamlit + nginx). With 1 and 2 processes,
  on the folder store and on PostgreSQL (a throwaway cluster, tests/pg.py). Loopback only.

    python benchmarks/bench_hall.py [--bytes] [--phones 300] [--seconds 60]
        [--processes 1 2] [--store cartella PostgreSQL]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import ssl
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from common import ROOT, Row, Settings, seeded_store

from coopplan.hall import state as hallstate

SECTION = "Sala"
SALA_LIMIT = 200.0  # KB, a phone's first open of «Sala»
PAGES_LIMIT = 2700.0  # KB, a phone's first open of «Panoramica»
FOLLOW_P95 = 1.0
OPEN_P95 = 1.0
RSS_LIMIT = 500.0  # MB, every server process together
SLIDE_EVERY = 5.0
PHONE_PROCESSES = 3  # load-generator processes for the phones
DESK_P95 = 1.5  # s, a board member's page during the assembly
BOARD = 10  # board members on the Streamlit pages
PHONE = {"width": 390, "height": 844}


# Bytes in Chromium ---------------------------------------------------------------------------


def first_open_bytes(browser, url: str, ready: str) -> int:
    """Bytes on the wire for a phone's first open of ``url`` until ``ready`` (a CSS selector)
    is visible and the network has been quiet for a second."""
    context = browser.new_context(viewport=PHONE, locale="it-IT")
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        counted: list[int] = []
        cdp.on("Network.loadingFinished", lambda e: counted.append(int(e["encodedDataLength"])))
        cdp.on(
            "Network.webSocketFrameReceived",
            lambda e: counted.append(len(base64.b64decode(e["response"]["payloadData"] + "=="))),
        )
        page.goto(url, timeout=120_000)
        page.wait_for_selector(ready, state="visible", timeout=120_000)
        quiet_until = time.monotonic() + 30  # «Sala» holds a long poll open: no networkidle
        seen = -1
        while len(counted) != seen and time.monotonic() < quiet_until:
            seen = len(counted)
            page.wait_for_timeout(1500)
        return sum(counted)
    finally:
        context.close()


KPI_READY = '[class*="st-key-cp-kpi-card-"]'
FIRST_OPENS = {  # name -> (path, what shows the page is there)
    "Panoramica": ("/", KPI_READY),
    "Matrice": ("/matrice", "h1"),  # on a phone the grid is hidden (the list shows)
    "Sala": ("/sala", ".slide.on"),
}
PAGE_LIMITS = {"Panoramica": PAGES_LIMIT, "Matrice": PAGES_LIMIT, "Sala": SALA_LIMIT}


def one_process_bytes(browser, folder: Path, env: dict[str, str | None]) -> dict[str, int]:
    """Each page's first open from one Streamlit process (``streamlit run app.py``)."""
    from bench_browser import streamlit_server

    with streamlit_server(ROOT / "app.py", folder, env) as server:
        return {
            name: first_open_bytes(browser, server.url + path, ready)
            for name, (path, ready) in FIRST_OPENS.items()
        }


def nginx_bytes(browser, folder: Path, store: Path) -> dict[str, int]:
    """Each page's first open through scripts/serve.sh (nginx in front of one process)."""
    from bench_load import start_serve, stop_serve

    process, url = start_serve(1, store, folder / "serve-bytes.log")
    try:
        return {
            name: first_open_bytes(browser, url + path, ready)
            for name, (path, ready) in FIRST_OPENS.items()
        }
    finally:
        stop_serve(process)


def page_bytes(settings: Settings, folder: Path) -> list[Row]:
    """A phone's first open of every page, in one process and behind nginx; the baseline is
    the same server with Streamlit's bundles uncompressed (COOPPLAN_STATIC_GZIP=0)."""
    from bench_browser import chromium
    from common import dashboard_env

    store = seeded_store(folder / "bytes-store")
    with chromium() as browser:
        plain = one_process_bytes(
            browser, folder, {**dashboard_env(store), "COOPPLAN_STATIC_GZIP": "0"}
        )
        alone = one_process_bytes(
            browser, folder, {**dashboard_env(store), "COOPPLAN_STATIC_GZIP": "1"}
        )
        behind = nginx_bytes(browser, folder, store)
    rows = []
    for where, found in (("un processo", alone), ("dietro nginx", behind)):
        for name, limit in PAGE_LIMITS.items():
            kb = round(found[name] / 1000, 1)
            before = round(plain[name] / 1000, 1) if name != "Sala" else None
            rows.append(
                Row(SECTION, f"«{name}»: prima apertura sul telefono ({where})", kb, before,
                    f"<= {limit:g} KB", kb <= limit, unit="KB",
                    note="riferimento: senza gzip (COOPPLAN_STATIC_GZIP=0)" if before else "")
            )  # fmt: skip
    return rows


# The assembly ----------------------------------------------------------------------------------


@dataclass
class Phone:
    number: int
    opened: float = 0.0  # seconds of the first open
    bytes_first: int = 0
    bytes_after: int = 0  # the event stream
    reload_bytes: int = 0  # the page again after the publish
    state_answers: int = 0
    seen: list[tuple[str, float]] = field(default_factory=list)  # (record, when it came)
    follows: list[float] = field(default_factory=list)  # seconds after the president's move
    errors: list[str] = field(default_factory=list)
    version: str = ""  # the ETag of the page it shows
    pages: list[tuple[float, str]] = field(default_factory=list)  # (asked at, version shown)
    went_back: bool = False  # a state answer named an older plan after a newer one


@dataclass
class Assembly:
    moves: dict[str, float] = field(default_factory=dict)  # record tag -> when it was written
    published_at: float = 0.0  # when the publish was done (the store answered)
    new_etag: str = ""
    phones: list[Phone] = field(default_factory=list)
    stop: float = 0.0
    new_version: str = ""  # the version in force at the end (the published one)
    per_move: str = ""


SSL = ssl.create_default_context()  # one for every phone: httpx builds one per client otherwise
# (loading the CA bundle, ~20 ms of the load generator's loop each), though only http is used


async def phone_life(phone: Phone, url: str, stop: float, start_at: float) -> None:
    """One phone: opens «Sala», then follows the president's events (/sala/eventi, as the
    page's EventSource does) until ``stop``; on a new plan version the page again."""
    import httpx

    await asyncio.sleep(max(0.0, start_at - time.time()))
    address = f"127.0.0.{2 + phone.number % 250}"
    transport = httpx.AsyncHTTPTransport(local_address=address, verify=SSL)
    headers = {"Accept-Encoding": "gzip, deflate"}
    async with httpx.AsyncClient(transport=transport, headers=headers, timeout=40.0) as client:
        try:
            began, asked = time.perf_counter(), time.time()
            page = await client.get(f"{url}/sala")
            phone.opened = time.perf_counter() - began
            phone.bytes_first = page.num_bytes_downloaded
            phone.version = page.headers.get("etag", "")
            if page.status_code != 200:
                phone.errors.append(f"sala {page.status_code}")
                return
            version = page_version(page.text)
            phone.pages.append((asked, version))
            plans: list[str] = [version]
            tag = ""
            remaining = max(1.0, stop - time.time())
            async with asyncio.timeout(remaining):
                events = client.stream("GET", f"{url}/sala/eventi", params={"v": version})
                async with events as stream:
                    if stream.status_code != 200:
                        phone.errors.append(f"eventi {stream.status_code}")
                        return
                    async for line in stream.aiter_lines():
                        if not line.startswith("data: "):
                            continue
                        state = json.loads(line[6:])
                        received = time.time()
                        phone.bytes_after = stream.num_bytes_downloaded
                        phone.state_answers += 1
                        record = state["tag"].rsplit("-", 1)[0]  # the slide, not the plan
                        if tag and record != tag.rsplit("-", 1)[0]:  # a publish is no move
                            phone.seen.append((record, received))
                        tag = state["tag"]
                        if state["plan"] and state["plan"] != plans[-1]:
                            phone.went_back |= state["plan"] in plans  # seen, then left
                            plans.append(state["plan"])
                        if state["plan"] and state["plan"] != version:  # a publish
                            asked = time.time()
                            page = await client.get(f"{url}/sala")
                            phone.reload_bytes += page.num_bytes_downloaded
                            phone.version = page.headers.get("etag", "")
                            version = page_version(page.text)
                            phone.pages.append((asked, version))
        except TimeoutError:
            pass  # the assembly is over
        except httpx.HTTPError as error:
            phone.errors.append(repr(error))


def phone_group(
    url: str, numbers: list[int], phones: int, began: float, spread: float, stop: float
) -> list[Phone]:
    """Some of the phones, in a process of their own: one Python loop reading 300 answers at
    once would itself be the delay it measures (measured: the client's share of the follow
    latency was p95 1,3 s with one loop, at load 8)."""
    group = [Phone(n) for n in numbers]

    async def everyone() -> None:
        await asyncio.gather(
            *(phone_life(p, url, stop, began + spread * p.number / phones) for p in group)
        )

    asyncio.run(everyone())
    return group


def page_version(text: str) -> str:
    marker = '"version": "'
    at = text.find(marker)
    return text[at + len(marker) : text.find('"', at + len(marker))] if at >= 0 else ""


def president(store: str, hall: Assembly, seconds: float, slides: int) -> None:
    """Moves the hall every SLIDE_EVERY seconds (as the presenter's session does)."""
    state = hallstate.open_hall(store)
    key = state.key()
    number = 1
    while time.time() + SLIDE_EVERY < hall.stop:
        time.sleep(SLIDE_EVERY)
        number = number % slides + 1
        current = hallstate.Current(number, "", "", "", time.time())
        hall.moves[current.tag()] = current.since
        hallstate.move(state, key, current)


def secretary(store: str, hall: Assembly, at: float) -> None:
    """Publishes once, at ``at``, a version with another date and total (bench_load's)."""
    from bench_load import new_version_bytes

    from coopplan.store.location import open_store

    data = new_version_bytes()
    time.sleep(max(0.0, at - time.time()))
    open_store(store).publish(data, editor="Segreteria", note="Durante l'assemblea")
    hall.published_at = time.time()


def board(url: str, seconds: float, members: int, began: float) -> dict:
    """``members`` board members on the Streamlit pages (bench_load's protocol sessions, a
    page every 1-3 s) until ``seconds`` after ``began``; run in a process of its own, so that
    reading their pages does not delay the phones' client."""
    from bench_load import LoadState, page_paths, protocol_session

    state = LoadState()
    state.started = time.perf_counter() - (time.time() - began)  # now() = seconds since began

    async def everyone() -> None:
        paths = page_paths()
        await asyncio.gather(
            *(protocol_session(f"w{n}", url, paths, seconds, state) for n in range(members))
        )

    asyncio.run(everyone())
    views = [(v.session, v.path, v.seconds, v.at, v.date, v.kpi) for v in state.views]
    return {"views": views, "errors": state.errors}


def board_rows(found: dict, hall: Assembly, began: float, where: str) -> list[Row]:
    from bench_load import OPENING, LoadState, View, consistency

    state = LoadState(
        views=[View(*view) for view in found["views"]],
        errors=list(found["errors"]),
        published_at=hall.published_at - began if hall.published_at else None,
    )
    desk = [v.seconds for v in state.views if v.path != OPENING]
    problems = consistency(state)
    return [
        Row(SECTION, f"pagine del consiglio p95 ({where})", p95(desk), None,
            f"<= {DESK_P95:g} s", p95(desk) <= DESK_P95,
            note=f"{len(desk)} pagine, mediana {statistics.median(desk or [0]) * 1000:.0f} ms"),
        Row(SECTION, f"consiglio: errori e versioni sbagliate ({where})",
            float(len(state.errors) + len(problems)), None, "= 0",
            not state.errors and not problems, unit="n",
            note="; ".join(state.errors[:2] + problems[:2])[:160]),
    ]  # fmt: skip


def rss_total(pids: list[int]) -> float:
    from bench_browser import rss_mb

    return sum(rss_mb(pid) for pid in pids)


def server_pids(root: int) -> list[int]:
    """Streamlit and nginx processes under scripts/serve.sh (pid ``root``)."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            names[int(entry.name)] = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            if "streamlit" in names.get(child, "") or "nginx" in names.get(child, ""):
                found.append(child)
    return found


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@contextlib.contextmanager
def store_at(kind: str, folder: Path, processes: int) -> Iterator[str]:
    """A seeded store of ``kind`` ("cartella" or "PostgreSQL"): its location, as
    COOPPLAN_STORE says it. PostgreSQL: a throwaway cluster (tests/pg.py), on a unix socket."""
    if kind == "cartella":
        yield str(seeded_store(folder / f"hall-store-{processes}"))
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from support import pg

    from coopplan.store.location import open_store

    with pg.cluster() as url:
        location = pg.fresh_schema(url)
        open_store(location).ensure_seeded()
        yield location


def assembly(
    folder: Path, phones: int, seconds: float, processes: int, kind: str = "cartella"
) -> list[Row]:
    """The assembly of issue 22 §5 against scripts/serve.sh --processes N."""
    from concurrent.futures import ProcessPoolExecutor

    from bench_load import start_serve, stop_serve

    where = f"{phones} telefoni, {processes} process{'o' if processes == 1 else 'i'}, {kind}"
    hall = Assembly()
    rss_peak = 0.0
    with store_at(kind, folder, processes) as store:
        log = folder / f"serve-hall-{processes}-{kind}.log"
        process, url = start_serve(processes, store, log)
        try:
            import urllib.request

            urllib.request.urlopen(f"{url}/sala", timeout=60).read()  # the page built once
            began = time.time() + 1.0  # the workers below start meanwhile
            hall.stop = began + seconds + 6
            spread = min(seconds, 60.0)
            threads = [
                threading.Thread(target=president, args=(store, hall, seconds, 20), daemon=True),
                threading.Thread(
                    target=secretary, args=(store, hall, began + seconds / 2), daemon=True
                ),
            ]
            with ProcessPoolExecutor(max_workers=PHONE_PROCESSES + 1) as pool:
                members = pool.submit(board, url, seconds, BOARD, began)
                groups = [
                    pool.submit(
                        phone_group, url, list(range(k, phones, PHONE_PROCESSES)), phones,
                        began, spread, hall.stop,
                    )
                    for k in range(PHONE_PROCESSES)
                ]  # fmt: skip
                for thread in threads:
                    thread.start()
                while not all(group.done() for group in groups):
                    rss_peak = max(rss_peak, rss_total(server_pids(process.pid)))
                    time.sleep(2)
                hall.phones = sorted(
                    (p for group in groups for p in group.result()), key=lambda p: p.number
                )
                found = members.result(timeout=120)
            for phone in hall.phones:
                phone.follows = [t - hall.moves[r] for r, t in phone.seen if r in hall.moves]
            hall.per_move = per_move(hall, began)
            final = urllib.request.urlopen(f"{url}/sala", timeout=30)
            hall.new_etag = final.headers.get("etag", "")
            hall.new_version = page_version(final.read().decode())
        finally:
            stop_serve(process)
    return assembly_rows(hall, where, rss_peak) + board_rows(found, hall, began, where)


def per_move(hall: Assembly, began: float) -> str:
    """The slowest slide change (when, p95): one move late for every phone has one cause."""
    worst = (0.0, 0.0)
    for record, at in hall.moves.items():
        late = [t - at for phone in hall.phones for r, t in phone.seen if r == record]
        if len(late) >= 20 and p95(late) > worst[1]:
            worst = (at - began, p95(late))
    return f"cambio più lento: a {worst[0]:.0f} s, p95 {worst[1] * 1000:.0f} ms"


def wrong_versions(hall: Assembly) -> tuple[int, str]:
    """Phones that showed an older or mixed version after the publish: a page asked for after
    it that is not the new version, a state event going back to an older plan, or a phone
    ending on another page than the final one. (How many, and of which kind.)"""
    flags = [
        (
            any(a > hall.published_at and v != hall.new_version for a, v in phone.pages),
            phone.went_back,
            bool(phone.version) and phone.version != hall.new_etag,
        )
        for phone in hall.phones
    ]
    late, back, ended = (sum(kind) for kind in zip(*flags, strict=True))
    wrong = sum(any(one) for one in flags)
    return (
        wrong,
        f"pagina vecchia dopo: {late}; evento all'indietro: {back}; finiti sulla vecchia: {ended}",
    )


def assembly_rows(hall: Assembly, where: str, rss: float) -> list[Row]:
    follows = [f for p in hall.phones for f in p.follows]
    opens = [p.opened for p in hall.phones if p.opened]
    errors = sum(len(p.errors) for p in hall.phones)
    stale, how = wrong_versions(hall)
    first = statistics.mean(p.bytes_first for p in hall.phones)
    answers = sum(p.state_answers for p in hall.phones) or 1
    per_answer = sum(p.bytes_after for p in hall.phones) / answers
    return [
        Row(SECTION, f"segue il presidente p95 ({where})", p95(follows), None,
            f"<= {FOLLOW_P95:g} s", p95(follows) <= FOLLOW_P95, note=f"{len(follows)} cambi visti, mediana {statistics.median(follows or [0]) * 1000:.0f} ms, "
            f"massimo {max(follows or [0]) * 1000:.0f} ms; {hall.per_move}"),
        Row(SECTION, f"prima apertura p95 ({where})", p95(opens), None,
            f"<= {OPEN_P95:g} s", p95(opens) <= OPEN_P95),
        Row(SECTION, f"errori dei telefoni ({where})", float(errors), None, "= 0", errors == 0,
            unit="n", note="; ".join(sorted({e for p in hall.phones for e in p.errors}))[:120]),
        Row(SECTION, f"telefoni con una versione vecchia o mista dopo la pubblicazione ({where})",
            float(stale), None, "= 0", stale == 0 and bool(hall.published_at), unit="n",
            note=how if hall.published_at else "la pubblicazione non è avvenuta"),
        Row(SECTION, f"KB per telefono, prima apertura ({where})", round(first / 1000, 1), None,
            "", None, unit="KB"),
        Row(SECTION, f"byte per cambio di slide, per telefono ({where})", round(per_answer),
            None, "", None, unit="B", note="un evento del flusso /sala/eventi"),
        Row(SECTION, f"KB per telefono, la pagina di nuovo dopo la pubblicazione ({where})",
            round(statistics.mean(p.reload_bytes for p in hall.phones) / 1000, 1), None, "",
            None, unit="KB"),
        Row(SECTION, f"RSS dei server, picco ({where})", rss, None, f"<= {RSS_LIMIT:g} MB",
            rss <= RSS_LIMIT, unit="MB"),
    ]  # fmt: skip


STORES = ("cartella", "PostgreSQL")


def hall(settings: Settings, folder: Path) -> list[Row]:
    """The section of benchmarks/run.py: bytes, then the assembly with 1 and 2 processes, on
    the folder and on the PostgreSQL store."""
    phones, seconds = (30, 20.0) if settings.quick else (300, 60.0)
    rows = page_bytes(settings, folder)
    for kind in STORES:
        for processes in (1, 2):
            rows += assembly(folder, phones, seconds, processes, kind)
    return rows


def main() -> int:
    from common import table

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=300, help="0: no assembly")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--store", choices=STORES, nargs="+", default=list(STORES))
    parser.add_argument("--bytes", action="store_true", help="also measure bytes in Chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coopplan-hall-") as tmp:
        rows = page_bytes(Settings(), Path(tmp)) if args.bytes else []
        for kind in args.store if args.phones > 0 else []:
            for processes in args.processes:
                print(f"{time.strftime('%H:%M:%S')} assemblea: {processes} processi, {kind}, "
                      f"carico {os.getloadavg()}", file=sys.stderr, flush=True)  # fmt: skip
                rows += assembly(Path(tmp), args.phones, args.seconds, processes, kind)
    print(table(rows))
    return 1 if any(r.passed is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
