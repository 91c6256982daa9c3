"""Pages with the consuntivo and the scadenze (AppTest), on the example workbook (dates moved
so that today is the example's «today») and on the shipped plan, which has no consuntivo."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from support.pages import all_text, assert_clean, figures, go, start
from support.spending_pages import (  # noqa: F401 - fixtures
    EXAMPLE_TODAY,
    SCADENZE,
    example,
    example_file,
    tables,
)

from coopplan.workbook.writer import write_workbook
from ui import data as ui_data
from ui import keys


def test_scadenze_lists_the_overdue_first_with_referente_and_stato(example: Path) -> None:
    at = go(start(), SCADENZE)
    assert at.title[0].value == "Scadenze"
    late, coming = tables(at)
    assert list(late.index) == [
        "La Cooperazione scende in Piazza",
        "Rating cooperativo",
        "Temporary manager",
        "La riforma del Terzo settore",
    ]
    assert late.loc["Rating cooperativo", "Referente"] == "Anna Rossi"
    assert late.loc["Rating cooperativo", "Quando"] == "scaduto da 23 giorni"
    assert late.loc["Temporary manager", "Stato"] == "Da avviare"
    assert list(coming.index) == ["Banca dati delle professionalità", "Ufficio Credito&Finanza"]
    text = all_text(at)
    assert "4 progetti in ritardo, 2 in scadenza entro la prossima assemblea del" in text
    assert "10 progetti non hanno una scadenza" in text


def test_scadenze_within_a_chosen_number_of_days(example: Path) -> None:
    at = go(start(), SCADENZE)
    at.radio(key="scadenze_come").set_value("Nei prossimi giorni").run()
    at.number_input(key="scadenze_giorni").set_value(60).run()
    assert_clean(at)
    _, coming = tables(at)
    assert list(coming.index)[-2:] == ["Spazi cooperativi", "Matching cooperativo"]
    assert coming.loc["Spazi cooperativi", "Referente"] == "—"
    assert "nei prossimi 60 giorni" in all_text(at)


def test_scadenze_follow_the_sidebar_filters(example: Path) -> None:
    at = go(start(), SCADENZE)
    at.multiselect(key=keys.TRACK).set_value(["P2"]).run()
    assert_clean(at)
    late, coming = tables(at)
    assert list(late.index) == ["Temporary manager"]
    assert list(coming.index) == ["Ufficio Credito&Finanza"]


def test_the_overview_links_to_scadenze_and_shows_spending_per_pista(example: Path) -> None:
    at = start()
    links = [el.proto.label for el in at.get("page_link")]
    assert "Scadenze: 4 progetti in ritardo, 2 in scadenza" in links
    [per_track] = tables(at)
    assert per_track.loc["Competere nella società del rischio", "Speso"] == "23.700 €"
    assert per_track.loc["Totale", "Preventivo"] == "66.000 €"
    assert per_track.loc["Totale", "Speso"] == "34.200 €"
    assert per_track.loc["Totale", "% speso"] == "51,8%"


def test_the_sources_page_shows_spending_per_source_with_notes(example: Path) -> None:
    at = go(start(), "app_pages/fonti.py")
    spent = tables(at)[-1]
    row = spent.loc["Risorse Coop Re-Start"]
    assert row[["Preventivo", "Impegnato", "Speso", "Residuo"]].tolist() == [
        "25.000 €",
        "17.200 €",
        "13.700 €",
        "11.300 €",
    ]
    assert (row["% speso"], row["Scostamento €"], row["Scostamento %"]) == (
        "54,8%",
        "−7.800 €",
        "−31,2%",
    )
    assert "Matching cooperativo: Due incontri in più richiesti dalle cooperative" in row["Nota"]
    figure = [f for f in figures(at) if f["layout"].get("barmode") == "overlay"]
    assert [t["name"] for t in figure[0]["data"]] == ["Preventivo", "Impegnato", "Speso"]
    words = [a["text"] for a in figure[0]["layout"]["annotations"]]
    assert any("speso 13.700 € di 25.000 € (54,8%) · impegnato 17.200 €" in w for w in words)


def test_the_source_filter_applies_to_the_spending(example: Path) -> None:
    at = go(start({keys.SOURCE: "Oneri di funzionamento"}), "app_pages/fonti.py")
    spent = tables(at)[-1]
    assert list(spent.index) == ["Oneri di funzionamento", "Totale"]
    assert spent.loc["Totale", "Speso"] == "20.500 €"


def test_the_project_card_shows_referente_scadenza_and_spending(example: Path) -> None:
    at = start()
    at.selectbox(key=keys.OVERVIEW_PROJECT).select("P2-05").run()
    assert_clean(at)
    text = all_text(at).replace("**", "").replace("*", "")  # bold and italics aside
    assert "Referente: Luca Ferrari" in text
    due = dt.date(2027, 1, 24) + (dt.date.today() - EXAMPLE_TODAY)
    assert f"Scadenza: {due.strftime('%d/%m/%Y')} (tra 49 giorni)" in text
    assert (
        "Risorse Coop Re-Start: speso 3.200 € di 2.500 € (128%), impegnato 3.200 €, "
        "scostamento +700 € — Due incontri in più richiesti dalle cooperative"
    ) in text


def test_without_a_consuntivo_the_pages_say_so_never_zero_spent(monkeypatch) -> None:
    monkeypatch.delenv(ui_data.WORKBOOK_ENV, raising=False)
    at = start()
    for page in ("app_pages/panoramica.py", "app_pages/fonti.py"):
        go(at, page)
        said = " ".join(i.value for i in at.info)
        assert "Consuntivo non ancora inserito" in said, page
        assert "0 € spesi" not in all_text(at) and "speso 0 €" not in all_text(at)
    go(at, SCADENZE)
    assert "Nessun progetto in scadenza nei prossimi 30 giorni." in [s.value for s in at.success]
    assert "18 progetti non hanno una scadenza" in all_text(at)


def test_thousands_of_overdue_projects_are_shown_a_hundred_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from support.sample import generate_plan

    plan = generate_plan(n_tracks=3, n_projects=450, seed=7, with_spending=True)
    past = dt.date.today() - dt.timedelta(days=400)
    projects = plan.projects.copy()
    projects["due"] = [past] * len(projects)
    projects["status"] = "In corso"
    path = tmp_path / "molte-scadenze.xlsx"
    write_workbook(replace(plan, projects=projects), path)
    monkeypatch.setenv(ui_data.WORKBOOK_ENV, str(path))
    at = go(start(), SCADENZE)
    assert_clean(at)
    assert "450 progetti in ritardo" in all_text(at)
    [late] = tables(at)
    assert len(late) == 100  # one page of the 450, not 450 rows
    pager = next(s for s in at.selectbox if s.label == "Pagina")
    assert pager.format_func(5) == "Pagina 5 di 5"
    pager.set_value(5).run()
    assert len(tables(at)[0]) == 50
