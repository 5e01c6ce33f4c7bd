"""Versioned snapshots of a pipeline's output: Parquet files named by content hash, and rows
in the pipeline_versions table numbering them 1, 2, ... per owner and pipeline name.

Files live in data_dir()/pipelines/<owner_id>/<pipeline name>/<content hash>.parquet and are
written to a temporary file, then renamed: a failed save never touches an earlier version.
Access is checked by the caller (classroom.pipelines); here every function takes owner_id.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from db.models import PipelineVersion
from db.session import one_writer_at_a_time, read_session, write_session
from engine.data.bundle import DataError, content_hash
from engine.pipeline.pipeline_spec import PIPELINE_NAME, PipelineSpec
from engine.pipeline.readers import type_name
from settings import data_dir


@dataclass(frozen=True)
class VersionInfo:
    owner_id: int
    pipeline_name: str
    version: int
    content_hash: str
    rows: int
    columns: list[dict[str, Any]]  # [{"name": ..., "type": ...}, ...]
    spec: dict[str, Any]
    dataset: str | None  # "upload:<id>" once it has been made trainable
    created_at: datetime


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """One uint64 per row over its values (not its row label)."""
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


def frame_hash(frame: pd.DataFrame) -> str:
    """16 hex characters over values, column names and types: same data, same hash."""
    dtypes = [str(t) for t in frame.dtypes]
    return content_hash(row_hashes(frame), [str(c) for c in frame.columns], dtypes)


def pipeline_folder(owner_id: int, name: str) -> Path:
    """The folder of one learner's pipeline; the name was checked to be folder-safe."""
    if not PIPELINE_NAME.fullmatch(name):
        raise DataError("There is no pipeline with that name.")
    return data_dir() / "pipelines" / str(int(owner_id)) / name.replace(" ", "_")


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write to a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".incoming-", suffix=".parquet", dir=path.parent)
    os.close(handle)
    try:
        frame.to_parquet(temp, index=False)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def _info(row: PipelineVersion) -> VersionInfo:
    return VersionInfo(
        row.owner_id,
        row.pipeline_name,
        row.version,
        row.content_hash,
        row.rows,
        list(row.columns),
        dict(row.spec),
        row.dataset,
        row.created_at,
    )


def save_version(owner_id: int, spec: PipelineSpec, frame: pd.DataFrame) -> VersionInfo:
    """Store the output of ``spec``; the same data again returns its existing version."""
    frame = frame.reset_index(drop=True)
    digest = frame_hash(frame)
    path = pipeline_folder(owner_id, spec.name) / f"{digest}.parquet"
    if not path.exists():
        _write_parquet(frame, path)  # file first: a row never points at a missing file
    columns = [{"name": str(c), "type": type_name(frame[c])} for c in frame.columns]
    where = (PipelineVersion.owner_id == owner_id, PipelineVersion.pipeline_name == spec.name)
    with write_session() as session:
        one_writer_at_a_time(session, f"pipeline:{owner_id}:{spec.name}")  # one number each
        found = session.scalar(
            select(PipelineVersion).where(*where, PipelineVersion.content_hash == digest)
        )
        if found is not None:
            return _info(found)
        latest = session.scalar(select(func.max(PipelineVersion.version)).where(*where)) or 0
        row = PipelineVersion(
            owner_id=owner_id,
            pipeline_name=spec.name,
            version=latest + 1,
            content_hash=digest,
            rows=len(frame),
            columns=columns,
            spec=spec.model_dump(mode="json"),
        )
        session.add(row)
        session.flush()
        return _info(row)


def list_versions(owner_id: int, name: str | None = None) -> list[VersionInfo]:
    """An owner's versions (of one pipeline, or all), by pipeline name then version."""
    query = select(PipelineVersion).where(PipelineVersion.owner_id == owner_id)
    if name is not None:
        query = query.where(PipelineVersion.pipeline_name == name)
    order = (PipelineVersion.pipeline_name, PipelineVersion.version)
    with read_session() as session:
        return [_info(r) for r in session.scalars(query.order_by(*order))]


def get_version(owner_id: int, name: str, version: int) -> VersionInfo:
    with read_session() as session:
        row = session.scalar(
            select(PipelineVersion).where(
                PipelineVersion.owner_id == owner_id,
                PipelineVersion.pipeline_name == name,
                PipelineVersion.version == version,
            )
        )
    if row is None:
        raise DataError(f"There is no version {version} of the pipeline {name!r}.")
    return _info(row)


def load_version(owner_id: int, name: str, version: int) -> pd.DataFrame:
    """The stored table of a version, rows numbered from 1."""
    info = get_version(owner_id, name, version)
    frame = pd.read_parquet(pipeline_folder(owner_id, name) / f"{info.content_hash}.parquet")
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


@dataclass(frozen=True)
class VersionDiff:
    """What changed from version A to version B."""

    rows_a: int
    rows_b: int
    columns_added: list[str]
    columns_removed: list[str]
    type_changed: dict[str, tuple[str, str]]  # column -> (type in A, type in B)
    compared_on: list[str]  # rows are matched on these columns (shared, same type)
    rows_added: list[int] = field(default_factory=list)  # row numbers in B
    rows_removed: list[int] = field(default_factory=list)  # row numbers in A


def _unmatched(frame: pd.DataFrame, other: pd.DataFrame) -> list[int]:
    """Row labels of ``frame`` with no equal row left in ``other`` (duplicates counted)."""
    left = Counter(row_hashes(other).tolist())
    unmatched = []
    for label, digest in zip(frame.index, row_hashes(frame).tolist(), strict=True):
        if left[digest]:
            left[digest] -= 1
        else:
            unmatched.append(int(label))
    return unmatched


def compare_versions(a: pd.DataFrame, b: pd.DataFrame) -> VersionDiff:
    """Columns added, removed or retyped, and rows added or removed (by a hash of each row
    over the columns both share with the same type)."""
    shared = [c for c in a.columns if c in b.columns]
    retyped = {
        str(c): (str(a[c].dtype), str(b[c].dtype)) for c in shared if a[c].dtype != b[c].dtype
    }
    same = [c for c in shared if str(c) not in retyped]
    return VersionDiff(
        rows_a=len(a),
        rows_b=len(b),
        columns_added=[str(c) for c in b.columns if c not in a.columns],
        columns_removed=[str(c) for c in a.columns if c not in b.columns],
        type_changed=retyped,
        compared_on=[str(c) for c in same],
        rows_added=_unmatched(b[same], a[same]) if same else [],
        rows_removed=_unmatched(a[same], b[same]) if same else [],
    )
