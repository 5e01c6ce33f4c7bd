"""Datasets the engine can train on, split reproducibly and identified by a content hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@dataclass(frozen=True)
class Split:
    """Arrays for one run: images are (N, 1, H, W) float32 in [0, 1], labels int64."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    content_hash: str


@lru_cache(maxsize=1)
def load_digits_images() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 digit images bundled with scikit-learn, shape (N, 1, 8, 8)."""
    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)[:, None, :, :]
    return images, bunch.target.astype(np.int64)


def content_hash(*arrays: np.ndarray) -> str:
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(str(array.shape).encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:16]


def dataset_size(name: str) -> int:
    if name == "digits":
        return len(load_digits_images()[1])
    raise KeyError(name)


def split_dataset(name: str, validation_fraction: float, test_fraction: float, seed: int) -> Split:
    """Stratified train / validation / test split; the test part is never trained on."""
    if name != "digits":
        raise KeyError(f"unknown dataset {name!r}")
    x, y = load_digits_images()
    x_rest, x_test, y_rest, y_test = train_test_split(
        x, y, test_size=test_fraction, stratify=y, random_state=seed
    )
    val_share = validation_fraction / (1.0 - test_fraction)
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=val_share, stratify=y_rest, random_state=seed
    )
    names = tuple(str(d) for d in range(10))
    return Split(x_train, y_train, x_val, y_val, x_test, y_test, names, content_hash(x, y))
