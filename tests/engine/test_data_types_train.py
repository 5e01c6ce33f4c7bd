"""Does a short run on each data type, with the model that suits it, beat chance by far?"""

from __future__ import annotations

import pytest

from engine.spec import RunSpec
from engine.trainer import SilentHooks, train


@pytest.mark.parametrize(
    ("dataset", "model", "epochs", "lr", "chance", "floor"),
    [
        ("digits", "cnn", 4, 0.003, 0.10, 0.85),
        ("competency-sentences", "dense", 6, 0.003, 1 / 6, 0.6),
        ("competency-sentences", "lstm", 6, 0.003, 1 / 6, 0.6),
        ("competency-sentences", "transformer", 6, 0.001, 1 / 6, 0.6),
        ("sounds", "cnn", 6, 0.003, 0.25, 0.6),
        ("penguins", "dense", 20, 0.01, 0.44, 0.85),  # chance: always guessing the biggest class
        ("wine", "dense", 20, 0.01, 0.40, 0.85),
        ("breast-cancer", "dense", 15, 0.003, 0.63, 0.85),
    ],
)
def test_does_each_data_type_train_well_above_chance(
    dataset, model, epochs, lr, chance, floor
) -> None:
    result = train(
        RunSpec(dataset=dataset, model=model, epochs=epochs, learning_rate=lr), SilentHooks()
    )
    assert result.status == "done"
    assert result.test_accuracy >= floor > chance
    assert result.dataset_hash  # every run records which data it used
