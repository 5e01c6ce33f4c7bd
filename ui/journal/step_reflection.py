"""A reflection tied to a lab's reflect step (not to one run), saved as the learner types."""

from __future__ import annotations

import streamlit as st

from classroom import journals
from classroom.access import Actor
from classroom.journals import Entry
from curriculum.catalog import steps_for_lab
from labs import evidence
from ui.common.autosave import autosave_text_area


def render_step_reflection(actor: Actor, lab_id: str, key: str, facts: str = "") -> None:
    """The lab's reflect prompt, the learner's own results (``facts``) and an autosaving box."""
    found = steps_for_lab(lab_id, "reflect")
    if not found:
        return
    step = found[0]
    st.markdown(step.prompt)
    if facts:
        st.caption(facts)

    def current() -> Entry | None:
        return next((e for e in journals.list_entries(actor) if e.step_id == step.id), None)

    def save(text: str) -> None:
        entry = current()
        saved = journals.save_draft(
            actor,
            text,
            entry_id=entry.id if entry else None,
            track_id=step.track_id,
            step_id=step.id,
        )
        evidence.record_step_reflection(actor, saved, lab_id)

    entry = current()
    autosave_text_area("Your reflection", entry.body if entry else "", key, save)
    st.caption("Saved as you type, in your journal; only you can see it unless you share it.")
