"""Lab: feature engineering on a table: scale, encode, build, select, and find a leak."""

from __future__ import annotations

from typing import Any

from labs.objectives import Objective
from labs.registry_types import Lab

TABLES = ("penguins", "wine", "breast-cancer")
LEAK_SEED = 7  # the planted column is the same for every learner, so a class can discuss it


def _kind(outcome: dict[str, Any], kind: str) -> bool:
    return outcome.get("kind") == kind


def named_the_leak(outcome: dict[str, Any]) -> bool:
    return _kind(outcome, "name-the-leak") and bool(outcome.get("correct"))


def fewer_features_same_accuracy(outcome: dict[str, Any]) -> bool:
    return (
        _kind(outcome, "fewer-features")
        and outcome.get("feature_change", 0) < 0
        and outcome.get("accuracy_change", -1) >= 0
    )


def new_feature_helps(outcome: dict[str, Any]) -> bool:
    return (
        _kind(outcome, "new-feature-helps")
        and bool(outcome.get("extraction_used"))
        and outcome.get("accuracy_change", 0) > 0
    )


def leak_hints(_outcome: dict[str, Any]) -> list[str]:
    return [
        "Look at the suspects table: one column predicts the label almost perfectly on "
        "its own. Real measurements rarely do that.",
        "Ask where each column comes from. A code written after the label was known "
        "cannot be used to predict it.",
    ]


def fewer_features_hints(outcome: dict[str, Any]) -> list[str]:
    if outcome.get("feature_change", 0) >= 0:
        return [
            "Drop a column under 'Leave out' (the redundancy tab shows near-copies) and "
            "evaluate again."
        ]
    return [
        f"Accuracy fell by {-outcome.get('accuracy_change', 0):.1%}. Leave out a column "
        "that the selection curves rarely pick, and keep the ones they all agree on."
    ]


def new_feature_hints(outcome: dict[str, Any]) -> list[str]:
    if not outcome.get("extraction_used"):
        return ["Add a polynomial feature, a ratio or bins, then evaluate again."]
    return [
        "This feature did not help on the validation rows. Try a ratio of two related "
        "measurements (a shape, not a size) or bins for a column with an uneven effect."
    ]


LAB = Lab(
    id="feature-engineering",
    title="Feature engineering",
    competencies=("critical-thinking",),
    default_spec=None,
    objectives=(
        Objective(
            "name-the-leak",
            "Name the column that leaks the answer",
            named_the_leak,
            leak_hints,
            solution=lambda _outcome: (
                "The leak is 'lab_record_code'. Turn on 'Score each column on its own': that "
                "column alone predicts the label almost perfectly, because each class was given "
                "its own band of codes after the answer was known. Type lab_record_code."
            ),
        ),
        Objective(
            "fewer-features",
            "Use fewer features with no loss of validation accuracy",
            fewer_features_same_accuracy,
            fewer_features_hints,
            solution=lambda _outcome: (
                "On the penguins table, choose 'year' under 'Leave out' and press Evaluate: "
                "the body measurements already tell the species apart, so validation accuracy "
                "stays the same with one feature fewer. On breast-cancer, leave out 'mean "
                "perimeter', a near-copy of 'mean radius'."
            ),
        ),
        Objective(
            "new-feature-helps",
            "Build a new feature that raises validation accuracy",
            new_feature_helps,
            new_feature_hints,
            solution=lambda _outcome: (
                "Use the breast-cancer table: choose 'worst symmetry' under polynomial features "
                "(or cut 'worst fractal dimension' into 4 bins) and press Evaluate; validation "
                "accuracy rises from 99.1% to 100%. On penguins and wine the default features "
                "already reach 100% on the validation rows, so nothing can raise it there."
            ),
        ),
    ),
)
