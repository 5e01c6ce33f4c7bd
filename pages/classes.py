"""Teacher: classes, join codes, assigned work and its matrix, learners and shared reflections."""

from datetime import date

import streamlit as st

from classroom import classes, journals, progress
from classroom.class_matrix import class_matrix, class_progress_csv
from curriculum.catalog import tracks
from ui.common.auth import require_teacher
from ui.common.local_time import local_time
from ui.common.markdown_text import md_escape
from ui.journal.entries import render_entry_text
from ui.journal.feedback import render_feedback_form
from ui.teacher.assign import render_assign_form, render_assign_notice, render_assignment_list
from ui.teacher.progress_matrix import render_class_matrix, render_progress_matrix
from ui.teacher.roster import render_roster

teacher = require_teacher()
st.title("My classes")

with (
    st.expander("Create a class", expanded=not classes.list_classes(teacher)),
    st.form("new_class", border=False, clear_on_submit=True),
):
    name = st.text_input("Class name", max_chars=80, placeholder="e.g. Year 11 Computing")
    if st.form_submit_button("Create class", type="primary"):
        try:
            made = classes.create_class(teacher, name)
            st.session_state["chosen_class"] = made.id
            st.success(f"Created {md_escape(made.name)}. Its join code is {made.join_code}.")
        except ValueError as exc:
            st.error(str(exc))

my_classes = classes.list_classes(teacher)
if not my_classes:
    st.stop()
ids = [c.id for c in my_classes]
chosen_id = st.session_state.get("chosen_class", ids[-1])
klass = st.selectbox(
    "Class",
    my_classes,
    index=ids.index(chosen_id) if chosen_id in ids else 0,
    format_func=lambda c: c.name,
)
st.session_state["chosen_class"] = klass.id

st.markdown(
    f"Join code: **`{klass.join_code}`**. Learners enter it when they create an "
    "account, or on their home page."
)
if notice := st.session_state.pop("removed_notice", None):
    st.info(notice)
members = classes.roster(teacher, klass.id)

st.subheader("Assigned work")
render_assign_notice()
render_class_matrix(class_matrix(teacher, klass.id))
st.download_button(
    "Download the class's progress (CSV)",
    data=lambda: class_progress_csv(teacher, klass.id),
    file_name=f"class-{klass.id}-progress-{date.today():%Y-%m-%d}.csv",
    mime="text/csv",
    icon=":material/download:",
    key="class_csv",
)
with st.expander("Assign a track or a step"):
    render_assign_form(teacher, klass, members)
render_assignment_list(teacher, klass)

all_tracks = tracks()
track = all_tracks[
    st.selectbox(
        "Track",
        list(all_tracks),
        format_func=lambda t: all_tracks[t].title,
        key="matrix_track",
        index=list(all_tracks).index("digital-literacy"),
    )
]
st.subheader(f"Progress · {len(members)} learners")
render_progress_matrix(members, progress.class_progress(teacher, klass.id), track)

st.subheader("Learners")
render_roster(teacher, klass, members)

st.subheader("Reflections shared with you")
shared = journals.shared_entries_for_class(teacher, klass.id)
if not shared:
    st.caption("No learner has shared a reflection yet.")
for entry in shared:
    with st.container(border=True):
        about = f"run {entry.run_id}" if entry.run_id else "a free entry"
        when = local_time(entry.updated_at)
        st.caption(f"{md_escape(entry.author)} · about {about} · {when}")
        render_entry_text(entry.body)
        render_feedback_form(teacher, entry)
