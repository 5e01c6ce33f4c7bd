"""Accounts: sign-up rules, argon2id password hashes, login with throttling."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from classroom.access import Actor
from classroom.sign_in_throttle import MAX_FAILURES as MAX_FAILURES  # per name and address
from classroom.sign_in_throttle import Throttled, reserve_attempt, reserve_sign_up
from db.models import Classroom, LoginAttempt, Membership, User
from db.session import read_session, write_session
from settings import PROJECT_ROOT

MIN_PASSWORD, MAX_PASSWORD = 8, 128
# zxcvbn's score, 0 to 4: 2 is about 10^8 guesses, out of reach of online guessing, which
# is throttled here; it refuses repeats, sequences, keyboard rows and common words.
MIN_STRENGTH = 2
STRENGTH_CHARS = 32  # the estimate reads this many characters: its cost grows steeply after
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
# argon2id at OWASP's recommended parameters (19 MiB, 2 passes, 1 lane): about 35 ms of one
# core per check, against about 240 ms at the library's defaults (64 MiB, 3 passes, 4 lanes),
# so a class signing in at once does not hold the server's cores for seconds. Hashes stored
# with other parameters still verify, and are replaced at their next sign-in.
PASSWORD_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# One hash at a time per process: a burst of sign-ins, or of guesses on unknown names,
# queues here and leaves the other cores to the pages.
_HASHING = threading.BoundedSemaphore(1)
# At most this many sign-ins (or sign-ups) in a process at once: one hashing, the rest
# waiting their turn (about half a second at most). Any more are told to come back, so a
# flood never holds the server's threads (Starlette has 40 for every request that needs one).
MAX_SIGN_INS_AT_ONCE = 16
_SIGN_IN_TURNS = threading.BoundedSemaphore(MAX_SIGN_INS_AT_ONCE)
BUSY = "Too many sign-ins at once, try again in a few seconds."


class AccountError(ValueError):
    """A sign-up or login problem, worded for the person at the form."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = (PROJECT_ROOT / "content" / "common-passwords.txt").read_text().splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def check_new_password(password: str, username: str, display_name: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Choose a password of at most {MAX_PASSWORD} characters.")
    if password.lower() in common_passwords() or password.lower() == username.lower():
        raise AccountError("That password is too easy to guess; choose another.")
    estimate = zxcvbn(password[:STRENGTH_CHARS], user_inputs=[username, display_name])
    if estimate["score"] < MIN_STRENGTH:
        warning = str(estimate["feedback"]["warning"]).rstrip(".")
        why = f" ({warning[0].lower()}{warning[1:]})" if warning else ""
        raise AccountError(
            f"That password is too easy to guess{why}. "
            "Choose another: a few words that don't belong together work well."
        )


@contextmanager
def _sign_in_turn() -> Iterator[None]:
    """A place among the sign-ins this process handles at once, or AccountError(BUSY)."""
    if not _SIGN_IN_TURNS.acquire(blocking=False):
        raise AccountError(BUSY)
    try:
        yield
    finally:
        _SIGN_IN_TURNS.release()


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME_RE.fullmatch(name):
        raise AccountError("A username has 3 to 32 characters: letters, digits, '.', '_' or '-'.")
    return name


def has_any_user() -> bool:
    with read_session() as session:
        return session.scalar(select(User.id).limit(1)) is not None


def _create_user(
    username: str,
    display_name: str,
    password: str,
    role: str,
    join_code: str | None = None,
    address: str | None = None,
) -> Actor:
    username = normalise_username(username)
    display_name = display_name.strip()[:80] or username
    try:
        reserve_sign_up(address)
    except Throttled as exc:
        raise AccountError(str(exc)) from None
    with _sign_in_turn():
        check_new_password(password, username, display_name)
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


def _class_for_code(session: Session, join_code: str) -> int:
    code = join_code.strip().upper()
    class_id = session.scalar(select(Classroom.id).where(Classroom.join_code == code))
    if class_id is None:
        raise AccountError("No class has that join code; check it with your teacher.")
    return int(class_id)


def create_first_teacher(username: str, display_name: str, password: str) -> Actor:
    """The very first account of a new installation; refused once any account exists."""
    return _create_user(username, display_name, password, "teacher")


def sign_up_learner(
    username: str,
    display_name: str,
    password: str,
    join_code: str | None = None,
    address: str | None = None,
) -> Actor:
    """A learner account, in a class when a join code is given, else independent.
    ``address``: where the request came from, for the limit on new accounts per address."""
    return _create_user(username, display_name, password, "learner", join_code or None, address)


def authenticate(username: str, password: str, address: str | None = None) -> Actor:
    """The account for these credentials; AccountError with one generic message otherwise.
    ``address``: where the attempt came from, for throttling (None: by name alone)."""
    generic = AccountError("Wrong username or password.")
    name = username.strip().lower()
    if len(password) > MAX_PASSWORD or not USERNAME_RE.fullmatch(name):
        raise generic  # no account can have that name (the rule is public): nothing to check
    with _sign_in_turn():
        try:
            attempt_id = reserve_attempt(name, address)
        except Throttled as exc:
            raise AccountError(str(exc)) from None
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
