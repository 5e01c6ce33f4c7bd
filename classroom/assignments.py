"""Assignments: a teacher sets a track, or one step, for a class or chosen learners, due on a date.

Teachers manage the assignments of their own classes; a learner sees what is set for them
(for the whole class or for them alone) in the classes they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, or_, select

from classroom.access import Actor, NotFound, require_actor, teaches_class, viewed_learner
from classroom.classes import get_class, roster
from curriculum.catalog import Step, tracks
from db.models import Assignment, Classroom, Membership, User
from db.session import read_session, write_session


@dataclass(frozen=True)
class AssignmentInfo:
    id: int
    class_id: int
    class_name: str
    track_id: str
    step_id: str | None  # None: the whole track
    learner_id: int | None  # None: the whole class
    learner_name: str | None
    due_date: date
    created_by: int
    created_at: datetime

    @property
    def steps(self) -> tuple[Step, ...]:
        """The steps this assignment covers, in track order."""
        track = tracks()[self.track_id]
        return tuple(s for s in track.steps if self.step_id in (None, s.id))

    @property
    def title(self) -> str:
        track = tracks()[self.track_id]
        if self.step_id is None:
            return f"{track.title} (whole track)"
        return f"{self.steps[0].title} ({track.title})" if self.steps else self.step_id

    @property
    def for_whom(self) -> str:
        return self.learner_name or "the whole class"


def _query() -> Select[Assignment, str, str]:
    """Assignments with their class's name and, when set for one learner, that learner's."""
    return (
        select(Assignment, Classroom.name, User.display_name)
        .join(Classroom, Classroom.id == Assignment.class_id)
        .outerjoin(User, User.id == Assignment.learner_id)
    )


def _info(row: Assignment, class_name: str, learner_name: str | None) -> AssignmentInfo:
    return AssignmentInfo(
        row.id,
        row.class_id,
        class_name,
        row.track_id,
        row.step_id,
        row.learner_id,
        learner_name,
        row.due_date,
        row.created_by,
        row.created_at,
    )


def _check_work(track_id: str, step_id: str | None, due_date: date, today: date) -> None:
    track = tracks().get(track_id)
    if track is None:
        raise ValueError("Choose one of the tracks to assign.")
    if step_id is not None and step_id not in {s.id for s in track.steps}:
        raise ValueError(f"The track {track.title!r} has no such step.")
    if not isinstance(due_date, date):
        raise ValueError("Give the assignment a due date.")
    if due_date < today:
        raise ValueError("The due date is in the past: choose today or a later day.")


def assign(
    actor: Actor | None,
    class_id: int,
    track_id: str,
    due_date: date,
    *,
    step_id: str | None = None,
    learner_ids: list[int] | None = None,
    today: date | None = None,
) -> list[AssignmentInfo]:
    """Set a track (or one of its steps) for the class, or for the chosen learners.

    Assigning the same work to the same people again moves its due date."""
    klass = get_class(actor, class_id)  # NotFound unless the actor teaches it
    _check_work(track_id, step_id, due_date, today or date.today())
    if learner_ids is not None:
        if not learner_ids:
            raise ValueError("Choose at least one learner, or assign to the whole class.")
        members = {m.id for m in roster(actor, class_id)}
        if not set(learner_ids) <= members:
            raise NotFound("That learner is not in this class.")
    targets: list[int | None] = list(dict.fromkeys(learner_ids)) if learner_ids else [None]
    ids = []
    with write_session() as session:
        for learner_id in targets:
            row = session.scalar(
                select(Assignment).where(
                    Assignment.class_id == class_id,
                    Assignment.track_id == track_id,
                    Assignment.step_id.is_(None)
                    if step_id is None
                    else Assignment.step_id == step_id,
                    Assignment.learner_id.is_(None)
                    if learner_id is None
                    else Assignment.learner_id == learner_id,
                )
            )
            if row is None:
                row = Assignment(
                    class_id=class_id,
                    track_id=track_id,
                    step_id=step_id,
                    learner_id=learner_id,
                    created_by=klass.teacher_id,
                    due_date=due_date,
                )
                session.add(row)
            row.due_date = due_date
            session.flush()
            ids.append(row.id)
    return [a for a in assignments_for_class(actor, class_id) if a.id in ids]


def unassign(actor: Actor | None, assignment_id: int) -> None:
    """The class's teacher withdraws an assignment."""
    actor = require_actor(actor)
    with write_session() as session:
        row = session.get(Assignment, assignment_id)
        if row is None or not teaches_class(session, actor, row.class_id):
            raise NotFound("No such assignment.")
        session.delete(row)


def assignments_for_class(actor: Actor | None, class_id: int) -> list[AssignmentInfo]:
    """Every assignment of the teacher's class, soonest due first."""
    get_class(actor, class_id)
    with read_session() as session:
        rows = session.execute(
            _query()
            .where(Assignment.class_id == class_id)
            .order_by(Assignment.due_date, Assignment.id)
        )
        return [_info(*row) for row in rows]


def assignments_for_learner(
    actor: Actor | None, learner_id: int | None = None
) -> list[AssignmentInfo]:
    """What is set for a learner, soonest due first: the learner's own view, or their teacher's
    (who sees only the work set in their own classes)."""
    actor = require_actor(actor)
    with read_session() as session:
        learner_id = viewed_learner(session, actor, learner_id)
        query = (
            _query()
            .join(
                Membership,
                (Membership.class_id == Assignment.class_id) & (Membership.user_id == learner_id),
            )
            .where(or_(Assignment.learner_id.is_(None), Assignment.learner_id == learner_id))
        )
        if actor.id != learner_id:
            query = query.where(Classroom.teacher_id == actor.id)
        rows = session.execute(query.order_by(Assignment.due_date, Assignment.id))
        return [_info(*row) for row in rows]
