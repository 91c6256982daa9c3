"""Reading an uploaded workbook in a child process with memory, CPU and wall-clock limits.

A workbook comes from anyone who can open «Aggiorna il piano». If reading it makes a parser ask
for gigabytes, loop, or crash, only the child dies: the server and every other viewer carry on,
the uploader gets one Italian sentence and nothing stored changes.

The child is ``python -m coopplan.workbook.sandbox``: it imports the reader, lowers its own limits with
``resource.setrlimit`` (address space, CPU seconds), then waits on stdin for one pickled task
``(target, args, kwargs)`` and answers on stdout with one pickled reply. One task per child, so
the limits and the memory are fresh each time; one spare child is kept started (its imports
done) so an upload does not wait for them. The wall-clock limit is kept by the parent, which
kills a child that overruns it.

At most MAX_RUNNING tasks run at once in one server process (a semaphore): a task asked for
while they all run is not queued but answered at once with the failure ``busy`` («Un altro
controllo è in corso: riprova tra poco»), so N uploads at once never mean N children of a GiB
each. With the spare, a server holds at most MAX_RUNNING + 1 children.

The parent unpickles what the child sends: this guards the server against a parser that fails,
blows up or hangs, not against a parser turned into an attacker's tool (see docs/decisions.md).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import importlib
import os
import pickle
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coopplan.workbook.preview import Against, UploadPreview
from coopplan.workbook.problems import error
from coopplan.workbook.reader import LoadResult

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds coopplan/
LOAD_TARGET = "coopplan.workbook.reader:load_plan"
PREVIEW_TARGET = "coopplan.workbook.preview:preview_upload"
RESTAMP_TARGET = "coopplan.workbook.preview:restamp"
MAX_RUNNING = 2  # tasks at once in one server process (2 cores; each may take a GiB)
READY = b"R"  # the child writes this once its imports are done and its limits are set
MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one task may use: ``memory`` bytes of address space beyond what the idle child
    already holds, ``cpu`` seconds of processor time, ``wall`` seconds in all."""

    memory: int = 1024 * MiB
    cpu: int = 30
    wall: float = 60.0


LIMITS = Limits()
# A preview reads two workbooks and compares them (38,000 projects against 38,000: ~15 s of CPU,
# several times that in wall time on a busy machine); writing a workbook afresh is slower than
# reading it (38,000 projects: 23 s of CPU to write).
PREVIEW_LIMITS = Limits(cpu=45, wall=180.0)
WRITE_LIMITS = Limits(cpu=90, wall=180.0)


@dataclass(frozen=True)
class Run:
    """The outcome of one task: ``value`` when it returned, else ``failure`` (one of
    ``memory``, ``cpu``, ``time``, ``crash``, ``error``) and a short ``detail`` for the log;
    ``peak_rss`` is the child's peak resident memory in bytes, ``seconds`` the wall time.
    ``busy``: the task did not run, MAX_RUNNING others were running."""

    value: Any = None
    failure: str = ""
    detail: str = ""
    peak_rss: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failure


TOO_COMPLEX = "Il file è troppo complesso da leggere: "
REASONS = {
    "memory": "leggerlo richiederebbe più di {memory} di memoria",
    "cpu": "leggerlo richiederebbe più di {cpu} secondi di calcolo",
    "time": "la lettura non è finita in {wall} secondi",
    "crash": "il programma di lettura si è interrotto",
}
BUSY_MESSAGE = (
    "Un altro controllo è in corso: riprova tra poco (il file non ha niente che non va). "
    "Il piano in vigore non è cambiato."
)
ADVICE = (
    ". Capita quando il foglio contiene valori o formattazioni in celle molto lontane dai dati "
    "(per esempio in fondo al foglio o nell'ultima colonna): aprilo in Excel o LibreOffice, "
    "elimina le righe e le colonne vuote dopo i dati, salvalo e riprova. Il piano in vigore non è "
    "cambiato."
)


NOT_STARTED = (
    "Il controllo del file non è partito: il programma di lettura non si avvia su questo server, "
    "non per colpa del file. Segnala il problema a chi gestisce la dashboard. Il piano in vigore "
    "non è cambiato."
)

UNEXPECTED = (
    "Il file non si è potuto leggere per un errore imprevisto del programma di lettura, non per "
    "colpa del file: riprova; se si ripete, salva il file di nuovo da Excel o LibreOffice e "
    "segnala il problema a chi gestisce la dashboard. Il piano in vigore non è cambiato."
)


def failure_message(run: Run, limits: Limits = LIMITS) -> str:
    """The Italian sentence for a failed ``run``: «Il file è troppo complesso da leggere: …»
    for the limits (memory, CPU, time, a crash), ``UNEXPECTED`` for an exception in the
    reader (a bug: no advice about the file's far cells, which would mislead), BUSY_MESSAGE
    when every allowed child is at work."""
    if run.failure == "error":
        return UNEXPECTED
    if run.failure == "busy":
        return BUSY_MESSAGE
    if run.failure == "start":
        return NOT_STARTED
    reason = REASONS.get(run.failure, REASONS["crash"]).format(
        memory=_size(limits.memory),
        cpu=limits.cpu,
        wall=f"{limits.wall:g}",
    )
    return TOO_COMPLEX + reason + ADVICE


