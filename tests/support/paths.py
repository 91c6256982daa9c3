"""Where the tests find the project: its root, the shipped workbook and the example with spending."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "piano_2023.xlsx"
APP = ROOT / "app.py"
