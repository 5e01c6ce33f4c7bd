"""Peer review: teammates' shared runs and model cards to review, and reviews of my work."""

import streamlit as st

from classroom import model_cards, reviews
from ui.common.auth import require_signed_in
from ui.model_card.run import render_run_summary
from ui.model_card.view import render_card
from ui.reviews.form import render_review_form
from ui.reviews.received import render_reviews

actor = require_signed_in()
st.title("Peer review")
st.write(
    "Read what your teammates shared and give each a short review: how clear it is, how "
    "well the results back it up, and what they could try next. Be specific and kind."
)
if actor.is_teacher:
    st.info(
        "Learners review their teammates' work here. The reviews of a learner's model card "
        "are under it on the Model card page."
    )
    st.stop()

to_review, received = st.tabs(["Review a teammate", "Reviews of my work"])
with to_review:
    targets = reviews.review_targets(actor)
    if not targets:
        st.info(
            "Nothing to review yet. When a teammate shares a run or a model card with the "
            "team, it appears here. Reviews happen inside a team, so you need to be in one."
        )
    else:
        target = st.selectbox(
            "What would you like to review?",
            targets,
            format_func=lambda t: f"{t.owner_name}: {t.title}",
            key="rv_target",
        )
        with st.container(border=True):
            if target.kind == "model_card":
                render_card(model_cards.get_card(actor, target.id))
                st.markdown("**The run it explains**")
            render_run_summary(reviews.reviewable_run(actor, target.kind, target.id), "rv_run")
        st.subheader("Your review")
        render_review_form(actor, target)

with received:
    render_reviews(
        reviews.reviews_of_my_work(actor),
        "No reviews of your work yet. Share a run or a model card with your team.",
        show_target=True,
    )
