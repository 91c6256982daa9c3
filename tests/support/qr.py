"""Helpers shared by tests (from test_hall.py): APP, DATA_URI, ONERI, PUBLIC, ROOT, TRACK_TITLE, decode_qr, free_port, hall_dir, page_html, public, qr_in, start."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from support.paths import ROOT

APP = str(ROOT / "app.py")


PUBLIC = "https://piano.example.org/"


ONERI = "Oneri di funzionamento"


DATA_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def decode_qr(png: bytes, tmp_path: Path) -> str:
    """The text of the one QR code in ``png``, as zbarimg reads it."""
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.fail("zbarimg non trovato: installarlo con bash scripts/install.sh --dev")
    image = tmp_path / "qr.png"
    image.write_bytes(png)
    result = subprocess.run(
        [zbarimg, "--quiet", "--raw", "-Sbinary", str(image)],
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8").removesuffix("\n")


def qr_in(html_text: str, tmp_path: Path) -> str:
    """Decode the inline PNG QR code found in a page's HTML."""
    match = DATA_URI.search(html_text)
    assert match, "nessun codice QR nella pagina"
    return decode_qr(base64.b64decode(match.group(1)), tmp_path)


@pytest.fixture
def public(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOPPLAN_PUBLIC_URL", PUBLIC)


def start(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_html(at: AppTest) -> str:
    return "".join(element.proto.body for element in at.get("html"))


TRACK_TITLE = "Curare le risorse umane"  # pista P3 of the shipped plan


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def hall_dir() -> Path:
    import os

    return Path(os.environ["COOPPLAN_STORE"])
