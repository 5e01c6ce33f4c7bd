"""Network builders, one per model kind in the spec."""

from __future__ import annotations

from torch import nn

from engine.spec import RunSpec


def build_model(spec: RunSpec, input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    """A dense network or a small CNN for images of ``input_shape`` (C, H, W)."""
    channels, height, width = input_shape
    if spec.model == "dense":
        return nn.Sequential(
            nn.Flatten(),  # (N, C*H*W)
            nn.Linear(channels * height * width, spec.hidden_units),
            nn.ReLU(),
            nn.Linear(spec.hidden_units, spec.hidden_units),
            nn.ReLU(),
            nn.Linear(spec.hidden_units, n_classes),
        )
    return nn.Sequential(
        nn.Conv2d(channels, 16, kernel_size=3, padding=1),  # (N, 16, H, W)
        nn.ReLU(),
        nn.Conv2d(16, 32, kernel_size=3, padding=1),  # (N, 32, H, W)
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 32, H/2, W/2)
        nn.Flatten(),
        nn.Linear(32 * (height // 2) * (width // 2), spec.hidden_units),
        nn.ReLU(),
        nn.Linear(spec.hidden_units, n_classes),
    )
