"""Does a challenge's held-out share stay out of every split, and is its score a plain
evaluation of the run's model on exactly those rows?"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine import artifacts
from engine.data import load_bundle
from engine.data.bundle import split_indices
from engine.data.holdout_rows import HOLDOUT_FRACTION, HoldoutRule, holding_out
from engine.data.images import load_digits_images
from engine.data.registry import build_bundle
from engine.data.tabular import load_penguins_frame
from engine.data.text import load_competency_sentences
from engine.holdout import HoldoutError, holdout_rows, score_on_holdout
from engine.networks import build_model
from engine.spec import RunSpec, SpecError, parse_spec
from engine.trainer import RunFiles, SilentHooks, train


def _labels(dataset: str) -> np.ndarray:
    if dataset == "digits":
        return load_digits_images()[1]
    if dataset == "competency-sentences":
        return np.asarray(load_competency_sentences()[1])
    frame = load_penguins_frame()
    return frame["species"].astype("category").cat.codes.to_numpy()


@pytest.mark.parametrize("dataset", ["digits", "penguins", "competency-sentences"])
@pytest.mark.parametrize("seed", [1, 2, 17])
def test_held_out_rows_are_in_no_part_of_the_split(dataset: str, seed: int) -> None:
    y = _labels(dataset)
    held = set(holdout_rows(y, seed).tolist())
    with holding_out(HoldoutRule(seed)):
        train, val, test = split_indices(y, 0.2, 0.2, seed=0)
    used = set(train.tolist()) | set(val.tolist()) | set(test.tolist())
    assert not used & held
    assert used | held == set(range(len(y)))  # nothing else goes missing


@pytest.mark.parametrize("dataset", ["digits", "penguins", "competency-sentences", "sounds"])
def test_a_challenge_runs_bundle_is_smaller_by_exactly_the_held_out_rows(dataset: str) -> None:
    spec = RunSpec(dataset=dataset, model="dense", epochs=1)
    whole = build_bundle(spec)
    challenge = build_bundle(spec.model_copy(update={"holdout_seed": 4}))
    total = len(whole.y_train) + len(whole.y_val) + len(whole.y_test)
    parts = len(challenge.y_train) + len(challenge.y_val) + len(challenge.y_test)
    held = build_bundle(spec.model_copy(update={"holdout_seed": 4}), holdout_as_test=True)
    assert parts + len(held.y_test) == total
    assert len(held.y_test) == pytest.approx(total * HOLDOUT_FRACTION, abs=1)
    # scoring keeps the run's own training and validation rows, so the encoding matches
    np.testing.assert_array_equal(held.x_train, challenge.x_train)
    np.testing.assert_array_equal(held.y_val, challenge.y_val)


def test_no_held_out_image_is_trained_validated_or_tested_on() -> None:
    x, y = load_digits_images()
    rows = {row.tobytes(): i for i, row in enumerate(x)}
    held = set(holdout_rows(y, 9).tolist())
    held_images = {x[i].tobytes() for i in held}
    # an image that also occurs outside the held-out share (a duplicate) proves nothing
    duplicated = {b for b in held_images if rows[b] not in held}
    bundle = build_bundle(RunSpec(dataset="digits", holdout_seed=9))
    for part in (bundle.x_train, bundle.x_val, bundle.x_test):
        seen = {row.tobytes() for row in part}
        assert not (seen & held_images) - duplicated


def test_each_challenge_holds_out_its_own_fixed_stratified_rows() -> None:
    y = load_digits_images()[1]
    first, again, other = holdout_rows(y, 3), holdout_rows(y, 3), holdout_rows(y, 4)
    np.testing.assert_array_equal(first, again)
    assert set(first.tolist()) != set(other.tolist())
    share = np.bincount(y[first], minlength=10) / np.bincount(y, minlength=10)
    assert np.allclose(share, HOLDOUT_FRACTION, atol=0.02)  # every digit held out alike


def test_a_normal_run_still_uses_every_row() -> None:
    y = load_digits_images()[1]
    train, val, test = split_indices(y, 0.2, 0.2, seed=0)
    assert len(train) + len(val) + len(test) == len(y)


def test_the_score_equals_a_direct_evaluation_on_the_held_out_images() -> None:
    spec = RunSpec(dataset="digits", model="dense", epochs=2, holdout_seed=11, device="cpu")
    result = train(spec, SilentHooks(), files=RunFiles(model=artifacts.model_path(42)))
    assert result.status == "done"
    score = score_on_holdout(42, spec)

    x, y = load_digits_images()
    held = holdout_rows(y, 11)
    net = build_model(spec, load_bundle(spec))
    net.load_state_dict(torch.load(artifacts.model_path(42), weights_only=True))
    net.eval()
    with torch.no_grad():
        predicted = net(torch.from_numpy(x[held])).argmax(1).numpy()
    assert score.rows == len(held)
    assert score.accuracy == pytest.approx(float((predicted == y[held]).mean()))
    assert 0.3 < score.accuracy <= 1.0  # two epochs learn something


def test_a_tabular_challenge_run_is_scored_on_its_held_out_penguins() -> None:
    spec = RunSpec(dataset="penguins", model="dense", epochs=3, holdout_seed=5, device="cpu")
    train(spec, SilentHooks(), files=RunFiles(model=artifacts.model_path(43)))
    score = score_on_holdout(43, spec)
    assert score.rows == len(holdout_rows(_labels("penguins"), 5))
    assert 0.0 <= score.accuracy <= 1.0


def test_a_run_without_a_model_or_outside_a_challenge_is_not_scored() -> None:
    with pytest.raises(HoldoutError, match="no trained model"):
        score_on_holdout(999, RunSpec(holdout_seed=1))
    spec = RunSpec(dataset="digits", model="dense", epochs=1, device="cpu")
    train(spec, SilentHooks(), files=RunFiles(model=artifacts.model_path(44)))
    with pytest.raises(HoldoutError, match="not trained for a challenge"):
        score_on_holdout(44, spec)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"holdout_seed": 1, "pretrained_from": 3}, "pretrained_from"),
        ({"holdout_seed": 1, "dataset": "upload:0123456789abcdef"}, "dataset"),
        ({"holdout_seed": -1}, "holdout_seed"),
        ({"holdout_seed": 1.5}, "holdout_seed"),
    ],
)
def test_bad_challenge_settings_are_refused_with_the_field_named(
    settings: dict[str, object], field: str
) -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec(settings)
    assert field in caught.value.errors
