"""Accounts: sign-up rules, argon2id password hashes, login with throttling."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from classroom.access import Actor
from db.models import Classroom, LoginAttempt, Membership, User, utcnow
from db.session import one_writer_at_a_time, read_session, write_session
from db.settings import PROJECT_ROOT

MIN_PASSWORD, MAX_PASSWORD = 8, 128
MAX_FAILURES, FAILURE_WINDOW = 5, timedelta(minutes=15)
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
# argon2id at OWASP's recommended parameters (19 MiB, 2 passes, 1 lane): about 35 ms of one
# core per check, against about 240 ms at the library's defaults (64 MiB, 3 passes, 4 lanes),
# so a class signing in at once does not hold the server's cores for seconds. Hashes stored
# with other parameters still verify, and are replaced at their next sign-in.
PASSWORD_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# One hash at a time per process: a burst of sign-ins, or of guesses on unknown names,
# queues here and leaves the other cores to the pages.
_HASHING = threading.BoundedSemaphore(1)


class AccountError(ValueError):
    """A sign-up or login problem, worded for the person at the form."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = (PROJECT_ROOT / "content" / "common-passwords.txt").read_text().splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def check_new_password(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Choose a password of at most {MAX_PASSWORD} characters.")
    if password.lower() in common_passwords() or password.lower() == username.lower():
        raise AccountError("That password is too easy to guess; choose another.")


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME_RE.fullmatch(name):
        raise AccountError("A username has 3 to 32 characters: letters, digits, '.', '_' or '-'.")
    return name


def has_any_user() -> bool:
    with read_session() as session:
        return session.scalar(select(User.id).limit(1)) is not None


def _create_user(
    username: str, display_name: str, password: str, role: str, join_code: str | None = None
) -> Actor:
    username = normalise_username(username)
    display_name = display_name.strip()[:80] or username
    check_new_password(password, username)
    password_hash = _hash(password)
    try:
        with write_session() as session:
            if role == "teacher" and session.scalar(select(User.id).limit(1)) is not None:
                raise AccountError("The first teacher account already exists; please sign in.")
            class_id = _class_for_code(session, join_code) if join_code else None
            user = User(
                username=username, display_name=display_name, password_hash=password_hash, role=role
            )
            session.add(user)
            session.flush()
            if class_id is not None:
                session.add(Membership(class_id=class_id, user_id=user.id))
            return Actor.from_user(user)
    except IntegrityError:
        raise AccountError("That username is taken; choose another.") from None


def _class_for_code(session, join_code: str) -> int:  # type: ignore[no-untyped-def]
    code = join_code.strip().upper()
    class_id = session.scalar(select(Classroom.id).where(Classroom.join_code == code))
    if class_id is None:
        raise AccountError("No class has that join code; check it with your teacher.")
    return int(class_id)


def create_first_teacher(username: str, display_name: str, password: str) -> Actor:
    """The very first account of a new installation; refused once any account exists."""
    return _create_user(username, display_name, password, "teacher")


def sign_up_learner(
    username: str, display_name: str, password: str, join_code: str | None = None
) -> Actor:
    """A learner account, in a class when a join code is given, else independent."""
    return _create_user(username, display_name, password, "learner", join_code or None)


def authenticate(username: str, password: str) -> Actor:
    """The account for these credentials; AccountError with one generic message otherwise."""
    generic = AccountError("Wrong username or password.")
    name = username.strip().lower()[:64]
    if len(password) > MAX_PASSWORD:
        raise generic
    attempt_id = _reserve_attempt(name)
    with read_session() as session:
        user = session.scalar(select(User).where(User.username == name))
    ok = False
    if user is not None:
        ok = _verify(user.password_hash, password)
    else:
        _hash(password)  # spend the same time as a real check
    if not ok or user is None:
        raise generic
    with write_session() as session:
        session.get_one(LoginAttempt, attempt_id).succeeded = True
        if PASSWORD_HASHER.check_needs_rehash(user.password_hash):
            session.get_one(User, user.id).password_hash = _hash(password)
    return Actor.from_user(user)


def _hash(password: str) -> str:
    with _HASHING:
        return PASSWORD_HASHER.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    with _HASHING:
        try:
            return PASSWORD_HASHER.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def _reserve_attempt(username: str) -> int:
    """Record this attempt as failed (until it succeeds) unless the name is throttled.

    Counting and recording in one write transaction, one at a time per name, makes
    parallel guesses queue up, so a burst cannot get more than MAX_FAILURES checks.
    """
    with write_session() as session:
        one_writer_at_a_time(session, f"sign-in:{username}")
        if _recent_failures(session, username) >= MAX_FAILURES:
            raise AccountError("Too many failed attempts; wait 15 minutes and try again.")
        attempt = LoginAttempt(username=username, succeeded=False)
        session.add(attempt)
        session.flush()
        return attempt.id


def _recent_failures(session: Session, username: str) -> int:
    since = utcnow() - FAILURE_WINDOW
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(True)
        )
    )
    floor = max(since, last_ok) if last_ok else since  # a success resets the count
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.username == username,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at >= floor,
        )
    )
    return int(session.scalar(query) or 0)
