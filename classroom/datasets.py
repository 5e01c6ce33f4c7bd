"""Learners' own datasets: checked and stored by the engine, owned here, usable only by them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from classroom.access import Actor, NotFound, require_actor, viewed_learner
from db.models import Upload
from db.session import read_session, write_session
from engine.data import uploads
from engine.spec import DATASET_KINDS

# A pipeline's input file (classroom.pipelines) is recorded in the same table, but it is not
# a dataset to train on until a pipeline version is made from it.
PIPELINE_SOURCE = "source"


@dataclass(frozen=True)
class UploadInfo:
    dataset: str  # "upload:<id>": what a run spec names
    name: str  # the file name as the learner gave it, safe to show
    kind: str
    created_at: datetime


def add_upload(
    actor: Actor | None, data: bytes, filename: str, kind: str, target: str | None = None
) -> UploadInfo:
    """Check and store an upload for this learner; DataError explains anything wrong."""
    actor = require_actor(actor)
    if kind in ("tabular", "text"):
        upload_id = uploads.store_csv_upload(data, filename, target or "", kind)
    else:
        upload_id = uploads.store_zip_upload(data, filename, kind)
    name = uploads.display_name(filename)[:255]
    with write_session() as session:
        row = session.scalar(
            select(Upload).where(Upload.owner_id == actor.id, Upload.upload_id == upload_id)
        )
        if row is None:
            row = Upload(owner_id=actor.id, upload_id=upload_id, name=name, kind=kind)
            session.add(row)
            session.flush()
        return _info(row)


def _info(row: Upload) -> UploadInfo:
    return UploadInfo(f"upload:{row.upload_id}", row.name, row.kind, row.created_at)


def uploads_of(actor: Actor | None, learner_id: int | None = None) -> list[UploadInfo]:
    """A learner's uploads (their own, or as their teacher)."""
    actor = require_actor(actor)
    with read_session() as session:
        learner_id = viewed_learner(session, actor, learner_id)
        rows = session.scalars(
            select(Upload)
            .where(Upload.owner_id == learner_id, Upload.kind != PIPELINE_SOURCE)
            .order_by(Upload.created_at.desc())
        )
        return [_info(r) for r in rows]


def require_dataset_access(actor: Actor, dataset: str) -> None:
    """Built-in datasets are for everyone; an upload only for the learner who uploaded it."""
    if dataset in DATASET_KINDS:
        return
    upload_id = dataset.removeprefix("upload:")
    with read_session() as session:
        owned = session.scalar(
            select(Upload.id).where(
                Upload.owner_id == actor.id,
                Upload.upload_id == upload_id,
                Upload.kind != PIPELINE_SOURCE,
            )
        )
    if owned is None:
        raise NotFound("No such dataset.")
