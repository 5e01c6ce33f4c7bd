"""When a run's process dies, hangs or is lost, does it end with a reason and the worker go on?"""

from __future__ import annotations

import os
import signal
from datetime import timedelta

import pytest

from db.models import Run, utcnow
from db.session import write_session
from engine import jobs
from engine.spec import RunSpec
from engine.worker import STALE_AFTER, sweep_stale_runs
from tests.conftest import WorkerThread, wait_for_end, wait_until

QUICK = RunSpec(model="dense", epochs=1)
LONG = RunSpec(model="dense", epochs=300)


def wait_until_training(worker: WorkerThread, run_id: int) -> int:
    """Wait until the run has flushed metric rows; returns the pid of its process."""
    wait_until(lambda: run_id in worker.worker.running and len(jobs.metrics_since(run_id)) > 0)
    return worker.worker.running[run_id].pid


def test_does_a_killed_run_end_interrupted_and_keep_its_metrics(worker) -> None:
    run_id = jobs.submit(LONG, owner_id=None)
    pid = wait_until_training(worker, run_id)
    kept_before = jobs.metrics_since(run_id)
    os.kill(pid, signal.SIGKILL)
    state = wait_for_end(run_id, timeout=30)
    assert state.status == "interrupted"
    assert "signal 9" in state.reason
    after = jobs.metrics_since(run_id)
    assert after[: len(kept_before)] == kept_before  # nothing flushed before the kill is lost
    steps = [r.step for r in after]
    assert steps == sorted(set(steps))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_does_the_worker_serve_the_next_run_after_a_killed_one(worker, sig: int) -> None:
    killed = jobs.submit(LONG, owner_id=None)
    waiting = jobs.submit(QUICK, owner_id=None)
    os.kill(wait_until_training(worker, killed), sig)
    assert wait_for_end(killed, timeout=30).status == "interrupted"
    state = wait_for_end(waiting, timeout=60)
    assert state.status == "done", state.reason
    assert state.result["test_accuracy"] > 0.5


def test_does_a_run_process_that_crashes_end_the_run_as_failed(worker) -> None:
    # A spec stored by an older version of the app that this version refuses: the run
    # process raises before training starts and exits with an error code.
    bad_spec = {**QUICK.model_dump(), "learning_rate": -1.0}
    with write_session() as session:
        run = Run(owner_id=None, spec=bad_spec, status="queued")
        session.add(run)
        session.flush()
        run_id = run.id
    state = wait_for_end(run_id, timeout=60)
    assert state.status == "failed"
    assert "exit code 1" in state.reason
    # ... and the worker goes on with the next run.
    assert wait_for_end(jobs.submit(QUICK, owner_id=None)).status == "done"


def test_is_a_run_past_its_time_limit_stopped_while_the_worker_serves_on(worker) -> None:
    slow = jobs.submit(LONG.model_copy(update={"time_limit_seconds": 1.0}), owner_id=None)
    state = wait_for_end(slow, timeout=60)
    assert state.status == "failed"
    assert "time limit" in state.reason
    assert 1 <= state.result["epochs"] < LONG.epochs
    assert jobs.metrics_since(slow)  # the curve up to the limit is kept
    assert wait_for_end(jobs.submit(QUICK, owner_id=None)).status == "done"


def add_running_run(heartbeat_age: timedelta) -> int:
    with write_session() as session:
        now = utcnow()
        run = Run(
            owner_id=None,
            spec=QUICK.model_dump(),
            status="running",
            started_at=now - heartbeat_age - timedelta(seconds=5),
            heartbeat_at=now - heartbeat_age,
            worker_pid=999_999,
        )
        session.add(run)
        session.flush()
        return run.id


@pytest.mark.parametrize(
    ("heartbeat_age", "expected"),
    [
        (timedelta(seconds=0), "running"),
        (STALE_AFTER / 2, "running"),
        (STALE_AFTER + timedelta(seconds=5), "interrupted"),
        (timedelta(hours=3), "interrupted"),
    ],
    ids=["fresh", "half-stale", "just-stale", "hours-old"],
)
def test_does_the_sweep_mark_only_runs_with_an_old_heartbeat_interrupted(
    heartbeat_age: timedelta, expected: str
) -> None:
    run_id = add_running_run(heartbeat_age)
    fresh = add_running_run(timedelta(seconds=0))
    swept = sweep_stale_runs()
    state = jobs.status(run_id)
    assert state.status == expected
    assert swept == (1 if expected == "interrupted" else 0)
    if expected == "interrupted":
        assert "start the run again" in state.reason and state.finished_at is not None
    assert jobs.status(fresh).status == "running"


def test_does_the_sweep_leave_alone_the_runs_its_worker_is_watching() -> None:
    watched = add_running_run(timedelta(hours=1))
    lost = add_running_run(timedelta(hours=1))
    assert sweep_stale_runs(exclude={watched}) == 1
    assert jobs.status(watched).status == "running"
    assert jobs.status(lost).status == "interrupted"


def test_does_a_lost_run_get_swept_by_a_live_worker(worker) -> None:
    lost = add_running_run(timedelta(hours=1))
    assert wait_for_end(lost, timeout=10).status == "interrupted"


def test_does_stopping_the_worker_mid_run_leave_the_run_interrupted() -> None:
    own = WorkerThread().start()
    try:
        run_id = jobs.submit(LONG, owner_id=None)
        pid = wait_until_training(own, run_id)
    finally:
        own.stop()
    state = jobs.status(run_id)
    assert state.status == "interrupted"
    assert "server stopped" in state.reason
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the run process is gone too
