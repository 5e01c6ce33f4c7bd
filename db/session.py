"""Engines and sessions. On SQLite: WAL, busy_timeout, foreign keys, writes in BEGIN IMMEDIATE."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from db.settings import database_url

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
    return _maker(write, url).kw["bind"]


def _maker(write: bool, url: str | None = None) -> sessionmaker[Session]:
    url = url or database_url()
    key = (url, write)
    if key not in _makers:
        if url.startswith("sqlite"):
            engine = _sqlite_engine(url, immediate=write)
        else:
            engine = create_engine(url, pool_pre_ping=True)
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
