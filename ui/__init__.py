"""The Streamlit shell shared by the pages: loading, filters, cards, downloads (no data work)."""
