"""Reflection journals: private drafts saved as the learner types, shared per entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.access import (
    Actor,
    NotFound,
    require_actor,
    require_teacher,
    teaches,
    teaches_class,
)
from db.models import JournalEntry, JournalFeedback, Membership, Run, User, utcnow
from db.session import read_session, write_session

MAX_BODY = 20_000
MAX_COMMENT = 2_000
RATINGS = range(1, 6)


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
    lab_id: str | None = None  # the lab of the run it is about, if any
    created_at: datetime | None = None


class StaleEntry(Exception):
    """The entry changed in another tab; both texts are kept (the other as a new entry)."""

    def __init__(self, current: Entry, copy: Entry):
        self.current, self.copy = current, copy
        super().__init__("This entry was changed elsewhere; your text was kept as a new entry.")


def _entry(row: JournalEntry, author: str = "", lab_id: str | None = None) -> Entry:
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
        lab_id,
        row.created_at,
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
    """The actor's own entries, newest first (with the lab of the run each is about)."""
    actor = require_actor(actor)
    with read_session() as session:
        rows = session.execute(
            select(JournalEntry, Run.lab_id)
            .outerjoin(Run, Run.id == JournalEntry.run_id)
            .where(JournalEntry.owner_id == actor.id)
            .order_by(JournalEntry.updated_at.desc(), JournalEntry.id.desc())
        )
        return [_entry(r, actor.display_name, lab_id) for r, lab_id in rows]


def shared_entries_for_class(actor: Actor | None, class_id: int) -> list[Entry]:
    """Entries that the class's learners shared, for that class's teacher only."""
    teacher = require_teacher(actor)
    with read_session() as session:
        if not teaches_class(session, teacher, class_id):
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


def new_entry(
    actor: Actor | None, track_id: str | None = None, step_id: str | None = None
) -> Entry:
    """An empty free entry, optionally about a track step, ready to be written (an empty one
    left from before, about the same step, is reused rather than piling up)."""
    actor = require_actor(actor)
    track_id, step_id = (track_id or None), (step_id or None)
    with read_session() as session:
        unused = session.scalar(
            select(JournalEntry.id)
            .where(
                JournalEntry.owner_id == actor.id,
                JournalEntry.body == "",
                JournalEntry.run_id.is_(None),
                JournalEntry.track_id.is_(track_id)
                if track_id is None
                else JournalEntry.track_id == track_id,
                JournalEntry.step_id.is_(step_id)
                if step_id is None
                else JournalEntry.step_id == step_id,
            )
            .limit(1)
        )
    if unused is not None:
        return get_entry(actor, unused)
    return save_draft(actor, "", track_id=track_id, step_id=step_id)


def get_entry(actor: Actor | None, entry_id: int) -> Entry:
    """One of the actor's own entries."""
    actor = require_actor(actor)
    with read_session() as session:
        row = session.get(JournalEntry, entry_id)
        if row is None or row.owner_id != actor.id:
            raise NotFound("No such entry.")
        lab_id = (
            session.scalar(select(Run.lab_id).where(Run.id == row.run_id)) if row.run_id else None
        )
        return _entry(row, actor.display_name, lab_id)


@dataclass(frozen=True)
class Feedback:
    id: int
    entry_id: int
    teacher_id: int
    teacher_name: str
    comment: str
    rating: int
    updated_at: datetime


class FeedbackError(ValueError):
    """Feedback that cannot be saved as given, worded for the teacher."""


def _feedback(row: JournalFeedback, teacher_name: str) -> Feedback:
    return Feedback(
        row.id, row.entry_id, row.teacher_id, teacher_name, row.comment, row.rating, row.updated_at
    )


def _check_feedback(comment: object, rating: object) -> tuple[str, int]:
    text = comment.strip() if isinstance(comment, str) else ""
    if not text:
        raise FeedbackError("Write a comment for the learner.")
    if len(text) > MAX_COMMENT:
        raise FeedbackError(f"Keep the comment under {MAX_COMMENT} characters.")
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
        raise FeedbackError("Choose a rating from 1 to 5.")
    return text, rating


