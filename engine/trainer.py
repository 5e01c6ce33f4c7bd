"""The training loop every lab uses. It reports through hooks and never touches the UI."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import torch
from sklearn.metrics import confusion_matrix
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from engine.data import DataBundle, load_bundle
from engine.models import build_model
from engine.spec import RunSpec


class TrainingHooks(Protocol):
    def on_metrics(self, step: int, epoch: float, values: dict[str, float]) -> None: ...
    def should_stop(self) -> bool: ...


class SilentHooks:
    """Hooks that record nothing and never stop a run (plain CLI and tests)."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, float, dict[str, float]]] = []

    def on_metrics(self, step: int, epoch: float, values: dict[str, float]) -> None:
        self.rows.append((step, epoch, values))

    def should_stop(self) -> bool:
        return False


@dataclass
class TrainResult:
    status: str  # done | cancelled | diverged | failed
    epochs: int
    seconds: float
    device: str
    test_accuracy: float | None = None
    test_loss: float | None = None
    best_val_accuracy: float | None = None
    samples_per_second: float = 0.0
    confusion_matrix: list[list[int]] = field(default_factory=list)
    class_names: list[str] = field(default_factory=list)
    dataset_hash: str = ""
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def resolve_device(choice: str) -> torch.device:
    if choice == "cuda" or (choice == "auto" and torch.cuda.is_available()):
        return torch.device("cuda")
    return torch.device("cpu")


def _loader(x: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool, seed: int) -> DataLoader:
    data = TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator)


@torch.no_grad()
def evaluate(
    model: nn.Module, loader: DataLoader, device: torch.device
) -> tuple[float, float, np.ndarray]:
    """Mean loss, accuracy and predictions over a loader."""
    model.eval()
    total_loss, predictions = 0.0, []
    for xb, yb in loader:
        logits = model(xb.to(device))
        total_loss += nn.functional.cross_entropy(logits, yb.to(device), reduction="sum").item()
        predictions.append(logits.argmax(1).cpu().numpy())
    preds = np.concatenate(predictions)
    labels = loader.dataset.tensors[1].numpy()  # type: ignore[attr-defined]
    return total_loss / len(labels), float((preds == labels).mean()), preds


def make_optimizer(spec: RunSpec, params: Any) -> torch.optim.Optimizer:
    if spec.optimizer == "sgd":
        return torch.optim.SGD(params, lr=spec.learning_rate, momentum=spec.momentum)
    return torch.optim.Adam(params, lr=spec.learning_rate)


def train(spec: RunSpec, hooks: TrainingHooks, split: DataBundle | None = None) -> TrainResult:
    """Train per the spec, streaming metrics to ``hooks``; returns the outcome."""
    started = time.perf_counter()
    torch.manual_seed(spec.seed)
    device = resolve_device(spec.device)
    split = split or load_bundle(spec)
    model = build_model(spec, split.input_shape, split.n_classes).to(device)
    optimizer = make_optimizer(spec, model.parameters())
    train_loader = _loader(split.x_train, split.y_train, spec.batch_size, True, spec.seed)
    val_loader = _loader(split.x_val, split.y_val, 512, False, spec.seed)
    result = TrainResult(
        "done",
        0,
        0.0,
        device.type,
        dataset_hash=split.content_hash,
        class_names=list(split.class_names),
    )
    loop = _EpochLoop(spec, model, optimizer, train_loader, device, hooks)
    best_val = 0.0
    for epoch in range(1, spec.epochs + 1):
        stop = loop.run_epoch(epoch)
        if stop:
            result.status, result.reason = stop
            break
        val_loss, val_acc, _ = evaluate(model, val_loader, device)
        best_val = max(best_val, val_acc)
        hooks.on_metrics(
            loop.step,
            float(epoch),
            {
                "train_loss": loop.epoch_loss,
                "train_accuracy": loop.epoch_accuracy,
                "val_loss": val_loss,
                "val_accuracy": val_acc,
                "learning_rate": optimizer.param_groups[0]["lr"],
            },
        )
        result.epochs = epoch
        if time.perf_counter() - started > spec.time_limit_seconds:
            result.status = "failed"
            limit = spec.time_limit_seconds
            result.reason = f"Stopped at the time limit of {limit:g} s after {epoch} epochs."
            break
    result.best_val_accuracy = best_val
    if result.status == "done":
        test_loader = _loader(split.x_test, split.y_test, 512, False, spec.seed)
        result.test_loss, result.test_accuracy, preds = evaluate(model, test_loader, device)
        result.confusion_matrix = confusion_matrix(split.y_test, preds).tolist()
    result.seconds = time.perf_counter() - started
    result.samples_per_second = loop.samples / max(loop.train_seconds, 1e-9)
    return result


class _EpochLoop:
    """One pass over the training data with loss checks, progress rows and cancel checks."""

    def __init__(self, spec, model, optimizer, loader, device, hooks) -> None:  # type: ignore[no-untyped-def]
        self.spec, self.model, self.optimizer = spec, model, optimizer
        self.loader, self.device, self.hooks = loader, device, hooks
        self.step, self.samples, self.train_seconds = 0, 0, 0.0
        self.epoch_loss = self.epoch_accuracy = 0.0
        # About ten progress rows per epoch keeps the live chart moving without flooding it.
        self.log_every = max(1, len(loader) // 10)

    def run_epoch(self, epoch: int) -> tuple[str, str] | None:
        t0 = time.perf_counter()
        try:
            return self._train_batches(epoch)
        finally:
            # Also when a run stops mid-epoch, or its throughput would be samples / 0.
            self.train_seconds += time.perf_counter() - t0

    def _train_batches(self, epoch: int) -> tuple[str, str] | None:
        self.model.train()
        loss_sum, correct, seen = 0.0, 0, 0
        for i, (xb, yb) in enumerate(self.loader, start=1):
            xb, yb = xb.to(self.device), yb.to(self.device)
            logits = self.model(xb)
            loss = nn.functional.cross_entropy(logits, yb)
            if not math.isfinite(loss.item()):
                return "diverged", (
                    f"The loss became {loss.item()} at epoch {epoch}, step {self.step + 1}: the "
                    f"weights blew up. Try a lower learning rate than {self.spec.learning_rate:g}."
                )
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            self.step += 1
            n = len(yb)
            seen, self.samples = seen + n, self.samples + n
            loss_sum += loss.item() * n
            correct += int((logits.argmax(1) == yb).sum())
            if i % self.log_every == 0 and i != len(self.loader):
                progress = epoch - 1 + i / len(self.loader)
                self.hooks.on_metrics(self.step, progress, {"batch_loss": loss.item()})
            if self.hooks.should_stop():
                return "cancelled", f"Cancelled during epoch {epoch}."
        self.epoch_loss, self.epoch_accuracy = loss_sum / seen, correct / seen
        return None
