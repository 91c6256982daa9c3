"""The assembly hall at its real size (issue 22): bytes a phone downloads, and phones following
the president through scripts/serve.sh.

- ``page_bytes``: a phone's first open (390x844, a fresh Chromium context, empty cache), bytes on
  the wire as Chromium's network accounting counts them (``encodedDataLength`` of every answer,
  headers included, plus websocket frames): «Sala», and the Streamlit «Panoramica» with gzip
  of Streamlit's bundles (ui/server.py) against the same server without it (the baseline).
- ``assembly``: N phones (asyncio + httpx, each from its own 127.0.0.x address) open «Sala»
  spread over the ramp and follow the president, who changes slide every 5 s (the presenter's
  write of the shared record, coopplan.hall.state); the secretary publishes once half-way.
  Follow latency = the record's time -> the phone's answer; first open; bytes per phone; errors;
  phones that still show the older version after the publish; server RSS (Streamlit + nginx).

    python benchmarks/bench_hall.py --phones 300 --seconds 60 --processes 2
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ssl
import statistics
import sys
import tempfile
import threading
import time
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


def page_bytes(settings: Settings, folder: Path) -> list[Row]:
    from bench_browser import chromium, streamlit_server
    from common import dashboard_env

    store = seeded_store(folder / "bytes-store")
    kpi = '[class*="st-key-cp-kpi-card-"]'
    found: dict[str, int] = {}
    with chromium() as browser:
        for gzip_on in (False, True):
            env = {**dashboard_env(store), "COOPPLAN_STATIC_GZIP": "1" if gzip_on else "0"}
            with streamlit_server(ROOT / "app.py", folder, env) as server:
                found[f"pages-{gzip_on}"] = first_open_bytes(browser, server.url + "/", kpi)
                if gzip_on:
                    found["sala"] = first_open_bytes(browser, server.url + "/sala", ".slide.on")
                    found["matrice"] = first_open_bytes(browser, server.url + "/matrice", "h1")
    kb = {name: round(value / 1000, 1) for name, value in found.items()}
    before, after = kb["pages-False"], kb["pages-True"]
    return [
        Row(SECTION, "«Sala»: prima apertura sul telefono", kb["sala"], None,
            f"<= {SALA_LIMIT:g} KB", kb["sala"] <= SALA_LIMIT, unit="KB"),
        Row(SECTION, "«Panoramica»: prima apertura, bundle in gzip", after, before,
            f"<= {PAGES_LIMIT:g} KB", after <= PAGES_LIMIT, unit="KB",
            note="riferimento: lo stesso server senza gzip (COOPPLAN_STATIC_GZIP=0)"),
        Row(SECTION, "«Matrice»: prima apertura, bundle in gzip", kb["matrice"], None,
            "", None, unit="KB"),
    ]  # fmt: skip


# The assembly ----------------------------------------------------------------------------------


@dataclass
class Phone:
    number: int
    opened: float = 0.0  # seconds of the first open
    bytes_first: int = 0
    bytes_after: int = 0
    state_answers: int = 0
    follows: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    version: str = ""  # the ETag of the page it shows
    reloaded_at: float = 0.0


@dataclass
class Assembly:
    moves: dict[str, float] = field(default_factory=dict)  # record tag -> when it was written
    published_at: float = 0.0
    new_etag: str = ""
    phones: list[Phone] = field(default_factory=list)
    stop: float = 0.0


SSL = ssl.create_default_context()  # one for every phone: httpx builds one per client otherwise
# (loading the CA bundle, ~20 ms of the load generator's loop each), though only http is used


async def phone_life(phone: Phone, url: str, hall: Assembly, start_at: float) -> None:
    import httpx

    await asyncio.sleep(max(0.0, start_at - time.time()))
    address = f"127.0.0.{2 + phone.number % 250}"
    transport = httpx.AsyncHTTPTransport(local_address=address, verify=SSL)
    headers = {"Accept-Encoding": "gzip, deflate"}
    async with httpx.AsyncClient(transport=transport, headers=headers, timeout=40.0) as client:
        try:
            began = time.perf_counter()
            page = await client.get(f"{url}/sala")
            phone.opened = time.perf_counter() - began
            phone.bytes_first = page.num_bytes_downloaded
            phone.version = page.headers.get("etag", "")
            if page.status_code != 200:
                phone.errors.append(f"sala {page.status_code}")
                return
            version = page_version(page.text)
            tag = ""
            while time.time() < hall.stop:
                answer = await client.get(f"{url}/sala/stato", params={"dopo": tag})
                phone.bytes_after += answer.num_bytes_downloaded
                phone.state_answers += 1
                if answer.status_code != 200:
                    phone.errors.append(f"stato {answer.status_code}")
                    await asyncio.sleep(0.5)
                    continue
                state = answer.json()
                received = time.time()
                record = state["tag"].rsplit("-", 1)[0]
                if tag and state["tag"] != tag and record in hall.moves:
                    phone.follows.append(received - hall.moves[record])
                tag = state["tag"]
                if state["plan"] and state["plan"] != version:  # a publish: the page again
                    page = await client.get(f"{url}/sala")
                    phone.bytes_after += page.num_bytes_downloaded
                    phone.version = page.headers.get("etag", "")
                    phone.reloaded_at = time.time()
                    version = page_version(page.text)
        except httpx.HTTPError as error:
            phone.errors.append(repr(error))


def page_version(text: str) -> str:
    marker = '"version": "'
    at = text.find(marker)
    return text[at + len(marker) : text.find('"', at + len(marker))] if at >= 0 else ""


def president(store: Path, hall: Assembly, seconds: float, slides: int) -> None:
    """Moves the hall every SLIDE_EVERY seconds (as the presenter's session does)."""
    state = hallstate.open_hall(str(store))
    key = state.key()
    number = 1
    while time.time() + SLIDE_EVERY < hall.stop:
        time.sleep(SLIDE_EVERY)
        number = number % slides + 1
        current = hallstate.Current(number, "", "", "", time.time())
        hall.moves[current.tag()] = current.since
        hallstate.move(state, key, current)


def secretary(store: Path, hall: Assembly, at: float) -> None:
    from coopplan.store.folder import Store

    time.sleep(max(0.0, at - time.time()))
    import openpyxl
    from common import SHIPPED

    book = openpyxl.load_workbook(SHIPPED)
    book["Piano"]["B2"].value = "Coop Re-Start – Il piano di lavoro 2023 (aggiornato)"
    path = store.parent / "published.xlsx"
    book.save(path)
    hall.published_at = time.time()
    Store(store).publish(path.read_bytes(), editor="Segreteria", note="Durante l'assemblea")


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


def assembly(folder: Path, phones: int, seconds: float, processes: int) -> list[Row]:
    from bench_load import start_serve, stop_serve

    store = seeded_store(folder / f"hall-store-{processes}")
    process, url = start_serve(processes, store, folder / f"serve-hall-{processes}.log")
    hall = Assembly()
    rss_peak = 0.0
    try:
        import urllib.request

        urllib.request.urlopen(f"{url}/sala", timeout=60).read()  # the page built once
        began = time.time()
        hall.stop = began + seconds + 6
        spread = min(seconds, 60.0)
        hall.phones = [Phone(i) for i in range(phones)]
        threads = [
            threading.Thread(target=president, args=(store, hall, seconds, 20), daemon=True),
            threading.Thread(
                target=secretary, args=(store, hall, began + seconds / 2), daemon=True
            ),
        ]
        for thread in threads:
            thread.start()

        async def everyone() -> None:
            tasks = [
                asyncio.create_task(phone_life(p, url, hall, began + spread * p.number / phones))
                for p in hall.phones
            ]
            while not all(t.done() for t in tasks):
                nonlocal rss_peak
                rss_peak = max(rss_peak, rss_total(server_pids(process.pid)))
                await asyncio.sleep(2)

        asyncio.run(everyone())
        final = urllib.request.urlopen(f"{url}/sala", timeout=30)
        hall.new_etag = final.headers.get("etag", "")
    finally:
        stop_serve(process)
    return assembly_rows(hall, phones, processes, rss_peak)


def assembly_rows(hall: Assembly, phones: int, processes: int, rss: float) -> list[Row]:
    follows = [f for p in hall.phones for f in p.follows]
    opens = [p.opened for p in hall.phones if p.opened]
    errors = sum(len(p.errors) for p in hall.phones)
    stale = sum(1 for p in hall.phones if p.version and p.version != hall.new_etag)
    first = statistics.mean(p.bytes_first for p in hall.phones)
    answers = sum(p.state_answers for p in hall.phones) or 1
    per_answer = sum(p.bytes_after for p in hall.phones) / answers
    where = f"{phones} telefoni, {processes} process{'o' if processes == 1 else 'i'}"
    return [
        Row(SECTION, f"segue il presidente p95 ({where})", p95(follows), None,
            f"<= {FOLLOW_P95:g} s", p95(follows) <= FOLLOW_P95, note=f"{len(follows)} cambi visti, mediana {statistics.median(follows or [0]) * 1000:.0f} ms, "
            f"massimo {max(follows or [0]) * 1000:.0f} ms"),
        Row(SECTION, f"prima apertura p95 ({where})", p95(opens), None,
            f"<= {OPEN_P95:g} s", p95(opens) <= OPEN_P95),
        Row(SECTION, f"errori ({where})", float(errors), None, "= 0", errors == 0, unit="n",
            note="; ".join(sorted({e for p in hall.phones for e in p.errors}))[:120]),
        Row(SECTION, f"telefoni con la versione vecchia dopo la pubblicazione ({where})",
            float(stale), None, "= 0", stale == 0, unit="n"),
        Row(SECTION, f"KB per telefono, prima apertura ({where})", round(first / 1000, 1), None,
            "", None, unit="KB"),
        Row(SECTION, f"byte per risposta di stato ({where})", round(per_answer), None, "", None,
            unit="B"),
        Row(SECTION, f"RSS dei server, picco ({where})", rss, None, f"<= {RSS_LIMIT:g} MB",
            rss <= RSS_LIMIT, unit="MB"),
    ]  # fmt: skip


def hall(settings: Settings, folder: Path) -> list[Row]:
    """The section of benchmarks/run.py: bytes, then the assembly with 1 and 2 processes."""
    phones, seconds = (30, 20.0) if settings.quick else (300, 60.0)
    rows = page_bytes(settings, folder)
    for processes in (1, 2):
        rows += assembly(folder, phones, seconds, processes)
    return rows


def main() -> int:
    from common import table

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--bytes", action="store_true", help="also measure bytes in Chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coopplan-hall-") as tmp:
        rows = page_bytes(Settings(), Path(tmp)) if args.bytes else []
        rows += assembly(Path(tmp), args.phones, args.seconds, args.processes)
    print(table(rows))
    return 1 if any(r.passed is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
