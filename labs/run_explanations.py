"""What one finished run tells you, in sentences made from that run's own numbers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.jobs import MetricRow, RunStatus
from engine.spec import RunSpec
from engine.training.parallel import batch_shape
from labs.run_pairs import validation_accuracy

Row = tuple[float, dict[str, float]]  # (epoch, values) as the metrics table holds them
DEFAULTS: dict[str, Any] = RunSpec().model_dump()
PRECISION_NAMES = {"bf16": "bfloat16", "fp16": "float16"}
BLOW_UP = 3.0  # a loss this many times a blind guess's loss means the steps overshot


@dataclass(frozen=True)
class Explanation:
    # divergence | overfitting | early-stopping | clipping | precision | throughput
    # | data-parallel | transfer
    topic: str
    text: str
    tone: str = "info"  # info | warning | success


def explain(run: RunStatus, metrics: Sequence[MetricRow]) -> list[Explanation]:
    """Explanations for a run from the job system and its metric rows."""
    return explain_run(
        run.status,
        run.spec,
        run.result or {},
        [(m.epoch, m.values) for m in metrics],
        steps_per_epoch=measured_steps_per_epoch(metrics),
    )


def measured_steps_per_epoch(metrics: Sequence[MetricRow]) -> int | None:
    """Optimiser steps per epoch, read from the step counter at the last epoch's row."""
    ends = [m for m in metrics if "val_loss" in m.values and m.epoch >= 1]
    if not ends:
        return None
    return round(ends[-1].step / ends[-1].epoch)


def explain_run(
    status: str,
    spec: dict[str, Any],
    result: dict[str, Any],
    rows: Sequence[Row],
    steps_per_epoch: int | None = None,
) -> list[Explanation]:
    """Every explanation that applies, most important first."""
    if "parallel_batch" not in spec and int(spec.get("data_parallel") or 1) > 1:
        # stored before the setting existed, when every worker took a batch of its own
        spec = {**spec, "parallel_batch": "per_worker"}
    spec = {**DEFAULTS, **spec}
    found = [
        _divergence(status, spec, result, rows),
        _overfitting(spec, result, rows),
        _early_stopping(status, spec, result),
        _clipping(spec, result, rows),
        _precision(spec, result),
        _throughput(spec, result),
        _data_parallel(spec, steps_per_epoch),
        _transfer(status, spec, result),
    ]
    return [e for e in found if e is not None]


def epoch_rows(rows: Sequence[Row]) -> list[Row]:
    return [(e, v) for e, v in rows if "val_loss" in v]


def _classes(result: dict[str, Any]) -> int:
    return max(2, len(result.get("class_names") or []) or 10)


def _fixes(spec: dict[str, Any], lr: float) -> str:
    fixes = []
    if spec["clip_grad_norm"] is None and spec["clip_grad_value"] is None:
        fixes.append("turn on gradient clipping (a norm of 0.1 to 1 caps every step)")
    if spec["schedule"] == "none" and not spec["warmup_epochs"]:
        fixes.append("add a warm-up or a schedule that lowers the rate (step, exponential, cosine)")
    fixes.append(f"lower the learning rate to {lr / 10:g}")
    return "Try: " + "; or ".join(fixes) + "."


def _divergence(
    status: str, spec: dict[str, Any], result: dict[str, Any], rows: Sequence[Row]
) -> Explanation | None:
    rates = [v["learning_rate"] for _, v in rows if "learning_rate" in v]
    lr = rates[-1] if rates else float(spec["learning_rate"])
    if status == "diverged":
        epoch = math.floor(rows[-1][0]) + 1 if rows else 1
        text = (
            f"The run diverged in epoch {epoch} with a learning rate of {lr:g}: the loss stopped "
            f"being a number, because the weights grew without bound. {_fixes(spec, lr)}"
        )
        return Explanation("divergence", text, "warning")
    chance = math.log(_classes(result))
    losses = [(e, v.get("batch_loss", v.get("train_loss"))) for e, v in rows]
    jump = next(((e, x) for e, x in losses if x is not None and x > BLOW_UP * chance), None)
    final = epoch_rows(rows)[-1][1]["val_accuracy"] if epoch_rows(rows) else None
    if jump is None or final is None or final >= 0.5:
        return None
    epoch, loss = max(1, math.ceil(jump[0])), jump[1]
    text = (
        f"The training loss jumped to {loss:.3g} in epoch {epoch} with a learning rate of "
        f"{lr:g}, far above {chance:.2f}, the loss of a blind guess among "
        f"{_classes(result)} classes: each step overshot. Validation accuracy ended at "
        f"{final:.0%}. {_fixes(spec, lr)}"
    )
    return Explanation("divergence", text, "warning")


