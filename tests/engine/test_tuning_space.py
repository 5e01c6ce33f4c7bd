"""Does the search-space editor refuse every bad range with a message naming the field?"""

from __future__ import annotations

import optuna
import pytest

from engine.spec import RunSpec
from engine.tuning.records import StudySettings, check_study, parse_settings
from engine.tuning.space import SearchSpace, SpaceError, build_spec, grid, parse_space, suggest


def errors_of(data: dict) -> dict[str, str]:
    with pytest.raises(SpaceError) as caught:
        parse_space(data)
    return caught.value.errors


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"learning_rate_low": 0}, "learning_rate_low", "above 0"),
        ({"learning_rate_low": -0.01}, "learning_rate_low", "above 0"),
        ({"learning_rate_high": float("nan")}, "learning_rate_high", "finite"),
        ({"learning_rate_high": float("inf")}, "learning_rate_high", "finite"),
        ({"learning_rate_high": 1e9}, "learning_rate_high", "between 0 and 10"),
        ({"learning_rate_low": True}, "learning_rate_low", "must be a number"),
        ({"learning_rate_low": 0.5, "learning_rate_high": 0.1}, "learning_rate_high", "below"),
        ({"batch_size_low": 0}, "batch_size_low", "between 1 and 4096"),
        ({"batch_size_low": 1.5}, "batch_size_low", "whole number"),
        ({"batch_size_high": True}, "batch_size_high", "whole number"),
        ({"batch_size_low": 128, "batch_size_high": 16}, "batch_size_high", "below the lowest"),
        ({"dropout_high": 0.95}, "dropout_high", "between 0 and 0.9"),
        ({"dropout_low": -0.1}, "dropout_low", "between 0 and 0.9"),
        ({"optimizers": []}, "optimizers", "at least one"),
        ({"optimizers": ["lion"]}, "optimizers", "one of sgd, adam"),
        ({"hidden_units_high": 5000}, "hidden_units_high", "between 4 and 1024"),
        ({"depth_low": 0}, "depth_low", "between 1 and 6"),
        ({"depth_low": 4, "depth_high": 2}, "depth_high", "below the lowest value (4)"),
        ({"width": 3}, "width", "not a setting"),
    ],
)
def test_a_bad_range_is_refused_with_a_message_on_its_field(data, field, words) -> None:
    errors = errors_of(data)
    assert field in errors
    assert words in errors[field]


def test_every_bad_field_is_named_at_once() -> None:
    errors = errors_of({"learning_rate_low": 0, "batch_size_low": 1.5, "optimizers": []})
    assert set(errors) == {"learning_rate_low", "batch_size_low", "optimizers"}


def test_the_default_space_is_the_one_the_issue_asks_for() -> None:
    space = parse_space({})
    assert space.range("learning_rate") == (1e-4, 1e-1)
    assert space.range("batch_size") == (16, 128)
    assert space.range("dropout") == (0.1, 0.5)
    assert space.tuned() == [
        "learning_rate",
        "batch_size",
        "dropout",
        "optimizer",
        "hidden_units",
        "depth",
    ]


def test_equal_ends_keep_a_setting_fixed() -> None:
    space = parse_space({"depth_low": 2, "depth_high": 2, "optimizers": ["adam"]})
    assert "depth" not in space.tuned() and "optimizer" not in space.tuned()
    assert grid(space)["depth"] == [2]


def test_the_grid_stays_inside_the_space_with_its_ends_included() -> None:
    space = SearchSpace(learning_rate_low=1e-3, learning_rate_high=1.0, batch_size_high=100)
    points = grid(space)
    assert points["learning_rate"][0] == 1e-3 and points["learning_rate"][-1] == 1.0
    assert points["batch_size"] == [16, 32, 100]  # 40 between the ends snaps to 32
    assert all(1e-3 <= v <= 1.0 for v in points["learning_rate"])


def test_each_trial_value_lies_in_its_range_and_makes_a_valid_spec() -> None:
    space = SearchSpace(optimizers=("adam", "rmsprop"))
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    base = RunSpec(dataset="penguins", model="dense", epochs=2)
    for _ in range(20):
        trial = study.ask()
        params = suggest(trial, space)
        spec = build_spec(base, params)
        assert 1e-4 <= spec.learning_rate <= 1e-1
        assert 16 <= spec.batch_size <= 128
        assert 0.1 <= spec.dropout <= 0.5
        assert spec.optimizer in {"adam", "rmsprop"}
        assert spec.dataset == "penguins" and spec.epochs == 2
        study.tell(trial, 0.5)


@pytest.mark.parametrize(
    ("settings", "space", "field", "words"),
    [
        ({"budget": 0}, {}, "budget", "greater than or equal to 1"),
        ({"parallel": 9}, {}, "parallel", "less than or equal to 4"),
        ({"method": "hillclimb"}, {}, "method", "one of"),
        (
            {"method": "grid", "budget": 10},
            {
                "optimizers": ["adam"],
                "depth_low": 2,
                "depth_high": 2,
                "dropout_low": 0.2,
                "dropout_high": 0.2,
                "hidden_units_low": 32,
                "hidden_units_high": 32,
                "batch_size_low": 32,
                "batch_size_high": 32,
            },
            "budget",
            "3 points of your grid",
        ),
        ({}, {"batch_size_low": 16, "batch_size_high": 4000}, "batch_size_high", "training rows"),
    ],
)
def test_study_settings_that_cannot_work_are_named(settings, space, field, words) -> None:
    with pytest.raises(SpaceError) as caught:
        check_study(parse_settings(settings), parse_space(space))
    assert words in caught.value.errors[field]


def test_good_settings_pass_the_checks() -> None:
    check_study(StudySettings(), SearchSpace())  # raises nothing
