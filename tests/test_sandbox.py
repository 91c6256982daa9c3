"""Reading in a limited child (coopplan.workbook.sandbox): whatever the child does, the caller gets an
answer, and a failure becomes the Italian sentence «Il file è troppo complesso da leggere: …»."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from support.paths import SHIPPED

from coopplan.workbook import sandbox
from coopplan.workbook.reader import load_plan
from coopplan.workbook.sandbox import TOO_COMPLEX, Limits, call, failure_message, load_plan_isolated

GiB = 1024**3


def test_the_shipped_workbook_reads_the_same_in_the_child() -> None:
    data = SHIPPED.read_bytes()
    inside = load_plan(data, name="piano.xlsx")
    outside = load_plan_isolated(data, "piano.xlsx")
    assert outside.ok and outside.plan is not None
    assert outside.problems == inside.problems
    assert outside.plan.funding.equals(inside.plan.funding)
    assert outside.plan.projects.equals(inside.plan.projects)


def test_a_child_that_asks_for_too_much_memory_is_stopped() -> None:
    run = call("builtins:bytearray", (8 * GiB,))  # more than the 1 GB the child may add
    assert run.failure == "memory"
    assert os.getpid() > 0  # this process is still here
    message = failure_message(run)
    assert message.startswith(TOO_COMPLEX)
    assert "più di 1 GB di memoria" in message and "non è cambiato" in message


@pytest.mark.parametrize(
    ("target", "args"),
    [("os._exit", (3,)), ("os.abort", ()), ("ctypes.string_at", (0,))],  # exit, abort, segfault
)
def test_a_child_that_dies_becomes_a_message(target: str, args: tuple) -> None:
    run = call(target.replace(".", ":", 1), args)
    assert run.failure == "crash"
    assert failure_message(run) == TOO_COMPLEX + sandbox.REASONS["crash"] + sandbox.ADVICE


def test_an_exception_in_the_reader_does_not_blame_far_cells() -> None:
    run = call("builtins:int", ("not a number",))  # raises ValueError in the child
    assert run.failure == "error"
    message = failure_message(run)
    assert message == sandbox.UNEXPECTED
    assert "molto lontane" not in message and "non è cambiato" in message


def test_a_child_that_computes_too_long_is_stopped_by_its_cpu_limit() -> None:
    run = call("hashlib:pbkdf2_hmac", ("sha256", b"x", b"y", 10**9), limits=Limits(cpu=1))
    assert run.failure == "cpu"
    assert "più di 1 secondi di calcolo" in failure_message(run, Limits(cpu=1))


def test_a_child_that_hangs_is_killed_at_the_wall_clock_limit() -> None:
    run = call("time:sleep", (120,), limits=Limits(wall=3))
    assert run.failure == "time"
    assert run.seconds < 30
    assert "non è finita in 3 secondi" in failure_message(run, Limits(wall=3))


def test_a_blown_up_read_is_a_load_result_with_one_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A forced blow-up, whatever the reader does with the file: the child allocates 8 GB.
    monkeypatch.setattr(sandbox, "LOAD_TARGET", "tests.support.sandbox_targets:allocate")
    result = load_plan_isolated(8 * GiB, "enorme.xlsx")  # type: ignore[arg-type]
    assert result.plan is None and not result.ok
    assert len(result.problems) == 1 and result.problems[0].is_error
    assert result.problems[0].message.startswith("Il file è troppo complesso da leggere: ")
    assert result.name == "enorme.xlsx"


def test_the_stray_cell_file_never_takes_the_caller_down() -> None:
    from support.variants import with_stray_value

    result = load_plan_isolated(with_stray_value("XFD20000"), "lontano.xlsx")
    # Either the reader copes with it (bounded by the cells present) or the child is stopped.
    if result.plan is None:
        assert result.problems[0].message.startswith(TOO_COMPLEX)
    # And the next upload is read as usual.
    assert load_plan_isolated(SHIPPED.read_bytes(), "piano.xlsx").ok


# At most MAX_RUNNING children at once ------------------------------------------------------


def sandbox_children() -> list[int]:
    """Pids of this process's running ``coopplan.workbook.sandbox`` children (from /proc)."""
    mine = str(os.getpid())
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if ppid == mine and b"coopplan.workbook.sandbox" in command:
            found.append(int(entry.name))
    return found


