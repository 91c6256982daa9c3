"""The assembly hall: the address phones in the hall open, and its QR code (no streamlit here).

The address is ``COOPPLAN_PUBLIC_URL`` when set (e.g. ``https://piano.example.org``: the name a
reverse proxy answers to), else ``http://<this machine's LAN address>:<port>``. The filter of the
dashboard rides along as the query string (``?fonte=…&pista=…``), so a phone opens the same view.
The QR code is drawn here by segno, as PNG bytes or a ``data:`` URI: nothing is fetched.
"""

from __future__ import annotations

import base64
import io
import os
import socket
import time
from collections.abc import Mapping, Sequence
from functools import lru_cache
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno

PUBLIC_URL_ENV = "COOPPLAN_PUBLIC_URL"
PORT_ENV = "PORT"
DEFAULT_PORT = 8501
# A TEST-NET-1 address (RFC 5737): connecting a UDP socket to it sends nothing, it only makes the
# kernel choose the outbound interface, whose address is the one the hall's network sees.
_PROBE = ("192.0.2.1", 9)
QR_SCALE = 8  # pixels per module of the PNG
QR_BORDER = 4  # quiet zone in modules (the QR standard's minimum)


LAN_ADDRESS_ENV = "COOPPLAN_LAN_ADDRESS"  # the address to put in QR codes, when the guess is wrong


def lan_address() -> str:
    """This machine's address on its local network, e.g. ``'192.168.1.20'``.

    ``COOPPLAN_LAN_ADDRESS`` when set (a laptop on two networks; tests: a loopback address).
    The address of the interface the default route uses (found without sending a packet); else
    the address the host name resolves to; else ``'127.0.0.1'``.
    """
    chosen = os.environ.get(LAN_ADDRESS_ENV, "").strip()
    if chosen:
        return chosen
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_PROBE)
            address = probe.getsockname()[0]
        if address and not address.startswith("0."):
            return address
    except OSError:
        pass
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def serving_port(environ: Mapping[str, str] | None = None, fallback: int = DEFAULT_PORT) -> int:
    """The port phones connect to: env ``PORT`` (set by scripts/serve.sh; nginx's port when
    several processes serve), else ``fallback`` (the Streamlit server's own port).

    A ``PORT`` that is not a number between 1 and 65535 is ignored (``fallback``): a page must
    not fail over it, and scripts/serve.sh refuses it with a message before starting.
    """
    raw = (os.environ if environ is None else environ).get(PORT_ENV, "").strip()
    if raw.isdigit() and 1 <= int(raw) <= 65535:
        return int(raw)
    return fallback


def base_url(environ: Mapping[str, str] | None = None, port: int | None = None) -> str:
    """The dashboard's address without query: ``COOPPLAN_PUBLIC_URL`` (trailing '/' removed,
    any query dropped), else ``http://<lan_address()>:<port>`` (``port`` None: serving_port)."""
    env = os.environ if environ is None else environ
    port = serving_port(env) if port is None else port
    public = env.get(PUBLIC_URL_ENV, "").strip()
    if public:
        parts = urlsplit(public)
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
    return f"http://{lan_address()}:{port}"


def hall_url(
    query: Mapping[str, Sequence[str]] | str | None = None,
    environ: Mapping[str, str] | None = None,
    port: int | None = None,
    path: str = "/",
) -> str:
    """The address for phones: ``base_url`` + ``path`` + the filter as a query string.

    ``query`` maps a URL parameter to its values (``{"fonte": ["Oneri di funzionamento"]}``);
    empty lists are left out; values are percent-encoded, repeated for several values. A string
    is taken as the query string already made (coopplan.hall.sala.hall_query).
    """
    if isinstance(query, str):
        text = query
    else:
        text = urlencode(
            [(key, value) for key, values in (query or {}).items() for value in values]
        )
    return base_url(environ, port) + path + (f"?{text}" if text else "")


SALA_PATH = "/sala"  # «Sala», the phones' page (ui/server.py)
SERVE_COMMAND = "bash scripts/serve.sh"  # serves the dashboard and «Sala» to the hall's network
ANSWER_TIMEOUT = 0.5  # seconds to wait for the QR's address to accept a connection
ANSWER_KEPT = 10.0  # seconds an answer is remembered (a page rerun must not wait each time)
_answers: dict[tuple[str, int], tuple[float, bool]] = {}


def reachable(url: str, environ: Mapping[str, str] | None = None) -> bool:
    """True when phones can open ``url``: an address set in ``COOPPLAN_PUBLIC_URL`` is trusted
    (a reverse proxy's name, maybe not reachable from here); else it must ``answer``."""
    env = os.environ if environ is None else environ
    return bool(env.get(PUBLIC_URL_ENV, "").strip()) or answers(url)


def answers(url: str, timeout: float = ANSWER_TIMEOUT) -> bool:
    """True when ``url``'s host accepts a TCP connection on its port: the address a QR code
    encodes must answer before the code is shown. The answer is kept ``ANSWER_KEPT`` seconds."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    now = time.monotonic()
    kept = _answers.get((host, port))
    if kept and now - kept[0] < ANSWER_KEPT:
        return kept[1]
    try:
        with socket.create_connection((host, port), timeout=timeout):
            ok = True
    except OSError:
        ok = False
    _answers[(host, port)] = (now, ok)
    return ok


@lru_cache(maxsize=64)  # ~10 ms a code; every phone page and first slide asks for the same few
def qr_png(text: str) -> bytes:
    """The QR code of ``text`` as a black-on-white PNG (error correction M, 8 px per module)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return out.getvalue()


def qr_data_uri(text: str) -> str:
    """``qr_png(text)`` as a ``data:image/png;base64,…`` URI, for an <img> with nothing to fetch."""
    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode("ascii")
