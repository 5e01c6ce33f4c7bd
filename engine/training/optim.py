"""torch's optimisers and learning-rate schedulers, chosen by the spec."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import torch
from torch.optim import lr_scheduler

from engine.spec import RunSpec


class _CommonOptions(TypedDict):
    lr: float
    weight_decay: float
    foreach: bool


def make_optimizer(spec: RunSpec, params: Iterable[torch.nn.Parameter]) -> torch.optim.Optimizer:
    lr, wd = spec.learning_rate, spec.weight_decay
    # foreach: update all parameters with a few multi-tensor operations rather than a loop
    # per tensor (torch's default on GPUs only; on the CPU it saves a few % of each step).
    common: _CommonOptions = {"lr": lr, "weight_decay": wd, "foreach": True}
    if spec.optimizer == "sgd":
        nesterov = spec.nesterov and spec.momentum > 0  # torch refuses Nesterov without momentum
        return torch.optim.SGD(params, momentum=spec.momentum, nesterov=nesterov, **common)
    if spec.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, **common)
    if spec.optimizer == "adamw":
        return torch.optim.AdamW(params, **common)  # decoupled weight decay
    return torch.optim.Adam(params, **common)


class LearningRatePlan:
    """Steps the schedule at the right moments: warm-up and most schedules after every
    batch (so a step schedule of 5 epochs is 5 x batches-per-epoch steps); plateau after
    each epoch, on the validation loss."""

    def __init__(self, spec: RunSpec, optimizer: torch.optim.Optimizer, batches: int) -> None:
        self.spec, self.optimizer = spec, optimizer
        self.warmup_steps = spec.warmup_epochs * batches
        total = spec.epochs * batches
        main = _main_schedule(spec, optimizer, batches, total - self.warmup_steps)
        self.plateau = main if isinstance(main, lr_scheduler.ReduceLROnPlateau) else None
        per_batch = None if self.plateau else main
        if self.warmup_steps:
            warmup = lr_scheduler.LinearLR(
                optimizer, start_factor=0.1, end_factor=1.0, total_iters=self.warmup_steps
            )
            per_batch = (
                lr_scheduler.SequentialLR(
                    optimizer, [warmup, per_batch], milestones=[self.warmup_steps]
                )
                if per_batch
                else warmup
            )
        self.per_batch = per_batch
        self.steps = 0

    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def after_batch(self) -> None:
        self.steps += 1
        in_warmup = self.steps <= self.warmup_steps
        if self.per_batch is not None and (self.plateau is None or in_warmup):
            self.per_batch.step()

    def after_epoch(self, val_loss: float) -> None:
        if self.plateau is not None and self.steps > self.warmup_steps:
            self.plateau.step(val_loss)

    def state_dict(self) -> dict[str, Any]:
        sched = self.plateau or self.per_batch
        return {"steps": self.steps, "scheduler": sched.state_dict() if sched else None}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.steps = state["steps"]
        sched = self.plateau or self.per_batch
        if sched is not None and state["scheduler"] is not None:
            sched.load_state_dict(state["scheduler"])


def _main_schedule(
    spec: RunSpec, optimizer: torch.optim.Optimizer, batches: int, steps: int
) -> lr_scheduler.LRScheduler | lr_scheduler.ReduceLROnPlateau | None:
    steps = max(1, steps)
    if spec.schedule == "step":
        return lr_scheduler.StepLR(optimizer, step_size=spec.step_size * batches, gamma=spec.gamma)
    if spec.schedule == "exponential":  # multiply by gamma once per epoch
        return lr_scheduler.StepLR(optimizer, step_size=batches, gamma=spec.gamma)
    if spec.schedule == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    if spec.schedule == "onecycle":
        return lr_scheduler.OneCycleLR(optimizer, max_lr=spec.learning_rate, total_steps=steps)
    if spec.schedule == "plateau":
        return lr_scheduler.ReduceLROnPlateau(
            optimizer, factor=spec.gamma, patience=max(0, spec.step_size - 1)
        )
    return None


# --- a preview of the schedule, before any training -------------------------------------

PREVIEW_MAX_STEPS = 10_000  # beyond this the preview uses fewer (equal) batches per epoch


@dataclass(frozen=True)
class LearningRatePreview:
    """The rate a run will use: after each epoch (what the run logs) and along the steps."""

    epochs: list[int]  # 1..E
    epoch_rates: list[float]  # the rate after each epoch's last batch, as the run logs it
    step_epochs: list[float]  # fractional epochs of the steps, for a smooth curve
    step_rates: list[float]


def batches_per_epoch(train_rows: int, batch_size: int, workers: int = 1) -> int:
    """Batches each process takes per epoch (data parallel: each takes its share of rows)."""
    rows_each = -(-train_rows // max(1, workers))  # DistributedSampler pads to equal shares
    return max(1, -(-rows_each // batch_size))


def preview_learning_rates(
    spec: RunSpec, batches: int, val_losses: Sequence[float] | None = None
) -> LearningRatePreview:
    """Step the run's own optimiser and LearningRatePlan on a dummy weight: no data, no model.

    ``val_losses`` (one per epoch) drives the plateau schedule; by default the validation loss
    keeps improving, so plateau never lowers the rate."""
    batches = max(1, batches)
    if spec.epochs * batches > PREVIEW_MAX_STEPS:
        # Step, exponential, cosine and warm-up depend on the fraction of the run done,
        # so the values at epoch ends stay the same with fewer batches.
        batches = max(1, PREVIEW_MAX_STEPS // spec.epochs)
    weight = torch.nn.Parameter(torch.zeros(1))  # grad stays None: step() changes nothing
    optimizer = make_optimizer(spec, [weight])
    plan = LearningRatePlan(spec, optimizer, batches)
    losses = list(val_losses) if val_losses is not None else []
    stride = max(1, spec.epochs * batches // 1000)  # keep the curve at about 1,000 points
    epochs, epoch_rates, step_epochs, step_rates = [], [], [0.0], [plan.lr]
    for epoch in range(1, spec.epochs + 1):
        for i in range(1, batches + 1):
            optimizer.step()
            plan.after_batch()
            if plan.steps % stride == 0 or i == batches:
                step_epochs.append(epoch - 1 + i / batches)
                step_rates.append(plan.lr)
        epochs.append(epoch)
        epoch_rates.append(plan.lr)
        plan.after_epoch(losses[epoch - 1] if epoch <= len(losses) else 1.0 / epoch)
    return LearningRatePreview(epochs, epoch_rates, step_epochs, step_rates)