def simulate_early_stopping(val_losses: Sequence[float], patience: int) -> tuple[int, int] | None:
    """(stop epoch, kept epoch) as the trainer's early stopping would choose; None: no stop."""
    best, best_epoch, bad = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best - 1e-6:
            best, best_epoch, bad = loss, epoch, 0
        else:
            bad += 1
        if bad >= patience:
            return epoch, best_epoch
    return None


def _overfitting(
    spec: dict[str, Any], result: dict[str, Any], rows: Sequence[Row]
) -> Explanation | None:
    epochs = epoch_rows(rows)
    if result.get("stopped_early") or len(epochs) < 3:
        return None
    vals = [v["val_loss"] for _, v in epochs]
    trains = [v["train_loss"] for _, v in epochs]
    best = vals.index(min(vals))
    after = len(vals) - 1 - best
    if after < 2 or vals[-1] <= vals[best] * 1.02 or trains[-1] >= trains[best]:
        return None
    patience = min(3, after)
    stop, kept = simulate_early_stopping(vals, patience) or (len(vals), best + 1)
    text = (
        f"The validation loss was lowest at epoch {best + 1} ({vals[best]:.3f}) and rose from "
        f"epoch {best + 2} to {vals[-1]:.3f} by epoch {len(vals)}, while the training loss "
        f"kept falling ({trains[best]:.3f} to {trains[-1]:.3f}): the network began to "
        f"memorise its training examples (overfitting). Early stopping with a patience of "
        f"{patience} would have stopped at epoch {stop} and kept epoch {kept}."
    )
    return Explanation("overfitting", text, "warning")


def _early_stopping(
    status: str, spec: dict[str, Any], result: dict[str, Any]
) -> Explanation | None:
    patience, best = spec["early_stopping_patience"], result.get("best_epoch")
    if not patience or best is None:
        return None
    if result.get("stopped_early"):
        kept = (
            f"restored the weights of epoch {best}"
            if spec["restore_best"]
            else f"kept the last epoch's weights, not those of the best epoch {best}"
        )
        accuracy = result.get("best_val_accuracy")
        at = f" (validation accuracy {accuracy:.1%})" if accuracy is not None else ""
        text = (
            f"Early stopping ended the run at epoch {result.get('epochs')} of "
            f"{spec['epochs']}: the validation loss had not improved for {patience} epochs. "
            f"It {kept}{at}."
        )
        return Explanation("early-stopping", text, "success")
    if status == "done":
        text = (
            f"Early stopping (patience {patience}) never triggered: the validation loss kept "
            f"improving often enough, and the best epoch was {best} of {spec['epochs']}."
        )
        return Explanation("early-stopping", text)
    return None


def _clipping(
    spec: dict[str, Any], result: dict[str, Any], rows: Sequence[Row]
) -> Explanation | None:
    norm, value = spec["clip_grad_norm"], spec["clip_grad_value"]
    if (norm is None and value is None) or "clipped_fraction" not in result:
        return None
    limit = f"a norm of {norm:g}" if norm is not None else f"a value of {value:g} per weight"
    share = float(result["clipped_fraction"])
    if share == 0:
        effect = "The limit sat above every gradient, so clipping changed nothing."
    elif share == 1:
        effect = "Every step was cut, so the limit, not the gradient, set the step size."
    else:
        effect = "Only the largest steps were cut; the others went through unchanged."
    text = f"Gradient clipping at {limit} cut {share:.0%} of the steps. {effect}"
    return Explanation("clipping", text)


