"""The learner's side of a challenge: runs left, a form to enter a run, their entries."""

from __future__ import annotations

import streamlit as st

from classroom import challenges
from classroom.access import Actor
from classroom.challenges import ChallengeInfo
from engine.spec import SpecError
from ui.common.cards import LAB_PAGES
from ui.teams.settings_form import lab_defaults, settings_fields, show_errors


def render_entry(actor: Actor, challenge: ChallengeInfo) -> None:
    """Budget left and the entry form (while the challenge is open), then the learner's runs."""
    try:
        left = challenges.runs_left(actor, challenge.id)
    except ValueError as exc:  # a team budget and no team yet
        st.warning(str(exc))
        st.page_link("pages/team.py", label="Go to My team", icon=":material/groups:")
        return
    who = "your team has" if challenge.budget_per == "team" else "you have"
    st.metric("Runs left", f"{left} of {challenge.run_budget}", help=f"How many runs {who} left.")
    if challenge.is_open and left > 0:
        _entry_form(actor, challenge)
    elif challenge.is_open:
        st.info("No runs left. Your runs stay on the leaderboard.")
    _my_runs(actor, challenge)


def _entry_form(actor: Actor, challenge: ChallengeInfo) -> None:
    with st.form(f"challenge_entry_{challenge.id}"):
        st.markdown(f"**Train a run on {challenge.dataset} for this challenge**")
        values = settings_fields(
            f"challenge_{challenge.id}", lab_defaults(challenge.lab_id, challenge.dataset)
        )
        show_errors(st.session_state.pop("challenge_errors", {}))
        submitted = st.form_submit_button("Train for the challenge", type="primary")
    if not submitted:
        return
    settings = {**lab_defaults(challenge.lab_id, challenge.dataset), **values}
    try:
        run_id = challenges.submit_challenge_run(actor, challenge.id, settings)
    except SpecError as exc:
        st.session_state["challenge_errors"] = exc.errors
        st.rerun()
    except ValueError as exc:
        st.error(str(exc))
        return
    st.toast(f"Run {run_id} is queued for the challenge.")
    st.rerun()


def _my_runs(actor: Actor, challenge: ChallengeInfo) -> None:
    entries = challenges.my_challenge_runs(actor, challenge.id)
    if not entries:
        return
    st.markdown("**Your runs in this challenge**")
    for run in entries:
        line = f"Run {run.id} · {run.status}"
        if run.status == "queued" and run.queue_position:
            line += f" (number {run.queue_position} in the queue)"
        st.write(line)
        if run.lab_id in LAB_PAGES:
            st.page_link(LAB_PAGES[run.lab_id], label="Watch it", query_params={"run": str(run.id)})
