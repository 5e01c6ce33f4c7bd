"""Rows held out of every split for a class challenge (see engine.holdout for the scoring).

A challenge run's spec names a ``holdout_seed``; while its data is built, ``split_indices``
leaves these rows out of training, validation and test alike, so nothing about them (labels,
scaler statistics, vocabulary) reaches the learner or the model. Scoring builds the same data
again with the held-out rows in the test part's place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

HOLDOUT_FRACTION = 0.2  # share of each dataset's rows kept back for the leaderboard


@dataclass(frozen=True)
class HoldoutRule:
    seed: int  # the challenge's id: each challenge holds out its own rows
    fraction: float = HOLDOUT_FRACTION
    as_test: bool = False  # scoring only: the held-out rows become the test part


_ACTIVE: ContextVar[HoldoutRule | None] = ContextVar("holdout_rule", default=None)


def holdout_rows(y: np.ndarray, seed: int, fraction: float = HOLDOUT_FRACTION) -> np.ndarray:
    """Sorted indices of the held-out rows: a stratified share of ``y``, fixed by ``seed``."""
    index = np.arange(len(y))
    _, held = train_test_split(index, test_size=fraction, stratify=y, random_state=seed)
    return np.sort(held)


def active_rule() -> HoldoutRule | None:
    """The rule for the data being built now, if it is a challenge run's."""
    return _ACTIVE.get()


@contextmanager
def holding_out(rule: HoldoutRule | None) -> Iterator[None]:
    """Build data under ``rule`` (None: the normal split)."""
    token = _ACTIVE.set(rule)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
