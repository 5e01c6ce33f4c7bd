"""Does a login session open the app for its user only, and end when it should?"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from classroom import sessions
from classroom.access import Actor
from db.models import AuthSession, User, utcnow
from db.session import read_session, write_session
from tests.classroom.people import add_user


# Sessions do not depend on how an account was made: these skip the slow sign-up hashing.
@pytest.fixture
def teacher() -> Actor:
    return add_user("teacher", "teacher")


@pytest.fixture
def learner() -> Actor:
    return add_user("lin", "learner")


def age_session(token: str, *, idle: timedelta = timedelta(0), age: timedelta = timedelta(0)):
    """Pretend the session was last used ``idle`` ago and created ``age`` ago."""
    now = utcnow()
    with write_session() as session:
        session.execute(
            update(AuthSession)
            .where(AuthSession.token_hash == sessions._hash(token))
            .values(last_seen_at=now - idle, created_at=now - age)
        )


def test_does_a_token_open_the_session_of_its_user(teacher) -> None:
    token = sessions.start_session(teacher)
    assert sessions.actor_for_token(token) == teacher


def test_is_the_token_itself_never_stored(teacher) -> None:
    token = sessions.start_session(teacher)
    with read_session() as session:
        stored = session.scalars(select(AuthSession.token_hash)).all()
    assert stored == [sessions._hash(token)]
    assert token not in stored[0]


def test_does_every_login_get_a_new_token(teacher, learner) -> None:
    tokens = [sessions.start_session(teacher) for _ in range(3)]
    tokens.append(sessions.start_session(learner))
    assert len(set(tokens)) == 4
    assert all(len(t) >= 40 for t in tokens)
    assert [sessions.actor_for_token(t) for t in tokens] == [teacher] * 3 + [learner]


def test_does_ending_a_session_end_only_that_token(teacher) -> None:
    kept, ended = sessions.start_session(teacher), sessions.start_session(teacher)
    sessions.end_session(ended)
    assert sessions.actor_for_token(ended) is None
    assert sessions.actor_for_token(kept) == teacher


@pytest.mark.parametrize("token", [None, "", "never issued"])
def test_is_ending_an_unknown_session_harmless(teacher, token) -> None:
    live = sessions.start_session(teacher)
    sessions.end_session(token)
    assert sessions.actor_for_token(live) == teacher


def test_does_signing_out_everywhere_end_all_of_that_users_sessions_only(teacher, learner) -> None:
    mine = [sessions.start_session(learner) for _ in range(3)]
    theirs = sessions.start_session(teacher)
    sessions.end_all_sessions(learner)
    assert [sessions.actor_for_token(t) for t in mine] == [None, None, None]
    assert sessions.actor_for_token(theirs) == teacher


@pytest.mark.parametrize(
    ("idle", "age", "valid"),
    [
        (timedelta(minutes=5), timedelta(hours=1), True),
        (sessions.IDLE_TIMEOUT - timedelta(minutes=1), timedelta(days=1), True),
        (sessions.IDLE_TIMEOUT + timedelta(minutes=1), timedelta(days=1), False),
        (timedelta(0), sessions.ABSOLUTE_TIMEOUT - timedelta(minutes=1), True),
        (timedelta(0), sessions.ABSOLUTE_TIMEOUT + timedelta(minutes=1), False),
    ],
)
def test_do_idle_and_absolute_timeouts_end_a_session(
    teacher, idle: timedelta, age: timedelta, valid: bool
) -> None:
    token = sessions.start_session(teacher)
    age_session(token, idle=idle, age=age)
    assert (sessions.actor_for_token(token) == teacher) is valid


def test_does_using_a_session_keep_it_from_going_idle(teacher) -> None:
    token = sessions.start_session(teacher)
    age_session(token, idle=sessions.IDLE_TIMEOUT - timedelta(minutes=1), age=timedelta(days=1))
    assert sessions.actor_for_token(token) == teacher  # this use counts as activity
    with read_session() as session:
        seen = session.scalar(
            select(AuthSession.last_seen_at).where(AuthSession.token_hash == sessions._hash(token))
        )
    assert utcnow() - seen < timedelta(minutes=1)


def test_does_use_not_extend_a_session_past_its_absolute_limit(teacher) -> None:
    token = sessions.start_session(teacher)
    age_session(token, age=sessions.ABSOLUTE_TIMEOUT + timedelta(seconds=30))
    assert sessions.actor_for_token(token) is None
    assert sessions.actor_for_token(token) is None


def test_does_a_deleted_users_session_open_nothing(learner) -> None:
    token = sessions.start_session(learner)
    with write_session() as session:
        session.delete(session.get_one(User, learner.id))
    assert sessions.actor_for_token(token) is None


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "x",
        "garbage-token",
        "' OR 1=1 --",
        "../../etc/passwd",
        "\x00",
        "é" * 40,
        "A" * 201,
        "A" * 1_000_000,
    ],
)
def test_do_garbage_and_huge_tokens_open_nothing(teacher, token) -> None:
    sessions.start_session(teacher)
    assert sessions.actor_for_token(token) is None


def test_is_a_tampered_token_refused(teacher) -> None:
    token = sessions.start_session(teacher)
    for tampered in (token[:-1] + ("A" if token[-1] != "A" else "B"), token.swapcase(), token[1:]):
        assert tampered != token
        assert sessions.actor_for_token(tampered) is None
    assert sessions.actor_for_token(token) == teacher
