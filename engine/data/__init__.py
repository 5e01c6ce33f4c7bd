"""Every dataset the engine trains on, turned into a DataBundle for a spec."""

from __future__ import annotations

from engine.data.bundle import DataBundle, DataError, limit_training_rows
from engine.data.registry import build_bundle, dataset_kind
from engine.spec import RunSpec


def load_bundle(spec: RunSpec) -> DataBundle:
    """The split, preprocessed data for a run (few-label runs keep fewer training rows)."""
    bundle = build_bundle(spec)
    return limit_training_rows(bundle, spec.train_limit, spec.seed)


__all__ = ["DataBundle", "DataError", "dataset_kind", "load_bundle"]
