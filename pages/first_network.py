"""Lab: train your first network on handwritten digits, live."""

import streamlit as st

from classroom import challenges, runs
from classroom.access import NotFound
from curriculum.catalog import steps_for_lab
from engine.spec import SpecError, parse_spec
from labs import evidence
from labs.first_network import DEFAULT_SPEC, LAB
from ui.common.auth import require_signed_in
from ui.common.markdown_text import md_escape
from ui.journal.run_reflection import render_journal_box
from ui.runs.live_run import render_empty_curves, render_live_panel
from ui.runs.results import render_objectives, render_outcome
from ui.runs.settings import run_label, settings_form

actor = require_signed_in()
st.title(LAB.title)
st.write(
    "Teach a network to read 8x8 pictures of handwritten digits. Choose its settings, "
    "press Train and watch the curves. Goal: at least 95% accuracy on the validation "
    "images, which the network never trains on. Compare your runs on that score; when one "
    "reaches the goal, press Final test under it to measure it once on the test images."
)

errors = st.session_state.pop("first_network_errors", {})
settings_col, run_col = st.columns([1, 2], gap="large")
with settings_col:
    values = settings_form(DEFAULT_SPEC, errors)
if values is not None:
    try:
        run_id = runs.submit_run(actor, parse_spec(values), LAB.id)
        st.query_params["run"] = str(run_id)  # the rest of this run shows it: no rerun needed
    except SpecError as exc:
        st.session_state["first_network_errors"] = exc.errors
        st.rerun()  # draw the form again with each message next to its setting

history = runs.my_runs(actor, LAB.id)
wanted = st.query_params.get("run")
run = None
try:
    run = runs.get_run(actor, int(wanted)) if wanted and wanted.isdigit() else None
except NotFound:
    st.query_params.pop("run", None)
run = run or (history[0] if history else None)

with run_col:
    if run is None:
        st.info("Your runs will appear here. Pick settings and press Train.")
        render_empty_curves(DEFAULT_SPEC.epochs)
        st.stop()
    if len(history) > 1:
        chosen = st.selectbox(
            "Your runs",
            history,
            index=[r.id for r in history].index(run.id) if run.id in {r.id for r in history} else 0,
            format_func=run_label,
        )
        if chosen.id != run.id:
            st.query_params["run"] = str(chosen.id)
            st.rerun()
    label = challenges.challenge_run_labels(actor, [run.id]).get(run.id)
    if label:  # a challenge's run only borrows this lab's settings form
        st.info(f"{md_escape(label)}: this run trains on the challenge's data, not on digits.")
    run = render_live_panel(actor, run.id)

if not run.active:
    render_outcome(run, actor)
    render_objectives(evidence.check_run(actor, run))
    if run.owner_id == actor.id:
        st.subheader("Reflect on this run")
        prompt = steps_for_lab(LAB.id, "reflect")[0].prompt
        render_journal_box(actor, run, prompt)
