"""The training entry point every lab uses: one process, or several with data parallelism.
It reports through hooks and never touches the UI."""

from __future__ import annotations

import gc

import torch

from engine.data import DataBundle, load_bundle
from engine.spec import RunSpec
from engine.training.parallel import train_data_parallel
from engine.training.single import (
    RunFiles,
    SilentHooks,
    Training,
    TrainingHooks,
    TrainResult,
    evaluate,
    make_loader,
    resolve_device,
)

__all__ = [
    "RunFiles",
    "SilentHooks",
    "TrainResult",
    "Training",
    "TrainingHooks",
    "evaluate",
    "make_loader",
    "resolve_device",
    "train",
]


def train(
    spec: RunSpec,
    hooks: TrainingHooks,
    split: DataBundle | None = None,
    files: RunFiles | None = None,
) -> TrainResult:
    """Train per the spec, streaming metrics to ``hooks``; returns the outcome."""
    data = split or load_bundle(spec)
    try:
        if spec.data_parallel > 1:
            return train_data_parallel(spec, hooks, data, files or RunFiles())
        return Training(spec, hooks, data, files or RunFiles()).run()
    except torch.cuda.OutOfMemoryError:
        gc.collect()
        torch.cuda.empty_cache()  # release what the failed run held so the next run starts
        half = max(1, spec.batch_size // 2)
        return TrainResult(
            "failed",
            0,
            0.0,
            "cuda",
            reason=(
                f"The GPU ran out of memory at batch size {spec.batch_size}. Its memory was freed; "
                f"try a batch size of {half} or a smaller model."
            ),
        )
