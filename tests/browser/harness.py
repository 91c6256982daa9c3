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


QUIET_JS = """(ms) => new Promise((done) => {
  let timer;
  const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(end, ms); });
  const end = () => { observer.disconnect(); done(); };
  observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                   characterData: true});
  timer = setTimeout(end, ms);
})"""


def wait_quiet(page, ms: int = 500) -> None:
    """Wait for a state, not a time: until the page's DOM has not changed for ``ms`` ms (a rerun
    starting, a lazily loaded Markdown plugin or a late layout pass all change it)."""
    page.evaluate(QUIET_JS, ms)
