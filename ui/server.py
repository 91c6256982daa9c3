"""What the dashboard's server adds beside Streamlit (app.py's ``st.App``): «Sala» and gzip.

- ``GET /sala``: the hall's phone page (coopplan.hall.sala), plain HTML, no Streamlit session; gzip
  when the phone accepts it, with an ETag (a later open answers 304 from the phone's cache).
- ``GET /sala/eventi``: the president's slide as server-sent events (one JSON event per
  change, on one stream per phone), what «Sala» uses. ``GET /sala/stato?dopo=TAG``: the same
  JSON by long polling (when ``TAG`` is the current one the answer waits up to ``HOLD`` s for
  the next change), for a browser without EventSource. One watcher per process reads the shared
  record (coopplan.hall.state) every ``TICK`` s, so a change made by any process is seen by every
  phone within about ``TICK`` s.
- ``GzipStatic``: Streamlit's own static files (``/static/…``, the JavaScript and CSS bundles,
  4.7 MB for PlotlyChart.js alone) gzip-compressed (zopfli at install, ui/precompress.py, else
  gzip -9 once per file) and kept in memory, sent to browsers that accept gzip; Streamlit's
  server sends them uncompressed by design. Behind nginx, nginx sends the zopfli files itself.

Nothing here can change the hall's slide: only the presenter's Streamlit session writes it
(app_pages/presentazione.py, with the presenter key).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import os
import re
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from coopplan.hall import sala
from coopplan.hall import state as hallstate
from coopplan.store.model import StoreError
from ui import precompress

TICK = 0.1  # seconds between two reads of the shared record, per process
VERSION_EVERY = 1.0  # seconds between two looks at the plan version in force
HOLD = 20.0  # seconds a state request waits for a change before answering the same slide
RUNNING_FOR = 4 * 3600.0  # a presentation not moved for this long is no longer running
SALA_PATH = "/sala"
STATE_PATH = "/sala/stato"
EVENTS_PATH = "/sala/eventi"
RETRY_MS = 2000  # an EventSource whose stream broke asks again after this long

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


# Answers ----------------------------------------------------------------------------------------


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


def accepts_gzip(scope: Scope) -> bool:
    return "gzip" in _header(scope, b"accept-encoding").lower()


async def respond(send: Send, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def query_params(scope: Scope) -> dict[str, list[str]]:
    return parse_qs(
        bytes(scope.get("query_string", b"")).decode("latin-1"), keep_blank_values=False
    )


ERROR_PAGE = (
    '<!doctype html><html lang="it"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Sala – piano non disponibile</title></head><body>"
    "<h1>Il piano non si può mostrare ora</h1><p>L'archivio del piano non si riesce a leggere. "
    "Riprova tra poco; se il problema resta, avvisa chi gestisce la dashboard.</p>"
    '<p><a href="/">Apri la dashboard</a></p></body></html>'
).encode()


async def sala_page(scope: Scope, send: Send) -> None:
    try:
        built = await asyncio.to_thread(sala.page, query_params(scope))
    except (OSError, StoreError):
        await respond(send, 503, ERROR_PAGE, [("Content-Type", "text/html; charset=utf-8")])
        return
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("ETag", built.etag),
        # Cached by the phone, asked again each time (a publish must be seen at the next open).
        ("Cache-Control", "no-cache"),
        ("Vary", "Accept-Encoding"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]
    if built.etag in _header(scope, b"if-none-match"):
        await respond(send, 304, b"", headers)
        return
    if accepts_gzip(scope):
        await respond(send, 200, built.gzipped, [*headers, ("Content-Encoding", "gzip")])
    else:
        await respond(send, 200, built.body, headers)


# The president's slide -----------------------------------------------------------------------


class Watcher:
    """One per process (and event loop): reads the shared record every TICK seconds and wakes
    the waiting state requests when it changes."""

    def __init__(self, hall: hallstate.HallState) -> None:
        self.hall = hall
        self.current = hallstate.NOT_RUNNING
        self.plan = ""
        self.changed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.version_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.task is None or self.task.done():
            loop = asyncio.get_running_loop()
            self.task = loop.create_task(self.run())
            self.version_task = loop.create_task(self.follow_versions())

    def wake(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    async def run(self) -> None:
        """Reads the record every TICK s: in the event loop for the folder record (a stat, and
        a small read when it changed), in a thread for PostgreSQL."""
        local = isinstance(self.hall, hallstate.FolderHall)
        while True:
            with contextlib.suppress(Exception):
                fresh = self.hall.read() if local else await asyncio.to_thread(self.hall.read)
                if fresh != self.current:
                    self.current = fresh
                    self.wake()
            await asyncio.sleep(TICK)

    async def look_at_version(self, shown: str) -> None:
        """A phone shows version ``shown`` and this watcher knows another: look now (a page
        built after a publish must not be told, for up to VERSION_EVERY s, that the plan in
        force is the older one: it would reload for nothing)."""
        if shown and shown != self.plan:
            plan = await asyncio.to_thread(_plan_version)
            if plan and plan != self.plan:
                self.plan = plan
                self.wake()

    async def follow_versions(self) -> None:
        """Looks at the version in force every VERSION_EVERY s (apart: a slow store never
        delays the slide)."""
        while True:
            with contextlib.suppress(Exception):
                plan = await asyncio.to_thread(_plan_version)
                if plan != self.plan:
                    self.plan = plan
                    self.wake()
            await asyncio.sleep(VERSION_EVERY)

    def answer(self) -> dict[str, object]:
        current = self.current
        running = current.running and time.time() - current.since < RUNNING_FOR
        return {
            "slide": current.slide if running else 1,
            "title": current.title if running else "",
            "query": current.query if running else "",
            "running": running,
            "plan": self.plan,
            "tag": f"{current.tag()}-{self.plan}",
        }


def _plan_version() -> str:
    """The first 16 hex digits of the version in force (as «Sala» pages carry it); '' when the
    store cannot say (then no page is told to reload)."""
    try:
        return sala.in_force().sha256[:16]
    except (OSError, StoreError):
        return ""


_watchers: dict[int, Watcher] = {}
_watchers_lock = threading.Lock()


def watcher() -> Watcher:
    loop = asyncio.get_running_loop()
    with _watchers_lock:
        found = _watchers.get(id(loop))
        if found is None:
            found = _watchers[id(loop)] = Watcher(hallstate.open_hall())
    found.start()
    return found


async def sala_state(scope: Scope, send: Send) -> None:
    w = watcher()
    if not w.plan and w.task is not None:  # the first request of the process: one tick
        await asyncio.sleep(TICK * 2)
    params = query_params(scope)
    await w.look_at_version(params.get("v", [""])[0])
    after = params.get("dopo", [""])[0]
    answer = w.answer()
    if after and after == answer["tag"]:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(w.changed.wait(), HOLD)
        answer = w.answer()
    body = json.dumps(answer, ensure_ascii=True, separators=(",", ":")).encode()
    await respond(
        send,
        200,
        body,
        [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
    )


def event(answer: dict[str, object]) -> bytes:
    data = json.dumps(answer, ensure_ascii=True, separators=(",", ":"))
    return f"data: {data}\n\n".encode()


async def sala_events(scope: Scope, receive: Receive, send: Send) -> None:
    """The president's slide as server-sent events: one stream per phone, one small event per
    change (no new request per change: with 300 phones on one process, the request that long
    polling makes after every change was most of the server's work). A comment every HOLD s
    keeps idle proxies from closing it; the stream ends when the phone goes."""
    w = watcher()
    if not w.plan and w.task is not None:  # the first request of the process: one tick
        await asyncio.sleep(TICK * 2)
    await w.look_at_version(query_params(scope).get("v", [""])[0])
    gone = asyncio.Event()

    async def until_gone() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        gone.set()  # seen at the next change or keep-alive (a send to a gone phone is dropped)

    listener = asyncio.get_running_loop().create_task(until_gone())
    headers = [
        (b"content-type", b"text/event-stream; charset=utf-8"),
        (b"cache-control", b"no-store"),
        (b"x-accel-buffering", b"no"),  # nginx: every event at once
    ]
    try:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        sent, body = "", f"retry: {RETRY_MS}\n".encode()
        while not gone.is_set():
            answer = w.answer()
            if answer["tag"] != sent:
                sent, body = str(answer["tag"]), body + event(answer)
            await send({"type": "http.response.body", "body": body or b":\n\n", "more_body": True})
            body = b""
            changed = w.changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), HOLD)
    except OSError:  # the phone went while an event was being sent
        pass
    finally:
        listener.cancel()


class HallEvents:
    """ASGI middleware (before Streamlit's own: no session cookie, routing or gzip for a
    stream of a few bytes) answering ``GET /sala/eventi``; everything else goes on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope.get("type") == "http"
            and scope.get("path") == EVENTS_PATH
            and scope.get("method") == "GET"
        ):
            await sala_events(scope, receive, send)
            return
        await self.app(scope, receive, send)


