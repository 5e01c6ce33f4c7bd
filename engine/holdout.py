"""A class challenge's leaderboard score: a run's saved model on rows it never saw.

The rows are a fixed stratified share of the dataset, picked by the challenge's seed and left
out of every split of the challenge's runs (engine.data.holdout_rows). Scoring rebuilds the
run's data with those rows as the test part, so they are encoded exactly as the run's own data.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from engine import artifacts
from engine.data.bundle import DataBundle
from engine.data.holdout_rows import HOLDOUT_FRACTION, holdout_rows
from engine.data.registry import build_bundle
from engine.networks import build_model
from engine.spec import RunSpec
from engine.training.single import evaluate, make_loader

__all__ = ["HOLDOUT_FRACTION", "HoldoutScore", "holdout_rows", "score_on_holdout"]


class HoldoutError(ValueError):
    """The run cannot be scored: not a challenge run, or it left no model."""


@dataclass(frozen=True)
class HoldoutScore:
    accuracy: float  # share of held-out rows the model labels correctly
    loss: float
    rows: int  # how many held-out rows it was scored on


def holdout_bundle(spec: RunSpec) -> DataBundle:
    """The run's data with the held-out rows, encoded as the run's own rows, as its test part."""
    if spec.holdout_seed is None:
        raise HoldoutError("This run was not trained for a challenge, so it has no held-out rows.")
    return build_bundle(spec, holdout_as_test=True)


def score_on_holdout(run_id: int, spec: RunSpec) -> HoldoutScore:
    """Accuracy of run ``run_id``'s saved model (trained per ``spec``) on the held-out rows."""
    path = artifacts.model_path(run_id)
    if not path.exists():
        raise HoldoutError("This run left no trained model to score.")
    bundle = holdout_bundle(spec)
    net = build_model(spec, bundle)
    net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    loader = make_loader(bundle.x_test, bundle.y_test, 512, False, spec.seed)
    loss, accuracy, _ = evaluate(net, loader, torch.device("cpu"))
    return HoldoutScore(accuracy, loss, len(bundle.y_test))
