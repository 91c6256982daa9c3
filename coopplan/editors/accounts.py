"""Named editors: who may change the plan, each with their own password, and the writes that name
them.

An editor is a name (shown in the history: «Maria Rossi») and a password kept only as a salted
scrypt hash (``hashlib.scrypt``, OpenSSL's; parameters stored in each hash so they can be raised
later). They live in the store, so every process of the dashboard and the command line sees the
same editors at once: the folder store keeps ``editors.json`` (replaced atomically under the
store's ``manifest.lock``, readable only by the owner), PostgreSQL the table ``coopplan_editors``
(``coopplan.editors.postgres``). Names are compared as the eye reads them (case, spaces, Unicode form).

``SignIn.check`` verifies a name and password in constant time (an unknown name costs the same
scrypt as a known one) and slows down wrong guesses through ``coopplan.editors.access.Throttle``: per
browser session, per client address, and per account *from that client*, never per account
alone, so a visitor hammering «Maria Rossi» cannot keep Maria out from her own computer. Every
attempt, and every write done through ``publish_as``/``restore_as``/``mark_as``, goes to the
audit log (``coopplan.editors.audit``).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import getpass
import hashlib
import hmac
import json
import os
import secrets
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from coopplan.editors.access import THROTTLE, Guesser, Throttle, _duration
from coopplan.editors.audit import (
    CLI_CLIENT,
    SYSTEM_USER,
    UNKNOWN_NAME,
    Action,
    AuditLog,
    Event,
    Result,
)
from coopplan.store.files import atomic_write, locked, os_reason
from coopplan.store.folder import LOCK
from coopplan.store.marks import Mark
from coopplan.store.model import DISPLAY_TIMEZONE, StoreError, Version, VersionStore

EDITORS_FILE = "editors.json"
MIN_PASSWORD = 12  # characters
MAX_PASSWORD = 1024
MAX_NAME = 100
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1  # 32 MiB, ~0,1-0,3 s on the server (decisions.md)
SCRYPT_MAXMEM = 256 * 1024 * 1024
HASH_BYTES = 32


# Passwords -----------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """'scrypt$32768$8$1$<salt>$<hash>' (base64): what is stored instead of the password."""
    salt = secrets.token_bytes(16)
    derived = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(
        ["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(derived)]
    )


def verify_password(password: str, encoded: str) -> bool:
    """True when ``password`` gives ``encoded``; compared in constant time. A malformed hash is
    never matched (but still costs one scrypt, as a real one)."""
    try:
        kind, n, r, p, salt, expected = encoded.split("$")
        if kind != "scrypt":
            raise ValueError(kind)
        params = int(n), int(r), int(p)
        salt_bytes, expected_bytes = _unb64(salt), _unb64(expected)
    except ValueError:
        _scrypt(password, b"0" * 16, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        return False
    derived = _scrypt(password, salt_bytes, *params)
    return hmac.compare_digest(derived, expected_bytes)


_DUMMY: list[str] = []  # a hash to check unknown names against, made once


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY[0]


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=SCRYPT_MAXMEM, dklen=HASH_BYTES
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except Exception as exc:  # binascii.Error: a hash altered by hand
        raise ValueError("bad base64") from exc


def password_problem(password: str, name: str = "") -> str:
    """Why ``password`` cannot be an editor's, in Italian ('' when it can)."""
    if len(password) < MIN_PASSWORD:
        return f"La password deve avere almeno {MIN_PASSWORD} caratteri."
    if len(password) > MAX_PASSWORD:
        return f"La password può avere al massimo {MAX_PASSWORD} caratteri."
    if name and account_key(password) == account_key(name):
        return "La password non può essere uguale al nome."
    return ""


# Names ---------------------------------------------------------------------------------------


def account_key(name: str) -> str:
    """The name as compared: Unicode NFC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def clean_name(name: str) -> str:
    """An editor's name as shown (spaces collapsed); StoreError (Italian) when it cannot be one."""
    shown = " ".join(unicodedata.normalize("NFC", str(name or "")).split())
    if not shown:
        raise StoreError("Indica il nome dell'editor (per esempio «Maria Rossi»).")
    if len(shown) > MAX_NAME:
        raise StoreError(f"Il nome dell'editor è troppo lungo (al massimo {MAX_NAME} caratteri).")
    if any(unicodedata.category(c).startswith("C") for c in shown):
        raise StoreError("Il nome dell'editor contiene caratteri non stampabili.")
    if account_key(shown).startswith(account_key(SYSTEM_USER)) or account_key(shown) in (
        account_key(UNKNOWN_NAME),
        account_key(CLI_CLIENT),
    ):
        raise StoreError(f"«{shown}» non può essere il nome di un editor: scegline un altro.")
    return shown


