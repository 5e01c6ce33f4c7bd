"""Does the app work on PostgreSQL (DATABASE_URL), not only on its default SQLite file?

A throwaway server is started for these tests (tests/postgres.py, fixtures in conftest.py);
each test gets its own database, copied from one that the migrations built."""

from __future__ import annotations

import math

from alembic import command
from sqlalchemy import func, select

from classroom import accounts
from db.migrate import alembic_config, upgrade
from db.models import LoginAttempt, Metric
from db.session import dispose_engines, read_session, write_session
from engine import jobs
from engine.spec import RunSpec
from engine.tuning import records
from engine.tuning.analysis import best_row, load_trials, trial_rows
from engine.tuning.records import StudySettings
from engine.tuning.space import SearchSpace
from tests.classroom.people import wrong_guesses_at_once
from tests.conftest import PASSWORD, WorkerThread, wait_for_end, wait_until
from tests.postgres import create_database


def test_do_the_migrations_build_the_models_schema_and_undo_cleanly(migrated_postgres) -> None:
    url = create_database(migrated_postgres[0])
    upgrade(url)
    command.check(alembic_config(url))  # the URL holds %2F (the socket's path): escaped
    command.downgrade(alembic_config(url), "base")
    upgrade(url)
    command.check(alembic_config(url))
    dispose_engines()


def test_does_a_run_train_through_the_worker_and_keep_a_diverged_loss(postgres) -> None:
    worker = WorkerThread().start()
    try:
        run_id = jobs.submit(RunSpec(model="dense", epochs=2), owner_id=None)
        state = wait_for_end(run_id)
    finally:
        worker.stop()
    assert state.status == "done", state.reason
    assert [r.epoch for r in jobs.metrics_since(run_id) if "val_loss" in r.values] == [1.0, 2.0]
    # PostgreSQL's JSON has no NaN: a diverged run's last row is stored with null instead
    with write_session() as session:
        session.add(Metric(run_id=run_id, step=999, epoch=2.5, values={"batch_loss": math.nan}))
    assert jobs.metrics_since(run_id)[-1].values == {"batch_loss": None}


def test_are_parallel_sign_in_guesses_throttled_on_postgres(postgres) -> None:
    accounts.create_first_teacher("teacher", "Tess Teacher", PASSWORD)
    outcomes = wrong_guesses_at_once("teacher", 8)
    assert outcomes.count("Wrong username or password.") == accounts.MAX_FAILURES
    with read_session() as session:
        failures = session.scalar(select(func.count()).select_from(LoginAttempt))
    assert failures == accounts.MAX_FAILURES


def test_does_a_tuning_study_run_its_trials_with_optunas_tables_on_postgres(postgres) -> None:
    learner = accounts.create_first_teacher("teacher", "Tess Teacher", PASSWORD)
    settings = StudySettings(method="tpe", budget=3, parallel=2, pruner="median", epochs=2)
    study_id = records.create_study(learner.id, "hyperparameter-tuning", settings, SearchSpace())
    worker = WorkerThread(max_concurrent=2).start()
    try:
        wait_until(lambda: not records.get_study(study_id).active, timeout=180)
    finally:
        worker.stop()
    info = records.get_study(study_id)
    assert info.status == "done", info.reason
    rows = trial_rows(load_trials(info))
    assert [r.number for r in rows] == [0, 1, 2]
    assert info.best_run_id == best_row(rows).run_id
