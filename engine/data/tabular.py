"""Tabular datasets: Palmer penguins, wine, breast cancer, and the shared table-to-bundle step."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from engine.data.bundle import DataBundle, DataError, content_hash, split_indices
from engine.group_results import group_columns
from engine.spec import RunSpec

PENGUIN_FEATURES = [
    "island",
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
    "sex",
    "year",
]
# A text column with thousands of distinct values (an id, a free-text note) would
# become thousands of one-hot columns; rarer categories share one "infrequent" column.
MAX_CATEGORIES = 50


def column_types(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(numeric, categorical) column names; bool, text and category columns are categorical."""
    numeric: list[str] = []
    categorical: list[str] = []
    for name in frame.columns:
        dtype = frame[name].dtype
        is_number = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        (numeric if is_number else categorical).append(str(name))
    return numeric, categorical


def make_preprocessor(numeric: list[str], categorical: list[str]) -> ColumnTransformer:
    """Numbers: median imputation then standard scaling; categories: mode then one-hot."""
    # Impute before scaling: StandardScaler would carry a NaN into every later step.
    numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categories = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore", sparse_output=False, max_categories=MAX_CATEGORIES),
    )
    return ColumnTransformer(
        [("num", numbers, numeric), ("cat", categories, categorical)],
        verbose_feature_names_out=False,
    )


def label_strings(labels: pd.Series) -> pd.Series:
    """Labels as text; whole numbers read as floats (2.0) are written as 2."""
    if pd.api.types.is_float_dtype(labels.dtype) and bool((labels % 1 == 0).all()):
        return labels.astype(np.int64).astype(str)
    return labels.astype(str)


def sorted_labels(labels: pd.Series) -> list[str]:
    """Distinct labels sorted; numerically when every label is a number (2 before 10)."""
    names = sorted(set(labels))
    numbers = pd.to_numeric(pd.Series(names), errors="coerce")
    if names and not numbers.isna().any():
        return [name for _, name in sorted(zip(numbers, names, strict=True))]
    return names


def _feature_names(transformer: ColumnTransformer) -> list[str]:
    try:
        return [str(n) for n in transformer.get_feature_names_out()]
    except ValueError:  # short names collide (a column "sex_male" and sex = male)
        transformer.set_params(verbose_feature_names_out=True)
        return [str(n) for n in transformer.get_feature_names_out()]


def split_or_explain(y: np.ndarray, spec: RunSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """split_indices, with sklearn's too-small-to-stratify error told as a DataError."""
    try:
        return split_indices(y, spec.validation_fraction, spec.test_fraction, spec.seed)
    except DataError:
        raise
    except ValueError as exc:  # a stratified part smaller than the number of classes
        raise DataError(
            f"There are too few examples to split into training, validation and "
            f"test parts with every class in each ({exc}). Add examples or use "
            "fewer classes."
        ) from None


def tabular_bundle(frame: pd.DataFrame, target: str, spec: RunSpec, name: str) -> DataBundle:
    """Split a table, fit the preprocessor on the training rows only, and encode every part."""
    if target not in frame.columns:
        raise DataError(f"The table has no column {target!r} to predict.")
    frame = frame[frame[target].notna()]
    labels = label_strings(frame[target])
    class_names = sorted_labels(labels)
    y = labels.map({label: i for i, label in enumerate(class_names)}).to_numpy(np.int64)
    features = frame.drop(columns=[target])
    if features.shape[1] == 0:
        raise DataError("The table has no columns besides the label, so nothing to learn from.")
    train, val, test = split_or_explain(y, spec)
    numeric, categorical = column_types(features)
    transformer = make_preprocessor(numeric, categorical)
    # Fitted on training rows only: medians, means and categories never see the test rows.
    transformer.fit(features.iloc[train])
    feature_names = _feature_names(transformer)
    if not feature_names:
        raise DataError("Every feature column is empty, so there is nothing to learn from.")
    x = np.asarray(transformer.transform(features), dtype=np.float32)  # (N, D)
    info = {
        "name": name,
        "target": target,
        "feature_names": feature_names,
        "raw_columns": [str(c) for c in features.columns],
        "numeric": numeric,
        "categorical": categorical,
        "groups": _groups(transformer),
        "test_groups": group_columns(features, test),  # accuracy per group after training
    }
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return DataBundle.from_split(
        "tabular",
        x,
        y,
        (train, val, test),
        tuple(class_names),
        content_hash(hashed, list(frame.columns), target),
        info,
    )


def _groups(transformer: ColumnTransformer) -> dict[str, list[int]]:
    """Which encoded feature columns came from each raw column (one-hot columns share one)."""
    groups: dict[str, list[int]] = {}
    for part, pipeline, columns in transformer.transformers_:
        span = transformer.output_indices_.get(part, slice(0, 0))
        if part not in ("num", "cat") or span.stop == span.start:
            continue
        kept = [str(c) for c in pipeline[0].get_feature_names_out(columns)]  # empty ones dropped
        widths = [1] * len(kept) if part == "num" else _one_hot_widths(pipeline[-1])
        start = span.start
        for column, width in zip(kept, widths, strict=True):
            groups[column] = list(range(start, start + width))
            start += width
    return groups


def _one_hot_widths(encoder: OneHotEncoder) -> list[int]:
    """Output columns per input column; infrequent categories share a single column."""
    widths = []
    for categories, rare in zip(encoder.categories_, encoder.infrequent_categories_, strict=True):
        widths.append(len(categories) if rare is None else len(categories) - len(rare) + 1)
    return widths


@lru_cache(maxsize=1)
def _penguins_frame() -> pd.DataFrame:
    from palmerpenguins import load_penguins

    frame = load_penguins()[["species", *PENGUIN_FEATURES]]
    return frame[frame["species"].notna()].reset_index(drop=True)


def load_penguins_frame() -> pd.DataFrame:
    """The 344 Palmer penguins (species to predict; sex and measurements have gaps)."""
    return _penguins_frame().copy()


def load_sklearn_frame(name: str) -> pd.DataFrame:
    """scikit-learn's wine or breast-cancer table, with the class names in "target"."""
    bunch = {"wine": load_wine, "breast-cancer": load_breast_cancer}[name](as_frame=True)
    frame: pd.DataFrame = bunch.frame.copy()
    frame["target"] = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
    return frame


def build_penguins(spec: RunSpec) -> DataBundle:
    return tabular_bundle(load_penguins_frame(), "species", spec, "penguins")


def build_sklearn_table(spec: RunSpec) -> DataBundle:
    return tabular_bundle(load_sklearn_frame(spec.dataset), "target", spec, spec.dataset)


TABULAR_BUILDERS = {
    "penguins": build_penguins,
    "wine": build_sklearn_table,
    "breast-cancer": build_sklearn_table,
}
