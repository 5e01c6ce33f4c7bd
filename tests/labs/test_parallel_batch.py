"""Does the data-parallel lab change only the number of workers, and say what each run did?"""

from __future__ import annotations

from engine.jobs import MetricRow
from engine.spec import RunSpec, stored_spec
from engine.trainer import SilentHooks, train
from labs.run_explanations import explain_run, measured_steps_per_epoch
from labs.training_optimisation import (
    DEFAULT_SPEC,
    OBJECTIVES,
    SOLUTIONS,
    data_parallel_compared,
    data_parallel_hints,
)

_ids = iter(range(1, 10_000))


def run(**settings):
    return {
        "id": next(_ids),
        "status": "done",
        "spec": {**DEFAULT_SPEC.model_dump(), **settings},
        "result": {"val_accuracy": 0.95, "samples_per_second": 1000.0},
    }


def parallel_text(spec: dict, steps: int | None) -> str:
    found = explain_run("done", spec, {}, [], steps_per_epoch=steps)
    [text] = [e.text for e in found if e.topic == "data-parallel"]
    return text


# --- the run explanation ------------------------------------------------------------------------


def test_a_shared_batch_is_explained_with_its_sizes_and_steps() -> None:
    spec = {"data_parallel": 2, "batch_size": 32, "parallel_batch": "global"}
    text = parallel_text(spec, 34)
    assert "split every batch of 32 examples between them, 16 each" in text
    assert "all 32 examples (the effective batch)" in text
    assert "34 optimiser steps per epoch" in text
    assert "only the number of workers changed" in text


def test_batches_of_their_own_are_explained_with_the_larger_batch_and_fewer_steps() -> None:
    spec = {"data_parallel": 2, "batch_size": 32, "parallel_batch": "per_worker"}
    text = parallel_text(spec, 17)
    assert "took a batch of 32 examples of its own" in text
    assert "the effective batch was 64, not 32" in text
    assert "17 optimiser steps per epoch, about half as many" in text


def test_one_worker_gets_no_data_parallel_explanation() -> None:
    found = explain_run("done", {"data_parallel": 1}, {}, [], steps_per_epoch=34)
    assert "data-parallel" not in {e.topic for e in found}


def test_a_run_stored_before_the_setting_is_explained_as_it_really_ran() -> None:
    # before the setting existed every worker took a whole batch of its own
    text = parallel_text({"data_parallel": 2, "batch_size": 32}, 17)
    assert "the effective batch was 64" in text


def test_a_real_run_explains_the_steps_it_took() -> None:
    hooks = SilentHooks()
    spec = RunSpec(
        model="dense",
        hidden_units=16,
        depth=1,
        epochs=1,
        train_limit=100,
        batch_size=10,
        data_parallel=2,
        parallel_batch="per_worker",
        device="cpu",
    )
    assert train(spec, hooks).status == "done"
    metrics = [MetricRow(step, epoch, values) for step, epoch, values in hooks.rows]
    assert measured_steps_per_epoch(metrics) == 5  # 50 rows per worker, 10 at a time
    text = parallel_text(spec.model_dump(), measured_steps_per_epoch(metrics))
    assert "the effective batch was 20, not 10" in text
    assert "5 optimiser steps per epoch" in text


# --- the guided experiment ----------------------------------------------------------------------


def test_one_and_two_workers_sharing_each_batch_pass() -> None:
    one, two = run(data_parallel=1), run(data_parallel=2)
    assert data_parallel_compared({**two, "others": [one]})


def test_workers_with_batches_of_their_own_do_not_pass_and_the_hint_says_why() -> None:
    one, two = run(data_parallel=1), run(data_parallel=2, parallel_batch="per_worker")
    outcome = {**two, "others": [one]}
    assert not data_parallel_compared(outcome)
    hints = " ".join(data_parallel_hints(outcome))
    assert "took its own batch of 32, so every step used 64 examples" in hints
    assert "Split each batch between the workers" in hints
    # the one-worker run's own view of the same pair is refused too
    assert not data_parallel_compared({**one, "others": [two]})


def test_the_experiment_says_what_it_keeps_equal() -> None:
    [objective] = [o for o in OBJECTIVES if o.id == "data-parallel"]
    assert "same batches" in objective.text
    text = SOLUTIONS["data-parallel"]
    assert "split each batch" in text and "same number of optimiser steps per epoch" in text


def test_does_a_run_stored_before_the_setting_resume_with_a_batch_per_worker() -> None:
    old = RunSpec(data_parallel=3, parallel_batch="per_worker").model_dump()
    del old["parallel_batch"]  # as runs were stored before the setting existed
    assert stored_spec(old).parallel_batch == "per_worker"  # batch 32 over 3 workers: no error
    assert stored_spec(RunSpec(data_parallel=2).model_dump()).parallel_batch == "global"
