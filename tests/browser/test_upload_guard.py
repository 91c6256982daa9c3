"""Issue 19 §1 on ``streamlit run app.py`` with Chromium: uploading is an editor's action, and it
leaves the server as it found it.

- A visitor's session shows no uploader, and Streamlit's upload endpoint answers 403 to a file PUT
  from that session (the session id read from the app's own websocket messages, the request made
  from the page as Streamlit's frontend makes it, XSRF token included); the same PUT from a
  signed-in editor's session is accepted, and refused again after «Esci».
- An editor uploads a big generated workbook 20 times (two contents alternating, so each upload is
  checked): the server's resident memory after them is within 50 MB of where it started, and no
  more than MAX_RUNNING + 1 sandbox children ever ran beside it.

``upload_rounds`` is shared with benchmarks/bench_uploads.py, which does the same with the 38,000
projects of the issue and prints the figures.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from support.browser import own_dashboard, wait_quiet
from support.browser_update import settled, sign_in
from support.sample import generate_plan

from coopplan.store.folder import Store
from coopplan.workbook import sandbox
from coopplan.workbook.writer import workbook_bytes
from ui.uploads import PURGE_EVERY, REFUSED

pytestmark = pytest.mark.browser

SECRET = "segreteria-prova-2023"
TIMEOUT_MS = 120_000
CHECK_TIMEOUT_MS = 600_000  # one check of a big workbook on a busy machine
ROUNDS = 20
SUITE_PROJECTS = 4_000  # big enough to be felt, small enough for the suite (the benchmark: 38,000)
RSS_SLACK_MB = 50.0

PUT_FILE = """async ([session, name, size]) => {
  const cookie = document.cookie.split('; ').find((c) => c.startsWith('_streamlit_xsrf='));
  const headers = cookie ? {'X-Xsrftoken': cookie.slice('_streamlit_xsrf='.length)} : {};
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(size)]), name);
  const id = crypto.randomUUID();
  const answer = await fetch(`/_stcore/upload_file/${session}/${id}`,
                             {method: 'PUT', body: form, headers, credentials: 'same-origin'});
  return [answer.status, await answer.text()];
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    with own_dashboard(tmp_path_factory, "guard_store", secret=SECRET) as served:
        yield served


def watch_session(page) -> list[str]:
    """Collect the Streamlit session ids the server announces to ``page`` (NewSession messages
    on its websocket). Call before the page is opened."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    ids: list[str] = []

    def on_frame(payload: bytes | str) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # noqa: BLE001 - not a ForwardMsg: not ours to read
            return
        if message.HasField("new_session"):
            ids.append(message.new_session.initialize.session_id)

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    return ids


def put_file(page, session: str, size: int = 1024 * 1024) -> tuple[int, str]:
    """A file PUT on the upload endpoint from ``page``, for ``session``: (status, body)."""
    status, body = page.evaluate(PUT_FILE, [session, "piano.xlsx", size])
    return int(status), str(body)


def aggiorna(chromium, url: str):
    context = chromium.new_context(viewport={"width": 1280, "height": 720}, locale="it-IT")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    sessions = watch_session(page)
    page.goto(f"{url}/aggiorna")
    page.get_by_role("heading", name="Aggiorna il piano").wait_for()
    settled(page)
    assert sessions, "no NewSession message seen"
    return context, page, sessions[-1]


def test_a_visitor_cannot_upload_at_all_and_an_editor_can(server, chromium) -> None:
    url, store = server
    context, page, session = aggiorna(chromium, url)
    try:
        assert page.get_by_role("button", name="Accedi").count() == 1
        assert page.locator('input[type="file"]').count() == 0  # no uploader registered
        status, body = put_file(page, session)
        assert status == 403 and REFUSED in body, (status, body)
        assert [v.number for v in store.versions()] == [1]

        sign_in(page, SECRET)
        assert put_file(page, session)[0] == 204  # the same request, from an editor's session

        page.get_by_role("button", name="Esci").click()
        page.get_by_role("button", name="Accedi").wait_for()
        assert page.locator('input[type="file"]').count() == 0
        assert put_file(page, session)[0] == 403
    finally:
        context.close()


# Memory after 20 uploads ---------------------------------------------------------------------


@dataclass
class Figures:
    """What ``upload_rounds`` measured: RSS in MB of the server at each step, check times in
    seconds, the most sandbox children seen at once."""

    rss_start: float = 0.0
    rss_after_first: float = 0.0
    rss_after_all: float = 0.0
    rss_after_leaving: float = 0.0
    checks: list[float] = field(default_factory=list)
    max_children: int = 0
    size_mb: float = 0.0

    def summary(self) -> str:
        return (
            f"workbook {self.size_mb:.1f} MB; RSS start {self.rss_start:.0f} MB, after 1 upload "
            f"{self.rss_after_first:.0f} MB, after {len(self.checks)} "
            f"{self.rss_after_all:.0f} MB, after sign-out and closing "
            f"{self.rss_after_leaving:.0f} MB; check median {statistics.median(self.checks):.1f} s"
            f" (max {max(self.checks):.1f} s); sandbox children at most {self.max_children}"
        )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def sandbox_children(pid: int) -> int:
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        count += ppid == pid and b"coopplan.workbook.sandbox" in command
    return count


def streamlit_pid(url: str) -> int:
    """The pid of the ``streamlit run`` process listening on ``url``'s port."""
    port = url.rsplit(":", 1)[1]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"streamlit" in b" ".join(command) and port.encode() in command:
                return int(entry.name)
    raise RuntimeError(f"no streamlit process on port {port}")


