"""A pista page with a source filter on a phone (390x844): the caption that counts the pista's
projects is read before the first project card (issue 10 §1)."""

from __future__ import annotations

from urllib.parse import quote

from ui.nav import track_url

RESTART = "Risorse Coop Re-Start"
BAND_JS = """(e) => { const box = e.closest('[data-testid="stCaptionContainer"]');
  const s = getComputedStyle(box);
  return {size: parseFloat(s.fontSize), weight: parseInt(s.fontWeight), background: s.backgroundColor}; }"""


def test_pista_filter_caption_comes_before_the_cards_on_a_phone(dashboard_url, visitor) -> None:
    made = visitor(390, 844)
    page = made.page
    page.goto(f"{dashboard_url}/{track_url('P1')}?fonte={quote(RESTART)}")
    caption = page.get_by_text("Filtro attivo").first
    caption.wait_for()
    assert "2 di 5 progetti della pista" in caption.inner_text()
    band = caption.evaluate(BAND_JS)  # seen from the back of the hall, not small grey print
    assert band["size"] >= 16 and band["weight"] >= 600 and band["background"] != "rgba(0, 0, 0, 0)"
    first_card = page.get_by_text("Rating cooperativo", exact=True).first  # the first card's title
    first_card.wait_for()
    caption_y = caption.bounding_box()["y"]
    card_y = first_card.bounding_box()["y"]
    print(f"caption y={caption_y:.0f} px, first card y={card_y:.0f} px")
    assert caption_y < card_y
    assert caption_y < 844  # on the first screen, before the filoni
