"""CSV for spreadsheets, escaped against formula injection (OWASP: CSV injection)."""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run these as formulas


def escape_cell(value: Any) -> Any:
    """A text cell that could start a formula gets a quote in front; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """CSV whose text cells and headers cannot start a spreadsheet formula."""
    out = frame.map(escape_cell)
    out.columns = [escape_cell(str(c)) for c in out.columns]
    return out.to_csv(index=False).encode("utf-8")
