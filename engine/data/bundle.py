"""The shape every dataset takes for training, and the split all datasets share."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from engine.data.holdout_rows import active_rule, holdout_rows


class DataError(ValueError):
    """Data that cannot be trained on, with a message for the learner (which column, row...)."""


class FixableDataError(DataError):
    """A refusal the app can mend for the learner; ``fix`` names how (see engine.data.csv_fixes)."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


@dataclass(frozen=True)
class DataBundle:
    """Numeric arrays for one run, already split; the test part is never trained on.

    x arrays: image (N, C, H, W) float32 in [0, 1]; audio (N, 1, F, T) float32 features;
    text (N, L) int64 token ids (0 = padding); tabular (N, D) float32. y: int64 class ids.
    """

    kind: str  # image | text | audio | tabular
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    content_hash: str  # of the raw data before the split, so runs can be traced to it
    info: dict[str, Any] = field(default_factory=dict)  # vocab_size, feature_names, ...

    @classmethod
    def from_split(
        cls,
        kind: str,
        x: np.ndarray,
        y: np.ndarray,
        parts: tuple[np.ndarray, np.ndarray, np.ndarray],
        class_names: tuple[str, ...] | list[str],
        data_hash: str,
        info: dict[str, Any] | None = None,
    ) -> DataBundle:
        """A bundle from whole arrays and the (train, val, test) row indices of a split."""
        train, val, test = parts
        return cls(
            kind,
            x[train],
            y[train],
            x[val],
            y[val],
            x[test],
            y[test],
            tuple(class_names),
            data_hash,
            info or {},
        )

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


def content_hash(*parts: Any) -> str:
    """A short sha256 of arrays, bytes or strings (shape included for arrays)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, np.ndarray):
            digest.update(str(part.shape).encode())
            digest.update(np.ascontiguousarray(part).tobytes())
        elif isinstance(part, bytes):
            digest.update(part)
        else:
            digest.update(str(part).encode())
    return digest.hexdigest()[:16]


def split_indices(
    y: np.ndarray, validation_fraction: float, test_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stratified train / validation / test row indices; refuses data too small to split.

    For a class challenge's run (engine.data.holdout_rows) the challenge's held-out rows are
    left out of all three parts first; when scoring, they are returned as the test part."""
    rule = active_rule()
    index = np.arange(len(y))
    if rule is not None:
        held = holdout_rows(y, rule.seed, rule.fraction)
        index = np.setdiff1d(index, held)
    classes, counts = np.unique(y[index], return_counts=True)
    if len(classes) < 2:
        raise DataError("Every example has the same label: a model needs at least two classes.")
    if counts.min() < 3:
        rare = classes[counts.argmin()]
        raise DataError(
            f"The class {rare!r} has only {counts.min()} example(s); each class "
            "needs at least 3 so it can appear in training, validation and test."
        )
    rest, test = train_test_split(
        index, test_size=test_fraction, stratify=y[index], random_state=seed
    )
    val_share = validation_fraction / (1.0 - test_fraction)
    train, val = train_test_split(rest, test_size=val_share, stratify=y[rest], random_state=seed)
    if len(train) == 0 or len(val) == 0:
        raise DataError("The split leaves no rows for training or validation.")
    if rule is not None and rule.as_test:
        test = held
    return train, val, test


def limit_training_rows(bundle: DataBundle, limit: int | None, seed: int) -> DataBundle:
    """Keep only ``limit`` training examples (stratified), for few-label experiments."""
    if limit is None or limit >= len(bundle.y_train):
        return bundle
    keep, _ = train_test_split(
        np.arange(len(bundle.y_train)), train_size=limit, stratify=bundle.y_train, random_state=seed
    )
    keep = np.sort(keep)
    return DataBundle(
        bundle.kind,
        bundle.x_train[keep],
        bundle.y_train[keep],
        bundle.x_val,
        bundle.y_val,
        bundle.x_test,
        bundle.y_test,
        bundle.class_names,
        bundle.content_hash,
        {**bundle.info, "train_limit": limit},
    )
