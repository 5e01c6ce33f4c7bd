"""Home: the six competencies, each opening its track."""

import streamlit as st

from classroom import classes, progress
from classroom.access import NotFound
from labs import evidence
from labs.catalog import competencies, tracks
from ui.auth import require_signed_in
from ui.cards import competency_card

actor = require_signed_in()
evidence.catch_up(actor)
done = progress.completed_steps(actor)

st.title(f"Welcome, {actor.display_name}")
st.write(
    "Pick a competency to follow its track: short readings, a hands-on lab, "
    "and a reflection on what you found."
)
all_tracks = tracks()
comps = competencies()
for row in range(0, len(comps), 3):
    cols = st.columns(3)
    for col, comp in zip(cols, comps[row : row + 3], strict=False):
        with col:
            competency_card(comp, all_tracks[comp.id], done)

if not actor.is_teacher and not classes.list_classes(actor):
    with st.expander("Join a class"), st.form("join_class", border=False):
        code = st.text_input("Join code from your teacher", max_chars=12)
        if st.form_submit_button("Join"):
            try:
                joined = classes.join_class(actor, code)
                st.success(f"You joined {joined.name}.")
            except NotFound as exc:
                st.error(str(exc))
