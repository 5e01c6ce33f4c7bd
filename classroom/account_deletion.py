"""Deleting a learner's account with everything of theirs: rows, files and studies."""

from __future__ import annotations

import contextlib
import re
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, delete, or_, select, update
from sqlalchemy.orm import Session

from classroom.access import Actor, require_actor
from classroom.accounts import AccountError, authenticate
from classroom.sign_in_throttle import attempts_of
from db.models import (
    AuthSession,
    Goal,
    JournalEntry,
    JournalFeedback,
    LoginAttempt,
    Membership,
    Metric,
    PipelineDraft,
    PipelineVersion,
    Run,
    StepCompletion,
    TuningStudy,
    Upload,
    User,
    utcnow,
)
from db.session import read_session, write_session
from settings import data_dir

# A run or study that reported in this recently is still being worked on by the worker.
STILL_WORKING = timedelta(seconds=30)
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Deleted:
    runs: int
    journal_entries: int
    files: int


def delete_account(actor: Actor | None, typed_username: str, password: str) -> Deleted:
    """Delete the learner's account and everything of theirs, after they confirm twice.

    The learner types their username and their password again. Work still in progress is
    stopped first; while the worker is still stopping a run, nothing is deleted yet.
    """
    actor = require_actor(actor)
    if actor.is_teacher:
        raise AccountError(
            "A teacher's account holds classes and their learners, so it cannot be "
            "deleted from this page; ask whoever runs the app."
        )
    if not isinstance(typed_username, str) or typed_username.strip().lower() != actor.username:
        raise AccountError("Type your username exactly as shown to confirm.")
    try:
        confirmed = authenticate(actor.username, password or "")
    except AccountError as exc:
        if "Too many" in str(exc):
            raise
        raise AccountError("That password is not right; nothing was deleted.") from None
    if confirmed.id != actor.id:
        raise AccountError("That password is not right; nothing was deleted.")
    _stop_work(actor.id)
    files, study_names = _files_of(actor.id)
    with write_session() as session:
        counts = _delete_rows(session, actor)
    _delete_studies(study_names)
    removed = sum(_remove(path) for path in files)
    return Deleted(counts[0], counts[1], removed)


def _stop_work(owner_id: int) -> None:
    """Cancel queued work; refuse (for now) while the worker is still on a run or study."""
    recent = utcnow() - STILL_WORKING
    with write_session() as session:
        session.execute(
            update(Run)
            .where(Run.owner_id == owner_id, Run.status == "queued")
            .values(status="cancelled", reason="The account was deleted.", finished_at=utcnow())
        )
        session.execute(
            update(Run)
            .where(Run.owner_id == owner_id, Run.status == "running")
            .values(cancel_requested=True)
        )
        session.execute(
            update(TuningStudy)
            .where(TuningStudy.owner_id == owner_id, TuningStudy.status.in_(("queued", "running")))
            .values(cancel_requested=True)
        )
        session.execute(
            update(TuningStudy)
            .where(TuningStudy.owner_id == owner_id, TuningStudy.status == "queued")
            .values(status="cancelled", reason="The account was deleted.", finished_at=utcnow())
        )
    with read_session() as session:
        busy = session.scalar(
            select(Run.id).where(
                Run.owner_id == owner_id, Run.status == "running", Run.heartbeat_at >= recent
            )
        ) or session.scalar(
            select(TuningStudy.id).where(
                TuningStudy.owner_id == owner_id,
                TuningStudy.status == "running",
                TuningStudy.heartbeat_at >= recent,
            )
        )
    if busy is not None:
        raise AccountError(
            "Your training is being stopped now; wait a few seconds and try again. "
            "Nothing was deleted yet."
        )


def _files_of(owner_id: int) -> tuple[list[Path], list[str]]:
    """The learner's files under the data folder (shared uploads only if no one else has
    them), and their Optuna study names."""
    root = data_dir()
    with read_session() as session:
        run_ids = session.scalars(select(Run.id).where(Run.owner_id == owner_id)).all()
        upload_ids = set(
            session.scalars(select(Upload.upload_id).where(Upload.owner_id == owner_id))
        )
        shared = set(
            session.scalars(
                select(Upload.upload_id).where(
                    Upload.upload_id.in_(upload_ids), Upload.owner_id != owner_id
                )
            )
        )
        studies = list(
            session.scalars(select(TuningStudy.optuna_name).where(TuningStudy.owner_id == owner_id))
        )
    files = [root / "runs" / str(int(i)) for i in run_ids]
    files.append(root / "pipelines" / str(int(owner_id)))
    for upload_id in upload_ids - shared:
        if _SAFE_ID.fullmatch(upload_id):
            files.append(root / "uploads" / upload_id)
            files.extend((root / "pipeline_sources").glob(f"{upload_id}.*"))
    return files, studies


def _delete_rows(session: Session, actor: Actor) -> tuple[int, int]:
    """Every row of the learner's, then the account (foreign keys cascade to anything else)."""
    uid = actor.id
    run_ids = select(Run.id).where(Run.owner_id == uid)
    entry_ids = select(JournalEntry.id).where(JournalEntry.owner_id == uid)
    session.execute(delete(Metric).where(Metric.run_id.in_(run_ids)))
    session.execute(
        delete(JournalFeedback).where(
            or_(JournalFeedback.entry_id.in_(entry_ids), JournalFeedback.teacher_id == uid)
        )
    )
    entries = _delete_counted(session, delete(JournalEntry).where(JournalEntry.owner_id == uid))
    session.execute(delete(StepCompletion).where(StepCompletion.user_id == uid))
    runs = _delete_counted(session, delete(Run).where(Run.owner_id == uid))
    for model in (Goal, Upload, PipelineDraft, PipelineVersion, TuningStudy):
        session.execute(delete(model).where(model.owner_id == uid))
    session.execute(delete(AuthSession).where(AuthSession.user_id == uid))
    session.execute(delete(Membership).where(Membership.user_id == uid))
    session.execute(delete(LoginAttempt).where(attempts_of(actor.username)))
    session.execute(delete(User).where(User.id == uid))
    return runs, entries


def _delete_counted(session: Session, statement: Delete) -> int:
    """Run a delete; how many rows it removed. (SQLAlchemy types every statement's result as
    Result; a delete's is a CursorResult, which has the row count.)"""
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount or 0)


def _delete_studies(names: list[str]) -> None:
    if not names:
        return
    import optuna  # only here: importing it is slow, and most accounts have no studies

    from engine.tuning.study import optuna_storage

    storage = optuna_storage()
    for name in names:
        with contextlib.suppress(KeyError):  # never created: the study was still queued
            optuna.delete_study(study_name=name, storage=storage)


def _remove(path: Path) -> int:
    """Delete a file or folder inside the data folder; 1 if something was there."""
    root = data_dir().resolve()
    target = path.resolve()
    if root not in target.parents or not target.exists():
        return 0
    if target.is_dir():
        shutil.rmtree(target, ignore_errors=True)
    else:
        target.unlink(missing_ok=True)
    return 1
