"""Lab: build a data pipeline, store versions of its output and watch them drift."""

from __future__ import annotations

from typing import Any

from labs.hints import ladder
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
    nudge = (
        "Look at the missing values table under the output of the last stage: every column "
        "should show 0 before the data reaches a model."
    )
    if outcome.get("kind") != "clean-data":
        return ladder(
            nudge,
            [
                "You have not run the pipeline yet. Choose a source, press Run, and read the "
                "missing values table: it names the columns with gaps."
            ],
        )
    if not outcome.get("rows"):
        return ladder(
            nudge,
            [
                "Your pipeline's output has no rows left: a stage dropped them all. Open the "
                "stage reports and look for the one whose rows fall to 0; impute there "
                "instead of dropping."
            ],
        )
    missing = int(outcome.get("missing") or 0)
    columns = ", ".join(outcome.get("missing_columns", [])) or "some columns"
    return ladder(
        nudge,
        [
            f"{missing} values are still missing after your last stage, in {columns}. Add "
            "an 'impute' stage for each of those columns: median or mean for numbers, most "
            "frequent for categories, or drop the rows when only a few are missing."
        ],
    )


def stored_version_hints(outcome: dict[str, Any]) -> list[str]:
    nudge = (
        "Look at the Versions tab: a stored version appears there with its number and a "
        "content hash that names exactly the data it holds."
    )
    if outcome.get("kind") == "stored-version":
        specific = (
            f"Version {outcome.get('version') or 0} was not stored with a content hash. Run "
            "the pipeline again until no stage fails, then press 'Store as a new version'."
        )
    else:
        specific = (
            "You have not stored a version yet. The 'Store as a new version' button appears "
            "under the output once the pipeline has run without a failed stage (a red message "
            "names the stage to fix or remove)."
        )
    return ladder(nudge, [specific])


def found_drift_hints(outcome: dict[str, Any]) -> list[str]:
    nudge = (
        "Drift means newer data whose values are spread differently from the data you "
        "stored before. Two versions made from the same rows by the same stages hold the "
        "same data, so nothing drifts between them."
    )
    if outcome.get("kind") != "found-drift":
        specific = (
            "You have not compared two versions yet. Store a version, then use 'Re-run the "
            "saved pipeline on this file' with rows collected later, and compare the two."
        )
    else:
        specific = (
            "Your comparison found no column with a PSI above 0.2: the two versions came "
            "from rows that are spread alike. Re-run the saved pipeline on a file of later "
            "rows (for example a new term's results) and compare that version with your first."
        )
    return ladder(nudge, [specific])


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
                "Build a pipeline of cleaning stages only (impute 'score' with the median, "
                "remove duplicates) on the demo table and store version 1. Download it as "
                "CSV and make a later batch from it: keep the columns and shift many values "
                "the way a new group of learners would (say, 15 points more 'score' for "
                "most rows). "
                "Use 'Re-run the saved pipeline on this file' with that CSV: the same stages "
                "clean the new rows and store version 2, which is compared with version 1. "
                "The columns whose spread moved are marked as drifted (PSI above 0.2). "
                "Scaling the same rows differently is a change of units, not drift."
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
