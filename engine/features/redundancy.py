"""Redundant features (strongly correlated pairs) and leaking ones (one feature alone
predicts the label almost perfectly): the critical-thinking half of the lab."""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier

from engine.data.tabular import column_types
from engine.features.tables import encode_labels, split_rows
from engine.features.transforms import bools_as_text, make_encoder

SUSPICIOUS_ACCURACY = 0.97  # real single measurements on the bundled tables stay below ~0.93


def correlation_matrix(frame: pd.DataFrame, target: str | None = None) -> pd.DataFrame:
    """Pearson correlation between the number columns (pass encoded features for categories)."""
    numbers = frame.drop(columns=[target]) if target in frame.columns else frame
    numeric, _ = column_types(numbers)
    return numbers[numeric].corr()


def correlation_cells(matrix: pd.DataFrame) -> list[dict[str, Any]]:
    """Long-form cells {x, y, r} for a heatmap; a constant column's r is None."""
    return [
        {"x": str(a), "y": str(b), "r": None if pd.isna(r) else float(r)}
        for a in matrix.columns
        for b, r in matrix[a].items()
    ]


def redundant_pairs(
    frame: pd.DataFrame, threshold: float = 0.9, target: str | None = None
) -> list[tuple[str, str, float]]:
    """Pairs with |r| above ``threshold``, strongest first: (a, b, r), each pair once."""
    matrix = correlation_matrix(frame, target)
    upper = np.triu(np.ones(matrix.shape, dtype=bool), k=1)  # above the diagonal: no self, no twin
    stacked = matrix.where(upper).stack()
    assert isinstance(stacked, pd.Series)  # one level of columns: a Series by (a, b)
    cells = stacked.dropna()
    strong = cells[cells.abs() > threshold]
    pairs = [(str(a), str(b), float(r)) for (a, b), r in zip(strong.index, strong, strict=True)]
    return sorted(pairs, key=lambda p: (-abs(p[2]), p[0], p[1]))


def single_feature_model(column: str, is_number: bool, seed: int) -> Any:
    """A depth-2 tree on one column: enough to read a label off a few thresholds."""
    if is_number:
        prepare: Any = SimpleImputer(strategy="median", keep_empty_features=True)
    else:
        prepare = make_pipeline(SimpleImputer(strategy="most_frequent"), make_encoder("onehot"))
    only = ColumnTransformer([("one", prepare, [column])])
    return make_pipeline(only, DecisionTreeClassifier(max_depth=2, random_state=seed))


def single_feature_scores(
    frame: pd.DataFrame, target: str, seed: int = 0
) -> list[tuple[str, float]]:
    """Validation accuracy of each feature on its own, highest first (the engine's split)."""
    y, _ = encode_labels(frame, target)
    train, val, _ = split_rows(frame, target, seed)
    features = bools_as_text(frame.drop(columns=[target]))
    numeric, _ = column_types(features)
    scores = []
    for column in (str(c) for c in features.columns):
        model = single_feature_model(column, column in numeric, seed)
        model.fit(features.iloc[train], y[train])
        scores.append((column, float(model.score(features.iloc[val], y[val]))))
    return sorted(scores, key=lambda s: (-s[1], s[0]))


def leak_suspects(
    frame: pd.DataFrame, target: str, seed: int = 0, threshold: float = SUSPICIOUS_ACCURACY
) -> list[tuple[str, float]]:
    """Features that alone predict the label at ``threshold`` or better, highest first."""
    return [s for s in single_feature_scores(frame, target, seed) if s[1] >= threshold]


def _normalised(name: str) -> str:
    """Letters and digits only, case-folded: "Lab Record Code" == "lab_record_code"."""
    return "".join(c for c in unicodedata.normalize("NFKC", name).casefold() if c.isalnum())


def check_leak_answer(answer: str, leak_name: str) -> bool:
    """Did the learner name the leaking column (ignoring case, spaces, _ and -)?"""
    wanted = _normalised(leak_name)
    return bool(wanted) and _normalised(answer or "") == wanted