def big_workbooks(folder: Path, projects: int) -> list[Path]:
    """Two different valid workbooks of ``projects`` projects, year 2023 (compared with the plan
    in force: every project added and removed, the biggest diff there is)."""
    paths = []
    for seed in (1, 2):
        plan = generate_plan(n_tracks=5, n_projects=projects, seed=seed)
        path = folder / f"piano_grande_{seed}.xlsx"
        path.write_bytes(workbook_bytes(replace(plan, meta=replace(plan.meta, year=2023))))
        paths.append(path)
    return paths


def checked(page) -> None:
    """Wait until the run that checks the file has finished and shown what changes."""
    wait_quiet(page)
    for busy in ('[data-testid="stStatusWidget"]', '[data-testid="stSpinner"]'):
        page.locator(busy).first.wait_for(state="hidden", timeout=CHECK_TIMEOUT_MS)
    page.get_by_role("heading", name="Che cosa cambia").wait_for()


def upload_rounds(chromium, url: str, files: list[Path], rounds: int = ROUNDS) -> Figures:
    """An editor signs in and uploads ``files`` in turn ``rounds`` times, waiting for each check;
    then signs out and closes the browser. Memory and children measured on the server."""
    pid = streamlit_pid(url)
    figures = Figures(size_mb=max(p.stat().st_size for p in files) / 2**20)
    done = threading.Event()

    def count_children() -> None:
        while not done.is_set():
            figures.max_children = max(figures.max_children, sandbox_children(pid))
            time.sleep(0.1)

    watcher = threading.Thread(target=count_children, daemon=True)
    context, page, _session = aggiorna(chromium, url)
    try:
        sign_in(page, SECRET)
        figures.rss_start = rss_mb(pid)
        watcher.start()
        for number in range(rounds):
            source = files[number % len(files)]
            named = source.parent / f"piano_{number:02d}.xlsx"
            named.write_bytes(source.read_bytes())
            started = time.perf_counter()
            page.locator('input[type="file"]').set_input_files(str(named))
            page.locator('[data-testid="stFileChipName"]').filter(has_text=named.name).wait_for()
            checked(page)
            figures.checks.append(time.perf_counter() - started)
            named.unlink()
            if number == 0:
                figures.rss_after_first = rss_mb(pid)
        figures.rss_after_all = rss_mb(pid)
        page.get_by_role("button", name="Esci").click()
        page.get_by_role("button", name="Accedi").wait_for()
    finally:
        context.close()
        done.set()
    time.sleep(PURGE_EVERY + 2)  # the session's end is noticed; its file released
    figures.rss_after_leaving = rss_mb(pid)
    return figures


def test_twenty_big_uploads_leave_the_server_memory_where_it_was(
    server, chromium, tmp_path: Path
) -> None:
    url, store = server
    figures = upload_rounds(chromium, url, big_workbooks(tmp_path, SUITE_PROJECTS))
    print(figures.summary())
    assert len(figures.checks) == ROUNDS
    assert figures.rss_after_all - figures.rss_start <= RSS_SLACK_MB, figures.summary()
    assert figures.rss_after_leaving - figures.rss_start <= RSS_SLACK_MB, figures.summary()
    assert 1 <= figures.max_children <= sandbox.MAX_RUNNING + 1, figures.summary()
    assert [v.number for v in store.versions()] == [1]  # checking publishes nothing
