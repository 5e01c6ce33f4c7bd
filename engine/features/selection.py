"""Feature selection, three families on the same split: filter, wrapper and embedded.

Every method ranks the features once; the k best for each k are then scored the same
way (logistic regression trained on the training rows, accuracy on the validation rows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import (
    RFE,
    RFECV,
    SelectFromModel,
    SelectKBest,
    VarianceThreshold,
    f_classif,
    mutual_info_classif,
    r_regression,
)
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from threadpoolctl import threadpool_limits

CV_FOLDS = 3
FOREST_TREES = 100
L1_STRENGTH = 0.5  # C of the L1 model: smaller keeps fewer features
SEQUENTIAL_MAX_K = 10  # a forward search costs ~n_features * k * CV_FOLDS fits, so it stops here
DEFAULT_KS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50)
FAMILIES = {
    "variance": "filter",
    "correlation": "filter",
    "anova_f": "filter",
    "mutual_info": "filter",
    "rfe": "wrapper",
    "sequential": "wrapper",
    "l1": "embedded",
    "forest": "embedded",
}
Picker = Callable[[int], np.ndarray]  # k -> boolean support mask


def make_logistic() -> LogisticRegression:
    """The model every accuracy in this lab comes from."""
    return LogisticRegression(max_iter=2000)


def variance_scores(x: np.ndarray, _: np.ndarray) -> np.ndarray:
    """Training variance per feature (a score function for SelectKBest)."""
    try:
        variances: np.ndarray = VarianceThreshold().fit(x).variances_
        return variances
    except ValueError:  # every feature is constant: all rank alike
        return np.zeros(x.shape[1])


def abs_correlation(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """|Pearson r| of each feature with the label; meaningful for two classes only."""
    magnitudes: np.ndarray = np.abs(r_regression(x, y))
    return magnitudes


def default_methods(n_classes: int) -> list[str]:
    """Variance ranks standardised features all alike, so it is only offered on request."""
    filters = (
        ["correlation", "anova_f", "mutual_info"] if n_classes == 2 else ["anova_f", "mutual_info"]
    )
    return [*filters, "rfe", "sequential", "l1", "forest"]


def default_ks(n_features: int) -> list[int]:
    """Dense at small k, where the curve bends, and always the full count."""
    return sorted({k for k in DEFAULT_KS if k < n_features} | {n_features})


def filter_picker(score: Callable[..., Any], x: np.ndarray, y: np.ndarray) -> Picker:
    """SelectKBest scored once; changing k afterwards reuses the fitted scores."""
    selector = SelectKBest(score, k="all").fit(x, y)

    def pick(k: int) -> np.ndarray:
        support: np.ndarray = selector.set_params(k=k).get_support()
        return support

    return pick


def rfe_picker(x: np.ndarray, y: np.ndarray) -> Picker:
    """RFE down to one feature: ranking_ <= k is exactly what RFE stopping at k keeps."""
    ranking = RFE(make_logistic(), n_features_to_select=1).fit(x, y).ranking_
    return lambda k: ranking <= k


def forward_order(x: np.ndarray, y: np.ndarray, max_k: int) -> list[int]:
    """The order SequentialFeatureSelector(direction="forward", cv=3) adds features in.

    Same candidates, cross_val_score call and tie-break (first best) as scikit-learn's own
    step, run once to max_k instead of once per k; tests check it against the selector.
    """
    chosen: list[int] = []
    mask = np.zeros(x.shape[1], dtype=bool)
    for _ in range(min(max_k, x.shape[1])):
        scores = {}
        for candidate in np.flatnonzero(~mask):
            trial = mask.copy()
            trial[candidate] = True
            scores[candidate] = cross_val_score(make_logistic(), x[:, trial], y, cv=CV_FOLDS).mean()
        best = max(scores, key=lambda i: scores[i])
        mask[best] = True
        chosen.append(int(best))
    return chosen


def sequential_picker(x: np.ndarray, y: np.ndarray, max_k: int) -> Picker:
    """Forward selection: the first k features of the greedy order."""
    order = forward_order(x, y, max_k)

    def pick(k: int) -> np.ndarray:
        mask = np.zeros(x.shape[1], dtype=bool)
        mask[order[:k]] = True
        return mask

    return pick


def l1_model(seed: int) -> LogisticRegression:
    """Logistic regression with an L1 penalty, which drives weak features' weights to 0."""
    # saga: the solver that does L1 with more than two classes.
    return LogisticRegression(
        l1_ratio=1.0, solver="saga", C=L1_STRENGTH, max_iter=5000, random_state=seed
    )


def forest_model(seed: int) -> RandomForestClassifier:
    """A small seeded forest; its impurity importances rank the features."""
    return RandomForestClassifier(n_estimators=FOREST_TREES, random_state=seed, n_jobs=1)


def model_picker(model: Any, x: np.ndarray, y: np.ndarray) -> Picker:
    """SelectFromModel on one fitted model: the k largest |coefficients| or importances."""
    model.fit(x, y)

    def pick(k: int) -> np.ndarray:
        selector = SelectFromModel(model, prefit=True, threshold=-np.inf, max_features=k)
        support: np.ndarray = selector.get_support()
        return support

    return pick


