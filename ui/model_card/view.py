"""A model card as a reader sees it: every section as plain text (no HTML, links or images)."""

from __future__ import annotations

import streamlit as st

from classroom import model_cards, reviews
from classroom.access import Actor
from classroom.model_cards import SECTIONS, Card
from ui.common.markdown_text import md_escape
from ui.reviews.received import render_reviews


def render_card(card: Card) -> None:
    status = "published" if card.published else "draft shared with the team"
    st.caption(f"By {md_escape(card.owner_name)} · {status} · run {card.run_id}")
    for section in SECTIONS:
        st.markdown(f"**{section.title}**")
        text = card.sections.get(section.key, "").strip()
        st.markdown(md_escape(text) if text else "_Not written yet._")


def render_class_cards(actor: Actor) -> None:
    """A teacher's view: pick a learner's shared or published card, read it and its reviews."""
    cards = model_cards.class_cards(actor)
    if not cards:
        st.info("None of your learners has shared or published a model card yet.")
        return
    card = st.selectbox(
        "Model cards from your classes",
        cards,
        format_func=lambda c: f"{c.owner_name} · run {c.run_id} · {c.status}",
        key="mc_teacher_card",
    )
    with st.container(border=True):
        render_card(card)
    st.download_button(
        "Download as Markdown",
        data=model_cards.export_markdown(actor, card.id),
        file_name=f"model-card-run-{card.run_id}.md",
        mime="text/markdown",
        icon=":material/download:",
    )
    st.markdown("**Reviews from teammates**")
    render_reviews(reviews.reviews_of(actor, "model_card", card.id), "No reviews yet.")
