"""Reviews as their author reads them: rubric scores and the reviewer's comment."""

from __future__ import annotations

import streamlit as st

from classroom.reviews import RUBRIC, Review
from ui.common.local_time import local_time
from ui.common.markdown_text import md_escape


def score_line(review: Review) -> str:
    """ "Clarity 3/4 · Evidence 2/4 · What to try next 4/4" """
    return " · ".join(f"{c.title} {review.scores[c.key]}/4" for c in RUBRIC)


def render_reviews(reviews: list[Review], empty: str, show_target: bool = False) -> None:
    """Each review in a bordered box; the comment is shown as text, never as HTML or links."""
    if not reviews:
        st.caption(empty)
        return
    for review in reviews:
        with st.container(border=True):
            about = f" on {review.target.title}" if show_target else ""
            st.markdown(
                f"**{md_escape(review.reviewer_name)}**{md_escape(about)} · "
                f"{local_time(review.updated_at)}"
            )
            st.caption(score_line(review))
            st.markdown(md_escape(review.comment))
