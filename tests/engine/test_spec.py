"""Does a bad training setting get refused, with the field named, before anything is queued?"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
import torch

from engine.data import load_bundle
from engine.jobs import check_runnable
from engine.spec import EXAMPLE_SPECS, RunSpec, SpecError, example_spec, parse_spec

# (field, bad value, words the learner's message must contain)
BAD_VALUES: list[tuple[str, Any, str]] = [
    ("learning_rate", 0, "greater than 0"),
    ("learning_rate", -1, "greater than 0"),
    ("learning_rate", 1e9, "less than or equal to 10"),
    ("learning_rate", math.nan, "finite"),
    ("learning_rate", math.inf, "finite"),
    ("learning_rate", -math.inf, "finite"),
    ("learning_rate", True, "number"),
    ("batch_size", 0, "greater than or equal to 1"),
    ("batch_size", -1, "greater than or equal to 1"),
    ("batch_size", True, "whole number"),
    ("batch_size", 1.5, "whole number"),
    ("batch_size", "32", "whole number"),
    ("epochs", 0, "greater than or equal to 1"),
    ("epochs", 10**9, "less than or equal to 500"),
    ("epochs", 2.0, "whole number"),
    ("optimizer", "adagrad", "one of"),
    ("model", "resnet", "one of"),
    ("model", "transformer", "does not fit image data"),
    ("dataset", "imagenet", "must be one of"),
    ("warmup_epochs", 10, "shorter than the run"),
    ("momentum", math.nan, "finite"),
    ("time_limit_seconds", math.nan, "finite"),
    ("validation_fraction", math.nan, "finite"),
    ("seed", -1, "greater than or equal to 0"),
    ("colour", "red", "not a setting"),
]


@pytest.mark.parametrize(("field", "value", "words"), BAD_VALUES)
def test_is_a_bad_setting_refused_with_its_field_named(field: str, value: Any, words: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec({field: value})
    errors = caught.value.errors
    assert list(errors) == [field]
    assert words in errors[field]
    # The message is for a learner: a sentence, not a repr of the pydantic error.
    assert "pydantic" not in errors[field] and "Value error" not in errors[field]
    assert field in str(caught.value)


def test_are_several_bad_settings_reported_together() -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec({"learning_rate": -1, "batch_size": 0, "optimizer": "adagrad"})
    assert set(caught.value.errors) == {"learning_rate", "batch_size", "optimizer"}


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"learning_rate": 10, "batch_size": 1, "epochs": 500},
        {"model": "dense", "optimizer": "sgd", "momentum": 0.0},
        {"learning_rate": 1e-6, "seed": 2**31 - 1},
    ],
    ids=["defaults", "upper-limits", "dense-sgd", "tiny-lr"],
)
def test_do_sensible_settings_pass(data: dict[str, Any]) -> None:
    spec = parse_spec(data)
    assert isinstance(spec, RunSpec)
    for key, value in data.items():
        assert getattr(spec, key) == value
    check_runnable(spec)  # and they can run here


def test_do_the_defaults_give_a_quick_digits_cnn_run() -> None:
    spec = parse_spec({})
    assert (spec.dataset, spec.model, spec.optimizer) == ("digits", "cnn", "adam")
    assert 0 < spec.learning_rate < 1 and spec.epochs <= 20


@pytest.mark.parametrize("name", sorted(EXAMPLE_SPECS))
def test_does_every_example_spec_survive_a_json_round_trip(name: str) -> None:
    spec = example_spec(name)
    assert parse_spec(json.loads(spec.model_dump_json())) == spec


def test_is_an_unknown_example_refused_with_the_known_names() -> None:
    with pytest.raises(KeyError, match="digits-cnn"):
        example_spec("imagenet")


def test_is_a_batch_larger_than_the_training_rows_refused() -> None:
    spec = RunSpec()
    train_rows = len(load_bundle(spec).y_train)
    check_runnable(spec.model_copy(update={"batch_size": train_rows}))  # exactly all rows: fine
    with pytest.raises(SpecError) as caught:
        check_runnable(spec.model_copy(update={"batch_size": train_rows + 1}))
    assert list(caught.value.errors) == ["batch_size"]
    assert f"{train_rows} training examples" in caught.value.errors["batch_size"]


def test_is_a_split_that_leaves_nothing_to_train_on_refused() -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec({"validation_fraction": 0.5, "test_fraction": 0.5})
    assert "validation_fraction" in caught.value.errors
    assert "too few examples" in caught.value.errors["validation_fraction"]


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_is_a_cuda_run_refused_on_a_machine_without_a_gpu() -> None:
    with pytest.raises(SpecError) as caught:
        check_runnable(RunSpec(device="cuda"))
    assert list(caught.value.errors) == ["device"]
    assert "no GPU" in caught.value.errors["device"]
