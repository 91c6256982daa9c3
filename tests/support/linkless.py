"""A plan whose texts hold what GitHub-style Markdown turns into links (``www.…``, e-mail
addresses, ``https://…``), and what Streamlit's Markdown (remark-gfm) would link in a text.

remark-gfm finds these autolinks in the text *after* backslash escapes are read, with these
patterns (copied from Streamlit's frontend bundle; the e-mail one without its look-behind, so
it finds more, never less)."""

from __future__ import annotations

import re
from dataclasses import replace

from coopplan.plan import Plan
from support.variants import shipped, with_project_field

GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")

SITE = "www.esempio.it"
MAIL = "mario@esempio.it"
WEB = "https://esempio.it/bando"
PROJECT = "P1-01"


def autolinks(markdown: str) -> list[str]:
    """What remark-gfm would make a link of in ``markdown`` (its escapes read first)."""
    text = _ESCAPE.sub(r"\1", markdown)
    return [m[0] for m in GFM_URL.finditer(text)] + [m[0] for m in GFM_EMAIL.finditer(text)]


def linkless_plan() -> Plan:
    """The shipped plan with the texts above in its title, organisation, a project's title
    and notes (pista P1)."""
    plan = shipped()
    plan = replace(
        plan,
        meta=replace(plan.meta, title=f"Piano {SITE}", organization=f"Scrivi a {MAIL}"),
    )
    plan = with_project_field(plan, PROJECT, "title", f"Sito {SITE}")
    return with_project_field(plan, PROJECT, "notes", f"Bando su {WEB}, chiedi a {MAIL}")
