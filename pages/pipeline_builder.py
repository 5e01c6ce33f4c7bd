"""Lab: build a data pipeline, store versions of its output, and watch them drift."""

import streamlit as st

from labs.pipeline_builder import LAB, reflection_facts
from ui.common.auth import require_signed_in
from ui.journal.step_reflection import render_step_reflection
from ui.pipeline_builder.draft import restore_draft, save_draft, show_notice, version_index
from ui.pipeline_builder.parts import (
    current_result,
    render_code,
    render_lab_objectives,
    render_reports,
    render_stage_editor,
    run_and_report,
    table_caption,
    validated_spec,
)
from ui.pipeline_builder.sources import forget_inputs, pick_sources
from ui.pipeline_builder.versions import (
    compare_versions,
    render_comparison,
    render_history,
    render_quality,
    render_rerun,
    render_share_toggle,
    render_store_and_download,
    render_training,
    train_on_version,
    versions_table,
)

actor = require_signed_in()
st.title("Pipeline builder")
st.write(
    "Read a table, clean it with small stages in order, store each result as a version "
    "and compare versions to see what changed before a model learns from them."
)

restore_draft(actor)  # the working pipeline saved last time, once per opening of the page
show_notice()
picked = pick_sources(actor)
if picked is None:
    st.stop()
sources, frame = picked
info, again = st.columns([5, 1])
info.caption(table_caption(sources, frame))
again.button("Read again", key="pl_read_again", on_click=forget_inputs, width="stretch")

build, store, monitor, code = st.tabs(["Build and run", "Versions", "Monitor", "Show as code"])
with build:
    stages = render_stage_editor([str(c) for c in frame.columns])
    spec = validated_spec(sources, stages)
    pressed = st.button("Run the pipeline", type="primary", disabled=spec is None, key="pl_run")
    if pressed and spec is not None:
        with st.spinner("Running every stage…"):
            run_and_report(actor, spec, frame)
    if error := st.session_state.get("pl_error"):
        st.error(error)
    result = current_result(spec)
    if result:
        render_reports(result)

with store:
    render_store_and_download(actor, spec, result)
    stored = versions_table(actor)
    numbers = [v.version for v in stored]
    chosen = None
    if numbers:
        chosen = st.selectbox("Version", numbers, index=version_index(numbers), key="pl_version")
    save_draft(actor, sources, stages, chosen)  # every change of source, stages or version
    if chosen is not None:
        render_share_toggle(actor, chosen)
        quality, history = st.tabs(["Data quality", "Runs on this version"])
        with quality:
            render_quality(actor, stored[numbers.index(chosen)])
        with history:
            if st.button("Train a dense network on it", key="pl_train"):
                train_on_version(actor, chosen)
            render_training(actor)
            render_history(actor, chosen)
        with st.expander("Re-run the saved pipeline on a new file"):
            render_rerun(actor)

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
st.subheader("Reflect on your pipeline")
compared = st.session_state.get("pl_compare")
drifted = (
    (compared[0], compared[1], [d.column for d in compared[3] if d.drifted]) if compared else None
)
render_step_reflection(actor, LAB.id, "pl_reflection", reflection_facts(len(numbers), drifted))
