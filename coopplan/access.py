"""Who may publish: one editor secret, compared in constant time, with slow-down and lockout.

The secret comes from Streamlit secrets (key ``editor_secret`` in ``.streamlit/secrets.toml``,
passed in by the page as a mapping) or from the environment variable COOPPLAN_EDITOR_SECRET.
Wrong guesses are counted in a small state file inside the store folder, so the slow-down and the
lockout hold across browser sessions, reloads and server processes. The secret is never logged,
stored, shown or put in a message.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from coopplan.files import atomic_write, locked

SECRET_ENV = "COOPPLAN_EDITOR_SECRET"
SECRET_KEY = "editor_secret"
STATE_FILE = "access.json"
LOCK_FILE = "access.lock"


@dataclass(frozen=True)
class Policy:
    free_failures: int = 2  # wrong guesses in a row answered at once
    max_failures: int = 5  # wrong guesses in a row that trigger the lockout
    base_delay: float = 5.0  # seconds to wait after the first slowed-down guess; doubles
    lockout: float = 15 * 60.0  # seconds publishing stays locked

    def delay(self, failures: int) -> float:
        """Seconds to wait before the next guess, after ``failures`` wrong ones in a row."""
        if failures < self.free_failures + 1:
            return 0.0
        return self.base_delay * 2 ** (failures - self.free_failures - 1)


class Outcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    WAIT = "wait"  # asked again before the slow-down delay ran out; not counted
    LOCKED = "locked"
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
        if self.outcome is Outcome.LOCKED:
            return (
                "Troppi tentativi con una password errata: la pubblicazione è bloccata "
                f"per {seconds}."
            )
        if self.outcome is Outcome.EMPTY:
            return "Scrivi la password di pubblicazione."
        return NOT_CONFIGURED_MESSAGE


NOT_CONFIGURED_MESSAGE = (
    "La pubblicazione è disattivata perché non è configurata una password di pubblicazione. "
    'Chi gestisce il server la imposta in .streamlit/secrets.toml (riga editor_secret = "...", '
    "vedi secrets.toml.example) oppure nella variabile d'ambiente COOPPLAN_EDITOR_SECRET, e "
    "riavvia la dashboard. Consultare e controllare un file resta possibile."
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
    """Checks guesses of the editor secret, remembering failures in ``folder``."""

    def __init__(
        self,
        folder: str | os.PathLike[str],
        secret: str | None,
        policy: Policy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = Path(folder)
        self._secret = secret.encode("utf-8") if secret else None
        self.policy = policy or Policy()
        self.clock = clock

    def __repr__(self) -> str:  # never show the secret, even in a debugger or a log line
        return f"Gate(folder={str(self.folder)!r}, configured={self.configured})"

    @property
    def configured(self) -> bool:
        return self._secret is not None

    def status(self) -> Verdict:
        """Whether a guess would be considered now (OK), or must wait, or is locked out."""
        if not self.configured:
            return Verdict(Outcome.NOT_CONFIGURED)
        return self._blocked(self._read(), self.clock()) or Verdict(Outcome.OK)

    def check(self, attempt: str) -> Verdict:
        """Compare a guess with the secret in constant time, counting wrong guesses."""
        if self._secret is None:
            return Verdict(Outcome.NOT_CONFIGURED)
        if not attempt:
            return Verdict(Outcome.EMPTY)
        with locked(self.folder / LOCK_FILE):
            state = self._read()
            now = self.clock()
            blocked = self._blocked(state, now)
            if blocked is not None:
                return blocked
            if hmac.compare_digest(attempt.encode("utf-8"), self._secret):
                self._write({"failures": 0, "last_failure": 0.0, "locked_until": 0.0})
                return Verdict(Outcome.OK)
            failures = self._failures(state, now) + 1
            locked_until = (
                now + self.policy.lockout if failures >= self.policy.max_failures else 0.0
            )
            self._write({"failures": failures, "last_failure": now, "locked_until": locked_until})
        if locked_until:
            return Verdict(Outcome.LOCKED, self.policy.lockout)
        return Verdict(Outcome.WRONG, self.policy.delay(failures))

    # State --------------------------------------------------------------------------------

    def _blocked(self, state: dict, now: float) -> Verdict | None:
        locked_until = float(state.get("locked_until") or 0.0)
        if locked_until > now:
            return Verdict(Outcome.LOCKED, locked_until - now)
        failures = self._failures(state, now)
        ready_at = float(state.get("last_failure") or 0.0) + self.policy.delay(failures)
        if failures and ready_at > now:
            return Verdict(Outcome.WAIT, ready_at - now)
        return None

    def _failures(self, state: dict, now: float) -> int:
        """Wrong guesses in a row that still count (forgotten after a lockout period)."""
        if float(state.get("locked_until") or 0.0) and float(state["locked_until"]) <= now:
            return 0
        if now - float(state.get("last_failure") or 0.0) > self.policy.lockout:
            return 0
        return int(state.get("failures") or 0)

    def _read(self) -> dict:
        try:
            state = json.loads((self.folder / STATE_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError, UnicodeDecodeError):
            return {}
        return state if isinstance(state, dict) else {}

    def _write(self, state: dict) -> None:
        atomic_write(self.folder / STATE_FILE, json.dumps(state).encode("utf-8"))


def _duration(seconds: float) -> str:
    """12 -> '12 secondi', 900 -> '15 minuti' (rounded up)."""
    whole = max(1, int(-(-seconds // 1)))
    if whole < 60:
        return f"{whole} {'secondo' if whole == 1 else 'secondi'}"
    minutes = -(-whole // 60)
    return f"{minutes} {'minuto' if minutes == 1 else 'minuti'}"
