"""Is the engine's CNN the one a practitioner builds for 8x8 digits, and does it learn them?"""

from __future__ import annotations

from torch import nn

from engine.data import load_bundle
from engine.networks import build_model
from engine.spec import example_spec
from engine.trainer import SilentHooks, train
from labs.first_network import DEFAULT_SPEC, reached_validation_target

CNN = example_spec("digits-cnn").model_copy(update={"device": "cpu"})
# The first lab's hint "switch the model to CNN", followed alone.
FIRST_LAB_CNN = DEFAULT_SPEC.model_copy(update={"model": "cnn", "device": "cpu"})


def test_the_default_cnn_is_two_padded_convolutions_a_pool_dropout_and_a_dense_layer() -> None:
    features = build_model(CNN, load_bundle(CNN)).features
    convs = [m for m in features.modules() if isinstance(m, nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size, c.padding) for c in convs] == [
        (1, 32, (3, 3), (1, 1)),  # padding 1 keeps the 8x8 picture
        (32, 64, (3, 3), (1, 1)),
    ]
    assert sum(isinstance(m, nn.MaxPool2d) for m in features.modules()) == 1
    assert any(isinstance(m, nn.Dropout) for m in features.modules())
    [dense] = [m for m in features.modules() if isinstance(m, nn.Linear)]
    assert dense.in_features == 64 * 4 * 4  # 64 maps of 4x4 after the pool


def test_switching_the_first_lab_to_cnn_alone_passes_with_real_training() -> None:
    result = train(FIRST_LAB_CNN, SilentHooks())  # the real 60/20/20 split of 1,797 digits
    assert result.status == "done"
    assert result.val_accuracy >= 0.965, result.val_accuracy  # the tested model: 97.8% measured
    assert result.test_accuracy >= 0.95, result.test_accuracy  # 96.1% measured
    assert reached_validation_target({"status": result.status, "result": result.as_dict()})


def test_do_the_first_labs_starting_settings_fall_short_of_the_target() -> None:
    result = train(DEFAULT_SPEC.model_copy(update={"device": "cpu"}), SilentHooks())
    assert result.status == "done"
    assert result.val_accuracy < 0.95, result.val_accuracy  # 93.6% measured: one change needed
    assert not reached_validation_target({"status": result.status, "result": result.as_dict()})
