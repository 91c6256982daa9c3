"""Build data/piano_2023.xlsx from its reviewed transcription data/source/piano_2023.json.

Usage: python scripts/build_workbook.py [SOURCE_JSON] [OUTPUT_XLSX]
       python scripts/build_workbook.py --docs     (re)writes docs/formato.md from the schema
The output is reproducible: the same JSON gives the same workbook content.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coopplan.export.jsonplan import plan_from_dict  # noqa: E402
from coopplan.workbook.formatdoc import format_markdown  # noqa: E402
from coopplan.workbook.writer import write_workbook  # noqa: E402

DEFAULT_SOURCE = ROOT / "data" / "source" / "piano_2023.json"
DEFAULT_OUTPUT = ROOT / "data" / "piano_2023.xlsx"
FORMAT_DOC = ROOT / "docs" / "formato.md"


def build(source: Path = DEFAULT_SOURCE, output: Path = DEFAULT_OUTPUT) -> Path:
    plan = plan_from_dict(json.loads(source.read_text(encoding="utf-8")))
    write_workbook(plan, output)
    return output


if __name__ == "__main__":
    if sys.argv[1:] == ["--docs"]:
        FORMAT_DOC.write_text(format_markdown(), encoding="utf-8")
        print(FORMAT_DOC)
        sys.exit(0)
    args = [Path(a) for a in sys.argv[1:3]]
    print(build(*args))
