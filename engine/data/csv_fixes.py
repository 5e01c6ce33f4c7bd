"""Mending a CSV file that the checks refused for a reason the app can fix for the learner.

Each fix rewrites the rows through the csv module (same delimiter, same row numbers,
multi-line cells kept quoted) and returns UTF-8 bytes plus a note of what it changed.
"""

from __future__ import annotations

import csv
import io
import math

from engine.data.bundle import DataError
from engine.data.csv_checks import MISSING_TEXT, decode_csv, guess_delimiter
from engine.data.message_text import column_label, count

FIX_BUTTONS = {
    "unnamed_columns": "Name the unnamed columns for me (column_3, …)",
    "infinite_values": "Treat the infinite values as missing",
}


def _rows(data: bytes) -> tuple[list[list[str]], str]:
    text, _ = decode_csv(data)
    delimiter = guess_delimiter(text)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), delimiter


def _write(rows: list[list[str]], delimiter: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def name_unnamed_columns(data: bytes) -> tuple[bytes, str]:
    """Every empty header cell named column_<n> (its position), kept apart from other names."""
    rows, delimiter = _rows(data)
    header = [name.strip() for name in rows[0]]
    named = []
    for index, name in enumerate(header):
        if name:
            continue
        new, n = f"column_{index + 1}", 2
        while new in header:
            new, n = f"column_{index + 1}_{n}", n + 1
        header[index] = new
        named.append(f"{column_label(index)} is now '{new}'")
    rows[0] = header
    return _write(rows, delimiter), "Named the unnamed columns: " + "; ".join(named) + "."


def _number(cell: str) -> float | None:
    try:
        return float(cell.strip())
    except ValueError:
        return None


def infinite_as_missing(data: bytes) -> tuple[bytes, str]:
    """Infinite numbers emptied (missing) in columns that hold only numbers."""
    rows, delimiter = _rows(data)
    width, changed = len(rows[0]), 0
    for column in range(width):
        cells = [
            row[column]
            for row in rows[1:]
            if len(row) == width and row[column].strip().lower() not in MISSING_TEXT
        ]
        values = [_number(cell) for cell in cells]
        if not values or any(v is None for v in values):
            continue  # a text column: "inf" may be a word there
        for row in rows[1:]:
            value = _number(row[column]) if len(row) == width else None
            if value is not None and math.isinf(value):
                row[column] = ""
                changed += 1
    return _write(rows, delimiter), f"Treated {count(changed, 'infinite value')} as missing."


FIXES = {"unnamed_columns": name_unnamed_columns, "infinite_values": infinite_as_missing}


def apply_fix(data: bytes, fix: str) -> tuple[bytes, str]:
    """The mended bytes and a note for the learner; a DataError for an unknown fix."""
    if fix not in FIXES:
        raise DataError(f"There is no automatic fix called {fix!r}.")
    return FIXES[fix](data)
