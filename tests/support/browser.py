"""What the browser tests and the browser benchmarks share: how Chromium starts, and waiting
for a Streamlit server to answer on a free port.

Debian's Chromium (installed by scripts/install.sh --dev), never a downloaded one; the flags keep
a headless Chromium from contacting outside services on this closed network.
"""

import http.client
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from coopplan.store.folder import Store
from support.paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Below Linux's ephemeral range (net.ipv4.ip_local_port_range, 32768-60999 by default). A port
# taken from that range can be handed to the health probe's own client socket, and a probe that
# connects to a port with no listener yet then talks to itself (TCP self-connect): the "server"
# answers with the probe's own request line.
PORT_RANGE = (20_000, 32_000)


def free_ports(count: int = 1) -> int:
    """A port p such that p .. p+count-1 are free on 127.0.0.1 now, outside the ephemeral range.

    Raises RuntimeError after 200 tries.
    """
    for _ in range(200):
        base = random.randrange(PORT_RANGE[0], PORT_RANGE[1] - count)
        sockets: list[socket.socket] = []
        try:
            for port in range(base, base + count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("nessuna serie di porte libere")


def wait_healthy(
    url: str, process: subprocess.Popen, seconds: float = 60, log: Path | None = None
) -> None:
    """Return once Streamlit answers on /_stcore/health; fail if it exits or stays silent."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text()[-2000:] if log else ""
            raise RuntimeError(f"streamlit exited with code {process.returncode}\n{tail}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except (OSError, http.client.HTTPException):  # not listening yet, or a torn reply
            time.sleep(0.2)
    raise RuntimeError(f"streamlit did not answer on {url}/_stcore/health in time")


QUIET_JS = """async ([ms, most]) => {
  const settled = (async () => {
    await document.fonts.ready;
    const finite = document.getAnimations()
      .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
    await Promise.all(finite.map((a) => a.finished.catch(() => null)));
    await new Promise((done) => {
      let timer;
      const end = () => { observer.disconnect(); done(); };
      const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(end, ms); });
      observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                       characterData: true});
      timer = setTimeout(end, ms);
    });
  })();
  // page.evaluate has no timeout of its own: a DOM that never stays still for ms must not
  // hang the suite; after ``most`` ms the caller goes on and its own waits decide.
  await Promise.race([settled, new Promise((done) => setTimeout(done, most))]);
}"""


QUIET_MOST_MS = 20_000  # a DOM that never settles: go on after this (never hang the suite)


def wait_quiet(page, ms: int = 500) -> None:
    """Wait for a state, not a time: fonts loaded, finite CSS transitions and animations over
    (a sidebar sliding in), then the page's DOM unchanged for ``ms`` ms (a rerun starting, a
    lazily loaded Markdown plugin or a late layout pass all change it); at most QUIET_MOST_MS."""
    page.evaluate(QUIET_JS, [ms, QUIET_MOST_MS])


ARTIFACTS = ROOT / "artifacts" / "browser"


LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


TIMEOUT_MS = 45_000


# The address the «Sala» QR codes carry: loopback, so the reachability check passes and the QR
# (not the "address not reachable" warning) is shown, whatever network the machine is on.
LAN_ADDRESS = "127.0.0.1"


def start_streamlit(
    script: Path, env: dict[str, str], log: Path, secrets: Path | None = None
) -> tuple[str, subprocess.Popen]:
    """``streamlit run`` as the README says, on 127.0.0.1 and a free port; the QR codes point to
    ``LAN_ADDRESS`` unless ``env`` names another address; ``secrets``: a secrets.toml read
    instead of the project's and the user's."""
    env = {**env, "COOPPLAN_LAN_ADDRESS": env.get("COOPPLAN_LAN_ADDRESS", LAN_ADDRESS)}
    port = free_ports()
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port), "--server.address", "127.0.0.1",
    ]  # fmt: skip
    if secrets is not None:
        command += ["--secrets.files", str(secrets)]
    handle = log.open("wb")
    process = subprocess.Popen(
        command, cwd=script.parent, env=env, stdout=handle, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, log=log)
    except RuntimeError:
        process.kill()
        raise
    return url, process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@contextmanager
def own_dashboard(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    *,
    secret: str | None = None,
    fill: Callable[[Store], object] | None = None,
    secrets: Path | None = None,
    env_extra: dict[str, str] | None = None,
    log: Path | None = None,
) -> Iterator[tuple[str, Store]]:
    """The dashboard on a free port with its own store ``name`` (the session-wide server's store
    must stay unpublished): filled by ``fill`` first, with an editor ``secret`` if given, the
    secrets.toml ``secrets`` and the variables ``env_extra``; its output goes to ``log``. Yields
    (URL, store); the server is stopped after."""
    store_dir = tmp_path_factory.mktemp(name)
    if fill is not None:
        fill(Store(store_dir))
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOPPLAN_")}
    env["COOPPLAN_STORE"] = str(store_dir)
    if secret is not None:
        env["COOPPLAN_EDITOR_SECRET"] = secret
    env.update(env_extra or {})
    log = log or tmp_path_factory.mktemp("log") / "st.log"
    url, process = start_streamlit(ROOT / "app.py", env, log, secrets=secrets)
    try:
        yield url, Store(store_dir)
    finally:
        stop(process)
