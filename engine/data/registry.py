"""Which builder makes which dataset."""

from __future__ import annotations

from collections.abc import Callable

from engine.data.audio import build_sounds
from engine.data.bundle import DataBundle, DataError
from engine.data.holdout_rows import HoldoutRule, holding_out
from engine.data.images import DIGIT_SUBSETS, build_digits
from engine.data.tabular import TABULAR_BUILDERS
from engine.data.text import build_competency_sentences
from engine.data.uploads import build_upload, upload_kind
from engine.spec import DATASET_KINDS, RunSpec

Builder = Callable[[RunSpec], DataBundle]


def _digits(spec: RunSpec) -> DataBundle:
    return build_digits(spec.dataset, spec.validation_fraction, spec.test_fraction, spec.seed)


BUILDERS: dict[str, Builder] = {name: _digits for name in DIGIT_SUBSETS}
BUILDERS.update(TABULAR_BUILDERS)  # penguins, wine, breast-cancer
BUILDERS["competency-sentences"] = build_competency_sentences
BUILDERS["sounds"] = build_sounds


def dataset_kind(name: str) -> str:
    """image, text, audio or tabular, for a built-in dataset or an upload."""
    if name in DATASET_KINDS:
        return DATASET_KINDS[name]
    if name.startswith("upload:"):
        return upload_kind(name)
    raise DataError(f"Unknown dataset {name!r}.")


def build_bundle(spec: RunSpec, holdout_as_test: bool = False) -> DataBundle:
    """The split data for a spec. A challenge run's (``spec.holdout_seed``) leaves the
    challenge's held-out rows out of every part; ``holdout_as_test`` puts them in the test
    part's place instead, for scoring (engine.holdout)."""
    if spec.dataset.startswith("upload:"):
        return build_upload(spec)
    builder = BUILDERS.get(spec.dataset)
    if builder is None:
        raise DataError(f"The dataset {spec.dataset!r} is not available on this server.")
    if spec.holdout_seed is None:
        return builder(spec)
    with holding_out(HoldoutRule(spec.holdout_seed, as_test=holdout_as_test)):
        return builder(spec)
