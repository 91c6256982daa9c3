"""ui/uploads.py on Streamlit's own uploaded-file manager (no server): a session without an editor
is refused, a session holds its latest file only, and the files of ended sessions are released.
The same guard on a real ``streamlit run`` with Chromium: tests/browser/test_upload_guard.py."""

from __future__ import annotations

import pytest
from starlette.exceptions import HTTPException
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from ui import uploads

MB = 1024 * 1024


class Runtime:
    """What ui/uploads.py asks of Streamlit's Runtime: the manager and which sessions live."""

    def __init__(self) -> None:
        self.uploaded_file_mgr = MemoryUploadedFileManager("/_stcore/upload_file")
        self.live: set[str] = set()

    def is_active_session(self, session_id: str) -> bool:
        return session_id in self.live


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Runtime:
    fake = Runtime()
    monkeypatch.setattr(uploads.runtime, "exists", lambda: True)
    monkeypatch.setattr(uploads.runtime, "get_instance", lambda: fake)
    monkeypatch.setattr(uploads, "_allowed", set())
    monkeypatch.setattr(uploads, "_held", {})
    return fake


def put(manager: MemoryUploadedFileManager, session: str, file_id: str, size: int = MB) -> None:
    """What the endpoint does with a PUT it accepted (starlette_routes._upload_put)."""
    manager.add_file(session, UploadedFileRec(file_id, "piano.xlsx", "application/x", b"x" * size))


def held_bytes(manager: MemoryUploadedFileManager, session: str) -> int:
    return sum(len(f.data) for f in manager.file_storage.get(session, {}).values())


def test_a_visitor_session_is_refused_and_an_editor_keeps_only_the_latest_file(
    runtime: Runtime,
) -> None:
    put(runtime.uploaded_file_mgr, "visitatore", "prima")  # before the guard: dropped by it
    runtime.live |= {"visitatore", "redattore"}
    uploads.guard()
    manager = runtime.uploaded_file_mgr
    assert held_bytes(manager, "visitatore") == 0
    with pytest.raises(HTTPException) as refused:
        put(manager, "visitatore", "a")
    assert refused.value.status_code == 403 and refused.value.detail == uploads.REFUSED
    assert held_bytes(manager, "visitatore") == 0

    uploads.allow("redattore")
    for number in range(20):  # 20 files under new ids, as the attacker sent them
        put(manager, "redattore", f"file-{number}")
    assert list(manager.file_storage["redattore"]) == ["file-19"]
    assert held_bytes(manager, "redattore") == MB

    uploads.forbid("redattore")  # «Esci»
    assert held_bytes(manager, "redattore") == 0
    with pytest.raises(HTTPException):
        put(manager, "redattore", "dopo")


def test_the_files_of_an_ended_session_are_released(runtime: Runtime) -> None:
    uploads.guard()
    manager = runtime.uploaded_file_mgr
    runtime.live.add("redattore")
    uploads.allow("redattore")
    put(manager, "redattore", "piano")
    runtime.live.clear()  # the browser went away; Streamlit never shuts the session down
    uploads._purge()
    assert held_bytes(manager, "redattore") == 0 and uploads.held() == {}
    with pytest.raises(HTTPException):  # a new connection under the old id is a visitor
        put(manager, "redattore", "ancora")