def make_picker(method: str, x: np.ndarray, y: np.ndarray, seed: int, max_k: int) -> Picker:
    """Rank the features once by ``method``; the picker then returns the k best."""
    if method == "correlation" and len(np.unique(y)) != 2:
        raise ValueError("correlation with the label only makes sense for two classes")
    filters = {
        "variance": variance_scores,
        "correlation": abs_correlation,
        "anova_f": f_classif,
        "mutual_info": partial(mutual_info_classif, random_state=seed),
    }
    if method in filters:
        return filter_picker(filters[method], x, y)
    if method == "rfe":
        return rfe_picker(x, y)
    if method == "sequential":
        return sequential_picker(x, y, max_k)
    if method in ("l1", "forest"):
        return model_picker(l1_model(seed) if method == "l1" else forest_model(seed), x, y)
    raise ValueError(f"unknown selection method {method!r}; choose from {sorted(FAMILIES)}")


def rfecv_choice(x: np.ndarray, y: np.ndarray, names: Sequence[str]) -> dict[str, Any]:
    """How many features RFECV (3-fold) settles on, which, and its CV score per count."""
    search = RFECV(make_logistic(), cv=CV_FOLDS).fit(x, y)
    return {
        "n_features": int(search.n_features_),
        "features": [names[int(i)] for i in np.flatnonzero(search.support_)],
        "cv_accuracy": [float(s) for s in search.cv_results_["mean_test_score"]],
    }


@dataclass(frozen=True)
class Split:
    """The training and validation parts every method is scored on."""

    x_train: np.ndarray  # (n_train, n_features)
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray

    def accuracy(self, mask: np.ndarray) -> float:
        """Validation accuracy of logistic regression on the masked features."""
        model = make_logistic().fit(self.x_train[:, mask], self.y_train)
        return float(model.score(self.x_val[:, mask], self.y_val))


def selection_curves(
    x_train: Any,
    y_train: Any,
    x_val: Any,
    y_val: Any,
    feature_names: Sequence[str],
    ks: Sequence[int] | None = None,
    seed: int = 0,
    methods: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Validation accuracy against number of features, per method, and what each picked.

    Plain data: ``points`` holds one {method, family, k, accuracy, features} per method and
    k (the forward search stops at SEQUENTIAL_MAX_K); ``best`` the best k per method
    (fewest features on a tie); ``rfecv`` the count RFECV settles on.
    """
    split = Split(
        np.asarray(x_train, dtype=float),
        np.asarray(y_train),
        np.asarray(x_val, dtype=float),
        np.asarray(y_val),
    )
    names = [str(n) for n in feature_names]
    counts = sorted({int(k) for k in (ks or default_ks(len(names))) if 1 <= k <= len(names)})
    if not counts:
        raise ValueError(f"ks must hold feature counts between 1 and {len(names)}")
    chosen = list(methods or default_methods(len(np.unique(split.y_train))))
    # The matrices are tiny: BLAS threads cost far more than they save (measured ~40x).
    with threadpool_limits(limits=1):
        points = curve_points(split, names, counts, seed, chosen)
        rfecv = rfecv_choice(split.x_train, split.y_train, names)
        everything = split.accuracy(np.ones(len(names), dtype=bool))
    return {
        "ks": counts,
        "points": points,
        "best": best_per_method(points),
        "rfecv": rfecv,
        "all_features_accuracy": everything,
    }


def curve_points(
    split: Split, names: list[str], ks: list[int], seed: int, methods: list[str]
) -> list[dict[str, Any]]:
    """One {method, family, k, accuracy, features} per method and k it covers."""
    points: list[dict[str, Any]] = []
    scored: dict[bytes, float] = {}  # methods often agree on a set; score it once
    for method in methods:
        limit = SEQUENTIAL_MAX_K if method == "sequential" else len(names)
        covered = [k for k in ks if k <= limit]
        if not covered:
            continue
        pick = make_picker(method, split.x_train, split.y_train, seed, max(covered))
        for k in covered:
            mask = np.asarray(pick(k), dtype=bool)
            key = mask.tobytes()
            if key not in scored:
                scored[key] = split.accuracy(mask)
            features = [names[i] for i in np.flatnonzero(mask)]
            family = FAMILIES[method]
            points.append(
                {
                    "method": method,
                    "family": family,
                    "k": k,
                    "accuracy": scored[key],
                    "features": features,
                }
            )
    return points


def best_per_method(points: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The highest validation accuracy per method; the fewest features on a tie."""
    best: dict[str, dict[str, Any]] = {}
    for point in points:
        held = best.get(point["method"])
        if held is None or point["accuracy"] > held["accuracy"]:
            best[point["method"]] = {k: point[k] for k in ("k", "accuracy", "features")}
    return best


def low_variance_features(
    x: Any, feature_names: Sequence[str], threshold: float = 0.0
) -> list[str]:
    """Features VarianceThreshold would remove (training variance <= threshold)."""
    try:
        selector = VarianceThreshold(threshold=threshold).fit(np.asarray(x, dtype=float))
    except ValueError:  # scikit-learn refuses when no feature is above the threshold
        return [str(n) for n in feature_names]
    return [
        str(n) for n, keep in zip(feature_names, selector.get_support(), strict=True) if not keep
    ]
