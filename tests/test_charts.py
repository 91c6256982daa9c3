"""coopplan.charts: figures built from the plan, Italian, with stable colours."""

from __future__ import annotations

import json
from dataclasses import replace

import plotly.graph_objects as go
import pytest
from support.paths import SHIPPED
from support.sample import generate_plan

from coopplan import charts, fmt, load_plan, palette
from coopplan.palette import SOURCE_COLORS, STATUS_COLORS, TRACK_COLORS, status_color
from coopplan.plan import Plan


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(SHIPPED).plan


@pytest.fixture(scope="module")
def five() -> Plan:
    return generate_plan(n_tracks=5, n_projects=40, extra_sources=1, seed=2)


def spec(figure: go.Figure) -> dict:
    """The figure as the browser receives it."""
    return json.loads(figure.to_json())


def texts(figure: dict) -> str:
    """Every string a viewer can read: annotations, legend names, hover templates."""
    parts = [a.get("text", "") for a in figure["layout"].get("annotations", [])]
    for trace in figure["data"]:
        parts += [str(trace.get("name", "")), str(trace.get("hovertemplate", ""))]
    return "\n".join(parts)


def test_budget_chart_bars_add_up_to_the_plan_and_titles_carry_italian_totals(plan: Plan) -> None:
    figure = spec(charts.budget_by_track(plan))
    bars = [t for t in figure["data"] if t["type"] == "bar"]
    assert [t["name"] for t in bars] == plan.amount_sources
    for trace in bars:
        expected = plan.amount_by_track().query("source == @trace['name']")["amount"]
        assert trace["x"] == expected.tolist()
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert titles[1] == "<b>Competere nella società del rischio</b> · 43.500 €"
    assert titles[2].endswith(" · 0 €")  # a pista without money keeps its row
    assert figure["layout"]["separators"] == fmt.PLOTLY_SEPARATORS == ",."
    assert figure["layout"]["xaxis"]["ticksuffix"] == " €"


def test_every_chart_is_italian_and_large(plan: Plan) -> None:
    for figure in (
        charts.budget_by_track(plan),
        charts.source_totals(plan),
        charts.status_by_track(plan),
        charts.plan_map(plan),
    ):
        data = spec(figure)
        assert data["layout"]["separators"] == ",."
        assert data["layout"]["font"]["size"] >= 16
        text = texts(data)
        for english in ("Total", "Amount", "Projects", "Status", "Source", "Budget by"):
            assert english not in text, english
        assert "%{x}" not in text or "Progetti" not in text  # numbers are formatted by us


def test_colours_follow_the_palette_and_do_not_change_with_a_filter(plan: Plan) -> None:
    full = spec(charts.budget_by_track(plan, plan.source_names))
    only = spec(
        charts.budget_by_track(plan.filter(sources=["Oneri di funzionamento"]), plan.source_names)
    )
    colour = {t["name"]: t["marker"]["color"] for t in full["data"]}
    assert colour == {
        "Risorse Coop Re-Start": SOURCE_COLORS[0],
        "Oneri di funzionamento": SOURCE_COLORS[1],
    }
    assert only["data"][0]["marker"]["color"] == colour["Oneri di funzionamento"]
    status = spec(charts.status_by_track(plan))
    assert {t["name"]: t["marker"]["color"] for t in status["data"]} == {
        s: STATUS_COLORS[s] for s in ("Da definire", "Da avviare", "In corso")
    }


def test_plan_map_has_one_tile_per_project_in_its_pista_colour(five: Plan) -> None:
    tree = spec(charts.plan_map(five, selected=str(five.projects["id"][3])))["data"][0]
    ids = [row[0] for row in tree["customdata"] if row[0]]
    assert ids == list(five.projects["id"])
    colours = dict(zip(tree["ids"], tree["marker"]["colors"], strict=True))
    for position, code in enumerate(five.track_codes):
        assert colours[f"pista:{code}"] == TRACK_COLORS[position]
    widths = tree["marker"]["line"]["width"]
    assert sorted(widths)[-1] > sorted(widths)[-2]  # the selected tile stands out, alone


def test_five_piste_and_a_fourth_source_are_all_drawn(five: Plan) -> None:
    budget = spec(charts.budget_by_track(five))
    assert len(budget["layout"]["annotations"]) == 5
    assert [t["name"] for t in budget["data"]] == five.amount_sources
    assert len(five.source_names) == 4
    totals = spec(charts.source_totals(five))
    assert [a["text"].split("</b>")[0][3:] for a in totals["layout"]["annotations"]] == (
        five.amount_sources
    )


def test_has_amounts(plan: Plan) -> None:
    assert charts.has_amounts(plan)
    assert not charts.has_amounts(plan.filter(sources=["Risorse interne"]))


