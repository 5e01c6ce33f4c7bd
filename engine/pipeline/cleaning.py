"""Cleaning stages: missing values, outliers, duplicates and type fixes.

Each takes (frame, stage) and returns (frame, details); details say what changed (rows
dropped, cells filled, rows flagged) for the report after the stage. Rows keep their labels
(the row numbers of the file), so every message can point at them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import KNNImputer, SimpleImputer

from engine.pipeline.errors import (
    PipelineError,
    is_number_column,
    require_columns,
    require_numbers,
    rows_and_values,
)
from engine.pipeline.pipeline_spec import (
    DeduplicateStage,
    FixTypesStage,
    ImputeRule,
    ImputeStage,
    OutliersStage,
)

Details = dict[str, Any]
SIMPLE_STRATEGIES = ("mean", "median", "most_frequent", "constant")


def _check_fill_value(frame: pd.DataFrame, column: str, rule: ImputeRule) -> None:
    """The constant must be of the column's kind: a number for numbers, text for text."""
    numbers = is_number_column(frame[column])
    if numbers != isinstance(rule.value, float):
        kind = (
            "numbers, so its fill value must be a number"
            if numbers
            else "text, so its fill value must be text"
        )
        raise PipelineError(f"column {column!r} holds {kind}, not {rule.value!r}.", column=column)


def _check_rule(frame: pd.DataFrame, column: str, rule: ImputeRule) -> None:
    if rule.strategy in ("mean", "median", "knn"):
        require_numbers(frame, column, f"{rule.strategy} imputation")
    if rule.strategy == "constant":
        _check_fill_value(frame, column, rule)
    elif frame[column].notna().sum() == 0:
        raise PipelineError(
            f"column {column!r} has no values at all, so there is nothing to compute a "
            "fill value from. Drop the column or fill it with a constant.",
            column=column,
        )


def simple_imputer(rules: dict[str, ImputeRule]) -> ColumnTransformer:
    """One SimpleImputer per column (each may have its own strategy); the rest passes through."""
    parts = [
        (
            f"impute_{i}",
            SimpleImputer(strategy=rule.strategy, fill_value=rule.value),
            [column],
        )
        for i, (column, rule) in enumerate(rules.items())
    ]
    return ColumnTransformer(
        parts, remainder="passthrough", verbose_feature_names_out=False
    ).set_output(transform="pandas")


def knn_fill(frame: pd.DataFrame, columns: list[str], neighbors: int) -> pd.DataFrame:
    """Fill ``columns`` from the nearest rows, measured over every number column."""
    numeric = [str(c) for c in frame.columns if is_number_column(frame[c])]
    imputer = KNNImputer(n_neighbors=neighbors).set_output(transform="pandas")
    filled = imputer.fit_transform(frame[numeric])
    frame = frame.copy()
    frame[columns] = filled[columns]
    return frame


def impute(frame: pd.DataFrame, stage: ImputeStage) -> tuple[pd.DataFrame, Details]:
    """Per column: drop the row, or fill (mean, median, most frequent, constant, KNN)."""
    require_columns(frame, list(stage.columns))
    drop = [c for c, r in stage.columns.items() if r.strategy == "drop"]
    gone = frame.index[frame[drop].isna().any(axis=1)] if drop else frame.index[:0]
    # Dropping first: the means and neighbours below are then computed on the rows that stay.
    frame = frame.drop(index=gone)
    fill = {c: r for c, r in stage.columns.items() if r.strategy != "drop"}
    for column, rule in fill.items():
        _check_rule(frame, column, rule)
    filled = {c: int(frame[c].isna().sum()) for c in fill}
    simple = {c: r for c, r in fill.items() if r.strategy in SIMPLE_STRATEGIES}
    if simple:
        frame = simple_imputer(simple).fit_transform(frame)[list(frame.columns)]
    knn = [c for c, r in fill.items() if r.strategy == "knn"]
    if knn:  # after the simple fills, so those columns can serve as distances here
        frame = knn_fill(frame, knn, stage.knn_neighbors)
    return frame, {"dropped_rows": [int(r) for r in gone], "filled": filled}


