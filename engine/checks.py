"""Checks a valid spec must still pass on this server's data and hardware before queueing."""

from __future__ import annotations

import torch

from engine import artifacts
from engine.data import DataError, load_bundle
from engine.spec import MODELS_FOR_KIND, RunSpec, SpecError


def check_runnable(spec: RunSpec) -> None:
    """Raise SpecError naming each setting that cannot run here."""
    try:
        data = load_bundle(spec)
    except DataError as exc:
        raise SpecError({"dataset": str(exc)}) from None
    errors: dict[str, str] = {}
    if spec.model not in MODELS_FOR_KIND[data.kind]:
        errors["model"] = (
            f"a {spec.model} model does not fit {data.kind} data; choose "
            + ", ".join(MODELS_FOR_KIND[data.kind])
        )
    train_rows = len(data.y_train)
    if spec.batch_size > train_rows:
        errors["batch_size"] = (
            f"is larger than the {train_rows} training examples; choose {train_rows} or fewer"
        )
    errors.update(_hardware_errors(spec))
    if spec.pretrained_from is not None and not artifacts.model_path(spec.pretrained_from).exists():
        errors["pretrained_from"] = (
            f"run {spec.pretrained_from} has no saved model to start from; pick a finished run"
        )
    if errors:
        raise SpecError(errors)


def _hardware_errors(spec: RunSpec) -> dict[str, str]:
    errors: dict[str, str] = {}
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    on_gpu = spec.device == "cuda" or (spec.device == "auto" and gpus > 0)
    if spec.device == "cuda" and gpus == 0:
        errors["device"] = "no GPU is available on this server; choose auto or cpu"
    if spec.mixed_precision == "fp16" and not on_gpu:
        errors["mixed_precision"] = "float16 training needs a GPU; on the CPU choose bf16"
    if spec.data_parallel > 1 and on_gpu and spec.data_parallel > gpus:
        errors["data_parallel"] = (
            f"this server has {gpus} GPU(s): use at most {gpus} worker(s) on the GPU, "
            f"or choose the cpu device for {spec.data_parallel} workers"
        )
    return errors
