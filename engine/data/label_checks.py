"""Checks on the labels of an upload: enough examples, more than one class, none too rare."""

from __future__ import annotations

import pandas as pd

from engine.data.bundle import DataError
from engine.data.message_text import count, quoted
from engine.data.tabular import label_strings, sorted_labels

MIN_ROWS = 10  # fewer examples than a small batch cannot be split and trained on
MIN_CLASS_ROWS = 3  # one each for training, validation and test
MAX_CLASSES = 100


def check_target(frame: pd.DataFrame, target: str) -> dict[str, int]:
    """Rows per class of the label column, or a DataError if it cannot be learned."""
    if target not in frame.columns:
        near = [c for c in frame.columns if str(c).strip().lower() == target.strip().lower()]
        hint = f" Did you mean {quoted(near[0])}?" if near else ""
        raise DataError(
            f"There is no column {quoted(target)} to predict.{hint} The columns are: "
            f"{', '.join(quoted(c) for c in frame.columns[:20])}."
        )
    labels = label_strings(frame[target].dropna())
    return check_labels(labels, f"the column {quoted(target)}", "row")


def check_labels(labels: pd.Series, source: str, unit: str) -> dict[str, int]:
    """Count per class; refuses too few examples, one class, too many or too rare classes.
    ``unit`` is the singular noun of one example: row, file."""
    if len(labels) < MIN_ROWS:
        raise DataError(
            f"There {'is' if len(labels) == 1 else 'are'} only "
            f"{count(len(labels), 'labelled ' + unit)} in {source}; at least "
            f"{MIN_ROWS} are needed to train and test a model."
        )
    counts = labels.value_counts()
    if len(counts) == 1:
        raise DataError(
            f"Every one of the {unit}s in {source} has the same label "
            f"({quoted(counts.index[0])}); a model needs at least two classes."
        )
    if len(counts) > MAX_CLASSES:
        raise DataError(
            f"There are {len(counts):,} different labels in {source}; at most "
            f"{MAX_CLASSES} classes are accepted. Is it a measurement rather than "
            "a category?"
        )
    rare = counts[counts < MIN_CLASS_ROWS]
    if len(rare):
        listed = ", ".join(f"{quoted(name)} ({n})" for name, n in rare.items())
        raise DataError(
            f"Some classes in {source} have fewer than {MIN_CLASS_ROWS} {unit}s: "
            f"{listed}. Each class needs at least {MIN_CLASS_ROWS} (one each for "
            "training, validation and test): add more or remove the class."
        )
    return {name: int(counts[name]) for name in sorted_labels(labels)}
