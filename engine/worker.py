"""The local worker: claims queued runs and runs each in its own process, with a limit."""

from __future__ import annotations

import fcntl
import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from multiprocessing.process import BaseProcess

from sqlalchemy import select, update

from db.models import Run, utcnow
from db.session import rows_changed, write_session
from engine.process_liveness import is_running
from settings import data_dir, database_url, max_concurrent_runs

log = logging.getLogger("engine.worker")

STALE_AFTER = timedelta(seconds=20)  # a running run with no heartbeat for this long is lost
LOST_WORKER_REASON = "The worker training this run stopped before the run finished."
CANCEL_GRACE_SECONDS = 10.0
STUDY_CHECK_SECONDS = 0.5  # how often the worker looks for queued hyperparameter studies


def _context() -> mp.context.ForkServerContext:
    # forkserver: each run is a fork of a server that has already imported torch, so a run
    # starts in a fraction of a second, and CUDA is never initialised in a forked parent.
    ctx = mp.get_context("forkserver")
    # torch imports torch._dynamo lazily when the first optimiser is built: over a second per
    # run (most of the wait for a run's first metric) unless the server has imported it.
    ctx.set_forkserver_preload(["engine.runner", "torch._dynamo"])
    return ctx


def warm_up() -> None:
    """Start the fork server now, so the first run does not wait for torch to import."""
    from multiprocessing import forkserver

    forkserver.ensure_running()


@dataclass
class LocalWorker:
    max_concurrent: int = field(default_factory=max_concurrent_runs)
    poll_seconds: float = 0.1
    running: dict[int, BaseProcess] = field(default_factory=dict)
    started: dict[int, float] = field(default_factory=dict)  # run id -> monotonic start
    cancel_seen: dict[int, float] = field(default_factory=dict)  # run id -> first seen
    # Hyperparameter studies: each is driven in a thread that submits its trials as runs,
    # which this worker's run slots then train like any other.
    max_studies: int = 4
    studies: dict[int, threading.Thread] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ctx = _context()
        self.stopping_studies = threading.Event()
        self.last_study_check = float("-inf")

    def tick(self) -> None:
        """One round: reap finished processes, sweep lost runs, start queued ones."""
        from engine import jobs  # with torch: imported after a new worker's first sweep

        self._reap()
        self._enforce_cancel_and_limits()
        sweep_stale_runs(exclude=set(self.running))
        self._drive_studies()
        while len(self.running) < self.max_concurrent:
            run_id = jobs.claim_next(os.getpid())
            if run_id is None:
                break
            from engine.runner import run_in_child

            process = self.ctx.Process(
                target=run_in_child,
                args=(run_id, run_environment(), os.getpid()),
                daemon=False,
            )
            process.start()
            self.running[run_id] = process
            self.started[run_id] = time.monotonic()
            log.info("run %s started in process %s", run_id, process.pid)

    def _drive_studies(self) -> None:
        """Start a driver thread for each queued study (a few at a time)."""
        if time.monotonic() - self.last_study_check < STUDY_CHECK_SECONDS:
            return
        self.last_study_check = time.monotonic()
        from engine.tuning import records
        from engine.tuning.driver import drive_study

        for running_id, thread in list(self.studies.items()):
            if not thread.is_alive():
                del self.studies[running_id]
        while len(self.studies) < self.max_studies:
            study_id = records.claim_next_study(exclude=set(self.studies))
            if study_id is None:
                break
            thread = threading.Thread(
                target=drive_study,
                args=(study_id, self.stopping_studies),
                name=f"study-{study_id}",
                daemon=True,
            )
            thread.start()
            self.studies[study_id] = thread
            log.info("study %s started", study_id)

    def _stop_studies(self) -> None:
        """Stop the drivers first, so they do not count the runs stopped next as failures;
        their studies go back to the queue and the next worker carries on with them."""
        if not self.studies:
            return
        from engine.tuning import records

        self.stopping_studies.set()
        for thread in self.studies.values():
            thread.join(10)
        records.requeue(set(self.studies))
        self.studies.clear()

    def _reap(self) -> None:
        from engine import jobs

        for run_id, process in list(self.running.items()):
            if process.is_alive():
                continue
            process.join()
            code = process.exitcode or 0
            if code < 0:
                reason = f"The training process was stopped (signal {-code}) before it finished."
                jobs.finish(run_id, "interrupted", reason, only_if_running=True)
            elif code > 0:
                reason = f"The training process crashed (exit code {code})."
                jobs.finish(run_id, "failed", reason, only_if_running=True)
            del self.running[run_id]
            self.started.pop(run_id, None)
            self.cancel_seen.pop(run_id, None)

    def _enforce_cancel_and_limits(self) -> None:
        """Kill a run that ignores a cancel for too long or outlives its time limit."""
        from engine import jobs

        for run_id, process in self.running.items():
            state = jobs.status(run_id)
            if state is None or not state.active:
                continue
            now = time.monotonic()
            limit = float(state.spec.get("time_limit_seconds", 900)) + 30
            if now - self.started[run_id] > limit:
                _kill(process)
                jobs.finish(
                    run_id,
                    "failed",
                    "Stopped: the run went past its time limit.",
                    only_if_running=True,
                )
            elif (
                state.cancel_requested
                and now - self.cancel_seen.setdefault(run_id, now) > CANCEL_GRACE_SECONDS
            ):
                _kill(process)
                jobs.finish(run_id, "cancelled", "Cancelled.", only_if_running=True)

    def stop(self) -> None:
        """Interrupt runs in flight (they can be started again) and wait for them."""
        from engine import jobs

        self._stop_studies()
        for run_id, process in self.running.items():
            process.terminate()
            process.join(5)
            jobs.finish(
                run_id,
                "interrupted",
                "The server stopped while this run was training.",
                only_if_running=True,
            )
        self.running.clear()


