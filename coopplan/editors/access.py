"""Who may publish: one editor secret, compared in constant time; wrong guesses slow down the
guesser (its browser session and its client address), never everyone.

The secret comes from Streamlit secrets (key ``editor_secret`` in ``.streamlit/secrets.toml``,
passed in by the page as a mapping) or from the environment variable COOPPLAN_EDITOR_SECRET.
Wrong guesses are counted in a Throttle shared by the sessions of one server process: per
session (after ``free_failures`` wrong guesses a growing, capped wait), in memory, and per client
address (at most ``client_failures`` wrong guesses in a sliding window), in memory or, under
``scripts/serve.sh --processes N``, in one file for every process (COOPPLAN_GUESSES_FILE, under a
lock), so N processes still allow ``client_failures`` in all. No count is global, so a visitor
who guesses cannot stop the secretary, who publishes from another session and address. The
secret is never logged, stored, shown or put in a message.

The client address is the peer's (Streamlit's); behind serve.sh's nginx it is the address nginx
forwards, believed only with the token serve.sh gives nginx and the processes
(COOPPLAN_PROXY_TOKEN): anyone else on the server can reach a process, nobody else has the token.
"""

from __future__ import annotations

import contextlib
import fcntl
import hmac
import json
import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

SECRET_ENV = "COOPPLAN_EDITOR_SECRET"  # noqa: S105 - the name of a variable, not a secret
SECRET_KEY = "editor_secret"  # noqa: S105 - a session-state key, not a secret
LOCAL_CLIENT = "locale"  # st.context.ip_address is None for a browser on the server itself
MAX_TRACKED = 10_000  # sessions or clients remembered; the oldest are forgotten past this
GUESSES_ENV = "COOPPLAN_GUESSES_FILE"  # the per-client counts shared by serve.sh's processes
PROXY_TOKEN_ENV = "COOPPLAN_PROXY_TOKEN"  # noqa: S105 - the name of a variable, not a secret
PROXY_TOKEN_HEADER = "X-Coopplan-Proxy"  # noqa: S105 - a header name
FORWARDED_HEADER = "X-Forwarded-For"


@dataclass(frozen=True)
class Policy:
    free_failures: int = 2  # wrong guesses in a row, in one session, answered at once
    base_delay: float = 5.0  # seconds to wait after the first slowed-down guess; doubles
    max_delay: float = 5 * 60.0  # the per-session wait never grows past this
    client_failures: int = 10  # wrong guesses one client address may make in the window
    client_window: float = 15 * 60.0  # seconds of the per-client sliding window

    def delay(self, failures: int) -> float:
        """Seconds one session waits before its next guess, after ``failures`` wrong ones."""
        if failures < self.free_failures + 1:
            return 0.0
        exponent = min(failures - self.free_failures - 1, 32)
        return min(self.max_delay, self.base_delay * 2**exponent)


@dataclass(frozen=True)
class Guesser:
    """Who is guessing: a browser session (any stable id) and its client address (None when
    Streamlit gives none, i.e. a browser on the server itself); for a named editor's password,
    the account guessed (its normalized name), counted per account *and* client, so nobody can
    slow an editor down from another address."""

    session: str
    client: str | None = None
    account: str = ""

    @property
    def client_key(self) -> str:
        return self.client or LOCAL_CLIENT

    @property
    def account_key(self) -> str:
        """The account guessed from this client ('' when no account is named)."""
        return f"{self.account}\n{self.client_key}" if self.account else ""


