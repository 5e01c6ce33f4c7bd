"""Does the optimisation lab flag only the experiments a run tried, so the teacher sees no
learner "stuck" on a step they never attempted?"""

from __future__ import annotations

from datetime import date, timedelta

from classroom import assignments, objective_events
from classroom.class_matrix import class_matrix, class_progress_csv
from labs.training_optimisation import LAB_ID
from tests.pages.helpers import OPTIMISATION_PAGE as PAGE
from tests.pages.helpers import finished_optimisation_run as finished_run

PARALLEL_STEP = "dl-data-parallel"  # step 7 of "From data to a trained network"


def not_yet(at) -> list[str]:
    return [w.value for w in at.warning if w.value.startswith("Not yet")]


def test_three_default_runs_leave_no_step_stuck(open_page, teacher, klass, learner) -> None:
    assignments.assign(teacher, klass.id, "digital-literacy", date.today() + timedelta(days=7))
    for _ in range(3):  # Train pressed three times with the defaults, each run looked at
        finished_run(learner)
        at = open_page(learner, PAGE)
        assert not_yet(at) == []
        assert any("changed none of the settings" in i.value for i in at.info)
    assert [e for e in objective_events.events_for_learner(learner) if e.event == "failed"] == []
    cell = class_matrix(teacher, klass.id).cell(learner.id, PARALLEL_STEP)
    assert (cell.failed, cell.state) == (0, "not started")
    assert b"stuck" not in class_progress_csv(teacher, klass.id)


def test_a_run_gets_a_verdict_only_for_the_experiment_it_tried(open_page, learner) -> None:
    finished_run(learner)
    sgd = finished_run(learner, optimizer="sgd", learning_rate=0.05)
    at = open_page(learner, PAGE)
    assert not_yet(at) == [
        "Not yet: Compare Adam, SGD with momentum and RMSprop on the same network."
    ]
    failed = [e for e in objective_events.events_for_learner(learner) if e.event == "failed"]
    assert [(e.objective_id, e.run_id) for e in failed] == [("optimisers", sgd)]


def test_an_experiment_the_learner_picks_gets_its_verdict_and_counts(
    open_page, teacher, klass, learner
) -> None:
    assignments.assign(teacher, klass.id, "digital-literacy", date.today() + timedelta(days=7))
    run_id = finished_run(learner)
    at = open_page(learner, PAGE)
    at.pills(key=f"opt_experiments_{run_id}").set_value(["data-parallel"]).run()
    assert not at.exception
    assert not_yet(at) == [
        "Not yet: Compare one and two data-parallel workers on the same batches, and their "
        "throughput."
    ]
    at.button(key=f"reveal_{LAB_ID}_data-parallel_run:{run_id}_hint-1").click().run()
    assert any("samples per second" in i.value for i in at.info)  # the nudge comes first
    cell = class_matrix(teacher, klass.id).cell(learner.id, PARALLEL_STEP)
    assert (cell.failed, cell.reveals, cell.state) == (1, 1, "in progress")
