"""How many wrong sign-ins are let through: per name from one address first, then per address
and per name overall, so that guesses from one place never lock the owner out of theirs.

Each attempt is one ``login_attempts`` row, recorded as failed until it succeeds. Its
``username`` holds the name and, when the address is known, a short key for the address:
``lin@3f9a0c...`` (no username contains "@"). Rows recorded without an address hold the
name alone, as they always have.
"""

from __future__ import annotations

import hashlib
import ipaddress
from datetime import timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from db.models import LoginAttempt, utcnow
from db.session import one_writer_at_a_time, write_session

FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5  # per name from one address (per name, when the address is unknown)
# Per name from every address together: many addresses guessing one name (a success resets it).
MAX_NAME_FAILURES = 30
# Per address on every name: one address guessing many names. A class behind one school
# address, typing a few passwords wrong, stays well under it.
MAX_ADDRESS_FAILURES = 50
SEPARATOR = "@"
# New accounts per address: sign-up needs no class code, so without a limit anyone could make
# accounts (each an argon2 hash and rows) without end. Twice a class behind one school address
# in an hour still gets through.
SIGN_UP_WINDOW = timedelta(hours=1)
MAX_SIGN_UPS_PER_ADDRESS = 60
SIGN_UP_NAME = "+new-account"  # no username starts with "+": these rows are no one's
TOO_MANY_NEW = (
    "Too many new accounts from your network in the last hour; try again later, or ask your "
    "teacher to help."
)
TOO_MANY = "Too many failed attempts; wait 15 minutes and try again."
TOO_MANY_HERE = "Too many failed attempts from your network; wait 15 minutes and try again."


class Throttled(ValueError):
    """Too many recent failures: the message says so and how long to wait."""


def address_key(address: str | None) -> str | None:
    """A fixed-length key for an address, or None if unknown. An IPv6 address counts by its
    /64 network (one home or school gets a whole /64), an IPv4-mapped one by its IPv4 part."""
    if not address:
        return None
    text = address.strip()[:100]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        if isinstance(ip, ipaddress.IPv6Address):
            mapped = ip.ipv4_mapped
            text = str(mapped) if mapped else str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def attempts_of(username: str) -> ColumnElement[bool]:
    """The rows of every attempt on this name, from any address (to count, or to delete)."""
    return or_(
        LoginAttempt.username == username,
        LoginAttempt.username.startswith(username + SEPARATOR, autoescape=True),
    )


def reserve_attempt(name: str, address: str | None = None) -> int:
    """Record this attempt as failed (until it succeeds) unless a limit is reached.

    Counting and recording in one write transaction, one at a time per name and address,
    makes parallel guesses queue up, so a burst gets no more checks than the limits allow.
    """
    key = address_key(address)
    row_name = f"{name}{SEPARATOR}{key}" if key else name
    with write_session() as session:
        if key:  # always the address first, then the name: no two transactions cross
            one_writer_at_a_time(session, f"sign-in-from:{key}")
        one_writer_at_a_time(session, f"sign-in:{name}")
        if _failures(session, LoginAttempt.username == row_name) >= MAX_FAILURES:
            raise Throttled(TOO_MANY)
        if key and _failures(session, _from_address(key), resets=False) >= MAX_ADDRESS_FAILURES:
            raise Throttled(TOO_MANY_HERE)
        if _failures(session, attempts_of(name)) >= MAX_NAME_FAILURES:
            raise Throttled(TOO_MANY)
        attempt = LoginAttempt(username=row_name, succeeded=False)
        session.add(attempt)
        session.flush()
        return attempt.id


def _from_address(key: str) -> ColumnElement[bool]:
    return LoginAttempt.username.endswith(SEPARATOR + key, autoescape=True)


def _failures(session: Session, rows: ColumnElement[bool], resets: bool = True) -> int:
    """Failed attempts among ``rows`` in the window (since the last success, if ``resets``):
    a success from an address does not reset that address's count, or one account of an
    attacker's own would reset it."""
    floor = utcnow() - FAILURE_WINDOW
    recent = (rows, LoginAttempt.at >= floor)
    if resets:
        last_ok = session.scalar(
            select(func.max(LoginAttempt.at)).where(*recent, LoginAttempt.succeeded.is_(True))
        )
        floor = max(floor, last_ok) if last_ok else floor
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(rows, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= floor)
    )
    return int(session.scalar(query) or 0)


def reserve_sign_up(address: str | None) -> None:
    """Count a new account from this address, or Throttled once it has made too many in the
    last hour (no limit when the address is unknown: a call from the app's own code)."""
    key = address_key(address)
    if key is None:
        return
    row_name = f"{SIGN_UP_NAME}{SEPARATOR}{key}"
    with write_session() as session:
        one_writer_at_a_time(session, f"sign-up-from:{key}")
        recent = (
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.username == row_name, LoginAttempt.at >= utcnow() - SIGN_UP_WINDOW)
        )
        if int(session.scalar(recent) or 0) >= MAX_SIGN_UPS_PER_ADDRESS:
            raise Throttled(TOO_MANY_NEW)
        session.add(LoginAttempt(username=row_name, succeeded=True))  # not a failed sign-in