def _size(size: int) -> str:
    """1073741824 -> '1 GB', 536870912 -> '512 MB' (binary units, as the limit is set)."""
    if size >= 1024 * MiB and size % (1024 * MiB) == 0:
        return f"{size // (1024 * MiB)} GB"
    return f"{size // MiB} MB"


def load_plan_isolated(data: bytes, name: str = "", limits: Limits = LIMITS) -> LoadResult:
    """``coopplan.workbook.reader.load_plan(data, name=name)`` in a limited child process. A child that
    runs out of memory, CPU or time, or crashes, becomes a LoadResult with no plan and one
    error «Il file è troppo complesso da leggere: …»; nothing is raised."""
    run = call(LOAD_TARGET, (data,), {"name": name}, limits=limits)
    if run.ok and isinstance(run.value, LoadResult):
        return run.value
    return LoadResult(None, [error(failure_message(run, limits))], name)


def preview_isolated(
    data: bytes, name: str, against: dict[int, Against], limits: Limits = PREVIEW_LIMITS
) -> UploadPreview:
    """``coopplan.workbook.preview.preview_upload`` in a limited child: a failure of any kind becomes a
    preview with one Italian sentence (``retry`` when the child was not started: busy)."""
    run = call(PREVIEW_TARGET, (data, name, against), limits=limits)
    if run.ok and isinstance(run.value, UploadPreview):
        return run.value
    return UploadPreview(name, unreadable=failure_message(run, limits), retry=run.failure == "busy")


def restamp_isolated(
    data: bytes, name: str, day: dt.date, limits: Limits = WRITE_LIMITS
) -> bytes | str:
    """``coopplan.workbook.preview.restamp`` in a limited child: the rewritten workbook, or the Italian
    sentence saying why not."""
    run = call(RESTAMP_TARGET, (data, name, day), limits=limits)
    if run.ok and isinstance(run.value, bytes):
        return run.value
    if run.failure == "busy":
        return BUSY_MESSAGE
    return (
        "Non è stato possibile scrivere la data di oggi nel file: pubblicalo con la sua data "
        "(togli la spunta «Usa la data di oggi») oppure correggi la «Data versione» nel foglio "
        "«Piano» e ricaricalo. Il piano in vigore non è cambiato."
    )


# Parent side ------------------------------------------------------------------------------


class _Child:
    """A started ``python -m coopplan.workbook.sandbox`` and whether it said it is ready."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.process = _start(limits)
        self.ready = False

    def alive(self) -> bool:
        return self.process.poll() is None

    def await_ready(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the READY byte (imports done, limits set)."""
        if not self.ready:
            stdout = self.process.stdout
            assert stdout is not None
            if select.select([stdout], [], [], timeout)[0]:
                self.ready = os.read(stdout.fileno(), len(READY)) == READY
        return self.ready

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.process.communicate(timeout=5)


_spare_lock = threading.Lock()
_spare: _Child | None = None
_slots = threading.BoundedSemaphore(MAX_RUNNING)  # tasks running now (see the module)


def call(
    target: str,
    args: tuple = (),
    kwargs: dict | None = None,
    *,
    limits: Limits = LIMITS,
) -> Run:
    """Run ``target`` ("module:function") with ``args`` and ``kwargs`` in a limited child and
    return its Run. The arguments and the result must pickle. Never raises for what the child
    does; another spare child is started for the next call. With MAX_RUNNING tasks already
    running, returns at once with the failure ``busy``."""
    if not _slots.acquire(blocking=False):
        return Run(failure="busy", detail=f"{MAX_RUNNING} tasks running")
    try:
        return _call(target, args, kwargs, limits)
    finally:
        _slots.release()


