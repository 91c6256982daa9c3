"""Several Streamlit processes behind a real nginx (scripts/serve.sh --processes 2), one store.

The sessions speak the browser's own websocket protocol (the client of benchmarks/bench_load.py),
through nginx. With COOPPLAN_SHOW_UPSTREAM (tests only) nginx says which process answered
(header X-Coopplan-Upstream); as installed it says nothing about its processes. A version
published from the command line must be shown by every process at its next rerun.

The hall under visitors and faults (issue 19 §2): a connection storm from one address leaves
another address served; a process killed with SIGKILL is started again while nginx sends its
viewers to the other; nginx's own errors are Italian pages; no version, no internal address, no
metrics reach outside. Clients are told apart by their loopback address (127.0.0.2, 127.0.0.3).
"""

from __future__ import annotations

import asyncio
import http.client
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.paths import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "scripts" / "nginx"))
from bench_load import (
    NEW_VERSION_DATE,
    ProtocolSession,
    new_version_bytes,
    start_serve,
    stop_serve,
    streamlit_pids,
)
from conf import (
    CONNECTIONS_PER_CLIENT,
    HEADER_TIMEOUT,
    KEEPALIVE_TIMEOUT,
    REQUEST_BURST,
    REQUESTS_PER_SECOND,
    UPLOADS_PER_CLIENT,
    UPSTREAM_CONNECTIONS,
    Setup,
    render,
)
from support.browser import free_ports

from coopplan import fmt
from coopplan.editors.access import FORWARDED_HEADER, PROXY_TOKEN_HEADER, client_address
from coopplan.workbook.schema import MAX_UPLOAD_MB

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
UPSTREAM_HEADER = "X-Coopplan-Upstream"
STORM = "127.0.0.2"  # the client that storms
VIEWER = "127.0.0.3"  # another client, who must still be served
ITALIAN_PAGE = b'<html lang="it">'


def require_nginx() -> None:
    if not os.access(NGINX, os.X_OK):
        pytest.fail("nginx non trovato: installarlo con bash scripts/install.sh --dev")