@pytest.mark.parametrize(
    ("background", "text"),
    [("#FFFFFF", "#1A1A1A"), ("#0072B2", "#FFFFFF"), ("#E69F00", "#1A1A1A")],
)
def test_text_colour_is_readable_on_each_background(background: str, text: str) -> None:
    assert palette.text_color_on(background) == text


def test_long_labels_wrap_instead_of_being_cut() -> None:
    label = charts.wrap_label("Formazione imprenditoriale e manageriale", 18)
    assert label.replace("<br>", " ") == "Formazione imprenditoriale e manageriale"
    assert all(len(line) <= 18 for line in label.split("<br>"))


def test_progress_per_pista_is_full_only_when_the_pista_is_concluded() -> None:
    """Issue 24 §1: «Che ruolo vogliamo giocare» (5 in corso, 0 conclusi) is not a full
    green bar; only a pista whose projects are all concluded is."""
    from coopplan.since import track_progress

    plan = load_plan(SHIPPED).plan
    assert plan is not None
    fig = charts.progress_by_track(track_progress(plan))
    concluded, running = fig.data
    assert (concluded.name, running.name) == ("Concluso", "In corso")
    assert concluded.marker.color == status_color("Concluso")
    assert running.marker.color == status_color("In corso")
    assert concluded.x[0] == 0 and running.x[0] == 1.0  # all running, nothing done
    assert running.text[0] == "100%" and concluded.text[0] == ""  # a share on a share axis
    assert running.text[1] == "60%"  # 3 of 5 (the trial read «3» on a 0–100 % axis)
    words = [a.text for a in fig.layout.annotations]
    assert "0 conclusi e 5 in corso su 5 progetti" in words[0]
    ids = plan.projects.loc[plan.projects["track"] == plan.track_codes[0], "id"]
    done = replace(
        plan,
        projects=plan.projects.assign(
            status=[
                "Concluso" if pid in set(ids) else s
                for pid, s in zip(plan.projects["id"], plan.projects["status"], strict=True)
            ]
        ),
    )
    fig = charts.progress_by_track(track_progress(done))
    assert fig.data[0].x[0] == 1.0 and fig.data[1].x[0] == 0
    assert fig.layout.xaxis.range == (0, 1)


def test_a_long_value_goes_below_its_title_so_a_phone_shows_it_whole() -> None:
    """«Che ruolo vogliamo giocare · 0 conclusi e 5 in corso su 5 progetti» ran past a 390 px
    screen: the words go on a line of their own; a short amount stays beside its title."""
    from coopplan.since import track_progress

    plan = load_plan(SHIPPED).plan
    assert plan is not None
    words = [a.text for a in charts.progress_by_track(track_progress(plan)).layout.annotations]
    assert words[0] == "<b>Che ruolo vogliamo giocare</b><br>0 conclusi e 5 in corso su 5 progetti"
    for text in words:
        assert all(len(line) <= charts.ROW_LINE_WIDTH for line in strip_bold(text).split("<br>"))
    assert charts.row_label("Tessere connessioni", "5.000 €") == (
        "<b>Tessere connessioni</b> · 5.000 €"
    )


def strip_bold(text: str) -> str:
    return text.replace("<b>", "").replace("</b>", "")


def test_a_spending_row_title_with_an_ampersand_reads_as_written() -> None:
    """«Ricerca & sviluppo» above its spending bars, not «Ricerca &amp; sviluppo»."""
    import pandas as pd

    from coopplan import charts_spending

    frame = pd.DataFrame(
        {"planned": [1000.0], "committed": [500.0], "spent": [200.0], "spent_share": [0.2]}
    )
    fig = charts_spending._bullets(frame, ["Ricerca & sviluppo"])
    assert fig.layout.annotations[0].text.startswith("<b>Ricerca &amp; sviluppo</b>")


def test_a_tile_label_keeps_every_letter_and_splits_a_long_word_at_a_syllable() -> None:
    assert charts.tile_label("La Cooperazione scende in Piazza", 11) == (
        "La<br>Cooperazio-<br>ne scende<br>in Piazza"
    )
    assert (
        charts.tile_label("Formazione imprenditoriale", 11) == "Formazione<br>imprendito-<br>riale"
    )
    assert charts.tile_label("Professionisti", 11) == "Professio-<br>nisti"
    for title in ("Supercalifragilistichespiralidoso", "XYZWKJHGFDSAQWERTPLM"):
        lines = charts.tile_label(title, 11).split("<br>")
        assert all(len(line) <= 11 for line in lines), lines
        assert "".join(line.removesuffix("-") for line in lines) == title
