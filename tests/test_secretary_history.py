"""The secretary's form and history (issue 10 §5): a stale «Data versione» is told in the preview
and today's date offered; a status change is listed once; «Confronta due versioni» stands apart.
The restore of the version in force and a wrong password are in tests/test_upload_page.py and
tests/test_store*.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.paths import ROOT
from support.upload_pages import sign_in
from support.variants import as_bytes, shipped, with_amount, with_project_field

from coopplan import fmt, load_plan
from coopplan.diff import diff_plans, stale_version_date
from coopplan.editors import access
from coopplan.editors.access import SECRET_ENV, Throttle
from coopplan.plan import Plan
from coopplan.store.folder import Store
from coopplan.store.location import open_store
from coopplan.store.model import STORE_ENV
from coopplan.text import shown_text
from coopplan.workbook.schema import PROGETTI
from coopplan.workbook.writer import restamped_bytes

PAGE = str(ROOT / "app_pages" / "aggiorna.py")
SECRET = "pubblica-2023"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COOP = "Risorse Coop Re-Start"
TODAY = dt.date.today()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "store"))
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.setattr(access, "THROTTLE", Throttle())
    return open_store()


def page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.secrets["editor_secret"] = SECRET
    at.run()
    assert not at.exception
    return sign_in(at, SECRET)


def upload(at: AppTest, data: bytes) -> AppTest:
    at.file_uploader[0].set_value(("piano_nuovo.xlsx", data, XLSX_MIME))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def publish(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Pubblica").click()
    at.run()
    assert not at.exception
    return at


def raised(plan: Plan) -> Plan:
    """The shipped plan with 2.500 € more on P1-03 (a real change to publish)."""
    return with_amount(plan, "P1-03", COOP, plan.funding_of("P1-03")[COOP] + 2500)


def dated(plan: Plan, when: dt.date | None) -> Plan:
    return replace(plan, meta=replace(plan.meta, version_date=when))


# «Data versione» ----------------------------------------------------------------------------------


def test_stale_version_date_core() -> None:
    old = shipped()
    before = old.meta.version_date
    assert stale_version_date(old, old)
    assert stale_version_date(old, dated(old, None))
    assert stale_version_date(old, dated(old, before - dt.timedelta(days=1)))
    assert not stale_version_date(old, dated(old, before + dt.timedelta(days=1)))
    again = load_plan(restamped_bytes(old, TODAY)).plan
    assert again.meta.version_date == TODAY
    assert [c.field for c in diff_plans(old, again).meta] == ["Data versione"]  # only it


def test_a_stale_date_is_warned_and_today_is_published(store: Store) -> None:
    before = shipped().meta.version_date
    at = upload(page(), as_bytes(raised(shipped())))  # same «Data versione» as in force
    warning = "\n".join(shown_text(w.value) for w in at.warning)
    assert f"La «Data versione» del file ({fmt.date(before)}) non è successiva" in warning
    box = at.checkbox(key="agg_today_date")
    today = dt.date.today()  # at the page's run, not at import: a run may cross midnight
    assert shown_text(box.label) == f"Usa la data di oggi ({fmt.date(today)}) come «Data versione»"
    assert box.value is True
    publish(at)
    published = store.load(store.current())
    assert store.current().number == 2
    assert published.meta.version_date == today
    assert published.funding_of("P1-03")[COOP] == shipped().funding_of("P1-03")[COOP] + 2500


def test_the_file_date_is_kept_when_today_is_declined(store: Store) -> None:
    at = upload(page(), as_bytes(raised(shipped())))
    at.checkbox(key="agg_today_date").uncheck().run()
    publish(at)
    assert store.load(store.current()).meta.version_date == shipped().meta.version_date


def test_a_newer_date_gets_no_warning(store: Store) -> None:
    newer = dated(raised(shipped()), shipped().meta.version_date + dt.timedelta(days=3))
    at = upload(page(), as_bytes(newer))
    assert not [w for w in at.warning if "Data versione" in w.value]
    assert not [c for c in at.checkbox if c.key == "agg_today_date"]


# Each change once ---------------------------------------------------------------------------------


def test_a_status_change_is_listed_once(store: Store) -> None:
    plan = shipped()
    old_status = plan.project("P1-03").status
    new_status = "Concluso" if old_status != "Concluso" else "In corso"
    changed = with_project_field(plan, "P1-03", "status", new_status)
    changed = with_project_field(changed, "P1-03", "title", "Rating cooperativo 2")
    titles = dict(diff_plans(plan, changed).tables())
    assert list(titles["Stati cambiati"]["Stato dopo"]) == [new_status]
    title_header = PROGETTI.column("title").header
    assert list(titles["Progetti modificati"]["Campo"]) == [title_header]  # not the Stato again
    at = upload(page(), as_bytes(changed))
    rows_with_status = [
        row
        for t in at.table
        for row in t.value.astype(str).itertuples(index=False)
        if new_status in row and old_status in row
    ]
    assert len(rows_with_status) == 1, rows_with_status


# Comparing versions stands apart ------------------------------------------------------------------


def test_compare_versions_is_its_own_section(store: Store) -> None:
    store.publish(as_bytes(raised(shipped())), "Maria Rossi")
    at = page()
    heads = [s.value for s in at.subheader]
    assert "Confronta due versioni" in heads
    assert heads.index("Confronta due versioni") > heads.index("Storico delle versioni")
    kinds = [(e.type, getattr(e, "value", "")) for e in at.main]
    at_compare = kinds.index(("subheader", "Confronta due versioni"))
    assert kinds[at_compare - 1][0] == "divider"  # a rule right above it
    assert any("già pubblicate" in c.value for c in at.caption)


# The header -----------------------------------------------------------------------------------------


def test_the_header_shows_the_publication_date_beside_the_version_date(store: Store) -> None:
    store.publish(as_bytes(raised(shipped())), "Maria Rossi")  # the file's own (old) date
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception and not at.error
    header = "\n".join(shown_text(m.value) for m in at.markdown)
    before = fmt.date(shipped().meta.version_date)
    published = store.current().time.astimezone().date()
    assert f"Versione del {before} · pubblicata il {fmt.date(published)}" in header


def test_restoring_the_version_in_force_is_off_before_the_click(store: Store) -> None:
    store.publish(as_bytes(raised(shipped())), "Maria Rossi")
    at = page()  # the history's chosen version is the one in force (2)
    restore = next(b for b in at.button if b.label == "Ripristina")
    assert restore.disabled
    assert "Questa è già la versione in vigore." in [i.value for i in at.info]
