"""The error a failing stage raises (which stage, which column, which rows) and its checks."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

import pandas as pd

from engine.pipeline.pipeline_spec import STEP_TITLES

SHOWN = 5  # rows a message lists before "and N more"


class PipelineError(ValueError):
    """A stage that cannot go on. ``str()`` reads: "Stage 3 (fix types): column 'score' ..."."""

    def __init__(self, message: str, column: str | None = None, rows: Iterable[int] = ()) -> None:
        self.message = message
        self.column = column
        self.rows = [int(r) for r in rows]
        self.stage: int | None = None  # 1-based, set by run_pipeline
        self.step: str | None = None
        super().__init__(message)

    def at(self, stage: int, step: str) -> PipelineError:
        """The same error, placed at a stage (1-based)."""
        self.stage, self.step = stage, step
        return self

    def __str__(self) -> str:
        if self.stage is None or self.step is None:
            return self.message
        return f"Stage {self.stage} ({STEP_TITLES[self.step]}): {self.message}"


def rows_and_values(cells: pd.Series) -> str:
    """'rows 4, 17: 'n/a', 'twelve'' for the first few cells of a Series indexed by row."""
    rows = ", ".join(str(r) for r in cells.index[:SHOWN])
    values = ", ".join(repr(v) for v in cells.iloc[:SHOWN])
    more = f" (and {len(cells) - SHOWN} more)" if len(cells) > SHOWN else ""
    word = "row" if len(cells) == 1 else "rows"
    return f"{word} {rows}{more}: {values}"


def rows_list(rows: Collection[Any]) -> str:
    """'rows 5, 9' (the first few, then 'and N more')."""
    shown = ", ".join(str(r) for r in list(rows)[:SHOWN])
    more = f" and {len(rows) - SHOWN} more" if len(rows) > SHOWN else ""
    return f"{'row' if len(rows) == 1 else 'rows'} {shown}{more}"


def require_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Every named column is in the table, or a PipelineError naming the first missing one."""
    for column in columns:
        if column not in frame.columns:
            listed = ", ".join(repr(str(c)) for c in frame.columns[:20])
            raise PipelineError(
                f"there is no column {column!r} at this point; the columns are: {listed}.",
                column=column,
            )


def is_number_column(series: pd.Series) -> bool:
    dtype = series.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def require_numbers(frame: pd.DataFrame, column: str, what: str) -> None:
    """A number column, or an error suggesting a type fix first."""
    if not is_number_column(frame[column]):
        raise PipelineError(
            f"column {column!r} holds {frame[column].dtype} values, not numbers; {what} needs "
            "numbers. Add a 'fix types' stage before this one, or choose another column.",
            column=column,
        )


def require_complete(frame: pd.DataFrame, column: str, what: str) -> None:
    """No missing values, or an error naming the rows (and suggesting imputation first)."""
    missing = frame.index[frame[column].isna()]
    if len(missing):
        raise PipelineError(
            f"column {column!r} still has missing values in {rows_list(missing)}; {what} "
            "cannot use them. Add an 'impute missing values' stage before this one.",
            column=column,
            rows=missing,
        )
