"""Reflection journals: private drafts saved as the learner types, shared per entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from classroom.access import Actor, NotFound, require_actor, require_teacher
from db.models import Classroom, JournalEntry, Membership, Run, User, utcnow
from db.session import read_session, write_session

MAX_BODY = 20_000


@dataclass(frozen=True)
class Entry:
    id: int
    owner_id: int
    body: str
    shared: bool
    version: int
    run_id: int | None
    track_id: str | None
    step_id: str | None
    updated_at: datetime
    author: str = ""


class StaleEntry(Exception):
    """The entry changed in another tab; both texts are kept (the other as a new entry)."""

    def __init__(self, current: Entry, copy: Entry):
        self.current, self.copy = current, copy
        super().__init__("This entry was changed elsewhere; your text was kept as a new entry.")


def _entry(row: JournalEntry, author: str = "") -> Entry:
    return Entry(
        row.id,
        row.owner_id,
        row.body,
        row.shared,
        row.version,
        row.run_id,
        row.track_id,
        row.step_id,
        row.updated_at,
        author,
    )


def entry_for_run(actor: Actor | None, run_id: int) -> Entry | None:
    """The actor's own entry about one of their runs, if written."""
    actor = require_actor(actor)
    with read_session() as session:
        row = session.scalar(
            select(JournalEntry)
            .where(JournalEntry.owner_id == actor.id, JournalEntry.run_id == run_id)
            .order_by(JournalEntry.id)
            .limit(1)
        )
        return _entry(row) if row else None


def save_draft(
    actor: Actor | None,
    body: str,
    *,
    entry_id: int | None = None,
    expected_version: int | None = None,
    run_id: int | None = None,
    track_id: str | None = None,
    step_id: str | None = None,
) -> Entry:
    """Create or update the actor's entry; a stale ``expected_version`` raises StaleEntry."""
    actor = require_actor(actor)
    body = body[:MAX_BODY]
    stale: StaleEntry | None = None
    with write_session() as session:
        if run_id is not None:
            run = session.get(Run, run_id)
            if run is None or run.owner_id != actor.id:
                raise NotFound("No such run.")
        row = session.get(JournalEntry, entry_id) if entry_id else None
        if entry_id and (row is None or row.owner_id != actor.id):
            raise NotFound("No such entry.")
        if row is not None and expected_version is not None and row.version != expected_version:
            copy = JournalEntry(
                owner_id=actor.id,
                body=body,
                run_id=row.run_id,
                track_id=row.track_id,
                step_id=row.step_id,
            )
            session.add(copy)
            session.flush()
            # Raising here would roll the copy back; commit it first, then raise.
            stale = StaleEntry(_entry(row), _entry(copy))
        elif row is None:
            row = JournalEntry(
                owner_id=actor.id, body=body, run_id=run_id, track_id=track_id, step_id=step_id
            )
            session.add(row)
        elif row.body != body:
            row.body, row.version, row.updated_at = body, row.version + 1, utcnow()
        session.flush()
        saved = _entry(row)
    if stale is not None:
        raise stale
    return saved


def set_shared(actor: Actor | None, entry_id: int, shared: bool) -> Entry:
    """Share an entry with the learner's teachers, or take it back (effective at once)."""
    actor = require_actor(actor)
    with write_session() as session:
        row = session.get(JournalEntry, entry_id)
        if row is None or row.owner_id != actor.id:
            raise NotFound("No such entry.")
        row.shared = shared
        return _entry(row)


def list_entries(actor: Actor | None) -> list[Entry]:
    actor = require_actor(actor)
    with read_session() as session:
        rows = session.scalars(
            select(JournalEntry)
            .where(JournalEntry.owner_id == actor.id)
            .order_by(JournalEntry.updated_at.desc())
        )
        return [_entry(r, actor.display_name) for r in rows]


def shared_entries_for_class(actor: Actor | None, class_id: int) -> list[Entry]:
    """Entries that the class's learners shared, for that class's teacher only."""
    teacher = require_teacher(actor)
    with read_session() as session:
        klass = session.get(Classroom, class_id)
        if klass is None or klass.teacher_id != teacher.id:
            raise NotFound("No such class.")
        rows = session.execute(
            select(JournalEntry, User.display_name)
            .join(User, User.id == JournalEntry.owner_id)
            .join(Membership, Membership.user_id == JournalEntry.owner_id)
            .where(
                Membership.class_id == class_id,
                JournalEntry.shared.is_(True),
                JournalEntry.body != "",
            )
            .order_by(JournalEntry.updated_at.desc())
        )
        return [_entry(row, name) for row, name in rows]
