"""Are the tuning lab's objectives checked against the study, with hints from its numbers?"""

from __future__ import annotations

import pytest

from classroom.tuning import StudyView
from engine.tuning import records
from engine.tuning.analysis import TrialRow
from engine.tuning.space import SearchSpace
from labs.hyperparameter_tuning import (
    BEAT_DEFAULT,
    NAME_KEY_SETTING,
    beat_default_hints,
    beat_default_outcome,
    key_setting_hints,
)


def beat(baseline, best, **extra):
    return {"kind": "beat-default", "baseline": baseline, "best": best, **extra}


@pytest.mark.parametrize(
    ("outcome", "passed"),
    [
        (beat(0.90, 0.92), True),
        (beat(0.90, 0.915), False),  # better, but not by two points
        (beat(None, 0.99), False),  # the default run has not finished
        (beat(0.90, None), False),
        ({"kind": "name-the-key-setting", "baseline": 0.1, "best": 0.9}, False),
    ],
)
def test_beating_the_default_needs_the_margin(outcome, passed) -> None:
    assert BEAT_DEFAULT.check(outcome) is passed


IMPORTANCES = {"learning_rate": 0.62, "optimizer": 0.30, "batch_size": 0.05, "depth": 0.03}


@pytest.mark.parametrize(
    ("choice", "importances", "passed"),
    [
        ("learning_rate", IMPORTANCES, True),
        ("optimizer", IMPORTANCES, False),
        ("optimizer", {**IMPORTANCES, "optimizer": 0.59}, True),  # a near tie counts
        ("learning_rate", None, False),  # too few trials for importances yet
    ],
)
def test_naming_the_key_setting_is_checked_against_fanova(choice, importances, passed) -> None:
    outcome = {"kind": "name-the-key-setting", "choice": choice, "importances": importances}
    assert NAME_KEY_SETTING.check(outcome) is passed


def test_hints_quote_the_studys_own_numbers() -> None:
    hints = beat_default_hints(
        beat(
            0.90,
            0.91,
            stopped=6,
            trials=10,
            method="random",
            best_params={"learning_rate": 0.03},
        )
    )
    assert "Look at the default configuration" in hints[0]  # the nudge comes first
    assert "91.0%" in hints[1] and "90.0%" in hints[1] and "92.0%" in hints[1]
    assert any("6 of 10 trials" in h for h in hints)
    assert any("0.03" in h and "0.01 to 0.09" in h for h in hints)
    assert any("TPE" in h for h in hints)


def test_a_default_already_perfect_is_explained() -> None:
    assert "no room" in beat_default_hints(beat(0.99, 0.99))[1]


def test_a_wrong_key_setting_hint_gives_its_share_not_the_answer() -> None:
    hints = key_setting_hints(
        {"kind": "name-the-key-setting", "choice": "batch_size", "importances": IMPORTANCES}
    )
    assert "importance chart" in hints[0]  # the nudge names where to look
    assert "batch size, which explains about 5%" in hints[1]
    assert "learning rate" not in " ".join(hints)


def study_view(owner, method: str, optimizers: list[str]) -> StudyView:
    """A finished study whose trials used these optimisers in turn, one per trial."""
    settings = records.StudySettings(method=method, budget=len(optimizers), epochs=1)
    study_id = records.create_study(owner.id, "hyperparameter-tuning", settings, SearchSpace())
    trials = [
        TrialRow(n, "complete", {"optimizer": o, "learning_rate": 0.01}, 0.8, None, 1)
        for n, o in enumerate(optimizers)
    ]
    return StudyView(records.get_study(study_id), trials, None, 0.85, "done")


def test_a_bayesian_study_that_kept_to_one_optimiser_is_told_so(learner) -> None:
    view = study_view(learner, "tpe", ["adam", "sgd", "adam", "sgd"] + ["sgd"] * 6)
    outcome = beat_default_outcome(view)
    assert outcome["guided_optimizers"] == ["sgd"]
    [hint] = [h for h in beat_default_hints(outcome) if "only tried" in h]
    assert "After its first 4 random trials your study only tried SGD" in hint
    assert "a study with Adam alone" in hint


@pytest.mark.parametrize(
    ("method", "optimizers"),
    [
        ("gp", ["sgd"] * 4 + ["sgd", "adam"] * 3),  # the sampler went back to Adam
        ("random", ["adam"] * 4 + ["sgd"] * 6),  # random search does not learn: nothing to say
        ("tpe", ["adam"] * 4 + ["sgd"] * 2),  # too few guided trials to judge
    ],
)
def test_no_one_optimiser_hint_where_it_would_not_be_true(learner, method, optimizers) -> None:
    hints = beat_default_hints(beat_default_outcome(study_view(learner, method, optimizers)))
    assert not any("only tried" in h for h in hints)
