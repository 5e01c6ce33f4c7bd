"""Does the trainer learn, repeat itself exactly, agree with plain PyTorch and stop when told?"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from engine.data import DataBundle, load_bundle
from engine.networks import build_model
from engine.spec import RunSpec
from engine.trainer import SilentHooks, TrainResult, train


class CountingHooks(SilentHooks):
    """Records rows and counts training steps (the trainer asks should_stop after each)."""

    def __init__(self, stop_after: int | None = None) -> None:
        super().__init__()
        self.steps_taken = 0
        self.stop_after = stop_after

    def should_stop(self) -> bool:
        self.steps_taken += 1
        return self.stop_after is not None and self.steps_taken >= self.stop_after


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """Train on one thread, as the engine's run processes do (and faster on small nets)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def default_split(spec: RunSpec) -> DataBundle:
    return load_bundle(spec)


@pytest.fixture(scope="module")
def short_cnn_run() -> tuple[RunSpec, TrainResult, SilentHooks]:
    """One short CNN run shared by the tests that only read its outcome."""
    spec = RunSpec(model="cnn", optimizer="adam", learning_rate=0.003, epochs=3)
    hooks = SilentHooks()
    return spec, train(spec, hooks), hooks


def test_does_a_short_cnn_run_beat_chance_by_far(short_cnn_run) -> None:
    _, result, hooks = short_cnn_run
    assert result.status == "done" and result.reason is None
    assert result.epochs == 3
    assert result.test_accuracy is not None and result.test_accuracy > 0.8  # chance is 0.1
    assert result.best_val_accuracy is not None and result.best_val_accuracy > 0.8
    epoch_rows = [values for _, _, values in hooks.rows if "val_accuracy" in values]
    assert epoch_rows[-1]["train_loss"] < epoch_rows[0]["train_loss"]


def test_does_the_confusion_matrix_cover_the_whole_test_set(short_cnn_run) -> None:
    spec, result, _ = short_cnn_run
    matrix = np.array(result.confusion_matrix)
    test_labels = default_split(spec).y_test
    assert matrix.shape == (10, 10)
    assert matrix.sum() == len(test_labels)
    # Each row is one true class: its total is that class's count in the test set.
    assert matrix.sum(axis=1).tolist() == np.bincount(test_labels, minlength=10).tolist()
    assert np.trace(matrix) / matrix.sum() == pytest.approx(result.test_accuracy)
    assert result.class_names == [str(d) for d in range(10)]


def test_are_progress_rows_in_step_order_with_one_row_per_step(short_cnn_run) -> None:
    _, _, hooks = short_cnn_run
    steps = [step for step, _, _ in hooks.rows]
    assert steps == sorted(set(steps))
    assert [epoch for _, epoch, values in hooks.rows if "val_accuracy" in values] == [1, 2, 3]


@pytest.mark.parametrize("model", ["cnn", "dense"])
def test_does_the_same_spec_and_seed_give_identical_metrics(model: str) -> None:
    # A promise for the CPU: on a GPU, cuDNN may choose kernels that add in another order.
    spec = RunSpec(model=model, epochs=1, seed=7, device="cpu")
    first, second = SilentHooks(), SilentHooks()
    result_a, result_b = train(spec, first), train(spec, second)
    assert first.rows == second.rows
    assert result_a.confusion_matrix == result_b.confusion_matrix
    assert result_a.test_accuracy == result_b.test_accuracy


def test_does_another_seed_give_other_metrics() -> None:
    first, second = SilentHooks(), SilentHooks()
    train(RunSpec(epochs=1, seed=1), first)
    train(RunSpec(epochs=1, seed=2), second)
    assert first.rows != second.rows


