"""Training runs as people see them: submit your own, read your own or your learners'."""

from __future__ import annotations

from classroom.access import Actor, NotFound, can_view_learner, require_actor
from classroom.datasets import require_dataset_access
from db.session import read_session
from engine import jobs
from engine.spec import RunSpec


def submit_run(actor: Actor | None, spec: RunSpec, lab_id: str) -> int:
    actor = require_actor(actor)
    require_dataset_access(actor, spec.dataset)
    if spec.pretrained_from is not None:
        get_run(actor, spec.pretrained_from)  # only from a run the learner may see
    return jobs.submit(spec, owner_id=actor.id, lab_id=lab_id)


def get_run(actor: Actor | None, run_id: int) -> jobs.RunStatus:
    """A run its owner or the owner's teacher may see; NotFound for anyone else."""
    state = jobs.status(run_id)
    if state is None or not _visible(actor, state.owner_id):
        raise NotFound("No such run.")
    return state


def watch_run(
    actor: Actor | None, run_id: int, after_step: int = -1
) -> tuple[jobs.RunProgress, list[jobs.MetricRow]]:
    """A visible run's progress and its metric rows after ``after_step`` (the live panel)."""
    progress, rows = jobs.watch(run_id, after_step)
    if progress is None or not _visible(actor, progress.owner_id):
        raise NotFound("No such run.")
    return progress, rows


def _visible(actor: Actor | None, owner_id: int | None) -> bool:
    """Is ``actor`` the run owner, or the owner's teacher? (The owner needs no lookup.)"""
    if owner_id is None or actor is None:
        return False
    if owner_id == actor.id:
        return True
    with read_session() as session:
        return can_view_learner(session, actor, owner_id)


def run_metrics(actor: Actor | None, run_id: int, after_step: int = -1) -> list[jobs.MetricRow]:
    get_run(actor, run_id)
    return jobs.metrics_since(run_id, after_step)


def cancel_run(actor: Actor | None, run_id: int) -> bool:
    """Only the owner can cancel."""
    actor = require_actor(actor)
    state = get_run(actor, run_id)
    if state.owner_id != actor.id:
        raise NotFound("No such run.")
    return jobs.cancel(run_id)


def resume_run(actor: Actor | None, run_id: int) -> bool:
    """Queue the owner's interrupted run again; it continues from its last checkpoint."""
    actor = require_actor(actor)
    if get_run(actor, run_id).owner_id != actor.id:
        raise NotFound("No such run.")
    return jobs.resume(run_id)


def my_runs(actor: Actor | None, lab_id: str | None = None) -> list[jobs.RunStatus]:
    actor = require_actor(actor)
    return jobs.list_runs(actor.id, lab_id)
