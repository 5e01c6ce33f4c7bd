"""My progress: competencies, tracks, recent work, goals, next steps, and my data."""

from datetime import date

import streamlit as st

from classroom.progress_summary import build_summary
from labs.registry import LAB_TITLES
from ui.common.auth import require_signed_in
from ui.common.cards import STEP_KINDS
from ui.common.evidence import catch_up
from ui.common.local_time import local_time
from ui.progress.charts import competency_radar, track_bars
from ui.progress.goals import render_goal_form, render_goals
from ui.progress.my_data import render_my_data

ACTIVITY_ICONS = {"step": "✅", "run": "🧪", "journal": "📝"}

actor = require_signed_in()
catch_up(actor)
summary = build_summary(actor, date.today(), LAB_TITLES)

st.title("My progress")
radar_col, tracks_col = st.columns(2)
with radar_col:
    st.subheader("Competencies")
    st.plotly_chart(competency_radar(summary.shares), key="radar", width="stretch")
    st.caption("How much of each competency's steps you have done.")
with tracks_col:
    st.subheader("Steps done per track")
    st.plotly_chart(track_bars(summary.tracks), key="track_bars", width="stretch")

st.subheader("Suggested next steps")
if not summary.next_steps:
    st.success("You have done every step of every track. Set yourself a new goal below.")
for suggestion in summary.next_steps:
    step = suggestion.step
    with st.container(border=True):
        st.markdown(f"**{STEP_KINDS[step.kind]}: {step.title}**")
        st.caption(suggestion.reason)
        st.page_link(
            "pages/track.py",
            label="Open the track",
            icon=":material/arrow_forward:",
            query_params={"id": step.track_id},
        )

st.subheader("My goals")
render_goal_form(actor)
render_goals(actor, summary.goals)

st.subheader("Recent activity")
if not summary.activity:
    st.caption("Nothing yet: read a step, train a network or write in your journal.")
for item in summary.activity:
    st.text(f"{ACTIVITY_ICONS[item.kind]} {local_time(item.at)} · {item.text}")

st.subheader("My data")
render_my_data(actor)
