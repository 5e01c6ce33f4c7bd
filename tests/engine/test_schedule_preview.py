"""Does the schedule preview show the learning rates a real run then logs?"""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from engine.data import load_bundle
from engine.spec import RunSpec
from engine.trainer import SilentHooks, train
from engine.training.optim import batches_per_epoch, preview_learning_rates

TINY = {"model": "dense", "hidden_units": 16, "epochs": 5, "learning_rate": 0.05}


def logged(spec: RunSpec) -> tuple[list[float], list[float]]:
    """The learning rate and validation loss a real run logs after each epoch."""
    hooks = SilentHooks()
    train(spec, hooks)
    rows = [values for _, _, values in hooks.rows if "val_loss" in values]
    return [r["learning_rate"] for r in rows], [r["val_loss"] for r in rows]


def batches_of(spec: RunSpec) -> int:
    return batches_per_epoch(len(load_bundle(spec).y_train), spec.batch_size)


@pytest.mark.parametrize(
    "settings",
    [
        {"schedule": "none"},
        {"schedule": "step", "step_size": 2, "gamma": 0.5},
        {"schedule": "exponential", "gamma": 0.7},
        {"schedule": "cosine"},
        {"schedule": "onecycle"},
        {"schedule": "cosine", "warmup_epochs": 2},
        {"schedule": "step", "step_size": 1, "gamma": 0.5, "warmup_epochs": 1},
        {"schedule": "none", "warmup_epochs": 1, "optimizer": "sgd", "batch_size": 64},
    ],
    ids=lambda s: "-".join(f"{k}={v}" for k, v in s.items()),
)
def test_does_the_preview_match_the_rates_the_run_logs(settings) -> None:
    spec = RunSpec(**{**TINY, **settings})
    rates, _ = logged(spec)
    preview = preview_learning_rates(spec, batches_of(spec))
    assert preview.epochs == [1, 2, 3, 4, 5]
    assert preview.epoch_rates == pytest.approx(rates, rel=1e-6, abs=1e-12)


def test_does_the_plateau_preview_follow_the_validation_losses_it_is_given() -> None:
    spec = RunSpec(
        **{**TINY, "epochs": 8, "learning_rate": 0.5},
        optimizer="sgd",
        schedule="plateau",
        step_size=1,
        gamma=0.1,
    )
    rates, losses = logged(spec)
    preview = preview_learning_rates(spec, batches_of(spec), val_losses=losses)
    assert preview.epoch_rates == pytest.approx(rates, rel=1e-6)
    # Without losses the preview assumes the validation loss keeps improving: no cuts.
    assert set(preview_learning_rates(spec, batches_of(spec)).epoch_rates) == {0.5}


def test_does_a_long_run_preview_keep_the_same_epoch_values_with_fewer_steps() -> None:
    spec = RunSpec(epochs=400, batch_size=1, schedule="step", step_size=100, gamma=0.1)
    preview = preview_learning_rates(spec, batches=1078)
    assert len(preview.step_rates) <= 1000 + spec.epochs + 1  # about 1,000 plus epoch ends
    assert preview.epoch_rates[98] == pytest.approx(1e-3)
    assert preview.epoch_rates[99] == pytest.approx(1e-4)
    assert preview.epoch_rates[-1] == pytest.approx(1e-7)


@pytest.mark.parametrize(("rows", "batch", "workers"), [(1078, 32, 1), (1078, 32, 2), (61, 8, 3)])
def test_are_batches_per_epoch_those_torchs_loader_makes(rows, batch, workers) -> None:
    data = TensorDataset(torch.zeros(rows, 1))
    sampler = DistributedSampler(data, num_replicas=workers, rank=0, shuffle=False)
    assert batches_per_epoch(rows, batch, workers) == len(
        DataLoader(data, batch_size=batch, sampler=sampler)
    )
