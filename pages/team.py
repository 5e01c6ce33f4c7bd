"""My team: share runs with teammates, see theirs, fork one to improve it, and reuse the
pipeline versions teammates share."""

import streamlit as st

from classroom import classes, teams
from ui.common.auth import require_signed_in
from ui.common.confirm_destructive import render_done_notice
from ui.journal.step_reflection import render_step_reflection
from ui.teams.fork_form import render_fork_form, render_fork_started
from ui.teams.panels import (
    render_forks,
    render_join_or_create,
    render_my_runs,
    render_shared_runs,
    render_team_header,
)
from ui.teams.pipelines import render_shared_pipelines

actor = require_signed_in()
st.title("My team")
if actor.is_teacher:
    st.info("Teams are for learners. You form your classes' teams on the Teams page.")
    st.page_link("pages/teams_admin.py", label="Open Teams", icon=":material/groups:")
    st.stop()

st.write(
    "Share runs with your team, look at your teammates' settings and results, and start "
    "your own run from one of theirs (a fork). Then try to beat it. Pipelines your teammates "
    "share are below: preview them, download them, or reuse their stages."
)
render_done_notice()
my_classes = classes.list_classes(actor)
if not my_classes:
    st.info("Join a class first: teams are formed within a class.")
    st.stop()
mine = teams.my_teams(actor)
render_join_or_create(actor, my_classes, mine)
with st.expander("Reflect on working as a team", expanded=not mine):
    render_step_reflection(actor, "teamwork", "team_reflection")
if not mine:
    st.stop()

team = mine[0]
if len(mine) > 1:
    team = st.selectbox(
        "Team", mine, format_func=lambda t: f"{t.name} ({t.class_name})", key="team_choice"
    )
render_team_header(actor, team)
render_fork_started(actor)
fork_of = st.session_state.get("fork_of")
if fork_of is not None:
    render_fork_form(actor, int(fork_of))

shared_tab, mine_tab, forks_tab = st.tabs(["Shared with the team", "My runs", "Forks"])
with shared_tab:
    render_shared_runs(actor, team)
with mine_tab:
    render_my_runs(actor)
with forks_tab:
    render_forks(actor, team)
st.subheader("Pipelines shared by teammates")
render_shared_pipelines(actor, team)
st.page_link("pages/challenges.py", label="Class challenges", icon=":material/emoji_events:")