def give_feedback(teacher: Actor | None, entry_id: int, comment: str, rating: int) -> Feedback:
    """The learner's own teacher comments on and rates a shared entry (again: it is updated)."""
    teacher = require_teacher(teacher)
    with write_session() as session:
        row = session.get(JournalEntry, entry_id)
        if row is None or not _visible_to_teacher(session, teacher, row):
            raise NotFound("No such entry.")
        text, score = _check_feedback(comment, rating)
        given = session.scalar(
            select(JournalFeedback).where(
                JournalFeedback.entry_id == entry_id, JournalFeedback.teacher_id == teacher.id
            )
        )
        if given is None:
            given = JournalFeedback(
                entry_id=entry_id, teacher_id=teacher.id, comment=text, rating=score
            )
            session.add(given)
        else:
            given.comment, given.rating, given.updated_at = text, score, utcnow()
        session.flush()
        return _feedback(given, teacher.display_name)


def _visible_to_teacher(session: Session, teacher: Actor, row: JournalEntry) -> bool:
    """Shared, not empty, and written by one of the teacher's learners (checked every call)."""
    return row.shared and bool(row.body.strip()) and teaches(session, teacher, row.owner_id)


def feedback_on_entry(actor: Actor | None, entry_id: int) -> list[Feedback]:
    """The owner sees every teacher's feedback; a teacher sees their own while it is shared."""
    actor = require_actor(actor)
    with read_session() as session:
        row = session.get(JournalEntry, entry_id)
        if row is None:
            raise NotFound("No such entry.")
        query = (
            select(JournalFeedback, User.display_name)
            .join(User, User.id == JournalFeedback.teacher_id)
            .where(JournalFeedback.entry_id == entry_id)
            .order_by(JournalFeedback.updated_at)
        )
        if row.owner_id != actor.id:
            if not _visible_to_teacher(session, actor, row):
                raise NotFound("No such entry.")
            query = query.where(JournalFeedback.teacher_id == actor.id)
        return [_feedback(fb, name) for fb, name in session.execute(query)]


def my_feedback(actor: Actor | None) -> dict[int, list[Feedback]]:
    """Feedback on the actor's own entries, by entry id."""
    actor = require_actor(actor)
    found: dict[int, list[Feedback]] = {}
    with read_session() as session:
        rows = session.execute(
            select(JournalFeedback, User.display_name)
            .join(User, User.id == JournalFeedback.teacher_id)
            .join(JournalEntry, JournalEntry.id == JournalFeedback.entry_id)
            .where(JournalEntry.owner_id == actor.id)
            .order_by(JournalFeedback.updated_at)
        )
        for fb, name in rows:
            found.setdefault(fb.entry_id, []).append(_feedback(fb, name))
    return found


def entries_markdown(
    entries: list[Entry],
    feedback: dict[int, list[Feedback]] | None = None,
    step_titles: dict[str, str] | None = None,
) -> str:
    """The given entries in their order, with any teacher feedback, as Markdown."""
    feedback = feedback or {}
    parts = ["# My reflection journal", ""]
    for entry in entries:
        topic = entry_topic(entry, step_titles)
        parts += [f"## {topic} · {entry.updated_at:%Y-%m-%d %H:%M} UTC", ""]
        parts += [entry.body, ""]
        for fb in feedback.get(entry.id, []):
            parts += [f"> **Feedback from {fb.teacher_name}** ({fb.rating}/5): {fb.comment}", ""]
    return "\n".join(parts)


def entry_topic(entry: Entry, step_titles: dict[str, str] | None = None) -> str:
    """What an entry is about, in a few words."""
    if entry.run_id:
        return f"Run {entry.run_id}"
    if entry.step_id:
        return "Step: " + (step_titles or {}).get(entry.step_id, entry.step_id)
    return "Free entry"
