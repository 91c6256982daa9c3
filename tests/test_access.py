"""Who may publish: the editor secret, its sources, and a slow-down that hits the guesser (its
session, its client address) and never the secretary."""

from __future__ import annotations

import hmac
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import ROOT

from coopplan.editors import access
from coopplan.editors.access import (
    SECRET_ENV,
    Gate,
    Guesser,
    Outcome,
    Policy,
    Throttle,
    configured_secret,
)

SECRET = "mela-verde-42"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def throttle() -> Throttle:
    return Throttle(Policy())


def gate(throttle: Throttle, clock: Clock, secret: str | None = SECRET) -> Gate:
    """A fresh Gate each time, like each run of the page; the throttle is the server's."""
    return Gate(secret, throttle, clock)


VISITOR = Guesser("sessione-visitatore", "203.0.113.7")
SECRETARY = Guesser("sessione-segreteria", "198.51.100.20")


def test_the_secret_comes_from_streamlit_secrets_then_the_environment() -> None:
    assert configured_secret({"editor_secret": "dai-secrets"}, {SECRET_ENV: "dall-env"}) == (
        "dai-secrets"
    )
    assert configured_secret({}, {SECRET_ENV: "dall-env"}) == "dall-env"
    assert configured_secret({"editor_secret": "  "}, {SECRET_ENV: ""}) is None
    assert configured_secret(None, {}) is None

    class NoSecretsFile(dict):
        def get(self, key, default=None):
            raise FileNotFoundError("secrets.toml")

    assert configured_secret(NoSecretsFile(), {SECRET_ENV: "dall-env"}) == "dall-env"


def test_without_a_secret_publishing_is_off_and_says_how_to_configure(
    throttle: Throttle, clock: Clock
) -> None:
    verdict = gate(throttle, clock, secret=None).check("qualsiasi", VISITOR)
    assert verdict.outcome is Outcome.NOT_CONFIGURED and not verdict.ok
    assert "secrets.toml" in verdict.message and SECRET_ENV in verdict.message


def test_the_right_secret_opens(throttle: Throttle, clock: Clock) -> None:
    assert gate(throttle, clock).check(SECRET, SECRETARY).ok


def test_an_empty_guess_is_not_counted(throttle: Throttle, clock: Clock) -> None:
    for _ in range(10):
        assert gate(throttle, clock).check("", VISITOR).outcome is Outcome.EMPTY
    assert gate(throttle, clock).check(SECRET, VISITOR).ok


def test_a_wrong_secret_is_refused_without_echoing_anything(
    throttle: Throttle, clock: Clock
) -> None:
    verdict = gate(throttle, clock).check("mela-verde-41", VISITOR)
    assert verdict.outcome is Outcome.WRONG
    assert verdict.message == "La password di pubblicazione non è corretta."
    assert SECRET not in repr(gate(throttle, clock))
    assert "mela" not in repr(throttle.__dict__)


