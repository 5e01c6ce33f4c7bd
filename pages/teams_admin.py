"""Teams (teacher): form teams in a class, or let its learners form their own."""

import streamlit as st

from classroom import classes
from ui.common.auth import require_teacher
from ui.teams.admin_panels import render_new_team, render_policy, render_teams

actor = require_teacher()
st.title("Teams")
st.write(
    "Learners in a team see the runs their teammates share and can fork them. "
    "A learner is in at most one team per class."
)
mine = classes.list_classes(actor)
if not mine:
    st.info("Create a class first, on My classes.")
    st.stop()
klass = st.selectbox("Class", mine, format_func=lambda c: c.name, key="teams_class")
render_policy(actor, klass)
render_new_team(actor, klass)
render_teams(actor, klass)
st.page_link("pages/challenges.py", label="Class challenges", icon=":material/emoji_events:")