def _call(target: str, args: tuple, kwargs: dict | None, limits: Limits) -> Run:
    started = time.perf_counter()
    child = _take_child(limits)
    payload = pickle.dumps((target, args, kwargs or {}), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        if not child.await_ready(limits.wall):
            if child.process.poll() is not None or time.perf_counter() - started < limits.wall:
                return _not_started(child, time.perf_counter() - started)
            raise subprocess.TimeoutExpired("coopplan.workbook.sandbox", limits.wall)
        out, err = child.process.communicate(payload, timeout=limits.wall)
    except subprocess.TimeoutExpired:
        child.stop()
        return Run(
            failure="time",
            detail=f"killed after {limits.wall:g} s",
            seconds=time.perf_counter() - started,
        )
    finally:
        warm(limits)
    return _reply(out, err, child.process.returncode, time.perf_counter() - started)


def _not_started(child: _Child, seconds: float) -> Run:
    """A child that ended (or spoke garbage) before it was ready: the reader never ran, so the
    file is not at fault (an import failing on this server, say); its last words go to the log."""
    with contextlib.suppress(OSError):
        child.process.kill()
    try:
        _, err = child.process.communicate(timeout=5)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        err = b""
    last_words = err.decode("utf-8", errors="replace").strip()[-300:]
    return Run(failure="start", detail=f"not started: {last_words}", seconds=seconds)


def warm(limits: Limits = LIMITS) -> None:
    """Start a spare child (its imports run in the background) unless one is alive."""
    global _spare
    with _spare_lock:
        if _spare is not None and _spare.alive() and _spare.limits == limits:
            return
        old, _spare = _spare, _Child(limits)
    if old is not None:
        old.stop()


def wait_warm(timeout: float = 60.0, limits: Limits = LIMITS) -> bool:
    """Start a spare child if needed and wait until it is ready (benchmarks, tests)."""
    warm(limits)
    with _spare_lock:
        spare = _spare
    return spare is not None and spare.await_ready(timeout)


def _take_child(limits: Limits) -> _Child:
    global _spare
    with _spare_lock:
        spare, _spare = _spare, None
    if spare is not None and spare.limits == limits and spare.alive():
        return spare
    if spare is not None:
        spare.stop()
    return _Child(limits)


def _start(limits: Limits) -> subprocess.Popen:
    env = dict(os.environ)
    # Arrow's own allocator reserves address space by the gigabyte, which RLIMIT_AS counts;
    # the system allocator reserves what it uses. A Rust abort then prints one line, no trace.
    env.update({"ARROW_DEFAULT_MEMORY_POOL": "system", "RUST_BACKTRACE": "0"})
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p
    )
    command = [
        sys.executable, "-m", "coopplan.workbook.sandbox",
        str(limits.memory), str(limits.cpu),
    ]  # fmt: skip
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PACKAGE_ROOT,
        env=env,
    )


@atexit.register
def _stop_spare() -> None:
    global _spare
    with _spare_lock:
        spare, _spare = _spare, None
    if spare is not None:
        spare.stop()


def _reply(out: bytes, err: bytes, returncode: int, seconds: float) -> Run:
    """What the child said; a child killed by a signal or silent is a crash, out of CPU, or
    out of memory when its last words say so (Rust aborts on a failed allocation)."""
    if returncode == 0 and out:
        try:
            status, value, peak_rss = pickle.loads(out)  # noqa: S301 - our own child
        except Exception as exc:  # noqa: BLE001 - a truncated reply is a crash
            return Run(failure="crash", detail=f"unreadable reply: {exc!r}", seconds=seconds)
        if status == "ok":
            return Run(value=value, peak_rss=peak_rss, seconds=seconds)
        return Run(failure=status, detail=str(value), peak_rss=peak_rss, seconds=seconds)
    last_words = err[-2000:].decode("utf-8", "replace")
    detail = f"exit {returncode}: {last_words.strip()[-300:]}"
    if returncode == -signal.SIGXCPU:
        return Run(failure="cpu", detail=detail, seconds=seconds)
    if "memory allocation" in last_words or "MemoryError" in last_words:
        return Run(failure="memory", detail=detail, seconds=seconds)
    return Run(failure="crash", detail=detail, seconds=seconds)


# Child side -------------------------------------------------------------------------------


def _limit(memory: int, cpu: int) -> None:
    """Cap the address space at what the process holds now plus ``memory`` bytes, and the
    processor time at ``cpu`` seconds from now (SIGXCPU, then SIGKILL one second later)."""
    resource.setrlimit(resource.RLIMIT_AS, (_address_space() + memory,) * 2)
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (spent + cpu, spent + cpu + 1))


def _address_space() -> int:
    """This process's virtual memory size in bytes (VmSize in /proc/self/status)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _resolve(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _serve(memory: int, cpu: int) -> int:
    """One task: read it from stdin, run it, write the reply to the saved stdout."""
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print of a library cannot garble the reply
    import coopplan.workbook.reader  # noqa: F401 - the imports are done before the task arrives

    _limit(memory, cpu)
    answer.write(READY)
    answer.flush()
    task = sys.stdin.buffer.read()
    if not task:
        return 0  # the parent went away without a task
    try:
        target, args, kwargs = pickle.loads(task)  # noqa: S301 - from our parent
        reply = ("ok", _resolve(target)(*args, **kwargs))
    except MemoryError:
        reply = ("memory", "MemoryError")
    except Exception as exc:  # noqa: BLE001 - any failure is reported, never a traceback
        reply = ("error", repr(exc)[:500])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    try:
        body = pickle.dumps((*reply, peak), protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        body = pickle.dumps(("memory", "MemoryError", peak))
    except Exception as exc:  # noqa: BLE001 - an unpicklable result
        body = pickle.dumps(("error", repr(exc)[:500], peak))
    answer.write(body)
    answer.flush()
    return 0


if __name__ == "__main__":
    code = _serve(int(sys.argv[1]), int(sys.argv[2]))
    sys.stderr.flush()
    os._exit(code)  # skip the interpreter's shutdown (pyarrow, pandas): hundreds of ms
