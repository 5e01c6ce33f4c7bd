"""Class challenges: open ones, runs left, entering a run, and the leaderboard."""

import streamlit as st

from classroom import challenges
from ui.challenges.admin import render_close_button, render_open_form
from ui.challenges.board import render_leaderboard
from ui.challenges.entry import render_entry
from ui.challenges.watch import follow_challenge_runs
from ui.common.auth import require_signed_in
from ui.common.confirm_destructive import render_done_notice
from ui.common.local_time import local_time

actor = require_signed_in()
st.title("Class challenges")
st.write(
    "Train the best model you can within a run budget. Every run is scored on examples "
    "held back from everyone, so the only way up the board is a model that generalises."
)
render_done_notice()
if actor.is_teacher:
    render_open_form(actor)

items = challenges.list_challenges(actor)
if not items:
    st.info(
        "No challenges yet."
        + (" Open one above." if actor.is_teacher else " Your teacher opens them.")
    )
    st.stop()

ids = [c.id for c in items]
wanted = st.session_state.get("challenge_choice")
challenge = st.selectbox(
    "Challenge",
    items,
    index=ids.index(wanted) if wanted in ids else 0,
    format_func=lambda c: f"{c.title} ({c.class_name}) · {'open' if c.is_open else 'closed'}",
)
st.session_state["challenge_choice"] = challenge.id

state = "closes" if challenge.is_open else "closed"
st.markdown(
    f"Dataset **{challenge.dataset}** · {challenge.run_budget} runs per {challenge.budget_per}"
    f" · {state} {local_time(challenge.deadline)}"
)
follow_challenge_runs(actor, challenge.id)
if actor.is_teacher:
    render_close_button(actor, challenge)
else:
    render_entry(actor, challenge)
render_leaderboard(actor, challenge)
