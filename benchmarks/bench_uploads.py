"""Memory of the server after an editor's uploads of a big workbook (issue 19 §1).

    python benchmarks/bench_uploads.py [--projects 38000] [--rounds 20]

Starts ``streamlit run app.py`` (own store, an editor secret), generates two different workbooks
of ``--projects`` projects (year 2023, so each is compared with the plan in force: every project
added and removed), signs in with Chromium and uploads them in turn ``--rounds`` times, waiting
for each check. Prints the server's RSS at the start, after the first upload, after all of them
and after the editor signed out and left; the time of each check; the most sandbox children seen
at once. Exits 1 when the RSS after the uploads is more than 50 MB above the start, or more
children ran than the cap allows. Not part of run.py (a few minutes); the same steps run in the
suite on a smaller workbook (tests/browser/test_upload_guard.py). See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, machine

sys.path[:0] = [str(ROOT / "tests")]

from browser.conftest import start_streamlit, stop  # noqa: E402
from browser.test_upload_guard import (  # noqa: E402
    RSS_SLACK_MB,
    SECRET,
    big_workbooks,
    upload_rounds,
)
from support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from coopplan.workbook import sandbox  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=38_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="coopplan-uploads-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        files = big_workbooks(folder, args.projects)
        print(f"workbooks generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        env = {k: v for k, v in os.environ.items() if not k.startswith("COOPPLAN_")}
        env.update({"COOPPLAN_STORE": str(folder / "store"), "COOPPLAN_EDITOR_SECRET": SECRET})
        url, process = start_streamlit(ROOT / "app.py", env, folder / "st.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                figures = upload_rounds(browser, url, files, args.rounds)
                browser.close()
        finally:
            stop(process)
    print(f"coopplan uploads — {machine()} — load {os.getloadavg()[0]:.2f}")
    print(f"{args.projects} projects, {args.rounds} uploads: {figures.summary()}")
    grown = figures.rss_after_all - figures.rss_start
    left = figures.rss_after_leaving - figures.rss_start
    ok = max(grown, left) <= RSS_SLACK_MB and figures.max_children <= sandbox.MAX_RUNNING + 1
    print(
        f"RSS growth {grown:+.0f} MB after the uploads, {left:+.0f} MB after leaving "
        f"(target <= {RSS_SLACK_MB:g} MB): {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
