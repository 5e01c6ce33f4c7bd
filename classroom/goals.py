"""A learner's own goals: what, for which competency, by when. Their teacher may read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.access import Actor, NotFound, require_actor, viewed_learner
from db.models import Goal, utcnow
from db.session import read_session, write_session

MAX_TEXT = 300
MAX_GOALS = 200  # per learner: enough for a year, small enough to show on one page


@dataclass(frozen=True)
class GoalInfo:
    id: int
    owner_id: int
    text: str
    competency: str
    due_on: date | None
    done: bool
    created_at: datetime
    achieved_at: datetime | None


class GoalError(ValueError):
    """A goal that cannot be saved as given, worded for the learner."""


def _info(row: Goal) -> GoalInfo:
    return GoalInfo(
        row.id,
        row.owner_id,
        row.text,
        row.competency,
        row.due_on,
        row.done,
        row.created_at,
        row.achieved_at,
    )


def _check(text: object, competency: object, due_on: object) -> tuple[str, str, date | None]:
    words = " ".join(text.split()) if isinstance(text, str) else ""
    if not words:
        raise GoalError("Say what you want to achieve.")
    if len(words) > MAX_TEXT:
        raise GoalError(f"Keep the goal under {MAX_TEXT} characters.")
    if not isinstance(competency, str) or not competency.strip() or len(competency) > 64:
        raise GoalError("Choose the competency this goal is for.")
    if due_on is not None and (isinstance(due_on, datetime) or not isinstance(due_on, date)):
        raise GoalError("Give the due date as a date, or leave it empty.")
    return words, competency.strip(), due_on


def add_goal(
    actor: Actor | None, text: str, competency: str, due_on: date | None = None
) -> GoalInfo:
    """A new goal of the actor's own (a past due date is allowed: it shows as overdue)."""
    actor = require_actor(actor)
    words, comp, due = _check(text, competency, due_on)
    with write_session() as session:
        count = session.scalar(select(func.count()).where(Goal.owner_id == actor.id)) or 0
        if count >= MAX_GOALS:
            raise GoalError(f"You have {MAX_GOALS} goals; delete some you no longer need first.")
        row = Goal(owner_id=actor.id, text=words, competency=comp, due_on=due)
        session.add(row)
        session.flush()
        return _info(row)


def list_goals(actor: Actor | None, learner_id: int | None = None) -> list[GoalInfo]:
    """A learner's goals (their own, or as their teacher): open ones by due date, then done."""
    actor = require_actor(actor)
    with read_session() as session:
        learner_id = viewed_learner(session, actor, learner_id)
        rows = session.scalars(select(Goal).where(Goal.owner_id == learner_id)).all()
        goals = [_info(r) for r in rows]
    return sorted(goals, key=lambda g: (g.done, g.due_on or date.max, g.id))


def _own(session: Session, actor: Actor, goal_id: int) -> Goal:
    row = session.get(Goal, goal_id)
    if row is None or row.owner_id != actor.id:
        raise NotFound("No such goal.")
    return row


def mark_done(actor: Actor | None, goal_id: int, done: bool = True) -> GoalInfo:
    """Tick a goal off (or reopen it); only its owner can."""
    actor = require_actor(actor)
    with write_session() as session:
        row = _own(session, actor, goal_id)
        if row.done != done:
            row.done, row.achieved_at = done, utcnow() if done else None
        return _info(row)


def delete_goal(actor: Actor | None, goal_id: int) -> None:
    actor = require_actor(actor)
    with write_session() as session:
        session.delete(_own(session, actor, goal_id))
