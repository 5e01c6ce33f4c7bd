"""The rubric form for reviewing a teammate's shared run or model card."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from classroom import reviews
from classroom.access import Actor
from classroom.reviews import RUBRIC, ReviewError, Target
from labs import evidence
from labs.model_card import LAB, review_outcome
from ui.common.markdown_text import md_escape
from ui.runs.results import render_objectives


def _level_label(levels: tuple[str, ...]) -> Callable[[int], str]:
    return lambda score: f"{score}: {levels[score - 1]}"


def render_review_form(actor: Actor, target: Target) -> None:
    """Three rubric scores and a comment; saving again edits the same review."""
    mine = reviews.my_review(actor, target.kind, target.id)
    key = f"rv_{target.kind}_{target.id}"
    with st.form(key):
        scores = {}
        for criterion in RUBRIC:
            current = mine.scores[criterion.key] if mine else None
            scores[criterion.key] = st.radio(
                criterion.title,
                [1, 2, 3, 4],
                index=None if current is None else current - 1,
                format_func=_level_label(criterion.levels),
                key=f"{key}_{criterion.key}",
            )
        comment = st.text_area(
            "Comment",
            value=mine.comment if mine else "",
            placeholder="One thing that works, backed by the results, and one change to try.",
            max_chars=reviews.MAX_COMMENT_CHARS,
            key=f"{key}_comment",
        )
        label = "Update my review" if mine else "Send my review"
        if not st.form_submit_button(label, type="primary"):
            return
    chosen = {name: score for name, score in scores.items() if score is not None}
    missing = [c.title for c in RUBRIC if c.key not in chosen]
    if missing:
        st.error("Choose a score for: " + ", ".join(missing) + ".")
        return
    try:
        saved = reviews.save_review(actor, target.kind, target.id, chosen, comment)
    except ReviewError as exc:
        st.error(str(exc))
        return
    st.success(f"Review saved. {md_escape(target.owner_name)} can read it now.")
    render_objectives(evidence.record_objective(actor, LAB.id, review_outcome(saved)), actor)