def plain_pytorch_epoch(spec: RunSpec) -> tuple[float, float]:
    """The trainer's first epoch written out by hand: mean train loss and accuracy."""
    torch.manual_seed(spec.seed)
    split = default_split(spec)
    model = build_model(spec, split)
    if spec.optimizer == "sgd":
        optimizer: torch.optim.Optimizer = torch.optim.SGD(
            model.parameters(), lr=spec.learning_rate, momentum=spec.momentum
        )
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=spec.learning_rate)
    loader = DataLoader(
        TensorDataset(torch.from_numpy(split.x_train), torch.from_numpy(split.y_train)),
        batch_size=spec.batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(spec.seed),
    )
    model.train()
    loss_sum, correct, seen = 0.0, 0, 0
    for xb, yb in loader:
        logits = model(xb)
        loss = nn.functional.cross_entropy(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(yb)
        correct += int((logits.argmax(1) == yb).sum())
        seen += len(yb)
    return loss_sum / seen, correct / seen


@pytest.mark.parametrize(
    "spec",
    [
        RunSpec(model="cnn", optimizer="adam", learning_rate=1e-3, batch_size=32, seed=0),
        RunSpec(model="dense", optimizer="sgd", learning_rate=0.05, batch_size=50, seed=3),
    ],
    ids=["cnn-adam", "dense-sgd"],
)
def test_does_the_first_epoch_loss_match_a_plain_pytorch_loop(spec: RunSpec) -> None:
    spec = spec.model_copy(update={"epochs": 1, "device": "cpu"})
    hooks = SilentHooks()
    train(spec, hooks)
    (epoch_row,) = [values for _, _, values in hooks.rows if "val_accuracy" in values]
    reference_loss, reference_accuracy = plain_pytorch_epoch(spec)
    assert epoch_row["train_loss"] == pytest.approx(reference_loss, abs=1e-5)
    assert epoch_row["train_accuracy"] == pytest.approx(reference_accuracy, abs=1e-9)


def scaled_inputs(factor: float) -> DataBundle:
    """Pixels left unnormalised (times ``factor``): legitimate input that makes SGD blow up."""
    split = default_split(RunSpec())
    return replace(split, x_train=split.x_train * np.float32(factor))


def infinite_inputs() -> DataBundle:
    """Training images full of inf (a broken upload): the loss is not finite at step 1."""
    split = default_split(RunSpec())
    return replace(split, x_train=np.full_like(split.x_train, np.inf))


@pytest.mark.parametrize(
    ("spec", "split"),
    [
        (RunSpec(model="dense", optimizer="sgd", learning_rate=0.1), scaled_inputs(1e10)),
        (RunSpec(model="cnn", optimizer="sgd", learning_rate=1.0), scaled_inputs(1e6)),
        (RunSpec(model="cnn"), infinite_inputs()),
    ],
    ids=["dense-sgd-huge-inputs", "cnn-sgd-large-inputs", "inf-inputs"],
)
def test_does_a_diverging_run_stop_within_one_step(spec: RunSpec, split: DataBundle) -> None:
    hooks = CountingHooks()
    result = train(spec.model_copy(update={"epochs": 5}), hooks, split=split)
    assert result.status == "diverged"
    assert "learning rate" in result.reason and f"{spec.learning_rate:g}" in result.reason
    found = re.search(r"step (\d+)", result.reason)
    assert found, result.reason
    bad_step = int(found.group(1))
    # Every step before the bad one was taken; the bad one was not, nor any after it.
    assert hooks.steps_taken == bad_step - 1
    assert result.epochs == 0 and result.test_accuracy is None
    # The rows it kept are all finite, so the chart up to the blow-up still draws.
    assert all(step < bad_step for step, _, _ in hooks.rows)
    assert all(math.isfinite(v) for _, _, values in hooks.rows for v in values.values())


@pytest.mark.parametrize(
    ("stop_after", "epochs_completed"),
    [(1, 0), (10, 0), (50, 1)],  # 34 steps per epoch at batch 32 on 1,077 rows
)
def test_does_should_stop_end_the_run_as_cancelled(stop_after: int, epochs_completed: int) -> None:
    hooks = CountingHooks(stop_after=stop_after)
    result = train(RunSpec(model="dense", epochs=5), hooks)
    assert result.status == "cancelled"
    assert "Cancelled" in result.reason
    assert hooks.steps_taken == stop_after  # it stopped at the first True
    assert result.epochs == epochs_completed
    assert result.test_accuracy is None and result.confusion_matrix == []
    assert all(step <= stop_after for step, _, _ in hooks.rows)
    # The throughput counts the partial epoch's time too (it once divided by zero seconds).
    assert 0 < result.samples_per_second < 1e8


def test_does_a_run_stop_itself_at_its_time_limit() -> None:
    result = train(RunSpec(model="dense", epochs=500, time_limit_seconds=0.2), SilentHooks())
    assert result.status == "failed"
    assert "time limit of 0.2 s" in result.reason
    assert 1 <= result.epochs < 500
