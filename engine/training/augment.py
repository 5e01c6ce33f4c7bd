"""Image augmentation on the fly: random flips, shifts and small rotations, per sample."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from engine.spec import RunSpec


def wants_augmentation(spec: RunSpec) -> bool:
    return spec.augment_flip or spec.augment_shift > 0 or spec.augment_rotate > 0


def augment_images(x: torch.Tensor, spec: RunSpec, generator: torch.Generator) -> torch.Tensor:
    """A randomly changed copy of a batch x: (N, C, H, W); labels stay as they are."""
    n, _, height, width = x.shape

    def draw(size: int) -> torch.Tensor:  # uniform in [0, 1) from the augmentation's generator
        return torch.rand(size, generator=generator).to(x.device)

    if spec.augment_flip:
        flip = draw(n) < 0.5
        x = torch.where(flip[:, None, None, None], x.flip(-1), x)
    if spec.augment_shift or spec.augment_rotate:
        angle = (draw(n) * 2 - 1) * math.radians(spec.augment_rotate)
        # affine_grid works in [-1, 1] coordinates: a shift of s pixels is 2s / size.
        shift_x = (draw(n) * 2 - 1) * (2 * spec.augment_shift / width)
        shift_y = (draw(n) * 2 - 1) * (2 * spec.augment_shift / height)
        cos, sin = torch.cos(angle), torch.sin(angle)
        theta = torch.stack(
            [torch.stack([cos, -sin, shift_x], 1), torch.stack([sin, cos, shift_y], 1)], 1
        )  # (N, 2, 3)
        grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
        x = F.grid_sample(x, grid, padding_mode="zeros", align_corners=False)
    return x
