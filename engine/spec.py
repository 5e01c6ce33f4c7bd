"""The run spec: everything a training run needs, validated before anything is queued."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

StrictPositiveInt = Annotated[int, Field(strict=True, ge=1)]

OPTIMIZERS = ("sgd", "adam")
MODELS = ("dense", "cnn")


class RunSpec(BaseModel):
    """One training run. Defaults give a quick, sensible run on the digits images."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dataset: Literal["digits"] = "digits"  # 8x8 handwritten digits bundled with scikit-learn
    model: Literal["dense", "cnn"] = "cnn"  # dense: flattened pixels; cnn: two conv layers
    hidden_units: Annotated[int, Field(strict=True, ge=4, le=1024)] = 64
    optimizer: Literal["sgd", "adam"] = "adam"
    learning_rate: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)] = 1e-3
    momentum: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.9  # SGD only
    batch_size: Annotated[int, Field(strict=True, ge=1, le=4096)] = 32
    epochs: Annotated[int, Field(strict=True, ge=1, le=500)] = 10
    validation_fraction: Annotated[float, Field(ge=0.05, le=0.5, allow_inf_nan=False)] = 0.2
    test_fraction: Annotated[float, Field(ge=0.05, le=0.5, allow_inf_nan=False)] = 0.2
    device: Literal["auto", "cpu", "cuda"] = "auto"
    seed: Annotated[int, Field(strict=True, ge=0, le=2**31 - 1)] = 0
    time_limit_seconds: Annotated[float, Field(gt=0, le=24 * 3600, allow_inf_nan=False)] = 900.0

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
            field = ".".join(str(p) for p in err["loc"]) or "spec"
            errors.setdefault(field, _friendly(field, err))
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
    "digits-cnn": {"model": "cnn", "optimizer": "adam", "learning_rate": 1e-3, "epochs": 10},
    "digits-dense": {"model": "dense", "optimizer": "adam", "learning_rate": 1e-3, "epochs": 15},
}


def example_spec(name: str) -> RunSpec:
    """A named ready-to-run spec (``python -m engine example-spec NAME``)."""
    if name not in EXAMPLE_SPECS:
        raise KeyError(f"unknown example {name!r}; try one of {sorted(EXAMPLE_SPECS)}")
    return RunSpec(**EXAMPLE_SPECS[name])