# Streamlit's static files, gzip-compressed once ------------------------------------------------

STATIC_FILE = re.compile(r"^/static/(?:js|css)/[A-Za-z0-9._-]+\.(?:js|css)$")
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
STATIC_MAX_AGE = 31536000  # the bundles' names carry their hash: Streamlit marks them immutable


def static_dir() -> Path:
    from streamlit import file_util

    return Path(file_util.get_static_dir())


class Compressed:
    """Gzip bytes of static files, kept in memory: the zopfli ``.gz`` made at install
    (ui/precompress.py, in ``cache``) when there is one, else gzip level 9 made once."""

    def __init__(self, root: Path, cache: Path | None = None) -> None:
        self.root = root.resolve()
        self.cache = cache
        self._done: dict[str, bytes] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, relative: str) -> bytes | None:
        done = self._done.get(relative)
        if done is not None:
            return done
        with self._guard:
            lock = self._locks.setdefault(relative, threading.Lock())
        with lock:
            done = self._done.get(relative)
            if done is not None:
                return done
            path = (self.root / relative).resolve()
            if path.parent.parent != self.root / "static" or not path.is_file():
                return None
            self._done[relative] = self._precompressed(relative) or gzip.compress(
                path.read_bytes(), compresslevel=9, mtime=0
            )
            return self._done[relative]

    def _precompressed(self, relative: str) -> bytes | None:
        packed = self.cache / f"{relative}.gz" if self.cache is not None else None
        if packed is None or not packed.is_file():
            return None
        return packed.read_bytes()


