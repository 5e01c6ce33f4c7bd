"""Lab: hyperparameter tuning with grid, random and Bayesian search, live."""

import streamlit as st

from classroom import tuning
from classroom.access import NotFound
from engine.tuning.space import SpaceError
from labs.hyperparameter_tuning import LAB, MARGIN, WITHIN
from ui.common.auth import require_signed_in
from ui.hyperparameter_tuning.form import study_form
from ui.hyperparameter_tuning.live import render_study_panel, study_label
from ui.hyperparameter_tuning.results import (
    render_comparison,
    render_full_training,
    render_study_objectives,
)
from ui.journal.step_reflection import render_step_reflection

actor = require_signed_in()
st.title(LAB.title)
st.write(
    "Hyperparameters are the settings you choose before training. Instead of guessing, set "
    "a range for each, pick a search method and a budget of trials, and let a study search. "
    "Every trial trains a small network on a table of penguins, live. Goal: beat the default "
    f"configuration's validation accuracy by {MARGIN * 100:.0f} points within {WITHIN} trials."
)

errors = st.session_state.pop("hp_errors", {})
form_col, study_col = st.columns([1, 2], gap="large")
with form_col:
    chosen = study_form(errors)
if chosen is not None:
    try:
        study_id = tuning.start_study(actor, chosen[0], chosen[1], LAB.id)
        st.query_params["study"] = str(study_id)
    except SpaceError as exc:
        st.session_state["hp_errors"] = exc.errors
    st.rerun()

history = tuning.my_studies(actor, LAB.id)
wanted = st.query_params.get("study")
study = None
try:
    study = tuning.get_study(actor, int(wanted)) if wanted and wanted.isdigit() else None
except NotFound:
    st.query_params.pop("study", None)
study = study or (history[0] if history else None)

with study_col:
    if study is None:
        st.info("Your studies will appear here. Set the search space and press Start.")
        st.stop()
    ids = [s.id for s in history]
    if len(history) > 1:
        picked = st.selectbox(
            "Your studies",
            history,
            index=ids.index(study.id) if study.id in ids else 0,
            format_func=study_label,
        )
        if picked.id != study.id:
            st.query_params["study"] = str(picked.id)
            st.rerun()
    view = render_study_panel(actor, study.id)

if not view.info.active:
    render_study_objectives(actor, view)
    render_comparison(actor, view.info.id)
    render_full_training(actor, view)
    if view.info.owner_id == actor.id:
        st.subheader("Reflect on your search")
        render_step_reflection(actor, LAB.id, "hp_reflection")
