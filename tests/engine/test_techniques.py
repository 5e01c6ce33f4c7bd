"""Does each training technique do what it says? One mechanism test per technique."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from engine.data import load_bundle
from engine.networks import Classifier, build_model
from engine.spec import RunSpec
from engine.trainer import RunFiles, SilentHooks, train
from engine.training import single as trainer_module
from engine.training.augment import augment_images
from engine.training.optim import make_optimizer

FAST = {"model": "dense", "epochs": 6, "hidden_units": 32}


def epoch_rows(hooks: SilentHooks) -> list[dict[str, float]]:
    return [values for _, _, values in hooks.rows if "val_loss" in values]


def learning_rates(spec: RunSpec) -> list[float]:
    hooks = SilentHooks()
    train(spec, hooks)
    return [row["learning_rate"] for row in epoch_rows(hooks)]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"schedule": "none"}, [0.01] * 6),
        (
            {"schedule": "step", "step_size": 2, "gamma": 0.5},
            [0.01, 0.005, 0.005, 0.0025, 0.0025, 0.00125],
        ),
        ({"schedule": "exponential", "gamma": 0.5}, [0.01 * 0.5**e for e in range(1, 7)]),
    ],
)
def test_does_the_schedule_set_the_expected_learning_rate_after_each_epoch(settings, expected):
    rates = learning_rates(RunSpec(**FAST, learning_rate=0.01, **settings))
    assert rates == pytest.approx(expected, rel=1e-6)


def test_does_cosine_fall_to_zero_and_one_cycle_rise_then_fall() -> None:
    cosine = learning_rates(RunSpec(**FAST, learning_rate=0.01, schedule="cosine"))
    assert cosine == sorted(cosine, reverse=True) and cosine[-1] == pytest.approx(0, abs=1e-6)
    one_cycle = learning_rates(RunSpec(**FAST, learning_rate=0.01, schedule="onecycle"))
    peak = one_cycle.index(max(one_cycle))
    assert 0 < peak < 5 and one_cycle[-1] < one_cycle[0]


def test_does_warm_up_start_low_and_reach_the_chosen_rate() -> None:
    hooks = SilentHooks()
    train(RunSpec(**FAST, learning_rate=0.01, warmup_epochs=2), hooks)
    batch_rates = [v["learning_rate"] for _, e, v in hooks.rows if e < 1]
    assert batch_rates[0] < 0.005 and batch_rates == sorted(batch_rates)
    assert epoch_rows(hooks)[-1]["learning_rate"] == pytest.approx(0.01)


def test_does_plateau_lower_the_rate_only_after_validation_stalls() -> None:
    rates = learning_rates(
        RunSpec(
            **{**FAST, "epochs": 12},
            learning_rate=0.3,
            optimizer="sgd",
            schedule="plateau",
            step_size=1,
            gamma=0.1,
        )
    )
    assert rates[0] == pytest.approx(0.3) and rates[-1] < 0.3


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("sgd", torch.optim.SGD),
        ("adam", torch.optim.Adam),
        ("adamw", torch.optim.AdamW),
        ("rmsprop", torch.optim.RMSprop),
    ],
)
def test_is_each_optimiser_torchs_own_with_the_chosen_settings(name, cls) -> None:
    spec = RunSpec(optimizer=name, learning_rate=0.02, weight_decay=0.01, nesterov=True)
    optimizer = make_optimizer(spec, nn.Linear(2, 2).parameters())
    assert type(optimizer) is cls
    group = optimizer.param_groups[0]
    assert group["lr"] == 0.02 and group["weight_decay"] == 0.01
    if name == "sgd":
        assert group["momentum"] == 0.9 and group["nesterov"] is True


@pytest.mark.parametrize("threshold", [1e-4, 1e4])
def test_does_clipping_bound_the_gradient_norm(threshold) -> None:
    result = train(RunSpec(**FAST, clip_grad_norm=threshold), SilentHooks())
    assert result.clipped_fraction == (1.0 if threshold < 1 else 0.0)


def test_does_norm_clipping_leave_no_gradient_larger_than_the_threshold(monkeypatch) -> None:
    seen: list[float] = []
    original = nn.utils.clip_grad_norm_

    def spy(params, max_norm, *args, **kwargs):
        params = list(params)
        out = original(params, max_norm, *args, **kwargs)
        seen.append(
            float(
                torch.linalg.vector_norm(
                    torch.stack([torch.linalg.vector_norm(p.grad) for p in params])
                )
            )
        )
        return out

    monkeypatch.setattr(nn.utils, "clip_grad_norm_", spy)
    train(RunSpec(**{**FAST, "epochs": 1}, clip_grad_norm=0.05), SilentHooks())
    assert seen and max(seen) <= 0.05 + 1e-6


def test_does_early_stopping_stop_and_restore_the_best_epoch() -> None:
    spec = RunSpec(
        model="dense",
        hidden_units=256,
        epochs=80,
        learning_rate=0.01,
        train_limit=60,
        early_stopping_patience=3,
    )
    hooks = SilentHooks()
    result = train(spec, hooks)
    rows = epoch_rows(hooks)
    assert result.stopped_early and result.epochs < 80
    assert result.epochs == result.best_epoch + 3
    best = min(range(len(rows)), key=lambda i: rows[i]["val_loss"])
    assert result.best_epoch == best + 1
    assert "Stopped early" in result.reason


@pytest.mark.parametrize(
    ("dataset", "model"),
    [
        ("digits", "dense"),
        ("digits", "cnn"),
        ("competency-sentences", "lstm"),
        ("competency-sentences", "transformer"),
        ("competency-sentences", "dense"),
    ],
)
@pytest.mark.parametrize("batch_norm", [True, False])
def test_do_batch_norm_layers_exist_exactly_when_asked(dataset, model, batch_norm) -> None:
    spec = RunSpec(dataset=dataset, model=model, batch_norm=batch_norm, dropout=0.2)
    net = build_model(spec, load_bundle(spec))
    norms = [m for m in net.modules() if isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d)]
    assert bool(norms) is batch_norm
    assert any(isinstance(m, nn.Dropout) for m in net.modules()) or model == "transformer"


@pytest.mark.parametrize(("setting", "dtype"), [("off", torch.float32), ("bf16", torch.bfloat16)])
def test_does_autocast_run_the_layers_in_the_asked_dtype(monkeypatch, setting, dtype) -> None:
    seen: set[torch.dtype] = set()
    original = nn.Linear.forward

    def spy(self, x):
        out = original(self, x)
        seen.add(out.dtype)
        return out

    monkeypatch.setattr(nn.Linear, "forward", spy)
    result = train(RunSpec(**{**FAST, "epochs": 1}, mixed_precision=setting), SilentHooks())
    assert seen == {dtype}
    assert result.precision == {"off": "float32", "bf16": "bfloat16"}[setting]


def test_does_augmentation_flip_and_shift_images_but_keep_their_size() -> None:
    images = torch.zeros(4, 1, 8, 8)
    images[:, :, :, 0] = 1.0  # a bar down the left edge
    flipped = augment_images(images, RunSpec(augment_flip=True), torch.Generator().manual_seed(0))
    moved = [bool(img[0, :, -1].all()) for img in flipped]
    assert any(moved) and not all(moved)  # some mirrored to the right edge, some not
    shifted = augment_images(images, RunSpec(augment_shift=2), torch.Generator().manual_seed(1))
    assert shifted.shape == images.shape and not torch.equal(shifted, images)


def test_is_training_reproducible_with_the_same_seed_and_settings() -> None:
    spec = RunSpec(**FAST, augment_flip=True, augment_rotate=10, dropout=0.2, batch_norm=True)
    first, second = SilentHooks(), SilentHooks()
    train(spec, first)
    train(spec, second)
    assert first.rows == second.rows


@pytest.fixture(scope="module")
def source_model(tmp_path_factory) -> Path:
    """A CNN trained on the digits 0-4: the source task."""
    path = tmp_path_factory.mktemp("source") / "model.pt"
    source = RunSpec(dataset="digits-0-4", model="cnn", epochs=15, learning_rate=0.003)
    assert train(source, SilentHooks(), files=RunFiles(model=path)).status == "done"
    return path


# Ten labelled images of the digits 5-9 (two per class): the few-label target task.
TARGET = RunSpec(
    dataset="digits-5-9", model="cnn", epochs=30, learning_rate=0.01, batch_size=16, train_limit=10
)


def test_does_transfer_learning_beat_training_from_scratch_on_average_with_few_labels(
    source_model,
) -> None:
    # Which ten images are drawn decides much of a 10-label run (60% to 89% from scratch with
    # the digits CNN), so the claim is about the average over draws, not about every draw.
    gains = []
    for seed in range(6):
        target = TARGET.model_copy(update={"seed": seed})
        scratch = train(target, SilentHooks())
        transfer = train(
            target.model_copy(update={"pretrained_from": 1}),
            SilentHooks(),
            files=RunFiles(pretrained=source_model),
        )
        gains.append(transfer.test_accuracy - scratch.test_accuracy)
    assert sum(gains) / len(gains) > 0.01


def test_do_frozen_layers_keep_the_source_weights_while_the_rest_learns(
    source_model, monkeypatch
) -> None:
    trained: list[Classifier] = []
    original = trainer_module.build_model
    monkeypatch.setattr(
        trainer_module, "build_model", lambda *a: trained.append(original(*a)) or trained[-1]
    )
    spec = TARGET.model_copy(update={"pretrained_from": 1, "freeze_pretrained": True, "epochs": 3})
    train(spec, SilentHooks(), files=RunFiles(pretrained=source_model))
    source = torch.load(source_model, weights_only=True)
    after = trained[0].state_dict()
    conv = "features.0.weight"  # the first convolution: frozen
    assert torch.equal(after[conv], source[conv])
    last_dense = [k for k in after if k.startswith("features.") and k.endswith("weight")][-1]
    assert not torch.equal(after[last_dense], source[last_dense])  # adapts to the new digits


def test_does_a_mocked_out_of_memory_error_fail_with_advice(monkeypatch) -> None:
    from engine import networks

    def out_of_memory(self, x):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(networks.Classifier, "forward", out_of_memory)
    result = train(RunSpec(**FAST, batch_size=64), SilentHooks())
    assert result.status == "failed"
    assert "ran out of memory at batch size 64" in result.reason and "32" in result.reason
