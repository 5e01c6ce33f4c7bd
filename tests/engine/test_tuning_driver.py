"""Does the worker drive a study through the real queue: trials as runs, pruning, cancel?"""

from __future__ import annotations

import optuna
import pytest

from engine import jobs
from engine.tuning import records
from engine.tuning.analysis import best_row, final_val_accuracy, load_trials, trial_rows
from engine.tuning.records import StudySettings
from engine.tuning.space import SearchSpace
from engine.tuning.study import optuna_storage
from tests.conftest import WorkerThread, wait_for_end, wait_until

LAB = "hyperparameter-tuning"
FIXED = {"batch_size": 32, "dropout": 0.1, "hidden_units": 16, "depth": 1}
GOOD = {**FIXED, "learning_rate": 0.05, "optimizer": "adam"}
HOPELESS = {**FIXED, "learning_rate": 1e-4, "optimizer": "sgd"}


def wait_for_study(study_id: int, timeout: float = 120.0) -> records.StudyInfo:
    wait_until(lambda: not records.get_study(study_id).active, timeout)
    return records.get_study(study_id)


@pytest.fixture
def two_slots():
    thread = WorkerThread(max_concurrent=2).start()
    yield thread
    thread.stop()


def test_a_study_runs_each_trial_as_a_run_and_records_the_best(learner, two_slots) -> None:
    settings = StudySettings(method="random", budget=3, parallel=2, pruner="none", epochs=2)
    study_id = records.create_study(learner.id, LAB, settings, SearchSpace())
    info = wait_for_study(study_id)
    assert info.status == "done", info.reason

    rows = trial_rows(load_trials(info))
    assert [r.number for r in rows] == [0, 1, 2]
    assert [r.state for r in rows] == ["complete"] * 3
    for row in rows:
        run = jobs.status(row.run_id)
        assert (run.status, run.study_id, run.trial_number) == ("done", study_id, row.number)
        assert run.owner_id == learner.id and run.lab_id == LAB
        assert run.spec["learning_rate"] == pytest.approx(row.params["learning_rate"])
        assert row.value == pytest.approx(final_val_accuracy(row.run_id))
        assert row.epochs == 2
        assert row.val_loss is not None and row.val_loss >= 0  # breaks ties in accuracy
    best = best_row(rows)
    assert best.value == max(r.value for r in rows)
    assert info.best_run_id == best.run_id

    baseline = wait_for_end(info.baseline_run_id)
    assert baseline.status == "done" and baseline.spec["learning_rate"] == 1e-3


def test_the_default_configuration_run_is_reused_by_the_next_study(learner, two_slots) -> None:
    settings = StudySettings(method="random", budget=1, parallel=1, pruner="none", epochs=2)
    first = wait_for_study(records.create_study(learner.id, LAB, settings, SearchSpace()))
    second = records.get_study(records.create_study(learner.id, LAB, settings, SearchSpace()))
    assert second.baseline_run_id == first.baseline_run_id


def test_a_hopeless_trial_is_pruned_and_shown_as_stopped_early(learner) -> None:
    settings = StudySettings(method="tpe", budget=4, parallel=1, pruner="median", epochs=6)
    study_id = records.create_study(learner.id, LAB, settings, SearchSpace())
    study = optuna.load_study(
        study_name=records.get_study(study_id).optuna_name, storage=optuna_storage()
    )
    for params in (GOOD, GOOD, GOOD, HOPELESS):
        study.enqueue_trial(params)
    worker = WorkerThread(max_concurrent=1).start()
    try:
        info = wait_for_study(study_id)
    finally:
        worker.stop()
    rows = trial_rows(load_trials(info))
    assert [r.state for r in rows] == ["complete"] * 3 + ["pruned"]
    assert rows[3].params["learning_rate"] == pytest.approx(1e-4)
    assert rows[3].value < min(r.value for r in rows[:3])


def test_cancelling_a_study_stops_its_trials_and_starts_no_more(learner) -> None:
    settings = StudySettings(method="random", budget=20, parallel=1, pruner="none", epochs=50)
    study_id = records.create_study(learner.id, LAB, settings, SearchSpace())
    worker = WorkerThread(max_concurrent=1).start()
    try:
        wait_until(lambda: len(trial_rows(load_trials(records.get_study(study_id)))) >= 1)
        assert records.request_cancel(study_id)
        info = wait_for_study(study_id)
        rows = trial_rows(load_trials(info))
        for row in rows:
            wait_for_end(row.run_id)
    finally:
        worker.stop()
    assert info.status == "cancelled"
    assert len(rows) < 20
    assert all(r.state != "running" for r in rows)
    assert not records.request_cancel(study_id)  # already over


def test_a_study_left_running_by_a_stopped_worker_is_finished_by_the_next(learner) -> None:
    settings = StudySettings(method="random", budget=3, parallel=1, pruner="none", epochs=30)
    study_id = records.create_study(learner.id, LAB, settings, SearchSpace())
    first = WorkerThread(max_concurrent=1).start()
    wait_until(lambda: len(trial_rows(load_trials(records.get_study(study_id)))) >= 1)
    first.stop()
    assert records.get_study(study_id).status == "queued"  # given back, not lost
    second = WorkerThread(max_concurrent=1).start()
    try:
        info = wait_for_study(study_id)
    finally:
        second.stop()
    assert info.status == "done", info.reason
    rows = trial_rows(load_trials(info))
    assert len(rows) == 3
    assert all(r.state in ("complete", "failed") for r in rows)
    assert sum(r.state == "complete" for r in rows) >= 2
