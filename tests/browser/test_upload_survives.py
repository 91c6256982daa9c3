"""Issue 9, "the server survives any upload": a workbook whose reading would ask for gigabytes
(one stray value in Progetti!XFD20000) is uploaded through the real app; the secretary gets an
Italian sentence, and a second browser session still sees the plan.

Its own server (no editor secret needed): the stray file must not take it down.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.browser import start_streamlit, stop
from support.browser_update import coop_kpi, open_visitor, settled, sign_in
from support.paths import ROOT
from support.variants import with_stray_value

pytestmark = pytest.mark.browser

TIMEOUT_MS = 90_000
SECRET = "segreteria-prova-2023"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOPPLAN_")}
    env["COOPPLAN_STORE"] = str(tmp_path_factory.mktemp("survive_store"))
    env["COOPPLAN_EDITOR_SECRET"] = SECRET
    log = tmp_path_factory.mktemp("log") / "st.log"
    url, process = start_streamlit(ROOT / "app.py", env, log)
    try:
        yield url, process
    finally:
        stop(process)


def test_a_stray_cell_upload_leaves_the_server_up_for_everyone(
    server: tuple[str, object],
    chromium,
    tmp_path: Path,
) -> None:
    url, process = server
    outside: list[str] = []
    stray = tmp_path / "piano_cella_lontana.xlsx"
    stray.write_bytes(with_stray_value("XFD20000"))

    secretary_context, secretary = open_visitor(chromium, f"{url}/aggiorna", outside)
    secretary.set_default_timeout(TIMEOUT_MS)
    sign_in(secretary, SECRET)
    secretary.locator('input[type="file"]').set_input_files(str(stray))
    # Whatever the reader makes of it, the secretary gets an answer in Italian, not a dead page.
    answer = secretary.locator('[data-testid="stMain"] [data-testid="stAlert"]').first
    answer.wait_for()
    settled(secretary)
    shown = secretary.locator('[data-testid="stMain"]').inner_text()
    assert "Traceback" not in shown and "Connection error" not in secretary.content()
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "stray_upload.txt").write_text(answer.inner_text())

    assert process.poll() is None  # the server process is alive
    board_context, board = open_visitor(chromium, url, outside)  # a second browser session
    assert coop_kpi(board) == "25.000 €"
    assert not outside
    secretary_context.close()
    board_context.close()
