"""Reading a data file (CSV, Excel, JSON, Parquet) into a checked table, with the upload's rules.

Every reader ends in ``tidy_table``: column names checked as a CSV header is, text columns as
pandas' "str" dtype with NaN for missing (so scikit-learn sees one missing marker), numbers
as numbers, and the index as the row number the learner would look up in their file.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import numpy as np
import pandas as pd

from engine.data.bundle import DataError, FixableDataError
from engine.data.csv_checks import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_CSV_BYTES,
    MAX_ROWS,
    MISSING_TEXT,
    check_csv,
    check_header,
    list_rows,
    megabytes,
    type_columns,
)
from engine.data.file_magic import refuse_other_format
from engine.data.message_text import count, quoted
from engine.data.zip_checks import MAX_MEMBERS, MAX_TOTAL_UNCOMPRESSED
from engine.pipeline.parquet_reader import read_parquet_bounded
from engine.pipeline.xlsx_scan import scan_workbook

MAX_FILE_BYTES = MAX_CSV_BYTES  # the same 20 MB as a CSV upload, for every format
# What a table read from a small packed file (Excel, Parquet) may take once unpacked: 8 bytes
# a cell plus its text. A 20 MB CSV holds at most 20 MB of text; this leaves room for numbers.
MAX_TABLE_BYTES = 50 * 1024 * 1024
FORMAT_LABELS = {
    "csv": "CSV file",
    "excel": "Excel workbook",
    "json": "JSON file",
    "parquet": "Parquet file",
}
# Parsers that raise instead of answering (a JSON integer of 5,000 digits, nesting 10,000 deep,
# a damaged workbook): each becomes a DataError saying the file could not be read.
PARSER_ERRORS = (RecursionError, ArithmeticError, LookupError, TypeError, ValueError)
FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "excel", ".json": "json", ".parquet": "parquet"}
EXCEL_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError)


def type_name(series: pd.Series) -> str:
    """number, boolean, datetime, category or text: what a learner would call the column."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    return "text"


def summarize(frame: pd.DataFrame, **extra: Any) -> dict[str, Any]:
    """Rows, columns, type and missing count per column (the check-data summary)."""
    return {
        "rows": len(frame),
        "columns": frame.shape[1],
        "types": {str(c): type_name(frame[c]) for c in frame.columns},
        "missing": {str(c): int(frame[c].isna().sum()) for c in frame.columns},
        **extra,
    }


def _text_column(series: pd.Series) -> pd.Series:
    """Any non-number column as "str" dtype, blanks and 'n/a'-like cells as missing."""
    text = series.astype("str")
    missing = text.isna() | text.str.strip().str.lower().isin(MISSING_TEXT)
    return text.mask(missing)


def _check_text_cells(name: str, text: pd.Series) -> None:
    long = text[text.str.len() > MAX_CELL_CHARS]
    if len(long):
        raise DataError(
            f"The column {quoted(name)} has a cell of more than {MAX_CELL_CHARS:,} characters "
            f"in row {long.index[0]}."
        )


def _refuse_infinite(name: str, numbers: pd.Series) -> None:
    values = numbers.to_numpy(dtype=float, na_value=np.nan)
    bad = numbers[np.isinf(values)]
    if len(bad):
        raise FixableDataError(
            f"The column {quoted(name)} holds infinite values: "
            f"{list_rows(list(bad.items()), len(bad))}. Replace them with real numbers, "
            "or leave the cells empty.",
            fix="infinite_values",
        )


def tidy_table(frame: pd.DataFrame, first_row: int = 1) -> pd.DataFrame:
    """Check names, sizes and values as a CSV upload is checked; rows numbered from first_row."""
    if frame.shape[1] == 0 or len(frame) == 0:
        raise DataError("The table has no data rows.")
    if len(frame) > MAX_ROWS:
        raise DataError(f"The table has more than {MAX_ROWS:,} rows; use a sample.")
    frame = frame.copy()
    frame.columns = check_header([str(c) for c in frame.columns])
    frame.index = pd.RangeIndex(first_row, first_row + len(frame))
    text_columns = []
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_datetime64_any_dtype(
            series.dtype
        ):
            continue
        if pd.api.types.is_numeric_dtype(series.dtype):
            _refuse_infinite(name, series)
            continue
        frame[name] = _text_column(series)
        _check_text_cells(name, frame[name].dropna())
        text_columns.append(name)
    if text_columns:  # a text column that holds only numbers is a number column
        typed = type_columns(frame[text_columns].astype(object), keep_mixed=True)
        for name in text_columns:
            numeric = pd.api.types.is_numeric_dtype(typed[name].dtype)
            frame[name] = typed[name] if numeric else frame[name]
    return frame


def read_csv_table(data: bytes) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A CSV through the upload's checks; a few text cells in a number column are kept as
    text here, for the type-fix stage to name them."""
    frame, summary = check_csv(data, keep_mixed=True)
    frame = tidy_table(frame, first_row=int(frame.index[0]))
    frame.index = pd.Index(frame.index, dtype="int64")
    return frame, {"encoding": summary["encoding"], "delimiter": summary["delimiter"]}


def _check_xlsx_archive(data: bytes) -> int:
    """An .xlsx file is a zip: refuse a damaged one or a bomb before openpyxl unpacks it, and
    a first sheet whose rows or unpacked cells pass the limits. Formula cells without a value."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_xlsx_size(infos)
            return scan_workbook(archive, MAX_ROWS + 1, MAX_TABLE_BYTES).formulas_without_value
    except (zipfile.BadZipFile, OSError, KeyError):
        raise DataError(
            "The file is not a readable Excel workbook (.xlsx). Open it in a spreadsheet "
            "program and save it again as .xlsx, or as CSV."
        ) from None


