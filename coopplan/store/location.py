"""Which store ``COOPPLAN_STORE`` names: a folder or a PostgreSQL database."""

from __future__ import annotations

import os
from pathlib import Path

from coopplan.store.folder import Store
from coopplan.store.model import (
    DEFAULT_ROOT,
    SHIPPED_WORKBOOK,
    STORE_ENV,
    VersionStore,
    is_database_url,
)


def open_store(
    location: str | os.PathLike[str] | None = None, *, seed: Path | None = SHIPPED_WORKBOOK
) -> VersionStore:
    """The store at ``location`` (default: COOPPLAN_STORE, else the project's ``store/``): a
    ``PgStore`` for a ``postgresql://`` (or ``postgres://``) address, else a folder ``Store``.
    Opening connects to nothing yet; a database that cannot be reached is a StoreError at first
    use."""
    text = os.fspath(location) if location is not None else os.environ.get(STORE_ENV, "")
    text = str(text).strip()
    if is_database_url(text):
        from coopplan.store.postgres import PgStore  # psycopg is needed only for a database store

        return PgStore(text, seed=seed)
    return Store(Path(text).expanduser() if text else DEFAULT_ROOT, seed=seed)
