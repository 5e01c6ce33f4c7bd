"""Competency cards for the home page and step rows for track pages."""

from __future__ import annotations

import streamlit as st

from curriculum.catalog import Competency, Step, Track

STEP_ICONS = {
    "concept": ":material/menu_book:",
    "lab": ":material/science:",
    "reflect": ":material/edit_note:",
}
LAB_PAGES = {
    "first-network": "pages/first_network.py",
    "feature-engineering": "pages/feature_engineering.py",
    "pipeline-builder": "pages/pipeline_builder.py",
    "data-types": "pages/data_types.py",
    "training-optimisation": "pages/training_optimisation.py",
    "hyperparameter-tuning": "pages/hyperparameter_tuning.py",
    "model-card": "pages/model_card.py",
    "teamwork": "pages/team.py",
}
STEP_KINDS = {"concept": "Read", "lab": "Lab", "reflect": "Reflect"}


def lab_page(step: Step) -> str:
    """The page of a lab or reflect step's lab (the content checks give each one a lab)."""
    if step.lab is None:
        raise ValueError(f"Step {step.id} names no lab.")
    return LAB_PAGES[step.lab]


def competency_card(comp: Competency, track: Track, done: set[str]) -> None:
    finished = sum(1 for s in track.steps if s.id in done)
    with st.container(border=True, height="stretch"):
        st.markdown(f"#### {comp.icon} {comp.name}")  # content, not a person's words
        st.write(comp.summary)
        st.caption("Practised in: " + "; ".join(comp.practised_in))
        st.progress(  # the track's own title, as its page shows it: one name per track
            finished / len(track.steps),
            text=f"Track: {track.title} · {finished} of {len(track.steps)} steps done",
        )
        st.page_link(
            "pages/track.py",
            label="Open track",  # short: a long competency name was cut off in the card
            icon=":material/arrow_forward:",
            query_params={"id": track.id},
        )


def step_header(number: int, step: Step) -> str:
    return f"{number}. {STEP_KINDS[step.kind]}: {step.title}"


def step_icon(done: bool) -> str:
    return ":material/check_circle:" if done else ":material/radio_button_unchecked:"
