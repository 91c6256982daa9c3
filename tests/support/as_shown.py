"""Helpers shared by tests (from test_read_as_shown.py): ARRANGEMENTS, FONTI, I4, PIANO, PROGETTI, errors, members, rewritten, total."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from coopplan.workbook.reader import LoadResult
from support.paths import SHIPPED

PROGETTI = "xl/worksheets/sheet6.xml"  # the shipped workbook's parts (checked below)


PIANO = "xl/worksheets/sheet2.xml"


FONTI = "xl/worksheets/sheet5.xml"


COOP, ONERI = "Risorse Coop Re-Start", "Oneri di funzionamento"


I4 = '<c r="I4" s="7" t="n"><v>5000</v></c>'  # Rating cooperativo: 5.000 € Coop Re-Start


def members() -> dict[str, bytes]:
    with zipfile.ZipFile(SHIPPED) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rewritten(
    part: str, edit: Callable[[str], str], *, extra: tuple[tuple[str, bytes], ...] = ()
) -> bytes:
    """The shipped workbook with one part's XML rewritten by ``edit`` (which must change it)."""
    parts = members()
    before = parts[part].decode("utf-8")
    after = edit(before)
    assert after != before, "the edit changed nothing"
    parts[part] = after.encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in list(parts.items()) + list(extra):
            archive.writestr(name, content)
    return buffer.getvalue()


def total(result: LoadResult, source: str) -> float:
    assert result.plan is not None
    return float(result.plan.funding.loc[result.plan.funding["source"] == source, "amount"].sum())


def errors(result: LoadResult) -> list[tuple[str, str]]:
    return [(p.cell, p.message) for p in result.errors]


def _rows(xml: str) -> list[str]:
    return re.findall(r"<row [^>]*>.*?</row>", xml)


def _reorder(xml: str, order: Callable[[list[str]], list[str]]) -> str:
    rows = _rows(xml)
    return xml.replace("".join(rows), "".join(order(rows)))


def _without_references(xml: str) -> str:
    """Cells written without r= (rows keep theirs), as some writers do."""
    return re.sub(r'<c r="[A-Z]+[0-9]+"', "<c", xml)


def _prefixed(xml: str) -> str:
    """Every element with an x: prefix, as the Open XML SDK writes."""
    xml = xml.replace('<worksheet xmlns="', '<x:worksheet xmlns:x="', 1)
    return re.sub(r"<(/?)([A-Za-z]+)([ >/])", r"<\1x:\2\3", xml)


def _reference_last(xml: str) -> str:
    return re.sub(r'<c r="([A-Z]+[0-9]+)"([^>]*?)(/?)>', r'<c\2 r="\1"\3>', xml)


def _indented(xml: str) -> str:
    return re.sub(r"><", ">\n    <", xml)


def _cells_reversed(xml: str) -> str:
    return re.sub(
        r"(<row [^>]*>)(.*?)(</row>)",
        lambda m: (
            m.group(1)
            + "".join(reversed(re.findall(r"<c .*?</c>|<c [^>]*/>", m.group(2))))
            + m.group(3)
        ),
        xml,
    )


ARRANGEMENTS: dict[str, Callable[[str], str]] = {
    "rows 16, 18, 19, 17": lambda xml: _reorder(
        xml, lambda rows: rows[:16] + [rows[17], rows[18], rows[16]] + rows[19:]
    ),
    "rows 16, 18, 19, 17, cells without r=": lambda xml: _without_references(
        _reorder(xml, lambda rows: rows[:16] + [rows[17], rows[18], rows[16]] + rows[19:])
    ),
    "rows bottom to top": lambda xml: _reorder(xml, lambda rows: rows[:1] + rows[:0:-1]),
    "cells right to left": _cells_reversed,
    "r= not the first attribute": _reference_last,
    "indented XML": _indented,
    "x: namespace prefix": _prefixed,
    "x: prefix, no r=, indented": lambda xml: _indented(_prefixed(_without_references(xml))),
}
