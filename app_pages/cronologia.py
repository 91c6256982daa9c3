"""Cronologia: the plan over time — totals per source and projects per stato in every published
version of the year, with who published each one and what changed (ui/chronology.py)."""

from ui.chronology import show

show()