# Accounts and where they are kept ----------------------------------------------------------


@dataclass(frozen=True)
class Account:
    name: str  # as shown
    password_hash: str = dataclasses.field(repr=False)
    added: dt.datetime = dataclasses.field(default_factory=lambda: _now())
    changed: dt.datetime = dataclasses.field(default_factory=lambda: _now())

    @property
    def key(self) -> str:
        return account_key(self.name)

    def record(self) -> dict[str, str]:
        return {
            "name": self.name,
            "hash": self.password_hash,
            "added": self.added.isoformat(timespec="seconds"),
            "changed": self.changed.isoformat(timespec="seconds"),
        }

    @classmethod
    def from_record(cls, record: dict[str, object]) -> Account:
        return cls(
            name=str(record["name"]),
            password_hash=str(record["hash"]),
            added=dt.datetime.fromisoformat(str(record["added"])),
            changed=dt.datetime.fromisoformat(str(record["changed"])),
        )


class Editors(Protocol):
    """Where a store keeps its editors. Refusals and failures raise StoreError (Italian)."""

    def accounts(self) -> list[Account]:
        """Every editor, by name."""
        ...

    def get(self, name: str) -> Account | None:
        """The editor with this name (compared by ``account_key``), or None."""
        ...

    def put(self, account: Account, *, new: bool) -> None:
        """Add (``new``: refused if the name exists) or replace (refused if it does not)."""
        ...

    def delete(self, name: str) -> Account:
        """Remove the editor; the one removed. Refused if there is none with this name."""
        ...


def refuse_put(held: Account | None, account: Account, *, new: bool) -> None:
    """StoreError when adding a name already held, or replacing one that is not."""
    if new and held is not None:
        raise StoreError(f"C'è già un editor di nome «{held.name}».")
    if not new and held is None:
        raise StoreError(f"Non c'è nessun editor di nome «{account.name}».")


def missing_editor(name: str) -> StoreError:
    return StoreError(f"Non c'è nessun editor di nome «{name}».")


class FolderEditors:
    """The editors of a folder store: ``editors.json`` (mode 0600), replaced atomically (temp
    file, fsync, rename) under the store's ``manifest.lock``; read afresh at every question, so
    an editor removed by the command line cannot sign in on a running dashboard."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.path = self.root / EDITORS_FILE

    def accounts(self) -> list[Account]:
        return sorted(self._read().values(), key=lambda a: a.key)

    def get(self, name: str) -> Account | None:
        return self._read().get(account_key(name))

    def put(self, account: Account, *, new: bool) -> None:
        with self._writing():
            held = self._read()
            refuse_put(held.get(account.key), account, new=new)
            held[account.key] = account
            self._write(held)

    def delete(self, name: str) -> Account:
        with self._writing():
            held = self._read()
            gone = held.pop(account_key(name), None)
            if gone is None:
                raise missing_editor(name)
            self._write(held)
        return gone

    def _read(self) -> dict[str, Account]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError(
                f"L'elenco degli editor ({self.path}) non si riesce a leggere ({os_reason(exc)})."
            ) from exc
        try:
            records = json.loads(raw)["editors"]
            accounts = [Account.from_record(r) for r in records]
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                f"L'elenco degli editor ({self.path}) è danneggiato: nessuno può accedere "
                "finché non viene ripristinato da una copia di sicurezza."
            ) from exc
        return {a.key: a for a in accounts}

    def _write(self, held: dict[str, Account]) -> None:
        records = [a.record() for a in sorted(held.values(), key=lambda a: a.key)]
        data = json.dumps({"editors": records}, ensure_ascii=False, indent=1) + "\n"
        atomic_write(self.path, data.encode("utf-8"), mode=0o600)

    def _writing(self) -> contextlib.AbstractContextManager[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        return locked(self.root / LOCK)


# Managing editors (the command line) -----------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who does something, as the audit log and the history name them: a verified editor's
    name, or «utente di sistema: mario» for the command line; and from where."""

    name: str
    client: str = CLI_CLIENT


