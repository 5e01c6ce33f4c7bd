"""Teams within a class: the teacher forms them, or lets learners create and join them.

A learner is in at most one team per class. Who is on a team decides who sees the runs a
learner shares with their team (classroom.team_runs) and how a team's challenge budget is
counted (classroom.challenges).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from classroom.access import (
    Actor,
    NotAllowed,
    NotFound,
    require_actor,
    require_teacher,
    teaches_class,
)
from classroom.classes import Member, new_join_code
from db.models import Classroom, ClassTeamSettings, Membership, Team, TeamMember, User, utcnow
from db.session import read_session, write_session


@dataclass(frozen=True)
class TeamInfo:
    id: int
    class_id: int
    class_name: str
    name: str
    join_code: str  # shown to its members and the teacher
    members: tuple[Member, ...]


def teammates(session: Session, learner_id: int) -> set[int]:
    """Ids of the other learners who share a team with this learner (in any of their classes).

    Both must still belong to the team's class: a learner taken out of a class leaves its team."""
    mine, other = aliased(TeamMember), aliased(TeamMember)
    mine_in, other_in = aliased(Membership), aliased(Membership)
    query = (
        select(other.learner_id)
        .join(mine, mine.team_id == other.team_id)
        .join(mine_in, (mine_in.class_id == mine.class_id) & (mine_in.user_id == mine.learner_id))
        .join(
            other_in, (other_in.class_id == other.class_id) & (other_in.user_id == other.learner_id)
        )
        .where(mine.learner_id == learner_id, other.learner_id != learner_id)
    )
    return set(session.scalars(query))


def same_team(session: Session, a: int, b: int) -> bool:
    """Are learners ``a`` and ``b`` two different members of one team?"""
    return a != b and b in teammates(session, a)


def team_of(session: Session, learner_id: int, class_id: int) -> Team | None:
    """The learner's team in that class, if any."""
    return session.scalar(
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.learner_id == learner_id, TeamMember.class_id == class_id)
    )


def in_class(session: Session, learner_id: int, class_id: int) -> bool:
    return session.get(Membership, (class_id, learner_id)) is not None


def _learners_form(session: Session, class_id: int) -> bool:
    settings = session.get(ClassTeamSettings, class_id)
    return bool(settings and settings.learners_form_teams)


def _info(session: Session, team: Team) -> TeamInfo:
    users = session.scalars(
        select(User)
        .join(TeamMember, TeamMember.learner_id == User.id)
        .join(
            Membership,
            (Membership.user_id == User.id) & (Membership.class_id == TeamMember.class_id),
        )
        .where(TeamMember.team_id == team.id)
        .order_by(User.display_name)
    )
    klass = session.get(Classroom, team.class_id)
    members = tuple(Member(u.id, u.username, u.display_name) for u in users)
    return TeamInfo(
        team.id, team.class_id, klass.name if klass else "", team.name, team.join_code, members
    )


def visible_team(session: Session, actor: Actor | None, team_id: int) -> Team:
    """A team its class's teacher or one of its members may see; NotFound for anyone else."""
    team = session.get(Team, team_id)
    if team is None or actor is None:
        raise NotFound("No such team.")
    if teaches_class(session, actor, team.class_id):
        return team
    member = session.get(TeamMember, (team_id, actor.id))
    if member is None or not in_class(session, actor.id, team.class_id):
        raise NotFound("No such team.")
    return team


def _clean_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip()
    if not 1 <= len(name) <= 80:
        raise ValueError("Give the team a name of 1 to 80 characters.")
    return name


def learners_may_form_teams(actor: Actor | None, class_id: int) -> bool:
    """Whether learners of this class create and join teams themselves (teacher or member)."""
    actor = require_actor(actor)
    with read_session() as session:
        if not (teaches_class(session, actor, class_id) or in_class(session, actor.id, class_id)):
            raise NotFound("No such class.")
        return _learners_form(session, class_id)


def set_learners_may_form_teams(actor: Actor | None, class_id: int, allowed: bool) -> None:
    """The class's teacher lets learners form teams, or keeps that to themselves."""
    teacher = require_teacher(actor)
    with write_session() as session:
        if not teaches_class(session, teacher, class_id):
            raise NotFound("No such class.")
        settings = session.get(ClassTeamSettings, class_id)
        if settings is None:
            session.add(ClassTeamSettings(class_id=class_id, learners_form_teams=allowed))
        else:
            settings.learners_form_teams, settings.updated_at = allowed, utcnow()