class Throttle:
    """Wrong guesses per session and per client, in memory, safe across threads."""

    def __init__(self, policy: Policy | None = None, shared: Path | None = None) -> None:
        self.policy = policy or Policy()
        self.lock = threading.RLock()  # held by Gate.check around wait, compare and count
        self.shared = shared  # a file of per-client times shared with other processes
        self._depth = 0  # nesting of guard() in this process (the file lock is taken once)
        self._sessions: dict[str, tuple[int, float]] = {}  # failures in a row, time of last
        self._accounts: dict[str, tuple[int, float]] = {}  # the same per account and client
        self._clients: dict[str, deque[float]] = {}  # times of wrong guesses in the window

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Held around reading and counting guesses: one thread, and with a shared file one
        process, at a time; the shared counts are read on entry and written on exit."""
        with self.lock:
            if self.shared is None or self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            with _file_lock(self.shared.with_name(self.shared.name + ".lock")):
                self._clients = _read_clients(self.shared)
                before = json.dumps(_as_json(self._clients))
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                    if json.dumps(_as_json(self._clients)) != before:
                        _write_clients(self.shared, self._clients)

    def wait(self, who: Guesser, now: float) -> float:
        """Seconds ``who`` must wait before a guess is compared (0: at once)."""
        with self.guard():
            session_wait = self._backoff(self._sessions, who.session, now)
            account_wait = self._backoff(self._accounts, who.account_key, now)
            times = self._recent(who.client_key, now)
            client_wait = 0.0
            if len(times) >= self.policy.client_failures:
                oldest = times[len(times) - self.policy.client_failures]
                client_wait = oldest + self.policy.client_window - now
            return max(0.0, session_wait, account_wait, client_wait)

    def _backoff(self, table: dict[str, tuple[int, float]], key: str, now: float) -> float:
        """Seconds left of the growing wait of ``key`` (a session, an account from a client)."""
        failures, last = table.get(key, (0, 0.0)) if key else (0, 0.0)
        return last + self.policy.delay(failures) - now if failures else 0.0

    def _count(self, table: dict[str, tuple[int, float]], key: str, now: float) -> None:
        """One more wrong guess in a row for ``key``, most recently used last."""
        if key:
            failures = table.pop(key, (0, 0.0))[0] + 1
            table[key] = (failures, now)

    def failed(self, who: Guesser, now: float) -> float:
        """Count a wrong guess of ``who``; the seconds its session must now wait."""
        with self.guard():
            self._count(self._sessions, who.session, now)
            self._count(self._accounts, who.account_key, now)
            times = self._recent(who.client_key, now)
            times.append(now)
            self._clients.pop(who.client_key, None)
            self._clients[who.client_key] = times  # most recently used last
            for table in (self._sessions, self._accounts, self._clients):
                while len(table) > MAX_TRACKED:
                    del table[next(iter(table))]
            return self.wait(who, now)

    def succeeded(self, who: Guesser) -> None:
        """The right secret: the session (and the account from this client) start again; the
        client's window stays."""
        with self.lock:
            self._sessions.pop(who.session, None)
            self._accounts.pop(who.account_key, None)

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._clients.get(client, deque())  # a client with no guess is not stored
        while times and times[0] <= now - self.policy.client_window:
            times.popleft()
        return times


def _file_lock(path: Path) -> contextlib.AbstractContextManager[None]:
    @contextlib.contextmanager
    def held() -> Iterator[None]:
        with path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the handle closes
            yield

    return held()


def _as_json(clients: dict[str, deque[float]]) -> dict[str, list[float]]:
    return {client: list(times) for client, times in clients.items() if times}


def _read_clients(path: Path) -> dict[str, deque[float]]:
    """The shared per-client times; a missing or unreadable file counts as none yet."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(client): deque(float(t) for t in times if isinstance(t, int | float))
        for client, times in data.items()
        if isinstance(times, list)
    }


def _write_clients(path: Path, clients: dict[str, deque[float]]) -> None:
    """Replace the shared file at once (a reader never sees half of it)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(_as_json(clients), out)
    os.replace(temporary, path)


def throttle_from_environment(environ: Mapping[str, str] | None = None) -> Throttle:
    """The server's throttle: per-client counts in COOPPLAN_GUESSES_FILE if set (serve.sh)."""
    shared = (os.environ if environ is None else environ).get(GUESSES_ENV)
    return Throttle(shared=Path(shared) if shared else None)