def system_actor() -> Actor:
    """The operating-system user running the command line, said as such."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment: say so
        user = "sconosciuto"
    return Actor(f"{SYSTEM_USER}{user}")


def add_editor(editors: Editors, log: AuditLog, name: str, password: str, actor: Actor) -> Account:
    shown = clean_name(name)
    _refuse_password(password, shown)
    account = Account(shown, hash_password(password))
    editors.put(account, new=True)
    log.record(Action(Event.EDITOR_ADD, actor.name, actor.client, Result.OK, shown))
    return account


def reset_password(
    editors: Editors, log: AuditLog, name: str, password: str, actor: Actor
) -> Account:
    held = editors.get(name)
    if held is None:
        raise missing_editor(name)
    _refuse_password(password, held.name)
    account = dataclasses.replace(held, password_hash=hash_password(password), changed=_now())
    editors.put(account, new=False)
    log.record(Action(Event.EDITOR_RESET, actor.name, actor.client, Result.OK, held.name))
    return account


def remove_editor(editors: Editors, log: AuditLog, name: str, actor: Actor) -> Account:
    gone = editors.delete(name)
    log.record(Action(Event.EDITOR_REMOVE, actor.name, actor.client, Result.OK, gone.name))
    return gone


def _refuse_password(password: str, name: str) -> None:
    problem = password_problem(password, name)
    if problem:
        raise StoreError(problem)


def copy_editors(source: Editors, target: Editors) -> int:
    """Give ``target`` the editors of ``source`` it lacks (their hashes as they are); how many."""
    added = 0
    for account in source.accounts():
        if target.get(account.name) is None:
            target.put(account, new=True)
            added += 1
    return added


# Signing in ------------------------------------------------------------------------------


class Outcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    WAIT = "wait"
    EMPTY = "empty"
    NO_EDITORS = "no-editors"


@dataclass(frozen=True)
class SignInResult:
    outcome: Outcome
    editor: str = ""  # the verified name when OK
    wait: float = 0.0  # seconds before the next guess is considered
    retry_at: dt.datetime | None = None  # when, in Italian time

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def message(self) -> str:
        """One Italian sentence (never the password)."""
        later = ""
        if self.wait:
            at = f" (alle {self.retry_at:%H:%M})" if self.retry_at and self.wait >= 60 else ""
            later = _duration(self.wait) + at
        if self.outcome is Outcome.OK:
            return f"Accesso eseguito come {self.editor}."
        if self.outcome is Outcome.WRONG:
            tail = f" Per sicurezza, puoi riprovare tra {later}." if later else ""
            return "Nome o password non corretti." + tail
        if self.outcome is Outcome.WAIT:
            return f"Troppi tentativi ravvicinati: riprova tra {later}."
        if self.outcome is Outcome.EMPTY:
            return "Scrivi il tuo nome e la tua password."
        return NO_EDITORS_MESSAGE


NO_EDITORS_MESSAGE = (
    "Non c'è ancora nessun editor. Chi gestisce il server ne aggiunge uno con "
    "python -m coopplan editor add «Nome Cognome» (vedi docs/installazione.md)."
)


class SignIn:
    """Checks an editor's name and password, slowing down wrong guesses (see module doc) and
    writing every attempt to the audit log."""

    def __init__(
        self,
        editors: Editors,
        log: AuditLog,
        throttle: Throttle | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.editors = editors
        self.log = log
        self.throttle = THROTTLE if throttle is None else throttle
        self.clock = clock

    def check(self, name: str, password: str, who: Guesser) -> SignInResult:
        """The result of one attempt by ``who`` (its session and client address)."""
        if not name.strip() or not password:
            return SignInResult(Outcome.EMPTY)
        who = dataclasses.replace(who, account=account_key(name))
        account = self.editors.get(name)
        if account is None and not self.editors.accounts():
            return SignInResult(Outcome.NO_EDITORS)
        with self.throttle.guard():  # two guesses at once cannot both slip past the count
            now = self.clock()
            wait = self.throttle.wait(who, now)
            if wait > 0:
                result = SignInResult(Outcome.WAIT, wait=wait, retry_at=_at(wait))
            else:
                right = verify_password(password, account.password_hash if account else "")
                if right and account is not None:
                    self.throttle.succeeded(who)
                    result = SignInResult(Outcome.OK, editor=account.name)
                else:
                    wait = self.throttle.failed(who, now)
                    result = SignInResult(Outcome.WRONG, wait=wait, retry_at=_at(wait))
        outcome = {Outcome.OK: Result.OK, Outcome.WAIT: Result.WAIT}.get(
            result.outcome, Result.WRONG
        )
        shown = account.name if account is not None else UNKNOWN_NAME
        self.log.record(Action(Event.SIGN_IN, shown, who.client_key, outcome))
        return result


def _at(wait: float) -> dt.datetime | None:
    """When a wait of ``wait`` seconds ends, in Italian time, rounded up to the minute."""
    if wait <= 0:
        return None
    end = dt.datetime.now(ZoneInfo(DISPLAY_TIMEZONE)) + dt.timedelta(seconds=wait)
    return end.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)


def still_editor(editors: Editors, name: str) -> bool:
    """True while ``name`` is an editor (a session signed in before a removal is not)."""
    return editors.get(name) is not None


# Writes that name their editor -----------------------------------------------------------


def publish_as(
    store: VersionStore, log: AuditLog, actor: Actor, data: bytes, note: str = "", name: str = ""
) -> Version:
    """Publish as ``actor``; the attempt (done or refused) goes to the audit log."""
    try:
        version = store.publish(data, actor.name, note, name=name)
    except StoreError as exc:
        _refused(log, Event.PUBLISH, actor, name, exc)
        raise
    log.record(
        Action(Event.PUBLISH, actor.name, actor.client, Result.OK, f"versione {version.number}")
    )
    return version


def restore_as(
    store: VersionStore, log: AuditLog, actor: Actor, number: int, note: str = ""
) -> Version:
    try:
        version = store.restore(number, actor.name, note)
    except StoreError as exc:
        _refused(log, Event.RESTORE, actor, f"versione {number}", exc)
        raise
    detail = f"versione {number}, ora versione {version.number}"
    log.record(Action(Event.RESTORE, actor.name, actor.client, Result.OK, detail))
    return version


def mark_as(store: VersionStore, log: AuditLog, actor: Actor, number: int, day: dt.date) -> Mark:
    try:
        mark = store.mark_presented(number, day, actor.name)
    except StoreError as exc:
        _refused(log, Event.MARK, actor, f"versione {number}", exc)
        raise
    detail = f"versione {number}, {mark.assembly}"
    log.record(Action(Event.MARK, actor.name, actor.client, Result.OK, detail))
    return mark


def _refused(log: AuditLog, event: Event, actor: Actor, what: str, exc: StoreError) -> None:
    """Log a refused write; a log that cannot be written either (a read-only disk) does not
    hide the store's own reason, which the caller raises."""
    reason = exc.message.split(". ")[0][:200]
    detail = f"{what}: {reason}" if what else reason
    with contextlib.suppress(StoreError):
        log.record(Action(event, actor.name, actor.client, Result.REFUSED, detail))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# A signed-in session (the page keeps one; no streamlit here) -----------------------------

