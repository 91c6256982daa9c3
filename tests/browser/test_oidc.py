"""Editors who sign in with the association's identity provider (st.login, OIDC), in a real
browser against a real ``streamlit run``: the provider is ``oidc-provider-mock`` started here on
127.0.0.1 (no outside service), the dashboard reads a temporary secrets.toml pointing at it.

Maria's address is on ``editor_emails``: she signs in at the provider, publishes, and the version,
the history and the audit log name her as the provider vouches for her. A guest signed in at the
same provider, whose address is not on the list, is told in Italian that they may look but not
edit, and can neither upload nor publish. Screenshots go to artifacts/oidc/; the sign-in button
and the guest's refusal are copied to docs/screenshots/ (installazione.md).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
from support.browser import free_ports, own_dashboard, stop
from support.browser_update import settled, shot
from support.paths import ROOT
from support.variants import COOP, as_bytes, project_with_amount, shipped, with_amount

from coopplan.editors.audit import entries
from coopplan.editors.backends import audit_for
from coopplan.store.folder import Store

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "artifacts" / "oidc"
SCREENSHOTS = ROOT / "docs" / "screenshots"
TIMEOUT_MS = 30_000
MARIA = {
    "sub": "maria.rossi",
    "email": "Maria.Rossi@coop-restart.example",
    "email_verified": True,
    "name": "Maria Rossi",
}
GUEST = {
    "sub": "ospite",
    "email": "ospite@altra-associazione.example",
    "email_verified": True,
    "name": "Ospite Curioso",
}
MARIA_EDITOR = "Maria Rossi (maria.rossi@coop-restart.example)"
CLIENT_SECRET = secrets.token_urlsafe(24)
COOKIE_SECRET = secrets.token_urlsafe(32)


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """oidc-provider-mock on 127.0.0.1 and a free port, knowing Maria and the guest."""
    port = free_ports()
    command = [
        sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port),
        "--require-nonce", "--user-claims", json.dumps(MARIA), "--user-claims", json.dumps(GUEST),
    ]  # fmt: skip
    log = tmp_path_factory.mktemp("oidc_log") / "provider.log"
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_metadata(url, process, log)
        yield url
    finally:
        stop(process)


def _wait_metadata(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oidc-provider-mock exited:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("oidc-provider-mock did not answer in time")


def secrets_toml(provider_url: str, allowed: list[str]) -> str:
    """What an association writes in .streamlit/secrets.toml (docs/installazione.md)."""
    return "\n".join(
        [
            f"editor_emails = {json.dumps(allowed)}",
            "",
            "[auth]",
            'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"',
            f'cookie_secret = "{COOKIE_SECRET}"',
            'client_id = "coopplan"',
            f'client_secret = "{CLIENT_SECRET}"',
            f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"',
            "",
        ]
    )


@dataclass(frozen=True)
class Served:
    url: str
    store: Store
    provider: str
    secrets: Path  # the secrets.toml the dashboard reads
    log: Path  # the dashboard's output


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, provider: str) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("oidc_secrets")
    path, log = folder / "secrets.toml", folder / "st.log"
    path.write_text(secrets_toml(provider, ["maria.rossi@coop-restart.example"]))
    with own_dashboard(tmp_path_factory, "oidc_store", secrets=path, log=log) as (url, store):
        yield Served(url, store, provider, path, log)


def _replace(path: Path, content: str) -> None:
    """Write ``content`` as an administrator's editor would: whole, at once."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(content)
    os.replace(temporary, path)


@pytest.fixture(scope="module")
def shots() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


