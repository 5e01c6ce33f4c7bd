"""Validation for choosing, test once for reporting: objectives read the validation score of
the model that was tested, and a final test is recorded once per run, by its owner only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from classroom import final_tests, my_data, runs
from classroom.access import NotFound
from classroom.account_deletion import delete_account
from classroom.final_tests import FinalTestError
from db.models import FinalTest
from db.session import read_session
from engine import jobs
from engine.spec import RunSpec
from engine.trainer import SilentHooks, train
from labs.data_types import tabular_dense
from labs.first_network import LAB as FIRST_NETWORK
from labs.run_pairs import accuracy_of, validation_accuracy
from labs.training_optimisation import rescued_divergence
from tests.conftest import PASSWORD


def outcome(val: float | None, test: float, **spec) -> dict:
    return {
        "status": "done",
        "spec": RunSpec(**spec).model_dump(),
        "result": {"val_accuracy": val, "test_accuracy": test},
    }


def test_a_runs_score_is_its_validation_accuracy_never_its_test_accuracy() -> None:
    assert accuracy_of(outcome(0.91, 0.99)) == pytest.approx(0.91)
    # A run stored before val_accuracy was kept falls back to its best epoch's validation score.
    assert validation_accuracy({"best_val_accuracy": 0.88, "test_accuracy": 0.99}) == 0.88
    assert validation_accuracy({"test_accuracy": 0.99}) is None


def test_a_table_target_is_reached_on_validation_and_not_on_test() -> None:
    assert tabular_dense(outcome(0.96, 0.90, dataset="penguins", model="dense"))
    assert not tabular_dense(outcome(0.90, 0.99, dataset="penguins", model="dense"))


def test_a_rescue_counts_on_validation_and_not_on_test() -> None:
    failed = {**outcome(0.10, 0.10, optimizer="sgd", learning_rate=1.0), "id": 1}
    spec = {"optimizer": "sgd", "learning_rate": 1.0, "clip_grad_norm": 0.1}
    honest = {**outcome(0.93, 0.85, **spec), "id": 2, "others": [failed]}
    flattered = {**outcome(0.85, 0.97, **spec), "id": 3, "others": [failed]}
    assert rescued_divergence(honest)
    assert not rescued_divergence(flattered)


def test_the_tested_model_reports_its_own_validation_accuracy() -> None:
    # Without restoring the best epoch, the tested model is the last epoch's.
    spec = RunSpec(model="dense", epochs=3, device="cpu")
    hooks = SilentHooks()
    result = train(spec, hooks)
    last_row = [values for _, _, values in hooks.rows if "val_accuracy" in values][-1]
    assert result.val_accuracy == pytest.approx(last_row["val_accuracy"])


def test_a_restored_best_epoch_reports_the_best_validation_accuracy() -> None:
    # A high learning rate makes the validation loss wander, so early stopping ends the run
    # and restores the best epoch's weights: that model is the one tested.
    spec = RunSpec(
        model="dense",
        epochs=30,
        learning_rate=0.05,
        early_stopping_patience=2,
        restore_best=True,
        device="cpu",
    )
    result = train(spec, SilentHooks())
    assert result.stopped_early
    assert result.val_accuracy == result.best_val_accuracy


def finished_run(learner, val: float = 0.97, test: float = 0.955) -> int:
    run_id = runs.submit_run(learner, RunSpec(epochs=1), FIRST_NETWORK.id)
    jobs.finish(run_id, "done", result={"val_accuracy": val, "test_accuracy": test})
    return run_id


def test_a_final_test_is_recorded_once_per_run_with_its_time(learner) -> None:
    run_id = finished_run(learner)
    first = final_tests.take_final_test(learner, run_id)
    again = final_tests.take_final_test(learner, run_id)
    assert first == again and first.lab_id == FIRST_NETWORK.id
    assert final_tests.final_tests(learner, run_id) == [first]
    assert final_tests.was_tested(learner.id, run_id)


def test_only_the_owner_takes_a_final_test_and_the_teacher_sees_it(
    learner, teacher, make_learner
) -> None:
    run_id = finished_run(learner)
    with pytest.raises(NotFound):
        final_tests.take_final_test(teacher, run_id)
    with pytest.raises(NotFound):
        final_tests.take_final_test(make_learner("someone-else"), run_id)
    assert final_tests.final_tests(teacher, run_id) == []
    record = final_tests.take_final_test(learner, run_id)
    assert final_tests.final_tests(teacher, run_id) == [record]
    with pytest.raises(NotFound):
        final_tests.final_tests(make_learner("nosy"), run_id)


def test_a_run_still_training_cannot_take_the_final_test(learner) -> None:
    run_id = runs.submit_run(learner, RunSpec(epochs=1), FIRST_NETWORK.id)
    with pytest.raises(FinalTestError):
        final_tests.take_final_test(learner, run_id)
    assert not final_tests.was_tested(learner.id, run_id)


def test_a_learners_final_tests_are_in_their_export_and_leave_with_their_account(
    learner,
) -> None:
    run_id = finished_run(learner)
    final_tests.take_final_test(learner, run_id)
    [exported] = my_data.export_my_data(learner)["final_tests"]
    assert exported["run_id"] == run_id and exported["lab"] == FIRST_NETWORK.id
    delete_account(learner, learner.username, PASSWORD)
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(FinalTest)) == 0
