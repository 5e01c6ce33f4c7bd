"""Image datasets: scikit-learn's 8x8 digits, and subsets of them for transfer learning."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from sklearn.datasets import load_digits

from engine.data.bundle import DataBundle, content_hash, split_indices

DIGIT_SUBSETS = {
    "digits": tuple(range(10)),
    "digits-0-4": (0, 1, 2, 3, 4),
    "digits-5-9": (5, 6, 7, 8, 9),
}


@lru_cache(maxsize=1)
def load_digits_images() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 digit images bundled with scikit-learn, shape (N, 1, 8, 8) in [0, 1]."""
    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)[:, None, :, :]
    return images, bunch.target.astype(np.int64)


def build_digits(
    name: str, validation_fraction: float, test_fraction: float, seed: int
) -> DataBundle:
    """The digits (or a subset) split; subset labels are renumbered from 0."""
    x, y = load_digits_images()
    digits = DIGIT_SUBSETS[name]
    keep = np.isin(y, digits)
    x, y = x[keep], np.searchsorted(np.array(digits), y[keep]).astype(np.int64)
    train, val, test = split_indices(y, validation_fraction, test_fraction, seed)
    return DataBundle.from_split(
        "image", x, y, (train, val, test), tuple(str(d) for d in digits), content_hash(x, y)
    )
