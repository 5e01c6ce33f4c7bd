"""Stored versions of a learner's pipeline: store, download, compare for drift, train."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from classroom import pipelines, runs
from classroom.access import Actor, NotFound
from engine.data import DataError
from engine.pipeline.spec import PipelineSpec
from engine.spec import RunSpec
from labs.pipeline_builder import LAB, PIPELINE_NAME
from ui.pipeline_charts import drift_chart
from ui.pipeline_lab import record

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # spreadsheet formula injection


def safe_csv(frame: pd.DataFrame) -> bytes:
    """CSV whose text cells cannot start a spreadsheet formula (a quote is put before)."""

    def escape(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(FORMULA_START):
            return "'" + value
        return value

    out = frame.map(escape)
    out.columns = [escape(str(c)) for c in out.columns]
    return out.to_csv(index=False).encode("utf-8")


def store_version(actor: Actor, spec: PipelineSpec, frame: pd.DataFrame) -> None:
    info = pipelines.save_version(actor, spec, frame)
    st.session_state["pl_stored"] = info.version
    record(actor, {"kind": "stored-version", "version": info.version, "hash": info.content_hash})


def versions_table(actor: Actor) -> list[int]:
    found = pipelines.list_versions(actor, PIPELINE_NAME)
    if not found:
        st.caption("No versions stored yet.")
        return []
    rows = [
        {
            "version": v.version,
            "hash": v.content_hash[:12],
            "rows": v.rows,
            "created": v.created_at.strftime("%Y-%m-%d %H:%M"),
        }
        for v in found
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    return [v.version for v in found]


def compare_versions(actor: Actor, a: int, b: int) -> None:
    diff, drifts = pipelines.compare(actor, PIPELINE_NAME, a, b)
    st.session_state["pl_compare"] = (a, b, diff, drifts)
    record(actor, {"kind": "found-drift", "drifted": [d.column for d in drifts if d.drifted]})


def render_comparison() -> None:
    found = st.session_state.get("pl_compare")
    if found is None:
        return
    a, b, diff, drifts = found
    cols = st.columns(3)
    cols[0].metric(f"Rows in v{a} → v{b}", diff.rows_b, delta=diff.rows_b - diff.rows_a)
    cols[1].metric("Rows added", len(diff.rows_added))
    cols[2].metric("Rows removed", len(diff.rows_removed))
    if diff.columns_added or diff.columns_removed:
        st.caption(
            f"Columns added: {', '.join(diff.columns_added) or 'none'} · "
            f"removed: {', '.join(diff.columns_removed) or 'none'}"
        )
    rows = [
        {"column": d.column, "kind": d.kind, "psi": round(d.psi, 4), "drifted": d.drifted}
        for d in drifts
    ]
    if not rows:
        st.info("No columns to compare.")
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.altair_chart(drift_chart(rows))


def train_on_version(actor: Actor, version: int) -> None:
    """Submit a small dense network on a stored version (it needs a target stage)."""

    try:
        dataset = pipelines.training_dataset(actor, PIPELINE_NAME, version)
        spec = RunSpec(dataset=dataset, model="dense", epochs=20, learning_rate=0.01)
        run_id = runs.submit_run(actor, spec, LAB.id)
    except (DataError, NotFound, ValueError) as exc:
        st.error(str(exc))
        return
    st.info(f"Run {run_id} is queued: a dense network on version {version}.")
