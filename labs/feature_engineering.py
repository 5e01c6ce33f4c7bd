"""Lab: feature engineering on a table: scale, encode, build, select, and find a leak."""

from __future__ import annotations

from typing import Any

from labs.hints import ladder, percent
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


def leak_hints(outcome: dict[str, Any]) -> list[str]:
    answer = str(outcome.get("answer") or "").strip()
    specific = (
        f"'{answer}' is not the leak. Turn on 'Score each column on its own' and read the "
        "top row: a column that predicts the label almost perfectly by itself, and whose name "
        "is a code rather than a measurement, was written after the answer was known."
        if answer
        else "Turn on 'Score each column on its own' and read the top row: a column that "
        "predicts the label almost perfectly by itself, and whose name is a code rather than "
        "a measurement, was written after the answer was known."
    )
    return ladder(
        "Look at the suspects table: one column predicts the label almost perfectly on its "
        "own. Real measurements rarely do that.",
        [specific],
    )


def _scores(outcome: dict[str, Any]) -> tuple[str, str, int, int]:
    """(default accuracy, new accuracy, default features, new features) of an evaluation."""
    before, after = outcome.get("before") or {}, outcome.get("after") or {}
    return (
        percent(before.get("accuracy")),
        percent(after.get("accuracy")),
        int(before.get("n_features") or 0),
        int(after.get("n_features") or 0),
    )


def fewer_features_hints(outcome: dict[str, Any]) -> list[str]:
    nudge = (
        "Open the redundancy tab and look for near-copies (pairs with |r| above 0.9): one "
        "column of such a pair adds little that the other does not already say."
    )
    if "feature_change" not in outcome:
        return ladder(
            nudge,
            [
                "You have not evaluated a smaller feature set yet. Choose one column under "
                "'Leave out' and press Evaluate: the result is set beside the default "
                "features on the same validation rows."
            ],
        )
    before, after, n_before, n_after = _scores(outcome)
    if outcome.get("feature_change", 0) >= 0:
        return ladder(
            nudge,
            [
                f"Your last evaluation used {n_after} features against {n_before} for the "
                "default, so it did not use fewer. Choose a column under 'Leave out' (one of "
                "a near-copy pair) and evaluate again."
            ],
        )
    return ladder(
        nudge,
        [
            f"With {n_after} features instead of {n_before}, validation accuracy fell from "
            f"{before} to {after}. The column you left out carried something the others do "
            "not: put it back and leave out one that the selection curves rarely pick "
            "instead, keeping the ones every method agrees on."
        ],
    )


def new_feature_hints(outcome: dict[str, Any]) -> list[str]:
    nudge = (
        "Look for columns that only make sense together: a ratio of two related measurements "
        "describes a shape rather than a size, and bins help when a column's effect is uneven."
    )
    if "accuracy_change" not in outcome:
        return ladder(
            nudge,
            [
                "You have not evaluated a new feature yet. Add a polynomial feature, a ratio "
                "or bins, press Evaluate, and compare with the default features."
            ],
        )
    before, after, _n_before, n_after = _scores(outcome)
    if not outcome.get("extraction_used"):
        return ladder(
            nudge,
            [
                f"Your last evaluation ({after} with {n_after} features) built no new "
                "feature: choose a polynomial feature, a ratio or bins, then evaluate again."
            ],
        )
    if float((outcome.get("before") or {}).get("accuracy") or 0) >= 0.999:
        return ladder(
            nudge,
            [
                f"The default features already reach {before} on these validation rows, so "
                "no feature can raise it. Choose the breast-cancer table, where there is room."
            ],
        )
    return ladder(
        nudge,
        [
            f"Your new feature gave {after} on the validation rows against {before} with the "
            "default features. Try a ratio of two related measurements, or bins for a column "
            "with an uneven effect; a gain of one or two validation rows may be luck, so look "
            "for a clear one."
        ],
    )


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
