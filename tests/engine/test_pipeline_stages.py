"""Does each stage do what scikit-learn or pandas called directly does, and does a failing
stage say which stage, which column and which rows?"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.stats import zscore
from sklearn.impute import KNNImputer, SimpleImputer
from sklearn.preprocessing import (
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
)

from engine.pipeline.errors import PipelineError
from engine.pipeline.pipeline_spec import parse_pipeline
from engine.pipeline.stages import PREVIEW_ROWS, run_pipeline

ROWS = 40
PENGUINS = [{"kind": "bundled", "name": "penguins"}]  # not read: these tests pass a frame


def sample() -> pd.DataFrame:
    """Numbers with gaps and two far-out values, a text column with gaps; rows from 2."""
    rng = np.random.default_rng(7)
    score = rng.normal(60, 10, ROWS).round(1)
    score[[3, 11, 25]] = np.nan
    minutes = rng.integers(10, 90, ROWS).astype(float)
    minutes[[5, 30]] = [900.0, 1440.0]
    school = pd.Series(rng.choice(["North", "South", "East"], ROWS), dtype="str")
    school[[2, 9]] = np.nan
    frame = pd.DataFrame({"score": score, "minutes": minutes, "school": school})
    frame.index = pd.RangeIndex(2, ROWS + 2)
    return frame


def run(stages: list[dict[str, Any]], frame: pd.DataFrame | None = None) -> pd.DataFrame:
    spec = parse_pipeline({"name": "t", "sources": PENGUINS, "stages": stages})
    return run_pipeline(spec, sample() if frame is None else frame)[0]


def column(values: np.ndarray, frame: pd.DataFrame) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float).ravel(), index=frame.index)


# --- cleaning ----------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["mean", "median", "most_frequent"])
def test_does_imputation_match_simple_imputer(strategy: str) -> None:
    frame = sample()
    out = run([{"step": "impute", "columns": {"score": strategy}}])
    expected = SimpleImputer(strategy=strategy).fit_transform(frame[["score"]])
    pd.testing.assert_series_equal(out["score"], column(expected, frame), check_names=False)
    pd.testing.assert_series_equal(out["minutes"], frame["minutes"])  # others untouched


@pytest.mark.parametrize(
    ("rule", "filled"),
    [("most_frequent", None), ({"strategy": "constant", "value": "unknown"}, "unknown")],
)
def test_are_text_gaps_filled(rule: Any, filled: str | None) -> None:
    frame = sample()
    out = run([{"step": "impute", "columns": {"school": rule}}])
    expected = filled or frame["school"].value_counts().sort_index().idxmax()
    assert out.loc[[4, 11], "school"].tolist() == [expected, expected]
    assert out["school"].notna().all()


def test_does_knn_imputation_match_knn_imputer_over_the_number_columns() -> None:
    frame = sample()
    out = run([{"step": "impute", "columns": {"score": "knn"}, "knn_neighbors": 3}])
    expected = KNNImputer(n_neighbors=3).fit_transform(frame[["score", "minutes"]])[:, 0]
    pd.testing.assert_series_equal(out["score"], column(expected, frame), check_names=False)


def test_does_drop_remove_exactly_the_rows_with_a_gap() -> None:
    out = run([{"step": "impute", "columns": {"score": "drop", "school": "drop"}}])
    pd.testing.assert_frame_equal(out, sample().dropna(subset=["score", "school"]))


@pytest.mark.parametrize(("method", "limit"), [("iqr", 1.5), ("iqr", 3.0), ("zscore", 2.0)])
def test_are_outliers_clipped_to_the_bounds_numpy_and_scipy_give(method: str, limit: float) -> None:
    frame = sample()
    stage = {"step": "outliers", "columns": ["minutes"], "method": method, "threshold": limit}
    out = run([stage])
    values = frame["minutes"].to_numpy()
    if method == "iqr":
        q1, q3 = np.percentile(values, [25, 75])
        low, high = q1 - limit * (q3 - q1), q3 + limit * (q3 - q1)
        assert (values > high).sum() == 2  # the two planted values
    else:
        low = values.mean() - limit * values.std()
        high = values.mean() + limit * values.std()
        assert ((np.abs(zscore(values)) > limit) == ((values < low) | (values > high))).all()
    np.testing.assert_allclose(out["minutes"].to_numpy(), np.clip(values, low, high))


def test_does_outlier_removal_drop_the_flagged_rows_and_report_them() -> None:
    spec = parse_pipeline(
        {
            "name": "t",
            "sources": PENGUINS,
            "stages": [{"step": "outliers", "columns": ["minutes"], "action": "remove"}],
        }
    )
    out, [report] = run_pipeline(spec, sample())
    flagged = report.details["flagged"]["minutes"]
    assert flagged["rows"] == [7, 32] and flagged["values"] == [900.0, 1440.0]
    assert report.details["removed_rows"] == [7, 32]
    assert 7 not in out.index and len(out) == ROWS - 2


@pytest.mark.parametrize("subset", [None, ["school"]])
def test_does_deduplication_match_drop_duplicates(subset: list[str] | None) -> None:
    frame = pd.concat([sample(), sample().iloc[:5]])
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    out = run([{"step": "deduplicate", "subset": subset}], frame)
    pd.testing.assert_frame_equal(out, frame.drop_duplicates(subset=subset, keep="first"))


FIXES = {
    "whole numbers": ([" 12", "7", None], "int", pd.array([12, 7, None], dtype="Int64")),
    "decimals": (["1.5", "-2", None], "float", pd.array([1.5, -2.0, np.nan], dtype="float64")),
    "dates": (
        ["2026-03-01", "2026-03-02 10:30", None],
        "datetime",
        pd.to_datetime(pd.Series(["2026-03-01", "2026-03-02 10:30", None]), format="ISO8601").array,
    ),
    "categories": (["a", "b", "a"], "category", pd.Categorical(["a", "b", "a"])),
    "text": ([1.0, 2.5, None], "string", pd.array(["1.0", "2.5", np.nan], dtype="str")),
}


@pytest.mark.parametrize(("values", "kind", "expected"), FIXES.values(), ids=FIXES.keys())
def test_does_a_type_fix_convert_a_column(values: list, kind: str, expected: Any) -> None:
    frame = pd.DataFrame({"value": pd.Series(values, dtype=object), "other": [1, 2, 3]})
    out = run([{"step": "fix_types", "columns": {"value": kind}}], frame)
    pd.testing.assert_series_equal(
        out["value"].reset_index(drop=True), pd.Series(expected, name="value")
    )


def test_does_a_failed_type_fix_name_the_stage_column_rows_and_values() -> None:
    frame = pd.DataFrame(
        {"score": ["12", "n/a", "15", "twelve"], "name": ["a", "b", "c", "d"]}, index=[3, 4, 9, 17]
    )
    stages = [
        {"step": "deduplicate"},
        {"step": "impute", "columns": {"name": "most_frequent"}},
        {"step": "fix_types", "columns": {"score": "float"}},
    ]
    with pytest.raises(PipelineError) as caught:
        run(stages, frame)
    error = caught.value
    assert str(error).startswith(
        "Stage 3 (fix types): column 'score' has values that are not numbers in "
        "rows 4, 17: 'n/a', 'twelve'."
    )
    assert (error.stage, error.step, error.column, error.rows) == (3, "fix_types", "score", [4, 17])


def test_does_a_lenient_type_fix_blank_the_bad_values_and_report_them() -> None:
    frame = pd.DataFrame({"score": ["12", "twelve", "2.5"], "name": ["a", "b", "c"]})
    spec = parse_pipeline(
        {
            "name": "t",
            "sources": PENGUINS,
            "stages": [{"step": "fix_types", "columns": {"score": "int"}, "invalid": "missing"}],
        }
    )
    out, [report] = run_pipeline(spec, frame)
    assert out["score"].tolist()[0] == 12 and out["score"].isna().tolist() == [False, True, True]
    assert report.details["blanked"] == {"score": [1, 2]}  # 2.5 is not a whole number


# --- transformation ----------------------------------------------------------------------

SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler}


@pytest.mark.parametrize("method", SCALERS)
def test_does_scaling_match_the_scikit_learn_scaler(method: str) -> None:
    frame = sample()
    out = run([{"step": "scale", "columns": ["minutes"], "method": method}])
    expected = SCALERS[method]().fit_transform(frame[["minutes"]])
    pd.testing.assert_series_equal(out["minutes"], column(expected, frame), check_names=False)
    assert list(out.columns) == list(frame.columns)


def test_does_one_hot_encoding_match_the_encoder() -> None:
    frame = sample().dropna(subset=["school"])
    out = run([{"step": "encode", "columns": ["school"]}], frame)
    encoder = OneHotEncoder(sparse_output=False).fit(frame[["school"]])
    names = list(encoder.get_feature_names_out())
    assert names == ["school_East", "school_North", "school_South"]
    np.testing.assert_array_equal(out[names].to_numpy(), encoder.transform(frame[["school"]]))
    assert list(out.columns) == [*names, "score", "minutes"]


def test_does_ordinal_encoding_match_the_encoder_and_keep_the_column_in_place() -> None:
    frame = sample().dropna(subset=["school"])
    out = run([{"step": "encode", "columns": ["school"], "method": "ordinal"}], frame)
    expected = OrdinalEncoder().fit_transform(frame[["school"]])
    pd.testing.assert_series_equal(out["school"], column(expected, frame), check_names=False)
    assert list(out.columns) == list(frame.columns)


ORDER_ERRORS = {
    "scaling before imputing": (
        [{"step": "scale", "columns": ["score"]}],
        "Stage 1 (scale): column 'score' still has missing values in rows 5, 13, 27",
        [5, 13, 27],
    ),
    "encoding before imputing": (
        [{"step": "encode", "columns": ["school"]}],
        "Stage 1 (encode): column 'school' still has missing values in rows 4, 11",
        [4, 11],
    ),
    "averaging text": (
        [{"step": "impute", "columns": {"school": "mean"}}],
        "Stage 1 (impute missing values): column 'school' holds str values, not numbers",
        [],
    ),
    "outliers in text": (
        [{"step": "deduplicate"}, {"step": "outliers", "columns": ["school"]}],
        "Stage 2 (outliers): column 'school'",
        [],
    ),
    "a column that is not there": (
        [{"step": "scale", "columns": ["grade"]}],
        "Stage 1 (scale): there is no column 'grade' at this point",
        [],
    ),
    "a number fill for text": (
        [{"step": "impute", "columns": {"school": {"strategy": "constant", "value": 0}}}],
        "Stage 1 (impute missing values): column 'school' holds text",
        [],
    ),
}


@pytest.mark.parametrize(
    ("stages", "start", "rows"), ORDER_ERRORS.values(), ids=ORDER_ERRORS.keys()
)
def test_does_a_stage_in_the_wrong_order_say_what_is_missing(
    stages: list[dict[str, Any]], start: str, rows: list[int]
) -> None:
    with pytest.raises(PipelineError) as caught:
        run(stages)
    assert str(caught.value).startswith(start), str(caught.value)
    assert caught.value.rows == rows


def test_does_the_target_stage_drop_rows_without_a_label() -> None:
    out = run([{"step": "target", "column": "school"}])
    assert out["school"].notna().all() and len(out) == ROWS - 2


def test_is_there_a_report_and_a_snapshot_after_every_stage() -> None:
    stages = [
        {"step": "impute", "columns": {"score": "median", "school": "most_frequent"}},
        {"step": "outliers", "columns": ["minutes"], "action": "remove"},
        {"step": "scale", "columns": ["score", "minutes"]},
        {"step": "encode", "columns": ["school"]},
    ]
    spec = parse_pipeline({"name": "t", "sources": PENGUINS, "stages": stages})
    out, reports = run_pipeline(spec, sample())
    assert [r.title for r in reports] == [
        "Stage 1 (impute missing values)",
        "Stage 2 (outliers)",
        "Stage 3 (scale)",
        "Stage 4 (encode)",
    ]
    assert [r.shape for r in reports] == [(40, 3), (38, 3), (38, 3), (38, 5)]
    assert reports[0].details["filled"] == {"score": 3, "school": 2}
    pd.testing.assert_frame_equal(reports[-1].preview, out.head(PREVIEW_ROWS))
    assert reports[0].preview["score"].notna().all()  # the snapshot is of that stage's output
    assert reports[0].as_dict()["rows_after"] == 40
