"""Lab: feature engineering: scale, build, select, and find the leaking column."""

import streamlit as st

from classroom import datasets, journals
from labs import evidence
from labs.catalog import steps_for_lab
from labs.feature_engineering import LAB, TABLES
from ui.auth import require_signed_in
from ui.autosave import autosave_text_area
from ui.feature_lab import (
    cached_table,
    render_build,
    render_leaks,
    render_scaling,
    render_selection,
)

actor = require_signed_in()
st.title("Feature engineering")
st.write(
    "Turn a table's columns into evidence a model can use, then judge which columns "
    "deserve a place. Every setting is fitted on the training rows only."
)

own = {u.dataset: f"My upload: {u.name}" for u in datasets.uploads_of(actor) if u.kind == "tabular"}
labels = {**{t: t.replace("-", " ").title() for t in TABLES}, **own}
name = st.selectbox("Table", list(labels), format_func=labels.get, key="fe_table")
datasets.require_dataset_access(actor, name)
frame, target = cached_table(name)
st.caption(f"Predicting **{target}** from {frame.shape[1] - 1} columns.")

scaling, build, select, leaks = st.tabs(
    ["Scaling", "Build features", "Select features", "Redundancy and leaks"]
)
with scaling:
    render_scaling(frame, target)
with build:
    render_build(actor, frame, target)
with select:
    render_selection(name)
with leaks:
    render_leaks(actor, frame, target)

st.subheader("Reflect on your evidence")
step = steps_for_lab(LAB.id, "reflect")[0]
st.markdown(step.prompt)
entry = next((e for e in journals.list_entries(actor) if e.step_id == step.id), None)


def save(text: str) -> None:
    current = next((e for e in journals.list_entries(actor) if e.step_id == step.id), None)
    saved = journals.save_draft(
        actor,
        text,
        entry_id=current.id if current else None,
        track_id=step.track_id,
        step_id=step.id,
    )
    evidence.record_step_reflection(actor, saved, LAB.id)


autosave_text_area("Your reflection", entry.body if entry else "", "fe_reflection", save)
