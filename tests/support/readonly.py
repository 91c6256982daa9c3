"""Simulate a read-only file system under a folder: tests run as root, whom chmod does not stop.

``read_only(monkeypatch, folder)`` makes every open for writing, every temporary file and every
folder creation under ``folder`` fail with OSError(EROFS), as the OS does on a read-only mount;
reads still work. Files named in ``writable`` (e.g. the publishing gate's own state) are spared.
"""

from __future__ import annotations

import builtins
import errno
import os
import tempfile
from pathlib import Path

import pytest

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def read_only(
    monkeypatch: pytest.MonkeyPatch, folder: Path, writable: tuple[str, ...] = ()
) -> None:
    root = os.path.abspath(folder)

    def refused(path: object) -> bool:
        if not isinstance(path, (str, os.PathLike)):
            return False
        full = os.path.abspath(os.fspath(path))
        inside = full == root or full.startswith(root + os.sep)
        return inside and not os.path.basename(full).startswith(writable or ("\0",))

    def fail(path: object) -> OSError:
        return OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    real_open, real_os_open, real_mkstemp = builtins.open, os.open, tempfile.mkstemp
    real_mkdir = Path.mkdir

    def fake_open(file, mode="r", *args, **kwargs):
        if refused(file) and any(c in mode for c in "wax+"):
            raise fail(file)
        return real_open(file, mode, *args, **kwargs)

    def fake_os_open(path, flags, *args, **kwargs):
        if refused(path) and flags & WRITE_FLAGS:
            raise fail(path)
        return real_os_open(path, flags, *args, **kwargs)

    def fake_mkstemp(*args, dir=None, **kwargs):  # noqa: A002
        if dir is not None and refused(dir):
            raise fail(dir)
        return real_mkstemp(*args, dir=dir, **kwargs)

    def fake_mkdir(self, *args, **kwargs):
        if refused(self) and not self.is_dir():
            raise fail(self)
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)
    monkeypatch.setattr(tempfile, "mkstemp", fake_mkstemp)
    monkeypatch.setattr(Path, "mkdir", fake_mkdir)
