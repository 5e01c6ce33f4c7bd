"""After a study: the lab's objectives, the method comparison, and training the best in full."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from classroom import tuning
from classroom.access import Actor, NotFound
from classroom.tuning import StudyView
from engine.tuning.analysis import MethodResult, best_row
from engine.tuning.study import METHODS
from labs import evidence
from labs.hyperparameter_tuning import (
    LAB,
    PARAM_LABELS,
    beat_default_outcome,
    key_setting_outcome,
)
from labs.objectives import ObjectiveOutcome, RunOutcome, evaluate
from ui.runs.live_run import render_live_panel
from ui.runs.results import render_objectives


def _check(actor: Actor, view: StudyView, outcome: RunOutcome) -> list[ObjectiveOutcome]:
    """Record progress for the study's owner; a teacher only sees the check."""
    if view.info.owner_id == actor.id:
        return evidence.record_objective(actor, LAB.id, outcome)
    return [o for o in evaluate(LAB.objectives, outcome) if o.objective_id == outcome["kind"]]


def render_study_objectives(actor: Actor, view: StudyView) -> None:
    render_objectives(_check(actor, view, beat_default_outcome(view)))
    tuned = view.info.space.tuned()
    if not tuned:
        return
    with st.form(f"hp_key_setting_{view.info.id}"):
        choice = st.selectbox(
            "Which hyperparameter mattered most in this study?",
            tuned,
            format_func=PARAM_LABELS.__getitem__,
            key=f"hp_choice_{view.info.id}",
        )
        asked = st.form_submit_button("Check my answer", icon=":material/quiz:")
    if asked:
        render_objectives(_check(actor, view, key_setting_outcome(view, choice)))


def comparison_table(results: list[MethodResult]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "study": r.study_id,
            "method": METHODS.get(r.method, r.method),
            "trials ended": r.finished_trials,
            "best validation accuracy": r.best_value,
            "trials to reach its best": r.trials_to_best,
        }
        for r in results
    )


def fastest_text(results: list[MethodResult]) -> str:
    """Which study reached the highest value in the fewest trials."""
    scored = [r for r in results if r.best_value is not None and r.trials_to_best is not None]
    if len(scored) < 2:
        return (
            "Run another study with the same budget, table and epochs but another method "
            "to compare them."
        )
    top = max(r.best_value or 0.0 for r in scored)
    winner = min(
        (r for r in scored if (r.best_value or 0) >= top - 1e-9),
        key=lambda r: r.trials_to_best or 0,
    )
    return (
        f"{METHODS[winner.method]} (study {winner.study_id}) reached the highest value, "
        f"{top:.1%}, in {winner.trials_to_best} trials: the fewest of your studies that reached it."
    )


def render_comparison(actor: Actor, study_id: int) -> None:
    from ui.hyperparameter_tuning.figures import method_comparison_figure

    results = tuning.method_comparison(actor, study_id)
    st.subheader("Methods compared on the same budget")
    st.write(fastest_text(results))
    if len(results) > 1:
        st.dataframe(comparison_table(results), hide_index=True, width="stretch")
        st.plotly_chart(
            method_comparison_figure(results), key=f"hp_compare_{study_id}", width="stretch"
        )


def _train_full(actor: Actor, study_id: int) -> None:
    try:
        tuning.train_best_in_full(actor, study_id)
        st.toast("The best configuration is queued to train in full.")
    except NotFound as exc:
        st.toast(str(exc))


def render_full_training(actor: Actor, view: StudyView) -> None:
    best = best_row(view.trials)
    if best is None:
        return
    st.subheader("Train the best configuration in full")
    settings = ", ".join(
        f"{PARAM_LABELS[k]} {v:.3g}" if isinstance(v, float) else f"{PARAM_LABELS[k]} {v}"
        for k, v in best.params.items()
    )
    st.write(f"Trial {best.number} was best with {best.value:.1%}: {settings}.")
    if view.info.owner_id == actor.id:
        st.button(
            "Train the best configuration in full",
            key=f"hp_full_{view.info.id}",
            icon=":material/rocket_launch:",
            on_click=_train_full,
            args=(actor, view.info.id),
        )
    if view.info.full_run_id:
        render_live_panel(actor, view.info.full_run_id)
