"""What a challenge page polls while its runs train: the statuses of the runs it shows, in one
database query, with access built into that query.

A learner's page shows their own runs of the challenge; the class's teacher watches every run
of it (the leaderboard grows as they finish). Anyone else gets an empty answer."""

from __future__ import annotations

from sqlalchemy import select

from classroom.access import Actor
from db.models import Challenge, Classroom, Run
from db.session import read_session
from engine.jobs import ACTIVE

RunStates = tuple[tuple[int, str], ...]  # (run id, status), by run id


def challenge_run_states(actor: Actor | None, challenge_id: int) -> RunStates:
    """(run id, status) of the challenge's runs this viewer's page shows."""
    if actor is None:
        return ()
    query = select(Run.id, Run.status).where(Run.challenge_id == challenge_id)
    if actor.is_teacher:
        query = (
            query.join(Challenge, Challenge.id == Run.challenge_id)
            .join(Classroom, Classroom.id == Challenge.class_id)
            .where(Classroom.teacher_id == actor.id)
        )
    else:
        query = query.where(Run.owner_id == actor.id)
    with read_session() as session:
        return tuple((run_id, status) for run_id, status in session.execute(query.order_by(Run.id)))


def any_active(states: RunStates) -> bool:
    return any(status in ACTIVE for _, status in states)
