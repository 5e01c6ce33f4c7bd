"""Writing a model card: one autosaving box per section, each with the plain-language check."""

from __future__ import annotations

import streamlit as st

from classroom import model_cards
from classroom.access import Actor
from classroom.model_cards import PLAIN_SECTION, SECTIONS, Card, CardError, Section
from engine.jobs import RunStatus
from ui.common.autosave import autosave_text_area
from ui.common.local_time import local_time
from ui.model_card.check import render_plain_check

ERROR_KEY = "mc_error"
SECTION_HELP = {
    "group_comment": "The numbers come from the run (chart above); write what they mean.",
    PLAIN_SECTION: "Write for a grandparent, a shop owner or a younger pupil.",
}


def save_section(actor: Actor, run_id: int, section: str, text: str) -> None:
    """Start the card on the first save, then save this one section."""
    try:
        card = model_cards.card_for_run(actor, run_id) or model_cards.start_card(actor, run_id)
        model_cards.save_section(actor, card.id, section, text)
    except CardError as exc:
        st.session_state[ERROR_KEY] = str(exc)


def _section(actor: Actor, run: RunStatus, section: Section, text: str) -> None:
    write_col, check_col = st.columns([3, 2], gap="large")
    with write_col:
        autosave_text_area(
            section.title,
            text,
            key=f"mc_{run.id}_{section.key}",
            on_save=lambda value: save_section(actor, run.id, section.key, value),
            placeholder=section.prompt,
            rows=7 if section.key == PLAIN_SECTION else 4,
        )
        if section.key in SECTION_HELP:
            st.caption(SECTION_HELP[section.key])
    with check_col:
        render_plain_check(
            text, key=f"mc_check_{run.id}_{section.key}", full=section.key == PLAIN_SECTION
        )


def render_card_editor(actor: Actor, run: RunStatus, card: Card | None) -> None:
    """Every section, the expert ones first, then the plain version with the full check."""
    error = st.session_state.pop(ERROR_KEY, None)
    if error:
        st.error(error)
    texts = card.sections if card else {}
    st.subheader("For specialists")
    for section in SECTIONS:
        if section.key == PLAIN_SECTION:
            st.subheader("For everyone")
            st.write(
                "Now explain the same model to someone who has never trained one. The check "
                "beside the box updates as you type."
            )
        _section(actor, run, section, texts.get(section.key, ""))
    if card is not None:
        st.caption(f"Saved as you type · last saved {local_time(card.updated_at)}")