def test_uploads_at_once_past_the_cap_are_told_to_retry_and_start_no_child() -> None:
    started = threading.Barrier(sandbox.MAX_RUNNING + 1)
    runs: list[sandbox.Run] = []

    def slow() -> None:
        started.wait()
        runs.append(call("time:sleep", (4,), limits=Limits(wall=30)))

    threads = [threading.Thread(target=slow) for _ in range(sandbox.MAX_RUNNING)]
    for thread in threads:
        thread.start()
    started.wait()
    deadline = time.monotonic() + 20
    while sandbox._slots._value > 0 and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.05)  # every slot taken by a running task
    refused = load_plan_isolated(SHIPPED.read_bytes(), "piano.xlsx")
    preview = sandbox.preview_isolated(SHIPPED.read_bytes(), "piano.xlsx", {})
    children = len(sandbox_children())
    for thread in threads:
        thread.join()
    assert [r.ok for r in runs] == [True] * sandbox.MAX_RUNNING
    assert children <= sandbox.MAX_RUNNING + 1  # the running ones and one spare, no more
    assert [p.message for p in refused.problems] == [sandbox.BUSY_MESSAGE]
    assert preview.retry and preview.unreadable == sandbox.BUSY_MESSAGE
    assert "Un altro controllo è in corso: riprova tra poco" in sandbox.BUSY_MESSAGE
    again = load_plan_isolated(SHIPPED.read_bytes(), "piano.xlsx")  # once they are done
    assert again.ok


def test_a_preview_comes_back_bounded_whatever_the_file() -> None:
    from dataclasses import replace

    from support.sample import generate_plan

    from coopplan.workbook.preview import SHOWN_CHANGES, Against
    from coopplan.workbook.writer import workbook_bytes

    plan = generate_plan(n_tracks=5, n_projects=1_500, seed=5)
    big = workbook_bytes(replace(plan, meta=replace(plan.meta, year=2023)))
    shipped = SHIPPED.read_bytes()
    preview = sandbox.preview_isolated(
        big, "grande.xlsx", {2023: Against(2023, "Versione 1", shipped)}
    )
    assert preview.ok and preview.comparison is not None
    tables = {t.title: t for t in preview.comparison.tables}
    moved = tables["Progetti aggiunti e tolti"]
    assert moved.rows > 1_500 and len(moved.frame) == SHOWN_CHANGES  # counted whole, cut
    comparison = preview.comparison
    assert comparison.label == "Versione 1"
    assert comparison.given_date is not None and comparison.before_date is not None
    assert comparison.stale_date == (comparison.given_date <= comparison.before_date)
    alone = sandbox.preview_isolated(big, "grande.xlsx", {})  # a year with no version yet
    assert alone.ok and alone.year == 2023 and alone.comparison is None


def test_a_child_that_cannot_start_is_not_called_a_slow_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reader that never starts (an interpreter that exits at once, as one whose imports fail
    on the server would) used to be reported at once as «la lettura non è finita in 180 secondi»
    and blamed the file's far cells; it is said to be the server's fault, at once."""
    monkeypatch.setattr(sandbox.sys, "executable", "/bin/false")
    monkeypatch.setattr(sandbox, "_spare", None)
    started = time.perf_counter()
    result = load_plan_isolated(SHIPPED.read_bytes(), "piano.xlsx")
    assert time.perf_counter() - started < 30
    [problem] = result.problems
    assert problem.message == sandbox.NOT_STARTED
    assert "secondi" not in problem.message and "celle" not in problem.message
