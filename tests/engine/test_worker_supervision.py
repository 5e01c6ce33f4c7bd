"""When the job worker is killed, is it reaped and started again, are its runs marked
interrupted within seconds, and does the queue keep moving? (The worker is kept by the
same supervisor ``make run`` uses beside the app, here in the test process.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import artifacts, jobs
from engine.process_liveness import is_running
from engine.spec import RunSpec
from engine.worker import STALE_AFTER
from server.lifespan import WorkerKeeper
from settings import PROJECT_ROOT
from tests.conftest import wait_for_end, wait_until

QUICK = RunSpec(model="dense", epochs=1)
LONG = RunSpec(model="dense", hidden_units=16, epochs=300)
RESUMED = RunSpec(model="dense", hidden_units=16, epochs=40)
# Well before the heartbeat sweep (STALE_AFTER, 20 s) could catch a lost run: the new worker
# marks it at its start, before it loads torch.
LOST_RUN_DEADLINE = STALE_AFTER.total_seconds() - 5
WORKER_START_TIMEOUT = 120.0  # a worker's fork server imports torch: slow on a busy machine


def _stat_fields(pid: int) -> list[str]:
    """Fields 3 onwards of /proc/PID/stat (state, ppid, ...); [] if the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return stat[stat.rindex(")") + 2 :].split()


def children_of(pid: int) -> list[int]:
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    return [child for child in pids if _stat_fields(child)[1:2] == [str(pid)]]


def descendants_of(pid: int) -> list[int]:
    found = children_of(pid)
    return found + [d for child in found for d in descendants_of(child)]


def zombie_children() -> list[int]:
    """This process's children that have ended but were never reaped."""
    return [pid for pid in children_of(os.getpid()) if _stat_fields(pid)[:1] == ["Z"]]


def worker_processes() -> list[int]:
    """Live job workers started by this test process's supervisors."""
    flag = f"engine\0worker\0--parent-pid\0{os.getpid()}\0".encode()
    found = []
    for pid in children_of(os.getpid()):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if flag in command and is_running(pid):
            found.append(pid)
    return found


def make_keeper(tmp_path: Path) -> WorkerKeeper:
    env = {**os.environ, "DLL_MAX_CONCURRENT_RUNS": "1"}
    return WorkerKeeper(env, log_file=tmp_path / "worker.log")


@pytest.fixture
def keeper(tmp_path: Path) -> Iterator[WorkerKeeper]:
    kept = make_keeper(tmp_path).start()
    yield kept
    kept.stop()


def wait_for_worker(keeper: WorkerKeeper, not_pid: int | None = None) -> int:
    """The pid of the keeper's running worker (another than ``not_pid``)."""
    wait_until(lambda: keeper.worker_pid not in (None, not_pid), timeout=WORKER_START_TIMEOUT)
    return keeper.worker_pid  # type: ignore[return-value]


def wait_until_training(run_id: int) -> None:
    wait_until(lambda: len(jobs.metrics_since(run_id)) > 0, timeout=WORKER_START_TIMEOUT)


def test_is_a_killed_worker_reaped_and_replaced_so_the_queue_keeps_moving(keeper) -> None:
    first = wait_for_worker(keeper)
    training = jobs.submit(LONG, owner_id=None)
    wait_until_training(training)
    queued = jobs.submit(QUICK, owner_id=None)  # waits: one run at a time
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: not Path(f"/proc/{first}").exists(), timeout=10)  # reaped, no zombie
    assert zombie_children() == []
    wait_for_worker(keeper, not_pid=first)
    cut_off = wait_for_end(training, timeout=30)
    assert cut_off.status == "interrupted"
    state = wait_for_end(queued, timeout=WORKER_START_TIMEOUT)
    assert state.status == "done", state.reason
    assert state.result["test_accuracy"] > 0.5  # chance is 0.1


def test_does_a_run_whose_worker_and_training_process_die_end_interrupted_and_resume(
    keeper,
) -> None:
    worker = wait_for_worker(keeper)
    run_id = jobs.submit(RESUMED, owner_id=None)
    wait_until(lambda: artifacts.checkpoint_path(run_id).exists(), timeout=WORKER_START_TIMEOUT)
    # The worker, its fork server and the training process share a process group: all at once.
    os.killpg(worker, signal.SIGKILL)
    wait_until(lambda: jobs.status(run_id).status != "running", timeout=LOST_RUN_DEADLINE)
    state = jobs.status(run_id)
    assert state.status == "interrupted"
    assert "worker" in state.reason
    assert jobs.resume(run_id)
    final = wait_for_end(run_id, timeout=WORKER_START_TIMEOUT)
    assert final.status == "done", final.reason
    assert final.result["epochs"] == RESUMED.epochs
    steps = [row.step for row in jobs.metrics_since(run_id)]
    assert steps == sorted(set(steps))  # the resumed epochs were not stored twice


def test_does_a_training_process_stop_when_its_worker_is_an_unreaped_zombie(
    tmp_path: Path,
) -> None:
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "engine", "worker"],
            cwd=PROJECT_ROOT,
            env={**os.environ, "DLL_MAX_CONCURRENT_RUNS": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        run_id = jobs.submit(LONG, owner_id=None)
        wait_until_training(run_id)
        below = descendants_of(worker.pid)  # its fork server and the training process
        worker.send_signal(signal.SIGKILL)  # and never reaped: it stays a zombie
        state = wait_for_end(run_id, timeout=30)
        assert _stat_fields(worker.pid)[:1] == ["Z"]  # nobody reaped it, nobody swept the run
        assert state.status == "interrupted"
        assert state.reason.startswith("The worker stopped")  # the training process's words
        assert state.result["epochs"] < LONG.epochs
        wait_until(lambda: not any(is_running(pid) for pid in below), timeout=30)
    finally:
        worker.kill()
        worker.wait()


def test_does_only_one_app_process_of_a_data_folder_run_the_worker(tmp_path: Path) -> None:
    first, second = make_keeper(tmp_path), make_keeper(tmp_path)
    try:
        first.check()
        second.check()  # the lock is taken: it does not start a second worker
        assert first.worker_pid is not None and second.worker_pid is None
        assert worker_processes() == [first.worker_pid]
        first.stop()  # the app process that ran the worker stops...
        second.check()  # ... and the other one takes over
        assert second.worker_pid is not None
        assert worker_processes() == [second.worker_pid]
        state = wait_for_end(jobs.submit(QUICK, owner_id=None), timeout=WORKER_START_TIMEOUT)
        assert state.status == "done", state.reason
    finally:
        first.stop()
        second.stop()
