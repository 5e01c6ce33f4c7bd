"""A learner's goals on the progress page: add one, tick it off, delete it."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from functools import partial
from textwrap import shorten
from typing import Literal

import streamlit as st

from classroom import goals
from classroom.access import Actor, NotFound
from classroom.goals import GoalError
from classroom.progress_summary import GoalState
from curriculum.catalog import competencies, competency
from ui.common.confirm_destructive import destructive_button, render_done_notice
from ui.common.local_time import local_day
from ui.common.markdown_text import md_escape

BadgeColour = Literal["red", "orange", "blue", "green"]
BADGES: dict[str, tuple[str, BadgeColour, str]] = {
    "overdue": ("Overdue", "red", ":material/alarm:"),
    "due soon": ("Due soon", "orange", ":material/schedule:"),
    "open": ("Open", "blue", ":material/flag:"),
    "met": ("Met", "green", ":material/check_circle:"),
}
_ERROR = "goal_error"


def competency_name(competency_id: str) -> str:
    try:
        return competency(competency_id).name
    except KeyError:
        return competency_id


def _add(actor: Actor) -> None:
    """Form callback: add the goal, or keep what was typed and say what is wrong."""
    state = st.session_state
    try:
        goals.add_goal(actor, state.goal_text, state.goal_competency, state.goal_due)
    except GoalError as exc:
        state[_ERROR] = str(exc)
        return
    state[_ERROR] = None
    state.goal_text, state.goal_due = "", None
    st.toast("Goal added.", icon=":material/flag:")


def render_goal_form(actor: Actor) -> None:
    with st.form("new_goal", border=True):
        st.text_input(
            "My goal",
            key="goal_text",
            max_chars=goals.MAX_TEXT,
            placeholder="e.g. Explain to a friend why a validation curve rises",
        )
        left, right = st.columns(2)
        left.selectbox(
            "Competency",
            [c.id for c in competencies()],
            format_func=competency_name,
            key="goal_competency",
        )
        right.date_input("Due by (optional)", value=None, key="goal_due", format="YYYY-MM-DD")
        st.form_submit_button("Add goal", icon=":material/add:", on_click=_add, args=(actor,))
    if st.session_state.get(_ERROR):
        st.error(st.session_state[_ERROR])


def _set_done(actor: Actor, goal_id: int, key: str) -> None:
    try:
        goals.mark_done(actor, goal_id, bool(st.session_state[key]))
    except NotFound:
        st.toast("That goal no longer exists.")


def _delete(actor: Actor, goal_id: int, text: str) -> str:
    # Already gone (deleted in another tab): the list drawn next shows the truth.
    with contextlib.suppress(NotFound):
        goals.delete_goal(actor, goal_id)
    return f"Deleted the goal “{md_escape(shorten(text, 60, placeholder='…'))}”."


def render_goals(actor: Actor, states: Sequence[GoalState]) -> None:
    """Each goal with its state; overdue goals stand out in red."""
    render_done_notice()
    if not states:
        st.caption("No goals yet. Set one above: what, for which competency, and by when.")
        return
    for item in states:
        goal = item.goal
        label, colour, icon = BADGES[item.state]
        with st.container(border=True, key=f"goal_box_{goal.id}"):
            text_col, done_col, delete_col = st.columns([6, 1, 1], vertical_alignment="center")
            with text_col:
                st.badge(label, color=colour, icon=icon)
                st.text(goal.text)  # the learner's words, shown as typed (never as Markdown)
                due = f"due {local_day(goal.due_on)}" if goal.due_on else "no due date"
                met = f" · met {local_day(goal.achieved_at)}" if goal.achieved_at else ""
                st.caption(f"{competency_name(goal.competency)} · {due}{met}")
            done_key = f"goal_done_{goal.id}"
            done_col.checkbox(
                "Done",
                value=goal.done,
                key=done_key,
                on_change=_set_done,
                args=(actor, goal.id, done_key),
            )
            destructive_button(
                "Delete",
                f"goal_delete_{goal.id}",
                question="Delete this goal? It cannot be brought back.",
                confirm_label="Yes, delete it",
                action=partial(_delete, actor, goal.id, goal.text),
                icon=":material/delete:",
                where=delete_col,
            )
