"""Lab: build a data pipeline, store versions of its output, and watch them drift."""

import streamlit as st

from ui.auth import require_signed_in
from ui.pipeline_lab import (
    current_result,
    pick_source,
    read_source,
    render_code,
    render_lab_objectives,
    render_reports,
    render_stage_editor,
    run_and_report,
    validated_spec,
)
from ui.pipeline_versions import (
    compare_versions,
    render_comparison,
    safe_csv,
    store_version,
    train_on_version,
    versions_table,
)

actor = require_signed_in()
st.title("Pipeline builder")
st.write(
    "Read a table, clean it with small stages in order, store each result as a version "
    "and compare versions to see what changed before a model learns from them."
)

source = pick_source(actor)
frame = read_source(actor, source) if source else None
if frame is None:
    st.stop()
st.caption(f"{len(frame)} rows, {frame.shape[1]} columns, {int(frame.isna().sum().sum())} missing")

build, store, monitor, code = st.tabs(["Build and run", "Versions", "Monitor", "Show as code"])
with build:
    st.subheader("Stages")
    stages = render_stage_editor([str(c) for c in frame.columns])
    spec = validated_spec(source, stages)
    if st.button("Run the pipeline", type="primary", disabled=spec is None, key="pl_run"):
        run_and_report(actor, spec, frame)
    if error := st.session_state.get("pl_error"):
        st.error(error)
    result = current_result(spec)
    if result:
        render_reports(result)

with store:
    if result:
        if st.button("Store as a new version", key="pl_store"):
            store_version(actor, spec, result["frame"])
        st.download_button(
            "Download the cleaned data (CSV)",
            safe_csv(result["frame"]),
            file_name="cleaned.csv",
            mime="text/csv",
            key="pl_download",
        )
    else:
        st.caption("Run the pipeline to store or download its output.")
    numbers = versions_table(actor)
    if numbers:
        chosen = st.selectbox("Train on version", numbers, index=len(numbers) - 1, key="pl_train_v")
        if st.button("Train a dense network", key="pl_train"):
            train_on_version(actor, chosen)

with monitor:
    if len(numbers) < 2:
        st.caption("Store two versions to compare them.")
    else:
        left, right = st.columns(2)
        a = left.selectbox("Version A", numbers, index=0, key="pl_a")
        b = right.selectbox("Version B", numbers, index=len(numbers) - 1, key="pl_b")
        if st.button("Compare", key="pl_compare_button"):
            compare_versions(actor, a, b)
        render_comparison()

with code:
    if spec is not None:
        render_code(spec)

st.subheader("Objectives")
render_lab_objectives()
