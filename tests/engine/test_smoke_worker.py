"""Does a run submitted to the queue get trained by the worker and beat chance by far?"""

from engine import jobs
from engine.spec import RunSpec
from tests.conftest import wait_for_end


def test_a_queued_digits_run_is_trained_by_the_worker(worker) -> None:
    run_id = jobs.submit(RunSpec(model="cnn", epochs=3, learning_rate=0.003), owner_id=None)
    state = wait_for_end(run_id)
    assert state.status == "done", state.reason
    assert state.result["test_accuracy"] > 0.8  # chance is 0.1
    rows = jobs.metrics_since(run_id)
    assert [r.epoch for r in rows if "val_accuracy" in r.values] == [1.0, 2.0, 3.0]