def _context(chromium, outside: list[str]):
    """A fresh browser (no cookies) whose requests may reach 127.0.0.1 only: anything else (the
    mock's login page links a stylesheet on a CDN) is refused and noted."""
    context = chromium.new_context(viewport={"width": 1280, "height": 720}, locale="it-IT")

    def guard(route) -> None:
        parsed = urlparse(route.request.url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname != "127.0.0.1":
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return context, page


JOINER = "\u2060"  # ui.safe.text puts a word joiner after '@' (no e-mail autolink)


def _shows(page, sentence: str) -> None:
    """Wait until the page shows ``sentence`` (read as a person reads it: word joiners aside)."""
    page.wait_for_function(
        "(s) => document.body.innerText.replaceAll('\\u2060', '').includes(s)", arg=sentence
    )


def _workbook(tmp_path: Path, name: str, more: int) -> Path:
    plan = shipped()
    project = project_with_amount(plan, COOP)
    path = tmp_path / name
    path.write_bytes(
        as_bytes(with_amount(plan, project, COOP, plan.funding_of(project)[COOP] + more))
    )
    return path


def _sign_in_at_provider(page, url: str, subject: str, shots: Path, name: str) -> None:
    """«Accedi con l'account dell'associazione» on «Aggiorna il piano», the provider's page, and
    back to «Aggiorna il piano» (Streamlit lands on the home page, which sends a person just
    back from the provider on: app.py)."""
    page.goto(f"{url}/aggiorna")
    page.get_by_role("heading", name="Aggiorna il piano").wait_for()
    settled(page)
    assert page.locator('input[type="file"]').count() == 0  # a visitor so far
    shot(page, shots / f"{name}_1_visitatore.png")
    page.get_by_role("button", name="Accedi con l'account dell'associazione").click()
    page.wait_for_url(lambda u: urlparse(u).port != urlparse(url).port)
    page.get_by_role("button", name=subject, exact=True).click()
    page.wait_for_url(f"{url}/aggiorna")  # back where the sign-in began, not the home page
    page.get_by_role("heading", name="Aggiorna il piano").wait_for()
    settled(page)


def test_an_allowed_address_publishes_under_its_verified_name_and_another_cannot(
    server, chromium, shots: Path, tmp_path: Path
) -> None:
    url, store = server.url, server.store
    outside: list[str] = []
    modified = _workbook(tmp_path, "piano_aprile.xlsx", 1000)

    maria_context, maria = _context(chromium, outside)
    _sign_in_at_provider(maria, url, MARIA["sub"], shots, "maria")
    _shows(maria, f"Hai eseguito l'accesso come {MARIA_EDITOR}: puoi caricare e pubblicare")
    shot(maria, shots / "maria_2_editor.png")
    assert maria.get_by_label("Il tuo nome").count() == 0  # nobody types who they are
    maria.locator('input[type="file"]').set_input_files(str(modified))
    maria.get_by_text("Che cosa cambia").wait_for()
    maria.get_by_label("Nota (facoltativa)").fill("Consiglio di aprile")
    maria.get_by_role("button", name="Pubblica").click()
    maria.get_by_text("Pubblicata la versione 2 del piano 2023").wait_for()
    settled(maria)
    shot(maria, shots / "maria_3_pubblicato.png")
    assert store.current().number == 2
    assert store.current().editor == MARIA_EDITOR
    _shows(maria, "Consiglio di aprile")
    history = maria.locator('[data-testid="stTable"]').first.inner_text().replace(JOINER, "")
    assert MARIA_EDITOR in history  # the history on the page names her
    log = entries(audit_for(store))
    signed = [e for e in log if e.event == "sign-in" and e.editor == MARIA_EDITOR]
    assert signed and signed[0].outcome == "ok" and signed[0].detail == "OIDC"
    published = [e for e in log if e.event == "publish"]
    assert [(e.editor, e.outcome, e.detail) for e in published] == [
        (MARIA_EDITOR, "ok", "versione 2")
    ]
    assert CLIENT_SECRET not in maria.content()

    # «Esci»: the session ends and the provider's cookie goes (no silent sign-in next run).
    maria.get_by_role("button", name="Esci").click()
    maria.wait_for_url(lambda u: urlparse(u).port != urlparse(url).port)
    maria.get_by_role("button", name="End session").click()  # the mock provider's own page
    maria.wait_for_url(lambda u: urlparse(u).port == urlparse(url).port and "oauth2" not in u)
    maria.goto(f"{url}/aggiorna")
    maria.get_by_role("button", name="Accedi con l'account dell'associazione").wait_for()
    settled(maria)
    assert maria.locator('input[type="file"]').count() == 0
    assert any(
        e.event == "sign-out" and e.editor == MARIA_EDITOR for e in entries(audit_for(store))
    )
    maria_context.close()

    guest_context, guest = _context(chromium, outside)
    _sign_in_at_provider(guest, url, GUEST["sub"], shots, "ospite")
    _shows(
        guest,
        "Hai eseguito l'accesso come ospite@altra-associazione.example, ma questo indirizzo non è "
        "tra quelli autorizzati ad aggiornare il piano: puoi consultare la dashboard, non "
        "modificarla.",
    )
    shot(guest, shots / "ospite_2_non_autorizzato.png")
    shutil.copyfile(shots / "maria_1_visitatore.png", SCREENSHOTS / "aggiorna-accedi-oidc-1280.png")
    shutil.copyfile(
        shots / "ospite_2_non_autorizzato.png",
        SCREENSHOTS / "aggiorna-oidc-non-autorizzato-1280.png",
    )
    assert guest.locator('input[type="file"]').count() == 0
    assert guest.get_by_role("button", name="Pubblica").count() == 0
    assert guest.get_by_text("Registro delle operazioni").count() == 0
    assert store.current().number == 2  # nothing written by the guest
    refused = [e for e in entries(audit_for(store)) if e.editor == GUEST["email"]]
    assert [(e.event, e.outcome) for e in refused] == [("sign-in", "refused")]
    guest_context.close()
    assert all(urlparse(u).hostname != "127.0.0.1" for u in outside)  # only refused ones


def test_an_address_taken_off_the_list_publishes_nothing_and_one_put_on_it_can_edit(
    server: Served, chromium, shots: Path, tmp_path: Path
) -> None:
    """The administrator edits editor_emails while the dashboard runs: Maria, signed in with a
    file ready, is taken off and publishes nothing; the guest, put on, becomes an editor; no
    restart. Neither the provider's client secret nor the cookie secret reaches the log."""
    url, store = server.url, server.store
    outside: list[str] = []
    before = store.current().number
    maria_context, maria = _context(chromium, outside)
    _sign_in_at_provider(maria, url, MARIA["sub"], shots, "maria_di_nuovo")
    _shows(maria, f"Hai eseguito l'accesso come {MARIA_EDITOR}")
    maria.locator('input[type="file"]').set_input_files(str(_workbook(tmp_path, "p.xlsx", 500)))
    maria.get_by_text("Che cosa cambia").wait_for()
    settled(maria)
    guest_context, guest = _context(chromium, outside)
    _sign_in_at_provider(guest, url, GUEST["sub"], shots, "ospite_di_nuovo")
    _shows(guest, "ma questo indirizzo non è tra quelli autorizzati")

    _replace(server.secrets, secrets_toml(server.provider, [GUEST["email"]]))
    deadline = time.monotonic() + 30  # Streamlit polls secrets.toml: the guest's page tells
    while guest.locator('input[type="file"]').count() == 0:
        assert time.monotonic() < deadline, "the new editor_emails was not read"
        guest.goto(f"{url}/aggiorna")
        guest.get_by_role("heading", name="Aggiorna il piano").wait_for()
        settled(guest)
    _shows(guest, "Hai eseguito l'accesso come Ospite Curioso (ospite@altra-associazione.example)")
    shot(guest, shots / "ospite_3_aggiunto.png")

    maria.get_by_role("button", name="Pubblica").click()
    _shows(
        maria,
        "L'indirizzo maria.rossi@coop-restart.example non è più tra quelli autorizzati ad "
        "aggiornare il piano: niente è stato pubblicato.",
    )
    settled(maria)
    shot(maria, shots / "maria_4_tolta.png")
    assert store.current().number == before
    assert [e.editor for e in entries(audit_for(store)) if e.event == "publish"] == [
        MARIA_EDITOR  # her version of the first test only
    ]
    maria_context.close()
    guest_context.close()
    written = server.log.read_text(errors="replace") + "\n".join(audit_for(store).lines())
    assert CLIENT_SECRET not in written and COOKIE_SECRET not in written


IDLE_SECONDS = 30


@pytest.fixture(scope="module")
def idle_server(tmp_path_factory: pytest.TempPathFactory, provider: str) -> Iterator[Served]:
    """A dashboard whose editors time out after 30 s without a page run."""
    folder = tmp_path_factory.mktemp("oidc_idle")
    path, log = folder / "secrets.toml", folder / "st.log"
    path.write_text(secrets_toml(provider, ["maria.rossi@coop-restart.example"]))
    idle = {"COOPPLAN_EDITOR_IDLE_MINUTES": "0,5"}
    with own_dashboard(
        tmp_path_factory, "oidc_idle_store", secrets=path, log=log, env_extra=idle
    ) as (url, store):
        yield Served(url, store, provider, path, log)


def test_an_idle_provider_session_expires_and_the_cookie_does_not_bring_it_back(
    idle_server: Served, chromium, shots: Path
) -> None:
    """Streamlit's identity cookie lasts 30 days: after the idle time neither the open page nor a
    new tab is an editor until the person signs in at the provider again."""
    url, store = idle_server.url, idle_server.store
    outside: list[str] = []
    context, page = _context(chromium, outside)
    _sign_in_at_provider(page, url, MARIA["sub"], shots, "inattiva")
    _shows(page, f"Hai eseguito l'accesso come {MARIA_EDITOR}")
    page.wait_for_timeout((IDLE_SECONDS + 2) * 1000)  # the idle time is what is tested
    page.get_by_role("link", name="Aggiorna il piano").click()  # the next page run
    _shows(page, "La sessione è scaduta dopo 30 secondi di inattività")
    settled(page)
    shot(page, shots / "inattiva_2_scaduta.png")
    assert page.locator('input[type="file"]').count() == 0
    other = context.new_page()  # a new tab: the cookie is still there, the sign-in is stale
    other.set_default_timeout(TIMEOUT_MS)
    other.goto(f"{url}/aggiorna")
    other.get_by_role("button", name="Accedi con l'account dell'associazione").wait_for()
    _shows(other, "Il tuo accesso con l'account dell'associazione non è recente: accedi di nuovo")
    settled(other)
    assert other.locator('input[type="file"]').count() == 0
    other.get_by_role("button", name="Accedi con l'account dell'associazione").click()
    other.get_by_role("button", name=MARIA["sub"], exact=True).click()  # the provider again
    other.wait_for_url(f"{url}/aggiorna")
    other.locator('input[type="file"]').wait_for(state="attached")
    _shows(other, f"Hai eseguito l'accesso come {MARIA_EDITOR}")
    steps = [(e.event, e.outcome) for e in entries(audit_for(store)) if e.editor == MARIA_EDITOR]
    assert steps == [("sign-in", "ok"), ("sign-out", "expired"), ("sign-in", "ok")]
    context.close()
