"""Ingestion: a pipeline's sources read into one table (joined on a key when there are several).

A learner's file for a pipeline (CSV, Excel, JSON, Parquet or a SQLite database) is checked,
then stored by content hash under data_dir()/pipeline_sources/<id>.<ending>; the spec names
it by that id only, so no learner-typed name ever becomes a path.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from engine.data.bundle import DataError
from engine.data.csv_checks import megabytes
from engine.data.file_magic import refuse_other_format
from engine.data.tabular import load_penguins_frame, load_sklearn_frame
from engine.pipeline.pipeline_spec import (
    BundledSource,
    JoinSpec,
    PipelineSpec,
    Source,
    SqliteSource,
    UploadSource,
    UrlSource,
)
from engine.pipeline.readers import MAX_FILE_BYTES, file_format, read_table, summarize, tidy_table
from engine.pipeline.sqlite_source import SQLITE_MAGIC, list_tables, read_sqlite_table
from engine.pipeline.url_source import fetch_url
from settings import PROJECT_ROOT, data_dir, private_urls_allowed

DEMO_DATABASE = PROJECT_ROOT / "content" / "datasets" / "demo.sqlite"
SOURCE_ID = re.compile(r"^[0-9a-f]{16}$")
SQLITE_ENDINGS = (".sqlite", ".sqlite3", ".db")
ENDINGS = {
    "csv": ".csv",
    "excel": ".xlsx",
    "json": ".json",
    "parquet": ".parquet",
    "sqlite": ".sqlite",
}


def sources_dir() -> Path:
    path = data_dir() / "pipeline_sources"
    path.mkdir(parents=True, exist_ok=True)
    return path


def source_format(filename: str) -> str:
    """csv, excel, json, parquet or sqlite, from the file name's ending."""
    if filename.lower().endswith(SQLITE_ENDINGS):
        return "sqlite"
    return file_format(filename)


