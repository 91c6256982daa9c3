"""The Streamlit shell shared by the pages: loading, filters, cards, downloads (no data work)."""

CHOOSE = "Scegli un'opzione"
"""Placeholder of every single-choice widget: Streamlit shows its English «Choose an option»
when the text of a selectbox is cleared, unless the app gives one (docs/decisions.md)."""
