"""The assembly hall: the address phones open, and its QR code read back by a real QR reader.

zbarimg (Debian's zbar-tools, installed by scripts/install.sh --dev) decodes the PNG exactly as a
phone's camera would read the code; the pages are checked with AppTest.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.qr import (
    DATA_URI,
    ONERI,
    PUBLIC,
    TRACK_TITLE,
    decode_qr,
    free_port,
    page_html,
    public,  # noqa: F401 - fixtures
    qr_in,
    start,
)

from coopplan.hall import links as hall


def test_public_url_wins_and_the_filter_is_the_query() -> None:
    env = {"COOPPLAN_PUBLIC_URL": PUBLIC}
    assert hall.hall_url({}, env) == "https://piano.example.org/"
    url = hall.hall_url({"fonte": [ONERI, "Risorse interne"], "pista": [], "stato": []}, env)
    assert url == ("https://piano.example.org/?fonte=Oneri+di+funzionamento&fonte=Risorse+interne")


def test_without_public_url_the_lan_address_and_port() -> None:
    url = hall.hall_url({"pista": ["P2"]}, {}, port=8080)
    assert url == f"http://{hall.lan_address()}:8080/?pista=P2"
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", hall.lan_address())


def test_port_comes_from_env_port() -> None:
    assert hall.serving_port({"PORT": "9000"}, fallback=8501) == 9000
    assert hall.serving_port({}, fallback=8502) == 8502
    assert hall.serving_port({"PORT": "70000"}, fallback=8501) == 8501
    assert hall.serving_port({"PORT": "ottanta"}, fallback=8501) == 8501


@pytest.mark.parametrize(
    "url",
    [
        "http://192.168.1.20:8501/",
        "https://piano.example.org/?fonte=Oneri+di+funzionamento&stato=In+corso&pista=P1",
        "http://10.0.0.7:8501/?fonte=Risorse+%C3%A8+citt%C3%A0",  # accented value, percent-encoded
    ],
)
def test_qr_decodes_back_to_the_exact_url(url: str, tmp_path: Path) -> None:
    assert decode_qr(hall.qr_png(url), tmp_path) == url


def test_phone_page_shows_the_code_of_the_filtered_address(public: None, tmp_path: Path) -> None:
    at = start({"fonte": ONERI})
    at.switch_page("app_pages/telefono.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Segui dal telefono"
    expected = "https://piano.example.org/sala?fonte=Oneri+di+funzionamento"
    html_text = page_html(at)
    assert qr_in(html_text, tmp_path) == expected
    assert expected.replace("&", "&amp;") in html_text  # the address is also written out


def test_first_slide_shows_the_code_later_slides_do_not(public: None, tmp_path: Path) -> None:
    at = start({"fonte": ONERI})
    at.switch_page("app_pages/presentazione.py").run()
    assert not at.exception, [e.value for e in at.exception]
    first = page_html(at)
    assert 'data-kind="title"' in first
    assert qr_in(first, tmp_path) == "https://piano.example.org/sala?fonte=Oneri+di+funzionamento"
    at.query_params["slide"] = "2"
    at.run()
    assert 'data-kind="title"' not in page_html(at)
    assert not DATA_URI.search(page_html(at))


def test_an_old_link_with_the_pista_code_shows_that_pista(public: None, tmp_path: Path) -> None:
    at = start({"pista": "P3"})
    assert at.query_params["pista"] == TRACK_TITLE  # rewritten to the one spelling
    assert at.multiselect(key="pista").value == ["P3"]
    at.switch_page("app_pages/telefono.py").run()
    expected = "https://piano.example.org/sala?pista=Curare+le+risorse+umane"
    assert qr_in(page_html(at), tmp_path) == expected


def test_no_code_when_phones_cannot_reach_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPPLAN_LAN_ADDRESS", "127.0.0.1")  # the check connects to loopback only
    monkeypatch.setenv("PORT", str(free_port()))  # nothing listens there: phones get no answer
    at = start({})
    at.switch_page("app_pages/telefono.py").run()
    assert not DATA_URI.search(page_html(at))
    warning = at.warning[0].value
    assert "I telefoni non possono aprire questa dashboard" in warning
    assert "bash scripts/serve.sh" in warning
    at.switch_page("app_pages/presentazione.py").run()
    first = page_html(at)
    assert not DATA_URI.search(first)
    assert "bash scripts/serve.sh" in first


def test_only_the_presenter_key_moves_the_hall(public: None) -> None:
    from coopplan.hall import state as hallstate

    hall = hallstate.open_hall()
    at = start({"conduce": "indovinata", "slide": "3"})
    at.switch_page("app_pages/presentazione.py").run()
    assert hall.read() == hallstate.NOT_RUNNING  # a wrong key moves nothing
    assert "conduce" not in at.query_params
    at = start({"conduce": hall.key(), "pista": "P3"})
    at.switch_page("app_pages/presentazione.py").run()
    assert "conduce" not in at.query_params  # the key leaves the address at once
    assert hall.read().slide == 1
    assert hall.read().query == "pista=Curare+le+risorse+umane"
    at.query_params["slide"] = "4"
    at.run()
    current = hall.read()
    assert (current.slide, current.running) == (4, True)
    assert "La sala segue questa presentazione" in page_html(at)


def test_one_process_sends_the_zopfli_bundles_made_at_install(tmp_path: Path, monkeypatch) -> None:
    """``streamlit run app.py`` alone: GzipStatic answers a bundle with the ``.gz`` that
    ui/precompress.py made (smaller than gzip -9), a browser without gzip gets Streamlit's own
    answer, and a bundle not precompressed is gzip-compressed on the spot."""
    import asyncio
    import gzip

    from ui import precompress, server

    build = tmp_path / "build"
    (build / "static" / "js").mkdir(parents=True)
    code = bytes(range(256)) * 64 + b"const piano = 1;\n" * 3000
    (build / "static" / "js" / "index.abc123.js").write_bytes(code)
    cache = tmp_path / "cache"
    precompress.precompress(build, cache, jobs=1)
    (build / "static" / "js" / "nuovo.def456.js").write_bytes(code)  # made after install
    monkeypatch.setattr(server, "static_dir", lambda: build)
    monkeypatch.setenv(precompress.CACHE_ENV, str(cache))
    passed: list[str] = []

    async def streamlit_app(scope, receive, send) -> None:
        passed.append(scope["path"])

    async def get(path: str, encoding: str) -> tuple[dict[bytes, bytes], bytes]:
        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": path,
                 "headers": [(b"accept-encoding", encoding.encode())]}  # fmt: skip
        await server.GzipStatic(streamlit_app)(scope, None, send)  # type: ignore[arg-type]
        if not sent:
            return {}, b""
        return dict(sent[0]["headers"]), sent[1]["body"]

    headers, body = asyncio.run(get("/static/js/index.abc123.js", "gzip, deflate"))
    assert headers[b"content-encoding"] == b"gzip"
    assert body == (cache / "static" / "js" / "index.abc123.js.gz").read_bytes()
    assert gzip.decompress(body) == code
    assert len(body) < len(gzip.compress(code, compresslevel=9))
    headers, body = asyncio.run(get("/static/js/nuovo.def456.js", "gzip"))
    assert gzip.decompress(body) == code
    assert asyncio.run(get("/static/js/index.abc123.js", "identity")) == ({}, b"")
    assert passed == ["/static/js/index.abc123.js"]  # Streamlit answers that one itself


def test_the_event_stream_tells_each_change_once(tmp_path: Path, monkeypatch) -> None:
    """/sala/eventi in one process: the current slide at once, then one event per change of
    the shared record, in the few bytes of an EventSource stream."""
    import asyncio
    import json
    import time

    from coopplan.hall import state as hallstate
    from ui import server

    monkeypatch.setenv(hallstate.HALL_ENV, str(tmp_path))
    monkeypatch.setattr(server, "_plan_version", lambda: "versione")
    monkeypatch.setattr(server, "_watchers", {})
    hall = hallstate.open_hall(str(tmp_path))

    async def play() -> list[dict]:
        chunks: list[bytes] = []
        leave = asyncio.Event()

        async def receive() -> dict:
            await leave.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            chunks.append(message.get("body", b""))

        async def streamlit_app(scope, receive, send) -> None:
            raise AssertionError("the stream is not Streamlit's")

        scope = {"type": "http", "method": "GET", "path": server.EVENTS_PATH}
        stream = asyncio.create_task(server.HallEvents(streamlit_app)(scope, receive, send))
        await asyncio.sleep(0.5)
        for slide in (4, 5):
            now = hallstate.Current(slide, f"Slide {slide}", "", "", time.time())
            assert hallstate.move(hall, hall.key(), now)
            await asyncio.sleep(server.TICK * 4)
        leave.set()
        hallstate.move(hall, hall.key(), hallstate.Current(6, "Slide 6", "", "", 1e10))
        await asyncio.wait_for(stream, 2)
        text = b"".join(chunks).decode()
        assert text.startswith("retry: ")
        return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]

    events = asyncio.run(play())
    assert [(e["slide"], e["running"]) for e in events][:3] == [(1, False), (4, True), (5, True)]
    assert len({e["tag"] for e in events}) == len(events)  # each change once
    assert all(e["plan"] == "versione" for e in events)