def _check_xlsx_size(infos: list[zipfile.ZipInfo]) -> None:
    total = sum(info.file_size for info in infos)
    if len(infos) > MAX_MEMBERS or total > MAX_TOTAL_UNCOMPRESSED:
        raise DataError(
            f"Unpacked, the workbook would take {megabytes(total)}; the limit is "
            f"{megabytes(MAX_TOTAL_UNCOMPRESSED)}."
        )


def read_excel_table(data: bytes) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The first sheet of an .xlsx workbook; row numbers as the spreadsheet shows them."""
    formulas = _check_xlsx_archive(data)
    try:
        with pd.ExcelFile(io.BytesIO(data), engine="openpyxl") as book:
            sheets = [str(s) for s in book.sheet_names]
            # header=None: pandas would rename a repeated header "x.1" and hide the clash
            raw = pd.read_excel(book, sheet_name=sheets[0], header=None, dtype=object)
    except EXCEL_ERRORS as exc:
        raise DataError(
            f"The workbook could not be read ({type(exc).__name__}). Save it again as .xlsx."
        ) from None
    raw = raw.dropna(how="all").dropna(axis=1, how="all")
    if raw.empty:
        raise DataError(f"The first sheet ({quoted(sheets[0])}) is empty.")
    header = ["" if pd.isna(v) else str(v) for v in raw.iloc[0]]
    frame = raw.iloc[1:].infer_objects()
    frame.columns = header
    rows = frame.index + 1  # pandas counts from 0; the spreadsheet's row 1 is the header
    frame = tidy_table(frame, first_row=2)
    frame.index = pd.Index(rows, dtype="int64")
    extra: dict[str, Any] = {"sheet": sheets[0], "sheets": sheets}
    if formulas:
        extra["formula_cells_without_value"] = formulas
        extra["notes"] = [
            f"{count(formulas, 'cell')} held formulas whose values were not saved in the "
            "file, so they are treated as missing. Open the workbook in a spreadsheet "
            "program and save it again to keep the values."
        ]
    return frame, extra


def _records_frame(records: list[Any]) -> pd.DataFrame:
    not_objects = [i for i, r in enumerate(records) if not isinstance(r, dict)]
    if not_objects:
        first = not_objects[0]
        raise DataError(
            f"Record {first + 1} of the JSON list is {type(records[first]).__name__}, not an "
            'object; each record must look like {"column": value, ...}.'
        )
    frame = pd.DataFrame.from_records(records)
    for name in frame.columns:
        nested = frame[name].map(lambda v: isinstance(v, dict | list))
        if nested.any():
            row = int(np.flatnonzero(nested.to_numpy())[0]) + 1
            raise DataError(
                f"The field {quoted(name)} holds a nested list or object in record {row}; "
                "a table needs one plain value per cell."
            )
    return frame


def read_json_table(data: bytes) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A list of records, or pandas' "table" orient ({"schema": ..., "data": [...]})."""
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DataError("The JSON file is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise DataError(
            f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise DataError(
            "The JSON is nested too deeply (lists or objects inside each other thousands of "
            "times); a table needs a list of flat records."
        ) from None
    except ValueError:  # Python refuses integers of more than 4,300 digits
        raise DataError(
            "The JSON holds a number with thousands of digits, too long to read as a number. "
            "Put it in quotes to keep it as text, or shorten it."
        ) from None
    if isinstance(parsed, list):
        return tidy_table(_records_frame(parsed)), {"orient": "records"}
    if isinstance(parsed, dict) and {"schema", "data"} <= parsed.keys():
        records = parsed["data"]
        if not isinstance(records, list):
            raise DataError('The "data" of a table-orient JSON file must be a list of records.')
        frame = _records_frame(records).drop(columns=["index"], errors="ignore")
        return tidy_table(frame), {"orient": "table"}
    raise DataError(
        "The JSON is not a table. Use a list of records, e.g. "
        '[{"name": "Ada", "score": 91}, ...], or pandas\' to_json(orient="table").'
    )


def read_parquet_table(data: bytes) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A Parquet file; its rows, columns and decoded size are checked before it is built."""
    frame = read_parquet_bounded(data, MAX_ROWS, MAX_COLUMNS, MAX_TABLE_BYTES)
    return tidy_table(frame.reset_index(drop=True)), {}


READERS = {
    "csv": read_csv_table,
    "excel": read_excel_table,
    "json": read_json_table,
    "parquet": read_parquet_table,
}


def file_format(filename: str) -> str:
    """csv, excel, json or parquet from the file name's ending, or a DataError."""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == ".xls":
        raise DataError("Old .xls workbooks are not read; save the sheet as .xlsx or CSV.")
    if suffix not in FORMATS:
        raise DataError(
            f"Files ending in {suffix or '(nothing)'} are not read; use CSV, Excel (.xlsx), "
            "JSON or Parquet."
        )
    return FORMATS[suffix]


def read_table(data: bytes, fmt: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The checked table of a file and what was learned reading it (encoding, sheet...)."""
    if len(data) > MAX_FILE_BYTES:
        raise DataError(
            f"The file is {megabytes(len(data))}; the limit is {megabytes(MAX_FILE_BYTES)}."
        )
    if not data:
        raise DataError("The file is empty (0 bytes).")
    if other := refuse_other_format(data, fmt, FORMAT_LABELS[fmt]):
        raise DataError(other)
    try:
        return READERS[fmt](data)
    except DataError:
        raise
    except PARSER_ERRORS as exc:
        raise DataError(
            f"The file could not be read as a {FORMAT_LABELS[fmt]} ({type(exc).__name__}); "
            "it may be damaged. Save it again from the program that made it."
        ) from None
