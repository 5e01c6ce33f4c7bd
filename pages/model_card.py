"""Lab: a model card for one of your runs, in expert and plain words, with live checks."""

import streamlit as st

from classroom import model_cards, reviews
from labs.model_card import LAB
from ui.common.auth import require_signed_in
from ui.journal.step_reflection import render_step_reflection
from ui.model_card.editor import render_card_editor
from ui.model_card.publish import render_card_controls
from ui.model_card.run import finished_runs, pick_run, render_run_summary, run_origins
from ui.model_card.view import render_class_cards
from ui.reviews.received import render_reviews

actor = require_signed_in()
st.title(LAB.title)
st.write(
    "A model card tells people what a model does, what it learned from, who it may fail "
    "and where it should not be used. Write one for a run of yours, first for specialists, "
    "then in plain words for everyone else. Your teammates can review it."
)
if actor.is_teacher:
    render_class_cards(actor)
    st.stop()

found = finished_runs(actor)
if not found:
    st.info("Train a model first: a model card explains a run that has finished.")
    st.page_link(
        "pages/first_network.py", label="Train your first network", icon=":material/science:"
    )
    st.page_link("pages/data_types.py", label="Try a table (penguins)", icon=":material/category:")
    st.stop()

origins = run_origins(actor, found)
run = pick_run(actor, found, origins)
card = model_cards.card_for_run(actor, run.id)
st.subheader(f"{'Your' if card else 'A new'} model card for run {run.id}")
with st.container(border=True):
    render_run_summary(run, key=f"mc_run_{run.id}", origin=origins[run.id])

render_card_editor(actor, run, card)
st.divider()
render_card_controls(actor, card, run)

st.subheader("Reviews from your team")
received = reviews.reviews_of(actor, "run", run.id)
if card is not None:
    received = reviews.reviews_of(actor, "model_card", card.id) + received
render_reviews(
    received,
    "No reviews yet. Share the card with your team so teammates can review it.",
    show_target=True,
)
st.page_link("pages/reviews.py", label="Review your teammates' work", icon=":material/rate_review:")

st.subheader("Reflect")
render_step_reflection(actor, LAB.id, key=f"mc_reflection_{run.id}")
