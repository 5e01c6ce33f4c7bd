"""Engines and sessions. On SQLite: WAL, busy_timeout, foreign keys, writes in BEGIN IMMEDIATE.
On PostgreSQL: NaN and infinity in JSON are stored as null, and ``one_writer_at_a_time``
takes an advisory lock where SQLite's one-writer rule is relied on."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from settings import database_url

_makers: dict[tuple[str, bool], sessionmaker[Session]] = {}


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write that starts deferred can fail with "database is locked" when it
        # upgrades its lock under load; taking the write lock up front waits instead.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def get_engine(write: bool = True, url: str | None = None) -> Engine:
    """The engine for the current DATABASE_URL (one per URL and mode, per process)."""
    engine: Engine = _maker(write, url).kw["bind"]
    return engine


def _maker(write: bool, url: str | None = None) -> sessionmaker[Session]:
    url = url or database_url()
    key = (url, write)
    if key not in _makers:
        if url.startswith("sqlite"):
            engine = _sqlite_engine(url, immediate=write)
        else:
            engine = create_engine(url, pool_pre_ping=True, json_serializer=_json_without_nan)
        _makers[key] = sessionmaker(bind=engine, expire_on_commit=False)
    return _makers[key]


@contextmanager
def write_session() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with _maker(True)() as session, session.begin():
        yield session


@contextmanager
def read_session() -> Iterator[Session]:
    """A read-only session (a deferred transaction, never committed)."""
    with _maker(False)() as session:
        yield session


def dispose_engines() -> None:
    """Close every pooled connection (tests, and after fork in worker processes)."""
    for maker in _makers.values():
        maker.kw["bind"].dispose()
    _makers.clear()


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed. SQLAlchemy types ``Session.execute`` as
    returning a Result; for these statements it is a CursorResult, which counts them."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


def one_writer_at_a_time(session: Session, key: str) -> None:
    """Let only one write transaction about ``key`` run at a time (the rest wait for it to
    end), for a count-then-write that must not race: SQLite's BEGIN IMMEDIATE already lets
    one writer in at a time; PostgreSQL takes a transaction-level advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        lock = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
        session.execute(lock, {"key": key})


def _json_without_nan(value: Any) -> str:
    """PostgreSQL's JSON has no NaN or infinity (a diverged run's loss): they become null."""
    return json.dumps(_finite(value), allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value
