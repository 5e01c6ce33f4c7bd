"""Does data parallelism keep every worker's copy of the model equal, and report each?"""

from __future__ import annotations

from engine.spec import RunSpec
from engine.trainer import SilentHooks, train


def test_do_two_workers_end_with_equal_weights_and_report_their_throughput() -> None:
    hooks = SilentHooks()
    result = train(RunSpec(model="cnn", epochs=3, learning_rate=0.003, data_parallel=2), hooks)
    assert result.status == "done", result.reason
    assert result.workers == 2
    assert result.weights_equal_across_workers is True
    assert len(result.per_worker_samples_per_second) == 2
    assert all(rate > 0 for rate in result.per_worker_samples_per_second)
    assert result.test_accuracy > 0.8
    epochs = [epoch for _, epoch, values in hooks.rows if "val_loss" in values]
    assert epochs == [1.0, 2.0, 3.0]  # one report per epoch, from the first worker only
