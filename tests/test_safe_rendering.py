"""One mechanism renders data as text: every Markdown-reading Streamlit call in the app gets a
plain string literal or the output of ui.safe (text, md, join, table), so a new page cannot
pass a workbook's text to Markdown by mistake.

The check reads the source (ast) of app.py, app_pages/ and ui/.
"""

from __future__ import annotations

import ast
import re

import pandas as pd
import pytest
from support.paths import ROOT

from coopplan.text import WORD_JOINER, shown_text
from ui import safe

SHELL = [
    ROOT / "app.py",
    *sorted((ROOT / "app_pages").glob("*.py")),
    *sorted((ROOT / "ui").glob("*.py")),
]

# Streamlit calls whose first argument (or label=/body=) is read as Markdown.
MARKDOWN_CALLS = {
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "info",
    "warning",
    "error",
    "success",
    "toast",
    "expander",
    "popover",
    "status",
    "tabs",
    "button",
    "download_button",
    "form_submit_button",
    "page_link",
    "write",
    "table",
    "metric",
    "radio",
    "checkbox",
    "toggle",
}
FIRST_ARGUMENT_NOT_TEXT = {"page_link"}  # st.page_link(page, label=…): a page, its label checked
SAFE_FUNCTIONS = {"text", "md", "join", "table"}  # ui.safe
LABEL_KEYWORDS = {"body", "label", "help"}


def _returns_md(tree: ast.AST) -> set[str]:
    """Names of the functions declared ``-> Md``: they build their Markdown with ui.safe."""
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and isinstance(node.returns, ast.Name)
        and node.returns.id == "Md"
    }


MD_FUNCTIONS = set().union(*(_returns_md(ast.parse(p.read_text())) for p in SHELL))


def _is_safe_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in SAFE_FUNCTIONS | MD_FUNCTIONS
    return isinstance(func, ast.Attribute) and (
        (
            func.attr in SAFE_FUNCTIONS
            and isinstance(func.value, ast.Name)
            and func.value.id == "safe"
        )
        or func.attr in MD_FUNCTIONS
    )


def allowed(node: ast.AST) -> bool:
    """A literal without fields, a ui.safe result (or of a function declared ``-> Md``), or a
    choice between such."""
    if isinstance(node, ast.Constant):
        return node.value is None or isinstance(node.value, str)
    if isinstance(node, ast.IfExp):
        return allowed(node.body) and allowed(node.orelse)
    if isinstance(node, ast.BoolOp):
        return all(allowed(v) for v in node.values)
    if isinstance(node, ast.List | ast.Tuple):
        return all(allowed(e) for e in node.elts)
    if isinstance(node, ast.ListComp):
        return allowed(node.elt)
    return _is_safe_call(node)


def _table_argument_ok(node: ast.AST) -> bool:
    """st.table(safe.table(frame).style…): a Styler built on an escaped frame."""
    return any(_is_safe_call(n) and _call_name(n) == "table" for n in ast.walk(node))


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def violations(source: str, filename: str) -> list[str]:
    """Each Markdown-reading call whose text is not a literal or a ui.safe result."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        checked: list[ast.AST] = []
        if name == "Page":  # st.Page: the navigation draws its title as Markdown
            checked += [k.value for k in node.keywords if k.arg == "title"]
        elif name in MARKDOWN_CALLS:
            if node.args and name not in FIRST_ARGUMENT_NOT_TEXT:
                checked.append(node.args[0])
            checked += [k.value for k in node.keywords if k.arg in LABEL_KEYWORDS]
        else:  # help= is a Markdown tooltip on every widget and column
            checked += [k.value for k in node.keywords if k.arg == "help"]
        for argument in checked:
            ok = _table_argument_ok(argument) if name == "table" else allowed(argument)
            if not ok:
                found.append(f"{filename}:{node.lineno}: {name}({ast.unparse(argument)[:60]})")
    return found


def test_every_markdown_call_in_the_app_renders_data_through_ui_safe():
    found = [v for path in SHELL for v in violations(path.read_text(), path.name)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        'st.markdown(f"**{title}**")',
        "st.caption(plan.meta.title)",
        'st.info("Piano " + name)',
        "st.expander(label)",
        "st.tabs(view.source_names)",
        "st.table(frame)",
        'st.Page("app_pages/pista.py", title=plan.track_title(code))',
        'st.column_config.Column("Fonte", help=column.help)',
        'st.markdown("{}".format(title))',
        "st.page_link(pages[0], label=plan.track_title(code))",
    ],
)
def test_the_check_catches_raw_data(snippet):
    assert violations(snippet, "page.py"), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        'st.markdown("Testo fisso")',
        'st.markdown(md("**{title}**", title=title))',
        "st.caption(text(plan.meta.title))",
        "st.tabs([text(s) for s in view.source_names])",
        "st.table(table(frame).style.apply(f))",
        'st.column_config.Column("Fonte", help=safe.text(h) if h else None)',
    ],
)
def test_the_check_accepts_the_safe_forms(snippet):
    assert violations(snippet, "page.py") == [], snippet


def test_md_escapes_the_data_and_keeps_the_template():
    body = safe.md("**{title}** · {note}", title="# Titolo", note="[testo](http://x.it)")
    assert body.startswith("**") and "** · " in body
    assert shown_text(body) == "**# Titolo** · [testo](http://x.it)"
    assert not re.search(r"(?<!\\)\]\(", body) and "\n#" not in body


def test_table_escapes_cells_index_and_headers_but_not_numbers():
    frame = pd.DataFrame({"![x](http://h/p.png)": ["**b**", 3]}, index=["$x$", "Totale"])
    shown = safe.table(frame)
    assert shown.iloc[1, 0] == 3
    assert shown_text(shown.iloc[0, 0]) == "**b**" and shown.iloc[0, 0] != "**b**"
    assert shown_text(shown.index[0]) == "$x$" and shown.index[1] == "Totale"
    assert shown_text(shown.columns[0]) == "![x](http://h/p.png)"
    assert WORD_JOINER in shown.columns[0]  # 'http:' cannot become an autolink or shortcode
