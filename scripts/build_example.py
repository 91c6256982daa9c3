"""Build data/esempio_consuntivo.xlsx: the shipped plan with a made-up consuntivo, referenti,
scadenze and next assembly, for tests, screenshots and the README's pictures.

It is an EXAMPLE: its title says so, and its figures are not the federation's. Dates are set
from the shipped plan's «Data versione» (the next assembly 23 days later), so the example stays
coherent when the plan is rebuilt.

Usage: python scripts/build_example.py [OUTPUT_XLSX]
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coopplan import load_plan  # noqa: E402
from coopplan.plan import Plan, make_table  # noqa: E402
from coopplan.workbook.writer import write_workbook  # noqa: E402

SHIPPED = ROOT / "data" / "piano_2023.xlsx"
DEFAULT_OUTPUT = ROOT / "data" / "esempio_consuntivo.xlsx"
TITLE = "Esempio con consuntivo (cifre inventate) – Coop Re-Start 2023"
ASSEMBLY_AFTER_DAYS = 23

# project -> (source, impegnato, speso, nota): Spazi cooperativi has no row yet.
SPENDING: dict[str, tuple[str, float, float, str]] = {
    "P1-03": ("Risorse Coop Re-Start", 5000, 4500, ""),
    "P1-04": ("Risorse Coop Re-Start", 9000, 6000, "Seconda edizione dei seminari rinviata"),
    "P2-01": ("Oneri di funzionamento", 41000, 20500, ""),
    "P2-05": (
        "Risorse Coop Re-Start",
        3200,
        3200,
        "Due incontri in più richiesti dalle cooperative",
    ),
}
# project -> (referente, days after the version date of its scadenza: negative = before it)
DUE: dict[str, tuple[str, int]] = {
    "P1-03": ("Anna Rossi", -12),
    "P1-04": ("Marco Bianchi", 9),
    "P2-01": ("Ufficio Credito", 20),
    "P2-02": ("Giulia Colombo", 4),
    "P2-05": ("Luca Ferrari", 60),
    "P3-03": ("Sara Galli", 15),
    "P4-03": ("", 30),
    "P1-01": ("Paolo Ricci", -30),
}


def example_plan(plan: Plan) -> Plan:
    """The shipped plan with the example's consuntivo, referenti, scadenze and next assembly."""
    version = plan.meta.version_date or dt.date(plan.meta.year, 6, 1)
    projects = plan.projects.copy()
    for pid, (owner, days) in DUE.items():
        at = projects.index[projects["id"] == pid][0]
        projects.at[at, "owner"] = owner
        projects.at[at, "due"] = version + dt.timedelta(days=days)
    spending = make_table(
        "spending",
        [
            {"project": p, "source": s, "committed": float(c), "spent": float(sp), "note": n}
            for p, (s, c, sp, n) in SPENDING.items()
        ],
    )
    meta = replace(
        plan.meta,
        title=TITLE,
        next_assembly=version + dt.timedelta(days=ASSEMBLY_AFTER_DAYS),
    )
    return replace(plan, meta=meta, projects=projects, spending=spending)


def build(output: Path = DEFAULT_OUTPUT) -> Path:
    result = load_plan(SHIPPED)
    if result.plan is None:
        raise SystemExit("\n".join(str(p) for p in result.problems))
    write_workbook(example_plan(result.plan), output)
    return output


if __name__ == "__main__":
    print(build(*(Path(a) for a in sys.argv[1:2])))
