"""Pipelines as people use them: files and versions belong to one learner; their teacher
may read the versions. A denial reads the same as "not found"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Select, select

from classroom.access import Actor, NotFound, require_actor, viewed_learner
from classroom.datasets import PIPELINE_SOURCE
from db.models import Upload
from db.session import read_session, write_session
from engine.data.bundle import DataError
from engine.data.uploads import display_name
from engine.pipeline import ingest, integration, versions
from engine.pipeline.monitoring import ColumnDrift, drift, metric_history
from engine.pipeline.pipeline_spec import PipelineSpec, SqliteSource, UploadSource
from engine.pipeline.sqlite_source import list_tables
from engine.pipeline.stages import StageReport, run_pipeline


@dataclass(frozen=True)
class SourceInfo:
    source_id: str  # what a PipelineSpec's upload or sqlite source names
    name: str  # the learner's file name, safe to show
    format: str
    summary: dict[str, Any]


def _own_upload(actor: Actor, upload_id: str, name: str, kind: str) -> None:
    """Record that ``actor`` may use this stored file (once per learner and file)."""
    with write_session() as session:
        found = session.scalar(
            select(Upload.id).where(Upload.owner_id == actor.id, Upload.upload_id == upload_id)
        )
        if found is None:
            session.add(Upload(owner_id=actor.id, upload_id=upload_id, name=name, kind=kind))


def add_source(actor: Actor | None, data: bytes, filename: str) -> SourceInfo:
    """Check and store a learner's CSV, Excel, JSON, Parquet or SQLite file for a pipeline."""
    actor = require_actor(actor)
    source_id, fmt, summary = ingest.store_source(data, filename)
    name = display_name(filename)[:255]
    _own_upload(actor, source_id, name, PIPELINE_SOURCE)
    return SourceInfo(source_id, name, fmt, summary)


def _owned_source(column: Any, owner_id: int, source_id: str) -> Select[Any]:
    """``column`` of the owner's stored pipeline file ``source_id`` (no row: not theirs)."""
    return select(column).where(
        Upload.owner_id == owner_id,
        Upload.upload_id == source_id,
        Upload.kind == PIPELINE_SOURCE,
    )


def my_source(actor: Actor | None, source_id: str) -> SourceInfo:
    """One of the actor's own stored files again (a saved draft names it by id only); its
    summary lists a database's tables. Another's file, or one gone, is "not found"."""
    actor = require_actor(actor)
    with read_session() as session:
        name = session.scalar(_owned_source(Upload.name, actor.id, source_id))
    if name is None:
        raise NotFound("No such file.")
    try:
        path, fmt = ingest.stored_source(source_id)
    except DataError:
        raise NotFound("No such file.") from None
    summary: dict[str, Any] = {"format": fmt}
    if fmt == "sqlite":
        summary["tables"] = list_tables(path)
    return SourceInfo(source_id, name, fmt, summary)


def require_source_access(actor: Actor, spec: PipelineSpec) -> None:
    """Every uploaded file the spec reads must be the actor's own."""
    ids = [s.upload_id for s in spec.sources if isinstance(s, UploadSource)]
    ids += [s.database for s in spec.sources if isinstance(s, SqliteSource)]
    with read_session() as session:
        for source_id in {i for i in ids if i != "demo"}:
            if session.scalar(_owned_source(Upload.id, actor.id, source_id)) is None:
                raise NotFound("No such file.")


def read_input(actor: Actor | None, spec: PipelineSpec) -> pd.DataFrame:
    """The pipeline's input table, read from sources the actor may use."""
    actor = require_actor(actor)
    require_source_access(actor, spec)
    return ingest.read_sources(spec)


def save_version(
    actor: Actor | None, spec: PipelineSpec, frame: pd.DataFrame
) -> versions.VersionInfo:
    """Store a pipeline's output as the actor's next version (or the existing one, if equal)."""
    actor = require_actor(actor)
    require_source_access(actor, spec)
    return versions.save_version(actor.id, spec, frame)


def _learner(actor: Actor | None, learner_id: int | None) -> int:
    """The learner whose versions are read: the actor, or one of the actor's learners."""
    actor = require_actor(actor)
    with read_session() as session:
        return viewed_learner(session, actor, learner_id, "No such pipeline.")


def list_versions(
    actor: Actor | None, name: str | None = None, learner_id: int | None = None
) -> list[versions.VersionInfo]:
    return versions.list_versions(_learner(actor, learner_id), name)


def load_version(
    actor: Actor | None, name: str, version: int, learner_id: int | None = None
) -> pd.DataFrame:
    owner = _learner(actor, learner_id)
    try:
        return versions.load_version(owner, name, version)
    except ValueError:
        raise NotFound("No such pipeline.") from None


def training_dataset(actor: Actor | None, name: str, version: int) -> str:
    """The "upload:<id>" a RunSpec names to train on the actor's own version."""
    actor = require_actor(actor)
    dataset = integration.version_dataset(actor.id, name, version)  # only the actor's own
    _own_upload(actor, dataset.removeprefix("upload:"), f"{name} v{version}", "tabular")
    return dataset


def rerun_on_source(
    actor: Actor | None, spec: PipelineSpec, source_id: str
) -> tuple[versions.VersionInfo, list[StageReport]]:
    """The one-click re-run: the saved stages on a new uploaded file, stored as a new version.
    A failing stage raises PipelineError before anything is stored."""
    actor = require_actor(actor)
    fresh = spec.with_sources([UploadSource(upload_id=source_id)])
    frame, reports = run_pipeline(fresh, read_input(actor, fresh))
    return versions.save_version(actor.id, fresh, frame), reports


def compare(
    actor: Actor | None, name: str, a: int, b: int, learner_id: int | None = None
) -> tuple[versions.VersionDiff, list[ColumnDrift]]:
    """What changed from version a to version b, and how far each column drifted."""
    frame_a = load_version(actor, name, a, learner_id)
    frame_b = load_version(actor, name, b, learner_id)
    return versions.compare_versions(frame_a, frame_b), drift(frame_a, frame_b)


def version_runs(
    actor: Actor | None, name: str, version: int, learner_id: int | None = None
) -> list[dict[str, Any]]:
    """The metric history of the runs trained on a version."""
    owner = _learner(actor, learner_id)
    try:
        return metric_history(owner, name, version)
    except ValueError:
        raise NotFound("No such pipeline.") from None
