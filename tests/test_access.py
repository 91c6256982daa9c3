"""Who may publish: the editor secret, its sources, slow-down and lockout across sessions."""

from __future__ import annotations

import hmac
from pathlib import Path

import pytest

from coopplan import access
from coopplan.access import (
    SECRET_ENV,
    STATE_FILE,
    Gate,
    Outcome,
    Policy,
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


def gate(folder: Path, clock: Clock, secret: str | None = SECRET) -> Gate:
    """A fresh Gate each time: like a new browser session or a new server process."""
    return Gate(folder, secret, Policy(), clock)


def test_the_secret_comes_from_streamlit_secrets_then_the_environment() -> None:
    assert configured_secret({"editor_secret": "dai-secrets"}, {SECRET_ENV: "dall-env"}) == (
        "dai-secrets"
    )
    assert configured_secret({}, {SECRET_ENV: "dall-env"}) == "dall-env"
    assert configured_secret({"editor_secret": "  "}, {SECRET_ENV: ""}) is None
    assert configured_secret(None, {}) is None

    class NoSecretsFile(dict):
        def get(self, key, default=None):  # noqa: ANN001, ANN202 - like st.secrets without a file
            raise FileNotFoundError("secrets.toml")

    assert configured_secret(NoSecretsFile(), {SECRET_ENV: "dall-env"}) == "dall-env"


def test_without_a_secret_publishing_is_off_and_says_how_to_configure(
    tmp_path: Path, clock: Clock
) -> None:
    verdict = gate(tmp_path, clock, secret=None).check("qualsiasi")
    assert verdict.outcome is Outcome.NOT_CONFIGURED and not verdict.ok
    assert "secrets.toml" in verdict.message and SECRET_ENV in verdict.message


def test_the_right_secret_opens(tmp_path: Path, clock: Clock) -> None:
    assert gate(tmp_path, clock).check(SECRET).ok


def test_an_empty_guess_is_not_counted(tmp_path: Path, clock: Clock) -> None:
    for _ in range(10):
        assert gate(tmp_path, clock).check("").outcome is Outcome.EMPTY
    assert gate(tmp_path, clock).check(SECRET).ok


def test_a_wrong_secret_is_refused_without_echoing_anything(tmp_path: Path, clock: Clock) -> None:
    verdict = gate(tmp_path, clock).check("mela-verde-41")
    assert verdict.outcome is Outcome.WRONG
    assert verdict.message == "La password di pubblicazione non è corretta."
    assert SECRET not in repr(gate(tmp_path, clock))
    assert "mela" not in (tmp_path / STATE_FILE).read_text()


def test_the_comparison_is_constant_time(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(access.hmac, "compare_digest", spy)
    gate(tmp_path, clock).check("sbagliata")
    gate(tmp_path, clock).check(SECRET)
    assert len(calls) == 2


def test_repeated_wrong_guesses_slow_down_then_lock_out_across_sessions(
    tmp_path: Path, clock: Clock
) -> None:
    policy = Policy()
    # The first wrong guesses are answered at once.
    for _ in range(policy.free_failures):
        assert gate(tmp_path, clock).check("no").outcome is Outcome.WRONG
    # Then each wrong guess imposes a growing wait, even from another session.
    slowed = gate(tmp_path, clock).check("no")
    assert slowed.outcome is Outcome.WRONG and slowed.wait == policy.base_delay
    assert "riprovare tra 5 secondi" in slowed.message
    early = gate(tmp_path, clock).check(SECRET)  # even the right secret must wait
    assert early.outcome is Outcome.WAIT and "riprova tra" in early.message
    clock.now += slowed.wait
    second = gate(tmp_path, clock).check("no")
    assert second.wait == 2 * policy.base_delay
    clock.now += second.wait
    # The last allowed wrong guess locks publishing for everyone.
    locked = gate(tmp_path, clock).check("no")
    assert locked.outcome is Outcome.LOCKED
    assert "bloccata per 15 minuti" in locked.message
    clock.now += 60
    assert gate(tmp_path, clock).check(SECRET).outcome is Outcome.LOCKED
    assert gate(tmp_path, clock).status().outcome is Outcome.LOCKED
    # When the lockout ends, the right secret works and the count starts again.
    clock.now += policy.lockout
    assert gate(tmp_path, clock).check(SECRET).ok
    assert gate(tmp_path, clock).check("no").wait == 0


def test_a_right_guess_resets_the_count(tmp_path: Path, clock: Clock) -> None:
    for _ in range(2):
        gate(tmp_path, clock).check("no")
    assert gate(tmp_path, clock).check(SECRET).ok
    for _ in range(2):
        assert gate(tmp_path, clock).check("no").wait == 0


def test_a_damaged_state_file_does_not_open_the_gate(tmp_path: Path, clock: Clock) -> None:
    (tmp_path / STATE_FILE).write_text("{non json")
    assert gate(tmp_path, clock).check("no").outcome is Outcome.WRONG
    assert gate(tmp_path, clock).check(SECRET).ok
