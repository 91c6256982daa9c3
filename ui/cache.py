"""Work shared by every session of the server: a plan's filtered views, figures and tables, built
once per (plan content, arguments) and then only looked up.

At an assembly thirty phones ask for the same few views of the same plan version; building each
figure or table once per rerun of every session was most of a page's time (docs/benchmarks.md,
issue 11). ``shared(make, plan, ...)`` calls ``make`` the first time and returns the same object
afterwards, to every session: plans are keyed by ``Plan.digest`` (their content), other
arguments by value, functions by their qualified name (module-level functions only).

The objects are shared, not copied (``st.cache_resource``): a caller must never change what it
gets (a plan is frozen; a figure or a DataFrame is only drawn). ``tests/test_shared_cache.py``
draws every page and checks that the shared objects are unchanged. The cache is bounded
(``SHARED_ENTRIES``, least recently used dropped first), so old versions and rare filters leave
memory.
"""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType
from typing import ParamSpec, TypeVar

import streamlit as st

from coopplan import Plan

SHARED_ENTRIES = 256  # views, figures and tables of a few versions x the filters in use

P = ParamSpec("P")
T = TypeVar("T")


def _plan_key(plan: Plan) -> str:
    return plan.digest


def _function_key(make: FunctionType) -> str:
    return f"{make.__module__}.{make.__qualname__}"


@st.cache_resource(
    max_entries=SHARED_ENTRIES,
    show_spinner=False,
    hash_funcs={Plan: _plan_key, FunctionType: _function_key},
)
def _shared(make: Callable[..., object], args: tuple, kwargs: tuple) -> object:
    return make(*args, **dict(kwargs))


def shared(make: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``make(*args, **kwargs)``, computed once per process for equal arguments and then shared
    by every session. ``make``: a module-level function of coopplan or ui (keyed by its name);
    plans among the arguments are compared by content (``Plan.digest``). The result must never
    be modified by the caller."""
    # st.cache_resource's wrapper returns the cached function's declared type (object): the
    # value is make's own result, so T.
    return _shared(make, args, tuple(sorted(kwargs.items())))  # type: ignore[return-value]
