"""Objective events: each check (passed | failed) and each hint or solution a learner revealed.

A learner records their own events; they and their teacher read them. One event of each kind
per (learner, lab, objective, outcome): a page that reruns records nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from classroom.access import Actor, NotAllowed, NotFound, can_view_learner, require_actor
from classroom.classes import roster
from db.models import ObjectiveEvent, Run
from db.session import read_session, write_session

REVEALS = ("hint-1", "hint-2", "solution")  # in the order a learner can ask for them
EVENTS = ("passed", "failed", *REVEALS)
MAX_ID = 64
MAX_KEY = 80


@dataclass(frozen=True)
class Event:
    learner_id: int
    lab_id: str
    objective_id: str
    step_id: str | None
    event: str
    run_id: int | None
    outcome_key: str
    at: datetime

    @property
    def is_reveal(self) -> bool:
        return self.event in REVEALS


def _event(row: ObjectiveEvent) -> Event:
    return Event(
        row.learner_id,
        row.lab_id,
        row.objective_id,
        row.step_id,
        row.event,
        row.run_id,
        row.outcome_key,
        row.at,
    )


def _check_fields(lab_id: str, objective_id: str, event: str, outcome_key: str) -> None:
    if event not in EVENTS:
        raise ValueError(f"Unknown objective event {event!r}; expected one of {', '.join(EVENTS)}.")
    for name, value, limit in (
        ("lab", lab_id, MAX_ID),
        ("objective", objective_id, MAX_ID),
        ("outcome key", outcome_key, MAX_KEY),
    ):
        if not value or len(value) > limit:
            raise ValueError(f"The {name} id must be 1 to {limit} characters.")


def record_event(
    actor: Actor | None,
    lab_id: str,
    objective_id: str,
    event: str,
    outcome_key: str,
    *,
    step_id: str | None = None,
    run_id: int | None = None,
) -> bool:
    """Record one of the learner's own events; False if this outcome already has it.

    Teachers' own tries are not tracked; a run must be the learner's own."""
    actor = require_actor(actor)
    if actor.is_teacher:
        raise NotAllowed("Checks and hints are recorded for learners only.")
    _check_fields(lab_id, objective_id, event, outcome_key)
    try:
        with write_session() as session:
            if run_id is not None:
                run = session.get(Run, run_id)
                if run is None or run.owner_id != actor.id:
                    raise NotFound("No such run.")
            exists = session.scalar(
                select(ObjectiveEvent.id).where(
                    ObjectiveEvent.learner_id == actor.id,
                    ObjectiveEvent.lab_id == lab_id,
                    ObjectiveEvent.objective_id == objective_id,
                    ObjectiveEvent.outcome_key == outcome_key,
                    ObjectiveEvent.event == event,
                )
            )
            if exists:
                return False
            session.add(
                ObjectiveEvent(
                    learner_id=actor.id,
                    lab_id=lab_id,
                    objective_id=objective_id,
                    step_id=step_id,
                    event=event,
                    run_id=run_id,
                    outcome_key=outcome_key,
                )
            )
            return True
    except IntegrityError:  # another tab recorded the same event at the same moment
        return False


def events_for_learner(
    actor: Actor | None,
    learner_id: int | None = None,
    *,
    lab_id: str | None = None,
    objective_id: str | None = None,
    outcome_key: str | None = None,
) -> list[Event]:
    """A learner's events, oldest first: their own, or as their teacher."""
    actor = require_actor(actor)
    learner_id = actor.id if learner_id is None else learner_id
    query = select(ObjectiveEvent).where(ObjectiveEvent.learner_id == learner_id)
    if lab_id is not None:
        query = query.where(ObjectiveEvent.lab_id == lab_id)
    if objective_id is not None:
        query = query.where(ObjectiveEvent.objective_id == objective_id)
    if outcome_key is not None:
        query = query.where(ObjectiveEvent.outcome_key == outcome_key)
    with read_session() as session:
        if not can_view_learner(session, actor, learner_id):
            raise NotFound("No such learner.")
        return [_event(r) for r in session.scalars(query.order_by(ObjectiveEvent.id))]


def events_for_class(actor: Actor | None, class_id: int) -> list[Event]:
    """Every event of a class's learners, oldest first, for that class's teacher only."""
    ids = [m.id for m in roster(actor, class_id)]  # NotFound unless the actor teaches it
    with read_session() as session:
        rows = session.scalars(
            select(ObjectiveEvent)
            .where(ObjectiveEvent.learner_id.in_(ids))
            .order_by(ObjectiveEvent.id)
        )
        return [_event(r) for r in rows]


def revealed(actor: Actor | None, lab_id: str, objective_id: str, outcome_key: str) -> set[str]:
    """The reveals the actor already asked for on this outcome (survives a reload)."""
    events = events_for_learner(
        actor, lab_id=lab_id, objective_id=objective_id, outcome_key=outcome_key
    )
    return {e.event for e in events if e.is_reveal}
