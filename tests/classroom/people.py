"""People and classes for the classroom tests, made straight in the database.

Accounts made here skip the sign-up path (tested in test_accounts): a cheap password hash
keeps the access matrices fast. The fixtures built on these live in conftest.py.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Generic, TypeVar

from argon2 import PasswordHasher

from classroom import accounts, classes, teams
from classroom.access import Actor
from classroom.accounts import AccountError
from classroom.classes import ClassInfo
from classroom.teams import TeamInfo
from db.models import Membership, User
from db.session import write_session

CHEAP_PASSWORD = "unused pw"  # every account add_user makes has it
CHEAP_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(CHEAP_PASSWORD)

IdsT = TypeVar("IdsT")


def add_user(username: str, role: str, class_id: int | None = None) -> Actor:
    """A user named ``username`` (shown as ``username.title()``), in the class if one is given."""
    with write_session() as session:
        user = User(
            username=username, display_name=username.title(), password_hash=CHEAP_HASH, role=role
        )
        session.add(user)
        session.flush()
        if class_id is not None:
            session.add(Membership(class_id=class_id, user_id=user.id))
        return Actor.from_user(user)


@dataclass(frozen=True)
class Cast:
    """A teacher's class with the owner and a classmate; another teacher's class with a
    stranger. The five actors of the access matrices come from here."""

    teacher: Actor
    klass: ClassInfo
    owner: Actor
    classmate: Actor
    other_teacher: Actor
    other_class: ClassInfo
    stranger: Actor

    @property
    def actors(self) -> dict[str, Actor | None]:
        """The actors by the names the matrices use ("anonymous" is nobody signed in)."""
        return {
            "owner": self.owner,
            "other learner": self.classmate,
            "own teacher": self.teacher,
            "other teacher": self.other_teacher,
            "anonymous": None,
        }


def make_cast() -> Cast:
    teacher = add_user("teacher", "teacher")
    klass = classes.create_class(teacher, "Year 11")
    owner = add_user("owner", "learner", klass.id)
    classmate = add_user("classmate", "learner", klass.id)
    other_teacher = add_user("otherteacher", "teacher")
    other_class = classes.create_class(other_teacher, "Other class")
    stranger = add_user("stranger", "learner", other_class.id)
    return Cast(teacher, klass, owner, classmate, other_teacher, other_class, stranger)


@dataclass(frozen=True)
class TeamCast:
    """A class with two teams: the owner and a teammate in Alpha, a rival in Beta, and a
    classmate in no team; and another teacher with a class of their own."""

    teacher: Actor
    klass: ClassInfo
    owner: Actor
    mate: Actor
    classmate: Actor
    rival: Actor
    other_teacher: Actor
    alpha: TeamInfo
    beta: TeamInfo

    @property
    def actors(self) -> dict[str, Actor | None]:
        """The actors by the names the team matrices use ("anonymous" is nobody signed in)."""
        return {
            "owner": self.owner,
            "teammate": self.mate,
            "classmate": self.classmate,
            "rival": self.rival,
            "own teacher": self.teacher,
            "other teacher": self.other_teacher,
            "anonymous": None,
        }


TEAM_ACTORS = (
    "owner",
    "teammate",
    "classmate",
    "rival",
    "own teacher",
    "other teacher",
    "anonymous",
)


def make_team_cast() -> TeamCast:
    teacher = add_user("teacher", "teacher")
    klass = classes.create_class(teacher, "Year 11")
    owner, mate, classmate, rival = (
        add_user(name, "learner", klass.id) for name in ("owner", "mate", "classmate", "rival")
    )
    other_teacher = add_user("otherteacher", "teacher")
    classes.create_class(other_teacher, "Other class")
    alpha = teams.create_team(teacher, klass.id, "Alpha")
    beta = teams.create_team(teacher, klass.id, "Beta")
    for learner, team in ((owner, alpha), (mate, alpha), (rival, beta)):
        teams.add_member(teacher, team.id, learner.id)
    return TeamCast(teacher, klass, owner, mate, classmate, rival, other_teacher, alpha, beta)


@dataclass(frozen=True)
class World(Generic[IdsT]):
    """What an access matrix is called with: its actors by name, and the owner's ids."""

    actors: dict[str, Actor | None]
    ids: IdsT


def wrong_guesses_at_once(username: str, count: int) -> list[str]:
    """What each of ``count`` wrong-password sign-ins, sent at the same moment, was told."""
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(count)

    def guess() -> None:
        start.wait()
        try:
            accounts.authenticate(username, "not the password")
            message = "signed in"
        except AccountError as exc:
            message = str(exc)
        with lock:
            outcomes.append(message)

    threads = [threading.Thread(target=guess) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes
