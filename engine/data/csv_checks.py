"""Checks for an uploaded CSV file: each refusal names the column, the rows and the fix."""

from __future__ import annotations

import codecs
import csv
import io
import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from engine.data.bundle import DataError, FixableDataError
from engine.data.csv_traps import check_runaway_quote, looks_binary
from engine.data.file_magic import refuse_other_format
from engine.data.label_checks import check_target
from engine.data.message_text import column_label, quoted

MAX_CSV_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 10_000
MAX_ROWS = 200_000
MAX_CELL_CHARS = 10_000
NUMERIC_SHARE = 0.9  # a column this full of numbers is a number column with typos
SHOWN = 5  # how many bad rows a message lists
MISSING_TEXT = frozenset({"", "na", "n/a", "nan", "null", "none", "#n/a", "-nan", "<na>"})
# Spreadsheets run cells starting like this as formulas; kept as text, escaped on export.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Direction overrides, embeddings and isolates can make a header read differently than it is.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def list_rows(pairs: Sequence[tuple[Hashable, Any]], total: int) -> str:
    """'row 4 ("x"), row 9 ("y") and 3 more' for a message."""
    shown = ", ".join(f"row {row} ({quoted(value)})" for row, value in pairs[:SHOWN])
    return shown + (f" and {total - SHOWN} more" if total > SHOWN else "")


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text and the encoding used: UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        attempts = [("utf-8-sig", "UTF-8 with BOM")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        attempts = [("utf-16", "UTF-16")]
    else:
        attempts = [("utf-8", "UTF-8"), ("cp1252", "Windows-1252 (cp1252)")]
    for codec, label in attempts:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" in text or looks_binary(text):
            break
        return text, label
    raise DataError(
        "The file could not be read as text (it is not UTF-8, UTF-16 or "
        "Windows-1252, or it contains binary data). Save it as 'CSV UTF-8' "
        "and upload it again."
    )


def guess_delimiter(text: str) -> str:
    """Comma unless the header line holds more semicolons or tabs (European Excel exports)."""
    first = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=lambda d: (first.count(d), d == ","))


def odd_character(text: str) -> str | None:
    """The first control or text-direction character in a name, if any."""
    return next((c for c in text if c in BIDI_CONTROLS or ord(c) < 32 or c == "\x7f"), None)


def check_header(header: list[str]) -> list[str]:
    """Stripped column names, or a DataError naming the bad ones."""
    if len(header) > MAX_COLUMNS:
        raise DataError(
            f"The file has {len(header):,} columns; at most {MAX_COLUMNS:,} "
            "are accepted. Keep only the columns you need."
        )
    names = [name.strip() for name in header]
    if len(names) == 1:
        raise DataError(
            f"The file has only one column ({quoted(names[0])}). A dataset needs a "
            "label column and at least one feature column, separated by commas. "
            "If your data has more columns, check the separator when saving."
        )
    empty = [column_label(i) for i, name in enumerate(names) if not name]
    if empty:
        raise FixableDataError(
            f"The header (row 1) has no name for {', '.join(empty)}. Give every column a name.",
            fix="unnamed_columns",
        )
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            raise DataError(
                f"The column name {quoted(name)} is used twice: {column_label(seen[name])} "
                f"and {column_label(i)}. Give every column a different name."
            )
        seen[name] = i
        odd = odd_character(name)
        if odd is not None:
            raise DataError(
                f"The name of {column_label(i)} contains the invisible character "
                f"U+{ord(odd):04X}, which can make text read differently than it "
                "is. Remove it and upload again."
            )
    return names


