"""The teacher's assignment tools: set a track or a step for a class or chosen learners."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import streamlit as st

from classroom import assignments
from classroom.access import Actor, NotFound
from classroom.classes import ClassInfo, Member
from curriculum.catalog import tracks
from ui.common.confirm_destructive import destructive_button, render_done_notice
from ui.common.local_time import local_day
from ui.common.markdown_text import md_escape

WHOLE_TRACK = "__whole_track__"
NOTICE_KEY = "assign_notice"


def render_assign_form(teacher: Actor, klass: ClassInfo, members: list[Member]) -> None:
    """Choose the work, who it is for and when it is due."""
    all_tracks = tracks()
    track_id = st.selectbox(
        "Track to assign",
        list(all_tracks),
        format_func=lambda t: all_tracks[t].title,
        key="assign_track",
    )
    track = all_tracks[track_id]
    titles = {s.id: f"{n}. {s.title}" for n, s in enumerate(track.steps, start=1)}
    with st.form("assign_work", border=False):
        step = st.selectbox(
            "Which part",
            [WHOLE_TRACK, *titles],
            format_func=lambda s: "The whole track" if s == WHOLE_TRACK else titles[s],
            key="assign_step",
        )
        chosen = st.multiselect(
            "For whom (leave empty for the whole class)",
            members,
            format_func=lambda m: m.display_name,
            key="assign_learners",
        )
        due = st.date_input(
            "Due date",
            value=date.today() + timedelta(days=7),
            min_value=date.today(),
            key="assign_due",
        )
        if st.form_submit_button("Assign", type="primary", icon=":material/assignment_add:"):
            _assign(teacher, klass, track_id, step, chosen, due)


def _assign(
    teacher: Actor,
    klass: ClassInfo,
    track_id: str,
    step: str,
    chosen: list[Member],
    due: date | None,
) -> None:
    if not isinstance(due, date):
        st.error("Choose a due date.")
        return
    try:
        made = assignments.assign(
            teacher,
            klass.id,
            track_id,
            due,
            step_id=None if step == WHOLE_TRACK else step,
            learner_ids=[m.id for m in chosen] or None,
        )
    except (ValueError, NotFound) as exc:
        st.error(str(exc))
        return
    whom = md_escape(", ".join(a.for_whom for a in made))
    # Rerun so that the matrix above, drawn before this form, shows the new work at once.
    title = md_escape(made[0].title)
    st.session_state[NOTICE_KEY] = f"Assigned {title} to {whom}, due {local_day(due)}."
    st.rerun()


def render_assign_notice() -> None:
    if notice := st.session_state.pop(NOTICE_KEY, None):
        st.success(notice, icon=":material/assignment_turned_in:")


def render_assignment_list(teacher: Actor, klass: ClassInfo) -> None:
    """What is assigned in this class, with a button to withdraw each."""
    render_done_notice()
    current = assignments.assignments_for_class(teacher, klass.id)
    if not current:
        st.caption("Nothing is assigned in this class yet.")
        return
    for item in current:
        text_col, button_col = st.columns([5, 1], vertical_alignment="center")
        title, whom = md_escape(item.title), md_escape(item.for_whom)
        text_col.markdown(f"**{title}** · for {whom} · due {local_day(item.due_date)}")
        destructive_button(
            "Withdraw",
            f"unassign_{item.id}",
            question=f"Withdraw {title} from {whom}? It leaves their list of assigned work; "
            "what they already did stays.",
            confirm_label="Yes, withdraw it",
            action=partial(_withdraw, teacher, item.id, item.title),
            icon=":material/delete:",
            where=button_col,
        )


def _withdraw(teacher: Actor, assignment_id: int, title: str) -> str:
    assignments.unassign(teacher, assignment_id)
    return f"Withdrew {md_escape(title)}."
