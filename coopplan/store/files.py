"""Small file primitives shared by the store and the publishing gate: a lock and an atomic write.

- ``locked(path)`` holds an exclusive ``fcntl.flock`` on ``path`` for the ``with`` block, across
  threads and processes (the file is created, with its folder, if missing; it is never removed).
- ``atomic_write(path, data)`` replaces ``path`` with ``data`` so that a reader, or a process
  killed at any point, sees either the old file or the new one, never a mix: the bytes go to a
  temporary file in the same folder (named ``TEMP_PREFIX…``), are fsynced, renamed over ``path``,
  and the folder is fsynced so the rename itself survives a crash.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

TEMP_PREFIX = ".tmp-"  # temporary files start with this; readers never open them


@contextlib.contextmanager
def locked(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` while the ``with`` block runs."""
    lock = Path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def is_locked(path: str | os.PathLike[str]) -> bool:
    """True while another holder keeps ``locked(path)``; never creates the file."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False  # no lock file (or unreadable): nobody is writing through it
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def atomic_write(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    mode: int | None = None,
    before_replace: Callable[[], None] | None = None,
) -> None:
    """Replace ``path`` with ``data`` atomically and durably; no temporary file is left on error.

    ``mode`` sets the file's permissions (e.g. 0o444 for content that never changes);
    ``before_replace`` runs once the temporary file is complete, just before the rename (a test
    hook: a process killed there leaves the old file and one temporary file).
    """
    target = Path(path)
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        if before_replace is not None:
            before_replace()
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    fsync_dir(target.parent)


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make the creation, rename or removal of entries in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_OS_REASONS = {
    errno.ENOENT: "la cartella non esiste",
    errno.EISDIR: "è una cartella, non un file",
    errno.EACCES: "permesso negato",
    errno.EPERM: "permesso negato",
    errno.ENOSPC: "disco pieno",
    errno.EROFS: "il disco è di sola lettura",
    errno.ENOTDIR: "una parte del percorso non è una cartella",
}


def os_reason(exc: OSError) -> str:
    """An OSError in Italian words (the common cases; the rest by their number)."""
    return _OS_REASONS.get(exc.errno or 0, f"errore di sistema {exc.errno}")
