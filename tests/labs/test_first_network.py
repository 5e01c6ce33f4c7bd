"""Does the first lab judge runs fairly and give hints that fit the run?"""

from __future__ import annotations

import pytest

from classroom import final_tests, progress, runs
from classroom.journals import save_draft
from engine import jobs
from engine.spec import RunSpec
from engine.trainer import SilentHooks, train
from labs import evidence
from labs.first_network import (
    DEFAULT_SPEC,
    LAB,
    MORE_EPOCHS,
    hints_for_run,
    reached_target,
    reached_validation_target,
)


def outcome(status="done", accuracy=0.9, final_test=True, **spec):
    """A run scored on validation; its test accuracy is lower, as it usually is."""
    return {
        "status": status,
        "spec": {**DEFAULT_SPEC.model_dump(), **spec},
        "result": {"val_accuracy": accuracy, "test_accuracy": accuracy - 0.01},
        "final_test": final_test,
    }


@pytest.mark.parametrize(
    ("status", "accuracy", "passed"),
    [
        ("done", 0.95, True),
        ("done", 0.99, True),
        ("done", 0.9499, False),
        ("diverged", 0.99, False),
        ("cancelled", 0.97, False),
    ],
)
def test_the_target_is_95_percent_validation_on_a_finished_run(status, accuracy, passed) -> None:
    assert reached_target(outcome(status, accuracy)) is passed


def test_the_target_is_met_only_after_the_final_test() -> None:
    ready = outcome("done", 0.97, final_test=False)
    assert reached_validation_target(ready) and not reached_target(ready)
    nudge, specific = hints_for_run(ready)
    assert "97.0% validation accuracy" in nudge
    assert "Press 'Final test' under this run" in specific


def test_a_high_test_score_does_not_count_without_validation() -> None:
    run = outcome("done", 0.90)
    run["result"]["test_accuracy"] = 0.99  # only the validation score is checked
    assert not reached_target(run)


def test_the_hints_point_at_an_earlier_run_ready_for_its_final_test() -> None:
    earlier = {**outcome("done", 0.98, final_test=False, model="cnn"), "id": 7}
    this = {**outcome("done", 0.93, final_test=False), "id": 8, "others": [earlier]}
    nudge, specific, *_ = hints_for_run(this)
    assert "93.0% validation accuracy" in nudge and "not on test" in nudge
    assert "run 7 already reached 98.0% validation accuracy" in specific


@pytest.mark.parametrize(
    ("case", "expected_phrase"),
    [
        (outcome("diverged", 0.1, learning_rate=1.0), "lower"),
        (outcome("done", 0.1, learning_rate=1.0), "never settles"),
        (outcome("done", 0.6, learning_rate=0.0001), "tiny"),
        (outcome("done", 0.9, optimizer="sgd", learning_rate=0.001), "SGD needs a larger"),
        (outcome("done", 0.93, epochs=5), "only 5 times"),
        (outcome("done", 0.94, model="dense", epochs=40), "switch the model to CNN"),
    ],
)
def test_hints_are_computed_from_the_runs_own_settings(case, expected_phrase) -> None:
    text = " ".join(hints_for_run(case))
    assert expected_phrase.lower() in text.lower()


def test_the_default_settings_leave_something_to_improve() -> None:
    assert DEFAULT_SPEC.model == "dense" and DEFAULT_SPEC.epochs <= 10


def test_each_hint_on_the_default_run_names_one_change() -> None:
    nudge, first, second = hints_for_run(outcome("done", 0.942, final_test=False))
    assert "compare runs on validation accuracy" in nudge
    assert f"train for {MORE_EPOCHS} epochs or more" in first
    assert "switch the model to CNN and keep the other settings" in second


def test_following_the_more_epochs_hint_alone_passes_with_real_training() -> None:
    spec = DEFAULT_SPEC.model_copy(update={"epochs": MORE_EPOCHS, "device": "cpu"})
    result = train(spec, SilentHooks())  # the dense network, only the epochs changed: 95.8%
    assert reached_validation_target({"status": result.status, "result": result.as_dict()})


def test_a_passing_run_completes_the_lab_step_and_a_reflection_the_reflect_step(learner) -> None:
    run_id = runs.submit_run(learner, RunSpec(epochs=1), LAB.id)
    jobs.finish(run_id, "done", result={"val_accuracy": 0.97, "test_accuracy": 0.96})
    outcomes = evidence.check_run(learner, runs.get_run(learner, run_id))
    assert [o.passed for o in outcomes] == [False]  # validation is there: the final test is not
    assert "dl-first-network" not in progress.completed_steps(learner)
    final_tests.take_final_test(learner, run_id)
    outcomes = evidence.check_run(learner, runs.get_run(learner, run_id))
    assert [o.passed for o in outcomes] == [True]
    assert "dl-first-network" in progress.completed_steps(learner)

    short = save_draft(learner, "Too short to count.", run_id=run_id)
    assert evidence.record_reflection(learner, short, LAB.id) is False
    words = " ".join(["word"] * evidence.MIN_REFLECTION_WORDS)
    full = save_draft(learner, words, entry_id=short.id, run_id=run_id)
    assert evidence.record_reflection(learner, full, LAB.id) is True
    assert "dl-reflect-first-run" in progress.completed_steps(learner)


def test_a_failing_run_records_nothing_and_explains_why(learner) -> None:
    run_id = runs.submit_run(learner, RunSpec(epochs=1), LAB.id)
    jobs.finish(run_id, "done", result={"val_accuracy": 0.80, "test_accuracy": 0.99})
    final_tests.take_final_test(learner, run_id)
    [result] = evidence.check_run(learner, runs.get_run(learner, run_id))
    assert not result.passed and result.hints
    assert "dl-first-network" not in progress.completed_steps(learner)


def test_catch_up_records_runs_that_finished_while_no_page_watched(learner) -> None:
    run_id = runs.submit_run(learner, RunSpec(epochs=1), LAB.id)
    jobs.finish(run_id, "done", result={"val_accuracy": 0.96, "test_accuracy": 0.95})
    final_tests.take_final_test(learner, run_id)
    evidence.catch_up(learner)
    assert "dl-first-network" in progress.completed_steps(learner)
