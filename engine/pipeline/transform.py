"""Transformation stages: scaling and encoding chosen columns, and naming the target."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import (
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
)

from engine.data.tabular import MAX_CATEGORIES
from engine.pipeline.errors import (
    PipelineError,
    require_columns,
    require_complete,
    require_numbers,
)
from engine.pipeline.pipeline_spec import EncodeStage, ScaleStage, TargetStage

Details = dict[str, Any]
SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler}


def column_transformer(name: str, step: Any, columns: list[str]) -> ColumnTransformer:
    """``step`` on ``columns``, every other column passed through, output as a DataFrame."""
    return ColumnTransformer(
        [(name, step, columns)], remainder="passthrough", verbose_feature_names_out=False
    ).set_output(transform="pandas")


def scale(frame: pd.DataFrame, stage: ScaleStage) -> tuple[pd.DataFrame, Details]:
    """Standard (mean 0, SD 1), min-max (0 to 1) or robust (median 0, IQR 1) scaling."""
    require_columns(frame, stage.columns)
    for column in stage.columns:
        require_numbers(frame, column, "scaling")
        # Impute before scaling: a scaler fitted around gaps hands the NaN on to the model.
        require_complete(frame, column, "scaling")
    transformer = column_transformer("scale", SCALERS[stage.method](), stage.columns)
    scaled = transformer.fit_transform(frame)[list(frame.columns)]
    return scaled, {"scaled": list(stage.columns), "method": stage.method}


def encoder_for(method: str) -> OneHotEncoder | OrdinalEncoder:
    if method == "onehot":
        # handle_unknown="ignore": a category first seen in new data becomes all zeros
        return OneHotEncoder(sparse_output=False, handle_unknown="ignore")
    return OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)


def _check_encodable(frame: pd.DataFrame, column: str, method: str) -> None:
    # Impute before encoding: a gap would become a category of its own ("score_nan").
    require_complete(frame, column, "encoding")
    distinct = frame[column].nunique()
    if method == "onehot" and distinct > MAX_CATEGORIES:
        raise PipelineError(
            f"column {column!r} has {distinct} different values; one-hot encoding makes a "
            f"column for each (at most {MAX_CATEGORIES}). Use ordinal encoding, or drop it.",
            column=column,
        )


def encode(frame: pd.DataFrame, stage: EncodeStage) -> tuple[pd.DataFrame, Details]:
    """One-hot (a 0/1 column per category) or ordinal (one number per category) encoding."""
    require_columns(frame, stage.columns)
    for column in stage.columns:
        _check_encodable(frame, column, stage.method)
    transformer = column_transformer("encode", encoder_for(stage.method), stage.columns)
    try:
        encoded = transformer.fit_transform(frame)
    except ValueError as exc:  # new column names that clash with existing ones
        raise PipelineError(f"the encoded columns could not be named: {exc}") from None
    if stage.method == "ordinal":  # same names: each column keeps its place
        encoded = encoded[list(frame.columns)]
    # one-hot: the new 0/1 columns come first, then the others (ColumnTransformer's order)
    added = [str(c) for c in encoded.columns if c not in frame.columns]
    return encoded, {"encoded": list(stage.columns), "new_columns": added}


def set_target(frame: pd.DataFrame, stage: TargetStage) -> tuple[pd.DataFrame, Details]:
    """Name the label a model will learn; rows without a label cannot be learned from."""
    require_columns(frame, [stage.column])
    unlabelled = frame[stage.column].isna()
    counts = frame.loc[~unlabelled, stage.column].astype("str").value_counts()
    details = {
        "target": stage.column,
        "dropped_rows": [int(r) for r in frame.index[unlabelled]],
        "classes": {str(k): int(v) for k, v in counts.head(20).items()},
        "class_count": len(counts),
    }
    return frame[~unlabelled], details
