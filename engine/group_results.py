"""Accuracy per group of the test rows (e.g. penguins by island or by sex): a model that is
right on average can still fail one group, and a learner should see it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

MAX_GROUPS = 12  # a column with more distinct values is not a grouping worth a table
MISSING = "(missing)"


def group_columns(features: pd.DataFrame, rows: np.ndarray) -> dict[str, list[str]]:
    """For each text column with 2 to MAX_GROUPS values: its value on each of ``rows``."""
    found: dict[str, list[str]] = {}
    for column in features.columns:
        series = features[column]
        if pd.api.types.is_numeric_dtype(series):
            continue
        values = series.astype("object").where(series.notna(), MISSING).astype("str")
        if 2 <= values.nunique() <= MAX_GROUPS:
            found[str(column)] = values.iloc[rows].tolist()
    return found


def group_results(
    labels: np.ndarray, predictions: np.ndarray, groups: dict[str, list[str]]
) -> dict[str, list[dict[str, Any]]]:
    """Per grouping column: each group's test rows and accuracy, largest group first."""
    right = np.asarray(labels) == np.asarray(predictions)
    out: dict[str, list[dict[str, Any]]] = {}
    for column, values in groups.items():
        table = pd.DataFrame({"group": values, "right": right})
        summary = table.groupby("group", sort=False)["right"].agg(["size", "mean"])
        out[column] = [
            {"group": str(group), "rows": int(row["size"]), "accuracy": float(row["mean"])}
            for group, row in summary.sort_values("size", ascending=False).iterrows()
        ]
    return out


def widest_gap(
    results: dict[str, list[dict[str, Any]]], min_rows: int = 5
) -> dict[str, Any] | None:
    """The grouping whose best and worst groups (of at least ``min_rows`` rows) differ most."""
    best: dict[str, Any] | None = None
    for column, rows in results.items():
        big = [r for r in rows if r["rows"] >= min_rows]
        if len(big) < 2:
            continue
        high = max(big, key=lambda r: r["accuracy"])
        low = min(big, key=lambda r: r["accuracy"])
        gap = high["accuracy"] - low["accuracy"]
        if best is None or gap > best["gap"]:
            best = {"column": column, "best": high, "worst": low, "gap": gap}
    return best
