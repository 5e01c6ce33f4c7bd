"""Classes: a teacher creates them, learners join with a code, the teacher sees the roster."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select

from classroom.access import (
    Actor,
    NotAllowed,
    NotFound,
    require_actor,
    require_teacher,
    teaches,
    teaches_class,
)
from db.models import Assignment, Classroom, Membership, User
from db.session import read_session, write_session
from engine import jobs

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread
CODE_LENGTH = 6


@dataclass(frozen=True)
class ClassInfo:
    id: int
    name: str
    join_code: str
    teacher_id: int


@dataclass(frozen=True)
class Member:
    id: int
    username: str
    display_name: str


def _info(row: Classroom) -> ClassInfo:
    return ClassInfo(row.id, row.name, row.join_code, row.teacher_id)


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create_class(actor: Actor | None, name: str) -> ClassInfo:
    teacher = require_teacher(actor)
    name = re.sub(r"\s+", " ", name).strip()
    if not 1 <= len(name) <= 80:
        raise ValueError("Give the class a name of 1 to 80 characters.")
    with write_session() as session:
        codes = set(session.scalars(select(Classroom.join_code)))
        code = new_join_code()
        while code in codes:
            code = new_join_code()
        row = Classroom(name=name, teacher_id=teacher.id, join_code=code)
        session.add(row)
        session.flush()
        return _info(row)


def list_classes(actor: Actor | None) -> list[ClassInfo]:
    """A teacher's own classes, or the classes a learner belongs to."""
    actor = require_actor(actor)
    with read_session() as session:
        if actor.is_teacher:
            query = select(Classroom).where(Classroom.teacher_id == actor.id)
        else:
            query = (
                select(Classroom)
                .join(Membership, Membership.class_id == Classroom.id)
                .where(Membership.user_id == actor.id)
            )
        return [_info(r) for r in session.scalars(query.order_by(Classroom.id))]


def get_class(actor: Actor | None, class_id: int) -> ClassInfo:
    """A class its teacher owns; anyone else gets NotFound."""
    with read_session() as session:
        row = session.get(Classroom, class_id)
        if row is None or not teaches_class(session, actor, class_id):
            raise NotFound("No such class.")
        return _info(row)


def roster(actor: Actor | None, class_id: int) -> list[Member]:
    get_class(actor, class_id)
    with read_session() as session:
        users = session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.class_id == class_id)
            .order_by(User.display_name)
        )
        return [Member(u.id, u.username, u.display_name) for u in users]


def join_class(actor: Actor | None, join_code: str) -> ClassInfo:
    """A learner joins a class by its code (joining twice is harmless)."""
    actor = require_actor(actor)
    if actor.is_teacher:
        raise NotAllowed("Teachers create classes; learners join them.")
    code = join_code.strip().upper()
    with write_session() as session:
        row = session.scalar(select(Classroom).where(Classroom.join_code == code))
        if row is None:
            raise NotFound("No class has that join code; check it with your teacher.")
        if session.get(Membership, (row.id, actor.id)) is None:
            session.add(Membership(class_id=row.id, user_id=actor.id))
        return _info(row)


def remove_learner(actor: Actor | None, class_id: int, learner_id: int) -> None:
    """The class's teacher takes a learner out of it (with work assigned to them alone).

    The learner keeps their account, runs and journal; they can join again with the code."""
    get_class(actor, class_id)  # NotFound unless the actor teaches this class
    with write_session() as session:
        membership = session.get(Membership, (class_id, learner_id))
        if membership is None:
            raise NotFound("That learner is not in this class.")
        session.delete(membership)
        session.execute(
            delete(Assignment).where(
                Assignment.class_id == class_id, Assignment.learner_id == learner_id
            )
        )


def get_learner(actor: Actor | None, learner_id: int) -> Member:
    """A learner as their teacher sees them; NotFound for anyone else (the learner included:
    this is the teacher's view)."""
    actor = require_actor(actor)
    with read_session() as session:
        user = session.get(User, learner_id)
        if user is None or not teaches(session, actor, learner_id):
            raise NotFound("No such learner.")
        return Member(user.id, user.username, user.display_name)


def shared_classes(actor: Actor | None, learner_id: int) -> list[ClassInfo]:
    """The teacher's classes that this learner belongs to."""
    actor = require_actor(actor)
    get_learner(actor, learner_id)
    with read_session() as session:
        rows = session.scalars(
            select(Classroom)
            .join(Membership, Membership.class_id == Classroom.id)
            .where(Classroom.teacher_id == actor.id, Membership.user_id == learner_id)
            .order_by(Classroom.id)
        )
        return [_info(r) for r in rows]


def learner_runs(actor: Actor | None, learner_id: int) -> list[jobs.RunStatus]:
    """A learner's runs, newest first, for their teacher."""
    get_learner(actor, learner_id)
    return jobs.list_runs(learner_id)
