"""The «Cronologia» page (AppTest on app.py): the values of a known history, the one-version
message, a restored version labelled as a return, what the sidebar filters do there."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest
from support.history import publish_history
from support.variants import COOP, as_bytes, project_with_amount, shipped, with_amount, with_year
from support.versions_pages import APP

from coopplan import fmt
from coopplan.store.folder import Store
from coopplan.store.location import open_store
from coopplan.text import shown_text
from coopplan.timeline import NO_HISTORY

PAGE = "app_pages/cronologia.py"


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.delenv("COOPPLAN_WORKBOOK", raising=False)
    seeded = open_store()  # the private store of tests/conftest.py
    seeded.ensure_seeded()
    return seeded


def on_page(**state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def versions_shown(at: AppTest):
    """«Le versioni»: the static table (ui.update.text_table) with a «Versione» column, its
    texts as a reader sees them (the Markdown escapes of data undone)."""
    [frame] = [t.value for t in at.table if "Versione" in t.value.columns]
    return frame.map(lambda v: shown_text(v) if isinstance(v, str) else v)


def chart(at: AppTest, index: int) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_one_version_says_there_is_no_history_yet(store: Store) -> None:
    at = on_page()
    assert [t.value for t in at.title] == ["Cronologia"]
    assert NO_HISTORY in [i.value for i in at.info]
    assert not at.get("plotly_chart")
    assert versions_shown(at)["Versione"].tolist() == ["v. 1"]


def test_the_history_is_shown_with_its_values_and_the_restore(store: Store) -> None:
    publish_history(store)
    at = on_page()
    assert NO_HISTORY not in [i.value for i in at.info]
    frame = versions_shown(at)
    assert frame["Versione"].tolist() == [
        "v. 1",
        "v. 2",
        "v. 3",
        "v. 4",
        "v. 5 – ritorno alla v. 2",
    ]
    assert frame["Pubblicata da"].tolist()[1:] == [
        "Maria Rossi",
        "Luca Bianchi",
        "Maria Rossi",
        "Anna Verdi",
    ]
    first = len(shipped().projects)
    assert frame["Progetti"].tolist() == [first, first, first, first + 1, first]
    assert frame["Modifiche"].iloc[4].startswith("Ritorno alla versione 2")
    money = chart(at, 0)
    coop = next(t for t in money["data"] if t["name"] == COOP)
    assert coop["y"] == [25000.0, 25000.0, 27500.0, 27500.0, 25000.0]
    assert "Più fondi" in coop["customdata"][2][2]
    stati = [
        t["name"] for t in chart(at, len(at.get("plotly_chart")) - 1)["data"] if t["type"] == "bar"
    ]
    assert "In corso" in stati
    at.selectbox(key="cronologia_dettaglio").set_value(3).run()
    details = " ".join(m.value for m in at.markdown)
    assert "pubblicata da Luca Bianchi" in details and "Più fondi" in details
    assert f"{COOP}: +2.500 € (da 25.000 € a 27.500 €)." in details.replace("\\", "")


def test_filters_apply_where_they_make_sense_and_the_page_says_so(store: Store) -> None:
    known = publish_history(store)
    track = str(known["track"])
    other = next(t for t in shipped().track_codes if t != track)
    at = on_page(pista=[other], fonte=[COOP], stato=["In corso"])
    captions = " ".join(c.value for c in at.caption)
    assert "ogni versione conta solo i progetti di" in captions
    assert "Il filtro per stato non vale in questa pagina" in captions
    frame = versions_shown(at)
    assert frame["Progetti"].iloc[3] == frame["Progetti"].iloc[2]  # the new project is elsewhere
    names = [t["name"] for t in chart(at, 0)["data"]]
    assert names == [COOP]  # only the chosen source's line


def test_another_year_is_told_and_its_own_history_shown(store: Store) -> None:
    store.publish(as_bytes(with_year(shipped(), 2024)), "Maria Rossi")
    at = on_page()
    assert versions_shown(at)["Versione"].tolist() == ["v. 2"]
    assert any("2023" in c.value and "barra laterale" in c.value for c in at.caption)


def test_one_amount_changed_is_one_change_said_with_its_values(store: Store) -> None:
    """The new-user trial changed one cell and read «Progetto modificato: Rating cooperativo
    (P1-03) – Risorse Coop Re-Start. (e altre 2 modifiche)»: the two «modifiche» were the
    source's and the pista's totals that follow from the cell, and the amounts were not said."""
    plan = shipped()
    project = project_with_amount(plan, COOP)
    before = plan.funding_of(project)[COOP]
    store.publish(as_bytes(with_amount(plan, project, COOP, before + 2500)), "Maria Rossi")
    shown = versions_shown(on_page())
    said = shown.loc[shown["Versione"] == "v. 2", "Modifiche"].item()
    assert said == (
        f"Progetto modificato: {plan.project(project).title} ({project}) – {COOP} da "
        f"«{fmt.money(before)}» a «{fmt.money(before + 2500)}»."
    )
