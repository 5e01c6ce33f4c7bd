"""Sharing, publishing and exporting a model card, and the lab's objectives it meets."""

from __future__ import annotations

import streamlit as st

from classroom import model_cards
from classroom.access import Actor
from classroom.model_cards import Card, CardError
from engine.jobs import RunStatus
from labs import evidence
from labs.model_card import LAB, card_outcome, plain_outcome
from labs.objectives import ObjectiveOutcome
from ui.run_results import render_objectives

OUTCOMES_KEY = "mc_outcomes"  # {card id: the outcomes of its last check}
CARD_OBJECTIVES = ("write-model-card", "plain-explanation")


def check_card(actor: Actor, card: Card, run: RunStatus) -> list[ObjectiveOutcome]:
    """Check the card against the lab's objectives; a met one completes its track step."""
    found = evidence.record_objective(actor, LAB.id, card_outcome(card, run.result))
    found += evidence.record_objective(actor, LAB.id, plain_outcome(card))
    st.session_state.setdefault(OUTCOMES_KEY, {})[card.id] = found
    return found


def _on_publish(actor: Actor, card_id: int, run: RunStatus, key: str) -> None:
    wanted = bool(st.session_state[key])
    try:
        card = model_cards.set_published(actor, card_id, wanted)
    except CardError as exc:
        st.session_state[key] = False
        st.session_state["mc_publish_error"] = str(exc)
        return
    if wanted:
        check_card(actor, card, run)


def _on_share(actor: Actor, card_id: int, key: str) -> None:
    model_cards.set_shared(actor, card_id, bool(st.session_state[key]))


def render_card_controls(actor: Actor, card: Card | None, run: RunStatus) -> None:
    """Share and publish toggles, the Markdown download, and the objectives."""
    if card is None:
        st.info("Start writing any section; the card is saved as you type.")
        return
    error = st.session_state.pop("mc_publish_error", None)
    if error:
        st.error(error)
    share, publish, download = st.columns(3)
    share_key, publish_key = f"mc_share_{card.id}", f"mc_publish_{card.id}"
    share.toggle(
        "Share with my team",
        value=card.shared_with_team,
        key=share_key,
        on_change=_on_share,
        args=(actor, card.id, share_key),
        help="Teammates can read it and review it; your teacher can read it too.",
    )
    publish.toggle(
        "Published",
        value=card.published,
        key=publish_key,
        on_change=_on_publish,
        args=(actor, card.id, run, publish_key),
        help="Publishing says the card is finished: your team and teacher can read it.",
    )
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