def _check_sqlite_bytes(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise DataError(
            f"The database is {megabytes(len(data))}; the limit is {megabytes(MAX_FILE_BYTES)}."
        )
    if not data.startswith(SQLITE_MAGIC):
        other = refuse_other_format(data, "sqlite", "SQLite database")
        raise DataError(other or "The file is not a SQLite database.")


def _write_checked(data: bytes, target: Path, fmt: str) -> list[str]:
    """Write to a temporary file, check a database there, then rename it into place (never
    half a file, nor an unreadable database, under the real name). A database's tables."""
    handle, temp = tempfile.mkstemp(prefix=".incoming-", dir=sources_dir())
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        tables = list_tables(Path(temp)) if fmt == "sqlite" else []
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return tables


def store_source(data: bytes, filename: str) -> tuple[str, str, dict[str, Any]]:
    """Check a learner's file and store it; returns (source id, format, summary)."""
    fmt = source_format(filename)
    if fmt == "sqlite":
        _check_sqlite_bytes(data)
    else:
        frame, extra = read_table(data, fmt)
    source_id = hashlib.sha256(data).hexdigest()[:16]
    tables = _write_checked(data, sources_dir() / f"{source_id}{ENDINGS[fmt]}", fmt)
    if fmt == "sqlite":
        return source_id, fmt, {"format": fmt, "tables": tables}
    return source_id, fmt, summarize(frame, format=fmt, **extra)


def stored_source(source_id: str) -> tuple[Path, str]:
    """(path, format) of a stored source, or a DataError the same for missing and malformed."""
    if SOURCE_ID.fullmatch(source_id):
        for fmt, ending in ENDINGS.items():
            path = data_dir() / "pipeline_sources" / f"{source_id}{ending}"
            if path.is_file():
                return path, fmt
    raise DataError("There is no uploaded file with that id.")


def _read_source(source: Source, allow_private_urls: bool) -> pd.DataFrame:
    if isinstance(source, BundledSource):
        if source.name == "penguins":
            return tidy_table(load_penguins_frame())
        return tidy_table(load_sklearn_frame(source.name))
    if isinstance(source, UploadSource):
        path, fmt = stored_source(source.upload_id)
        if fmt == "sqlite":
            raise DataError("That upload is a database: choose one of its tables as a source.")
        return read_table(path.read_bytes(), fmt)[0]
    if isinstance(source, SqliteSource):
        path, fmt = (
            (DEMO_DATABASE, "sqlite")
            if source.database == "demo"
            else stored_source(source.database)
        )
        if fmt != "sqlite":
            raise DataError("That upload is not a SQLite database.")
        return read_sqlite_table(path, source.table)
    assert isinstance(source, UrlSource)
    data, fmt = fetch_url(source.url, allow_private=allow_private_urls)
    return read_table(data, fmt)[0]


def source_label(index: int, source: Source) -> str:
    """'source 2 (lab_results)': how messages name a source."""
    detail = {
        "bundled": getattr(source, "name", ""),
        "upload": "upload",
        "sqlite": getattr(source, "table", ""),
        "url": getattr(source, "url", "")[:60],
    }[source.kind]
    return f"source {index + 1} ({detail})"


def read_sources(spec: PipelineSpec, allow_private_urls: bool | None = None) -> pd.DataFrame:
    """The pipeline's input: its one source, or all of them joined on the key (private
    addresses only when allowed here or by ``DLL_ALLOW_PRIVATE_URLS``)."""
    if allow_private_urls is None:
        allow_private_urls = private_urls_allowed()
    frames = []
    for i, source in enumerate(spec.sources):
        try:
            frames.append(_read_source(source, allow_private_urls))
        except DataError as exc:
            raise DataError(f"{source_label(i, source).capitalize()}: {exc}") from None
    if len(frames) == 1:
        return frames[0]
    assert spec.join is not None  # the spec refuses several sources without a join
    return join_frames(frames, list(spec.sources), spec.join)


def _keyed(frame: pd.DataFrame, source: Source, index: int, key: str) -> pd.DataFrame:
    """The frame with its key column named ``key``, or a DataError naming the missing key."""
    column = source.join_column or key
    if column not in frame.columns:
        listed = ", ".join(repr(c) for c in frame.columns[:20])
        raise DataError(
            f"{source_label(index, source).capitalize()} has no column {column!r} to join on. "
            f"Its columns are: {listed}."
        )
    if column != key and key in frame.columns:
        raise DataError(
            f"{source_label(index, source).capitalize()} already has a column {key!r}; "
            f"join on it, or rename it before joining on {column!r}."
        )
    return frame.rename(columns={column: key})


def join_frames(frames: list[pd.DataFrame], sources: list[Source], join: JoinSpec) -> pd.DataFrame:
    """pandas.merge of every source, left to right; rows renumbered from 1."""
    joined = _keyed(frames[0], sources[0], 0, join.key)
    for i in range(1, len(frames)):
        right = _keyed(frames[i], sources[i], i, join.key)
        try:
            joined = joined.merge(right, on=join.key, how=join.how, suffixes=("", f"_{i + 1}"))
        except ValueError as exc:  # e.g. the key is numbers in one source and text in another
            raise DataError(
                f"The sources could not be joined on {join.key!r}: {exc}. Fix its type first."
            ) from None
    if joined.empty:
        raise DataError(f"Joining on {join.key!r} left no rows: no key value is in every source.")
    joined.index = pd.RangeIndex(1, len(joined) + 1)
    return joined


def check_data_file(path: Path, table: str | None = None) -> dict[str, Any]:
    """Check a data file as an upload is checked: its summary, or a DataError."""
    fmt = source_format(path.name)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:  # before reading it into memory
        raise DataError(f"The file is {megabytes(size)}; the limit is {megabytes(MAX_FILE_BYTES)}.")
    if fmt == "sqlite":
        tables = list_tables(path)
        if not tables:
            raise DataError("The database has no tables.")
        if table is None and len(tables) != 1:
            raise DataError(f"The database has tables {', '.join(tables)}; name one with --table.")
        table = table or tables[0]
        return summarize(read_sqlite_table(path, table), format=fmt, table=table)
    frame, extra = read_table(path.read_bytes(), fmt)
    return summarize(frame, format=fmt, **extra)
