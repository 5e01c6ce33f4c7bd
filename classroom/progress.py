"""Step completions: the evidence a learner earns for a competency."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from classroom.access import Actor, NotFound, can_view_learner, require_actor
from classroom.classes import roster
from db.models import StepCompletion
from db.session import read_session, write_session


@dataclass(frozen=True)
class StepRef:
    track_id: str
    step_id: str
    competency: str


def complete_step(actor: Actor | None, step: StepRef, run_id: int | None = None) -> bool:
    """Record that the actor finished a step; False if it was already recorded."""
    actor = require_actor(actor)
    try:
        with write_session() as session:
            exists = session.scalar(
                select(StepCompletion.id).where(
                    StepCompletion.user_id == actor.id, StepCompletion.step_id == step.step_id
                )
            )
            if exists:
                return False
            session.add(
                StepCompletion(
                    user_id=actor.id,
                    track_id=step.track_id,
                    step_id=step.step_id,
                    competency=step.competency,
                    run_id=run_id,
                )
            )
            return True
    except IntegrityError:  # a second tab recorded it at the same moment
        return False


def completed_steps(actor: Actor | None, user_id: int | None = None) -> set[str]:
    """Step ids a learner has completed (their own, or as their teacher)."""
    actor = require_actor(actor)
    user_id = actor.id if user_id is None else user_id
    with read_session() as session:
        if not can_view_learner(session, actor, user_id):
            raise NotFound("No such learner.")
        return set(
            session.scalars(select(StepCompletion.step_id).where(StepCompletion.user_id == user_id))
        )


def class_progress(actor: Actor | None, class_id: int) -> dict[int, set[str]]:
    """For each learner of the teacher's class, the step ids they completed."""
    members = roster(actor, class_id)  # raises NotFound unless actor teaches the class
    ids = [m.id for m in members]
    done: dict[int, set[str]] = {i: set() for i in ids}
    with read_session() as session:
        rows = session.execute(
            select(StepCompletion.user_id, StepCompletion.step_id).where(
                StepCompletion.user_id.in_(ids)
            )
        )
        for user_id, step_id in rows:
            done[user_id].add(step_id)
    return done
