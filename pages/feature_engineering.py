"""Lab: feature engineering: scale, build, select, and find the leaking column."""

import streamlit as st

from classroom import datasets
from labs.feature_engineering import LAB, TABLES
from ui.common.auth import require_signed_in
from ui.feature_engineering.parts import (
    cached_table,
    render_build,
    render_leaks,
    render_scaling,
    render_selection,
)
from ui.journal.step_reflection import render_step_reflection

actor = require_signed_in()
st.title("Feature engineering")
st.write(
    "Turn a table's columns into evidence a model can use, then judge which columns "
    "deserve a place. Every setting is fitted on the training rows only."
)

own = {u.dataset: f"My upload: {u.name}" for u in datasets.uploads_of(actor) if u.kind == "tabular"}
labels = {**{t: t.replace("-", " ").title() for t in TABLES}, **own}
name = st.selectbox("Table", list(labels), format_func=labels.__getitem__, key="fe_table")
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
render_step_reflection(actor, LAB.id, "fe_reflection")
