"""The scikit-learn pipeline a FeatureConfig describes, fitted on training rows only."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.experimental import enable_iterative_imputer  # noqa: F401 (unlocks the import)
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    KBinsDiscretizer,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    PolynomialFeatures,
    RobustScaler,
    StandardScaler,
)

from engine.data.bundle import DataError
from engine.data.tabular import MAX_CATEGORIES
from engine.features.config import FeatureConfig, check_columns, split_columns
from engine.features.tables import encode_labels, split_rows

DATE_PARTS = ("year", "month", "day", "weekday")  # weekday: Monday 0 ... Sunday 6


def make_scaler(name: str) -> Any:
    """A fresh scaler for "standard", "minmax", "robust"; "passthrough" for "none"."""
    scalers = {"standard": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler}
    return scalers[name]() if name in scalers else "passthrough"


def make_imputer(name: str, seed: int) -> Any:
    """A fresh imputer for number columns (entirely empty columns never reach it)."""
    if name == "knn":
        return KNNImputer()
    if name == "iterative":
        return IterativeImputer(random_state=seed)
    # Kept, not dropped: a column empty in the training rows only must keep its name.
    return SimpleImputer(strategy=name, keep_empty_features=True)


def make_encoder(name: str) -> Any:
    """A fresh one-hot or ordinal encoder that tolerates categories unseen in training."""
    if name == "ordinal":
        # A category never seen in training becomes -1 instead of an error.
        return OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    return OneHotEncoder(
        handle_unknown="ignore", sparse_output=False, max_categories=MAX_CATEGORIES
    )


def divide(x: Any) -> np.ndarray:
    """(N, 2) -> (N, 1): first column over second; a zero divisor gives a gap, not infinity."""
    values = np.asarray(x, dtype=float)
    divisor = np.where(values[:, 1] == 0, np.nan, values[:, 1])
    return (values[:, 0] / divisor).reshape(-1, 1)


def ratio_name(_: Any, input_features: Any) -> list[str]:
    return [f"{input_features[0]}_per_{input_features[1]}"]


def date_parts(x: Any) -> np.ndarray:
    """(N, 1) dates (text or datetime) -> (N, 4) year, month, day, weekday; unreadable: NaN."""
    values = pd.Series(np.asarray(x, dtype=object)[:, 0])
    dates = pd.to_datetime(values, errors="coerce", format="mixed")
    parts = [dates.dt.year, dates.dt.month, dates.dt.day, dates.dt.day_of_week]
    return np.column_stack([p.to_numpy(dtype=float, na_value=np.nan) for p in parts])


def date_part_names(_: Any, input_features: Any) -> list[str]:
    return [f"{input_features[0]}_{part}" for part in DATE_PARTS]


def suffixed(_: Any, input_features: Any, suffix: str) -> list[str]:
    return [f"{name}_{suffix}" for name in input_features]


def bools_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """True/False columns as "true"/"false" text: SimpleImputer refuses the bool dtype."""
    flags = [c for c in frame.columns if pd.api.types.is_bool_dtype(frame[c].dtype)]
    if not flags:
        return frame
    return frame.assign(**{str(c): frame[c].map({True: "true", False: "false"}) for c in flags})


def impute_step(config: FeatureConfig, features: pd.DataFrame, seed: int) -> ColumnTransformer:
    """Fill gaps first: scalers, encoders and extractors would pass a NaN on to the model."""
    numbers, categories = split_columns(config, features)
    parts: list[tuple[str, Any, list[str]]] = [
        ("numbers", make_imputer(config.imputer, seed), numbers),
        (
            "categories",
            SimpleImputer(strategy="most_frequent", keep_empty_features=True),
            categories,
        ),
    ]
    if config.date_column is not None:
        parts.append(("date", "passthrough", [config.date_column]))  # parsed in the next step
    return ColumnTransformer(parts, verbose_feature_names_out=False)


def column_parts(config: FeatureConfig, features: pd.DataFrame) -> list[tuple[str, Any, list[str]]]:
    """Scaling per number column and encoding per category column, grouped by choice."""
    numbers, categories = split_columns(config, features)
    parts: list[tuple[str, Any, list[str]]] = []
    for scaler in ("standard", "minmax", "robust", "none"):
        chosen = [c for c in numbers if config.scaling.get(c, config.scaler) == scaler]
        parts.append((f"scale_{scaler}", make_scaler(scaler), chosen))
    for encoder in ("onehot", "ordinal"):
        chosen = [c for c in categories if config.encoding.get(c, config.encoder) == encoder]
        parts.append((encoder, make_encoder(encoder), chosen))
    return parts


def extraction_parts(config: FeatureConfig, seed: int) -> list[tuple[str, Any, list[str]]]:
    """New columns made from existing ones: products, ratios, bins and date parts."""
    parts: list[tuple[str, Any, list[str]]] = []
    if config.polynomial:
        # Standardise first, so squares of grams (~1e7) do not dwarf every other feature;
        # degree (2, 2) keeps only the new terms, the originals are already in the table.
        poly = PolynomialFeatures(degree=(2, 2), include_bias=False)
        columns = list(dict.fromkeys(config.polynomial))  # a repeated name would repeat terms
        parts.append(("polynomial", make_pipeline(StandardScaler(), poly), columns))
    for i, (a, b) in enumerate(config.ratios):
        ratio = FunctionTransformer(divide, feature_names_out=ratio_name)
        filled = SimpleImputer(strategy="median", keep_empty_features=True)  # b was 0
        parts.append(
            (f"ratio_{i}", make_pipeline(ratio, filled, make_scaler(config.scaler)), [a, b])
        )
    for i, (column, n_bins) in enumerate(config.bins.items()):
        bins = KBinsDiscretizer(n_bins=n_bins, encode="ordinal", random_state=seed)
        rename = FunctionTransformer(feature_names_out=partial(suffixed, suffix="bin"))
        parts.append((f"bins_{i}", make_pipeline(bins, rename), [column]))
    if config.date_column is not None:
        dates = FunctionTransformer(date_parts, feature_names_out=date_part_names)
        filled = SimpleImputer(strategy="most_frequent", keep_empty_features=True)
        steps = make_pipeline(dates, filled, make_scaler(config.scaler))
        parts.append(("date_parts", steps, [config.date_column]))
    return parts


def build_transformer(config: FeatureConfig, features: pd.DataFrame, seed: int = 0) -> Pipeline:
    """Impute, then scale / encode / extract side by side; outputs a named pandas frame."""
    check_columns(config, features)
    parts = column_parts(config, features) + extraction_parts(config, seed)
    columns = ColumnTransformer([p for p in parts if p[2]], verbose_feature_names_out=False)
    text = FunctionTransformer(bools_as_text, feature_names_out="one-to-one")
    steps = [
        ("bools", text),
        ("impute", impute_step(config, features, seed)),
        ("features", columns),
    ]
    pipeline = Pipeline(steps)
    return pipeline.set_output(transform="pandas")


@dataclass(frozen=True)
class FittedFeatures:
    """A transformer fitted on the training rows, and the training and validation parts."""

    transformer: Pipeline
    x_train: pd.DataFrame  # (n_train, n_features), named by get_feature_names_out
    x_val: pd.DataFrame
    y_train: np.ndarray  # class ids
    y_val: np.ndarray
    class_names: list[str]
    train_rows: np.ndarray  # row positions in the table
    val_rows: np.ndarray

    @property
    def feature_names(self) -> list[str]:
        return [str(n) for n in self.transformer.get_feature_names_out()]


def fit_features(
    config: FeatureConfig, frame: pd.DataFrame, target: str, seed: int = 0
) -> FittedFeatures:
    """Split as the engine does, fit on the training rows only, transform both parts."""
    features = frame.drop(columns=[target])
    transformer = build_transformer(config, features, seed)
    y, class_names = encode_labels(frame, target)
    train, val, _ = split_rows(frame, target, seed)
    x_train = _fit_transform(transformer, features.iloc[train])
    x_val = transformer.transform(features.iloc[val])
    return FittedFeatures(transformer, x_train, x_val, y[train], y[val], class_names, train, val)


def _fit_transform(transformer: Pipeline, rows: pd.DataFrame) -> pd.DataFrame:
    try:
        fitted: pd.DataFrame = transformer.fit_transform(rows)
        return fitted
    except ValueError as exc:
        if "not unique" not in str(exc):
            raise
    # A new column's short name clashes with an existing one ("a_bin" already in the
    # table): prefix every name with the step that made it instead.
    transformer.set_params(features__verbose_feature_names_out=True)
    fitted = transformer.fit_transform(rows)
    return fitted


def before_after(
    frame: pd.DataFrame, target: str, column: str, scaler: str, seed: int = 0
) -> dict[str, Any]:
    """One column's values before and after a scaler fitted on the training rows (plain lists).

    Validation values are scaled with the training statistics, so their mean is near,
    not exactly, 0 for the standard scaler.
    """
    if column not in frame.columns or column == target:
        raise DataError(f"The table has no feature column {column!r}.")
    if not pd.api.types.is_numeric_dtype(frame[column].dtype):
        raise DataError(f"The column {column!r} does not hold numbers, so it cannot be scaled.")
    train, val, _ = split_rows(frame, target, seed)
    fitted = make_scaler(scaler)
    fitted = FunctionTransformer() if fitted == "passthrough" else fitted
    before = frame[[column]].iloc[train].dropna()  # scalers skip gaps; so does the chart
    after = fitted.fit_transform(before)
    val_before = frame[[column]].iloc[val].dropna()
    return {
        "column": column,
        "scaler": scaler,
        "before": before[column].tolist(),
        "after": np.asarray(after)[:, 0].tolist(),
        "validation_before": val_before[column].tolist(),
        "validation_after": np.asarray(fitted.transform(val_before))[:, 0].tolist(),
    }
