"""Feature selection: filter, wrapper and embedded methods agree with scikit-learn itself."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import (
    RFE,
    RFECV,
    SelectFromModel,
    SelectKBest,
    SequentialFeatureSelector,
    VarianceThreshold,
    f_classif,
    mutual_info_classif,
    r_regression,
)
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from engine.features.config import FeatureConfig
from engine.features.selection import SEQUENTIAL_MAX_K, low_variance_features, selection_curves
from engine.features.tables import load_table
from engine.features.transforms import FittedFeatures, fit_features


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """The references run single-threaded too: on tiny matrices BLAS threads only slow them."""
    with threadpool_limits(limits=1):
        yield


def fitted_table(name: str) -> FittedFeatures:
    frame, target = load_table(name)
    return fit_features(FeatureConfig(), frame, target, seed=0)


@pytest.fixture(scope="module")
def cancer() -> FittedFeatures:
    return fitted_table("breast-cancer")


@pytest.fixture(scope="module")
def cancer_curves(cancer: FittedFeatures) -> dict[str, Any]:
    return curves(cancer)


@pytest.fixture(scope="module")
def wine() -> FittedFeatures:
    return fitted_table("wine")


def curves(data: FittedFeatures, **options: Any) -> dict[str, Any]:
    return selection_curves(
        data.x_train, data.y_train, data.x_val, data.y_val, data.feature_names, seed=0, **options
    )


def logistic() -> LogisticRegression:
    return LogisticRegression(max_iter=2000)


def abs_r(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.abs(r_regression(x, y))


# What each method should pick at k, written as scikit-learn calls.
REFERENCES = {
    "correlation": lambda k: SelectKBest(abs_r, k=k),
    "anova_f": lambda k: SelectKBest(f_classif, k=k),
    "mutual_info": lambda k: SelectKBest(partial(mutual_info_classif, random_state=0), k=k),
    "rfe": lambda k: RFE(logistic(), n_features_to_select=k),
    "sequential": lambda k: SequentialFeatureSelector(logistic(), n_features_to_select=k, cv=3),
    "l1": lambda k: SelectFromModel(
        LogisticRegression(l1_ratio=1.0, solver="saga", C=0.5, max_iter=5000, random_state=0),
        threshold=-np.inf,
        max_features=k,
    ),
    "forest": lambda k: SelectFromModel(
        RandomForestClassifier(n_estimators=100, random_state=0), threshold=-np.inf, max_features=k
    ),
}
CASES = [(m, k) for m in REFERENCES for k in (1, 5, 20) if not (m == "sequential" and k > 3)]
CASES.append(("sequential", 3))


def point(result: dict[str, Any], method: str, k: int) -> dict[str, Any]:
    (found,) = [p for p in result["points"] if p["method"] == method and p["k"] == k]
    return found


def picked(data: FittedFeatures, support: np.ndarray) -> list[str]:
    return [n for n, s in zip(data.feature_names, support, strict=True) if s]


def reference_accuracy(data: FittedFeatures, support: np.ndarray) -> float:
    x_train, x_val = data.x_train.to_numpy(), data.x_val.to_numpy()
    model = logistic().fit(x_train[:, support], data.y_train)
    return float(model.score(x_val[:, support], data.y_val))


@pytest.mark.parametrize(("method", "k"), CASES)
def test_does_each_method_pick_what_sklearn_picks_and_score_it_alike(
    cancer: FittedFeatures, cancer_curves: dict[str, Any], method: str, k: int
) -> None:
    support = REFERENCES[method](k).fit(cancer.x_train.to_numpy(), cancer.y_train).get_support()
    found = point(cancer_curves, method, k)
    assert found["features"] == picked(cancer, support)
    assert abs(found["accuracy"] - reference_accuracy(cancer, support)) < 1e-9


@pytest.mark.parametrize(
    ("method", "k"), [("anova_f", 3), ("sequential", 4), ("l1", 6), ("rfe", 2)]
)
def test_do_methods_agree_with_sklearn_on_three_classes(
    wine: FittedFeatures, method: str, k: int
) -> None:
    result = curves(wine, ks=[k], methods=[method])
    support = REFERENCES[method](k).fit(wine.x_train.to_numpy(), wine.y_train).get_support()
    assert point(result, method, k)["features"] == picked(wine, support)


def test_does_rfecv_report_the_count_sklearn_settles_on(
    cancer: FittedFeatures, cancer_curves: dict[str, Any]
) -> None:
    search = RFECV(logistic(), cv=3).fit(cancer.x_train.to_numpy(), cancer.y_train)
    chosen = cancer_curves["rfecv"]
    assert chosen["n_features"] == search.n_features_
    assert chosen["features"] == picked(cancer, search.support_)
    assert chosen["cv_accuracy"] == search.cv_results_["mean_test_score"].tolist()


def test_is_the_all_features_accuracy_sklearns(
    cancer: FittedFeatures, cancer_curves: dict[str, Any]
) -> None:
    everything = np.ones(len(cancer.feature_names), dtype=bool)
    assert cancer_curves["all_features_accuracy"] == reference_accuracy(cancer, everything)


def test_is_there_one_point_per_k_per_method(cancer_curves: dict[str, Any]) -> None:
    methods = ["correlation", "anova_f", "mutual_info", "rfe", "sequential", "l1", "forest"]
    assert list(cancer_curves["best"]) == methods
    for method in methods:
        ks = [p["k"] for p in cancer_curves["points"] if p["method"] == method]
        limit = SEQUENTIAL_MAX_K if method == "sequential" else 30
        assert ks == [k for k in cancer_curves["ks"] if k <= limit]
    for found in cancer_curves["points"]:
        assert 0.0 <= found["accuracy"] <= 1.0
        assert len(found["features"]) == found["k"]


def test_is_the_best_k_the_fewest_features_reaching_the_top_accuracy(
    cancer_curves: dict[str, Any],
) -> None:
    for method, best in cancer_curves["best"].items():
        mine = [p for p in cancer_curves["points"] if p["method"] == method]
        top = max(p["accuracy"] for p in mine)
        assert best["accuracy"] == top
        assert best["k"] == min(p["k"] for p in mine if p["accuracy"] == top)


def test_are_the_curves_the_same_on_a_second_call(wine: FittedFeatures) -> None:
    assert curves(wine) == curves(wine)


def test_is_variance_ranking_sklearns_variance_threshold(wine: FittedFeatures) -> None:
    raw = wine.x_train.to_numpy() * np.arange(1, 14)  # unequal variances to rank
    result = selection_curves(
        raw, wine.y_train, wine.x_val, wine.y_val, wine.feature_names, ks=[4], methods=["variance"]
    )
    variances = VarianceThreshold().fit(raw).variances_
    top = sorted(np.argsort(variances)[-4:])
    assert point(result, "variance", 4)["features"] == [wine.feature_names[i] for i in top]


@pytest.mark.parametrize(
    ("methods", "fragment"),
    [(["correlation"], "two classes"), (["magic"], "unknown selection method")],
)
def test_are_unsuitable_methods_refused(wine: FittedFeatures, methods: list, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        curves(wine, ks=[2], methods=methods)


def test_does_the_variance_filter_name_constant_features() -> None:
    x = np.column_stack([np.ones(10), np.arange(10), np.zeros(10)])
    assert low_variance_features(x, ["one", "count", "zero"]) == ["one", "zero"]
    assert low_variance_features(np.ones((5, 2)), ["a", "b"]) == ["a", "b"]
