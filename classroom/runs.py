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
    if state is None or state.owner_id is None:
        raise NotFound("No such run.")
    with read_session() as session:
        if not can_view_learner(session, actor, state.owner_id):
            raise NotFound("No such run.")
    return state


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
