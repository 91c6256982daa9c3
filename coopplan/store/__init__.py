"""The versioned store of published workbooks, by part:

- ``model``: a version, the damage a store can hold, its standing, a verification report, the
  ``VersionStore`` protocol and ``StoreError`` (no reader, no backend: enough to draw the plan over
  time);
- ``policy``: what every backend does, written once (``StoreBase``: publish, restore, copy,
  seeding, marks, verify and their messages) over a few primitives each backend provides;
- ``folder``: the folder backend (``Store``): a manifest, content files, a lock file;
- ``postgres``: the PostgreSQL backend (``PgStore``): tables, a transaction per write;
- ``location``: ``open_store()``, the store ``COOPPLAN_STORE`` names;
- ``copy`` (one store into another), ``marks`` («presentata in assemblea»), ``files`` (atomic
  writes and locks).

Importing the package is light: the public names below are imported from their module on first use,
so ``from coopplan.store.model import Version`` does not load the reader.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coopplan.store.copy import copy_versions
    from coopplan.store.folder import Store
    from coopplan.store.location import open_store
    from coopplan.store.marks import Mark
    from coopplan.store.model import (
        DISPLAY_TIMEZONE,
        SHIPPED_WORKBOOK,
        STORE_ENV,
        Damage,
        Report,
        SourceTotal,
        Standing,
        StoreError,
        UnreachableStoreError,
        Version,
        VersionStore,
        is_database_url,
    )

_HOMES = {
    "DISPLAY_TIMEZONE": "coopplan.store.model",
    "Damage": "coopplan.store.model",
    "Mark": "coopplan.store.marks",
    "Report": "coopplan.store.model",
    "SHIPPED_WORKBOOK": "coopplan.store.model",
    "STORE_ENV": "coopplan.store.model",
    "SourceTotal": "coopplan.store.model",
    "Standing": "coopplan.store.model",
    "Store": "coopplan.store.folder",
    "StoreError": "coopplan.store.model",
    "UnreachableStoreError": "coopplan.store.model",
    "Version": "coopplan.store.model",
    "VersionStore": "coopplan.store.model",
    "copy_versions": "coopplan.store.copy",
    "is_database_url": "coopplan.store.model",
    "open_store": "coopplan.store.location",
}

__all__ = [
    "DISPLAY_TIMEZONE",
    "Damage",
    "Mark",
    "Report",
    "SHIPPED_WORKBOOK",
    "STORE_ENV",
    "SourceTotal",
    "Standing",
    "Store",
    "StoreError",
    "UnreachableStoreError",
    "Version",
    "VersionStore",
    "copy_versions",
    "is_database_url",
    "open_store",
]


def __getattr__(name: str) -> object:
    """The public names of ``__all__``, imported from their module when first asked for."""
    if name not in _HOMES:
        raise AttributeError(f"module 'coopplan.store' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
