"""Cronologia: the plan over time — totals per source and projects per stato in every published
version of the year, with who published each one and what changed (ui/timeline.py)."""

from ui.timeline import show

show()
