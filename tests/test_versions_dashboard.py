"""The dashboard on the versioned store (AppTest on app.py): the plan in force, a new version seen
by open sessions on their next interaction, the plan selector, the read-only view, two years."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.readonly import read_only
from support.upload_pages import sign_in
from support.versions_pages import (
    UPDATE_PAGE,
    coop_total,
    flip_a_byte,
    raised,
    session,
    snapshot,
    store,  # noqa: F401 - fixtures
)

from coopplan.export.downloads import XLSX_MIME
from coopplan.store.folder import Store
from ui import keys


def test_open_sessions_show_a_new_version_on_their_next_interaction(store: Store) -> None:
    first, second = session(), session()
    assert coop_total(first) == coop_total(second) == "25.000 €"
    store.publish(raised(2500), "Maria Rossi")
    first.run()
    second.run()
    assert coop_total(first) == coop_total(second) == "27.500 €"
    assert not [s for s in first.sidebar.selectbox if s.label == "Piano"]  # one year: no selector


def test_an_older_version_is_shown_read_only_with_a_way_back(store: Store) -> None:
    store.publish(raised(2500), "Maria Rossi")
    at = session()
    at.session_state[keys.VIEW_VERSION] = 1
    at.run()
    banner = " ".join(w.value for w in at.warning)
    assert "Sola lettura" in banner and "versione 1" in banner and "versione 2" in banner
    assert coop_total(at) == "25.000 €"
    next(b for b in at.button if b.label == "Torna al piano in vigore").click()
    at.run()
    assert coop_total(at) == "27.500 €"
    assert not any("Sola lettura" in w.value for w in at.warning)


def test_two_years_get_a_selector_and_a_comparison(store: Store) -> None:
    store.publish(raised(10000, year=2024), "Maria Rossi")
    at = session()
    assert coop_total(at) == "35.000 €"  # the latest year by default
    [selector] = [s for s in at.sidebar.selectbox if s.label == "Piano"]
    assert selector.options == ["Piano 2024", "Piano 2023"]
    assert "Confronto tra anni" in [h.value for h in at.subheader]
    shown = "\n".join(t.value.to_string() for t in at.table)
    assert "25.000 €" in shown and "35.000 €" in shown and "+10.000 €" in shown
    selector.set_value(2023)
    at.run()
    assert coop_total(at) == "25.000 €"
    store.publish(raised(20000, year=2025), "Maria Rossi")
    at.run()  # a session that chose 2023 stays on 2023 when a new year appears
    assert coop_total(at) == "25.000 €"
    assert coop_total(session()) == "45.000 €"  # a new session starts on the newest year


def test_the_update_page_runs_inside_the_app_and_opens_an_old_version(store: Store) -> None:
    store.publish(raised(2500), "Maria Rossi")
    at = session()
    at.switch_page("app_pages/aggiorna.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Aggiorna il piano"]
    at.selectbox(key="agg_chosen_2023_2").set_value(1)
    at.run()
    next(b for b in at.button if b.label == "Visualizza nella dashboard").click()
    at.run()
    assert any("Sola lettura" in w.value for w in at.warning)  # the banner, at once
    at.switch_page("app_pages/panoramica.py").run()
    assert coop_total(at) == "25.000 €"


def test_an_unusable_store_still_shows_the_shipped_plan(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("COOPPLAN_WORKBOOK", raising=False)
    blocker = tmp_path / "un_file"
    blocker.write_text("non una cartella")
    monkeypatch.setenv("COOPPLAN_STORE", str(blocker / "store"))  # cannot be created
    at = session()
    assert coop_total(at) == "25.000 €"
    [told] = [e.value for e in at.error]
    assert "non si riesce a usare" in told and "che può non essere quello in vigore" in told
    at.switch_page("app_pages/aggiorna.py").run()
    assert any("non si riesce a leggere" in e.value for e in at.error)
    assert not at.exception


def test_a_damaged_newest_version_is_told_on_every_page_and_the_last_intact_one_shown(
    store: Store,
) -> None:
    newest = store.publish(raised(2500), "Maria Rossi")
    flip_a_byte(store, newest)
    at = session()  # no exception: the Italian banner instead of Streamlit's error page
    [banner] = [e.value for e in at.error]
    assert banner.startswith(
        "La versione 2 (in vigore) del piano 2023 è danneggiata: il suo file non corrisponde più "
        "a quello pubblicato. Mostro la versione 1 del"
    )
    assert "l'ultima integra, che non è quella in vigore" in banner and "README" in banner
    assert coop_total(at) == "25.000 €"  # version 1's total, not 27.500 €
    for page in ("app_pages/fonti.py", "app_pages/aggiorna.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        assert banner in [e.value for e in at.error]


def test_a_lost_manifest_is_told_and_never_reseeded(store: Store) -> None:
    store.publish(raised(2500), "Maria Rossi")
    store.manifest_path.write_bytes(b"")
    at = session()
    [told] = [e.value for e in at.error]
    assert (
        "Il registro delle versioni manifest.jsonl è vuoto, ma l'archivio contiene 2 file" in told
    )
    assert store.manifest_path.read_bytes() == b""  # no fresh version 1 over the history
    at.switch_page("app_pages/aggiorna.py").run()
    assert not at.exception
    assert not any("L'archivio è vuoto" in w.value for w in at.warning)


def test_publishing_into_a_read_only_store_says_so_in_italian_and_changes_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = AppTest.from_file(UPDATE_PAGE, default_timeout=60)  # as tests/test_upload_page.py
    at.secrets["editor_secret"] = "pubblica-2023"
    at.run()
    sign_in(at, "pubblica-2023")
    at.file_uploader[0].set_value(("piano.xlsx", raised(2500), XLSX_MIME))
    at.run()
    before = snapshot(store.root)
    read_only(monkeypatch, store.root)
    next(b for b in at.button if b.label == "Pubblica").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert (
        f"Il file non è stato pubblicato: l'archivio delle versioni ({store.root}) non si può "
        "scrivere (il disco è di sola lettura). Niente è cambiato."
    ) in " ".join(e.value for e in at.error)
    monkeypatch.undo()
    assert snapshot(store.root) == before
    assert store.current().number == 1
