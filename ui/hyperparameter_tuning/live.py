"""The live study panel: status, the trial table and charts, redrawn every second while the
study runs (only this fragment reruns)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from classroom import tuning
from classroom.access import Actor
from classroom.tuning import StudyView
from engine.tuning.analysis import MIN_TRIALS_FOR_IMPORTANCE, TrialRow, best_so_far
from engine.tuning.records import StudyInfo
from engine.tuning.study import METHODS, PRUNERS
from labs.hyperparameter_tuning import PARAM_LABELS
from ui.hyperparameter_tuning.figures import (
    best_so_far_figure,
    importance_figure,
    parallel_coordinates_figure,
)

STATE_TEXT = {
    "complete": "Finished",
    "pruned": "Stopped early (pruned)",
    "running": "Training",
    "failed": "Failed",
    "waiting": "Waiting",
}
STUDY_TEXT = {
    "queued": "Waiting for the worker",
    "running": "Searching",
    "done": "Finished",
    "cancelled": "Cancelled",
    "failed": "Failed",
}


def trial_table(rows: list[TrialRow], params: list[str]) -> pd.DataFrame:
    """One row per trial: its state, settings and validation accuracy."""
    records = []
    for row in rows:
        record = {"trial": row.number, "state": STATE_TEXT.get(row.state, row.state)}
        for name in params:
            record[PARAM_LABELS[name]] = row.params.get(name)
        record["validation accuracy"] = row.value
        record["epochs"] = row.epochs
        record["run"] = row.run_id
        records.append(record)
    return pd.DataFrame(records)


def study_label(info: StudyInfo) -> str:
    s = info.settings
    return (
        f"Study {info.id} · {METHODS[s.method]} · {s.budget} trials · "
        f"{PRUNERS[s.pruner].lower()} pruning · {STUDY_TEXT.get(info.status, info.status)}"
    )


def _importances(actor: Actor, view: StudyView) -> dict[str, float] | None:
    """Recomputed only when another trial has finished (fANOVA takes a moment)."""
    finished = sum(r.state == "complete" for r in view.trials)
    key = f"_hp_importance_{view.info.id}"
    cached = st.session_state.get(key)
    if cached is None or cached[0] != finished:
        cached = (finished, tuning.study_importances(actor, view.info.id))
        st.session_state[key] = cached
    return cached[1]


def _cancel(actor: Actor, study_id: int) -> None:
    if tuning.cancel_study(actor, study_id):
        st.toast("Stopping the study…")


def _status(view: StudyView) -> None:
    info, rows = view.info, view.trials
    ended = sum(r.state in ("complete", "pruned", "failed") for r in rows)
    training = sum(r.state == "running" for r in rows)
    text = STUDY_TEXT.get(info.status, info.status)
    st.markdown(
        f"**Study {info.id}** · {text}: {ended} of {info.settings.budget} trials ended, "
        f"{training} training."
    )
    if info.reason and info.status != "done":
        st.caption(info.reason)
    st.progress(min(1.0, ended / max(info.settings.budget, 1)))


def _charts(view: StudyView, importances: dict[str, float] | None) -> None:
    params = view.info.space.tuned()
    left, right = st.columns(2)
    with left:
        st.plotly_chart(
            best_so_far_figure(best_so_far(view.trials), view.baseline_value),
            key=f"hp_history_{view.info.id}",
            width="stretch",
            config={"displayModeBar": False},
        )
    with right:
        if importances:
            st.plotly_chart(
                importance_figure(importances),
                key=f"hp_importance_{view.info.id}",
                width="stretch",
                config={"displayModeBar": False},
            )
        else:
            st.info(
                f"The importance chart appears once {MIN_TRIALS_FOR_IMPORTANCE} trials have "
                "finished (and at least one setting varies)."
            )
    if any(r.state == "complete" for r in view.trials) and params:
        st.plotly_chart(
            parallel_coordinates_figure(view.trials, params),
            key=f"hp_parcoords_{view.info.id}",
            width="stretch",
        )


def render_study_panel(actor: Actor, study_id: int) -> StudyView:
    """Draw the study; while it is active, redraw every second."""
    first = tuning.get_study(actor, study_id)

    @st.fragment(run_every=1.0 if first.active else None)
    def panel() -> None:
        view = tuning.study_view(actor, study_id, with_importances=False)
        left, right = st.columns([4, 1])
        with left:
            _status(view)
        if view.info.active and view.info.owner_id == actor.id:
            right.button(
                "Cancel",
                key=f"hp_cancel_{study_id}",
                on_click=_cancel,
                args=(actor, study_id),
                width="stretch",
            )
        if view.baseline_value is not None:
            st.caption(f"The default configuration reached {view.baseline_value:.1%}.")
        if view.trials:
            st.dataframe(
                trial_table(view.trials, view.info.space.tuned()),
                hide_index=True,
                width="stretch",
            )
        _charts(view, _importances(actor, view))
        if first.active and not view.info.active:
            st.rerun()  # the study ended: redraw the page with its results, stop polling

    panel()
    view = tuning.study_view(actor, study_id, with_importances=False)
    return replace(view, importances=_importances(actor, view))
