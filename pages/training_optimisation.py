"""Lab: training optimisation. Every technique as a control, explanations, comparisons."""

import streamlit as st

from classroom import runs
from labs.run_explanations import explain
from labs.training_optimisation import DEFAULT_SPEC, LAB
from ui.common.auth import require_signed_in
from ui.runs.compare import choose_run, render_comparison, render_explanations, run_picker
from ui.runs.live_run import render_live_panel
from ui.runs.results import render_outcome
from ui.training_optimisation.controls import (
    optimisation_controls,
    submit_settings,
    transfer_sources,
)
from ui.training_optimisation.guided_experiments import render_guided_experiments

actor = require_signed_in()
st.title(LAB.title)
st.write(
    "Try each training technique on the digit images and see what it does to the curves. "
    "Change one setting at a time, then compare your runs: the guided experiments below "
    "count when two of your runs differ in just the setting under test."
)

errors = st.session_state.pop("optimisation_errors", {})
sources = transfer_sources(actor)
settings_col, run_col = st.columns([1, 2], gap="large")
with settings_col:
    values = optimisation_controls(DEFAULT_SPEC, sources, errors)
if values is not None:
    run_id, errors = submit_settings(actor, values, sources)
    if run_id is not None:
        st.query_params["run"] = str(run_id)
    else:
        st.session_state["optimisation_errors"] = errors
    st.rerun()

history = runs.my_runs(actor, LAB.id)
run = choose_run(actor, history, st.query_params.get("run"))
with run_col:
    if run is None:
        st.info("Your runs will appear here. Pick settings and press Train.")
    else:
        run_picker(history, run)
        run = render_live_panel(actor, run.id)

if run is not None and not run.active:
    render_outcome(run, actor)
    st.subheader("What this run shows")
    render_explanations(explain(run, runs.run_metrics(actor, run.id)))
    st.subheader("Guided experiments")
    render_guided_experiments(actor, run, history)

st.divider()
st.subheader("Compare runs")
render_comparison(actor, history)
