"""The optimisation lab's guided experiments for one run: a verdict only for what it tried."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from classroom.access import Actor
from engine.jobs import RunStatus
from labs import evidence
from labs.objectives import ObjectiveOutcome
from labs.training_optimisation import experiments_met
from ui.runs.compare import merge_earlier
from ui.runs.results import render_objectives


def chosen_key(run_id: int) -> str:
    return f"opt_experiments_{run_id}"


def with_chosen(outcomes: list[ObjectiveOutcome], chosen: set[str]) -> list[ObjectiveOutcome]:
    """Experiments the learner picked for this run count as tried (a verdict, and a check)."""
    return [
        replace(o, attempted=True) if o.objective_id in chosen and not o.attempted else o
        for o in outcomes
    ]


def render_guided_experiments(actor: Actor, run: RunStatus, history: list[RunStatus]) -> None:
    """Verdicts for the experiments this run tried or that earlier runs met; the learner may
    pick any other experiment to check this run against it."""
    finished = [evidence.outcome_of(r) for r in history if not r.active]
    met = experiments_met(finished) if run.owner_id == actor.id else {}
    checked = evidence.check_run(actor, run)
    outcomes = merge_earlier(checked, met)
    untried = {o.objective_id: o.text for o in outcomes if not o.attempted}
    key = chosen_key(run.id)
    # The pills below set this before the rerun that draws the verdicts above them; an
    # experiment met since (by a newer run) leaves the choice.
    chosen = [i for i in st.session_state.get(key) or [] if i in untried]
    if key in st.session_state:
        st.session_state[key] = chosen
    outcomes = with_chosen(outcomes, set(chosen))
    if not chosen and not any(o.attempted for o in checked):
        st.info(
            "This run changed none of the settings that a guided experiment tests, so there "
            "is no verdict yet. Change one setting from your last run, or pick an experiment "
            "below to see what this run still needs.",
            icon=":material/science:",
        )
    render_objectives(outcomes, actor)
    if untried:
        st.pills(
            "Check this run against another experiment",
            list(untried),
            selection_mode="multi",
            format_func=untried.__getitem__,
            key=key,
        )
