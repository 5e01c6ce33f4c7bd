"""How good a feature set is: validation accuracy of one logistic regression, and a
before/after comparison for objectives such as "fewer features, no loss of accuracy"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from threadpoolctl import threadpool_limits

from engine.features.config import FeatureConfig
from engine.features.selection import make_logistic, selection_curves
from engine.features.transforms import FittedFeatures, fit_features


def score_fitted(fitted: FittedFeatures) -> float:
    """Logistic regression trained on the transformed training rows, scored on validation."""
    # Tiny matrices: BLAS threads only add overhead here.
    with threadpool_limits(limits=1):
        model = make_logistic().fit(fitted.x_train.to_numpy(float), fitted.y_train)
        return float(model.score(fitted.x_val.to_numpy(float), fitted.y_val))


def validation_accuracy(
    config: FeatureConfig, frame: pd.DataFrame, target: str, seed: int = 0
) -> float:
    """Validation accuracy of the feature set ``config`` makes from ``frame``."""
    return score_fitted(fit_features(config, frame, target, seed))


def compare(
    before_config: FeatureConfig,
    after_config: FeatureConfig,
    frame: pd.DataFrame,
    target: str,
    seed: int = 0,
) -> dict[str, Any]:
    """Both feature sets on the same split: accuracy and feature count of each, and the change."""
    results = {}
    for label, config in (("before", before_config), ("after", after_config)):
        fitted = fit_features(config, frame, target, seed)
        results[label] = {"accuracy": score_fitted(fitted), "n_features": len(fitted.feature_names)}
    return {
        **results,
        "accuracy_change": results["after"]["accuracy"] - results["before"]["accuracy"],
        "feature_change": results["after"]["n_features"] - results["before"]["n_features"],
    }


def curves_for_table(
    config: FeatureConfig,
    frame: pd.DataFrame,
    target: str,
    seed: int = 0,
    ks: Sequence[int] | None = None,
    methods: Sequence[str] | None = None,
) -> dict[str, Any]:
    """selection_curves on the features ``config`` makes, with the engine's split."""
    fitted = fit_features(config, frame, target, seed)
    return selection_curves(
        fitted.x_train,
        fitted.y_train,
        fitted.x_val,
        fitted.y_val,
        fitted.feature_names,
        ks,
        seed,
        methods,
    )