@pytest.fixture(scope="module")
def debug_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """serve.sh --processes 2 telling which process answered: (URL, store, serve.sh's log)."""
    require_nginx()
    folder = tmp_path_factory.mktemp("debug-hall")
    log = folder / "serve.log"
    process, url = start_serve(2, folder / "store", log, {"COOPPLAN_SHOW_UPSTREAM": "1"})
    try:
        yield url, folder / "store", log
    finally:
        stop_serve(process)  # serve.sh stops its processes and nginx


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """serve.sh --processes 2 as installed: (nginx's URL, serve.sh's log)."""
    require_nginx()
    folder = tmp_path_factory.mktemp("hall")
    process, url = start_serve(2, folder / "store", folder / "serve.log")
    try:
        yield url, folder / "serve.log"
    finally:
        stop_serve(process)


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def ask(
    port: int,
    path: str = "/_stcore/health",
    source: str = VIEWER,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 5,
) -> tuple[int, dict[str, str], bytes]:
    """One request from ``source``: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.source_address = (source, 0)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


async def sessions_on_each_process(url: str, stack) -> dict[str, ProtocolSession]:
    """One websocket session per nginx upstream: clients told apart by their cookie."""
    import websockets

    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    found: dict[str, ProtocolSession] = {}
    for client in (f"telefono-{n}" for n in range(40)):
        ws = await stack.enter_async_context(
            websockets.connect(
                stream,
                subprotocols=["streamlit"],
                additional_headers={"Cookie": f"coopplan_client={client}"},
                max_size=None,
            )
        )
        upstream = ws.response.headers[UPSTREAM_HEADER]
        found.setdefault(upstream, ProtocolSession(ws))
        if len(found) == 2:
            return found
    raise AssertionError(f"nginx ha mandato tutti i client a {sorted(found)}")


async def publish_seen_by_both(url: str, store: Path, tmp_path: Path) -> None:
    from contextlib import AsyncExitStack

    async with AsyncExitStack() as stack:
        sessions = await sessions_on_each_process(url, stack)
        before = {name: await s.run() for name, s in sessions.items()}
        for seen in before.values():
            assert not seen["errors"]
            assert fmt.date(NEW_VERSION_DATE) not in (seen["header"] or "")
        assert len({seen["kpi"] for seen in before.values()}) == 1

        workbook = tmp_path / "nuovo.xlsx"
        workbook.write_bytes(new_version_bytes())
        published = subprocess.run(
            [sys.executable, "-m", "coopplan", "publish", str(workbook)],
            cwd=ROOT,
            env={**os.environ, "COOPPLAN_STORE": str(store)},
            capture_output=True,
            text=True,
        )
        assert published.returncode == 0, published.stdout + published.stderr

        after = {}
        for name, session in sessions.items():
            after[name] = await session.run(session.pages["/"])
        old_kpi = next(iter(before.values()))["kpi"]
        for name, seen in after.items():
            assert not seen["errors"], (name, seen["errors"])
            assert fmt.date(NEW_VERSION_DATE) in seen["header"], (name, seen["header"])
            assert seen["kpi"] != old_kpi, (name, seen["kpi"])
        assert len({seen["kpi"] for seen in after.values()}) == 1  # both show the same total


def test_publish_through_the_cli_is_seen_by_both_processes(
    debug_hall: tuple[str, Path, Path], tmp_path: Path
) -> None:
    url, store, _ = debug_hall
    asyncio.run(asyncio.wait_for(publish_seen_by_both(url, store, tmp_path), 120))


def test_a_new_browser_gets_a_sticky_cookie(debug_hall: tuple[str, Path, Path]) -> None:
    port = port_of(debug_hall[0])
    _, first, _ = ask(port)
    cookie = first["Set-Cookie"].split(";")[0]
    assert cookie.startswith("coopplan_client=")
    answers = set()
    for _ in range(6):
        status, headers, _ = ask(port, headers={"Cookie": cookie})
        assert status == 200
        answers.add(headers[UPSTREAM_HEADER])
        assert "coopplan_client" not in headers.get("Set-Cookie", "")
    assert len(answers) == 1  # the same process every time


def test_the_installation_guide_states_the_limits_nginx_applies() -> None:
    guide = (ROOT / "docs" / "installazione.md").read_text()
    section = guide[guide.index("### Che cosa regge il server") :]
    rows = {
        "Richieste in corso e websocket aperti da un solo indirizzo": f"{CONNECTIONS_PER_CLIENT}",
        "Richieste da un solo indirizzo": f"{REQUESTS_PER_SECOND} al secondo, dopo una raffica "
        f"di {fmt.number(REQUEST_BURST)}",
        "Caricamenti contemporanei da un solo indirizzo": f"{UPLOADS_PER_CLIENT}",
        "Tempo per inviare l'intestazione di una richiesta": f"{HEADER_TIMEOUT} secondi",
        "Connessione inattiva tra due richieste": f"{KEEPALIVE_TIMEOUT} secondi",
        "File caricato": f"{MAX_UPLOAD_MB} MB",
        "Connessioni verso un processo Streamlit": f"{UPSTREAM_CONNECTIONS}",
    }
    for what, limit in rows.items():
        assert f"| {what} | {limit}" in section, what


# --- what reaches outside -------------------------------------------------------------------


def test_nginx_shows_no_version_no_process_and_no_metrics(hall: tuple[str, Path]) -> None:
    port = port_of(hall[0])
    status, headers, body = ask(port)
    assert (status, body) == (200, b"ok")
    assert headers["Server"] == "nginx"  # no «nginx/1.22.1»
    assert UPSTREAM_HEADER not in headers
    assert "127.0.0.1:" not in str(headers)
    for path in ("/_stcore/metrics", "/_stcore/metrics?format=text", "/_stcore//metrics"):
        status, _, body = ask(port, path)
        assert status == 404, path
        assert ITALIAN_PAGE in body and "Pagina non trovata" in body.decode()
        assert b"streamlit" not in body.lower()


def test_an_oversize_upload_gets_the_italian_page_and_the_limits_agree(
    hall: tuple[str, Path],
) -> None:
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB
    port = port_of(hall[0])
    status, headers, body = ask(
        port, "/_stcore/upload_file/sessione/file", method="PUT", body=b"x" * 15_000_000
    )
    assert status == 413
    assert headers["Content-Type"].startswith("text/html")
    text = body.decode()
    assert ITALIAN_PAGE in body and "File troppo grande" in text
    assert f"limite di {MAX_UPLOAD_MB} MB" in text
    # A body Streamlit would still take (the file limit plus its multipart margin) passes
    # nginx: Streamlit answers it (here: no XSRF cookie), in Italian too.
    status, _, body = ask(
        port,
        "/_stcore/upload_file/sessione/file",
        method="PUT",
        body=b"x" * (MAX_UPLOAD_MB * 1024 * 1024 + 512 * 1024),
    )
    assert status == 403
    assert ITALIAN_PAGE in body and "Richiesta rifiutata" in body.decode()


@pytest.fixture
def nginx_in_front(tmp_path: Path) -> Iterator[Callable[..., int]]:
    """Starts serve.sh's nginx configuration in front of given ports (what listens there is up
    to the test); stops it after."""
    require_nginx()
    started: list[subprocess.Popen] = []

    def start(
        ports: tuple[int, ...], token: str = "segreto-del-proxy", static: Path | None = None
    ) -> int:
        port = free_ports(1)
        (tmp_path / "temp").mkdir(exist_ok=True)
        setup = Setup(
            folder=tmp_path,
            listen=f"127.0.0.1:{port}",
            ports=ports,
            upload_mb=MAX_UPLOAD_MB,
            token=token,
            as_root=os.geteuid() == 0,
            nofile=resource.getrlimit(resource.RLIMIT_NOFILE)[1],
            static=static,
        )
        (tmp_path / "nginx.conf").write_text(render(setup))
        process = subprocess.Popen(
            [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
            stderr=subprocess.PIPE,
        )
        started.append(process)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return port
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            time.sleep(0.1)
        raise AssertionError("nginx non è partito")

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def test_with_every_process_down_nginx_answers_an_italian_page(nginx_in_front) -> None:
    down = free_ports(2)  # nothing listens there
    port = nginx_in_front((down, down + 1))
    started = time.monotonic()
    status, headers, body = ask(port, "/")
    assert status == 502
    assert time.monotonic() - started < 10
    assert headers["Content-Type"].startswith("text/html")
    assert ITALIAN_PAGE in body and "La dashboard non risponde" in body.decode()
    assert b"Bad Gateway" not in body and b"nginx" not in body


def test_nginx_sends_the_precompressed_bundles_itself(nginx_in_front, tmp_path: Path) -> None:
    """Streamlit's JavaScript as ui/precompress.py leaves it: nginx sends the zopfli file to a
    browser that accepts gzip and the plain one to the others, with every process down (no
    request for a bundle reaches Streamlit); a bundle not precompressed goes to Streamlit."""
    import gzip

    from ui import precompress

    build = tmp_path / "build"
    (build / "static" / "js").mkdir(parents=True)
    code = b"export const piano = 'Coop Re-Start';\n" * 400
    (build / "static" / "js" / "index.abc123.js").write_bytes(code)
    cache = tmp_path / "cache"
    assert precompress.precompress(build, cache, jobs=1) == 1
    down = free_ports(1)
    port = nginx_in_front((down,), static=cache)
    path = "/static/js/index.abc123.js"
    status, headers, body = ask(port, path, headers={"Accept-Encoding": "gzip, deflate"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"].startswith("text/javascript")
    assert "immutable" in headers["Cache-Control"]
    assert gzip.decompress(body) == code
    assert len(body) < len(code) / 10
    status, headers, body = ask(port, path)
    assert status == 200 and body == code and "Content-Encoding" not in headers
    status, _, body = ask(port, "/static/js/altro.def456.js")
    assert status == 502 and ITALIAN_PAGE in body  # asked of Streamlit (down here)


def test_only_nginx_s_forwarded_address_is_believed(nginx_in_front) -> None:
    """nginx replaces a client's X-Forwarded-For and proxy token with its own; the processes
    believe the forwarded address only with the token."""
    seen: list[dict[str, str]] = []

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(dict(self.headers))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    try:
        port = nginx_in_front((upstream.server_address[1],), token="segreto-del-proxy")
        forged = {FORWARDED_HEADER: "203.0.113.9", PROXY_TOKEN_HEADER: "indovinato"}
        status, _, _ = ask(port, "/", source=STORM, headers=forged)
    finally:
        upstream.shutdown()
    assert status == 200
    headers = seen[-1]
    assert headers[FORWARDED_HEADER] == STORM
    assert headers[PROXY_TOKEN_HEADER] == "segreto-del-proxy"
    env = {"COOPPLAN_PROXY_TOKEN": "segreto-del-proxy"}
    assert client_address("127.0.0.1", headers, env) == STORM
    # Straight to a process (anyone on the server can): a forged address is not believed.
    assert client_address("127.0.0.1", forged, env) == "127.0.0.1"
    assert client_address("127.0.0.1", headers, {}) == "127.0.0.1"  # no token configured


# --- a storm of connections -----------------------------------------------------------------

WEBSOCKET_UPGRADE = (
    b"GET /_stcore/stream HTTP/1.1\r\nHost: sala\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    b"Sec-WebSocket-Protocol: streamlit\r\n\r\n"
)


def open_connections(port: int, count: int, send: bytes = b"") -> list[socket.socket]:
    opened = []
    for _ in range(count):
        connection = socket.socket()
        connection.bind((STORM, 0))
        connection.connect(("127.0.0.1", port))
        if send:
            connection.sendall(send)
        opened.append(connection)
    return opened


def answer_of(connection: socket.socket) -> bytes:
    """What nginx answered on ``connection`` (up to the end of an HTML page), or b""."""
    connection.settimeout(5)
    data = b""
    try:
        while b"\r\n\r\n" not in data or (b"<html" in data and b"</html>" not in data):
            piece = connection.recv(65536)
            if not piece:
                break
            data += piece
            if data.startswith(b"HTTP/1.1 101"):
                break
    except OSError:
        pass
    return data


def closed_by_server(connection: socket.socket) -> bool:
    connection.setblocking(False)
    try:
        return connection.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_a_connection_storm_from_one_address_leaves_the_others_served(
    hall: tuple[str, Path],
) -> None:
    url, log = hall
    port = port_of(url)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert hard >= 2000, "il test apre 1.500 connessioni: serve un limite di file più alto"
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    log_before = log.stat().st_size
    idle: list[socket.socket] = []
    upgrades: list[socket.socket] = []
    try:
        idle = open_connections(port, 1200)  # connected, never a byte sent
        upgrades = open_connections(port, 300, WEBSOCKET_UPGRADE)  # websockets held open
        answers = [answer_of(c) for c in upgrades]
        opened = [a for a in answers if a.startswith(b"HTTP/1.1 101")]
        refused = [a for a in answers if a.startswith(b"HTTP/1.1 429")]
        assert len(opened) <= CONNECTIONS_PER_CLIENT
        assert len(opened) + len(refused) == len(upgrades)
        assert ITALIAN_PAGE in refused[0] and "Troppe richieste" in refused[0].decode()

        started, health = time.monotonic(), []
        while time.monotonic() - started < HEADER_TIMEOUT + 3:
            status, _, body = ask(port, source=VIEWER, timeout=3)
            health.append((status, body))
            time.sleep(0.5)
        assert health and all(h == (200, b"ok") for h in health), health
        # The idle connections were closed by the server after the header timeout.
        assert sum(closed_by_server(c) for c in idle) == len(idle)
    finally:
        for connection in idle + upgrades:
            connection.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert log.stat().st_size - log_before < 64 * 1024  # refusals are not logged one by one


# --- a process dies --------------------------------------------------------------------------


def pid_on_port(root: int, port: int) -> int:
    for pid in streamlit_pids(root):
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if str(port).encode() in command:
            return pid
    raise AssertionError(f"nessun processo Streamlit sulla porta {port}")


def serve_root(url: str) -> int:
    """serve.sh's process id: the parent of nginx listening on ``url``'s port."""
    found = subprocess.run(
        ["pgrep", "-f", "scripts/serve.sh --processes"], capture_output=True, text=True
    ).stdout.split()
    for candidate in map(int, found):
        environ = Path(f"/proc/{candidate}/environ").read_bytes().split(b"\0")
        if f"PORT={port_of(url)}".encode() in environ:
            return candidate
    raise AssertionError("serve.sh non trovato")


def test_a_killed_process_is_restarted_and_its_viewers_see_no_error(
    debug_hall: tuple[str, Path, Path],
) -> None:
    url, _, log = debug_hall
    port = port_of(url)
    root = serve_root(url)
    victim_port, other_port = port + 1, port + 2
    victim, other = pid_on_port(root, victim_port), pid_on_port(root, other_port)
    failures: list[str] = []
    served: list[tuple[float, str]] = []  # when, by which process
    stop = threading.Event()

    def viewers() -> None:  # 16 browsers, each on its process, asking again and again
        n = 0
        while not stop.is_set():
            cookie = {"Cookie": f"coopplan_client=telefono-{n % 16}"}
            path = "/_stcore/health" if n % 2 else "/"
            try:
                status, headers, _ = ask(port, path, headers=cookie)
                served.append((time.monotonic(), headers.get(UPSTREAM_HEADER, "")))
                if status != 200:
                    failures.append(f"{path}: {status}")
            except (OSError, http.client.HTTPException) as error:
                failures.append(f"{path}: {error!r}")
            n += 1
            time.sleep(0.02)

    load = threading.Thread(target=viewers)
    load.start()
    try:
        time.sleep(2)
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        back = None
        while time.monotonic() - killed_at < 30 and back is None:
            try:
                if ask(victim_port, source="127.0.0.1", timeout=1)[:1] == (200,):
                    back = time.monotonic() - killed_at
            except (OSError, http.client.HTTPException):
                time.sleep(0.2)
        time.sleep(3)  # nginx sends the killed one's viewers back to it
    finally:
        stop.set()
        load.join()
    assert not failures, failures[:5]
    assert back is not None and back < 20, "il processo ucciso non è ripartito"
    assert pid_on_port(root, other_port) == other  # the other process never stopped
    assert pid_on_port(root, victim_port) != victim  # a new process on the same port
    again = [by for when, by in served if when > killed_at + back]
    assert f"127.0.0.1:{victim_port}" in again  # it serves its viewers again through nginx
    assert "si è fermato" in log.read_text()
    print(f"ucciso: ripartito in {back:.1f} s; {len(served)} richieste, 0 errori")


def test_serve_explains_itself_in_italian() -> None:
    """`serve.sh --help` printed «Opzione sconosciuta: --help» and exited 2; its help lived only
    in English comments inside the script."""
    shown = subprocess.run(
        ["bash", "scripts/serve.sh", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert shown.returncode == 0 and shown.stderr == ""
    for word in ("--processes N", "PORT", "COOPPLAN_STORE", "COOPPLAN_PUBLIC_URL", "Ctrl+C"):
        assert word in shown.stdout
    wrong = subprocess.run(
        ["bash", "scripts/serve.sh", "--sbagliata"], cwd=ROOT, capture_output=True, text=True
    )
    assert wrong.returncode == 2 and "Opzione sconosciuta: --sbagliata" in wrong.stderr


def test_a_hall_served_on_loopback_says_phones_cannot_reach_it(hall: tuple[str, Path]) -> None:
    """serve.sh with COOPPLAN_ADDRESS=127.0.0.1 printed «Dashboard per la sala: http://<the
    laptop's Wi-Fi address>…», an address nothing listened on."""
    said = hall[1].read_text(errors="replace")
    port = port_of(hall[0])
    assert (
        f"Dashboard solo per questo computer (2 processi dietro nginx): http://localhost:{port}/"
        in said
    )
    assert "i telefoni non la raggiungono" in said
    assert "Dashboard per la sala" not in said