def create_team(actor: Actor | None, class_id: int, name: str) -> TeamInfo:
    """The teacher creates a team; so may a learner where allowed, and they join it at once."""
    actor = require_actor(actor)
    name = _clean_name(name)
    try:
        with write_session() as session:
            is_teacher = teaches_class(session, actor, class_id)
            if not is_teacher:
                _check_learner_may_form(session, actor, class_id)
            codes = set(session.scalars(select(Team.join_code)))
            code = new_join_code()
            while code in codes:
                code = new_join_code()
            team = Team(class_id=class_id, name=name, join_code=code, created_by=actor.id)
            session.add(team)
            session.flush()
            if not is_teacher:
                session.add(TeamMember(team_id=team.id, learner_id=actor.id, class_id=class_id))
                session.flush()
            return _info(session, team)
    except IntegrityError:
        raise ValueError(f"This class already has a team called {name!r}.") from None


def _check_learner_may_form(session: Session, actor: Actor, class_id: int) -> None:
    if actor.is_teacher or not in_class(session, actor.id, class_id):
        raise NotFound("No such class.")
    if not _learners_form(session, class_id):
        raise NotAllowed("Your teacher forms the teams in this class.")
    current = team_of(session, actor.id, class_id)
    if current is not None:
        raise ValueError(f"You are already in the team {current.name!r}; leave it first.")


def join_team(actor: Actor | None, join_code: str) -> TeamInfo:
    """A learner joins a team of one of their classes by its code, where learners form teams."""
    actor = require_actor(actor)
    code = join_code.strip().upper()
    with write_session() as session:
        team = session.scalar(select(Team).where(Team.join_code == code))
        if team is None or actor.is_teacher or not in_class(session, actor.id, team.class_id):
            raise NotFound("No team of your classes has that code; check it with your team.")
        if session.get(TeamMember, (team.id, actor.id)) is not None:
            return _info(session, team)
        _check_learner_may_form(session, actor, team.class_id)
        session.add(TeamMember(team_id=team.id, learner_id=actor.id, class_id=team.class_id))
        session.flush()
        return _info(session, team)


def add_member(actor: Actor | None, team_id: int, learner_id: int) -> TeamInfo:
    """The teacher puts a learner of the class in a team (moving them from their old one)."""
    teacher = require_teacher(actor)
    with write_session() as session:
        team = session.get(Team, team_id)
        if team is None or not teaches_class(session, teacher, team.class_id):
            raise NotFound("No such team.")
        learner = session.get(User, learner_id)
        if learner is None or not in_class(session, learner_id, team.class_id):
            raise NotFound("That learner is not in this class.")
        current = session.scalar(
            select(TeamMember).where(
                TeamMember.class_id == team.class_id, TeamMember.learner_id == learner_id
            )
        )
        if current is not None and current.team_id != team.id:
            session.delete(current)
            session.flush()
        if current is None or current.team_id != team.id:
            session.add(TeamMember(team_id=team.id, learner_id=learner_id, class_id=team.class_id))
            session.flush()
        return _info(session, team)


def remove_member(actor: Actor | None, team_id: int, learner_id: int) -> None:
    """The teacher takes a learner out of a team; a learner may leave their own team."""
    actor = require_actor(actor)
    if not actor.is_teacher and learner_id != actor.id:
        raise NotAllowed("Only your teacher can take someone else out of a team.")
    with write_session() as session:
        team = visible_team(session, actor, team_id)
        if actor.is_teacher and not teaches_class(session, actor, team.class_id):
            raise NotFound("No such team.")
        member = session.get(TeamMember, (team_id, learner_id))
        if member is None:
            raise NotFound("That learner is not in this team.")
        session.delete(member)


def delete_team(actor: Actor | None, team_id: int) -> None:
    """The teacher removes a team; its members keep their runs and can join another."""
    teacher = require_teacher(actor)
    with write_session() as session:
        team = session.get(Team, team_id)
        if team is None or not teaches_class(session, teacher, team.class_id):
            raise NotFound("No such team.")
        session.delete(team)


def get_team(actor: Actor | None, team_id: int) -> TeamInfo:
    with read_session() as session:
        return _info(session, visible_team(session, actor, team_id))


def class_teams(actor: Actor | None, class_id: int) -> list[TeamInfo]:
    """Every team of a class, for its teacher."""
    teacher = require_teacher(actor)
    with read_session() as session:
        if not teaches_class(session, teacher, class_id):
            raise NotFound("No such class.")
        teams = session.scalars(select(Team).where(Team.class_id == class_id).order_by(Team.name))
        return [_info(session, t) for t in teams]


def my_teams(actor: Actor | None) -> list[TeamInfo]:
    """The learner's teams, one per class at most, in class order."""
    actor = require_actor(actor)
    with read_session() as session:
        teams = session.scalars(
            select(Team)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .join(
                Membership,
                (Membership.class_id == Team.class_id) & (Membership.user_id == actor.id),
            )
            .where(TeamMember.learner_id == actor.id)
            .order_by(Team.class_id)
        )
        return [_info(session, t) for t in teams]
