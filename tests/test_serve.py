"""Several Streamlit processes behind a real nginx (scripts/serve.sh --processes 2), one store.

The sessions speak the browser's own websocket protocol (the client of benchmarks/bench_load.py),
through nginx; nginx says which process answered (header X-Coopplan-Upstream). A version
published from the command line must be shown by every process at its next rerun.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_load import (  # noqa: E402
    NEW_VERSION_DATE,
    ProtocolSession,
    new_version_bytes,
    start_serve,
    stop_serve,
)

from coopplan import fmt  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
UPSTREAM_HEADER = "X-Coopplan-Upstream"


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """scripts/serve.sh --processes 2 on loopback: (nginx's URL, the store), stopped after."""
    if not os.access(NGINX, os.X_OK):
        pytest.fail("nginx non trovato: installarlo con bash scripts/install.sh --dev")
    process, url = start_serve(2, tmp_path / "store", tmp_path / "serve.log")
    try:
        yield url, tmp_path / "store"
    finally:
        stop_serve(process)  # serve.sh stops its processes and nginx


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
            [sys.executable, "-m", "coopplan", "publish", str(workbook), "--editor", "Test"],
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
    two_processes: tuple[str, Path], tmp_path: Path
) -> None:
    url, store = two_processes
    asyncio.run(asyncio.wait_for(publish_seen_by_both(url, store, tmp_path), 120))


def test_a_new_browser_gets_a_sticky_cookie(two_processes: tuple[str, Path]) -> None:
    import urllib.request

    url, _ = two_processes
    with urllib.request.urlopen(f"{url}/_stcore/health") as first:
        cookies = [c for c in first.headers.get_all("Set-Cookie") if c.startswith("coopplan_")]
    assert len(cookies) == 1
    cookie = cookies[0].split(";")[0]
    answers = set()
    for _ in range(6):
        request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": cookie})
        with urllib.request.urlopen(request) as response:
            answers.add(response.headers[UPSTREAM_HEADER])
            assert not [c for c in response.headers.get_all("Set-Cookie") or [] if "coopplan_" in c]
    assert len(answers) == 1  # the same process every time
