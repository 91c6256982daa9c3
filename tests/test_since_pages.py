"""«Dall'ultima assemblea» on the pages (AppTest): the overview's stato deltas and progress per
pista, the presentation's slide (and its «Confronto» choice), marking a version on «Aggiorna il
piano» when publishing and from the history."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest
from support.paths import ROOT
from support.since_story import NEW_DONE, STARTED_TITLE, publish_story
from support.upload_pages import button, modified_workbook, page, texts, upload
from support.variants import shipped

from coopplan.editors import access
from coopplan.editors.access import Throttle
from coopplan.editors.accounts import SHARED_KEY_EDITOR
from coopplan.since import track_progress
from coopplan.store.folder import Store
from coopplan.store.location import open_store

APP = str(ROOT / "app.py")


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.delenv("COOPPLAN_WORKBOOK", raising=False)
    monkeypatch.delenv("COOPPLAN_EDITOR_SECRET", raising=False)
    monkeypatch.setattr(access, "THROTTLE", Throttle())
    return open_store()  # the private store of tests/conftest.py


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def html(at: AppTest) -> str:
    """The page's Markdown and HTML, a non-breaking space read as the space a reader sees."""
    shown = "\n".join(str(m.value) for m in at.markdown) + "\n".join(
        str(h.proto.body) for h in at.get("html")
    )
    return shown.replace("\u00a0", " ")


def test_the_overview_shows_stato_changes_since_the_assembly_and_progress(store: Store) -> None:
    at = run(AppTest.from_file(APP, default_timeout=60))
    assert "(+" not in html(at)  # nothing marked yet: plain counts
    publish_story(store)
    run(at)
    chips = html(at)
    assert "In corso: <b>13</b> (+1)" in chips  # «Temporary manager» started
    assert "Da avviare: <b>4</b> (=)" in chips  # one started, one added
    captions = texts(at.caption)
    assert "Tra parentesi la variazione dall'assemblea del 14 marzo 2026 (versione 1 → " in captions
    assert not at.get("progress")  # a full bar no longer means «in corso or done»
    expected = track_progress(store.load(4)).set_index("track")
    figure = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if json.loads(c.proto.spec)["data"][0].get("name") == "Concluso"
    )
    concluded, running = figure["data"][0], figure["data"][1]
    assert (concluded["name"], running["name"]) == ("Concluso", "In corso")
    p2 = expected.loc["P2"]
    row = list(expected.index).index("P2")
    assert concluded["x"][row] == p2.concluded / p2.projects
    assert running["x"][row] == (p2.under_way - p2.concluded) / p2.projects
    words = " ".join(a["text"] for a in figure["layout"]["annotations"])
    assert f"{p2.concluded} conclusi e {p2.under_way - p2.concluded} in corso su" in words


def test_the_presentation_has_the_slide_after_the_opening_and_a_chosen_version(
    store: Store,
) -> None:
    publish_story(store)
    at = AppTest.from_file(APP, default_timeout=60)
    run(at)
    at.switch_page("app_pages/presentazione.py")
    at.query_params["slide"] = "2"
    run(at)
    slide = html(at)
    assert "Dall&#x27;ultima assemblea" in slide or "Dall'ultima assemblea" in slide
    assert STARTED_TITLE in slide and "è salito di 2.500 €" in slide
    assert NEW_DONE in slide
    at.query_params["dal"] = "4"  # the version in force itself: nothing changed
    at.query_params["slide"] = "2"
    run(at)
    assert "Nessun progetto ha cambiato stato" in html(at)
    assert shipped().meta.title


def test_publishing_can_mark_the_version_presented(store: Store) -> None:
    at = upload(page(), "piano.xlsx", modified_workbook())
    at.checkbox(key="agg_publish_presented").check()
    at.date_input(key="agg_publish_assembly").set_value(dt.date(2026, 3, 14))
    button(at, "Pubblica").click()
    run(at)
    assert store.marks()[2].day == dt.date(2026, 3, 14)
    assert "segnata come presentata all'assemblea del 14 marzo 2026" in texts(at.success)


def test_the_history_marks_a_chosen_version_and_lists_the_marks(store: Store) -> None:
    store.ensure_seeded()
    store.publish(modified_workbook(), "Maria Rossi")
    at = page()
    next(s for s in at.selectbox if s.label == "Versione").set_value(1)
    run(at)
    at.date_input(key="agg_mark_assembly").set_value(dt.date(2026, 3, 14))
    button(at, "Segna come presentata").click()
    run(at)
    assert store.marks()[1].editor == SHARED_KEY_EDITOR  # who signed in, not a typed name
    assert "La versione 1 è segnata come presentata all'assemblea del 14 marzo 2026." in texts(
        at.success
    )
    assert "Presentate in assemblea: versione 1 il 14 marzo 2026." in texts(at.caption)
