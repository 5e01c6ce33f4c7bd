"""Server-side login sessions behind an HttpOnly cookie; the cookie holds only a random token."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from classroom.access import Actor
from db.models import AuthSession, User, utcnow
from db.session import read_session, write_session

COOKIE_NAME = "dll_session"
IDLE_TIMEOUT = timedelta(hours=12)
ABSOLUTE_TIMEOUT = timedelta(days=14)
TOUCH_EVERY = timedelta(minutes=1)  # how often last_seen_at is written


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(actor: Actor) -> str:
    """A new random token for this user (a fresh one at every login)."""
    token = secrets.token_urlsafe(32)
    with write_session() as session:
        session.add(AuthSession(token_hash=_hash(token), user_id=actor.id))
    return token


def actor_for_token(token: object) -> Actor | None:
    """The signed-in user for a cookie token, or None if unknown, revoked or expired."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    now = utcnow()
    with read_session() as session:  # one query: every rerun of every page asks this
        found = session.execute(
            select(AuthSession, User)
            .join(User, User.id == AuthSession.user_id)
            .where(AuthSession.token_hash == _hash(token))
        ).one_or_none()
        if found is None:
            return None
        row, user = found
        if row.revoked:
            return None
        if now - row.last_seen_at > IDLE_TIMEOUT or now - row.created_at > ABSOLUTE_TIMEOUT:
            return None
        stale = now - row.last_seen_at > TOUCH_EVERY
        session_id = row.id
    if stale:
        with write_session() as session:
            session.execute(
                update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now)
            )
    return Actor.from_user(user)


def end_session(token: str | None) -> None:
    if token:
        with write_session() as session:
            session.execute(
                update(AuthSession)
                .where(AuthSession.token_hash == _hash(token))
                .values(revoked=True)
            )


def end_all_sessions(actor: Actor) -> None:
    """Sign this user out everywhere."""
    with write_session() as session:
        session.execute(
            update(AuthSession).where(AuthSession.user_id == actor.id).values(revoked=True)
        )
