"""One training run in one process, from set-up to the test set: its hooks, files and result.

engine.trainer.train starts it; data-parallel training (engine.training.parallel) extends it.
It reports through hooks and never touches the UI."""

from __future__ import annotations

import copy
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from sklearn.metrics import confusion_matrix
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from engine.data import DataBundle
from engine.group_results import group_results
from engine.networks import build_model
from engine.spec import RunSpec
from engine.training.checkpoint import load_checkpoint, save_checkpoint
from engine.training.loop import EpochLoop
from engine.training.optim import LearningRatePlan, make_optimizer
from engine.training.precision import Precision, make_precision
from engine.training.transfer import load_pretrained_features


class TrainingHooks(Protocol):
    def on_metrics(self, step: int, epoch: float, values: dict[str, float]) -> None: ...
    def should_stop(self) -> bool: ...
    def flush(self) -> None: ...  # called before each checkpoint: rows must not lag behind it


class SilentHooks:
    """Hooks that record rows and never stop a run (plain CLI and tests)."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, float, dict[str, float]]] = []

    def on_metrics(self, step: int, epoch: float, values: dict[str, float]) -> None:
        self.rows.append((step, epoch, values))

    def should_stop(self) -> bool:
        return False

    def flush(self) -> None:
        pass


@dataclass
class RunFiles:
    """Where a run keeps its files (None: keep nothing, e.g. the CLI and most tests)."""

    checkpoint: Path | None = None  # written after every epoch, read to resume
    model: Path | None = None  # the final weights, for transfer learning
    pretrained: Path | None = None  # the source model of a transfer-learning run
    # Tiny epochs (a few ms) are checkpointed at most this often; each save is a flush of
    # metrics and a synced file, which would otherwise cost more than the epoch itself.
    checkpoint_every_seconds: float = 2.0


@dataclass
class TrainResult:
    status: str  # done | cancelled | diverged | failed
    epochs: int
    seconds: float
    device: str
    precision: str = "float32"
    test_accuracy: float | None = None
    test_loss: float | None = None
    best_val_accuracy: float | None = None
    # Validation accuracy of the model that was tested (the last epoch's, or the best epoch's
    # when its weights were restored): the score labs choose settings by.
    val_accuracy: float | None = None
    best_epoch: int | None = None
    stopped_early: bool = False
    samples_per_second: float = 0.0
    peak_memory_mb: float = 0.0
    clipped_fraction: float = 0.0  # share of steps whose gradients were clipped
    resumed_from_epoch: int | None = None
    workers: int = 1  # data-parallel processes
    per_worker_samples_per_second: list[float] = field(default_factory=list)
    weights_equal_across_workers: bool | None = None
    confusion_matrix: list[list[int]] = field(default_factory=list)
    group_results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # tables
    class_names: list[str] = field(default_factory=list)
    dataset_hash: str = ""
    parameters: int = 0
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def resolve_device(choice: str) -> torch.device:
    if choice == "cuda" or (choice == "auto" and torch.cuda.is_available()):
        return torch.device("cuda")
    return torch.device("cpu")


class BatchTensors(TensorDataset):
    """A TensorDataset that hands the loader a whole batch by one indexing operation, instead
    of one item at a time stacked afterwards: the same batches, less work per step."""

    def __getitems__(self, indices: list[int]) -> tuple[torch.Tensor, ...]:
        index = torch.as_tensor(indices, device=self.tensors[0].device)
        return tuple(tensor[index] for tensor in self.tensors)


def batch_as_is(batch: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
    return batch  # BatchTensors already made the batch


TensorLoader = DataLoader[tuple[torch.Tensor, ...]]  # batches of (inputs, labels)


def make_loader(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    shuffle: bool,
    seed: int,
    device: torch.device | None = None,
) -> TensorLoader:
    """Batches of (x, y); on a GPU the (small) data moves there once, not batch by batch."""
    tensors: tuple[torch.Tensor, ...] = (torch.from_numpy(x), torch.from_numpy(y))
    if device is not None and device.type == "cuda":
        tensors = tuple(t.to(device) for t in tensors)
    data = BatchTensors(*tensors)
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(
        data,
        batch_size=batch_size,
        shuffle=shuffle,
        generator=generator,
        # torch's stub wants a collate of a list of items; BatchTensors hands over whole batches
        collate_fn=batch_as_is,  # type: ignore[arg-type]
    )


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loader: TensorLoader,
    device: torch.device,
    precision: Precision | None = None,
) -> tuple[float, float, np.ndarray]:
    """Mean loss, accuracy and predictions over a loader."""
    model.eval()
    total_loss, predictions = 0.0, []
    for xb, yb in loader:
        with precision.autocast() if precision else torch.autocast("cpu", enabled=False):
            logits = model(xb.to(device)).float()
        total_loss += nn.functional.cross_entropy(logits, yb.to(device), reduction="sum").item()
        predictions.append(logits.argmax(1).cpu().numpy())
    preds = np.concatenate(predictions)
    dataset = loader.dataset
    assert isinstance(dataset, TensorDataset), "evaluate takes loaders from make_loader"
    labels = dataset.tensors[1].cpu().numpy()
    return total_loss / len(labels), float((preds == labels).mean()), preds


class Training:
    """One run's state from set-up to the test set."""

    def __init__(
        self, spec: RunSpec, hooks: TrainingHooks, data: DataBundle, files: RunFiles
    ) -> None:
        self.started = time.perf_counter()
        torch.manual_seed(spec.seed)
        self.spec, self.hooks, self.data, self.files = spec, hooks, data, files
        self.device = self._device()
        self.net = build_model(spec, data).to(self.device)
        if files.pretrained is not None:
            load_pretrained_features(self.net, files.pretrained, spec.freeze_pretrained)
        self.model = self._wrap(self.net)
        trainable = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = make_optimizer(spec, trainable)
        self.loader = self._train_loader()
        self.plan = LearningRatePlan(spec, self.optimizer, len(self.loader))
        self.precision = make_precision(spec, self.device)
        self.loop = EpochLoop(
            spec,
            self.model,
            self.optimizer,
            self.plan,
            self.precision,
            self.loader,
            self.device,
            hooks,
            augment=data.kind == "image",
            reduce_loss=self._reduce_loss,
        )
        self.result = TrainResult(
            "done",
            0,
            0.0,
            self.device.type,
            self.precision.name,
            dataset_hash=data.content_hash,
            class_names=list(data.class_names),
            parameters=sum(p.numel() for p in self.net.parameters()),
        )
        self.best_loss, self.bad_epochs = float("inf"), 0
        self.best_state: dict[str, Any] | None = None  # the best epoch's weights
        self.last_checkpoint = float("-inf")
        self.first_epoch = self._resume()

    # --- what data-parallel training (engine.training.parallel) changes
    def _device(self) -> torch.device:
        return resolve_device(self.spec.device)

    def _wrap(self, net: nn.Module) -> nn.Module:
        return net

    def _train_loader(self) -> TensorLoader:
        return make_loader(
            self.data.x_train,
            self.data.y_train,
            self.spec.batch_size,
            True,
            self.spec.seed,
            self.device,
        )

    def _reduce_loss(self, loss: torch.Tensor) -> float:
        return float(loss.item())

    def _agree(self, flag: bool) -> bool:
        """Whether any process wants to stop (one process: just the flag)."""
        return flag

    def run(self) -> TrainResult:
        val_loader = make_loader(
            self.data.x_val, self.data.y_val, 512, False, self.spec.seed, self.device
        )
        for epoch in range(self.first_epoch, self.spec.epochs + 1):
            stop = self.loop.run_epoch(epoch)
            if stop:
                self.result.status, self.result.reason = stop
                break
            val_loss, val_acc, _ = evaluate(self.model, val_loader, self.device, self.precision)
            self.result.val_accuracy = val_acc
            self._epoch_row(epoch, val_loss, val_acc)
            self.plan.after_epoch(val_loss)
            self.result.epochs = epoch
            if self._agree(
                self._early_stop(epoch, val_loss, val_acc) or self._past_time_limit(epoch)
            ):
                break
            self._save_checkpoint(epoch)
        return self._finish()

    def _epoch_row(self, epoch: int, val_loss: float, val_acc: float) -> None:
        self.hooks.on_metrics(
            self.loop.step,
            float(epoch),
            {
                "train_loss": self.loop.epoch_loss,
                "train_accuracy": self.loop.epoch_accuracy,
                "val_loss": val_loss,
                "val_accuracy": val_acc,
                "learning_rate": self.plan.lr,
            },
        )

    def _early_stop(self, epoch: int, val_loss: float, val_acc: float) -> bool:
        """Track the best epoch; True when the validation loss stopped improving long enough."""
        if val_loss < self.best_loss - 1e-6:
            self.best_loss, self.bad_epochs = val_loss, 0
            self.result.best_epoch, self.result.best_val_accuracy = epoch, val_acc
            if self.spec.early_stopping_patience and self.spec.restore_best:
                self.best_state = copy.deepcopy(self.net.state_dict())
        else:
            self.bad_epochs += 1
        patience = self.spec.early_stopping_patience
        if patience and self.bad_epochs >= patience:
            self.result.stopped_early = True
            self.result.reason = (
                f"Stopped early at epoch {epoch}: the validation loss had not "
                f"improved for {patience} epochs (best: epoch "
                f"{self.result.best_epoch})."
            )
            return True
        return False

    def _past_time_limit(self, epoch: int) -> bool:
        if time.perf_counter() - self.started <= self.spec.time_limit_seconds:
            return False
        self.result.status = "failed"
        self.result.reason = (
            f"Stopped at the time limit of {self.spec.time_limit_seconds:g} s after {epoch} epochs."
        )
        return True

    def _finish(self) -> TrainResult:
        result = self.result
        if result.stopped_early and self.best_state is not None:
            self.net.load_state_dict(self.best_state)  # the best epoch's weights
            result.val_accuracy = result.best_val_accuracy
        if result.status == "done":
            test = make_loader(
                self.data.x_test, self.data.y_test, 512, False, self.spec.seed, self.device
            )
            result.test_loss, result.test_accuracy, preds = evaluate(
                self.model, test, self.device, self.precision
            )
            result.confusion_matrix = confusion_matrix(
                self.data.y_test, preds, labels=list(range(self.data.n_classes))
            ).tolist()
            groups = self.data.info.get("test_groups")
            if groups:
                result.group_results = group_results(self.data.y_test, preds, groups)
            if self.files.model is not None:
                self.files.model.parent.mkdir(parents=True, exist_ok=True)
                torch.save(self.net.state_dict(), self.files.model)
        result.seconds = time.perf_counter() - self.started
        result.samples_per_second = self.loop.samples / max(self.loop.train_seconds, 1e-9)
        result.clipped_fraction = self.loop.clipped_steps / max(self.loop.step, 1)
        result.peak_memory_mb = _peak_memory_mb(self.device)
        return result

    def _save_checkpoint(self, epoch: int) -> None:
        if not self._checkpoint_due(epoch):
            return
        self.hooks.flush()  # every row up to this epoch is stored before the checkpoint is
        state = self._checkpoint_state(epoch)
        if state is not None and self.files.checkpoint is not None:
            save_checkpoint(self.files.checkpoint, state)

    def _checkpoint_due(self, epoch: int) -> bool:
        if self.files.checkpoint is None or epoch == self.spec.epochs:
            return False
        now = time.perf_counter()
        if now - self.last_checkpoint < self.files.checkpoint_every_seconds:
            return False
        self.last_checkpoint = now
        return True

    def _checkpoint_state(self, epoch: int) -> dict[str, Any] | None:
        """What a resumed run needs (None: this process writes no checkpoint)."""
        return {
            "epoch": epoch,
            "step": self.loop.step,
            "model": self.net.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "plan": self.plan.state_dict(),
            "scaler": self.precision.scaler.state_dict() if self.precision.scaler else None,
            "best": (
                self.best_loss,
                self.best_state,
                self.bad_epochs,
                self.result.best_epoch,
                self.result.best_val_accuracy,
            ),
            "counters": (self.loop.samples, self.loop.clipped_steps, self.loop.train_seconds),
            "rng": self._rng_state(),
        }

    def _rng_state(self) -> tuple[Any, ...]:
        return (
            torch.get_rng_state(),
            self.loader.generator.get_state(),
            self.loop.aug_generator.get_state(),
            # dropout on a GPU draws from the GPU's own generator
            torch.cuda.get_rng_state(self.device) if self.device.type == "cuda" else None,
        )

    def _set_rng_state(self, rng: tuple[Any, ...]) -> None:
        torch_rng, loader_rng, aug_rng, *gpu_rng = rng
        torch.set_rng_state(torch_rng)
        self.loader.generator.set_state(loader_rng)
        self.loop.aug_generator.set_state(aug_rng)
        if gpu_rng and gpu_rng[0] is not None and self.device.type == "cuda":
            torch.cuda.set_rng_state(gpu_rng[0], self.device)

    def _restore_own_state(self, state: dict[str, Any]) -> None:
        """Counters and random generators: one set here, one per process in parallel runs."""
        self.loop.samples, self.loop.clipped_steps, self.loop.train_seconds = state["counters"]
        self._set_rng_state(state["rng"])

    def _resume(self) -> int:
        """Continue after the last checkpointed epoch, if there is one; returns the next epoch."""
        state = load_checkpoint(self.files.checkpoint) if self.files.checkpoint else None
        if state is None:
            return 1
        self.net.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.plan.load_state_dict(state["plan"])
        if self.precision.scaler and state["scaler"]:
            self.precision.scaler.load_state_dict(state["scaler"])
        (
            self.best_loss,
            self.best_state,
            self.bad_epochs,
            self.result.best_epoch,
            self.result.best_val_accuracy,
        ) = state["best"]
        self.loop.step = state["step"]
        self._restore_own_state(state)
        self.result.epochs = self.result.resumed_from_epoch = state["epoch"]
        return int(state["epoch"]) + 1


def _peak_memory_mb(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
