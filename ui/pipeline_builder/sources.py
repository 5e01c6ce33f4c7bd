"""Where a pipeline's data comes from: one source, or two joined on a key column."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from classroom import pipelines
from classroom.access import Actor, NotFound
from engine.data import DataError
from engine.pipeline.pipeline_spec import BUNDLED, PipelineSpecError, parse_pipeline
from labs.pipeline_builder import PIPELINE_NAME
from ui.pipeline_builder.upload_fixes import render_upload_notes, store_upload

DEMO_TABLES = ("lab_results", "students")
UPLOAD_TYPES = ["csv", "txt", "xlsx", "json", "parquet", "sqlite", "sqlite3", "db"]
KINDS = ["Demo database", "Bundled dataset", "My file", "Web address"]
JOIN_HOW = {
    "inner": "only keys in both",
    "left": "every row of the first",
    "outer": "every row of either",
}


def _upload(actor: Actor, prefix: str) -> dict[str, Any] | None:
    file = st.file_uploader("Your file", type=UPLOAD_TYPES, key=f"{prefix}_upload")
    if file is not None and st.session_state.get(f"{prefix}_upload_name") != file.name:
        stored = store_upload(actor, prefix, file)
        if stored is None:
            return None
        st.session_state[f"{prefix}_source"] = stored
        st.session_state[f"{prefix}_upload_name"] = file.name
    info = st.session_state.get(f"{prefix}_source")
    if info is None:
        st.info("Upload a CSV, Excel, JSON, Parquet or SQLite file to use it as a source.")
        return None
    render_upload_notes(prefix)
    if info.format == "sqlite":
        table = st.selectbox("Table", info.summary.get("tables", []), key=f"{prefix}_upload_table")
        return {"kind": "sqlite", "database": info.source_id, "table": table}
    return {"kind": "upload", "upload_id": info.source_id}


def pick_one(actor: Actor, prefix: str) -> dict[str, Any] | None:
    """One source dict of a PipelineSpec; widget keys start with ``prefix``."""
    kind = st.radio("Data source", KINDS, horizontal=True, key=f"{prefix}_source_kind")
    if kind == "Demo database":
        table = st.selectbox("Table", DEMO_TABLES, key=f"{prefix}_demo_table")
        return {"kind": "sqlite", "database": "demo", "table": table}
    if kind == "Bundled dataset":
        return {
            "kind": "bundled",
            "name": st.selectbox("Dataset", BUNDLED, key=f"{prefix}_bundled"),
        }
    if kind == "Web address":
        url = st.text_input(
            "Address of a CSV or JSON file",
            key=f"{prefix}_url",
            placeholder="https://example.org/table.csv",
        ).strip()
        return {"kind": "url", "url": url} if url else None
    return _upload(actor, prefix)


def _read(actor: Actor, data: dict[str, Any]) -> pd.DataFrame | None:
    """The table the sources give, read once per choice of sources (a web file is fetched
    again only when the choice changes or the learner asks)."""
    wanted = json.dumps(data, sort_keys=True)
    cache: dict[str, pd.DataFrame] = st.session_state.setdefault("pl_inputs", {})
    if wanted in cache:
        return cache[wanted]
    try:
        spec = parse_pipeline({"name": PIPELINE_NAME, **data})
        frame = pipelines.read_input(actor, spec)
    except PipelineSpecError as exc:
        for where, message in exc.errors.items():
            st.error(f"{where}: {message}")
        return None
    except (DataError, NotFound) as exc:
        st.error(str(exc))
        return None
    if len(cache) >= 6:
        cache.pop(next(iter(cache)))
    cache[wanted] = frame
    return frame


def forget_inputs() -> None:
    """Read every source again on the next run (a web file or database may have changed)."""
    st.session_state.pop("pl_inputs", None)


def pick_sources(actor: Actor) -> tuple[dict[str, Any], pd.DataFrame] | None:
    """The sources part of the spec ({"sources": [...], "join": ...}) and the table it reads."""
    first = pick_one(actor, "pl")
    if first is None:
        return None
    data: dict[str, Any] = {"sources": [first]}
    if st.toggle("Join a second source on a key column", key="pl_join_on"):
        frame = _read(actor, data)
        with st.container(border=True):
            second = pick_one(actor, "pl2")
            if frame is None or second is None:
                return None
            other = _read(actor, {"sources": [second]})
            if other is None:
                return None
            left, right, how = st.columns(3)
            key = left.selectbox("Key in the first source", list(frame.columns), key="pl_join_key")
            second["join_column"] = right.selectbox(
                "Matching column in the second", list(other.columns), key="pl_join_column"
            )
            chosen = how.selectbox(
                "Keep", list(JOIN_HOW), format_func=JOIN_HOW.__getitem__, key="pl_join_how"
            )
        data = {"sources": [first, second], "join": {"key": key, "how": chosen}}
        if second["join_column"] == key:
            del second["join_column"]
    frame = _read(actor, data)
    return None if frame is None else (data, frame)
