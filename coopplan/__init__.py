"""coopplan: the core of the work-plan dashboard (no streamlit here)."""

from coopplan.plan import Plan, PlanMeta
from coopplan.problems import Problem, Severity
from coopplan.reader import LoadResult, load_plan

__all__ = ["LoadResult", "Plan", "PlanMeta", "Problem", "Severity", "load_plan"]