def outlier_bounds(series: pd.Series, method: str, limit: float) -> tuple[float, float]:
    """(low, high): Tukey's fences Q1 - k*IQR and Q3 + k*IQR, or mean -/+ k population SDs."""
    if method == "iqr":
        q1, q3 = series.quantile([0.25, 0.75])
        return float(q1 - limit * (q3 - q1)), float(q3 + limit * (q3 - q1))
    mean, std = series.mean(), series.std(ddof=0)  # ddof=0 as scipy.stats.zscore
    return float(mean - limit * std), float(mean + limit * std)


def find_outliers(frame: pd.DataFrame, stage: OutliersStage) -> dict[str, Details]:
    """Per column: the bounds and the rows outside them (what the outlier chart marks)."""
    require_columns(frame, stage.columns)
    found = {}
    for column in stage.columns:
        require_numbers(frame, column, "outlier detection")
        series = frame[column].astype("float64")
        low, high = outlier_bounds(series, stage.method, stage.limit)
        outside = series[(series < low) | (series > high)]
        found[column] = {
            "low": low,
            "high": high,
            "rows": [int(r) for r in outside.index],
            "values": [float(v) for v in outside],
        }
    return found


def outliers(frame: pd.DataFrame, stage: OutliersStage) -> tuple[pd.DataFrame, Details]:
    """Clip values to the bounds, or remove the rows outside them (bounds from all rows)."""
    found = find_outliers(frame, stage)
    frame = frame.copy()
    if stage.action == "clip":
        for column, flags in found.items():
            # as floats: a clipped bound such as 97.5 need not be a whole number
            frame[column] = frame[column].astype("float64").clip(flags["low"], flags["high"])
        return frame, {"flagged": found, "removed_rows": []}
    flagged = sorted({row for flags in found.values() for row in flags["rows"]})
    return frame.drop(index=flagged), {"flagged": found, "removed_rows": flagged}


def deduplicate(frame: pd.DataFrame, stage: DeduplicateStage) -> tuple[pd.DataFrame, Details]:
    """Keep the first of rows that are equal (in every column, or in ``subset``)."""
    if stage.subset:
        require_columns(frame, stage.subset)
    repeated = frame.duplicated(subset=stage.subset, keep="first")
    return frame[~repeated], {"removed_rows": [int(r) for r in frame.index[repeated]]}


def _to_number(series: pd.Series, whole: bool) -> tuple[pd.Series, pd.Series]:
    if is_number_column(series):
        numbers = series.astype("float64")
    else:
        numbers = pd.to_numeric(series.astype("str").str.strip(), errors="coerce")
    bad = series.notna() & numbers.isna()
    if whole:
        bad |= numbers.notna() & (numbers % 1 != 0)
    numbers = numbers.mask(bad)
    return numbers.astype("Int64" if whole else "float64"), bad


def convert(series: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """(converted column, mask of values that would not convert)."""
    if kind in ("int", "float"):
        return _to_number(series, whole=kind == "int")
    if kind == "datetime":
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            return series, series.isna() & False
        parsed = pd.to_datetime(series.astype("str"), errors="coerce", format="mixed")
        return parsed, series.notna() & parsed.isna()
    converted = series.astype("category" if kind == "category" else "str")
    return converted, series.isna() & False


NOT_A = {"int": "whole numbers", "float": "numbers", "datetime": "dates"}


def fix_types(frame: pd.DataFrame, stage: FixTypesStage) -> tuple[pd.DataFrame, Details]:
    """Convert columns; a value that won't convert stops the stage (or becomes missing)."""
    require_columns(frame, list(stage.columns))
    frame = frame.copy()
    blanked: dict[str, list[int]] = {}
    for column, kind in stage.columns.items():
        converted, bad = convert(frame[column], kind)
        if bad.any() and stage.invalid == "error":
            cells = frame.loc[bad, column]
            raise PipelineError(
                f"column {column!r} has values that are not {NOT_A[kind]} in "
                f"{rows_and_values(cells)}. Correct them in the data, or let the stage "
                "turn them into missing values (invalid: missing) and impute them after.",
                column=column,
                rows=cells.index,
            )
        if bad.any():
            blanked[column] = [int(r) for r in frame.index[bad]]
        frame[column] = converted
    return frame, {"types": dict(stage.columns), "blanked": blanked}
