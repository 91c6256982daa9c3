"""Functions the sandbox's child runs in tests, shaped like coopplan.workbook.reader.load_plan."""

from __future__ import annotations


def allocate(size: int, name: str = "") -> bytearray:
    """A read that blows up: allocates ``size`` bytes (the child's memory limit stops it)."""
    return bytearray(size)
