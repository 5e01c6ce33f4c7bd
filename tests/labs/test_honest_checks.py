"""Does a run get a verdict (and, missed, a failed check) only for the experiments it tried?"""

from __future__ import annotations

import pytest

from classroom import runs
from engine import jobs
from labs import evidence
from labs.first_network import LAB as FIRST_NETWORK
from labs.objectives import evaluate
from labs.training_optimisation import DEFAULT_SPEC, LAB, LAB_ID

RESULT = {"test_accuracy": 0.9, "samples_per_second": 900.0, "best_epoch": 10, "epochs": 10}


def outcome(run_id: int, **settings):
    return {
        "id": run_id,
        "status": "done",
        "spec": {**DEFAULT_SPEC.model_dump(), **settings},
        "result": dict(RESULT),
    }


def tried(this, *earlier) -> set[str]:
    checked = evaluate(LAB.objectives, {**this, "others": list(earlier)})
    return {o.objective_id for o in checked if o.attempted}


@pytest.mark.parametrize(
    ("earlier", "this", "expected"),
    [
        ([], {}, set()),  # a first run with the lab's defaults tries nothing yet
        ([{}], {}, set()),  # pressing Train again with the same settings neither
        ([{}], {"learning_rate": 0.01}, set()),  # a setting no experiment tests
        ([], {"batch_norm": True}, {"batch-norm"}),  # a first run against the defaults
        ([{}], {"batch_norm": True}, {"batch-norm"}),
        ([{"batch_norm": True}], {"batch_norm": True, "epochs": 5}, set()),  # kept, not changed
        ([{}], {"optimizer": "sgd", "learning_rate": 0.05}, {"optimisers"}),
        ([{}], {"optimizer": "sgd", "learning_rate": 1.0}, {"optimisers", "rescue-divergence"}),
        ([{}], {"clip_grad_norm": 0.1}, {"rescue-divergence"}),
        ([{}], {"early_stopping_patience": 5}, {"early-stopping"}),
        ([{"early_stopping_patience": 5}], {"epochs": 60}, {"early-stopping"}),  # the fixed run
        ([{}], {"mixed_precision": "bf16"}, {"mixed-precision"}),
        ([{}], {"dataset": "digits-0-4"}, {"transfer"}),
        ([{}], {"data_parallel": 2}, {"data-parallel"}),
        ([{"data_parallel": 2}], {}, {"data-parallel"}),  # back to one worker: the pair
    ],
)
def test_which_experiments_does_a_run_try(earlier, this, expected) -> None:
    previous = [outcome(i, **settings) for i, settings in enumerate(earlier, start=1)]
    assert tried(outcome(len(earlier) + 1, **this), *previous) == expected


def test_the_run_just_before_is_the_comparison_not_an_older_one() -> None:
    older, before = outcome(1, batch_norm=True, learning_rate=0.01), outcome(2)
    assert "batch-norm" not in tried(outcome(3), before, older)  # no pair with run 1 either
    assert "batch-norm" in tried(outcome(3), older)


def test_a_met_experiment_always_counts_as_tried() -> None:
    one, two = outcome(1, data_parallel=2), outcome(2, data_parallel=1, batch_norm=False)
    checked = {o.objective_id: o for o in evaluate(LAB.objectives, {**two, "others": [one]})}
    assert checked["data-parallel"].passed and checked["data-parallel"].attempted


def test_every_run_of_the_first_lab_tries_its_one_objective() -> None:
    checked = evaluate(FIRST_NETWORK.objectives, {"status": "done", "spec": {}, "result": {}})
    assert [(o.objective_id, o.attempted) for o in checked] == [("reach-95", True)]


def test_three_default_runs_try_no_experiment_in_the_database(learner) -> None:
    ids = []
    for _ in range(3):
        run_id = runs.submit_run(learner, DEFAULT_SPEC, LAB_ID)
        jobs.finish(run_id, "done", result=dict(RESULT))
        ids.append(run_id)
    for run_id in ids:
        checked = evidence.check_run(learner, runs.get_run(learner, run_id))
        assert [o.objective_id for o in checked if o.attempted] == []
        assert not any(o.passed for o in checked)