def run_environment() -> dict[str, str]:
    """The settings a run process must share with its worker (database and data folder)."""
    return {"DATABASE_URL": database_url(), "DLL_DATA_DIR": str(data_dir())}


def _kill(process: BaseProcess) -> None:
    process.kill()
    process.join()


def sweep_stale_runs(exclude: set[int] | None = None) -> int:
    """Mark running runs whose heartbeat stopped as interrupted; returns how many."""
    cutoff = utcnow() - STALE_AFTER
    query = update(Run).where(Run.status == "running", Run.heartbeat_at < cutoff)
    if exclude:
        query = query.where(Run.id.not_in(exclude))
    with write_session() as session:
        result = session.execute(
            query.values(
                status="interrupted",
                finished_at=utcnow(),
                reason="The worker running it stopped responding; start the run again.",
            )
        )
        return rows_changed(result)


def sweep_runs_of_lost_workers() -> int:
    """Mark interrupted the running runs of workers that are no longer running; returns how
    many. Called by a worker holding the lock, so no other worker serves this data folder:
    the runs of a killed one are lost (a training process that outlived it stops by itself)."""
    own = os.getpid()
    with write_session() as session:
        owners = session.execute(
            select(Run.id, Run.worker_pid).where(
                Run.status == "running", Run.worker_pid.is_not(None), Run.worker_pid != own
            )
        ).all()
        lost = [run_id for run_id, pid in owners if pid is not None and not is_running(pid)]
        if not lost:
            return 0
        session.execute(
            update(Run)
            .where(Run.id.in_(lost), Run.status == "running")
            .values(status="interrupted", finished_at=utcnow(), reason=LOST_WORKER_REASON)
        )
    log.info("runs of a stopped worker marked interrupted: %s", lost)
    return len(lost)


def serve(parent_pid: int | None = None, max_concurrent: int | None = None) -> None:
    """Run the worker until SIGTERM, or until the parent process (the app) is gone."""
    lock = open(data_dir() / "worker.lock", "w")  # noqa: SIM115 - held for the process's life
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log.warning("another worker already serves %s; exiting", data_dir())
        return
    # First, before torch loads (seconds): the runs a killed worker left "running".
    sweep_runs_of_lost_workers()
    worker = LocalWorker(max_concurrent or max_concurrent_runs())
    warm_up()
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("worker %s serving, up to %s runs at once", os.getpid(), worker.max_concurrent)
    while not stopping and (parent_pid is None or os.getppid() == parent_pid):
        worker.tick()
        time.sleep(worker.poll_seconds)
    worker.stop()
