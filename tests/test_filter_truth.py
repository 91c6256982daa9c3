"""Filters tell the truth (issue 10 §1): cards keep all their funding, totals say what they
count, sentences about a filtered view are true, a pista's caption counts that pista, and the
filtered deck counts only the piste holding a shown project. Shipped workbook, AppTest + core.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from support.paths import ROOT, SHIPPED
from support.sample import generate_plan

from coopplan import load_plan, scope, slides
from coopplan.plan import Plan
from coopplan.text import shown_text
from ui import keys
from ui.nav import track_url

APP = str(ROOT / "app.py")
INTERNAL = "Risorse interne"
RESTART = "Risorse Coop Re-Start"
ONERI = "Oneri di funzionamento"
NBSP_EURO = "\u00a0€"


@pytest.fixture(scope="module")
def shipped() -> Plan:
    return load_plan(SHIPPED).plan


def start(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception and not at.error
    return at


def open_track(at: AppTest, code: str) -> AppTest:
    url = track_url(code)
    at._page_hash = next(
        h for h, info in at._registered_pages.items() if info.get("url_pathname") == url
    )
    at.run()
    assert not at.exception and not at.error
    return at


def shown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info]
    return shown_text("\n".join(parts))


# The project card -------------------------------------------------------------------------------


def test_a_card_shows_all_its_funding_under_a_source_filter() -> None:
    at = start({"fonte": INTERNAL})
    at.selectbox(key=keys.OVERVIEW_PROJECT).select("P1-03").run()  # Rating cooperativo
    text = shown(at)
    assert f"{RESTART}: **5.000{NBSP_EURO}**" in text  # the source not chosen stays
    assert f"{INTERNAL}: **Sì** · *fonte del filtro*" in text  # the chosen one is marked
    assert f"{RESTART}: **5.000{NBSP_EURO}** · *fonte" not in text


def test_pista_cards_show_all_their_funding_under_a_source_filter() -> None:
    at = open_track(start({"fonte": RESTART}), "P1")
    text = shown(at)
    assert f"{INTERNAL}: **Sì**" in text  # Rating cooperativo's tick, though not filtered on
    assert f"{RESTART}: **5.000{NBSP_EURO}** · *fonte del filtro*" in text


# Sentences and totals ---------------------------------------------------------------------------


def test_overview_says_the_truth_about_euros_of_the_shown_projects() -> None:
    at = start({"fonte": INTERNAL})
    infos = [i.value for i in at.info]
    assert "I progetti mostrati non hanno importi in euro." not in infos
    assert shown_text(infos[0]) == (
        "Le fonti scelte non hanno importi in euro; 5 dei 15 progetti mostrati ricevono "
        "66.000 € da altre fonti: Risorse Coop Re-Start 25.000 €, Oneri di funzionamento "
        "41.000 €."
    )


def test_a_total_of_chosen_and_other_sources_says_di_cui() -> None:
    at = start({"fonte": [ONERI, INTERNAL]})
    captions = [shown_text(c.value) for c in at.caption]
    assert (
        "I progetti mostrati ricevono 66.000 €, di cui 41.000 € dalle fonti scelte "
        "(Oneri di funzionamento 41.000 €) e 25.000 € da altre fonti "
        "(Risorse Coop Re-Start 25.000 €)." in captions
    )


def test_without_a_source_filter_no_scope_sentence(shipped: Plan) -> None:
    assert scope.euros_sentence(shipped, shipped) == ""
    assert scope.euros_sentence(shipped, shipped.filter(statuses=["In corso"])) == ""


def test_pista_caption_counts_that_pistas_projects_before_the_filoni() -> None:
    at = open_track(start({"fonte": RESTART}), "P1")
    captions = [shown_text(c.value) for c in at.caption]
    filter_line = next(c for c in captions if "Filtro attivo" in c)
    assert filter_line.endswith(f"Fonte: {RESTART}: 2 di 5 progetti della pista.")
    assert "Budget della pista (fonti scelte nel filtro): Risorse Coop Re-Start 20.000 €" in (
        captions
    )
    # In page order the caption comes before the heading of the filoni.
    order = [e.value for e in at.main if e.type in ("caption", "header")]
    assert order.index(next(v for v in order if "Filtro attivo" in v)) < order.index(
        "I filoni di intervento"
    )


# The filtered deck --------------------------------------------------------------------------------


def test_filtered_summary_slide_counts_only_piste_holding_a_shown_project(shipped: Plan) -> None:
    view = shipped.filter(sources=[ONERI])
    deck = slides.build_deck(view, f"Fonte: {ONERI}", shipped.source_names)
    heading = deck[2].blocks[0].heading
    items = len(view.items)
    assert heading == f"1 progetto e {items} attività in 1 pista (su 4 piste e 16 filoni del piano)"
    whole = slides.build_deck(shipped)[2].blocks[0].heading
    assert whole == f"4 piste, 16 filoni, 18 progetti, {len(shipped.items)} attività"


def test_a_filter_over_every_pista_names_the_piste_once(shipped: Plan) -> None:
    """Issue 24 §3: «in 4 piste (su 4 piste e 16 filoni del piano)» said the piste twice."""
    view = shipped.filter(statuses=["In corso"])
    deck = slides.build_deck(view, "Stato: In corso", shipped.source_names)
    heading = deck[2].blocks[0].heading
    assert heading == (
        f"12 progetti e {len(view.items)} attività in tutte le 4 piste del piano (16 filoni)"
    )
    assert heading.count("piste") == 1


def test_filtered_counts_on_a_generated_plan() -> None:
    plan = generate_plan(n_tracks=5, n_projects=40, extra_sources=1, seed=3)
    one = plan.filter(tracks=[plan.track_codes[2]])
    sentence = scope.counts_sentence(one, filtered=one.filtered)
    assert f"in 1 pista (su 5 piste e {len(plan.lines)} filoni del piano)" in sentence
    assert sentence.startswith(f"{len(one.projects)} progetti")
