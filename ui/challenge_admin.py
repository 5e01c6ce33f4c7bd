"""The teacher's side of challenges: open one for a class, end one early."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from classroom import challenges, classes
from classroom.access import Actor, NotFound
from classroom.challenges import ChallengeInfo
from db.models import utcnow
from engine.spec import DATASET_KINDS
from labs.registry import LABS
from ui.challenge_time import to_utc

TRAINING_LABS = {lab_id: lab.title for lab_id, lab in LABS.items() if lab.default_spec}


def render_open_form(actor: Actor) -> None:
    """A form that opens a challenge for one of the teacher's classes."""
    mine = classes.list_classes(actor)
    if not mine:
        st.info("Create a class first; a challenge is for one class.")
        return
    with st.expander("Open a new challenge", icon=":material/add:"), st.form("open_challenge"):
        klass = st.selectbox("Class", mine, format_func=lambda c: c.name)
        title = st.text_input("Title", max_chars=120, placeholder="Who reads digits best?")
        lab_id = st.selectbox(
            "Lab", list(TRAINING_LABS), format_func=lambda lab: TRAINING_LABS[lab]
        )
        dataset = st.selectbox("Dataset", list(DATASET_KINDS))
        budget_col, per_col = st.columns(2)
        budget = budget_col.number_input("Runs allowed", 1, challenges.MAX_BUDGET, 5)
        per = per_col.radio(
            "Counted per", challenges.BUDGET_PER, format_func=str.capitalize, horizontal=True
        )
        soon = utcnow() + timedelta(days=7)
        day_col, time_col = st.columns(2)
        day = day_col.date_input("Deadline (day)", soon.date())
        at = time_col.time_input("Deadline (time)", soon.time().replace(second=0, microsecond=0))
        st.caption(
            "Each run is scored on a fifth of the dataset that no challenge run ever trains, "
            "validates or tests on."
        )
        if st.form_submit_button("Open the challenge", type="primary"):
            try:
                info = challenges.open_challenge(
                    actor,
                    klass.id,
                    title=title,
                    lab_id=lab_id,
                    dataset=dataset,
                    run_budget=int(budget),
                    budget_per=per,
                    deadline=to_utc(day, at),
                )
            except (ValueError, NotFound) as exc:
                st.error(str(exc))
            else:
                st.session_state["challenge_choice"] = info.id
                st.rerun()


def render_close_button(actor: Actor, challenge: ChallengeInfo) -> None:
    if challenge.is_open and st.button("End the challenge now", icon=":material/timer_off:"):
        challenges.close_challenge(actor, challenge.id)
        st.rerun()
