"""The dashboard as a user runs it: ``streamlit run app.py`` on 127.0.0.1, a free port, a private
version store; and headless Debian Chromium driven by Playwright (never ``playwright install``).

One server per test session (per pytest-xdist worker). Chromium is started per module (two sync Playwright instances
cannot be alive at once, and other browser modules start their own).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from browser.harness import CHROMIUM, CHROMIUM_ARGS, free_ports, wait_healthy
from coopplan.store.folder import Store

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
TIMEOUT_MS = 45_000


# The address the «Sala» QR codes carry: loopback, so the reachability check passes and the QR
# (not the "address not reachable" warning) is shown, whatever network the machine is on.
LAN_ADDRESS = "127.0.0.1"


def start_streamlit(script: Path, env: dict[str, str], log: Path) -> tuple[str, subprocess.Popen]:
    """``streamlit run`` as the README says, on 127.0.0.1 and a free port; the QR codes point to
    ``LAN_ADDRESS`` unless ``env`` names another address."""
    env = {**env, "COOPPLAN_LAN_ADDRESS": env.get("COOPPLAN_LAN_ADDRESS", LAN_ADDRESS)}
    port = free_ports()
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port), "--server.address", "127.0.0.1",
    ]  # fmt: skip
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
) -> Iterator[tuple[str, Store]]:
    """The dashboard on a free port with its own store ``name`` (the session-wide server's store
    must stay unpublished): filled by ``fill`` first, with an editor ``secret`` if given.
    Yields (URL, store); the server is stopped after."""
    store_dir = tmp_path_factory.mktemp(name)
    if fill is not None:
        fill(Store(store_dir))
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOPPLAN_")}
    env["COOPPLAN_STORE"] = str(store_dir)
    if secret is not None:
        env["COOPPLAN_EDITOR_SECRET"] = secret
    url, process = start_streamlit(ROOT / "app.py", env, tmp_path_factory.mktemp("log") / "st.log")
    try:
        yield url, Store(store_dir)
    finally:
        stop(process)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Screenshots and logs of the browser tests (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def dashboard_url(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> Iterator[str]:
    """The dashboard on the shipped plan, with an empty private store (it seeds itself)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOPPLAN_")}
    env["COOPPLAN_STORE"] = str(tmp_path_factory.mktemp("browser_store"))
    # One server per pytest-xdist worker (gw0, gw1…): each writes its own log.
    log = artifacts / f"streamlit{os.environ.get('PYTEST_XDIST_WORKER', '')}.log"
    url, process = start_streamlit(ROOT / "app.py", env, log)
    yield url
    stop(process)


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} non trovato: installarlo con bash scripts/install.sh --dev"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Visitor:
    """A fresh browser context (no cache, no cookies) that records every request it makes."""

    context: object
    page: object
    requests: list[str] = field(default_factory=list)

    @property
    def outside(self) -> list[str]:
        """Requests that left the machine (anything but 127.0.0.1 / localhost, data:, blob:)."""
        out = []
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme in ("data", "blob", "about"):
                continue
            if parsed.hostname not in {h.strip("[]") for h in LOCAL_HOSTS}:
                out.append(url)
        return out


@pytest.fixture(scope="module")
def visitor(chromium) -> Callable[..., Visitor]:
    """visitor(width, height) -> a new recording context and page; closed at module end."""
    opened: list[Visitor] = []

    def make(width: int = 1280, height: int = 720) -> Visitor:
        context = chromium.new_context(
            viewport={"width": width, "height": height}, locale="it-IT", timezone_id="Europe/Rome"
        )
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        made = Visitor(context, page)
        context.on("request", lambda request: made.requests.append(request.url))
        opened.append(made)
        return made

    yield make
    for made in opened:
        made.context.close()
