"""Transfer learning: start from another run's trained features, with a fresh head."""

from __future__ import annotations

from pathlib import Path

import torch

from engine.networks import Classifier


class TransferError(ValueError):
    """The source model cannot be reused for this spec."""


def load_pretrained_features(model: Classifier, source: Path, freeze: bool) -> int:
    """Copy the source model's feature weights into ``model``; returns how many tensors."""
    state = torch.load(source, map_location="cpu", weights_only=True)
    features = {
        k.removeprefix("features."): v for k, v in state.items() if k.startswith("features.")
    }
    mine = model.features.state_dict()
    mismatched = [k for k, v in features.items() if k not in mine or mine[k].shape != v.shape]
    if mismatched or set(mine) - set(features):
        raise TransferError(
            "The source run's network has a different shape (model, width, "
            "depth or input); use the same model settings as the source run."
        )
    model.features.load_state_dict(features)
    if freeze:
        freeze_backbone(model)
    return len(features)


def freeze_backbone(model: Classifier) -> None:
    """Freeze the reused layers except the last dense one: it and the head adapt to the new
    classes, while the convolution, embedding or earlier layers keep what they learned."""
    linears = [m for m in model.features.modules() if isinstance(m, torch.nn.Linear)]
    keep = set(linears[-1].parameters()) if linears else set()
    for param in model.features.parameters():
        param.requires_grad_(param in keep)
