"""python -m coopplan publish / history / restore / get on a temporary store."""

from __future__ import annotations

import getpass
import io
from pathlib import Path

import pytest
from support.variants import COOP, SHIPPED, as_bytes, project_with_amount, shipped, with_amount

from coopplan.cli import main
from coopplan.editors.accounts import add_editor, system_actor
from coopplan.editors.audit import entries
from coopplan.editors.backends import audit_for, editors_for
from coopplan.store.folder import Store
from coopplan.store.location import open_store

PASSWORD = "mela-verde-2026!"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("COOPPLAN_STORE", str(tmp_path / "archivio"))
    return open_store()


def modified(tmp_path: Path) -> Path:
    plan = shipped()
    project = project_with_amount(plan, COOP)
    path = tmp_path / "piano_marzo.xlsx"
    path.write_bytes(
        as_bytes(with_amount(plan, project, COOP, plan.funding_of(project)[COOP] + 2500))
    )
    return path


def test_publish_prints_the_version_and_what_changed(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An editor signs in on the command line (the password on standard input)."""
    add_editor(editors_for(store), audit_for(store), "Maria Rossi", PASSWORD, system_actor())
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code = main(["publish", str(modified(tmp_path)), "--editor", "maria rossi", "--note", "marzo"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Pubblicata la versione 2" in out and "Maria Rossi" in out
    assert f"{COOP}: +2.500 € (da 25.000 € a 27.500 €)." in out
    assert store.current().note == "marzo" and store.current().editor == "Maria Rossi"
    assert [(e.event, e.editor, e.client) for e in entries(audit_for(store))][-2:] == [
        ("sign-in", "Maria Rossi", "riga di comando"),
        ("publish", "Maria Rossi", "riga di comando"),
    ]


def test_a_write_without_an_editor_names_the_operating_system_user(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["publish", str(modified(tmp_path))]) == 0
    user = f"utente di sistema: {getpass.getuser()}"
    assert store.current().editor == user
    main(["history"])
    assert user in capsys.readouterr().out.splitlines()[-1]


def test_a_wrong_password_on_the_command_line_publishes_nothing(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_editor(editors_for(store), audit_for(store), "Maria Rossi", PASSWORD, system_actor())
    monkeypatch.setattr("sys.stdin", io.StringIO("non-e-la-sua\n"))
    assert main(["publish", str(modified(tmp_path)), "--editor", "Maria Rossi"]) == 1
    assert capsys.readouterr().err == (
        "Errore: Accesso come «Maria Rossi» non riuscito. Nome o password non corretti.\n"
    )
    assert [v.number for v in store.versions()] == [1]
    assert entries(audit_for(store))[-1].outcome == "wrong"


def test_publish_refuses_a_bad_file_with_exit_1_and_its_problems(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "piano.xlsx"
    bad.write_text("Progetto;Stato\n")
    assert main(["publish", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Il file non è stato pubblicato" in err and "Traceback" not in err
    assert main(["publish", str(tmp_path / "manca.xlsx")]) == 2
    assert [v.number for v in store.versions()] == [1]


def test_history_restore_and_get(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["publish", str(modified(tmp_path))])
    assert main(["restore", "1"]) == 0
    assert "ora è in vigore come versione 3" in capsys.readouterr().out
    assert main(["history"]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = [line for line in out if line.strip()[:1].isdigit()]
    assert [r.split()[0] for r in rows] == ["1", "2", "3"]
    assert "in vigore" in rows[-1] and "ripristino della versione 1" in rows[-1]
    target = tmp_path / "v1.xlsx"
    assert main(["get", "1", "-o", str(target)]) == 0
    assert target.read_bytes() == SHIPPED.read_bytes()
    assert main(["restore", "42"]) == 1
    assert "La versione 42 non esiste." in capsys.readouterr().err


def test_verify_exits_0_on_a_sound_store_and_1_naming_the_damage(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["publish", str(modified(tmp_path))])
    capsys.readouterr()
    assert main(["verify"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"Archivio {store.root}: 2 versioni nel registro, 2 file di versioni.",
        "L'archivio è integro: ogni riga del registro e ogni file sono a posto.",
        "Registro delle operazioni (audit.jsonl): 1 riga.",
        "Il registro delle operazioni è integro.",
    ]
    newest = store.current()
    store.object_path(newest.sha256).unlink()
    assert main(["verify", "--store", str(store.root)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[1] == (
        f"DANNO: La versione 2 del piano 2023 manca: il suo file objects/{newest.sha256}.xlsx "
        "non è nell'archivio."
    )
    assert err[-1].startswith("L'archivio è danneggiato (1 problema). Ripristina la cartella")
    assert main(["history"]) == 0  # the listing still works, and says what is wrong
    captured = capsys.readouterr()
    assert "in vigore  ← MANCA" in captured.out
    assert "Attenzione: La versione 2 (in vigore) del piano 2023 manca" in captured.err
    assert main(["get", "2", "-o", str(tmp_path / "v2.xlsx")]) == 1
    assert "La versione 2 del piano 2023 manca" in capsys.readouterr().err


def test_a_lost_manifest_is_never_reseeded_by_the_command_line(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["publish", str(modified(tmp_path))])
    store.manifest_path.write_bytes(b"")
    capsys.readouterr()
    assert main(["history"]) == 1  # not "Nessuna versione", not a fresh version 1
    err = capsys.readouterr().err
    assert (
        "DANNO: Il registro delle versioni manifest.jsonl è vuoto, ma l'archivio contiene 2 file"
        in err
    )
    assert store.manifest_path.read_bytes() == b""
    assert main(["verify"]) == 1


def test_restoring_the_version_in_force_is_refused(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["restore", "1"]) == 1
    assert "La versione 1 è già quella in vigore del piano 2023" in capsys.readouterr().err
    assert [v.number for v in store.versions()] == [1]


def test_verify_exits_1_when_a_line_of_the_audit_log_was_altered(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["publish", str(modified(tmp_path))])
    main(["restore", "1"])
    log = store.root / "audit.jsonl"
    first, second = log.read_text(encoding="utf-8").splitlines()
    log.write_text(first.replace("publish", "restore") + "\n" + second + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["verify"]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "DANNO: Registro delle operazioni (audit.jsonl), riga 2: non segue la riga precedente "
        "(numero o collegamento diversi): una riga è stata tolta, cambiata o aggiunta."
    )


def test_copy_takes_the_audit_log_and_the_editors_along(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_editor(editors_for(store), audit_for(store), "Maria Rossi", PASSWORD, system_actor())
    main(["publish", str(modified(tmp_path))])
    capsys.readouterr()
    backup = tmp_path / "copia"
    assert main(["copy", str(store.root), str(backup)]) == 0
    assert "Registro delle operazioni: 2 righe copiate; editor: 1 copiato." in (
        capsys.readouterr().out
    )
    assert (backup / "audit.jsonl").read_bytes() == (store.root / "audit.jsonl").read_bytes()
    assert editors_for(Store(backup)).get("Maria Rossi") is not None
    assert main(["verify", "--store", str(backup)]) == 0
