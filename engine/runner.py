"""Runs one queued run inside its own process, streaming metrics to the database."""

from __future__ import annotations

import os
import time
import traceback

import torch
from sqlalchemy import select, update
from sqlalchemy.orm import configure_mappers

from db.models import Metric, Run, utcnow
from db.session import dispose_engines, read_session, write_session
from engine import artifacts, jobs
from engine.process_liveness import is_running, process_start
from engine.spec import RunSpec, stored_spec
from engine.trainer import RunFiles, train
from engine.training.checkpoint import load_checkpoint
from settings import run_niceness

FLUSH_SECONDS = 0.25  # how often metrics, progress and the heartbeat reach the database
# The worker's fork server imports this module once; set up the ORM's mappings here, so each
# run process forked from it starts with them ready (otherwise about 0.2 s per run).
configure_mappers()


class DatabaseHooks:
    """Trainer hooks that batch metric rows into the database and watch for a cancel."""

    def __init__(self, run_id: int, epochs: int, worker_pid: int | None = None) -> None:
        self.run_id, self.epochs, self.worker_pid = run_id, epochs, worker_pid
        # The worker's start time tells it apart from a later process given the same pid.
        self.worker_started = process_start(worker_pid) if worker_pid is not None else None
        self.pending: list[Metric] = []
        self.cancel_requested = False
        self.orphaned = False  # the worker that started this run is gone
        self.last_flush = 0.0
        self.progress = 0.0
        self.flushed_rows = 0

    def on_metrics(self, step: int, epoch: float, values: dict[str, float]) -> None:
        first = self.flushed_rows == 0 and not self.pending
        self.pending.append(Metric(run_id=self.run_id, step=step, epoch=epoch, values=values))
        self.progress = min(1.0, epoch / self.epochs)
        if first:
            self.flush()  # the learner's chart should start moving at once
        else:
            self._maybe_flush()

    def should_stop(self) -> bool:
        self._maybe_flush()
        return self.cancel_requested or self.orphaned

    def _maybe_flush(self) -> None:
        if time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        self.last_flush = time.monotonic()
        with write_session() as session:
            session.add_all(self.pending)
            session.execute(
                update(Run)
                .where(Run.id == self.run_id)
                .values(heartbeat_at=utcnow(), progress=self.progress)
            )
            self.cancel_requested = bool(
                session.scalar(select(Run.cancel_requested).where(Run.id == self.run_id))
            )
        self.flushed_rows += len(self.pending)
        self.pending = []
        self.orphaned = self.worker_pid is not None and not self._worker_running()

    def _worker_running(self) -> bool:
        """Is the worker that started this run still there (a zombie or a new process that
        got its pid is not)?"""
        if self.worker_pid is None or self.worker_started is None:  # gone when the run began
            return False
        return is_running(self.worker_pid, self.worker_started)


def execute_run(run_id: int, worker_pid: int | None = None) -> str:
    """Train a claimed run to its end and record the outcome; returns the final status."""
    with read_session() as session:
        spec = stored_spec(session.get_one(Run, run_id).spec)
    torch.set_num_threads(1)  # runs share the machine; the worker's limit sets how many run
    files = run_files(run_id, spec)
    jobs.discard_metrics_after(run_id, checkpoint_step(files))  # a resumed epoch is redone
    hooks = DatabaseHooks(run_id, spec.epochs, worker_pid)
    try:
        result = train(spec, hooks, files=files)
    except Exception as exc:  # noqa: BLE001 - the learner sees the reason; the worker serves on
        hooks.flush()
        traceback.print_exc()
        jobs.finish(run_id, "failed", f"Training stopped with an error: {exc}")
        return "failed"
    hooks.flush()
    if hooks.orphaned and result.status == "cancelled":
        epoch = result.epochs
        reason = (
            f"The worker stopped while this run was training. Resume it to continue "
            f"after epoch {epoch}."
            if epoch
            else "The worker stopped; start it again."
        )
        jobs.finish(run_id, "interrupted", reason, result.as_dict())
        return "interrupted"
    jobs.finish(run_id, result.status, result.reason, result.as_dict())
    return result.status


def run_files(run_id: int, spec: RunSpec) -> RunFiles:
    source = artifacts.model_path(spec.pretrained_from) if spec.pretrained_from else None
    return RunFiles(
        checkpoint=artifacts.checkpoint_path(run_id),
        model=artifacts.model_path(run_id),
        pretrained=source,
    )


def checkpoint_step(files: RunFiles) -> int:
    """The global step of the last checkpoint (0 when the run starts afresh)."""
    state = load_checkpoint(files.checkpoint) if files.checkpoint else None
    return int(state["step"]) if state else 0


def run_in_child(run_id: int, environment: dict[str, str], worker_pid: int) -> None:
    """Entry point of a run process (forked from the worker's warm server)."""
    # The fork server keeps the environment it started with; the worker's settings win.
    os.environ.update(environment)
    os.nice(run_niceness())  # the web pages a class is clicking come before training
    dispose_engines()  # never share pooled connections across a fork
    execute_run(run_id, worker_pid)
