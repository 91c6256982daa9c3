"""Streamlit's upload endpoint for signed-in editors only, one file per session, released when the
session ends.

Streamlit (1.67) accepts a PUT on ``/_stcore/upload_file/<session>/<file id>`` from any live
session, under any file id, whether or not the session shows a file uploader, and keeps every
file in memory until the session is shut down; a session that is dropped while disconnected is
never shut down, so its files are never released. ``server.maxUploadSize`` bounds one file, not
how many. There is no setting for this, so ``guard()`` wraps the process's uploaded-file manager
(the object the endpoint and every session share, ``Runtime.uploaded_file_mgr``) once:

- ``add_file`` refuses, with HTTP 403, a file for a session that ``allow`` did not name (the
  page names the sessions with a signed-in editor, ui/editor.py): a visitor cannot upload at all;
- a session holds one file, its latest: the earlier one is removed when the next one arrives;
- the files of a session that is no longer active are removed (every PURGE_EVERY seconds, and
  whenever a file arrives), as are its permission; ``release`` removes them at once (after a
  publish, at sign-out).

In AppTest there is no runtime: ``guard`` does nothing there (the page still hides the uploader).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from starlette.exceptions import HTTPException
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

REFUSED = "Caricare un file è riservato a chi aggiorna il piano: accedi in «Aggiorna il piano»."
PURGE_EVERY = 10.0  # seconds between two looks for the files of ended sessions
GUARDED = "_coopplan_guarded"  # set on the manager once wrapped

_lock = threading.RLock()
_allowed: set[str] = set()  # session ids with a signed-in editor
_held: dict[str, str] = {}  # session id -> the id of the one file it holds


def session_id() -> str | None:
    """The Streamlit session running this script (None outside a script run)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def allow(session: str | None) -> None:
    """Let ``session`` upload (an editor signed in there)."""
    if session:
        with _lock:
            _allowed.add(session)


def forbid(session: str | None) -> None:
    """No more uploads from ``session``, and its file released (sign-out)."""
    if session:
        with _lock:
            _allowed.discard(session)
        release(session)


def release(session: str | None) -> None:
    """Drop the files ``session`` holds (after a publish, at sign-out)."""
    manager = _manager()
    if session and manager is not None:
        with _lock:
            file_id = _held.pop(session, None)
            if file_id is not None:
                manager.remove_file(session, file_id)


def held() -> dict[str, str]:
    """Session id -> file id of the files held now (tests, benchmarks)."""
    with _lock:
        return dict(_held)


def guard() -> None:
    """Wrap the uploaded-file manager of this server process once (see the module); start the
    thread that releases the files of ended sessions. Idempotent; nothing without a runtime."""
    manager = _manager()
    if manager is None:
        return
    with _lock:
        if getattr(manager, GUARDED, False):
            return
        _wrap(manager)
    threading.Thread(target=_purge_forever, name="coopplan-uploads", daemon=True).start()


def _manager() -> Any:
    if not runtime.exists():
        return None
    return runtime.get_instance().uploaded_file_mgr


def _wrap(manager: Any) -> None:
    """Replace ``add_file`` and ``remove_session_files`` on the manager object itself: the
    endpoint and the sessions call them on that object."""
    add_file = manager.add_file
    remove_file = manager.remove_file
    remove_session_files = manager.remove_session_files

    def guarded_add_file(session_id: str, file: Any) -> None:
        with _lock:
            if session_id not in _allowed:
                raise HTTPException(status_code=403, detail=REFUSED)
            earlier = _held.get(session_id)
            add_file(session_id, file)
            _held[session_id] = file.file_id
            if earlier is not None and earlier != file.file_id:
                remove_file(session_id, earlier)
        _purge()

    def released_session_files(session_id: str) -> None:
        with _lock:
            _held.pop(session_id, None)
            _allowed.discard(session_id)
            remove_session_files(session_id)

    manager.add_file = guarded_add_file
    manager.remove_session_files = released_session_files
    # Anything that slipped in before the wrap (the very first script run of the process) goes.
    for session in list(getattr(manager, "file_storage", {})):
        remove_session_files(session)
    setattr(manager, GUARDED, True)


def _purge() -> None:
    """Release the files and the permission of sessions that are no longer active."""
    if not runtime.exists():
        return
    live = runtime.get_instance().is_active_session
    with _lock:
        ended = [s for s in {*_held, *_allowed} if not live(s)]
    for session in ended:
        with _lock:
            _allowed.discard(session)
        release(session)


def _purge_forever() -> None:
    while True:
        time.sleep(PURGE_EVERY)
        _purge()
