"""Who the acting user is, and the one error for both "missing" and "not yours"."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Classroom, Membership, User


class NotFound(LookupError):
    """Raised when a thing does not exist or the actor may not see it (the same to them)."""


class NotAllowed(PermissionError):
    """Raised when the actor's role cannot do this at all (e.g. a learner creating a class)."""


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    display_name: str
    role: str  # "teacher" or "learner"

    @property
    def is_teacher(self) -> bool:
        return self.role == "teacher"

    @classmethod
    def from_user(cls, user: User) -> Actor:
        return cls(user.id, user.username, user.display_name, user.role)


def require_teacher(actor: Actor | None) -> Actor:
    if actor is None or not actor.is_teacher:
        raise NotAllowed("Only teachers can do this.")
    return actor


def require_actor(actor: Actor | None) -> Actor:
    if actor is None:
        raise NotFound("Please sign in.")
    return actor


def teaches_class(session: Session, actor: Actor | None, class_id: int) -> bool:
    """Is ``actor`` the teacher of this class? False for anyone else and for an unknown class."""
    if actor is None or not actor.is_teacher:
        return False
    klass = session.get(Classroom, class_id)
    return klass is not None and klass.teacher_id == actor.id


def teaches(session: Session, teacher: Actor, learner_id: int) -> bool:
    """Is ``teacher`` the teacher of a class that ``learner_id`` belongs to?"""
    if not teacher.is_teacher:
        return False
    query = (
        select(Membership.user_id)
        .join(Classroom, Classroom.id == Membership.class_id)
        .where(Classroom.teacher_id == teacher.id, Membership.user_id == learner_id)
    )
    return session.scalar(query.limit(1)) is not None


def can_view_learner(session: Session, actor: Actor | None, learner_id: int) -> bool:
    """The learner themselves, or their teacher."""
    return actor is not None and (actor.id == learner_id or teaches(session, actor, learner_id))


def viewed_learner(
    session: Session, actor: Actor, learner_id: int | None, missing: str = "No such learner."
) -> int:
    """The learner whose records are read: the actor (``learner_id`` None), or a learner the
    actor may view; anyone else reads as ``missing`` (NotFound)."""
    learner_id = actor.id if learner_id is None else learner_id
    if not can_view_learner(session, actor, learner_id):
        raise NotFound(missing)
    return learner_id
