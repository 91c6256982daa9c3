"""What the browser tests and the browser benchmarks share: how Chromium starts, and waiting
for a Streamlit server to answer.

Debian's Chromium (installed by scripts/install.sh --dev), never a downloaded one; the flags keep
a headless Chromium from contacting outside services on this closed network.
"""

import subprocess
import time
import urllib.request
from pathlib import Path

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
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit did not answer on {url}/_stcore/health in time")
