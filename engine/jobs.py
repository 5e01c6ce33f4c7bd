"""The job system's API: submit, cancel, status, metrics. Runs and metrics live in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from db.models import Metric, Run, utcnow
from db.session import read_session, rows_changed, write_session
from engine import artifacts
from engine.checks import check_runnable
from engine.spec import RunSpec

ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled", "interrupted", "diverged")


@dataclass(frozen=True)
class RunStatus:
    id: int
    owner_id: int | None
    lab_id: str | None
    status: str
    reason: str | None
    progress: float
    spec: dict[str, Any]
    result: dict[str, Any] | None
    created_at: datetime
    finished_at: datetime | None
    queue_position: int | None  # 1 = next to start; None unless queued
    cancel_requested: bool = False
    study_id: int | None = None  # a hyperparameter study's run (engine.tuning)
    trial_number: int | None = None  # which of the study's trials it trains

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


@dataclass(frozen=True)
class MetricRow:
    step: int
    epoch: float
    values: dict[str, float]


def submit(
    spec: RunSpec,
    owner_id: int | None,
    lab_id: str | None = None,
    study_id: int | None = None,
    trial_number: int | None = None,
) -> int:
    """Queue a run and return its id; the worker picks it up."""
    check_runnable(spec)
    with write_session() as session:
        run = Run(
            owner_id=owner_id,
            lab_id=lab_id,
            spec=spec.model_dump(),
            status="queued",
            study_id=study_id,
            trial_number=trial_number,
        )
        session.add(run)
        session.flush()
        return run.id


def cancel(run_id: int) -> bool:
    """Cancel a queued run at once, or ask a running one to stop. False if already over."""
    with write_session() as session:
        run = session.get(Run, run_id)
        if run is None or run.status not in ACTIVE:
            return False
        if run.status == "queued":
            run.status, run.reason, run.finished_at = (
                "cancelled",
                "Cancelled before it started.",
                utcnow(),
            )
        else:
            run.cancel_requested = True
        return True


def status(run_id: int) -> RunStatus | None:
    with read_session() as session:
        run = session.get(Run, run_id)
        if run is None:
            return None
        position = None
        if run.status == "queued":
            ahead = session.scalar(
                select(func.count()).select_from(Run).where(Run.status == "queued", Run.id < run.id)
            )
            position = int(ahead or 0) + 1
        return _to_status(run, position)


@dataclass(frozen=True)
class RunProgress:
    """What a live panel shows of a run between two polls."""

    owner_id: int | None
    status: str
    progress: float
    queue_position: int | None  # 1 = next to start; None unless queued

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def watch(run_id: int, after_step: int = -1) -> tuple[RunProgress | None, list[MetricRow]]:
    """A run's progress and its metric rows after ``after_step``: two small queries in one
    session, as the live panel asks this twice a second for every learner watching a run."""
    ahead = (
        select(func.count())
        .where(Run.status == "queued", Run.id < run_id)
        .correlate(None)
        .scalar_subquery()
    )
    with read_session() as session:
        found = session.execute(
            select(Run.owner_id, Run.status, Run.progress, ahead).where(Run.id == run_id)
        ).one_or_none()
        if found is None:
            return None, []
        owner_id, status_, progress, queued_ahead = found
        position = int(queued_ahead) + 1 if status_ == "queued" else None
        rows = _metrics_in(session, run_id, after_step)
        return RunProgress(owner_id, status_, progress, position), rows


def list_runs(owner_id: int, lab_id: str | None = None, limit: int = 50) -> list[RunStatus]:
    """An owner's runs, newest first."""
    query = select(Run).where(Run.owner_id == owner_id)
    if lab_id:
        query = query.where(Run.lab_id == lab_id)
    with read_session() as session:
        runs = session.scalars(query.order_by(Run.id.desc()).limit(limit)).all()
        return [_to_status(r, None) for r in runs]


def metrics_since(run_id: int, after_step: int = -1) -> list[MetricRow]:
    """Metric rows of a run with step greater than ``after_step``, in step order."""
    with read_session() as session:
        return _metrics_in(session, run_id, after_step)


def _metrics_in(session: Session, run_id: int, after_step: int) -> list[MetricRow]:
    rows = session.execute(
        select(Metric.step, Metric.epoch, Metric.values)
        .where(Metric.run_id == run_id, Metric.step > after_step)
        .order_by(Metric.step)
    ).all()
    return [MetricRow(step, epoch, dict(values)) for step, epoch, values in rows]


def _to_status(run: Run, position: int | None) -> RunStatus:
    return RunStatus(
        run.id,
        run.owner_id,
        run.lab_id,
        run.status,
        run.reason,
        run.progress,
        dict(run.spec),
        dict(run.result) if run.result else None,
        run.created_at,
        run.finished_at,
        position,
        run.cancel_requested,
        run.study_id,
        run.trial_number,
    )


RESUMABLE = ("interrupted", "failed")


def resume(run_id: int) -> bool:
    """Queue an interrupted run again; it continues from its last checkpoint."""
    if not artifacts.checkpoint_path(run_id).exists():
        return False
    with write_session() as session:
        run = session.get(Run, run_id)
        if run is None or run.status not in RESUMABLE:
            return False
        run.status, run.reason, run.finished_at, run.cancel_requested = "queued", None, None, False
        return True


def discard_metrics_after(run_id: int, step: int) -> int:
    """Delete rows past ``step`` (from an epoch a crash cut short); returns how many."""
    with write_session() as session:
        result = session.execute(delete(Metric).where(Metric.run_id == run_id, Metric.step > step))
        return rows_changed(result)


# --- used by the worker and the run process -------------------------------------------------


def claim_next(worker_pid: int) -> int | None:
    """Atomically move the oldest queued run to running; returns its id."""
    with write_session() as session:
        query = select(Run).where(Run.status == "queued").order_by(Run.id).limit(1)
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        run = session.scalars(query).first()
        if run is None:
            return None
        now = utcnow()
        run.status, run.started_at, run.heartbeat_at, run.worker_pid = (
            "running",
            now,
            now,
            worker_pid,
        )
        return run.id


def finish(
    run_id: int,
    status_: str,
    reason: str | None = None,
    result: dict[str, Any] | None = None,
    only_if_running: bool = False,
) -> bool:
    """Record a run's end. With ``only_if_running`` it never overwrites a finished run."""
    with write_session() as session:
        query = update(Run).where(Run.id == run_id)
        if only_if_running:
            query = query.where(Run.status == "running")
        values: dict[str, Any] = {"status": status_, "reason": reason, "finished_at": utcnow()}
        if result is not None:
            values["result"] = result
        if status_ == "done":
            values["progress"] = 1.0
        return rows_changed(session.execute(query.values(**values))) > 0
