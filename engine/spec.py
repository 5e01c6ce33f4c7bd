"""The run spec: everything a training run needs, validated before anything is queued."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

# Built-in datasets and their data type; uploads are named "upload:<id>" (see engine.data).
DATASET_KINDS: dict[str, str] = {
    "digits": "image",  # 1,797 8x8 handwritten digits (scikit-learn)
    "digits-0-4": "image",  # the digits 0 to 4 only: a source task for transfer learning
    "digits-5-9": "image",  # the digits 5 to 9 only: a target task for transfer learning
    "competency-sentences": "text",  # learner sentences labelled with a competency
    "sounds": "audio",  # generated tones, chords, chirps and noise bursts
    "penguins": "tabular",  # Palmer penguins: missing values and categories
    "wine": "tabular",
    "breast-cancer": "tabular",
}
# Which models suit which data type ("dense" flattens anything).
MODELS_FOR_KIND: dict[str, tuple[str, ...]] = {
    "image": ("dense", "cnn"),
    "audio": ("dense", "cnn"),
    "text": ("dense", "lstm", "transformer"),
    "tabular": ("dense",),
}
UPLOAD_PATTERN = r"^upload:[0-9a-f]{16}$"
# Each optimiser as people write it.
OPTIMIZER_NAMES = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop", "adamw": "AdamW"}

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class RunSpec(BaseModel):
    """One training run. Defaults give a quick, sensible run on the digits images."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- data
    dataset: str = "digits"  # a key of DATASET_KINDS, or "upload:<id>"
    validation_fraction: Annotated[float, Field(ge=0.05, le=0.5, allow_inf_nan=False)] = 0.2
    test_fraction: Annotated[float, Field(ge=0.05, le=0.5, allow_inf_nan=False)] = 0.2
    train_limit: Annotated[int, Field(strict=True, ge=10)] | None = None  # few labels
    augment_flip: bool = False  # images: mirror left-right at random
    augment_shift: Annotated[int, Field(strict=True, ge=0, le=4)] = 0  # images: pixels
    augment_rotate: Annotated[float, Field(ge=0, le=45, allow_inf_nan=False)] = 0.0  # degrees
    audio_features: Literal["spectrogram", "mfcc"] = "mfcc"
    text_max_tokens: Annotated[int, Field(strict=True, ge=4, le=256)] = 32
    vocab_size: Annotated[int, Field(strict=True, ge=50, le=50_000)] = 2000
    # --- model
    model: Literal["dense", "cnn", "lstm", "transformer"] = "cnn"
    hidden_units: Annotated[int, Field(strict=True, ge=4, le=1024)] = 64
    depth: Annotated[int, Field(strict=True, ge=1, le=6)] = 2  # hidden layers or blocks
    dropout: Annotated[float, Field(ge=0, le=0.9, allow_inf_nan=False)] = 0.0
    batch_norm: bool = False
    pretrained_from: Annotated[int, Field(strict=True, ge=1)] | None = None  # a run id
    freeze_pretrained: bool = False  # train only the new output layer
    # --- optimisation
    optimizer: Literal["sgd", "adam", "adamw", "rmsprop"] = "adam"
    learning_rate: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)] = 1e-3
    momentum: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.9  # SGD only
    nesterov: bool = False  # SGD only
    weight_decay: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.0
    schedule: Literal["none", "step", "exponential", "cosine", "plateau", "onecycle"] = "none"
    step_size: Annotated[int, Field(strict=True, ge=1, le=500)] = 5  # epochs, step schedule
    gamma: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] = 0.5  # decay factor
    warmup_epochs: Annotated[int, Field(strict=True, ge=0, le=50)] = 0
    clip_grad_norm: Positive | None = None
    clip_grad_value: Positive | None = None
    early_stopping_patience: Annotated[int, Field(strict=True, ge=0, le=100)] = 0  # 0: off
    restore_best: bool = True  # with early stopping: keep the best epoch's weights
    mixed_precision: Literal["off", "bf16", "fp16"] = "off"
    # --- running
    batch_size: Annotated[int, Field(strict=True, ge=1, le=4096)] = 32
    epochs: Annotated[int, Field(strict=True, ge=1, le=500)] = 10
    data_parallel: Annotated[int, Field(strict=True, ge=1, le=8)] = 1  # DDP processes
    # global: batch_size is the whole batch, split evenly across the workers (so 1 and 2
    # workers take the same steps); per_worker: each worker takes batch_size rows of its own
    parallel_batch: Literal["global", "per_worker"] = "global"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    seed: Annotated[int, Field(strict=True, ge=0, le=2**31 - 1)] = 0
    time_limit_seconds: Annotated[float, Field(gt=0, le=24 * 3600, allow_inf_nan=False)] = 900.0
    # --- class challenge: a share of rows fixed by this seed is kept out of every split and
    # scored on afterwards (engine.holdout); None for every other run
    holdout_seed: Annotated[int, Field(strict=True, ge=0, le=2**31 - 1)] | None = None

    @field_validator("learning_rate", mode="before")
    @classmethod
    def _finite_learning_rate(cls, value: Any) -> Any:
        # pydantic would read True as 1.0; a checkbox value is never a learning rate.
        if isinstance(value, bool):
            raise ValueError("the learning rate must be a number")
        # torch accepts a NaN learning rate silently; refuse it here.
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("the learning rate must be a finite number")
        return value

    @field_validator("dataset")
    @classmethod
    def _known_dataset(cls, value: str) -> str:
        if value not in DATASET_KINDS and not re.fullmatch(UPLOAD_PATTERN, value):
            raise ValueError(f"must be one of {sorted(DATASET_KINDS)} or an uploaded dataset")
        return value

    @model_validator(mode="after")
    def _model_fits_data(self) -> RunSpec:
        kind = DATASET_KINDS.get(self.dataset)
        if kind and self.model not in MODELS_FOR_KIND[kind]:
            allowed = ", ".join(MODELS_FOR_KIND[kind])
            raise ValueError(
                f"model: a {self.model} model does not fit {kind} data; choose {allowed}"
            )
        if self.validation_fraction + self.test_fraction > 0.8:
            raise ValueError(
                "validation_fraction: together with the test fraction it leaves "
                "too few examples to train on"
            )
        if self.warmup_epochs >= self.epochs:
            raise ValueError("warmup_epochs: the warm-up must be shorter than the run")
        if self.holdout_seed is not None and self.pretrained_from is not None:
            # a source model may have trained on the very rows the challenge holds out
            raise ValueError("pretrained_from: a challenge run starts from scratch")
        if self.holdout_seed is not None and self.dataset not in DATASET_KINDS:
            raise ValueError("dataset: a challenge runs on one of the built-in datasets")
        workers = self.data_parallel
        if workers > 1 and self.parallel_batch == "global" and self.batch_size % workers:
            raise ValueError(
                f"batch_size: a batch of {self.batch_size} does not split evenly between "
                f"{workers} workers; choose {_nearest_multiples(self.batch_size, workers)} "
                "(or give each worker a batch of its own)"
            )
        return self

    @property
    def data_kind(self) -> str | None:
        """image, text, audio or tabular (None for an upload until it is looked up)."""
        return DATASET_KINDS.get(self.dataset)