def _precision(spec: dict[str, Any], result: dict[str, Any]) -> Explanation | None:
    asked, used = spec["mixed_precision"], result.get("precision")
    if asked == "off" or used is None:
        return None
    device = str(result.get("device", "cpu")).upper()
    if used == PRECISION_NAMES[asked]:
        text = (
            f"Mixed precision was used: the layers computed in {used} on the {device}, while "
            "the weights stayed in float32 so small updates were not lost."
        )
        return Explanation("precision", text, "success")
    text = (
        f"You asked for {PRECISION_NAMES[asked]}, but the run fell back to {used} on the "
        f"{device}: float16 needs a GPU. On a CPU choose bf16."
    )
    return Explanation("precision", text, "warning")


def _throughput(spec: dict[str, Any], result: dict[str, Any]) -> Explanation | None:
    rate = float(result.get("samples_per_second") or 0)
    if rate <= 0:
        return None
    device = str(result.get("device", "cpu")).upper()
    text = f"Training ran at {rate:,.0f} examples per second on the {device}."
    workers = result.get("per_worker_samples_per_second") or []
    if len(workers) > 1:
        each = ", ".join(f"{w:,.0f}" for w in workers)
        text += (
            f" The {len(workers)} data-parallel workers each trained on their own share of "
            f"every epoch ({each} examples per second) and averaged their gradients after "
            f"every batch; the run took {float(result.get('seconds', 0)):.1f} s including "
            "starting the workers."
        )
    return Explanation("throughput", text)


SHARES = {2: "half", 3: "a third", 4: "a quarter"}


def _data_parallel(spec: dict[str, Any], steps: int | None) -> Explanation | None:
    """What the workers shared: the effective batch, each worker's batch, steps per epoch."""
    workers, size = int(spec["data_parallel"]), int(spec["batch_size"])
    if workers < 2:
        return None
    shape = batch_shape(size, workers, spec["parallel_batch"])
    whole, each = shape["global_batch"], shape["worker_batch"]
    took = f"took {steps} optimiser steps per epoch" if steps else "took one step per batch"
    if spec["parallel_batch"] == "per_worker":
        share = SHARES.get(workers, f"1/{workers}")
        text = (
            f"Each of the {workers} workers took a batch of {each} examples of its own, so "
            f"every optimiser step averaged the gradients of {whole} examples: the effective "
            f"batch was {whole}, not {size}. The run {took}, about {share} as many as one "
            f"worker with a batch of {size} would take. Next to a one-worker run, the batch "
            "and the number of steps changed as well as the workers; to change only the "
            "workers, let them split each batch."
        )
        return Explanation("data-parallel", text, "warning")
    text = (
        f"The {workers} workers split every batch of {size} examples between them, {each} "
        f"each. Every optimiser step still averaged the gradients of all {whole} examples (the "
        f"effective batch), so the run {took}, just as one worker with a batch of {size} "
        "does: next to a one-worker run, only the number of workers changed."
    )
    return Explanation("data-parallel", text, "success")


def _transfer(status: str, spec: dict[str, Any], result: dict[str, Any]) -> Explanation | None:
    source, limit = spec["pretrained_from"], spec["train_limit"]
    if source is None and limit is None:
        return None
    accuracy = validation_accuracy(result)  # the test score waits for the final test
    reached = f" and reached {accuracy:.1%} validation accuracy" if accuracy is not None else ""
    few = f"only {limit} labelled training examples" if limit else "the full training set"
    if source is None:
        text = f"This network started from random weights and learned from {few}{reached}."
        return Explanation("transfer", text)
    how = (
        "with its reused layers frozen, so only the last dense layer and the new output "
        "layer learned"
        if spec["freeze_pretrained"]
        else "and fine-tuned every layer"
    )
    text = (
        f"This network started from run {source}'s trained features {how}. It used {few}{reached}."
    )
    return Explanation("transfer", text, "success" if status == "done" else "info")
