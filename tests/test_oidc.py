"""Who among the people the identity provider signs in may change the plan (coopplan.editors.oidc); the
whole flow through st.login against a local provider is tests/browser/test_oidc.py."""

from __future__ import annotations

import pytest

from coopplan.editors.oidc import (
    Standing,
    allowed_emails,
    just_issued,
    provider_configured,
    verdict,
)

NOW = 1_800_000_000.0
HOUR = 3600.0
ALLOWED = allowed_emails({"editor_emails": [" Maria.Rossi@Coop.it ", "luca@coop.it", "non-email"]})


def claims(**extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "email": "maria.rossi@coop.it",
        "email_verified": True,
        "name": "Maria Rossi",
        "iat": NOW - 60,
    }
    return {**base, **extra}


def test_the_list_is_read_as_addresses_compared_without_case_or_spaces() -> None:
    assert ALLOWED == {"maria.rossi@coop.it", "luca@coop.it"}
    assert allowed_emails({"editor_emails": "Luca@Coop.it"}) == {"luca@coop.it"}
    assert allowed_emails({}) == frozenset() and allowed_emails(None) == frozenset()


def test_an_allowed_address_is_an_editor_under_the_name_and_address_the_provider_gives() -> None:
    seen = verdict(claims(email="MARIA.ROSSI@coop.it"), ALLOWED, NOW, HOUR)
    assert seen.allowed and seen.editor == "Maria Rossi (maria.rossi@coop.it)"
    assert seen.message == ""
    nameless = verdict(claims(name=None), ALLOWED, NOW, HOUR)
    assert nameless.editor == "maria.rossi@coop.it"


def test_an_address_not_on_the_list_may_look_but_not_edit() -> None:
    seen = verdict(claims(email="ospite@altro.it"), ALLOWED, NOW, HOUR)
    assert not seen.allowed and seen.standing is Standing.NOT_ALLOWED
    assert seen.message.startswith(
        "Hai eseguito l'accesso come ospite@altro.it, ma questo indirizzo non è tra quelli "
        "autorizzati ad aggiornare il piano: puoi consultare la dashboard, non modificarla."
    )


@pytest.mark.parametrize("extra", [{"email_verified": False}, {"email": None}, {"email": "maria"}])
def test_an_unverified_or_missing_address_is_never_an_editor(extra: dict[str, object]) -> None:
    seen = verdict(claims(**extra), ALLOWED, NOW, HOUR)
    assert seen.standing is Standing.UNVERIFIED and not seen.allowed
    assert "non ha un indirizzo e-mail verificato" in seen.message


def test_a_sign_in_older_than_the_idle_time_must_be_done_again() -> None:
    assert verdict(claims(iat=NOW - HOUR - 1), ALLOWED, NOW, HOUR).standing is Standing.STALE
    assert verdict(claims(iat=NOW - HOUR + 1), ALLOWED, NOW, HOUR).allowed


def test_a_hostile_or_endless_name_falls_back_to_the_address() -> None:
    assert verdict(claims(name="x" * 120), ALLOWED, NOW, HOUR).editor == "maria.rossi@coop.it"
    spoof = verdict(claims(name="utente di sistema: root"), ALLOWED, NOW, HOUR)
    assert spoof.editor == "maria.rossi@coop.it"


def test_the_provider_is_configured_by_the_auth_section_only() -> None:
    assert provider_configured({"auth": {"client_id": "x"}})
    assert not provider_configured({"editor_emails": ["a@b.it"]})
    assert not provider_configured(None)


def test_a_token_just_issued_means_the_person_is_back_from_the_provider() -> None:
    assert just_issued({"iat": NOW - 5}, NOW)
    assert not just_issued({"iat": NOW - 600}, NOW)  # a tab opened later: the home page
    assert not just_issued({}, NOW) and not just_issued({"iat": "ieri"}, NOW)
