"""Teacher: one learner in detail (?id=): assigned work, runs, steps, reflections, checks."""

import streamlit as st

from classroom import classes
from classroom.access import NotFound
from ui.common.auth import require_teacher
from ui.common.markdown_text import md_escape
from ui.teacher.learner import (
    completed,
    render_assigned,
    render_events,
    render_runs,
    render_shared_entries,
    render_steps_done,
)

teacher = require_teacher()
wanted = st.query_params.get("id", "")
try:
    learner = classes.get_learner(teacher, int(wanted))
except (ValueError, NotFound):
    st.title("Learner")
    st.error("No learner in your classes has that id. Open one from the class page.")
    st.page_link("pages/classes.py", label="Back to my classes", icon=":material/groups:")
    st.stop()

st.title(md_escape(learner.display_name))
in_classes = ", ".join(c.name for c in classes.shared_classes(teacher, learner.id))
st.caption(f"Username: {md_escape(learner.username)} · in {md_escape(in_classes)}")
st.page_link("pages/classes.py", label="Back to my classes", icon=":material/groups:")
done = completed(teacher, learner)

st.subheader("Assigned work")
render_assigned(teacher, learner, done)
st.subheader("Runs")
render_runs(teacher, learner)
st.subheader("Steps completed")
render_steps_done(done)
st.subheader("Shared reflections and your feedback")
render_shared_entries(teacher, learner)
st.subheader("Lab checks and hints")
render_events(teacher, learner)
