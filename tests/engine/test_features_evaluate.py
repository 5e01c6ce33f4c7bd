"""Scoring a feature set: validation accuracy equals scikit-learn, and before/after comparisons."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import KNNImputer, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler

from engine.features.config import FeatureConfig
from engine.features.evaluate import compare, curves_for_table, validation_accuracy
from engine.features.tables import encode_labels, load_table, split_rows, with_planted_leak

NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"]
CATEGORICAL = ["island", "sex"]
ONE_HOT = OneHotEncoder(handle_unknown="ignore", sparse_output=False, max_categories=50)
ORDINAL = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)


def sklearn_accuracy(frame: pd.DataFrame, target: str, seed: int, prepare: Any) -> float:
    """The lab's accuracy computed by hand: same split, fit on training rows, score validation."""
    y, _ = encode_labels(frame, target)
    train, val, _ = split_rows(frame, target, seed)
    features = frame.drop(columns=[target])
    model = make_pipeline(prepare, LogisticRegression(max_iter=2000))
    model.fit(features.iloc[train], y[train])
    return float(model.score(features.iloc[val], y[val]))


def penguin_prep(imputer: Any, scaler: Any, encoder: Any, numeric: list[str]) -> ColumnTransformer:
    categories = make_pipeline(SimpleImputer(strategy="most_frequent"), encoder)
    return ColumnTransformer(
        [("num", make_pipeline(imputer, scaler), numeric), ("cat", categories, CATEGORICAL)]
    )


CASES = [
    ({}, SimpleImputer(strategy="median"), StandardScaler(), ONE_HOT, NUMERIC),
    ({"imputer": "knn", "scaler": "minmax"}, KNNImputer(), MinMaxScaler(), ONE_HOT, NUMERIC),
    (
        {"encoder": "ordinal", "drop": ["year"]},
        SimpleImputer(strategy="median"),
        StandardScaler(),
        ORDINAL,
        NUMERIC[:4],
    ),
]


@pytest.mark.parametrize(("settings", "imputer", "scaler", "encoder", "numeric"), CASES)
@pytest.mark.parametrize("seed", [0, 4])
def test_is_validation_accuracy_what_sklearn_gets_on_the_same_split(
    settings: dict, imputer: Any, scaler: Any, encoder: Any, numeric: list[str], seed: int
) -> None:
    frame, target = load_table("penguins")
    frame["bill_length_mm"] = frame["bill_length_mm"].where(frame.index % 3 != 0)  # harder
    expected = sklearn_accuracy(
        frame, target, seed, penguin_prep(imputer, scaler, encoder, numeric)
    )
    assert validation_accuracy(FeatureConfig(**settings), frame, target, seed) == expected


def test_does_compare_report_both_sides_on_the_same_split() -> None:
    frame, target = load_table("breast-cancer")
    kept = ["mean radius", "mean texture", "worst area", "worst concave points"]
    fewer = FeatureConfig(drop=[c for c in frame.columns if c not in [*kept, target]])
    result = compare(FeatureConfig(), fewer, frame, target, seed=0)
    assert result["before"] == {
        "accuracy": validation_accuracy(FeatureConfig(), frame, target, 0),
        "n_features": 30,
    }
    assert result["after"] == {
        "accuracy": validation_accuracy(fewer, frame, target, 0),
        "n_features": 4,
    }
    assert result["feature_change"] == -26
    assert result["accuracy_change"] == result["after"]["accuracy"] - result["before"]["accuracy"]


@pytest.mark.parametrize(
    ("extra", "gain"),
    [({"bins": {"magnesium": 4}}, 0.05), ({"ratios": [("alcohol", "malic_acid")]}, 0.02)],
)
def test_can_a_new_feature_raise_validation_accuracy(extra: dict, gain: float) -> None:
    frame, target = load_table("wine")
    kept = {"alcohol", "malic_acid", "ash", "magnesium", target}
    base = FeatureConfig(drop=[c for c in frame.columns if c not in kept])
    result = compare(base, base.model_copy(update=extra), frame, target, seed=0)
    assert result["accuracy_change"] > gain
    assert result["feature_change"] == 1


def test_can_fewer_features_keep_the_accuracy_of_all_of_them() -> None:
    frame, target = load_table("breast-cancer")
    result = curves_for_table(FeatureConfig(), frame, target, seed=0, ks=[20], methods=["rfe"])
    kept = set(result["best"]["rfe"]["features"])
    fewer = FeatureConfig(drop=[c for c in frame.columns if c not in kept and c != target])
    compared = compare(FeatureConfig(), fewer, frame, target, seed=0)
    assert compared["after"]["n_features"] == 20
    assert compared["accuracy_change"] >= 0


def test_does_the_planted_leak_lift_accuracy_to_perfect() -> None:
    frame, target = load_table("breast-cancer")
    leaky, leak = with_planted_leak(frame, target, seed=0)
    assert validation_accuracy(FeatureConfig(), leaky, target, 0) == 1.0
    honest = FeatureConfig(drop=[leak])
    assert validation_accuracy(honest, leaky, target, 0) == validation_accuracy(
        FeatureConfig(), frame, target, 0
    )
