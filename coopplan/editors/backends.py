"""The editors and the audit log of a store, whichever backend keeps it (a folder or PostgreSQL)."""

from __future__ import annotations

from coopplan.editors.accounts import Editors, FolderEditors
from coopplan.editors.audit import AuditLog, FolderAudit
from coopplan.editors.postgres import PgAudit, PgEditors
from coopplan.store.folder import Store
from coopplan.store.model import VersionStore


def editors_for(store: VersionStore) -> Editors:
    """The editors of a store (folder or PostgreSQL)."""
    if isinstance(store, Store):
        return FolderEditors(store.root)

    return PgEditors.for_store(store)


def audit_for(store: object) -> AuditLog:
    """The audit log of a store (folder or PostgreSQL)."""
    if isinstance(store, Store):
        return FolderAudit(store.root)

    return PgAudit.for_store(store)