def _nearest_multiples(size: int, workers: int) -> str:
    """The batch sizes next to ``size`` that ``workers`` can share evenly ("30 or 32")."""
    below, above = size // workers * workers, (size // workers + 1) * workers
    sizes = [n for n in (below, above) if workers <= n <= 4096]
    return " or ".join(str(n) for n in sizes)


def stored_spec(data: dict[str, Any]) -> RunSpec:
    """A run's spec read back from the database. A run stored before ``parallel_batch``
    existed gave each worker a batch of its own, so it resumes that way."""
    return RunSpec.model_validate({"parallel_batch": "per_worker", **data})


class SpecError(ValueError):
    """A spec that cannot run; ``errors`` maps each field to a message for the learner."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))


def parse_spec(data: dict[str, Any]) -> RunSpec:
    """Validate a dict into a RunSpec, or raise SpecError naming each bad field."""
    try:
        return RunSpec.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            message = _friendly(field, err)
            if not field:  # a check across fields names its field first: "model: ..."
                field, _, message = message.partition(": ")
            errors.setdefault(field, message)
        raise SpecError(errors) from None


def _friendly(field: str, err: Any) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "is not a setting this lab knows"
    if kind == "literal_error":
        return f"must be one of {err['ctx']['expected']}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "must be a whole number"
    return str(err["msg"]).removeprefix("Value error, ")


EXAMPLE_SPECS: dict[str, dict[str, Any]] = {
    # The first lab's settings with the CNN: 98.1% validation, 97.2% test accuracy (seed 0).
    "digits-cnn": {"model": "cnn", "optimizer": "adam", "learning_rate": 1e-3, "epochs": 10},
    "digits-dense": {"model": "dense", "optimizer": "adam", "learning_rate": 1e-3, "epochs": 15},
}


def example_spec(name: str) -> RunSpec:
    """A named ready-to-run spec (``python -m engine example-spec NAME``)."""
    if name not in EXAMPLE_SPECS:
        raise KeyError(f"unknown example {name!r}; try one of {sorted(EXAMPLE_SPECS)}")
    return RunSpec(**EXAMPLE_SPECS[name])
