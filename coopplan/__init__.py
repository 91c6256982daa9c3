"""coopplan: the core of the work-plan dashboard (no streamlit here)."""

from coopplan.plan import Plan, PlanMeta
from coopplan.reader import LoadResult, load_plan
from coopplan.validation import Problem, Severity

__all__ = ["LoadResult", "Plan", "PlanMeta", "Problem", "Severity", "load_plan"]
