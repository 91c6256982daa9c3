"""The dashboard pages with AppTest, on the shipped workbook and on a generated 5-piste plan.

Plotly charts reach AppTest as UnknownElement: ``json.loads(el.proto.spec)`` is the figure.
The KPI cards are plain Markdown in keyed containers: tests/kpi_cards.py reads them back.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.kpi_cards import kpi_cards as kpis
from support.pages import (  # noqa: F401 - fixtures
    APP,
    FIXED_PAGES,
    ONERI,
    SHIPPED,
    all_text,
    assert_clean,
    bar_totals,
    big,
    big_plan,
    figures,
    generated,
    go,
    go_track,
    open_tabs,
    pager_labels,
    shipped_plan,
    start,
    workbook,
)
from support.sample import generate_plan

from coopplan import fmt
from coopplan.plan import Plan
from coopplan.workbook.writer import write_workbook
from ui import data as ui_data
from ui import keys
from ui.nav import track_url


def test_every_page_runs_and_the_navigation_has_one_page_per_pista(workbook: Plan) -> None:
    at = start()
    registered = {info.get("url_pathname") for info in at._registered_pages.values()}
    assert {track_url(code) for code in workbook.track_codes} <= registered
    assert len(workbook.track_codes) in (4, 5)
    for page in FIXED_PAGES:
        go(at, page)
        assert at.title, page
    for code in workbook.track_codes:
        go_track(at, code)
        assert at.title[0].value == workbook.track_title(code)


def test_overview_shows_plan_identity_and_totals_from_the_workbook(workbook: Plan) -> None:
    at = start()
    assert at.title[0].value == workbook.meta.title
    text = all_text(at)
    assert workbook.meta.organization in text
    assert str(workbook.meta.year) in text
    assert fmt.date(workbook.meta.version_date) in text
    cards = kpis(at)
    for row in workbook.source_totals().itertuples():
        if row.kind == "amount":
            assert cards[row.source] == fmt.money(row.total)
        else:  # a yes/no source is counted in projects, never summed as money
            assert cards[row.source] == fmt.count(row.projects, "progetto", "progetti")
    assert cards["Progetti"] == fmt.number(len(workbook.projects))


def test_overview_budget_chart_totals_equal_the_plan(workbook: Plan) -> None:
    at = start()
    budget = figures(at)[0]
    expected = workbook.amount_by_track().groupby("track_title", sort=False)["amount"].sum()
    assert bar_totals(budget) == pytest.approx(expected.to_dict())
    assert budget["layout"]["separators"] == fmt.PLOTLY_SEPARATORS
    assert budget["layout"]["xaxis"]["ticksuffix"] == " €"
    names = [t["name"] for t in budget["data"] if t["type"] == "bar"]
    assert names == workbook.amount_sources


def test_matrix_has_one_row_per_project(workbook: Plan) -> None:
    at = go(start(), "app_pages/matrice.py")
    table = at.dataframe[0].value
    assert len(table) == len(workbook.projects)
    assert list(table["ID"]) == list(workbook.projects["id"])
    for name in workbook.source_names:
        assert name in table.columns


def test_matrix_counts_projects_per_track_and_status_without_a_chart_library(
    shipped_plan: Plan,
) -> None:
    """«Matrice» on a phone: no Plotly chart (its bundle alone would exceed the page budget,
    issue 22), the counts per pista and stato as text."""
    at = go(start({"stato": "In corso"}), "app_pages/matrice.py")
    assert at.get("plotly_chart") == []
    shown = html.unescape(re.sub(r"<[^>]+>", "", all_text(at)))  # as the reader sees it
    view = shipped_plan.filter(statuses=["In corso"])
    per_track = view.projects.groupby("track").size()
    assert len(per_track) >= 2
    for code, n in per_track.items():
        title = shipped_plan.track_title(str(code))
        assert f"{title} · {fmt.count(int(n), 'progetto', 'progetti')}" in shown
        assert f"In corso: {n}" in shown
    for code in set(shipped_plan.track_codes) - set(per_track.index):
        assert shipped_plan.track_title(code) not in shown.split("Stato dei progetti per pista")[1]


def test_shipped_overview_numbers() -> None:
    """The acceptance numbers of the issue, read off the first page."""
    cards = kpis(start())
    assert cards["Risorse Coop Re-Start"] == "25.000 €"
    assert cards[ONERI] == "41.000 €"
    assert cards["Risorse interne"] == "15 progetti"
    assert cards["Progetti"] == "18"


def test_source_filter_changes_the_totals(shipped_plan: Plan) -> None:
    at = start()
    at.multiselect(key="fonte").set_value([ONERI]).run()
    assert_clean(at)
    cards = kpis(at)
    assert cards == {ONERI: "41.000 €", "Progetti": "1"}
    # Only the pista with a project paid by that source keeps a bar.
    assert bar_totals(figures(at)[0]) == {"Competere nella società del rischio": 41000}
    assert "Filtro attivo" in all_text(at)  # (the URL itself is checked in the browser test)


def test_a_bookmarked_filter_url_restores_the_filter_on_every_page() -> None:
    at = start({"fonte": ONERI})
    assert kpis(at)[ONERI] == "41.000 €"
    go(at, "app_pages/matrice.py")
    assert list(at.dataframe[0].value["Progetto"]) == ["Ufficio Credito&Finanza"]
    go(at, "app_pages/fonti.py")
    assert kpis(at) == {ONERI: "41.000 €", "Progetti": "1"}
    assert at.multiselect(key="fonte").value == [ONERI]


def test_filters_restrict_every_page_of_the_generated_plan(generated, monkeypatch) -> None:
    path, plan = generated
    monkeypatch.setenv(ui_data.WORKBOOK_ENV, str(path))
    extra = plan.source_names[-1]
    view = plan.filter(sources=[extra], statuses=["In corso"])
    at = start({"fonte": extra, "stato": "In corso"})
    assert kpis(at)["Progetti"] == fmt.number(len(view.projects))
    go(at, "app_pages/matrice.py")
    table = at.dataframe[0].value
    assert list(table["ID"]) == list(view.projects["id"])
    assert set(table["Stato"]) == {"In corso"}


def test_a_filter_that_matches_nothing_shows_a_message_not_an_empty_chart() -> None:
    at = start({"fonte": ONERI, "stato": "Da avviare"})
    assert not at.get("plotly_chart")
    assert any("Nessun progetto corrisponde" in i.value for i in at.info)
    for page in FIXED_PAGES[1:]:
        go(at, page)
        assert not at.get("plotly_chart") and not at.dataframe
        assert any("Nessun progetto corrisponde" in i.value for i in at.info)


def test_pista_filter_excluding_a_pista_page_says_so(shipped_plan: Plan) -> None:
    at = start({"pista": shipped_plan.track_title("P1")})  # the URL holds what the widget shows
    go_track(at, "P2")
    assert any("esclusa dal filtro" in i.value for i in at.info)


def test_pista_page_shows_filoni_then_projects_as_cards(shipped_plan: Plan) -> None:
    at = go_track(start(), "P3")
    text = all_text(at)
    for line in shipped_plan.lines.loc[shipped_plan.lines["track"] == "P3"].itertuples():
        assert line.title in text and line.description in text
    assert "I progetti — Curare le persone" in text  # the title the project slides use
    for project in shipped_plan.projects.loc[shipped_plan.projects["track"] == "P3"].itertuples():
        card = shipped_plan.project(project.id)
        assert card.title in text
        for item in card.done + card.planned:
            assert item in text


def test_choosing_a_project_opens_its_full_card(shipped_plan: Plan) -> None:
    at = start()
    at.selectbox(key=keys.OVERVIEW_PROJECT).select("P2-01").run()
    assert_clean(at)
    text = all_text(at)
    card = shipped_plan.project("P2-01")
    for item in card.done + card.planned:
        assert item in text
    assert "Oneri di funzionamento: **41.000\u00a0€**" in text
    assert card.notes in text
    assert "In corso" in text


def test_overview_map_has_every_project_with_its_id(workbook: Plan) -> None:
    treemap = figures(start())[1]["data"][0]
    assert treemap["type"] == "treemap"
    project_ids = [row[0] for row in treemap["customdata"] if row[0]]
    assert project_ids == list(workbook.projects["id"])


def test_sources_page_lists_each_source_projects(shipped_plan: Plan) -> None:
    at = go(start(), "app_pages/fonti.py")
    assert [t.label for t in at.tabs] == shipped_plan.source_names
    by_source = {source: at.dataframe[0].value for source in open_tabs(at, shipped_plan)}
    assert list(by_source[ONERI]["Progetto"]) == ["Ufficio Credito&Finanza"]
    assert list(by_source[ONERI]["Importo"]) == [41000.0]
    assert len(by_source["Risorse interne"]) == 15
    assert "Importo" not in by_source["Risorse interne"].columns
    totals = at.table[0].value.set_index("Pista")  # the pista a first column, no row numbers
    assert at.table[0].proto.hide_index
    assert totals.loc["Totale", "Risorse Coop Re-Start"] == "25.000\u00a0€"  # «€» kept on its line
    assert totals.loc["Totale", "Risorse interne"] == "15 progetti"


def test_downloads_are_offered_in_the_sidebar() -> None:
    at = start()
    labels = [b.proto.label for b in at.sidebar.get("download_button")]
    assert labels == ["Excel (.xlsx)", "CSV (.csv)"]


def test_the_workbook_is_parsed_once_per_version(tmp_path: Path, monkeypatch) -> None:
    calls: list[str] = []
    real = ui_data.load_plan

    def counting(source, *, name=None):
        calls.append(name)
        return real(source, name=name)

    path = tmp_path / "piano.xlsx"
    path.write_bytes(SHIPPED.read_bytes())
    monkeypatch.setenv(ui_data.WORKBOOK_ENV, str(path))
    monkeypatch.setattr(ui_data, "load_plan", counting)
    ui_data._parse.clear()
    at = start()
    at.run()
    go(at, "app_pages/fonti.py")
    go(at, "app_pages/matrice.py")
    assert len(calls) == 1
    plan = generate_plan(n_tracks=5, n_projects=12, seed=1)
    write_workbook(plan, path)  # a new version of the file
    go(at, "app_pages/panoramica.py")
    assert len(calls) == 2
    assert kpis(at)["Progetti"] == "12"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "non si trova"),
        (b"questo non e' un file excel", "non si può mostrare"),
    ],
)
def test_an_unreadable_workbook_gives_an_italian_error_not_a_traceback(
    tmp_path: Path,
    monkeypatch,
    content: bytes | None,
    expected: str,
) -> None:
    path = tmp_path / "piano.xlsx"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setenv(ui_data.WORKBOOK_ENV, str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert len(at.error) == 1 and expected in at.error[0].value


def test_big_matrix_shows_one_page_of_rows_with_an_italian_pager(big_plan: Plan) -> None:
    at = go(start(), "app_pages/matrice.py")
    assert pager_labels(at) == ["Pagina 1 di 20"]
    first = at.dataframe[0].value
    assert len(first) == 100
    assert list(first["ID"]) == list(big_plan.projects["id"][:100])  # grouped by pista
    at.selectbox(key="pagina_matrice").select(3).run()
    assert_clean(at)
    assert pager_labels(at) == ["Pagina 3 di 20"]
    assert list(at.dataframe[0].value["ID"]) == list(big_plan.projects["id"][200:300])
    assert "Progetti da 201 a 300 di 2.000" in all_text(at)


def test_big_matrix_sorts_every_project_inside_its_pista_before_paginating(big_plan: Plan) -> None:
    at = go(start(), "app_pages/matrice.py")
    at.selectbox(key="pagina_matrice").select(2).run()
    at.selectbox(key="ordine_matrice").select("Progetto (A-Z)").run()
    assert_clean(at)
    assert pager_labels(at) == ["Pagina 1 di 20"]  # a new order starts from the first page
    shown = at.dataframe[0].value
    first_track = big_plan.track_codes[0]
    mine = big_plan.projects.loc[big_plan.projects["track"] == first_track, "title"]
    expected = sorted(mine, key=str.casefold)[:100]
    assert list(shown["Progetto"]) == expected
    assert set(shown["Pista"]) == {first_track}


def test_big_sources_and_pista_pages_show_a_page_at_a_time(big_plan: Plan) -> None:
    at = go(start(), "app_pages/fonti.py")
    paged = []
    for source in open_tabs(at, big_plan):
        assert len(at.dataframe[0].value) <= 100, source
        paged += pager_labels(at)
    assert paged  # at least one source pays for more than 100 projects
    code = big_plan.track_codes[0]
    at = go_track(start(), code)
    total = int((big_plan.projects["track"] == code).sum())
    assert f"Mostrati 30 progetti su {fmt.number(total)}." in all_text(at)
    at.button(key=f"schede_{code}_altri").click().run()
    assert_clean(at)
    assert f"Mostrati 60 progetti su {fmt.number(total)}." in all_text(at)


def test_big_overview_map_shows_the_piste_only(big_plan: Plan) -> None:
    treemap = figures(start())[1]["data"][0]
    assert treemap["type"] == "treemap"
    assert treemap["ids"] == [f"pista:{code}" for code in big_plan.track_codes]


def test_the_shipped_plan_fits_one_page_everywhere(shipped_plan: Plan) -> None:
    at = go(start(), "app_pages/matrice.py")
    assert not pager_labels(at)
    assert not [s for s in at.selectbox if s.label == "Ordina per"]
    assert len(at.dataframe[0].value) == len(shipped_plan.projects)
    at = go(at, "app_pages/fonti.py")
    assert not pager_labels(at)
    for code in shipped_plan.track_codes:
        at = go_track(start(), code)
        assert not [b for b in at.button if b.label == "Mostra altri progetti"]
        assert "Mostrati" not in all_text(at)


def test_a_pista_page_ends_with_a_way_on(shipped_plan: Plan) -> None:
    """Issue 24 §4: the next pista (the overview after the last), filters kept, and the top."""
    at = go_track(start({"stato": "In corso"}), "P1")
    links = [(p.proto.label, p.proto.page) for p in at.get("page_link")]
    following = shipped_plan.track_title("P2")
    assert any(label == f"Pista successiva: {following}" for label, _ in links), links
    last = go_track(at, shipped_plan.track_codes[-1])
    labels = [p.proto.label for p in last.get("page_link")]
    assert "Torna alla panoramica" in labels and not any("successiva" in x for x in labels)
    assert any("Torna all'inizio della pagina](#inizio)" in m.value for m in last.markdown)
