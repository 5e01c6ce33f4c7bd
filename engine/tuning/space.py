"""The search space a learner edits, its validation, and how a trial turns it into a RunSpec."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
import optuna
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core.core_schema import ValidationInfo

from engine.spec import RunSpec, parse_spec

Optimizer = Literal["sgd", "adam", "adamw", "rmsprop"]
OPTIMIZERS: tuple[str, ...] = ("sgd", "adam", "adamw", "rmsprop")
Number = Annotated[float, Field(allow_inf_nan=True)]  # checked below, with a clearer message
Whole = Annotated[int, Field(strict=True)]
# The hyperparameters a study tunes, as named in RunSpec (the order of the trial table).
TUNED = ("learning_rate", "batch_size", "dropout", "optimizer", "hidden_units", "depth")
# RunSpec's own limits, so that every sampled value makes a valid spec.
LIMITS: dict[str, tuple[float, float]] = {
    "learning_rate": (0.0, 10.0),  # above 0
    "batch_size": (1, 4096),
    "dropout": (0.0, 0.9),
    "hidden_units": (4, 1024),
    "depth": (1, 6),
}


class SearchSpace(BaseModel):
    """Ranges to search. A range whose two ends are equal keeps that setting fixed."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    learning_rate_low: Number = 1e-4  # searched on a log scale
    learning_rate_high: Number = 1e-1
    batch_size_low: Whole = 16  # searched on a log scale
    batch_size_high: Whole = 128
    dropout_low: Number = 0.1
    dropout_high: Number = 0.5
    optimizers: tuple[Optimizer, ...] = ("sgd", "adam")
    hidden_units_low: Whole = 16  # the width of each hidden layer, log scale
    hidden_units_high: Whole = 128
    depth_low: Whole = 1  # how many hidden layers
    depth_high: Whole = 3

    @field_validator(
        "learning_rate_low", "learning_rate_high", "dropout_low", "dropout_high", mode="before"
    )
    @classmethod
    def _not_a_checkbox(cls, value: Any) -> Any:
        # pydantic would read True as 1.0; a checkbox value is never a rate.
        if isinstance(value, bool):
            raise ValueError("must be a number")
        return value

    @field_validator("learning_rate_low", "learning_rate_high", "dropout_low", "dropout_high")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @field_validator("learning_rate_low", "learning_rate_high")
    @classmethod
    def _positive_rate(cls, value: float) -> float:
        if value <= 0:
            raise ValueError(
                "must be above 0: a learning rate of 0 or less never improves the network, "
                "and a log range needs positive ends"
            )
        return value

    @field_validator(
        "learning_rate_low",
        "learning_rate_high",
        "batch_size_low",
        "batch_size_high",
        "dropout_low",
        "dropout_high",
        "hidden_units_low",
        "hidden_units_high",
        "depth_low",
        "depth_high",
    )
    @classmethod
    def _within_limits(cls, value: float, info: ValidationInfo) -> float:
        name = str(info.field_name).rsplit("_", 1)[0]
        low, high = LIMITS[name]
        if value < low or value > high:
            raise ValueError(f"must be between {low:g} and {high:g}")
        return value

    @field_validator(
        "learning_rate_high", "batch_size_high", "dropout_high", "hidden_units_high", "depth_high"
    )
    @classmethod
    def _not_below_low(cls, value: float, info: ValidationInfo) -> float:
        name = str(info.field_name).removesuffix("_high")
        low = info.data.get(f"{name}_low")
        if low is not None and value < low:
            raise ValueError(f"must not be below the lowest value ({low:g})")
        return value

    @field_validator("optimizers")
    @classmethod
    def _some_optimizer(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("choose at least one optimiser")
        return tuple(dict.fromkeys(value))  # no repeats, in the learner's order

    def tuned(self) -> list[str]:
        """The settings this space varies (a range with equal ends is fixed)."""
        names = [n for n in TUNED if n != "optimizer" and self.range(n)[0] != self.range(n)[1]]
        if len(self.optimizers) > 1:
            names.append("optimizer")
        return [n for n in TUNED if n in names]

    def range(self, name: str) -> tuple[Any, Any]:
        return getattr(self, f"{name}_low"), getattr(self, f"{name}_high")


class SpaceError(ValueError):
    """A search space that cannot be searched; ``errors`` maps each field to a message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))


def parse_space(data: dict[str, Any]) -> SearchSpace:
    """Validate a dict into a SearchSpace, or raise SpaceError naming each bad field."""
    try:
        return SearchSpace.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "space"
            errors.setdefault(field, friendly_message(err))
        raise SpaceError(errors) from None


def friendly_message(err: Any) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "is not a setting the search space knows"
    if kind == "literal_error":
        return f"must be one of {', '.join(OPTIMIZERS)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "must be a whole number"
    if kind in ("float_type", "float_parsing"):
        return "must be a number"
    return str(err["msg"]).removeprefix("Value error, ")


def suggest(trial: optuna.Trial, space: SearchSpace) -> dict[str, Any]:
    """Ask the trial for one value of each hyperparameter: RunSpec overrides."""
    return {
        "learning_rate": trial.suggest_float(
            "learning_rate", *space.range("learning_rate"), log=True
        ),
        "batch_size": trial.suggest_int("batch_size", *space.range("batch_size"), log=True),
        "dropout": trial.suggest_float("dropout", *space.range("dropout")),
        "optimizer": trial.suggest_categorical("optimizer", list(space.optimizers)),
        "hidden_units": trial.suggest_int("hidden_units", *space.range("hidden_units"), log=True),
        "depth": trial.suggest_int("depth", *space.range("depth")),
    }


def grid(space: SearchSpace, points: int = 3) -> dict[str, list[Any]]:
    """A coarse grid for GridSampler: ``points`` values per range (ends included), every
    optimiser. Learning rate, batch size and width are spaced evenly on a log scale."""
    lr_low, lr_high = space.range("learning_rate")
    rates = [_round(v) for v in np.geomspace(lr_low, lr_high, points)]
    return {
        "learning_rate": _distinct([lr_low, *rates[1:-1], lr_high]),
        "batch_size": _int_points(*space.range("batch_size"), points, log=True),
        "dropout": _distinct(
            [round(float(v), 3) for v in np.linspace(*space.range("dropout"), points)]
        ),
        "optimizer": list(space.optimizers),
        "hidden_units": _int_points(*space.range("hidden_units"), points, log=True),
        "depth": _int_points(*space.range("depth"), points, log=False),
    }


def grid_size(space: SearchSpace, points: int = 3) -> int:
    return math.prod(len(values) for values in grid(space, points).values())


def _round(value: float) -> float:
    """Two significant figures: 0.003162 -> 0.0032, easier to read in the trial table."""
    return float(f"{value:.2g}")


def _int_points(low: int, high: int, points: int, log: bool) -> list[int]:
    if not log:
        return _distinct([round(float(v)) for v in np.linspace(low, high, points)])
    # Sizes between the ends snap to a power of two (16, 32, 64), as people usually pick them.
    inner = [2 ** round(math.log2(v)) for v in np.geomspace(low, high, points)[1:-1]]
    return _distinct([low, *(v for v in inner if low <= v <= high), high])


def _distinct(values: list[Any]) -> list[Any]:
    return sorted(set(values))


def build_spec(base: RunSpec, params: dict[str, Any]) -> RunSpec:
    """The base spec with a trial's values in place (a SpecError names a bad value)."""
    return parse_spec({**base.model_dump(), **params})
