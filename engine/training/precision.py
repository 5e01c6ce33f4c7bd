"""Mixed precision with torch.autocast: bfloat16 on CPU or GPU, float16 with a scaler on GPU."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass

import torch

from engine.spec import RunSpec


@dataclass
class Precision:
    device_type: str
    dtype: torch.dtype | None  # None: full float32
    scaler: torch.amp.GradScaler | None  # float16 needs loss scaling; bfloat16 does not

    def autocast(self) -> AbstractContextManager[None]:
        return torch.autocast(
            self.device_type, dtype=self.dtype or torch.float32, enabled=self.dtype is not None
        )

    @property
    def name(self) -> str:
        names: dict[torch.dtype | None, str] = {
            torch.bfloat16: "bfloat16",
            torch.float16: "float16",
        }
        return names.get(self.dtype, "float32")


def make_precision(spec: RunSpec, device: torch.device) -> Precision:
    if spec.mixed_precision == "bf16":
        return Precision(device.type, torch.bfloat16, None)
    if spec.mixed_precision == "fp16" and device.type == "cuda":
        return Precision(device.type, torch.float16, torch.amp.GradScaler("cuda"))
    return Precision(device.type, None, None)
