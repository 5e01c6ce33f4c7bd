"""Lab: build a data pipeline, store versions of its output and watch them drift."""

from __future__ import annotations

from typing import Any

from labs.objectives import Objective
from labs.registry_types import Lab

PIPELINE_NAME = "my pipeline"  # one pipeline per learner in this lab; versions number it


def _kind(outcome: dict[str, Any], kind: str) -> bool:
    return outcome.get("kind") == kind


def clean_data(outcome: dict[str, Any]) -> bool:
    """{"kind": "clean-data", "missing": <cells missing in the output>, "rows": <rows>}"""
    return (
        _kind(outcome, "clean-data")
        and outcome.get("missing", 1) == 0
        and outcome.get("rows", 0) > 0
    )


def stored_version(outcome: dict[str, Any]) -> bool:
    """{"kind": "stored-version", "version": n, "hash": "<content hash>"}"""
    return (
        _kind(outcome, "stored-version")
        and bool(outcome.get("hash"))
        and outcome.get("version", 0) >= 1
    )


def found_drift(outcome: dict[str, Any]) -> bool:
    """{"kind": "found-drift", "drifted": [columns whose PSI is above 0.2]}"""
    return _kind(outcome, "found-drift") and len(outcome.get("drifted", [])) > 0


def clean_data_hints(outcome: dict[str, Any]) -> list[str]:
    missing = outcome.get("missing", 0)
    columns = ", ".join(outcome.get("missing_columns", [])) or "some columns"
    return [
        f"{missing} values are still missing after the last stage (in {columns}).",
        "Add an 'impute' stage for each column with gaps: median or mean for numbers, "
        "most frequent for categories, or drop the rows when only a few are missing.",
    ]


def stored_version_hints(_outcome: dict[str, Any]) -> list[str]:
    return ["Run the pipeline without errors, then press 'Store as a new version'."]


def found_drift_hints(_outcome: dict[str, Any]) -> list[str]:
    return [
        "Two versions made from the same stages hold the same data, so nothing drifts.",
        "Store a version with a stage that changes a column's spread (outliers with "
        "'remove', or scale), or from another table, and compare it with the first.",
    ]


LAB = Lab(
    id="pipeline-builder",
    title="Pipeline builder",
    competencies=("digital-literacy",),
    default_spec=None,
    objectives=(
        Objective(
            "clean-data",
            "No missing values reach the model",
            clean_data,
            clean_data_hints,
            solution=lambda outcome: (
                "Add one 'impute' stage for each column with gaps"
                + (
                    f" ({', '.join(outcome['missing_columns'])})"
                    if outcome.get("missing_columns")
                    else ""
                )
                + ": 'median' for number columns, 'most_frequent' for categories, or 'drop' "
                "when only a few rows have a gap. On the demo table: impute 'score' with the "
                "median and 'minutes' with drop, then run the pipeline again: the missing "
                "values table shows 0 in every column."
            ),
        ),
        Objective(
            "stored-version",
            "Store a version of your cleaned data",
            stored_version,
            stored_version_hints,
            solution=lambda _outcome: (
                "Run the pipeline until no stage fails (a red message names the stage to fix "
                "or remove), then press 'Store as a new version': version 1 appears in the "
                "table of versions with its content hash."
            ),
        ),
        Objective(
            "found-drift",
            "Find drift between two versions",
            found_drift,
            found_drift_hints,
            solution=lambda _outcome: (
                "Store a first version. Then add an 'outliers' stage on 'score' with the "
                "action 'remove' and a 'scale' stage on 'score' with the method 'minmax', run "
                "the pipeline, store a second version and compare version 1 with version 2: "
                "'score' is marked as drifted, its PSI is above 0.2."
            ),
        ),
    ),
)


def reflection_facts(versions: int, compared: tuple[int, int, list[str]] | None) -> str:
    """A line of the learner's own results to reflect on: versions stored, drift found."""
    if versions == 0:
        return "You have not stored a version yet."
    said = f"You have stored {versions} version{'s' if versions != 1 else ''}."
    if compared is None:
        return said + " Compare two of them to see what moved."
    a, b, drifted = compared
    if not drifted:
        return said + f" Between v{a} and v{b} no column drifted."
    return said + f" Between v{a} and v{b} these columns drifted: {', '.join(drifted)}."