IDLE_ENV = "COOPPLAN_EDITOR_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 30.0


def idle_limit(environ: Mapping[str, str] | None = None) -> float:
    """Seconds a signed-in session may stay idle (COOPPLAN_EDITOR_IDLE_MINUTES, default 30;
    a value that is not a positive number counts as the default)."""
    text = (os.environ if environ is None else environ).get(IDLE_ENV, "").strip()
    try:
        minutes = float(text.replace(",", ".")) if text else DEFAULT_IDLE_MINUTES
    except ValueError:
        minutes = DEFAULT_IDLE_MINUTES
    return (minutes if minutes > 0 else DEFAULT_IDLE_MINUTES) * 60.0


@dataclass
class Session:
    """An editor signed in in one browser session: who, how (``password``, ``oidc``, or the old
    shared ``secret``), and when they were last active (``time.monotonic``)."""

    editor: str
    method: str
    client: str
    last_seen: float

    def expired(self, now: float, limit: float) -> bool:
        return now - self.last_seen > limit

    def touch(self, now: float) -> None:
        self.last_seen = now

    @property
    def actor(self) -> Actor:
        return Actor(self.editor, self.client)


EXPIRED_MESSAGE = (
    "La sessione è scaduta dopo {minutes} di inattività: accedi di nuovo per caricare o pubblicare."
)
REMOVED_MESSAGE = (
    "Il tuo accesso come «{name}» non è più valido (l'editor è stato tolto o rinominato): "
    "niente è stato pubblicato. Chiedi a chi gestisce il server."
)
SHARED_KEY_RETIRED_NOTICE = (
    "La vecchia password di pubblicazione non vale più: ora ognuno accede con il proprio nome e "
    "la propria password. Chi gestisce il server toglie la riga editor_secret da "
    ".streamlit/secrets.toml (o la variabile COOPPLAN_EDITOR_SECRET) e ti aggiunge con "
    "python -m coopplan editor add «Nome Cognome» (vedi docs/installazione.md)."
)
SHARED_KEY_LEGACY_NOTICE = (
    "Stai usando la vecchia password di pubblicazione, condivisa: la cronologia non può dire chi "
    "ha pubblicato. Chi gestisce il server aggiunge un editor per ogni persona con "
    "python -m coopplan editor add «Nome Cognome»; dal primo editor la password condivisa non "
    "vale più (vedi docs/installazione.md)."
)
SHARED_KEY_EDITOR = "password condivisa"  # who a write through the old shared one is


def shared_key_allowed(editors: Editors) -> bool:
    """The old shared secret opens the door only while no named editor exists (decisions.md)."""
    return not editors.accounts()
