"""Feature transforms: each equals scikit-learn called directly, fitted on training rows only."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from sklearn.compose import ColumnTransformer
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    KBinsDiscretizer,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    PolynomialFeatures,
    RobustScaler,
    StandardScaler,
)

from engine.data import DataError
from engine.data.tabular import MAX_CATEGORIES
from engine.features.config import FeatureConfig
from engine.features.tables import load_table, split_rows
from engine.features.transforms import before_after, date_parts, fit_features

NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"]
CATEGORICAL = ["island", "sex"]


@pytest.fixture(scope="module")
def penguins() -> tuple[pd.DataFrame, str]:
    return load_table("penguins")


def reference_transformer(imputer: Any, scaler: Any, encoder: Any) -> ColumnTransformer:
    """The same preprocessing written out by hand with scikit-learn."""
    numbers = make_pipeline(imputer, scaler)
    categories = make_pipeline(SimpleImputer(strategy="most_frequent"), encoder)
    return ColumnTransformer([("num", numbers, NUMERIC), ("cat", categories, CATEGORICAL)])


ONE_HOT = OneHotEncoder(handle_unknown="ignore", sparse_output=False, max_categories=MAX_CATEGORIES)
ORDINAL = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
CONFIGS = [
    ({}, SimpleImputer(strategy="median"), StandardScaler(), ONE_HOT),
    ({"imputer": "mean", "scaler": "minmax"}, SimpleImputer(), MinMaxScaler(), ONE_HOT),
    (
        {"imputer": "most_frequent", "scaler": "robust", "encoder": "ordinal"},
        SimpleImputer(strategy="most_frequent"),
        RobustScaler(),
        ORDINAL,
    ),
    ({"imputer": "knn", "scaler": "none"}, KNNImputer(), "passthrough", ONE_HOT),
    ({"imputer": "iterative"}, IterativeImputer(random_state=7), StandardScaler(), ORDINAL),
]


@pytest.mark.parametrize(("settings", "imputer", "scaler", "encoder"), CONFIGS)
def test_does_each_imputer_scaler_and_encoder_equal_sklearn_fitted_on_training_rows(
    penguins: tuple[pd.DataFrame, str], settings: dict, imputer: Any, scaler: Any, encoder: Any
) -> None:
    frame, target = penguins
    if encoder is ORDINAL:
        settings = {**settings, "encoder": "ordinal"}
    fitted = fit_features(FeatureConfig(**settings), frame, target, seed=7)
    train, val, _ = split_rows(frame, target, seed=7)
    features = frame.drop(columns=[target])
    reference = reference_transformer(imputer, scaler, encoder).fit(features.iloc[train])
    expected = reference.transform(features.iloc[val])
    assert np.allclose(fitted.x_val.to_numpy(), expected, rtol=0, atol=1e-9)
    assert fitted.x_val.index.equals(features.index[val])


def test_does_the_standard_scaler_learn_its_mean_from_training_rows_only() -> None:
    frame, target = load_table("breast-cancer")  # no gaps, so the mean is the raw mean
    fitted = fit_features(FeatureConfig(), frame, target, seed=0)
    scaler = fitted.transformer.named_steps["features"].named_transformers_["scale_standard"]
    features = frame.drop(columns=[target])
    training_mean = features.iloc[fitted.train_rows].mean().to_numpy()
    assert np.allclose(scaler.mean_, training_mean, rtol=0, atol=1e-9)
    assert not np.allclose(scaler.mean_, features.mean().to_numpy(), rtol=0, atol=1e-9)


def test_does_the_imputer_fill_gaps_with_the_training_median() -> None:
    frame, target = load_table("penguins")
    fitted = fit_features(FeatureConfig(), frame, target, seed=0)
    imputer = fitted.transformer.named_steps["impute"].named_transformers_["numbers"]
    expected = frame[NUMERIC].iloc[fitted.train_rows].median().to_numpy()
    assert np.array_equal(imputer.statistics_, expected)


def test_does_a_category_never_seen_in_training_become_zeros_or_minus_one(
    penguins: tuple[pd.DataFrame, str],
) -> None:
    frame, target = penguins
    config = FeatureConfig(encoding={"sex": "ordinal"})
    fitted = fit_features(config, frame, target, seed=0)
    unseen = frame.drop(columns=[target]).head(1).assign(island="Atlantis", sex="unknown")
    row = fitted.transformer.transform(unseen).iloc[0]
    assert row[["island_Biscoe", "island_Dream", "island_Torgersen"]].tolist() == [0, 0, 0]
    assert row["sex"] == -1


def test_are_per_column_choices_applied_to_their_column_only(
    penguins: tuple[pd.DataFrame, str],
) -> None:
    frame, target = penguins
    config = FeatureConfig(scaling={"body_mass_g": "minmax"}, encoding={"year": "onehot"})
    fitted = fit_features(config, frame, target, seed=0)
    assert fitted.x_train["body_mass_g"].min() == 0.0
    assert fitted.x_train["body_mass_g"].max() == 1.0
    assert abs(fitted.x_train["bill_length_mm"].mean()) < 1e-9
    assert {"year_2007", "year_2008", "year_2009"} <= set(fitted.feature_names)


def test_do_polynomial_ratio_and_bin_features_equal_sklearn_and_pandas(
    penguins: tuple[pd.DataFrame, str],
) -> None:
    frame, target = penguins
    pair = ["bill_length_mm", "bill_depth_mm"]
    config = FeatureConfig(
        scaler="none", polynomial=pair, ratios=[tuple(pair)], bins={"body_mass_g": 4}
    )
    fitted = fit_features(config, frame, target, seed=0)
    train, val = fitted.train_rows, fitted.val_rows
    filled = SimpleImputer(strategy="median").fit(frame[NUMERIC].iloc[train])
    numbers = pd.DataFrame(filled.transform(frame[NUMERIC]), columns=NUMERIC)
    poly = make_pipeline(StandardScaler(), PolynomialFeatures(degree=(2, 2), include_bias=False))
    expected = poly.fit(numbers[pair].iloc[train]).transform(numbers[pair].iloc[val])
    names = ["bill_length_mm^2", "bill_length_mm bill_depth_mm", "bill_depth_mm^2"]
    assert np.allclose(fitted.x_val[names].to_numpy(), expected, rtol=0, atol=1e-9)
    ratio = (numbers["bill_length_mm"] / numbers["bill_depth_mm"]).iloc[val]
    assert np.allclose(fitted.x_val["bill_length_mm_per_bill_depth_mm"], ratio, rtol=0, atol=1e-12)
    bins = KBinsDiscretizer(n_bins=4, encode="ordinal").fit(numbers[["body_mass_g"]].iloc[train])
    expected_bins = bins.transform(numbers[["body_mass_g"]].iloc[val])[:, 0]
    assert np.array_equal(fitted.x_val["body_mass_g_bin"].to_numpy(), expected_bins)


HAND_CHECKED_DATES = [
    ("2024-02-29", (2024, 2, 29, 3)),  # a leap day, Thursday
    ("1999-12-31", (1999, 12, 31, 4)),  # Friday
    ("2007-11-05", (2007, 11, 5, 0)),  # Monday
    ("2023-01-01", (2023, 1, 1, 6)),  # Sunday
    ("not a date", (np.nan, np.nan, np.nan, np.nan)),
]


@pytest.mark.parametrize(("text", "parts"), HAND_CHECKED_DATES)
def test_are_date_parts_year_month_day_and_weekday(text: str, parts: tuple) -> None:
    assert np.array_equal(date_parts([[text]])[0], np.array(parts, dtype=float), equal_nan=True)


def test_does_the_pipeline_add_date_part_columns_with_the_right_values() -> None:
    dates = [d for d, _ in HAND_CHECKED_DATES[:4]] * 6
    frame = pd.DataFrame({"when": dates, "x": range(24), "label": list("ab") * 12})
    fitted = fit_features(FeatureConfig(scaler="none", date_column="when"), frame, "label", 0)
    parts = ["when_year", "when_month", "when_day", "when_weekday"]
    assert fitted.feature_names == ["x", *parts]
    both = pd.concat([fitted.x_train, fitted.x_val])
    for row, values in both[parts].iterrows():
        assert tuple(values) == dict(HAND_CHECKED_DATES)[frame.loc[row, "when"]]


def messy_table() -> pd.DataFrame:
    """An upload-like table: an empty column, a yes/no column, gaps and a zero divisor."""
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "a": rng.normal(size=40),
            "b": np.where(np.arange(40) % 4 == 0, np.nan, rng.normal(size=40)),
            "zero": np.where(np.arange(40) % 5 == 0, 0.0, 1.0 + rng.random(40)),
            "empty": np.nan,
            "flag": np.arange(40) % 3 == 0,
            "label": list("xyz") * 13 + ["x"],
        }
    )


@pytest.mark.parametrize("imputer", ["mean", "median", "most_frequent", "knn", "iterative"])
def test_does_a_messy_table_give_finite_features_with_every_imputer(imputer: str) -> None:
    config = FeatureConfig(imputer=imputer, ratios=[("a", "zero")], polynomial=["a", "b"])
    fitted = fit_features(config, messy_table(), "label", seed=0)
    assert "empty" not in fitted.feature_names  # nothing to learn from
    assert {"flag_false", "flag_true", "a_per_zero", "a b"} <= set(fitted.feature_names)
    assert np.isfinite(fitted.x_train.to_numpy(float)).all()
    assert np.isfinite(fitted.x_val.to_numpy(float)).all()


def test_is_an_empty_column_refused_where_a_setting_needs_its_values() -> None:
    with pytest.raises(DataError, match="'empty' is empty, so bins"):
        fit_features(FeatureConfig(bins={"empty": 3}), messy_table(), "label", seed=0)


def test_does_a_new_name_that_clashes_get_prefixed_with_its_step() -> None:
    frame, target = load_table("wine")
    frame["proline_bin"] = 1.0
    fitted = fit_features(FeatureConfig(bins={"proline": 3}), frame, target, seed=0)
    assert "bins_0__proline_bin" in fitted.feature_names
    assert "scale_standard__proline_bin" in fitted.feature_names


@pytest.mark.parametrize(
    ("settings", "setting"),
    [
        ({"drop": ["nope"]}, "drop"),
        ({"scaling": {"nope": "robust"}}, "scaling"),
        ({"encoding": {"nope": "ordinal"}}, "encoding"),
        ({"polynomial": ["bill_length_mm", "nope"]}, "polynomial"),
        ({"ratios": [("nope", "bill_depth_mm")]}, "ratios"),
        ({"bins": {"nope": 3}}, "bins"),
        ({"date_column": "nope"}, "date_column"),
    ],
)
def test_is_an_unknown_column_refused_with_its_name(
    penguins: tuple[pd.DataFrame, str], settings: dict, setting: str
) -> None:
    frame, target = penguins
    with pytest.raises(DataError, match=f"no column 'nope' \\(named in {setting}\\)"):
        fit_features(FeatureConfig(**settings), frame, target, seed=0)


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"polynomial": ["island"]}, "'island' does not hold numbers"),
        ({"scaling": {"sex": "standard"}}, "'sex' does not hold numbers"),
        ({"encoding": {"year": "onehot"}, "bins": {"year": 3}}, "'year' does not hold numbers"),
        ({"drop": ["year"], "ratios": [("year", "body_mass_g")]}, "'year' is dropped"),
        ({"date_column": "island"}, "'island' holds no dates"),
    ],
)
def test_is_a_column_used_in_a_way_it_cannot_be_refused(
    penguins: tuple[pd.DataFrame, str], settings: dict, fragment: str
) -> None:
    frame, target = penguins
    with pytest.raises(DataError, match=fragment):
        fit_features(FeatureConfig(**settings), frame, target, seed=0)


@pytest.mark.parametrize(
    "settings",
    [{"scalr": "standard"}, {"scaler": "log"}, {"bins": {"year": 1}}, {"imputer": "zero"}],
)
def test_does_the_config_refuse_unknown_settings_and_values(settings: dict) -> None:
    with pytest.raises(ValidationError):
        FeatureConfig(**settings)


@pytest.mark.parametrize("scaler", ["standard", "minmax", "robust", "none"])
def test_do_before_and_after_lists_describe_the_training_rows(
    penguins: tuple[pd.DataFrame, str], scaler: str
) -> None:
    frame, target = penguins
    data = before_after(frame, target, "body_mass_g", scaler, seed=0)
    train, val, _ = split_rows(frame, target, seed=0)
    present = frame["body_mass_g"].iloc[train].dropna()
    assert data["before"] == present.tolist()
    assert len(data["after"]) == len(present)
    assert len(data["validation_after"]) == frame["body_mass_g"].iloc[val].notna().sum()
    after = np.array(data["after"])
    if scaler == "standard":
        assert abs(after.mean()) < 1e-9 and abs(after.std() - 1) < 1e-9
    elif scaler == "minmax":
        assert (after.min(), after.max()) == (0.0, 1.0)
    elif scaler == "robust":
        assert abs(np.median(after)) < 1e-9
    else:
        assert data["after"] == data["before"]


@pytest.mark.parametrize(("column", "fragment"), [("nope", "no feature"), ("island", "numbers")])
def test_does_before_after_refuse_a_missing_or_text_column(
    penguins: tuple[pd.DataFrame, str], column: str, fragment: str
) -> None:
    frame, target = penguins
    with pytest.raises(DataError, match=fragment):
        before_after(frame, target, column, "standard")
