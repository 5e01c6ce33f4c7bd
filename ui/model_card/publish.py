"""Who may read a model card (one choice), exporting it, and the lab's objectives it meets."""

from __future__ import annotations

import streamlit as st

from classroom import model_cards
from classroom.access import Actor
from classroom.model_cards import Card, CardError
from engine.jobs import RunStatus
from labs import evidence
from labs.model_card import LAB, card_outcome, plain_outcome
from labs.objectives import ObjectiveOutcome
from ui.runs.results import render_objectives

OUTCOMES_KEY = "mc_outcomes"  # {card id: the outcomes of its last check}
CARD_OBJECTIVES = ("write-model-card", "plain-explanation")


def check_card(actor: Actor, card: Card, run: RunStatus) -> list[ObjectiveOutcome]:
    """Check the card against the lab's objectives; a met one completes its track step."""
    found = evidence.record_objective(actor, LAB.id, card_outcome(card, run.result))
    found += evidence.record_objective(actor, LAB.id, plain_outcome(card))
    st.session_state.setdefault(OUTCOMES_KEY, {})[card.id] = found
    return found


# One choice of who reads the card, mapped onto the card's two stored flags (no new column):
# "team" = shared with the team while a draft; "published" = finished, and so readable by the
# team and teacher too (a published card was always readable by them, shared or not).
VISIBILITY = {
    "me": "Only me",
    "team": "My team and my teacher (draft)",
    "published": "My team and my teacher, published as finished",
}
VISIBILITY_HELP = [
    "A private draft.",
    "Teammates can read and review it while you keep working on it.",
    "Every section must be written; publishing checks the lab's objectives.",
]


def card_visibility(card: Card) -> str:
    if card.published:
        return "published"
    return "team" if card.shared_with_team else "me"


def _on_visibility(actor: Actor, card: Card, run: RunStatus, key: str) -> None:
    wanted = st.session_state[key]
    try:
        if wanted == "published":
            published = model_cards.set_published(actor, card.id, True)
            model_cards.set_shared(actor, card.id, True)
            check_card(actor, published, run)
        else:
            if card.published:
                model_cards.set_published(actor, card.id, False)
            model_cards.set_shared(actor, card.id, wanted == "team")
    except CardError as exc:
        st.session_state[key] = card_visibility(card)  # the choice goes back to what it was
        st.session_state["mc_publish_error"] = str(exc)
        return
    st.session_state["mc_visibility_notice"] = f"Saved: {VISIBILITY[wanted].lower()}."


def render_card_controls(actor: Actor, card: Card | None, run: RunStatus) -> None:
    """Who may read the card, the Markdown download, and the objectives."""
    if card is None:
        st.info("Start writing any section; the card is saved as you type.")
        return
    error = st.session_state.pop("mc_publish_error", None)
    if error:
        st.error(error)
    choice, download = st.columns([2, 1])
    key = f"mc_visibility_{card.id}"
    choice.radio(
        f"Who can read your card for run {run.id}?",
        list(VISIBILITY),
        index=list(VISIBILITY).index(card_visibility(card)),
        format_func=VISIBILITY.__getitem__,
        captions=VISIBILITY_HELP,
        key=key,
        on_change=_on_visibility,
        args=(actor, card, run, key),
    )
    if notice := st.session_state.pop("mc_visibility_notice", None):
        choice.success(notice)
    download.download_button(
        "Download as Markdown",
        data=model_cards.export_markdown(actor, card.id),
        file_name=f"model-card-run-{run.id}.md",
        mime="text/markdown",
        icon=":material/download:",
        key=f"mc_download_{card.id}",
    )
    _render_objectives(actor, card, run)


def _render_objectives(actor: Actor, card: Card, run: RunStatus) -> None:
    shown = st.session_state.get(OUTCOMES_KEY, {}).get(card.id)
    if shown is None and card.published:
        shown = check_card(actor, card, run)
    if shown is None:
        for objective in LAB.objectives:
            if objective.id in CARD_OBJECTIVES:
                st.caption(f"To do: {objective.text} (checked when you publish).")
        return
    render_objectives(shown, actor)
    if card.published and st.button("Check my card again", key=f"mc_recheck_{card.id}"):
        check_card(actor, card, run)
        st.rerun()