def test_the_comparison_is_constant_time(
    throttle: Throttle, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(access.hmac, "compare_digest", spy)
    gate(throttle, clock).check("sbagliata", VISITOR)
    gate(throttle, clock).check(SECRET, SECRETARY)
    assert len(calls) == 2


def test_wrong_guesses_slow_down_their_session_with_a_capped_growing_wait(
    throttle: Throttle, clock: Clock
) -> None:
    policy = Policy()
    # The first wrong guesses are answered at once.
    for _ in range(policy.free_failures):
        assert gate(throttle, clock).check("no", VISITOR).outcome is Outcome.WRONG
    # Then each wrong guess imposes a growing wait on this session.
    slowed = gate(throttle, clock).check("no", VISITOR)
    assert slowed.outcome is Outcome.WRONG and slowed.wait == policy.base_delay
    assert "riprovare tra 5 secondi" in slowed.message
    early = gate(throttle, clock).check(SECRET, VISITOR)  # even the right secret must wait
    assert early.outcome is Outcome.WAIT and "riprova tra 5 secondi" in early.message
    assert gate(throttle, clock).status(VISITOR).outcome is Outcome.WAIT
    clock.now += slowed.wait
    assert gate(throttle, clock).check("no", VISITOR).wait == 2 * policy.base_delay
    # The wait never grows past max_delay.
    assert policy.delay(40) == policy.max_delay == 5 * 60


def test_fifty_wrong_guesses_never_stop_the_secretary(throttle: Throttle, clock: Clock) -> None:
    # 50 guesses fired at once from one session: 2 compared and refused, the rest must wait.
    outcomes = [gate(throttle, clock).check(f"tentativo-{i}", VISITOR).outcome for i in range(50)]
    assert outcomes[:3] == [Outcome.WRONG] * 3 and set(outcomes[3:]) == {Outcome.WAIT}
    # 50 wrong guesses each made as soon as allowed, from the same session.
    counted = 3
    while counted < 50:
        verdict = gate(throttle, clock).check(f"tentativo-{counted}", VISITOR)
        if verdict.outcome is Outcome.WAIT:
            clock.now += verdict.wait
            continue
        assert verdict.outcome is Outcome.WRONG
        counted += 1
    assert gate(throttle, clock).check(SECRET, VISITOR).outcome is Outcome.WAIT
    # The secretary, in another session from another address, publishes at once.
    assert gate(throttle, clock).status(SECRETARY).ok
    assert gate(throttle, clock).check(SECRET, SECRETARY).ok


def test_new_sessions_from_one_address_share_its_window(throttle: Throttle, clock: Clock) -> None:
    policy = Policy()
    for i in range(policy.client_failures):  # a reload for every guess: always a new session
        verdict = gate(throttle, clock).check("no", Guesser(f"s{i}", VISITOR.client))
        assert verdict.outcome is Outcome.WRONG
    refused = gate(throttle, clock).check(SECRET, Guesser("nuova", VISITOR.client))
    assert refused.outcome is Outcome.WAIT
    assert refused.wait == policy.client_window  # until the first guess leaves the window
    # Only this address: the secretary elsewhere is not slowed.
    assert gate(throttle, clock).check(SECRET, SECRETARY).ok
    # The window slides: past it, the address may guess again.
    clock.now += policy.client_window
    assert gate(throttle, clock).check(SECRET, Guesser("nuova", VISITOR.client)).ok


def test_a_right_guess_resets_the_session_count(throttle: Throttle, clock: Clock) -> None:
    for _ in range(2):
        gate(throttle, clock).check("no", SECRETARY)
    assert gate(throttle, clock).check(SECRET, SECRETARY).ok
    for _ in range(2):
        assert gate(throttle, clock).check("no", SECRETARY).wait == 0


def test_the_throttle_remembers_a_bounded_number_of_guessers(
    throttle: Throttle, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(access, "MAX_TRACKED", 3)
    for i in range(10):
        gate(throttle, clock).check("no", Guesser(f"s{i}", f"10.0.0.{i}"))
    assert len(throttle._sessions) == 3 and len(throttle._clients) == 3


GUESSER_PROCESS = """
import sys
from pathlib import Path
from coopplan.editors.access import Gate, Guesser, Throttle
gate = Gate("mela-verde-42", Throttle(shared=Path(sys.argv[1])))
for n in range(int(sys.argv[2])):
    print(gate.check("sbagliata", Guesser(f"{sys.argv[3]}-{n}", "203.0.113.7")).outcome.value)
"""


def test_two_server_processes_share_one_guess_limit_per_address(tmp_path: Path) -> None:
    """Under serve.sh --processes 2 a guesser who spreads over both processes (a new session
    each time) still gets 10 wrong guesses per 15 minutes in all, not 10 per process."""
    shared = tmp_path / "tentativi.json"

    def guesses(count: int, name: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", GUESSER_PROCESS, str(shared), str(count), name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert guesses(6, "primo") == ["wrong"] * 6
    assert guesses(6, "secondo") == ["wrong"] * 4 + ["wait"] * 2
    assert guesses(1, "terzo") == ["wait"]
    # Another address (the secretary) is not held back by the file.
    secretary = Gate(SECRET, Throttle(shared=shared)).check(SECRET, SECRETARY)
    assert secretary.ok


def test_a_forwarded_address_is_believed_only_with_the_proxy_token() -> None:
    env = {access.PROXY_TOKEN_ENV: "token-di-serve"}
    nginx = {access.PROXY_TOKEN_HEADER: "token-di-serve", access.FORWARDED_HEADER: "10.0.0.5"}
    forged = {access.PROXY_TOKEN_HEADER: "indovinato", access.FORWARDED_HEADER: "10.0.0.6"}
    assert access.client_address("127.0.0.1", nginx, env) == "10.0.0.5"
    assert access.client_address("127.0.0.1", forged, env) == "127.0.0.1"
    assert access.client_address("127.0.0.1", {access.FORWARDED_HEADER: "10.0.0.7"}, env) == (
        "127.0.0.1"
    )
    assert access.client_address("10.1.1.1", nginx, {}) == "10.1.1.1"  # no serve.sh token
    assert access.client_address(None, {}, env) is None  # a browser on the server itself


@pytest.mark.parametrize("guide", ["README.md", "docs/installazione.md"])
def test_the_guides_state_the_waits_the_throttle_applies(guide: str) -> None:
    """Whoever installs or runs the dashboard reads the real rule: waits per session that grow,
    a sliding window per address; not a lock-out of everyone."""
    policy = Policy()
    text = " ".join((ROOT / guide).read_text().split())
    base = int(policy.base_delay)
    assert (
        f"i primi {policy.free_failures} errori hanno risposta subito, poi bisogna aspettare "
        f"{base} secondi, poi {2 * base}, {4 * base}, … fino a un massimo di "
        f"{int(policy.max_delay // 60)} minuti"
    ) in text
    window = int(policy.client_window // 60)
    assert f"al massimo {policy.client_failures} password ogni {window} minuti" in text or (
        f"al massimo {policy.client_failures} password in {window} minuti" in text
    )
    assert "nessun blocco vale per tutti" in text
