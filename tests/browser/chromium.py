"""How the browser tests and the browser benchmarks start Chromium: one place for both.

Debian's Chromium (installed by scripts/install.sh --dev), never a downloaded one; the flags keep
a headless Chromium from contacting outside services on this closed network.
"""

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
