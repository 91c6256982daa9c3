"""The plan over time (coopplan.timeline): a sequence of versions with known changes — a stato
change, +2.500 €, a new project, a return to an older version — and what the timeline says."""

from __future__ import annotations

from support.history import (  # noqa: F401 - fixtures
    amounts_of,
    history,
    statuses_of,
    whole,
)
from support.variants import (
    COOP,
    as_bytes,
    shipped,
    with_year,
)

from coopplan import charts
from coopplan.store.location import open_store
from coopplan.timeline import FIRST_VERSION, Timeline, store_timeline


def test_the_timeline_has_every_version_with_who_when_and_the_restore(whole: Timeline) -> None:
    versions = whole.versions
    assert versions["number"].tolist() == [1, 2, 3, 4, 5]
    assert versions["editor"].tolist()[1:] == [
        "Maria Rossi",
        "Luca Bianchi",
        "Maria Rossi",
        "Anna Verdi",
    ]
    assert versions["note"].tolist()[4] == "Torniamo alla versione approvata"
    assert versions["restored_from"].isna().tolist() == [True] * 4 + [False]
    assert int(versions["restored_from"].iloc[4]) == 2
    assert versions["label"].tolist()[4] == "v. 5 – ritorno alla v. 2"
    assert versions["changes"].iloc[4][0].startswith("Ritorno alla versione 2")
    assert versions["when"].is_monotonic_increasing


def test_totals_statuses_and_projects_follow_each_change(history, whole: Timeline) -> None:
    known, timeline = history[1], whole
    assert amounts_of(timeline, COOP) == [25000.0, 25000.0, 27500.0, 27500.0, 25000.0]
    base = statuses_of(timeline, 1)
    after = statuses_of(timeline, 2)
    assert after["In corso"] == base["In corso"] + 1
    assert after.get("Da avviare", 0) == base["Da avviare"] - 1
    projects = timeline.versions["projects"].tolist()
    first = len(known["plan"].projects)  # type: ignore[attr-defined]
    assert projects == [first, first, first, first + 1, first]
    assert statuses_of(timeline, 4)["Da avviare"] == after.get("Da avviare", 0) + 1
    assert statuses_of(timeline, 5) == after
    done = timeline.versions["done"].tolist()
    assert done[0] == int((known["plan"].items["kind"] == "done").sum())  # type: ignore[attr-defined]


def test_each_version_says_what_changed_in_the_diffs_words(history, whole: Timeline) -> None:
    known = history[1]
    changes = whole.versions["changes"].tolist()
    assert changes[0] == (FIRST_VERSION.format(year=2023),)
    assert any(f"({known['moved']}): da «Da avviare» a «In corso»" in c for c in changes[1]), (
        changes[1]
    )
    assert f"{COOP}: +2.500 € (da 25.000 € a 27.500 €)." in changes[2]
    assert any(c.startswith("Progetto aggiunto: Progetto nuovo (NUOVO-1)") for c in changes[3])
    assert f"{COOP}: −2.500 € (da 27.500 € a 25.000 €)." in changes[4]
    assert any(c.startswith("Progetto tolto: Progetto nuovo (NUOVO-1)") for c in changes[4])


def test_a_pista_filter_counts_only_its_projects(history) -> None:
    store, known = history
    plan = known["plan"]
    track = str(known["track"])
    other = next(t for t in plan.track_codes if t != track)  # type: ignore[attr-defined]
    mine = store_timeline(store, 2023, (track,)).versions
    theirs = store_timeline(store, 2023, (other,)).versions
    assert mine["projects"].iloc[3] == mine["projects"].iloc[2] + 1  # the new one is in ``track``
    assert theirs["projects"].iloc[3] == theirs["projects"].iloc[2]
    assert theirs["changes"].iloc[3] == (
        "Nessuna modifica: il contenuto è identico al piano di confronto.",
    )


def test_a_source_filter_keeps_only_that_sources_totals(whole: Timeline) -> None:
    timeline = whole.only_sources([COOP])
    assert set(timeline.amounts["source"]) == {COOP}
    assert timeline.flags.empty
    assert len(timeline.statuses)  # the stati are not a source's


def test_one_version_has_no_history_and_years_are_apart() -> None:
    store = open_store()
    store.ensure_seeded()
    assert not store_timeline(store, 2023).has_history
    store.publish(as_bytes(with_year(shipped(), 2024)), "Maria Rossi")
    assert store_timeline(store, 2024).versions["number"].tolist() == [2]
    assert store_timeline(store, 2023).versions["number"].tolist() == [1]


def test_charts_draw_one_line_per_source_and_the_stati_in_traffic_light(whole: Timeline) -> None:
    timeline = whole
    colors = charts.source_colors(shipped())
    money = charts.timeline_amounts(timeline, colors)
    assert [t.name for t in money.data] == shipped().amount_sources
    coop = next(t for t in money.data if t.name == COOP)
    assert list(coop.y) == [25000.0, 25000.0, 27500.0, 27500.0, 25000.0]
    hover = coop.customdata[2][2]
    assert "Luca Bianchi" in hover and "Più fondi" in hover and "+2.500 €" in hover
    assert "ritorno alla v. 2" in coop.customdata[4][2]
    stati = charts.timeline_statuses(timeline)
    bars = {t.name: t.marker.color for t in stati.data if t.type == "bar"}
    assert bars["In corso"] == "#F0C93A" and bars["Da avviare"] == "#8B1E2D"
    assert "v. 3" in stati.layout.xaxis.ticktext[2]