class GzipStatic:
    """ASGI middleware: Streamlit's JS and CSS bundles gzip-compressed for browsers that accept
    it; every other request goes on to Streamlit unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.files = Compressed(static_dir(), precompress.cache_dir())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope.get("type") == "http" else ""
        method = scope.get("method", "")
        if method in ("GET", "HEAD") and STATIC_FILE.match(path) and accepts_gzip(scope):
            body = await asyncio.to_thread(self.files.get, path.lstrip("/"))
            if body is not None:
                headers = [
                    ("Content-Type", _TYPES[os.path.splitext(path)[1]]),
                    ("Content-Encoding", "gzip"),
                    ("Vary", "Accept-Encoding"),
                    ("Cache-Control", f"public, immutable, max-age={STATIC_MAX_AGE}"),
                ]
                await respond(send, 200, b"" if method == "HEAD" else body, headers)
                return
        await self.app(scope, receive, send)


class Endpoint:
    """A plain ASGI endpoint for a starlette Route (no Request object on the hot path)."""

    def __init__(self, handle: Callable[[Scope, Send], Awaitable[None]]) -> None:
        self.handle = handle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.handle(scope, send)


def routes() -> list[Any]:
    """The routes app.py adds to Streamlit's server (``st.App(routes=…)``)."""
    from starlette.routing import Route

    return [
        Route(SALA_PATH, Endpoint(sala_page), methods=["GET", "HEAD"]),
        Route(STATE_PATH, Endpoint(sala_state), methods=["GET"]),
    ]


GZIP_ENV = (
    "COOPPLAN_STATIC_GZIP"  # "0": Streamlit's bundles uncompressed (the benchmark's baseline)
)


def middleware() -> list[Any]:
    from starlette.middleware import Middleware

    hall = [Middleware(HallEvents)]
    if os.environ.get(GZIP_ENV, "").strip() == "0":
        return hall
    return [*hall, Middleware(GzipStatic)]


# Start-up ---------------------------------------------------------------------------------------


def presenter_link(port: int) -> str:
    """The address that makes a browser on this machine the presenter (printed at start)."""
    key = hallstate.open_hall().key()
    return f"http://localhost:{port}/presentazione?conduce={key}"


@contextlib.asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[None]:
    from streamlit import config

    from coopplan.hall.links import serving_port
    from ui import uploads

    uploads.guard()  # before any session can upload (dashboard() installs it too: idempotent)
    port = serving_port(fallback=int(config.get_option("server.port")))
    with contextlib.suppress(Exception):
        link = await asyncio.to_thread(presenter_link, port)
        print(f"Per guidare la sala da questo portatile apri: {link}", flush=True)
    yield
