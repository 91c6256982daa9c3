"""When do numbers appear next to a plotly chart? Cold loads of tiny apps, same run.

    python benchmarks/first_paint.py [REPS]

Each app shows one number (as the dashboard's KPI cards do) and, in most, a plotly chart. The
number's first paint is timed in a new browser context against a hello-world app. It shows what
delays the numbers on the overview (docs/benchmarks.md, "Browser"): the JavaScript chunks that
Streamlit loads on demand for the elements of the page.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
from pathlib import Path

from bench_browser import HELLO_APP, HELLO_TEXT, chromium, cold_load, streamlit_server

CHART = """
import plotly.graph_objects as go
FIG = go.Figure(go.Bar(x=[1, 2, 3], y=["a", "b", "c"], orientation="h"))
"""
HTML_NUMBER = "st.markdown('<div class=\"cp-kpi-value\">25.000 €</div>', unsafe_allow_html=True)\n"
PLAIN_NUMBER = 'st.markdown("**Risorse** 25.000 €")\n'
METRIC_NUMBER = 'st.metric("Risorse", "25.000 €")\n'
SAME_BLOCK = "st.plotly_chart(FIG)\n"
OWN_CONTAINER = "with st.container():\n    st.plotly_chart(FIG)\n"

HTML_SELECTOR = ".cp-kpi-value"
TEXT_SELECTOR = "text=25.000 €"
METRIC_SELECTOR = '[data-testid="stMetricValue"]'

# name -> (body after "import streamlit as st", selector of the number)
VARIANTS: dict[str, tuple[str, str]] = {
    "hello world": ("", f"text={HELLO_TEXT}"),
    "numero HTML, senza grafico": (HTML_NUMBER, HTML_SELECTOR),
    "numero HTML + grafico": (CHART + HTML_NUMBER + SAME_BLOCK, HTML_SELECTOR),
    "numero HTML + grafico in un container": (CHART + HTML_NUMBER + OWN_CONTAINER, HTML_SELECTOR),
    "st.metric + grafico in un container": (
        CHART + METRIC_NUMBER + OWN_CONTAINER,
        METRIC_SELECTOR,
    ),
    "markdown semplice + grafico": (CHART + PLAIN_NUMBER + SAME_BLOCK, TEXT_SELECTOR),
    "markdown semplice + grafico in un container": (
        CHART + PLAIN_NUMBER + OWN_CONTAINER,
        TEXT_SELECTOR,
    ),
}


def main(reps: int = 7) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="coopplan-paint-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        folder = Path(tmp)
        servers = {}
        for number, (name, (body, selector)) in enumerate(VARIANTS.items()):
            script = folder / f"app_{number}.py"
            script.write_text(HELLO_APP if not body else "import streamlit as st\n" + body)
            servers[name] = (stack.enter_context(streamlit_server(script, folder)), selector)
        browser = stack.enter_context(chromium())
        for server, selector in servers.values():  # warm-up
            cold_load(browser, server.url, [("selector", selector)])
        times: dict[str, list[float]] = {name: [] for name in servers}
        for _ in range(reps):
            for name, (server, selector) in servers.items():
                times[name].append(
                    cold_load(browser, server.url, [("selector", selector)])[selector]
                )
    hello = statistics.median(times["hello world"])
    for name, values in times.items():
        median = statistics.median(values)
        each = " ".join(f"{v:.1f}" for v in sorted(values))
        print(f"{name:45} {median * 1000:6.0f} ms  {median / hello:4.2f}x   [{each}] s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
