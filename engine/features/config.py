"""What a learner chose to do to each column, validated against the table it applies to."""

from __future__ import annotations

from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from engine.data.bundle import DataError
from engine.data.tabular import column_types

Scaler = Literal["standard", "minmax", "robust", "none"]
Encoder = Literal["onehot", "ordinal"]
Imputer = Literal["mean", "median", "most_frequent", "knn", "iterative"]
BinCount = Annotated[int, Field(strict=True, ge=2, le=20)]


class FeatureConfig(BaseModel):
    """One feature set. The defaults match the engine's own tabular preprocessing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    imputer: Imputer = "median"  # gaps in number columns; categories take the most frequent
    scaler: Scaler = "standard"  # every number column not named in `scaling`
    scaling: dict[str, Scaler] = Field(default_factory=dict)  # per-column overrides
    encoder: Encoder = "onehot"  # every category column not named in `encoding`
    # A number column named here is treated as a category (a year, a postcode).
    encoding: dict[str, Encoder] = Field(default_factory=dict)
    polynomial: list[str] = Field(default_factory=list)  # squares and pairwise products
    ratios: list[tuple[str, str]] = Field(default_factory=list)  # (a, b) -> a / b
    bins: dict[str, BinCount] = Field(default_factory=dict)  # column -> quantile bins
    date_column: str | None = None  # text dates -> year, month, day, weekday
    drop: list[str] = Field(default_factory=list)  # columns left out entirely


def referenced_columns(config: FeatureConfig) -> list[tuple[str, str]]:
    """(column, the setting that names it) for every column the config mentions."""
    named = [(c, "drop") for c in config.drop]
    named += [(c, "scaling") for c in config.scaling]
    named += [(c, "encoding") for c in config.encoding]
    named += [(c, "polynomial") for c in config.polynomial]
    named += [(c, "ratios") for pair in config.ratios for c in pair]
    named += [(c, "bins") for c in config.bins]
    if config.date_column is not None:
        named.append((config.date_column, "date_column"))
    return named


def check_columns(config: FeatureConfig, features: pd.DataFrame) -> None:
    """Refuse a config that names a column the table lacks or uses it in a way it cannot be."""
    columns = [str(c) for c in features.columns]
    for column, setting in referenced_columns(config):
        if column not in columns:
            raise DataError(
                f"The table has no column {column!r} (named in {setting}). "
                f"Its columns are: {', '.join(columns)}."
            )
    dropped, empty = set(config.drop), set(empty_columns(features))
    for column, setting in referenced_columns(config):
        if column in dropped and setting != "drop":
            raise DataError(f"The column {column!r} is dropped, so {setting} cannot use it.")
        if column in empty and setting != "drop":
            raise DataError(f"The column {column!r} is empty, so {setting} cannot use it.")
    numeric, _ = split_columns(config, features)
    for column, setting in referenced_columns(config):
        if setting in ("scaling", "polynomial", "ratios", "bins") and column not in numeric:
            raise DataError(
                f"The column {column!r} does not hold numbers (or is encoded as a "
                f"category), so {setting} cannot use it."
            )
    if config.date_column is not None:
        check_dates(features[config.date_column], config.date_column)


def check_dates(values: pd.Series, column: str) -> None:
    """Refuse a date column where no value reads as a date."""
    present = values.dropna()
    parsed = pd.to_datetime(present.astype(str), errors="coerce", format="mixed")
    if len(present) == 0 or parsed.isna().all():
        raise DataError(
            f"The column {column!r} holds no dates that can be read; write them as "
            "YYYY-MM-DD (for example 2024-03-17)."
        )


def split_columns(config: FeatureConfig, features: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(number columns, category columns) after the config's drops, encodings and date."""
    numeric, _ = column_types(features)
    # A column with no value at all has nothing to teach and nothing to impute from.
    left_out = set(config.drop) | {config.date_column} | set(empty_columns(features))
    as_category = set(config.encoding)
    numbers = [c for c in numeric if c not in left_out and c not in as_category]
    # Frame order, so one-hot columns come out where a learner expects them.
    categories = [str(c) for c in features.columns if c not in left_out and c not in numbers]
    return numbers, categories


def empty_columns(features: pd.DataFrame) -> list[str]:
    """Columns without a single value; they are left out of every feature set."""
    return [str(c) for c in features.columns if features[c].isna().all()]
