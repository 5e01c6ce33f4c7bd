"""One pass over the training data: forward, loss checks, clipping, step, progress rows."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

from engine.spec import RunSpec
from engine.training.augment import augment_images, wants_augmentation
from engine.training.optim import LearningRatePlan
from engine.training.precision import Precision


class EpochLoop:
    """Trains epoch after epoch; keeps counters that the run's record reports."""

    def __init__(
        self,
        spec: RunSpec,
        model: nn.Module,
        optimizer: torch.optim.Optimizer,
        plan: LearningRatePlan,
        precision: Precision,
        loader: DataLoader[tuple[torch.Tensor, ...]],
        device: torch.device,
        hooks: Any,
        augment: bool,
        reduce_loss: Callable[[torch.Tensor], float] | None = None,
    ) -> None:
        self.spec, self.model, self.optimizer, self.plan = spec, model, optimizer, plan
        self.precision, self.loader, self.device, self.hooks = precision, loader, device, hooks
        self.augment = augment and wants_augmentation(spec)
        # With several processes every one must see the same loss, or they would disagree
        # about stopping and wait for each other forever.
        self.reduce_loss = reduce_loss or (lambda loss: float(loss.item()))
        self.clipping = spec.clip_grad_norm is not None or spec.clip_grad_value is not None
        self.aug_generator = torch.Generator().manual_seed(spec.seed + 1)
        self.step = self.samples = self.clipped_steps = 0
        self.train_seconds = 0.0
        self.epoch_loss = self.epoch_accuracy = 0.0
        # About ten progress rows per epoch keeps the live chart moving without flooding it.
        self.log_every = max(1, len(loader) // 10)

    def run_epoch(self, epoch: int) -> tuple[str, str] | None:
        """Train one epoch; returns (status, reason) if the run must stop."""
        self.model.train()
        loss_sum, seen = 0.0, 0
        correct = torch.zeros((), dtype=torch.long, device=self.device)  # read once per epoch
        started = time.perf_counter()
        try:
            for i, (xb, yb) in enumerate(self.loader, start=1):
                xb, yb = xb.to(self.device), yb.to(self.device)
                if self.augment:
                    xb = augment_images(xb, self.spec, self.aug_generator)
                loss, logits = self._step(xb, yb)
                if loss is None:
                    return "diverged", self._diverged_reason(epoch, logits)
                n = len(yb)
                seen, self.samples = seen + n, self.samples + n
                loss_sum += loss * n
                correct += (logits.argmax(1) == yb).sum()
                if i % self.log_every == 0 and i != len(self.loader):
                    progress = epoch - 1 + i / len(self.loader)
                    self.hooks.on_metrics(
                        self.step, progress, {"batch_loss": loss, "learning_rate": self.plan.lr}
                    )
                if self.hooks.should_stop():
                    return "cancelled", f"Cancelled during epoch {epoch}."
        finally:
            self.train_seconds += time.perf_counter() - started
        self.epoch_loss = loss_sum / max(seen, 1)
        self.epoch_accuracy = int(correct) / max(seen, 1)
        return None

    def _step(self, xb: torch.Tensor, yb: torch.Tensor) -> tuple[float | None, torch.Tensor]:
        """One optimiser step; (None, loss tensor) when the loss is not finite."""
        if self.precision.dtype is None:  # full precision: no autocast bookkeeping per step
            logits = self.model(xb)
            loss = nn.functional.cross_entropy(logits, yb)
        else:
            with self.precision.autocast():
                logits = self.model(xb)
                loss = nn.functional.cross_entropy(logits.float(), yb)
        value = self.reduce_loss(loss.detach())
        if not math.isfinite(value):
            return None, loss
        self.optimizer.zero_grad(set_to_none=True)
        scaler = self.precision.scaler
        # torch's Tensor.backward has no annotations
        (scaler.scale(loss) if scaler else loss).backward()  # type: ignore[no-untyped-call]
        if scaler:
            scaler.unscale_(self.optimizer)  # clip the true gradients, not the scaled ones
        if self.clipping:
            self._clip()
        if scaler:
            scaler.step(self.optimizer)
            scaler.update()
        else:
            self.optimizer.step()
        self.plan.after_batch()
        self.step += 1
        return value, logits

    def _clip(self) -> None:
        params = [p for p in self.model.parameters() if p.grad is not None]
        if self.spec.clip_grad_value is not None:
            grads = [p.grad for p in params if p.grad is not None]
            clipped = any(bool((g.abs() > self.spec.clip_grad_value).any()) for g in grads)
            nn.utils.clip_grad_value_(params, self.spec.clip_grad_value)
            self.clipped_steps += int(clipped)
        if self.spec.clip_grad_norm is not None:
            norm = nn.utils.clip_grad_norm_(params, self.spec.clip_grad_norm)
            self.clipped_steps += int(float(norm) > self.spec.clip_grad_norm)

    def _diverged_reason(self, epoch: int, loss: torch.Tensor) -> str:
        advice = f"Try a lower learning rate than {self.spec.learning_rate:g}"
        if self.spec.clip_grad_norm is None and self.spec.clip_grad_value is None:
            advice += ", or turn on gradient clipping"
        return (
            f"The loss became {loss.item()} at epoch {epoch}, step {self.step + 1}: the "
            f"weights blew up. {advice}."
        )
