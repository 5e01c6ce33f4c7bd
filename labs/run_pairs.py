"""Comparing a learner's runs: which settings differ, and finding the run that, with this
one, makes a fair experiment (the two differ only in the settings under test)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from engine.spec import RunSpec
from labs.objectives import RunOutcome

# Settings that never change what a run learns, so two runs may differ in them freely.
IGNORED = frozenset({"seed", "time_limit_seconds", "device"})
NETWORK_SHAPE = ("model", "hidden_units", "depth", "batch_norm")  # what transfer must match
LABELS = {
    "dataset": "dataset",
    "train_limit": "training examples",
    "model": "model",
    "hidden_units": "hidden units",
    "depth": "depth",
    "dropout": "dropout",
    "batch_norm": "batch norm",
    "pretrained_from": "pretrained source",
    "freeze_pretrained": "frozen layers",
    "optimizer": "optimiser",
    "learning_rate": "learning rate",
    "momentum": "momentum",
    "nesterov": "Nesterov momentum",
    "weight_decay": "weight decay",
    "schedule": "schedule",
    "step_size": "step size",
    "gamma": "decay factor",
    "warmup_epochs": "warm-up epochs",
    "clip_grad_norm": "clipping (norm)",
    "clip_grad_value": "clipping (value)",
    "early_stopping_patience": "early-stopping patience",
    "restore_best": "restore best epoch",
    "mixed_precision": "mixed precision",
    "batch_size": "batch size",
    "epochs": "epochs",
    "data_parallel": "data-parallel workers",
    "parallel_batch": "how workers share a batch",
    "device": "device",
    "seed": "seed",
}
_DEFAULTS = RunSpec().model_dump()


def label(field: str) -> str:
    return LABELS.get(field, field.replace("_", " "))


def differing_settings(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The settings two specs give different values, in the spec's order."""
    a, b = {**_DEFAULTS, **a}, {**_DEFAULTS, **b}
    return [field for field in _DEFAULTS if a.get(field) != b.get(field)]


def gpu_count() -> int:
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def transfer_mismatch(spec: dict[str, Any], source: dict[str, Any]) -> str | None:
    """Why a run cannot start from ``source``'s network, or None when the shapes match."""
    differ = [f for f in NETWORK_SHAPE if spec.get(f) != source.get(f)]
    if not differ:
        return None
    wanted = ", ".join(f"{label(f)} {source.get(f)}" for f in differ)
    return f"the source run's network differs; set {wanted} to match it"


# --- reading outcomes -------------------------------------------------------------------


def spec_of(outcome: RunOutcome) -> dict[str, Any]:
    return {**_DEFAULTS, **(outcome.get("spec") or {})}


def result_of(outcome: RunOutcome) -> dict[str, Any]:
    return outcome.get("result") or {}


def finished(outcome: RunOutcome) -> bool:
    return outcome.get("status") == "done"


def validation_accuracy(result: dict[str, Any]) -> float | None:
    """A run's score for choosing settings: the validation accuracy of the model it tested
    (runs stored before that was kept fall back to their best epoch's validation accuracy).
    The test accuracy is left alone until the learner's final test."""
    value = result.get("val_accuracy")
    if value is None:
        value = result.get("best_val_accuracy")
    return None if value is None else float(value)


def accuracy_of(outcome: RunOutcome) -> float:
    """The run's validation accuracy (0 when it has none): objectives compare runs on it."""
    return validation_accuracy(result_of(outcome)) or 0.0


def run_name(outcome: RunOutcome) -> str:
    return f"run {outcome['id']}" if outcome.get("id") is not None else "your other run"


def extra_differences(this: RunOutcome, other: RunOutcome, allowed: set[str]) -> list[str]:
    diff = differing_settings(spec_of(this), spec_of(other))
    return [f for f in diff if f not in allowed and f not in IGNORED]


Want = Callable[[RunOutcome, RunOutcome], bool]


def partner(outcome: RunOutcome, allowed: set[str], want: Want) -> RunOutcome | None:
    """Another finished run that, with this one, makes the experiment."""
    if not finished(outcome):
        return None
    others: list[RunOutcome] = outcome.get("others", [])
    for other in others:
        if (
            finished(other)
            and want(outcome, other)
            and not extra_differences(outcome, other, allowed)
        ):
            return other
    return None


KEPT = ("model", "optimizer", "learning_rate", "batch_size", "epochs", "seed")


def kept_settings(outcome: RunOutcome, allowed: set[str]) -> str:
    """This run's values of the settings an experiment keeps, such as "model dense, ..."."""
    spec = spec_of(outcome)
    return ", ".join(f"{label(f)} {spec[f]}" for f in KEPT if f not in allowed)


def pair_hints(outcome: RunOutcome, allowed: set[str], want: Want, what: str) -> list[str]:
    """The specific hint for a pair experiment, from the learner's own runs: this run
    unfinished, no run to pair it with, or the closest candidate and how it differs."""
    if not finished(outcome):
        if outcome.get("status") is None:
            return [
                "You have no finished run for this experiment yet. Train one with the lab's "
                f"starting settings, then train it again with {what}, changing nothing else."
            ]
        return [
            f"This run ended as {outcome.get('status')}, so it cannot be compared. Compare "
            "two runs that both finished."
        ]
    candidates = [o for o in outcome.get("others", []) if finished(o) and want(outcome, o)]
    if not candidates:
        return [
            f"Train this run again with {what}, changing nothing else: keep "
            f"{kept_settings(outcome, allowed)}."
        ]
    closest = min(candidates, key=lambda o: len(extra_differences(outcome, o, allowed)))
    mine, theirs = spec_of(outcome), spec_of(closest)
    extra = ", ".join(
        f"{label(f)} ({mine[f]} here, {theirs[f]} there)"
        for f in extra_differences(outcome, closest, allowed)
    )
    return [
        f"This run and {run_name(closest)} also differ in {extra}. Change only "
        f"{' and '.join(sorted(label(f) for f in allowed))}, so any difference in the curves "
        "comes from that one change."
    ]


# --- which experiment a run tried ---------------------------------------------------------


def comparison_spec(outcome: RunOutcome, baseline: dict[str, Any]) -> dict[str, Any]:
    """What this run is compared with: the learner's run just before it, or for a first run
    the lab's starting settings (``baseline``)."""
    own_id = outcome.get("id")
    earlier = [
        o
        for o in outcome.get("others", [])
        if isinstance(o.get("id"), int) and (own_id is None or o["id"] < own_id)
    ]
    if not earlier:
        return {**_DEFAULTS, **baseline}
    return spec_of(max(earlier, key=lambda o: o["id"]))


def changed_from_comparison(
    outcome: RunOutcome, baseline: dict[str, Any], fields: set[str]
) -> bool:
    """Whether this run changed any of ``fields`` from the run it is compared with."""
    before, now = comparison_spec(outcome, baseline), spec_of(outcome)
    return any(before.get(f) != now.get(f) for f in fields)