def client_address(
    peer: str | None,
    headers: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """Who is asking: the address nginx forwards when the request carries serve.sh's proxy
    token, else the peer's own address (a forged X-Forwarded-For is not believed)."""
    token = (os.environ if environ is None else environ).get(PROXY_TOKEN_ENV, "")
    sent = headers.get(PROXY_TOKEN_HEADER, "")
    if token and hmac.compare_digest(sent.encode("utf-8"), token.encode("utf-8")):
        forwarded = headers.get(FORWARDED_HEADER, "").split(",")[-1].strip()
        return forwarded or peer
    return peer


THROTTLE = throttle_from_environment()  # shared by every session of this server process


class Outcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    WAIT = "wait"  # asked again before the slow-down delay ran out; not compared, not counted
    EMPTY = "empty"
    NOT_CONFIGURED = "not-configured"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    wait: float = 0.0  # seconds before the next guess is considered

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def message(self) -> str:
        """One Italian sentence for the page or the command line (never the secret)."""
        seconds = _duration(self.wait)
        if self.outcome is Outcome.OK:
            return "Password corretta."
        if self.outcome is Outcome.WRONG:
            later = f" Per sicurezza, puoi riprovare tra {seconds}." if self.wait else ""
            return "La password di pubblicazione non è corretta." + later
        if self.outcome is Outcome.WAIT:
            return f"Troppi tentativi ravvicinati: riprova tra {seconds}."
        if self.outcome is Outcome.EMPTY:
            return "Scrivi la password di pubblicazione."
        return NOT_CONFIGURED_MESSAGE


NOT_CONFIGURED_MESSAGE = (
    "La pubblicazione è disattivata perché non è configurata una password di pubblicazione. "
    'Chi gestisce il server la imposta in .streamlit/secrets.toml (riga editor_secret = "...", '
    "vedi secrets.toml.example) oppure nella variabile d'ambiente COOPPLAN_EDITOR_SECRET, e "
    "riavvia la dashboard. Intanto un file si controlla dalla riga di comando: "
    "python -m coopplan check piano.xlsx."
)


def configured_secret(
    secrets: Mapping[str, object] | None = None, environ: Mapping[str, str] | None = None
) -> str | None:
    """The editor secret from Streamlit secrets, else the environment; None if unset or blank."""
    candidates: list[object] = []
    if secrets is not None:
        with contextlib.suppress(Exception):  # st.secrets raises when no secrets.toml exists
            candidates.append(secrets.get(SECRET_KEY))
    candidates.append((os.environ if environ is None else environ).get(SECRET_ENV))
    for value in candidates:
        if isinstance(value, str) and value.strip():
            return value
    return None


class Gate:
    """Checks guesses of the editor secret, slowing down who guesses wrong (see Throttle)."""

    def __init__(
        self,
        secret: str | None,
        throttle: Throttle | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._secret = secret.encode("utf-8") if secret else None
        self.throttle = THROTTLE if throttle is None else throttle
        self.clock = clock

    def __repr__(self) -> str:  # never show the secret, even in a debugger or a log line
        return f"Gate(configured={self.configured})"

    @property
    def configured(self) -> bool:
        return self._secret is not None

    def status(self, who: Guesser) -> Verdict:
        """Whether a guess of ``who`` would be compared now (OK) or must wait."""
        if not self.configured:
            return Verdict(Outcome.NOT_CONFIGURED)
        wait = self.throttle.wait(who, self.clock())
        return Verdict(Outcome.WAIT, wait) if wait > 0 else Verdict(Outcome.OK)

    def check(self, attempt: str, who: Guesser) -> Verdict:
        """Compare a guess of ``who`` with the secret in constant time; a wrong one is counted
        for its session and its client, and may make them wait (never anyone else)."""
        if self._secret is None:
            return Verdict(Outcome.NOT_CONFIGURED)
        if not attempt:
            return Verdict(Outcome.EMPTY)
        with self.throttle.guard():  # two guesses at once (threads, processes) cannot both slip
            now = self.clock()
            wait = self.throttle.wait(who, now)
            if wait > 0:
                return Verdict(Outcome.WAIT, wait)
            if hmac.compare_digest(attempt.encode("utf-8"), self._secret):
                self.throttle.succeeded(who)
                return Verdict(Outcome.OK)
            return Verdict(Outcome.WRONG, self.throttle.failed(who, now))


def _duration(seconds: float) -> str:
    """12 -> '12 secondi', 900 -> '15 minuti' (rounded up)."""
    whole = max(1, int(-(-seconds // 1)))
    if whole < 60:
        return f"{whole} {'secondo' if whole == 1 else 'secondi'}"
    minutes = -(-whole // 60)
    return f"{minutes} {'minuto' if minutes == 1 else 'minuti'}"
