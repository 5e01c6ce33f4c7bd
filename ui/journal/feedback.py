"""Teacher feedback on shared journal entries: the teacher's form and the learner's view."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from classroom import journals
from classroom.access import Actor, NotAllowed, NotFound
from classroom.journals import Entry, Feedback, FeedbackError
from ui.common.local_time import local_time
from ui.common.markdown_text import md_escape

STARS = ["1 · needs more thought", "2", "3 · solid", "4", "5 · excellent"]


def render_feedback_form(teacher: Actor, entry: Entry) -> None:
    """Comment on and rate one shared entry of the teacher's learner (again: it is updated).

    Call it for an entry from ``journals.shared_entries_for_class``; access is checked again
    when saving, so an entry unshared in the meantime is refused."""
    try:
        given = journals.feedback_on_entry(teacher, entry.id)
    except (NotFound, NotAllowed):
        st.caption("This entry is no longer shared with you.")
        return
    previous = given[-1] if given else None
    with st.form(f"feedback_{entry.id}", border=False):
        comment = st.text_area(
            "Your feedback",
            value=previous.comment if previous else "",
            max_chars=journals.MAX_COMMENT,
            key=f"feedback_comment_{entry.id}",
        )
        rating = st.select_slider(
            "Rating",
            options=[1, 2, 3, 4, 5],
            value=previous.rating if previous else 3,
            format_func=lambda r: STARS[r - 1],
            key=f"feedback_rating_{entry.id}",
        )
        label = "Update feedback" if previous else "Send feedback"
        sent = st.form_submit_button(label, icon=":material/rate_review:")
    if sent:
        try:
            journals.give_feedback(teacher, entry.id, comment, rating)
        except FeedbackError as exc:
            st.error(str(exc))
        except NotFound:
            st.error("This entry is no longer shared with you, so the feedback was not saved.")
        else:
            who = md_escape(entry.author) if entry.author else "the learner"
            st.success(f"Feedback saved; {who} can see it now.")


def render_feedback(feedback: Sequence[Feedback]) -> None:
    """Feedback a learner received on one entry (teachers' text shown as plain text)."""
    for item in feedback:
        with st.container(border=True):
            st.markdown(f"**{'★' * item.rating}{'☆' * (5 - item.rating)}** {item.rating}/5")
            st.text(item.comment)
            st.caption(f"{md_escape(item.teacher_name)} · {local_time(item.updated_at)}")
