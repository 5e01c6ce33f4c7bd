"""Tabular datasets: penguins, wine and breast cancer, preprocessed without leaking test rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from engine.data import DataError, dataset_kind, load_bundle
from engine.data.bundle import split_indices
from engine.data.tabular import load_penguins_frame, tabular_bundle
from engine.spec import RunSpec

NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"]


def spec_for(dataset: str, **overrides: object) -> RunSpec:
    return RunSpec(dataset=dataset, model="dense", **overrides)


def penguin_split(spec: RunSpec) -> tuple[pd.DataFrame, np.ndarray]:
    """The raw penguin features and the training row indices the bundle uses."""
    frame = load_penguins_frame()
    y = frame["species"].map({"Adelie": 0, "Chinstrap": 1, "Gentoo": 2}).to_numpy()
    train, _, _ = split_indices(y, spec.validation_fraction, spec.test_fraction, spec.seed)
    return frame.drop(columns=["species"]), train


def test_do_the_penguins_missing_values_reach_the_model_as_none() -> None:
    raw = load_penguins_frame()
    assert raw.isna().sum().sum() > 0  # sex and four measurements have gaps
    bundle = load_bundle(spec_for("penguins"))
    for x in (bundle.x_train, bundle.x_val, bundle.x_test):
        assert x.dtype == np.float32
        assert np.isfinite(x).all()


def test_is_the_scaler_fitted_on_the_training_rows_only() -> None:
    spec = spec_for("penguins", seed=3)
    features, train = penguin_split(spec)
    bundle = load_bundle(spec)
    column = bundle.info["feature_names"].index("body_mass_g")
    values = features["body_mass_g"].to_numpy(dtype=float)
    train_values = values[train]
    train_values = np.where(np.isnan(train_values), np.nanmedian(train_values), train_values)
    expected = (train_values - train_values.mean()) / train_values.std()
    np.testing.assert_allclose(bundle.x_train[:, column], expected, rtol=1e-5, atol=1e-5)
    all_mean = np.nanmean(values)
    assert abs(all_mean - train_values.mean()) > 1.0  # the two means really differ


def test_does_the_preprocessing_match_a_column_transformer_called_directly() -> None:
    spec = spec_for("penguins", seed=1)
    features, train = penguin_split(spec)
    reference = ColumnTransformer(
        [
            (
                "num",
                Pipeline(
                    [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
                ),
                NUMERIC,
            ),
            (
                "cat",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="most_frequent")),
                        ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
                    ]
                ),
                ["island", "sex"],
            ),
        ]
    )
    expected = reference.fit_transform(features.iloc[train])
    bundle = load_bundle(spec)
    np.testing.assert_allclose(bundle.x_train, expected, rtol=1e-5, atol=1e-5)


def test_are_island_and_sex_one_hot_columns_named() -> None:
    info = load_bundle(spec_for("penguins")).info
    names = info["feature_names"]
    for name in ("island_Biscoe", "island_Dream", "island_Torgersen", "sex_female", "sex_male"):
        assert name in names
    assert info["categorical"] == ["island", "sex"]
    assert info["numeric"] == NUMERIC
    assert [names[i] for i in info["groups"]["island"]] == [
        "island_Biscoe",
        "island_Dream",
        "island_Torgersen",
    ]


@pytest.mark.parametrize(
    ("dataset", "rows", "features", "classes"),
    [
        ("penguins", 344, 10, ("Adelie", "Chinstrap", "Gentoo")),
        ("wine", 178, 13, ("class_0", "class_1", "class_2")),
        ("breast-cancer", 569, 30, ("benign", "malignant")),
    ],
)
def test_does_each_table_have_the_expected_shape_and_classes(
    dataset: str, rows: int, features: int, classes: tuple[str, ...]
) -> None:
    bundle = load_bundle(spec_for(dataset))
    assert dataset_kind(dataset) == bundle.kind == "tabular"
    assert len(bundle.y_train) + len(bundle.y_val) + len(bundle.y_test) == rows
    assert bundle.input_shape == (features,)
    assert bundle.class_names == classes
    assert set(np.unique(bundle.y_test)) == set(range(len(classes)))  # stratified


def test_can_a_logistic_regression_learn_the_penguins() -> None:
    bundle = load_bundle(spec_for("penguins"))
    model = LogisticRegression(max_iter=1000).fit(bundle.x_train, bundle.y_train)
    assert model.score(bundle.x_test, bundle.y_test) > 0.9


def test_does_the_same_spec_give_the_same_bundle() -> None:
    first, second = load_bundle(spec_for("wine")), load_bundle(spec_for("wine"))
    assert first.content_hash == second.content_hash
    np.testing.assert_array_equal(first.x_train, second.x_train)
    other_seed = load_bundle(spec_for("wine", seed=7))
    assert other_seed.content_hash == first.content_hash  # same data, another split
    assert not np.array_equal(other_seed.y_train, first.y_train)


def test_are_rows_without_a_label_dropped() -> None:
    frame = pd.DataFrame({"size": np.arange(40.0), "kind": ["a", "b"] * 19 + [None, np.nan]})
    bundle = tabular_bundle(frame, "kind", spec_for("penguins"), "small")
    assert len(bundle.y_train) + len(bundle.y_val) + len(bundle.y_test) == 38
    assert bundle.class_names == ("a", "b")


def test_are_numeric_labels_sorted_as_numbers() -> None:
    frame = pd.DataFrame({"size": np.arange(60.0), "grade": [2.0, 10.0, 1.0] * 20})
    bundle = tabular_bundle(frame, "grade", spec_for("penguins"), "grades")
    assert bundle.class_names == ("1", "2", "10")


@pytest.mark.parametrize(
    ("frame", "target", "message"),
    [
        (pd.DataFrame({"kind": ["a", "b"] * 10}), "kind", "no columns besides the label"),
        (pd.DataFrame({"x": range(20), "kind": ["a", "b"] * 10}), "label", "no column 'label'"),
        (pd.DataFrame({"x": range(9), "kind": list("abcabcabc")}), "kind", "too few examples"),
    ],
    ids=["label only", "no such label", "too small to stratify"],
)
def test_is_a_table_that_cannot_be_learned_refused_with_a_reason(
    frame: pd.DataFrame, target: str, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        tabular_bundle(frame, target, spec_for("penguins"), "bad")
