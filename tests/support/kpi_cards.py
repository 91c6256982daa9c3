"""The overview's KPI cards as AppTest sees them (page tests).

ui/components.kpi_row draws each card as plain Markdown in a container keyed
``cp-kpi-card-<n>`` (``ui.keys.KPI_CARD``): the label, then the value (``**25\\.000** €``), then the small print.
"""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from ui import keys

CARD_KEY = re.compile(re.escape(keys.KPI_CARD) + r"-\d+$")


def shown(markdown: str) -> str:
    """A Markdown body as the reader sees it: no bold markers, no escapes, spaces collapsed."""
    return " ".join(re.sub(r"\\(.)", r"\1", markdown.replace("**", "")).split())


def kpi_cards(at: AppTest) -> dict[str, str]:
    """Label -> value ('41.000 €') of every KPI card on the page, in order."""
    cards: dict[str, str] = {}

    def walk(node: object) -> None:
        for child in getattr(node, "children", {}).values():
            if isinstance(child, Block) and CARD_KEY.search(getattr(child.proto, "id", "") or ""):
                label, value = (m.value for m in list(child.markdown)[:2])
                cards[shown(label)] = shown(value)
            else:
                walk(child)

    walk(at.main)
    return cards
