"""The dashboard as a user runs it: ``streamlit run app.py`` on 127.0.0.1, a free port, a private
version store; and headless Debian Chromium driven by Playwright (never ``playwright install``).

One server per test session (per pytest-xdist worker). Chromium is started per module (two sync Playwright instances
cannot be alive at once, and other browser modules start their own).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from support.browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCAL_HOSTS,
    ROOT,
    TIMEOUT_MS,
    start_streamlit,
    stop,
)


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
