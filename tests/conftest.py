"""Shared fixtures: the shipped workbook, and workbooks edited cell by cell."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.paths import SHIPPED


@pytest.fixture(autouse=True)
def _private_store(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own empty version store (COOPPLAN_STORE), never the project's store/:
    the dashboard reads the plan in force from it. A test may point it elsewhere itself."""
    monkeypatch.setenv("COOPPLAN_STORE", str(tmp_path_factory.mktemp("store")))


@pytest.fixture(autouse=True)
def _hall_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The QR codes' address is a loopback one: checking that it answers (coopplan.hall.links) sends
    nothing past 127.0.0.0/8."""
    monkeypatch.setenv("COOPPLAN_LAN_ADDRESS", "127.0.0.1")


@pytest.fixture(scope="session")
def shipped_bytes() -> bytes:
    return SHIPPED.read_bytes()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The address of a throwaway PostgreSQL server for the session (see tests/pg.py)."""
    from support.pg import cluster

    with cluster() as url:
        yield url