def scan_rows(text: str, delimiter: str, width: int) -> tuple[list[int], int]:
    """Blank row numbers (header = row 1) and the record count; refuses ragged rows, huge
    cells and too many rows. Done with the csv module: pandas pads short rows silently."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    blank, ragged, row_number, data_rows = [], [], 1, 0
    next(reader)
    try:
        for row_number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                blank.append(row_number)
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                raise DataError(f"The file has more than {MAX_ROWS:,} rows; upload a sample.")
            check_runaway_quote(row, row_number, delimiter, width)
            if len(row) != width:
                ragged.append((row_number, len(row)))
            _check_cell_sizes(row, row_number)
    except csv.Error as exc:
        raise _csv_error(exc, row_number + 1) from None
    if ragged:
        listed = ", ".join(f"row {r} has {n}" for r, n in ragged[:SHOWN])
        more = f" and {len(ragged) - SHOWN} more rows" if len(ragged) > SHOWN else ""
        raise DataError(
            f"The header has {width} columns but some rows have a different "
            f"number of values: {listed}{more}. Each row needs exactly {width} "
            "values (an empty value is fine, e.g. 'a,,c')."
        )
    if data_rows == 0:
        raise DataError("The file has a header row but no data rows.")
    return blank, row_number - 1


def _check_cell_sizes(row: list[str], row_number: int) -> None:
    for index, cell in enumerate(row):
        if len(cell) > MAX_CELL_CHARS:
            raise DataError(
                f"Row {row_number}, {column_label(index)} holds {len(cell):,} "
                f"characters; a cell may hold at most {MAX_CELL_CHARS:,}."
            )


def _csv_error(exc: csv.Error, row_number: int) -> DataError:
    if "field larger than field limit" in str(exc):
        return DataError(
            f"Row {row_number} holds a cell of more than {MAX_CELL_CHARS:,} "
            "characters (often a missing closing quote). Fix it and upload again."
        )
    return DataError(f"Row {row_number} could not be read as CSV ({exc}). Check its quotes.")


def read_frame(
    text: str, delimiter: str, names: list[str], scanned: tuple[list[int], int]
) -> pd.DataFrame:
    """All cells as text, missing ones as NaN; the index is the row number in the file."""
    blank, records = scanned
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            header=0,
            names=names,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"The file could not be read as a table ({exc}).") from None
    if len(frame) != records:  # both readers must agree, or the row numbers would be wrong
        raise DataError(
            "The rows of the file could not be counted reliably; check for unbalanced quotes."
        )
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    frame = frame.drop(index=blank).astype(object)
    missing = frame.apply(lambda col: col.str.strip().str.lower().isin(MISSING_TEXT))
    return frame.mask(missing)


def type_columns(frame: pd.DataFrame, keep_mixed: bool = False) -> pd.DataFrame:
    """Number columns as floats; refuses text in a number column (unless ``keep_mixed``:
    then the column stays text, for a pipeline's type-fix stage) and infinite values."""
    for name in frame.columns:
        present = frame[name].dropna()
        numbers = pd.to_numeric(present.str.strip(), errors="coerce")
        share = numbers.notna().mean() if len(present) else 0.0
        if share == 1.0:
            _refuse_infinite(name, present, numbers)
            frame[name] = pd.to_numeric(frame[name].str.strip(), errors="coerce")
        elif share >= NUMERIC_SHARE and not keep_mixed:
            bad = present[numbers.isna()]
            raise DataError(
                f"The column {quoted(name)} holds numbers, except "
                f"{list_rows(list(bad.items()), len(bad))}. Correct these cells "
                "(leave a cell empty for a missing value) and upload again."
            )
    return frame


def _refuse_infinite(name: str, text: pd.Series, numbers: pd.Series) -> None:
    infinite = text[np.isinf(numbers.to_numpy(dtype=float))]
    if len(infinite):
        raise FixableDataError(
            f"The column {quoted(name)} holds infinite values: "
            f"{list_rows(list(infinite.items()), len(infinite))}. Replace them "
            "with real numbers, or leave the cells empty.",
            fix="infinite_values",
        )


def formula_cells(frame: pd.DataFrame, names: list[str]) -> list[dict[str, Any]]:
    """Cells (and headers) a spreadsheet would run as formulas, e.g. '=HYPERLINK(...)'."""
    found = [{"row": 1, "column": n, "value": n} for n in names if _looks_like_formula(n)]
    for name in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[name].dtype):
            continue
        cells = frame[name].dropna().astype(str)
        for row, value in cells[cells.str.startswith(FORMULA_START)].items():
            if _looks_like_formula(value):
                # pandas-stubs types index labels as Hashable; these are row numbers
                row_number = int(row)  # type: ignore[call-overload]
                found.append({"row": row_number, "column": name, "value": value[:80]})
    return found


def _looks_like_formula(value: str) -> bool:
    if not value.startswith(FORMULA_START):
        return False
    try:
        return not math.isfinite(float(value))
    except ValueError:
        return True


def check_csv(
    data: bytes,
    target: str | None = None,
    max_bytes: int = MAX_CSV_BYTES,
    keep_mixed: bool = False,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The table of an uploaded CSV and a summary, or a DataError naming what to fix.
    ``keep_mixed``: a number column with a few text cells stays text instead of refused."""
    if len(data) > max_bytes:
        raise DataError(
            f"The file is {megabytes(len(data))}; the limit is "
            f"{megabytes(max_bytes)}. Upload a smaller sample of the rows."
        )
    if not data:
        raise DataError("The file is empty (0 bytes).")
    if other := refuse_other_format(data, "csv", "CSV file"):
        raise DataError(other)
    text, encoding = decode_csv(data)
    if not text.strip():
        raise DataError("The file holds no text, only blank space.")
    delimiter = guess_delimiter(text)
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error as exc:
        raise _csv_error(exc, 1) from None
    _check_cell_sizes(header, 1)
    names = check_header(header)
    scanned = scan_rows(text, delimiter, len(names))
    frame = type_columns(read_frame(text, delimiter, names, scanned), keep_mixed)
    formulas = formula_cells(frame, names)
    summary: dict[str, Any] = {
        "rows": len(frame),
        "columns": len(names),
        "encoding": encoding,
        "delimiter": delimiter,
        "blank_rows": len(scanned[0]),
        "types": {
            n: "number" if pd.api.types.is_numeric_dtype(frame[n]) else "text" for n in names
        },
        "missing": {n: int(frame[n].isna().sum()) for n in names},
        "formula_cells": formulas[:20],
        "formula_count": len(formulas),
    }
    if target is not None:
        summary["classes"] = check_target(frame, target)
    return frame, summary
