"""The teacher's side of challenges: open one for a class, end one early."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from classroom import challenges, classes
from classroom.access import Actor, NotFound
from classroom.challenges import ChallengeInfo
from engine.spec import DATASET_KINDS
from labs.registry import LABS
from ui.challenges.deadlines import to_utc
from ui.common.confirm_destructive import destructive_button
from ui.common.local_time import in_zone
from ui.common.markdown_text import md_escape

TRAINING_LABS = {lab_id: lab.title for lab_id, lab in LABS.items() if lab.default_spec}
OPENED_KEY = "challenge_opened"  # "Challenge X is open", shown once after the form cleared
FORM_ROUND_KEY = "challenge_form_round"  # a new round gives the form fresh, empty widgets


def render_open_form(actor: Actor) -> None:
    """A form that opens a challenge for one of the teacher's classes; it empties once the
    challenge is open (a second one is not one click away), and keeps its values on an error."""
    mine = classes.list_classes(actor)
    if not mine:
        st.info("Create a class first; a challenge is for one class.")
        return
    if opened := st.session_state.pop(OPENED_KEY, None):
        st.success(opened, icon=":material/emoji_events:")
    n = st.session_state.get(FORM_ROUND_KEY, 0)
    with st.expander("Open a new challenge", icon=":material/add:"), st.form("open_challenge"):
        klass = st.selectbox("Class", mine, format_func=lambda c: c.name, key=f"oc_class_{n}")
        title = st.text_input(
            "Title", max_chars=120, placeholder="Who reads digits best?", key=f"oc_title_{n}"
        )
        lab_id = st.selectbox(
            "Lab", list(TRAINING_LABS), format_func=TRAINING_LABS.__getitem__, key=f"oc_lab_{n}"
        )
        dataset = st.selectbox("Dataset", list(DATASET_KINDS), key=f"oc_dataset_{n}")
        budget_col, per_col = st.columns(2)
        budget = budget_col.number_input(
            "Runs allowed", 1, challenges.MAX_BUDGET, 5, key=f"oc_budget_{n}"
        )
        per = per_col.radio(
            "Counted per",
            challenges.BUDGET_PER,
            format_func=str.capitalize,
            horizontal=True,
            key=f"oc_per_{n}",
        )
        soon = in_zone(datetime.now(UTC)) + timedelta(days=7)  # a week from now, viewer's time
        day_col, time_col = st.columns(2)
        day = day_col.date_input("Deadline (day)", soon.date(), key=f"oc_day_{n}")
        at = time_col.time_input(
            "Deadline (time)", soon.time().replace(second=0, microsecond=0), key=f"oc_time_{n}"
        )
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
                st.session_state[FORM_ROUND_KEY] = n + 1
                st.session_state[OPENED_KEY] = (
                    f"Challenge {md_escape(info.title)} is open for {md_escape(info.class_name)}."
                    " Its learners see it on their Challenges page now."
                )
                st.rerun()


def render_close_button(actor: Actor, challenge: ChallengeInfo) -> None:
    """End the challenge early, after a yes: no more runs, every rank shows its settings."""
    if not challenge.is_open:
        return
    title = md_escape(challenge.title)
    destructive_button(
        "End the challenge now",
        f"end_challenge_{challenge.id}",
        question=(
            f"End {title} now? Learners can enter no more runs, and everyone sees the "
            "settings behind every rank. This cannot be undone."
        ),
        confirm_label="Yes, end it now",
        action=lambda: _close(actor, challenge),
        icon=":material/timer_off:",
    )


def _close(actor: Actor, challenge: ChallengeInfo) -> str:
    challenges.close_challenge(actor, challenge.id)
    return f"Ended {md_escape(challenge.title)}: no more runs; every rank shows its settings."
